#!/usr/bin/env node
// Benchmark of issue 4 (not a test): Test-SqlStore against its floor and against itself at scale.
//   1. `pchat Test-SqlStore` on one healthy store vs a bare Node script that only connects with mssql
//      and runs SELECT 1 (the floor: same Node start, same mssql load, same TLS login).
//      Target: within 1.5x of the floor.
//   2. 16 stores probed by one command vs one store. Target: within 2x.
// Both as processes (what a script sees) and in-process (the probe alone, without Node's start).
// Starts its own TDS test peers on loopback; needs a build (npm run build). Run: node bench/test-sqlstore.mjs [runs]
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { TdsPeer } = await import(path.join(root, 'dist/test/support/tds-peer.js'));
const { testSqlStore } = await import(path.join(root, 'dist/lib/probes/sql/index.js'));

const RUNS = Number(process.argv[2] ?? 9);
const PASSWORD = 'Bench-Passw0rd!';
const logins = [{ name: 'sa', password: PASSWORD, roles: ['sysadmin'] }];
const peers = await Promise.all(Array.from({ length: 16 }, () => TdsPeer.start({ logins })));
const one = peers[0];
const env = { PCHAT_SQL_PASSWORD: PASSWORD, PCHAT_REPOSITORY: path.join(root, '.bench-no-repository'), NODE_NO_WARNINGS: '1' };

const bare = `
import sql from 'mssql';
const pool = await new sql.ConnectionPool({ server: '127.0.0.1', port: ${one.port}, user: 'sa', password: process.env.PCHAT_SQL_PASSWORD, options: { trustServerCertificate: true } }).connect();
await pool.request().query('SELECT 1');
await pool.close();
`;

const pchat = path.join(root, 'bin', 'pchat');
const cases = {
  floor: () => execa(process.execPath, ['--input-type=module', '-e', bare], { cwd: root, env }),
  one: () => execa(pchat, ['Test-SqlStore', '-SqlServerFqdn', '127.0.0.1', '-Port', String(one.port), '-SqlCredential', 'sa', '-TrustServerCertificate'], { env, input: '' }),
  sixteen: () =>
    execa(pchat, ['Test-SqlStore', '-SqlCredential', 'sa', '-TrustServerCertificate'], {
      env,
      input: peers.map((p) => JSON.stringify({ SqlServerFqdn: '127.0.0.1', Port: p.port })).join('\n') + '\n',
    }),
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
async function time(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

// Warm the file cache once, then interleave the cases so machine load hits them alike.
for (const fn of Object.values(cases)) await fn();
const proc = { floor: [], one: [], sixteen: [] };
for (let i = 0; i < RUNS; i++) for (const [k, fn] of Object.entries(cases)) proc[k].push(await time(fn));

// Sanity: the command really probed (10 rows per store, none failed).
const check = await cases.sixteen();
const rows = check.stdout.trim().split('\n').map((l) => JSON.parse(l));
if (rows.length !== 160 || rows.some((r) => r.Status === 'Failed')) throw new Error(`unexpected output: ${rows.length} rows, ${rows.filter((r) => r.Status === 'Failed').length} failed`);

// In-process: the probe alone against connect + SELECT 1, both warm.
const sql = (await import(path.join(root, 'node_modules/mssql/index.js'))).default;
const target = (p) => ({ server: '127.0.0.1', port: p.port, credential: { userName: 'sa', password: PASSWORD }, trustServerCertificate: true });
const expect = { product: 'SkypeForBusiness2015', databases: ['mgc'] };
const inproc = {
  floor: async () => {
    const pool = await new sql.ConnectionPool({ server: '127.0.0.1', port: one.port, user: 'sa', password: PASSWORD, options: { trustServerCertificate: true } }).connect();
    await pool.request().query('SELECT 1');
    await pool.close();
  },
  one: () => testSqlStore(target(one), expect, 'one'),
  sixteen: async () => {
    // The command's bound (default -ThrottleLimit 8).
    const queue = [...peers];
    await Promise.all(Array.from({ length: 8 }, async () => { for (let p; (p = queue.shift()); ) await testSqlStore(target(p), expect, 'x'); }));
  },
};
for (const fn of Object.values(inproc)) await fn();
const inp = { floor: [], one: [], sixteen: [] };
for (let i = 0; i < RUNS; i++) for (const [k, fn] of Object.entries(inproc)) inp[k].push(await time(fn));

await Promise.all(peers.map((p) => p.stop()));

const ms = (x) => `${x.toFixed(0).padStart(6)} ms`;
const verdict = (ratio, target) => `${ratio.toFixed(2)}x (target <= ${target}x: ${ratio <= target ? 'met' : 'MISSED'})`;
console.log(`Test-SqlStore benchmark: medians of ${RUNS} runs, Node ${process.version}, TDS test peers on loopback, TLS (Mandatory + TrustServerCertificate)`);
console.log('As processes (what a script sees; the targets of issue 4):');
console.log(`  bare mssql connect + SELECT 1    ${ms(median(proc.floor))}`);
console.log(`  Test-SqlStore, 1 store           ${ms(median(proc.one))}   vs floor ${verdict(median(proc.one) / median(proc.floor), 1.5)}`);
console.log(`  Test-SqlStore, 16 stores         ${ms(median(proc.sixteen))}   vs 1 store ${verdict(median(proc.sixteen) / median(proc.one), 2)}`);
console.log('In-process (the probe alone, warm, without Node start-up):');
console.log(`  bare mssql connect + SELECT 1    ${ms(median(inp.floor))}`);
console.log(`  testSqlStore, 1 store            ${ms(median(inp.one))}   vs floor ${(median(inp.one) / median(inp.floor)).toFixed(2)}x`);
// Here the 16 peers and the 16 probes share one thread, so this is CPU time rather than latency.
console.log(`  testSqlStore, 16 stores (8 at once) ${ms(median(inp.sixteen))}   ${(median(inp.sixteen) / 16).toFixed(1)} ms per store, client and server work on one thread`);
