// The probes' process runner: what a scheduled job relies on when a tool hangs, fails or is missing.
import test from 'ava';
import { inheritedEnv, runTool } from '../../lib/probes/run-tool.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

test('captures stdout, stderr and the exit code of a failing tool', async (t) => {
  const r = await runTool('sh', ['-c', 'echo out; echo err >&2; exit 3'], { env, timeoutMs: 10_000 });
  t.is(r.stdout, 'out\n');
  t.is(r.stderr, 'err\n');
  t.is(r.exitCode, 3);
  t.false(r.timedOut);
  t.false(r.notFound);
});

test('a tool that hangs is killed at the timeout, not waited for', async (t) => {
  const start = performance.now();
  const r = await runTool('sh', ['-c', 'echo started; exec sleep 30'], { env, timeoutMs: 300 });
  t.true(r.timedOut);
  t.is(r.exitCode, undefined);
  t.is(r.stdout, 'started\n');
  t.true(performance.now() - start < 5_000);
});

test('a missing executable is reported as not found, without throwing', async (t) => {
  const r = await runTool('/nonexistent/pchat-no-such-tool', [], { env, timeoutMs: 5_000 });
  t.true(r.notFound);
  t.false(r.timedOut);
});

test('the child sees only the environment it is given and cannot read stdin', async (t) => {
  process.env.PCHAT_RUN_TOOL_SECRET = 'must-not-leak';
  try {
    const r = await runTool('sh', ['-c', 'echo "[$PCHAT_RUN_TOOL_SECRET][$ONLY]"; read x && echo "read:$x"; true'], { env: { ...env, ONLY: 'given' }, timeoutMs: 10_000 });
    t.is(r.stdout, '[][given]\n');
    t.is(r.exitCode, 0);
  } finally {
    delete process.env.PCHAT_RUN_TOOL_SECRET;
  }
});

test('fd 3 gets its text only when released, and the timeout counts from the release', async (t) => {
  let release!: (s: string | undefined) => void;
  const held = new Promise<string | undefined>((r) => (release = r));
  const started = performance.now();
  const run = runTool('sh', ['-c', 'IFS= read -r line <&3; echo "got:$line"'], { env, timeoutMs: 2_000, fd3: held });
  // Held longer than the timeout: a child waiting for its password has not started its work yet.
  setTimeout(() => release('secret-line\n'), 2_500);
  const r = await run;
  t.false(r.timedOut);
  t.is(r.stdout, 'got:secret-line\n');
  t.true(performance.now() - started >= 2_400);
  t.true(r.durationMs < 2_000, `duration counts from the release (${r.durationMs} ms)`);
});

test('a held child is killed unstarted when its release says no', async (t) => {
  const r = await runTool('sh', ['-c', 'IFS= read -r line <&3; echo "ran:$line"'], { env, timeoutMs: 10_000, fd3: Promise.resolve(undefined) });
  t.true(r.cancelled);
  t.is(r.stdout, '');
  t.false(r.timedOut);
});

test('stderr is reported as it arrives, before the tool exits', async (t) => {
  const seen: number[] = [];
  const r = await runTool('sh', ['-c', 'echo early >&2; sleep 1; echo late >&2'], { env, timeoutMs: 10_000, onStderr: () => seen.push(performance.now()) });
  t.is(r.stderr, 'early\nlate\n');
  t.true(seen.length >= 2 && seen[1]! - seen[0]! >= 800, 'the first piece came a second before the second');
});

test('a child inherits the environment without the tool\'s password variables', async (t) => {
  const saved = { smb: process.env.PCHAT_SMB_PASSWORD, sql: process.env.PCHAT_SQL_PASSWORD, other: process.env.PCHAT_UNRELATED };
  process.env.PCHAT_SMB_PASSWORD = 'Smb-Secret-1';
  process.env.PCHAT_SQL_PASSWORD = 'Sql-Secret-2';
  process.env.PCHAT_UNRELATED = 'kept';
  t.teardown(() => {
    for (const [k, v] of [['PCHAT_SMB_PASSWORD', saved.smb], ['PCHAT_SQL_PASSWORD', saved.sql], ['PCHAT_UNRELATED', saved.other]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const r = await runTool('sh', ['-c', 'env'], { env: inheritedEnv(), timeoutMs: 10_000 });
  t.regex(r.stdout, /^PCHAT_UNRELATED=kept$/m);
  t.notRegex(r.stdout, /Smb-Secret-1|Sql-Secret-2|PCHAT_SMB_PASSWORD|PCHAT_SQL_PASSWORD/);
});

test('a text given for stdin arrives whole, then end of file: a tool reading on never waits', async (t) => {
  const r = await runTool('sh', ['-c', 'cat; echo "[eof]"'], { env, timeoutMs: 5_000, stdin: 'line one\nline two\n' });
  t.false(r.timedOut);
  t.is(r.stdout, 'line one\nline two\n[eof]\n');
});
