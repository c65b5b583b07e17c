// The topology store on SQL Server as a user meets it: the built commands against the TDS test peer.
// Where the password may come from (never the address), what each failure says and exits with (nothing
// written, the password nowhere in output or log), creation of the database and its tables, the publish
// lock that dies with its holder, and Copy-Topology from a folder to the store and back.
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import net from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TdsPeer } from '../support/tds-peer.js';
import { SsrpResponder, loopbackAddress } from '../support/ssrp.js';
import { openRepository, type TopologyRepository } from '../../lib/topology/store.js';
import type { ErrorRecord } from '../../lib/cmdlet/errors.js';
import { projectRoot, run, type RunResult } from '../support/cli.js';
import type { StoreStatement } from '../../lib/topology/sql/statements.js';
import { hasScript, onTerminal } from '../support/terminal.js';
import { skipSuite, titled } from '../support/skip.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.resolve(here, '../support/repo-worker.js');
const PASSWORD = 'Store-Cli-S3cret!';

let peer: TdsPeer;
test.before(async () => {
  peer = await TdsPeer.start({
    logins: [
      { name: 'pchatstore', password: PASSWORD, roles: ['sysadmin'] },
      { name: 'teamadmin', password: PASSWORD, noAccess: ['teamdb'] },
      { name: 'retired', password: PASSWORD, disabled: true },
    ],
    databases: ['emptydb', 'crm', 'future', 'teamdb'],
  });
  peer.storeDb('crm').userObjects = 12;
});
test.after.always(async () => {
  await peer?.stop();
});

let n = 0;
const address = (database = `pchat_cli_${++n}`, port = peer.port) => `sqlserver://pchatstore@${peer.host}:${port}/${database}?trustServerCertificate=true`;
const env = (over: Record<string, string | undefined> = {}) => ({ PCHAT_REPOSITORY_PASSWORD: PASSWORD, PCHAT_LOCK_TIMEOUT_MS: '3000', ...over });
const pchat = (args: string[], e: Record<string, string | undefined> = env()) => run([...args, '-OutputFormat', 'Json'], { env: e });

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-sqlrepo-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function noSecret(t: ExecutionContext, r: RunResult, secret: string): void {
  t.false(r.stdout.includes(secret), 'not on stdout');
  t.false(r.stderr.includes(secret), 'not on stderr');
}

/** What only Test-SqlStore and Publish-Topology have: a store user can give none of these. */
const NOT_THE_STORES = ['-SqlCredentialFile', 'PCHAT_SQL_PASSWORD', '-SqlCredential ', '-TrustServerCertificate', '-Encrypt ', '-Port', '-TimeoutSeconds'];

/** The advice names only the store's address options and password sources, and says each of `expected`. */
function storeAdvice(t: ExecutionContext, text: string, ...expected: RegExp[]): void {
  const flat = text.replace(/\s+/g, ' ');
  for (const p of NOT_THE_STORES) t.false(flat.includes(p), `names ${p}: ${flat}`);
  for (const e of expected) t.regex(flat, e);
}

/** The advice for a refused login, in the store's terms. */
const CHECK_LOGIN = /Check the login name in the address and its password \(PCHAT_REPOSITORY_PASSWORD, -RepositoryCredentialFile or the prompt\), that the login exists and is enabled/;

test('New-Topology creates the missing database and its tables; then every command works on the store', async (t) => {
  const repo = address();
  const created = await pchat(['New-Topology', '-Repository', repo]);
  t.is(created.exitCode, 0, created.stderr);
  t.true(peer.created.includes(repo.split('/')[3]!.split('?')[0]!));
  t.is((await pchat(['New-Site', '-Name', 'Redmond', '-Repository', repo])).exitCode, 0);
  const got = await pchat(['Get-Topology', '-Repository', repo]);
  t.is(got.exitCode, 0, got.stderr);
  t.like(got.objects[0], { Revision: 2, Sites: ['Redmond'] });
});

