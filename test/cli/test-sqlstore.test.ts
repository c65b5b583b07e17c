// `pchat Test-SqlStore` end to end: the real executable against TDS test peers on loopback.
// Store host names sql21..sql29.pchat.test resolve to 127.0.0.121..129 (test/support/add-test-hosts.sh).
import test, { type ExecutionContext } from 'ava';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../support/cli.js';
import { TdsPeer, type TdsPeerOptions } from '../support/tds-peer.js';
import { SsrpResponder, loopbackAddress } from '../support/ssrp.js';
import { Repository } from '../../lib/topology/repository.js';
import type { Topology } from '../../lib/topology/model.js';

const PASSWORD = 'Cli-Sql-S3cret!';
const LOGINS = [
  { name: 'pchatsql', password: PASSWORD, roles: ['dbcreator'] },
  { name: 'reader', password: PASSWORD },
];
const CHECKS = ['Name resolution', 'SQL Browser', 'TCP reachability', 'Login', 'Encryption', 'Instance', 'Version and edition', 'AlwaysOn', 'Create database permission', 'Pool databases', 'Other pool databases'];

async function peer(t: ExecutionContext, opts: TdsPeerOptions = {}): Promise<TdsPeer> {
  const p = await TdsPeer.start({ logins: LOGINS, ...opts });
  t.teardown(() => p.stop());
  return p;
}

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'test-sqlstore-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function sqlstore(args: string[], opts: { env?: Record<string, string | undefined>; input?: string; repo?: string } = {}) {
  return run(['Test-SqlStore', ...args], {
    input: opts.input,
    env: { PCHAT_SQL_PASSWORD: PASSWORD, PCHAT_REPOSITORY: opts.repo ?? '/nonexistent/pchat-test-repo', ...opts.env },
  });
}

const directAs = (p: TdsPeer, user: string, ...more: string[]) => ['-SqlServerFqdn', p.host, '-Port', String(p.port), '-SqlCredential', user, '-TrustServerCertificate', '-TimeoutSeconds', '5', ...more];
const direct = (p: TdsPeer, ...more: string[]) => directAs(p, 'pchatsql', ...more);

test('a healthy store: exit 0, one JSON row per check, the password nowhere', async (t) => {
  const p = await peer(t);
  const r = await sqlstore(direct(p));
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(r.objects.map((o) => o.Check), CHECKS);
  t.true(r.objects.every((o) => o.Target === `${p.host},${p.port}`));
  t.false(r.objects.some((o) => o.Status === 'Failed'));
  t.is(r.objects.find((o) => o.Check === 'Login').Status, 'Passed');
  t.deepEqual(Object.keys(r.objects[0]), ['Target', 'Check', 'Status', 'Details', 'RecommendedAction', 'DurationMs']);
  t.false((r.stdout + r.stderr).includes(PASSWORD));
  // One summary line on stderr, as Test-Topology ends.
  const count = (s: string) => r.objects.filter((o) => o.Status === s).length;
  t.true(r.stderr.trimEnd().endsWith(`Test-SqlStore: ${count('Passed')} passed, ${count('Warning')} warning${count('Warning') === 1 ? '' : 's'}, 0 failed${count('Skipped') ? `, ${count('Skipped')} skipped` : ''}.`), r.stderr);
});

test("Node's own warnings (DEP0123: TLS to an IP address) are debug output, not bare lines on stderr", async (t) => {
  const p = await peer(t);
  t.regex(p.host, /^\d+\.\d+\.\d+\.\d+$/, 'the store is addressed by IP, which makes Node warn');
  const plain = await sqlstore(direct(p));
  t.is(plain.exitCode, 0, plain.stderr);
  t.notRegex(plain.stderr, /DeprecationWarning|\(node:\d+\)/);
  const debug = await sqlstore(direct(p, '-Debug'));
  t.regex(debug.stderr, /DEBUG: Node\.js DeprecationWarning DEP0123/);
});

test('a failed check: exit 3; a wrong password shows 18456 and never itself', async (t) => {
  const p = await peer(t);
  const wrong = 'Not-' + PASSWORD;
  const r = await sqlstore(direct(p, '-Verbose', '-Debug'), { env: { PCHAT_SQL_PASSWORD: wrong } });
  t.is(r.exitCode, 3, r.stderr);
  const login = r.objects.find((o) => o.Check === 'Login');
  t.is(login.Status, 'Failed');
  t.regex(login.Details, /18456/);
  t.regex(login.Details, /SQL Server authentication as 'pchatsql'/);
  t.regex(r.stderr, /DEBUG: tedious: State change/, 'the debug trace was on');
  t.false((r.stdout + r.stderr).includes(wrong));
});

