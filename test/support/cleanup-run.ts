// The end of an npm test run (test/support/run-tests.sh), also after a failure, Ctrl+C or SIGTERM:
// stops what the run left running, removes its users and groups and its temporary folder, and the
// loopback reservations of processes that are gone. Touches only what carries this run's id.
// Usage: node dist/test/support/cleanup-run.js <run folder> <run id>
import { readFileSync, readdirSync, rmSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { processAlive } from '../../lib/topology/temp-files.js';
import { removeRunAccounts } from './run-id.js';
import { LOCK_DIR } from './samba.js';

const [runDir, runId] = process.argv.slice(2);
if (!runDir || !runId || !runDir.startsWith('/tmp/pchat-test-run-')) {
  console.error('usage: cleanup-run.js /tmp/pchat-test-run-XXXXXX <run id>');
  process.exit(2);
}

/** This process and its ancestors (the script that called it carries the run's id too). */
function ancestors(): Set<number> {
  const out = new Set<number>();
  for (let pid = process.pid; pid > 1 && !out.has(pid); ) {
    out.add(pid);
    try {
      pid = Number(/\) \S+ (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? 0);
    } catch {
      break;
    }
  }
  return out;
}

/** Live processes started by this run: its id in their environment, or its folder on their command line (smbd -s <conf>). */
function runProcesses(): { pid: number; cmd: string }[] {
  const skip = ancestors();
  const found: { pid: number; cmd: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || skip.has(Number(d))) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue;
      const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      let environ = '';
      try {
        environ = readFileSync(`/proc/${d}/environ`, 'utf8');
      } catch {
        /* another user's process: only its command line counts */
      }
      if (environ.split('\0').includes(`PCHAT_TEST_RUN_ID=${runId}`) || cmdline.includes(runDir)) {
        found.push({ pid: Number(d), cmd: cmdline.split('\0').join(' ').trim().slice(0, 120) });
      }
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const left = runProcesses();
if (left.length > 0) {
  console.error(`npm test clean-up: stopping ${left.length} process(es) the tests left running:`);
  for (const p of left) console.error(`    ${p.pid} ${p.cmd}`);
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    for (const p of runProcesses()) {
      try {
        process.kill(p.pid, signal);
      } catch {
        /* gone */
      }
    }
    for (let i = 0; i < 30 && runProcesses().length > 0; i++) sleep(100);
  }
}

for (const problem of removeRunAccounts(runId)) console.error(`npm test clean-up: ${problem}`);

// What a test or a command forgot to remove is named, so that it gets fixed; then removed with the rest.
let forgotten: string[] = [];
try {
  forgotten = readdirSync(path.join(runDir, 'tmp'));
} catch {
  /* no temp folder */
}
if (forgotten.length > 0) console.error(`npm test clean-up: removing what the run left in its temporary folder: ${forgotten.sort().join(', ')}`);
rmSync(runDir, { recursive: true, force: true, maxRetries: 5 });

// Reservations whose process is gone (a test killed before its teardown), then the folder once empty.
try {
  for (const f of readdirSync(LOCK_DIR)) {
    const file = path.join(LOCK_DIR, f);
    if (Date.now() - statSync(file).mtimeMs < 2_000) continue; // just made: its PID may not be written yet
    const owner = Number(readFileSync(file, 'utf8'));
    if (!(Number.isInteger(owner) && owner > 0 && processAlive(owner))) unlinkSync(file);
  }
  rmdirSync(LOCK_DIR);
} catch {
  /* missing, or still in use by another run */
}