test('New-Topology on a store that has a draft: refused, and the advice names no folder the store does not have', async (t) => {
  const repo = address();
  t.is((await pchat(['New-Topology', '-Repository', repo])).exitCode, 0);
  const again = await pchat(['New-Topology', '-Repository', repo]);
  t.is(again.exitCode, 1);
  t.regex(again.stderr, /TopologyAlreadyExists/);
  t.notRegex(again.stderr, /history\//);
});

test('New-Topology on a database the DBA made without a user for this login: says so, with the T-SQL to fix it', async (t) => {
  const r = await pchat(['New-Topology', '-Repository', address('teamdb').replace('pchatstore@', 'teamadmin@')]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /RepositoryAccessDenied/);
  const text = r.stderr.replace(/\s+/g, ' ');
  t.regex(text, /The database 'teamdb' exists on .*, but the login 'teamadmin' cannot open it/);
  t.regex(text, /CREATE USER \[teamadmin\] FOR LOGIN \[teamadmin\]; ALTER ROLE db_owner ADD MEMBER \[teamadmin\]/);
  t.notRegex(text, /Create one with 'pchat New-Topology'/);
});

test('New-Topology on an existing empty database creates only the tables', async (t) => {
  const r = await pchat(['New-Topology', '-Repository', address('emptydb')]);
  t.is(r.exitCode, 0, r.stderr);
  t.false(peer.created.includes('emptydb'), 'no CREATE DATABASE');
  t.is(peer.storeDb('emptydb').schemaVersion, 1);
});

/** A peer of its own, to count the connections one command makes (the shared one serves concurrent tests). */
async function ownPeer(t: ExecutionContext): Promise<TdsPeer> {
  const p = await TdsPeer.start({ logins: [{ name: 'pchatstore', password: PASSWORD, roles: ['sysadmin'] }] });
  t.teardown(() => p.stop());
  return p;
}

test('a password inside the address is refused (exit 2) without echoing it, before any connection', async (t) => {
  const own = await ownPeer(t);
  const r = await pchat(['Get-Topology', '-Repository', `sqlserver://pchatstore:${PASSWORD}@${own.host}:${own.port}/x`]);
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /RepositoryPasswordInAddress/);
  noSecret(t, r, PASSWORD);
  t.is(own.stats.connections, 0);
});

test('no password and no terminal: fails at once, naming where a password can come from', async (t) => {
  const own = await ownPeer(t);
  const r = await pchat(['Get-Topology', '-Repository', address('x', own.port)], env({ PCHAT_REPOSITORY_PASSWORD: undefined }));
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /PCHAT_REPOSITORY_PASSWORD is not set, no -RepositoryCredentialFile was given, and there is no terminal/);
  t.is(own.stats.connections, 0);
});

test('the password from -RepositoryCredentialFile (mode 0600)', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'store.pw');
  await (await import('node:fs/promises')).writeFile(file, PASSWORD + '\n', { mode: 0o600 });
  const repo = address();
  const r = await pchat(['New-Topology', '-Repository', repo, '-RepositoryCredentialFile', file], env({ PCHAT_REPOSITORY_PASSWORD: undefined }));
  t.is(r.exitCode, 0, r.stderr);
});

test('a wrong password: exit 1, the login named, the password nowhere in output or log', async (t) => {
  const dir = await tempDir(t);
  const log = path.join(dir, 'run.jsonl');
  const wrong = 'Not-The-Passw0rd!';
  const r = await pchat(['Get-Topology', '-Repository', address(), '-LogFile', log], env({ PCHAT_REPOSITORY_PASSWORD: wrong }));
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /RepositoryLoginFailed/);
  t.regex(r.stderr, /Login failed for user 'pchatstore'/);
  storeAdvice(t, r.stderr, CHECK_LOGIN, /for a Windows account give DOMAIN\\user@host in the address/);
  noSecret(t, r, wrong);
  t.false((await readFile(log, 'utf8')).includes(wrong), 'not in the log');
});

test('an unreachable server: exit 1 with what to check', async (t) => {
  const gone = await TdsPeer.start();
  const port = gone.port;
  await gone.stop();
  const r = await pchat(['Get-Topology', '-Repository', address('x', port)]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /RepositoryUnreachable/);
  t.regex(r.stderr, /Cannot reach the topology store/);
  storeAdvice(t, r.stderr, /Check that this port is the SQL Server instance and that it accepts remote connections/);
});