test('-Quiet prints nothing; the exit code still tells', async (t) => {
  const p = await peer(t);
  const [ok, bad] = await Promise.all([sqlstore(direct(p, '-Quiet')), sqlstore(directAs(p, 'reader', '-Quiet'))]);
  t.is(ok.exitCode, 0, ok.stderr);
  t.is(ok.stdout, '');
  t.is(bad.exitCode, 3, bad.stderr);
  t.is(bad.stdout, '');
  t.notRegex(ok.stderr + bad.stderr, /Test-SqlStore: \d+ passed/, '-Quiet prints no summary either');
});

test('-PoolFqdn tests every store of the pool concurrently; one stopped store fails alone', async (t) => {
  const [primary, mirror, compliance] = await Promise.all([peer(t, { host: '127.0.0.121' }), peer(t, { host: '127.0.0.122' }), peer(t, { host: '127.0.0.123', instanceName: 'COMP', databases: ['mgccomp'] })]);
  const repo = path.join(await tempDir(t), 'repo');
  const topology: Topology = {
    product: 'SkypeForBusiness2015',
    sites: [{ name: 'Lab', siteId: 1 }],
    frontEndPools: [{ fqdn: 'fepool.pchat.test', site: 'Lab', edition: 'Enterprise', computers: ['fe01.pchat.test'] }],
    sqlStores: [
      { sqlServerFqdn: 'sql21.pchat.test', sqlInstance: null, port: primary.port, mirror: 'sql22.pchat.test' },
      { sqlServerFqdn: 'sql22.pchat.test', sqlInstance: null, port: mirror.port },
      { sqlServerFqdn: 'sql23.pchat.test', sqlInstance: 'COMP', port: compliance.port },
    ],
    fileStores: [{ fileServerFqdn: 'fs21.pchat.test', share: 'pchat' }],
    persistentChatPools: [
      {
        fqdn: 'chat21.pchat.test',
        site: 'Lab',
        computerType: 'Single',
        computers: ['chat21.pchat.test'],
        displayName: 'Lab chat',
        port: 5041,
        instance: 1,
        enableCompliance: true,
        enableDisasterRecovery: false,
        defaultForSite: true,
        defaultForAllSites: false,
        sqlStore: 'sql21.pchat.test',
        complianceSqlStore: 'sql23.pchat.test\\COMP',
        fileStore: '\\\\fs21.pchat.test\\pchat',
        nextHopPool: 'fepool.pchat.test',
      },
    ],
    occupiedNames: [],
  };
  await new Repository(repo).update((x) => void Object.assign(x, topology), { create: true, replace: true });

  const r = await sqlstore(['-PoolFqdn', 'chat21.pchat.test', '-SqlCredential', 'pchatsql', '-TrustServerCertificate', '-TimeoutSeconds', '5'], { repo });
  t.is(r.exitCode, 0, r.stderr + r.stdout);
  t.deepEqual([...new Set(r.objects.map((o) => o.Target))], ['sql21.pchat.test', 'sql22.pchat.test', 'sql23.pchat.test\\COMP']);
  t.is(r.objects.length, 33);
  const comp = r.objects.filter((o) => o.Target === 'sql23.pchat.test\\COMP');
  t.is(comp.find((o) => o.Check === 'Pool databases').Status, 'Warning', 'mgccomp exists on the compliance store');
  t.is(comp.find((o) => o.Check === 'Other pool databases').Status, 'Passed');
  t.regex(r.objects.find((o) => o.Target === 'sql21.pchat.test' && o.Check === 'Name resolution').Details, /127\.0\.0\.121/);

  const args = ['-SqlCredential', 'pchatsql', '-TrustServerCertificate', '-TimeoutSeconds', '5'];
  const [piped, byStore] = await Promise.all([
    // A pool object as Get-PersistentChatPool prints it: its Fqdn selects the pool (its SqlStore and chat Port are not the target).
    sqlstore(args, { repo, input: JSON.stringify({ Fqdn: 'chat21.pchat.test', SqlStore: 'sql21.pchat.test', Port: 5041 }) + '\n' }),
    sqlstore(['-SqlStore', 'SQL23.pchat.test\\comp', ...args], { repo }),
  ]);
  t.is(piped.exitCode, 0, piped.stderr);
  t.deepEqual([...new Set(piped.objects.map((o) => o.Target))], ['sql21.pchat.test', 'sql22.pchat.test', 'sql23.pchat.test\\COMP']);
  t.is(byStore.exitCode, 0, byStore.stderr);
  t.deepEqual([...new Set(byStore.objects.map((o) => o.Target))], ['sql23.pchat.test\\COMP']);
  t.regex(byStore.objects.find((o) => o.Check === 'Pool databases').Details, /^mgccomp already exists/);

  await mirror.stop();
  const down = await sqlstore(['-PoolFqdn', 'chat21.pchat.test', '-SqlCredential', 'pchatsql', '-TrustServerCertificate', '-TimeoutSeconds', '5'], { repo });
  t.is(down.exitCode, 3);
  const failed = down.objects.filter((o) => o.Status === 'Failed');
  t.deepEqual(failed.map((o) => `${o.Target} ${o.Check}`), ['sql22.pchat.test TCP reachability']);
  t.false(down.objects.some((o) => o.Target !== 'sql22.pchat.test' && o.Status === 'Skipped' && o.Check === 'Login'));
});

