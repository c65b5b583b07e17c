#!/usr/bin/env node
// Benchmark for issue 3 (not a test): Test-FileStore against the Samba C tools it drives.
// Starts its own smbd (test/support/samba.ts, compiled: run `npx tsc -p .` first; needs root
// and Samba), then measures, each as the median of several runs:
//   1. one plain `smbcacls //ip/share folder` listing (the floor: the C tool alone);
//   2. testFileStore() on that healthy share, in process (the probe itself);
//   3. `pchat Test-FileStore -Path ...` on it, a new Node process (what a script pays);
//   4. 16 shares probed by one call / one command, against one share;
//   5. when NODE_EXTRA_CA_CERTS is set, (3) and a bare node start without it (Node 20 parses that
//      bundle at every start, before the command's code runs).
// Targets: (2 or 3) within 2.5x of (1); 16 shares within 3x of one share.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startSamba, GROUPS: G, POLICY_ACES: POLICY } = await import(path.join(root, 'dist/test/support/samba.js'));
const { testFileStore } = await import(path.join(root, 'dist/lib/probes/smb/index.js'));
// Every in-process run starts with no names looked up, as a new command does.
const { forgetNames } = await import(path.join(root, 'dist/lib/probes/smb/samba-backend.js'));
const { forgetLogons } = await import(path.join(root, 'dist/lib/probes/smb/logon-gate.js'));
const cold = () => (forgetNames(), forgetLogons());
const execFileP = promisify(execFile);
// stdin closed: with an open pipe the CLI would wait for piped objects.
const run = (cmd, args, opts) => {
  const p = execFileP(cmd, args, opts);
  p.child.stdin?.end();
  return p;
};

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SHARES = 16;
const FOLDER = '1-PersistentChatService-1';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn, runs = RUNS) {
  await fn(); // warm-up: first LSA lookup spawns samba-dcerpcd, caches fill
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    ms.push(performance.now() - s);
  }
  return { median: median(ms), min: Math.min(...ms), max: Math.max(...ms) };
}

const progress = (m) => process.stderr.write(`[bench] ${m}\n`);
const samba = await startSamba();
// Stopped from outside (timeout, Ctrl-C): still stop smbd and its helpers.
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => samba.dispose().finally(() => process.exit(130)));
try {
  progress(`smbd on ${samba.ip}; creating ${SHARES} shares`);
  const shares = Array.from({ length: SHARES }, (_, i) => `bench${i + 1}`);
  for (const s of shares) {
    await samba.addShare(s);
    await samba.setAcl(s, '\\', [`ACL:${G.Administrators.sid}:ALLOWED/OI|CI/FULL`]);
    await samba.mkdir(s, FOLDER);
    await samba.setAcl(s, FOLDER, POLICY, { protect: true });
  }
  const admin = samba.users.admin;
  const target = (share) => ({ server: samba.ip, share, folder: FOLDER, credential: { userName: admin.name, password: admin.password }, timeoutMs: 15000 });
  const unc = (share) => `\\\\${samba.ip}\\${share}\\${FOLDER}`;
  const env = { ...process.env, PASSWD: admin.password };
  const cliEnv = { ...process.env, PCHAT_SMB_PASSWORD: admin.password, PCHAT_REPOSITORY: '/nonexistent' };
  const pchat = path.join(root, 'bin', 'pchat');

  progress('smbcacls floor');
  const floor = await time(() => run('smbcacls', [`//${samba.ip}/${shares[0]}`, FOLDER, '-U', admin.name], { env }));
  progress('testFileStore, one share');
  const one = await time(async () => {
    cold();
    const rows = await testFileStore(target(shares[0]));
    if (rows.some((r) => r.Status !== 'Passed')) throw new Error(JSON.stringify(rows.filter((r) => r.Status !== 'Passed')));
  });
  progress(`testFileStore, ${SHARES} shares`);
  const sixteen = await time(async () => {
    cold();
    const all = await Promise.all(shares.map((s) => testFileStore(target(s))));
    if (all.flat().some((r) => r.Status === 'Failed')) throw new Error('a bench share failed');
  }, Math.max(3, Math.ceil(RUNS / 2)));
  progress('CLI, one share');
  const cliOne = await time(() => run(pchat, ['Test-FileStore', '-Path', unc(shares[0]), '-Credential', admin.name], { env: cliEnv }));
  progress(`CLI, ${SHARES} shares`);
  const cliSixteen = await time(
    () => run(pchat, ['Test-FileStore', '-Path', shares.map(unc).join(','), '-Credential', admin.name, '-ThrottleLimit', String(SHARES)], { env: cliEnv }),
    Math.max(3, Math.ceil(RUNS / 2)),
  );
  const nodeStart = await time(() => run(process.execPath, ['-e', '0']));
  // Node 20 parses the NODE_EXTRA_CA_CERTS bundle at start, before any of the command's code runs
  // (this machine's environment sets it): the same command and a bare start without it.
  const { NODE_EXTRA_CA_CERTS: extraCa, ...noCa } = process.env;
  const cliOneNoCa = extraCa ? await time(() => run(pchat, ['Test-FileStore', '-Path', unc(shares[0]), '-Credential', admin.name], { env: { ...noCa, PCHAT_SMB_PASSWORD: admin.password, PCHAT_REPOSITORY: '/nonexistent' } })) : undefined;
  const nodeStartNoCa = extraCa ? await time(() => run(process.execPath, ['-e', '0'], { env: noCa })) : undefined;

  const f = (x) => `${x.median.toFixed(0).padStart(5)} ms (min ${x.min.toFixed(0)}, max ${x.max.toFixed(0)})`;
  const ratio = (a, b, target) => `${(a.median / b.median).toFixed(2)}x (target <= ${target}x: ${a.median / b.median <= target ? 'met' : 'NOT met'})`;
  console.log(`Test-FileStore benchmark: Samba 4.17 on ${samba.ip}, ${RUNS} runs, medians; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`  smbcacls listing, one share (floor)        ${f(floor)}`);
  console.log(`  testFileStore(), one share, in process     ${f(one)}   ${ratio(one, floor, 2.5)}`);
  console.log(`  pchat Test-FileStore, one share (CLI)      ${f(cliOne)}   ${ratio(cliOne, floor, 2.5)}`);
  console.log(`  node -e 0 (process start alone)            ${f(nodeStart)}`);
  if (cliOneNoCa) {
    console.log(`  the CLI, one share, NODE_EXTRA_CA_CERTS unset ${f(cliOneNoCa)}   ${ratio(cliOneNoCa, floor, 2.5)}`);
    console.log(`  node -e 0, NODE_EXTRA_CA_CERTS unset        ${f(nodeStartNoCa)}`);
  }
  console.log(`  testFileStore() x${SHARES} shares concurrently   ${f(sixteen)}   ${ratio(sixteen, one, 3)}`);
  console.log(`  pchat Test-FileStore, ${SHARES} shares (CLI)     ${f(cliSixteen)}   ${ratio(cliSixteen, cliOne, 3)}`);
} finally {
  await samba.dispose();
}