test('a certificate not trusted here: the advice names the address option, not a parameter the command lacks', async (t) => {
  const r = await pchat(['Get-Topology', '-Repository', address('x').replace('?trustServerCertificate=true', '')]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /RepositoryUnreachable/);
  storeAdvice(t, r.stderr, /Give the instance a certificate trusted on this host .*, or add trustServerCertificate=true to the address/);
});

// A terminal through util-linux `script`: Ctrl+C at the password prompt is a byte (raw mode), not SIGINT.
const noTerminal = hasScript ? undefined : skipSuite('integration/sql-repository: the password prompt on a terminal', "util-linux 'script' (which gives the command a terminal) is not installed", { optional: true });
(noTerminal ? test.skip : test)(titled('Ctrl+C at the password prompt on a terminal: exit 130, said as an interruption, not a failure to report', noTerminal), async (t) => {
  const bin = path.resolve(here, '../../../bin/pchat');
  const r = await onTerminal([bin, 'Get-Topology', '-Repository', address()], { env: { ...process.env, PCHAT_REPOSITORY_PASSWORD: undefined }, extendEnv: false, prompt: /Password for pchatstore[^\n]*: *$/, keys: '\u0003' });
  t.true(r.prompted, r.screen);
  t.regex(r.screen, /Interrupted \(Ctrl\+C\) at the password prompt/);
  t.notRegex(r.screen, /UnexpectedError/);
  t.is(r.exitCode, 130);
});

test('a database that is not a store is refused and left as it was, by every command', async (t) => {
  for (const args of [['Get-Topology'], ['New-Site', '-Name', 'X'], ['New-Topology', '-Force']]) {
    const r = await pchat([...args, '-Repository', address('crm')]);
    t.is(r.exitCode, 1, args.join(' '));
    t.regex(r.stderr, /RepositoryNotAStore/);
    t.regex(r.stderr, /'crm' .* is not a topology store/);
  }
  t.is(peer.storeDb('crm').schemaVersion, undefined, 'no tables were created');
});

test('a store of a newer schema is refused and left as it was', async (t) => {
  t.is((await pchat(['New-Topology', '-Repository', address('future')])).exitCode, 0);
  peer.storeDb('future').schemaVersion = 99;
  const draft = peer.storeDb('future').draft;
  for (const args of [['Get-Topology'], ['New-Site', '-Name', 'X']]) {
    const r = await pchat([...args, '-Repository', address('future')]);
    t.is(r.exitCode, 1);
    t.regex(r.stderr, /RepositorySchemaTooNew/);
    t.regex(r.stderr, /schema version 99/);
  }
  t.is(peer.storeDb('future').draft, draft, 'the draft was not rewritten');
});

test('a missing store: every command but New-Topology says so, and creates nothing', async (t) => {
  const r = await pchat(['New-Site', '-Name', 'X', '-Repository', address('nowhere')]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /RepositoryNotFound/);
  t.regex(r.stderr.replace(/\s+/g, ' '), /at the right server and database\./, 'the advice is about the address, not a folder');
  t.false(peer.databases.includes('nowhere'));
});

test('a publish killed while it holds the lock: the next one proceeds without clean-up; while held, exit 5 names the holder', async (t) => {
  const repo = address();
  t.is((await pchat(['New-Topology', '-Repository', repo])).exitCode, 0);
  t.is((await pchat(['New-Site', '-Name', 'Redmond', '-Repository', repo])).exitCode, 0);
  const holder = execa(process.execPath, [WORKER, repo, 'hold-publish'], { env: env(), reject: false });
  t.teardown(() => void holder.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.on('data', (d: Buffer) => (String(d).includes('"locked":true') ? resolve() : undefined));
    holder.on('exit', () => reject(new Error('the holder ended')));
  });
  const busy = await pchat(['Publish-Topology', '-Force', '-Repository', repo], env({ PCHAT_LOCK_TIMEOUT_MS: '1000' }));
  t.is(busy.exitCode, 5, busy.stderr);
  t.regex(busy.stderr, new RegExp(`held by login pchatstore on ${os.hostname()} \\(process ${holder.pid}\\)`));
  t.is(peer.storeDb(repo.split('/')[3]!.split('?')[0]!).published.size, 0, 'nothing published');
  holder.kill('SIGKILL');
  await holder;
  const next = await pchat(['Publish-Topology', '-Force', '-Repository', repo]);
  t.is(next.exitCode, 0, next.stderr);
  t.like(next.objects[0], { Status: 'Published', Revision: 1 });
});