test('a named instance through the SQL Browser on UDP 1434; an unknown one lists what the Browser has', async (t) => {
  const host = loopbackAddress();
  const p = await peer(t, { host, instanceName: 'PCHAT' });
  const ssrp = await SsrpResponder.start({ address: host, port: 1434, instances: [p.ssrpRecord(), { serverName: 'SQLPEER', instanceName: 'LYNC', version: '11.0.7001.0', tcp: 50002 }] });
  t.teardown(() => ssrp.close());
  const args = (inst: string) => ['-SqlServerFqdn', `${host}\\${inst}`, '-SqlCredential', 'pchatsql', '-TrustServerCertificate', '-TimeoutSeconds', '5'];
  const [found, missing] = await Promise.all([sqlstore(args('pchat')), sqlstore(args('NOPE'))]);
  t.is(found.exitCode, 0, found.stderr);
  t.is(found.objects[0].Target, `${host}\\PCHAT`);
  t.regex(found.objects.find((o) => o.Check === 'SQL Browser').Details, new RegExp(`instance PCHAT on TCP ${p.port}`));
  t.is(missing.exitCode, 3);
  t.regex(missing.objects.find((o) => o.Check === 'SQL Browser').Details, /does not know instance NOPE; it reports: PCHAT \(TCP \d+, 11\.0\.7001\.0\), LYNC \(TCP 50002/);
});

test('piped objects bind SqlServerFqdn and Port; rows come in input order', async (t) => {
  const [a, b] = await Promise.all([peer(t), peer(t, { productVersion: '9.00.5000.00' })]);
  const input = [a, b].map((x) => JSON.stringify({ SqlServerFqdn: x.host, Port: x.port })).join('\n') + '\n';
  const r = await sqlstore(['-SqlCredential', 'pchatsql', '-TrustServerCertificate'], { input });
  t.is(r.exitCode, 3, r.stderr);
  t.deepEqual([...new Set(r.objects.map((o) => o.Target))], [`${a.host},${a.port}`, `${b.host},${b.port}`]);
  t.deepEqual(r.objects.filter((o) => o.Status === 'Failed').map((o) => `${o.Target} ${o.Check}`), [`${b.host},${b.port} Version and edition`]);
});

test('the password from a credential file; none at all is refused before any connection', async (t) => {
  const p = await peer(t);
  const file = path.join(await tempDir(t), 'sql.pw');
  await writeFile(file, PASSWORD + '\n');
  await chmod(file, 0o600);
  const fromFile = await sqlstore(direct(p, '-CredentialFile', file), { env: { PCHAT_SQL_PASSWORD: undefined } });
  t.is(fromFile.exitCode, 0, fromFile.stderr);
  const before = p.stats.connections;
  const none = await sqlstore(direct(p), { env: { PCHAT_SQL_PASSWORD: undefined } });
  t.is(none.exitCode, 1);
  t.regex(none.stderr, /CredentialPasswordMissing/);
  t.regex(none.stderr, /PCHAT_SQL_PASSWORD/);
  t.is(p.stats.connections, before);
});

test('credential files: -SqlCredentialFile works too; an empty file or a folder is refused before any connection, exit 2', async (t) => {
  const p = await peer(t);
  const dir = await tempDir(t);
  const file = path.join(dir, 'sql.pw');
  await writeFile(file, PASSWORD + '\n');
  await chmod(file, 0o600);
  const alias = await sqlstore(direct(p, '-SqlCredentialFile', file), { env: { PCHAT_SQL_PASSWORD: undefined } });
  t.is(alias.exitCode, 0, alias.stderr);
  const before = p.stats.connections;
  const empty = path.join(dir, 'empty.pw');
  await writeFile(empty, '\n');
  await chmod(empty, 0o600);
  const e = await sqlstore(direct(p, '-CredentialFile', empty), { env: { PCHAT_SQL_PASSWORD: undefined } });
  t.is(e.exitCode, 2);
  t.regex(e.stderr, /CredentialFileEmpty/);
  await chmod(dir, 0o700);
  const folder = await sqlstore(direct(p, '-CredentialFile', dir), { env: { PCHAT_SQL_PASSWORD: undefined } });
  t.is(folder.exitCode, 2);
  t.regex(folder.stderr, /CredentialFileNotAFile/);
  t.notRegex(folder.stderr, /chmod|Unexpected/);
  t.is(p.stats.connections, before, 'no logon was tried');
});

test("a password given as -SqlCredential 'user%password' is refused at binding and never repeated", async (t) => {
  const p = await peer(t);
  const r = await sqlstore(directAs(p, `pchatsql%${PASSWORD}`), { env: { PCHAT_SQL_PASSWORD: 'other' } });
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /ParameterArgumentValidationError/);
  t.regex(r.stderr, /contains '%'/);
  t.false(r.stderr.includes(PASSWORD) || r.stdout.includes(PASSWORD));
  t.is(p.stats.connections, 0);
});

