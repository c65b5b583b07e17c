#!/usr/bin/env node
// Benchmark of issue 16 (not a test): the topology store on SQL Server, printed in one run.
//   1. `pchat Get-Topology` on a SQL Server store vs a bare Node script that only connects with mssql
//      and runs SELECT 1 (the floor: same Node start, same mssql load, same TLS login). Target: 1.5x.
//   2. 20 processes adding a site each, all at once: through the SQL Server store vs through a folder
//      (wall time until the last one is done; every change must land).
// Starts its own TDS test peer on loopback; needs a build (npm run build). Run: node bench/repository.mjs [runs]
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { TdsPeer } = await import(path.join(root, 'dist/test/support/tds-peer.js'));

const RUNS = Number(process.argv[2] ?? 9);
const WRITERS = 20;
const PASSWORD = 'Bench-Passw0rd!';
const peer = await TdsPeer.start({ logins: [{ name: 'pchatstore', password: PASSWORD, roles: ['sysadmin'] }] });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pchat-bench-repo-'));
const PCHAT = path.join(root, 'bin', 'pchat');
const env = { PCHAT_REPOSITORY_PASSWORD: PASSWORD, NODE_NO_WARNINGS: '1', PCHAT_LOCK_TIMEOUT_MS: '60000' };
const store = (db) => `sqlserver://pchatstore@127.0.0.1:${peer.port}/${db}?trustServerCertificate=true`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(0)} ms`;
async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
const pchat = (args, repository) => execa(PCHAT, [...args, '-Repository', repository], { env, stdin: 'ignore' });

try {
  // 1. Get-Topology vs the floor.
  const bareFile = path.join(root, '.bench-bare-connect.mjs');
  writeFileSync(bareFile, `import sql from 'mssql';
const pool = await new sql.ConnectionPool({ server: '127.0.0.1', port: ${peer.port}, database: 'master', user: 'pchatstore', password: process.env.PCHAT_REPOSITORY_PASSWORD, options: { trustServerCertificate: true } }).connect();
await pool.request().query('SELECT 1');
await pool.close();
`);
  const repo = store('bench_get');
  await pchat(['New-Topology'], repo);
  await pchat(['New-Site', '-Name', 'Redmond'], repo);
  const bare = [];
  const get = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      bare.push(await timed(() => execa(process.execPath, [bareFile], { env, cwd: root })));
      get.push(await timed(() => pchat(['Get-Topology', '-OutputFormat', 'Json'], repo)));
    }
  } finally {
    rmSync(bareFile, { force: true });
  }
  console.log(`Get-Topology on a SQL Server store: median ${ms(median(get))} over ${RUNS} runs`);
  console.log(`bare mssql connect + SELECT 1:     median ${ms(median(bare))}  -> ratio ${(median(get) / median(bare)).toFixed(2)}x (target 1.5x)`);

  // 2. 20 concurrent writers, store vs folder.
  for (const [name, repository] of [['SQL Server store', store('bench_writers')], ['folder', path.join(tmp, 'folder')]]) {
    await pchat(['New-Topology'], repository);
    const wall = await timed(() => Promise.all(Array.from({ length: WRITERS }, (_, i) => pchat(['New-Site', '-Name', `Site${i}`], repository))));
    const got = JSON.parse((await pchat(['Get-Topology', '-OutputFormat', 'Json'], repository)).stdout);
    console.log(`${WRITERS} concurrent writers through the ${name}: ${ms(wall)} wall, ${got.Sites.length} of ${WRITERS} sites landed, draft revision ${got.Revision}`);
  }
} finally {
  await peer.stop();
  rmSync(tmp, { recursive: true, force: true });
}