test('Copy-Topology from a folder to the store and back: the exports of the draft and of each revision are the same', async (t) => {
  const dir = await tempDir(t);
  const folder = path.join(dir, 'team');
  const back = path.join(dir, 'back');
  const store = address();
  const inFolder = (args: string[]) => pchat([...args, '-Repository', folder]);
  t.is((await inFolder(['New-Topology'])).exitCode, 0);
  t.is((await inFolder(['New-Site', '-Name', 'Redmond'])).exitCode, 0);
  t.is((await inFolder(['Publish-Topology', '-Force'])).exitCode, 0);
  t.is((await inFolder(['New-Site', '-Name', 'Paris'])).exitCode, 0);
  t.is((await inFolder(['Publish-Topology', '-Force'])).exitCode, 0, 'the second publish backs up the first');
  t.is((await inFolder(['New-Site', '-Name', 'Tokyo'])).exitCode, 0);

  const there = await pchat(['Copy-Topology', '-Repository', folder, '-Destination', store]);
  t.is(there.exitCode, 0, there.stderr);
  t.like(there.objects[0], { DraftRevision: 4, DraftHistory: 3, PublishedRevisions: 2, Backups: 1 });
  const again = await pchat(['Copy-Topology', '-Repository', folder, '-Destination', store]);
  t.is(again.exitCode, 1, 'a non-empty destination is refused');
  t.regex(again.stderr, /DestinationNotEmpty/);
  t.is((await pchat(['Copy-Topology', '-Repository', store, '-Destination', back])).exitCode, 0);

  for (const rev of [[], ['-Revision', '1'], ['-Revision', '2']]) {
    const [a, b, c] = await Promise.all([folder, store, back].map((r) => pchat(['Export-Topology', ...rev, '-Repository', r])));
    t.is(a!.exitCode, 0, a!.stderr);
    t.is(b!.stdout, a!.stdout, `store = folder ${rev.join(' ')}`);
    t.is(c!.stdout, a!.stdout, `copied back = folder ${rev.join(' ')}`);
  }
  const history = (await pchat(['Get-TopologyRevision', '-Repository', back])).objects.map((o) => o.Revision);
  t.deepEqual(history.sort(), [1, 2]);
});

test('a Windows login over NTLM (DOMAIN%5Cuser, as typed or escaped) on a named instance found through the SQL Browser', async (t) => {
  const host = loopbackAddress();
  const named = await TdsPeer.start({ host, instanceName: 'PCHAT', logins: [{ name: 'CONTOSO\\lyncadmin', password: PASSWORD, roles: ['sysadmin'] }] });
  const ssrp = await SsrpResponder.start({ address: host, port: 0, instances: [named.ssrpRecord()] });
  const opened: TopologyRepository[] = [];
  t.teardown(async () => {
    await Promise.all(opened.map((r) => r.close()));
    await named.stop();
    await ssrp.close();
  });
  for (const user of ['CONTOSO\\lyncadmin', 'CONTOSO%5Clyncadmin']) {
    const repo = openRepository(`sqlserver://${user}@${host}\\pchat/team?trustServerCertificate=true`, { credential: async (userName) => ({ userName, password: PASSWORD }), browserPort: ssrp.port, timeoutMs: 15_000 });
    opened.push(repo);
    const d = await repo.update((tp) => void tp.sites.push({ name: `Site${opened.length}`, siteId: opened.length }), { create: true });
    t.is(d.revision, opened.length);
  }
  t.is(named.storeDb('team').draft?.login, 'CONTOSO\\lyncadmin', 'the change is recorded with the Windows login');
});

test('connectTimeout=<seconds> out of range, or written in milliseconds, is a usage error (exit 2) before any connection', async (t) => {
  const own = await ownPeer(t);
  for (const v of ['0', '601', '15000']) {
    const r = await pchat(['Get-Topology', '-Repository', `${address('x', own.port)}&connectTimeout=${v}`]);
    t.is(r.exitCode, 2, v);
    t.regex(r.stderr, /RepositoryAddressInvalid/);
    t.regex(r.stderr.replace(/\s+/g, ' '), new RegExp(`connectTimeout=${v} is not a whole number of seconds from 1 to 600`));
  }
  t.is(own.stats.connections, 0);
});