test('an empty pipeline needs no password: nothing to test is a warning and exit 0, not a missing password', async (t) => {
  const r = await sqlstore(['-SqlCredential', 'pchatsql'], { input: '', env: { PCHAT_SQL_PASSWORD: undefined } });
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /WARNING: No objects came down the pipeline.*Test-SqlStore did nothing/);
  t.notRegex(r.stderr, /CredentialPasswordMissing/);
});

test('usage and lookup errors: no store given is exit 2, an unknown pool exit 1', async (t) => {
  const none = await sqlstore(['-SqlCredential', 'pchatsql']);
  t.is(none.exitCode, 2);
  t.regex(none.stderr, /NoSqlStoreGiven/);
  const noRepo = await sqlstore(['-PoolFqdn', 'chat29.pchat.test', '-SqlCredential', 'pchatsql']);
  t.is(noRepo.exitCode, 1);
  t.regex(noRepo.stderr, /RepositoryNotFound/);
});

test('SIGTERM while a login waits on a silent server: exit 143 within the 3 s grace, not the 30 s timeout', async (t) => {
  const silent = await peer(t, { mode: 'silent' });
  const { execa } = await import('execa');
  const { projectRoot } = await import('../support/cli.js');
  const child = execa(path.join(projectRoot, 'bin', 'pchat'), ['Test-SqlStore', '-SqlServerFqdn', silent.host, '-Port', String(silent.port), '-SqlCredential', 'pchatsql', '-TimeoutSeconds', '30'], {
    env: { PCHAT_SQL_PASSWORD: PASSWORD, PCHAT_REPOSITORY: '/nonexistent/pchat-test-repo' },
    reject: false,
    stdin: 'ignore',
  });
  // Until the probe's login connection is open (the TCP check's own connection comes first).
  for (let i = 0; i < 400 && silent.stats.connections < 2; i++) await new Promise((r) => setTimeout(r, 25));
  t.true(silent.stats.connections >= 2, 'the login connected');
  const start = performance.now();
  child.kill('SIGTERM');
  const r = await child;
  t.is(r.exitCode, 143, String(r.stderr));
  const ms = performance.now() - start;
  t.true(ms >= 2500 && ms < 10_000, `ended after ${Math.round(ms)} ms`);
  t.regex(String(r.stderr), /Terminated \(SIGTERM\)/);
  t.regex(String(r.stderr), /Still running 3 s after SIGTERM: exiting now/);
});

test('a credential file that is not there: exit 2 in words, naming the parameter, before any connection', async (t) => {
  const r = await run(['Test-SqlStore', '-SqlServerFqdn', 'sql01.pchat.test', '-SqlCredential', 'pchatsql', '-SqlCredentialFile', '/nonexistent/pchat-password'], { env: { PCHAT_REPOSITORY: '/nonexistent/repo' } });
  t.is(r.exitCode, 2, r.stderr);
  t.regex(r.stderr, /Cannot read the credential file '\/nonexistent\/pchat-password': there is no such file\./);
  t.regex(r.stderr, /CredentialFileNotFound/);
  t.regex(r.stderr, /Check the path given with -SqlCredentialFile/);
  t.notRegex(r.stderr, /ENOENT/);
});