// Serial: it measures time; concurrent tests on 2 cores would stretch it.
test.serial('connectTimeout=2: a server that accepts and never answers is given up within it, and the advice names the option', async (t) => {
  const silent = await TdsPeer.start({ mode: 'silent' });
  t.teardown(() => silent.stop());
  const start = performance.now();
  const r = await pchat(['Get-Topology', '-Repository', `${address('x', silent.port)}&connectTimeout=2`]);
  const elapsed = performance.now() - start;
  t.is(r.exitCode, 1, r.stderr);
  t.regex(r.stderr, /RepositoryUnreachable/);
  storeAdvice(t, r.stderr, /gave no answer .* within 2000 ms/, /raise connectTimeout=<seconds> in the address/);
  t.true(elapsed < 12_000, `took ${elapsed} ms`); // the default wait is 15 s; the margin is for the process start on busy cores
});

// Serial: it measures time.
test.serial('connectTimeout=1 bounds the SQL Browser wait for a named instance too', async (t) => {
  const host = loopbackAddress();
  const ssrp = await SsrpResponder.start({ address: host, port: 0, instances: [], mode: 'silent' });
  const repo = openRepository(`sqlserver://pchatstore@${host}\\PCHAT/team?connectTimeout=1`, { credential: async (userName) => ({ userName, password: PASSWORD }), browserPort: ssrp.port });
  t.teardown(async () => {
    await repo.close();
    await ssrp.close();
  });
  const start = performance.now();
  const e = await t.throwsAsync(repo.readDraft());
  const elapsed = performance.now() - start;
  t.regex(e!.message, /did not answer .*within 1000 ms/);
  t.true(elapsed < 10_000, `took ${elapsed} ms`);
  storeAdvice(t, (e as ErrorRecord).recommendedAction ?? '', /give the instance a fixed port \(host\\instance:port in the address\)/);
});

test('a disabled login (18470, no 18456): refused as a login, with the store\'s advice', async (t) => {
  const r = await pchat(['Get-Topology', '-Repository', address().replace('pchatstore@', 'retired@')]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /RepositoryLoginFailed/);
  t.regex(r.stderr, /Reason: The account is disabled/);
  storeAdvice(t, r.stderr, /Check the login name in the address and its password \(PCHAT_REPOSITORY_PASSWORD/);
});

test('New-Topology creating its database with a refused login, or a disabled one: the store\'s advice, nothing created', async (t) => {
  const db = `pchat_cli_${++n}`;
  const wrong = await pchat(['New-Topology', '-Repository', address(db)], env({ PCHAT_REPOSITORY_PASSWORD: 'Not-The-Passw0rd!' }));
  t.is(wrong.exitCode, 1);
  t.regex(wrong.stderr, /RepositoryLoginFailed/);
  storeAdvice(t, wrong.stderr, CHECK_LOGIN);
  const disabled = await pchat(['New-Topology', '-Repository', address(db).replace('pchatstore@', 'retired@')]);
  t.is(disabled.exitCode, 1);
  t.regex(disabled.stderr, /RepositoryLoginFailed/);
  storeAdvice(t, disabled.stderr, /Check the login name in the address/);
  t.false(peer.databases.includes(db));
});

test('New-Topology creating its database with no password and no terminal: names only the store\'s password sources', async (t) => {
  const db = `pchat_cli_${++n}`;
  const r = await pchat(['New-Topology', '-Repository', address(db)], env({ PCHAT_REPOSITORY_PASSWORD: undefined }));
  t.is(r.exitCode, 1);
  storeAdvice(t, r.stderr, /PCHAT_REPOSITORY_PASSWORD is not set, no -RepositoryCredentialFile was given/);
  t.false(peer.databases.includes(db));
});

test('New-Topology creating its database when the server refuses the second login (the login disabled meanwhile): SqlConnectFailed in the store\'s terms', async (t) => {
  // The store logs in to its database (4060: missing), then to master to create it. A proxy disables
  // the login as that second connection arrives, as a DBA could at that moment.
  const own = await TdsPeer.start({ logins: [{ name: 'pchatstore', password: PASSWORD, roles: ['sysadmin'] }] });
  const login = own.logins[0]!;
  let connections = 0;
  const proxy = net.createServer((c) => {
    if (++connections === 2) login.disabled = true;
    const up = net.connect(own.port, own.host);
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, own.host, resolve));
  t.teardown(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await own.stop();
  });
  const r = await pchat(['New-Topology', '-Repository', address('fresh', (proxy.address() as net.AddressInfo).port)]);
  t.is(r.exitCode, 1);
  t.is(connections, 2);
  t.regex(r.stderr, /SqlConnectFailed/);
  t.regex(r.stderr, /AuthenticationError/, 'a refused login, not a connection error');
  t.regex(r.stderr, /Cannot create database fresh .*Reason: The account is disabled/s);
  storeAdvice(t, r.stderr, CHECK_LOGIN);
  t.false(own.databases.includes('fresh'));
});

test('a named instance the SQL Browser does not know: the advice is to correct the address', async (t) => {
  const host = loopbackAddress();
  const ssrp = await SsrpResponder.start({ address: host, port: 0, instances: [{ serverName: 'SQL01', instanceName: 'PCHAT', version: '11.0.7001.0', tcp: 1533 }] });
  const repo = openRepository(`sqlserver://pchatstore@${host}\\LYNC/team`, { credential: async (userName) => ({ userName, password: PASSWORD }), browserPort: ssrp.port });
  t.teardown(async () => {
    await repo.close();
    await ssrp.close();
  });
  const e = (await t.throwsAsync(repo.readDraft())) as ErrorRecord;
  t.is(e.errorId, 'RepositoryUnreachable');
  t.regex(e.message, /does not know instance LYNC; it reports: PCHAT \(TCP 1533/);
  storeAdvice(t, `${e.message} ${e.recommendedAction}`, /Correct the instance name in the address \(one of those reported\)/);
});

test('Copy-Topology into a store with a wrong password: the advice names the destination\'s password file', async (t) => {
  const folder = path.join(await tempDir(t), 'team');
  t.is((await pchat(['New-Topology', '-Repository', folder])).exitCode, 0);
  const r = await pchat(['Copy-Topology', '-Repository', folder, '-Destination', address()], env({ PCHAT_REPOSITORY_PASSWORD: 'Not-The-Passw0rd!' }));
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /RepositoryLoginFailed/);
  storeAdvice(t, r.stderr, /its password \(PCHAT_REPOSITORY_PASSWORD, -DestinationCredentialFile or the prompt\)/);
});

/** What a user compares: the published revisions, and Export-Topology of the draft and of each of them. */
async function exports(repo: string): Promise<string[]> {
  const listed = await pchat(['Get-TopologyRevision', '-Repository', repo]);
  const revisions = listed.objects.map((o) => String(o.Revision));
  const out = [`revisions ${revisions.join(',')}`];
  for (const rev of [[], ...revisions.map((r) => ['-Revision', r])]) {
    const r = await pchat(['Export-Topology', ...rev, '-Repository', repo]);
    out.push(r.exitCode === 0 ? r.stdout : `exit ${r.exitCode}: ${r.stderr}`);
  }
  return out;
}

/**
 * A peer of its own holding a store ('team': draft 3, one published revision) and a folder with another
 * topology (draft 4, three earlier drafts, two published revisions, a backup) to copy over it.
 */
async function storeAndFolder(t: ExecutionContext): Promise<{ own: TdsPeer; store: string; folder: string }> {
  const own = await ownPeer(t);
  const store = address('team', own.port);
  for (const args of [['New-Topology'], ['New-Site', '-Name', 'Redmond'], ['Publish-Topology', '-Force'], ['New-Site', '-Name', 'Paris']]) {
    const r = await pchat([...args, '-Repository', store]);
    t.is(r.exitCode, 0, r.stderr);
  }
  const folder = path.join(await tempDir(t), 'other');
  for (const args of [['New-Topology'], ['New-Site', '-Name', 'Tokyo'], ['Publish-Topology', '-Force'], ['New-Site', '-Name', 'Oslo'], ['Publish-Topology', '-Force'], ['New-Site', '-Name', 'Lima']]) {
    const r = await pchat([...args, '-Repository', folder]);
    t.is(r.exitCode, 0, r.stderr);
  }
  return { own, store, folder };
}

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !done(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > end) throw new Error(`still waiting for ${what} after ${ms} ms`);
  }
}

test('Copy-Topology -Force onto a store, killed in the middle of the copy: the store keeps its earlier content, and the copy run again completes', async (t) => {
  const { own, store, folder } = await storeAndFolder(t);
  const before = await exports(store);
  const rows = structuredClone(own.storeDb('team'));
  // Hold the copy's second published revision: the old rows are deleted and part of the copy written by then.
  let published = 0;
  let reached!: () => void;
  const holding = new Promise<void>((resolve) => (reached = resolve));
  own.faults.storeStatement = (stmt) => {
    if (stmt !== 'insertPublished' || ++published !== 2) return undefined;
    reached();
    return { holdMs: 60_000 };
  };
  const copy = execa(path.join(projectRoot, 'bin', 'pchat'), ['Copy-Topology', '-Repository', folder, '-Destination', store, '-Force'], { env: { ...env(), PCHAT_REPOSITORY: undefined }, stdin: 'ignore', reject: false });
  t.teardown(() => void copy.kill('SIGKILL'));
  await Promise.race([holding, copy.then((r) => Promise.reject(new Error(`the copy ended before it was held: ${r.stderr}`)))]);
  t.is(own.storeDb('team').published.size, 1, 'the copy is half-way: its first published revision is in');
  t.is(own.storeDb('team').draft, undefined, 'the copy is half-way: the old draft is gone');
  copy.kill('SIGKILL');
  await copy;
  own.faults.storeStatement = undefined;
  await until('the peer to see the connection end', () => own.openConnections === 0);

  t.deepEqual(await exports(store), before, 'the store holds what it held');
  t.deepEqual(own.storeDb('team'), rows, 'its draft history and backups too');
  const again = await pchat(['Copy-Topology', '-Repository', folder, '-Destination', store, '-Force']);
  t.is(again.exitCode, 0, again.stderr);
  t.like(again.objects[0], { DraftRevision: 4, DraftHistory: 3, PublishedRevisions: 2, Backups: 1 });
  t.deepEqual(await exports(store), await exports(folder));
});

test('Copy-Topology -Force onto a store, an INSERT failing half-way (or the server ending the transaction): exit 1 saying so, the store as it was', async (t) => {
  const { own, store, folder } = await storeAndFolder(t);
  const before = await exports(store);
  const rows = structuredClone(own.storeDb('team'));
  const faults: [StoreStatement, number, { number: number; message: string }, RegExp][] = [
    // A statement's error: the transaction stays open; the copy rolls it back.
    ['insertHistory', 2, { number: 9002, message: "The transaction log for database 'team' is full due to 'LOG_BACKUP'." }, /could not be written: The transaction log for database 'team' is full due to 'LOG_BACKUP'\. \(error 9002\)\. Nothing was changed by this command\./],
    // An error inside clearStore (XACT_ABORT ON): the server rolls back the whole copy itself.
    ['clearStore', 1, { number: 1205, message: 'Transaction (Process ID 51) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.' }, /could not be written: Transaction \(Process ID 51\) was deadlocked .* \(error 1205\)\. Nothing was changed by this command\./],
  ];
  for (const [failing, nth, error, said] of faults) {
    let seen = 0;
    own.faults.storeStatement = (stmt) => (stmt === failing && ++seen === nth ? { errors: [error] } : undefined);
    const r = await pchat(['Copy-Topology', '-Repository', folder, '-Destination', store, '-Force']);
    t.is(r.exitCode, 1, failing);
    t.regex(r.stderr, /RepositoryQueryFailed/);
    t.regex(r.stderr.replace(/\s+/g, ' '), said);
    t.is(r.objects.length, 0, 'no copy reported');
    t.deepEqual(await exports(store), before, `the store holds what it held (${failing})`);
    t.deepEqual(own.storeDb('team'), rows, `its draft history and backups too (${failing})`);
  }
});
