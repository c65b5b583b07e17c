// Test-FileStore end to end: the real executables against the real smbd of test/support/samba.ts.
import test from 'ava';
import { mkdtemp, readFile, readdir, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../support/cli.js';
import { sambaUnavailable, silentListener, startSamba, GROUPS, POLICY_ACES, type SambaFixture } from '../support/samba.js';
import { topology, POOL } from '../support/topology-builder.js';
import { Repository } from '../../lib/topology/repository.js';
import { SCHEMA_VERSION, type Topology } from '../../lib/topology/model.js';

const skip = sambaUnavailable('cli/test-filestore (a real smbd)');
const it = skip ? test.skip : test;

const SHARE = 'pchat';
const FOLDER = '1-PersistentChatService-1';
const G = GROUPS;
let samba: SambaFixture;

test.before(async () => {
  if (skip) return;
  samba = await startSamba();
  await samba.addShare(SHARE);
  await samba.setAcl(SHARE, '\\', [`ACL:${G.Administrators.sid}:ALLOWED/OI|CI/FULL`, `ACL:${G.RTCUniversalConfigReplicator.sid}:ALLOWED/OI|CI/READ`]);
  await samba.mkdir(SHARE, FOLDER);
  await samba.setAcl(SHARE, FOLDER, POLICY_ACES, { protect: true });
  await samba.addShare('open');
  await samba.setAcl('open', '\\', ['ACL:S-1-1-0:ALLOWED/OI|CI/FULL']);
});

test.after.always(async () => {
  if (samba) await samba.dispose();
});

const unc = (share = SHARE, folder = '') => `\\\\${samba.ip}\\${share}${folder ? '\\' + folder : ''}`;
const as = (user: 'admin' | 'reader', extra: Record<string, string> = {}) => ({ env: { PCHAT_SMB_PASSWORD: samba.users[user].password, ...extra } });

it('a healthy folder: every row Passed as JSON lines, exit 0', async (t) => {
  const r = await run(['Test-FileStore', '-Path', unc(SHARE, FOLDER), '-Credential', samba.users.admin.name], as('admin'));
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.objects.length, 12);
  t.regex(r.stderr, /^Test-FileStore: 12 passed, 0 warnings, 0 failed\.$/m);
  for (const o of r.objects) {
    t.is(o.Status, 'Passed', `${o.Check}: ${o.Details}`);
    t.is(o.Target, unc(SHARE, FOLDER));
    t.deepEqual(Object.keys(o), ['Target', 'Check', 'Status', 'Details', 'RecommendedAction', 'DurationMs']);
  }
});

it('its own executable, -FileServerFqdn/-Share and a failing check: exit 3', async (t) => {
  const r = await run(['-FileServerFqdn', samba.ip, '-Share', 'open', '-Credential', samba.users.admin.name], as('admin'), 'Test-FileStore');
  t.is(r.exitCode, 3);
  const d = r.objects.find((o) => o.Check === 'Dangerous ACEs');
  t.is(d.Status, 'Failed');
  t.regex(d.Details, /Everyone Full control/);
});

it('-Quiet prints nothing and only sets the exit code', async (t) => {
  const ok = await run(['Test-FileStore', '-Path', unc(SHARE, FOLDER), '-Credential', samba.users.admin.name, '-Quiet'], as('admin'));
  t.deepEqual([ok.exitCode, ok.stdout.trim()], [0, '']);
  const readOnly = await run(['Test-FileStore', '-Path', unc(SHARE, FOLDER), '-Credential', samba.users.reader.name, '-Quiet'], as('reader'));
  t.deepEqual([readOnly.exitCode, readOnly.stdout.trim()], [3, '']);
  t.notRegex(ok.stderr + readOnly.stderr, /passed/, '-Quiet prints no summary either');
});

it('a wrong password fails authentication, and it is nowhere in stdout, stderr or the log file', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pchat-fs-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'run.log');
  const bad = samba.wrongPassword;
  const r = await run(['Test-FileStore', '-Path', unc(), '-Credential', samba.users.admin.name, '-LogFile', log, '-Verbose'], { env: { PCHAT_SMB_PASSWORD: bad } });
  t.is(r.exitCode, 3);
  const auth = r.objects.find((o) => o.Check === 'Authentication');
  t.is(auth.Status, 'Failed');
  t.regex(auth.Details, /NT_STATUS_LOGON_FAILURE/);
  const logText = await readFile(log, 'utf8');
  t.true(logText.length > 0, 'the log was written');
  for (const text of [r.stdout, r.stderr, logText, await samba.logs()]) t.false(text.includes(bad));
});

it('the password can come from a 0600 credential file', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pchat-fs-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'cred');
  await writeFile(file, samba.users.admin.password + '\n');
  await chmod(file, 0o600);
  const r = await run(['Test-FileStore', unc(SHARE, FOLDER), '-Credential', samba.users.admin.name, '-CredentialFile', file], { env: { PCHAT_SMB_PASSWORD: undefined } });
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.objects.find((o) => o.Check === 'Authentication').Status, 'Passed');
});

it('piped objects bind by property name and come back target by target, in input order', async (t) => {
  const input = [
    JSON.stringify({ FileServerFqdn: samba.ip, Share: 'open' }),
    JSON.stringify({ Path: unc(SHARE, FOLDER) }),
    JSON.stringify({ Identity: unc('nosuchshare'), FileServerFqdn: '', Share: '', Path: '' }),
  ].join('\n');
  const r = await run(['Test-FileStore', '-Credential', samba.users.admin.name, '-ThrottleLimit', '3'], { input, ...as('admin') });
  t.is(r.exitCode, 3, r.stderr);
  const targets = [...new Set(r.objects.map((o) => o.Target))];
  t.deepEqual(targets, [unc('open'), unc(SHARE, FOLDER), unc('nosuchshare')]);
  t.is(r.objects.find((o) => o.Target === unc('nosuchshare') && o.Check === 'Share exists').Status, 'Failed');
});

async function repoWith(t: any, tweak: (x: Topology) => void, published: boolean): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pchat-fs-repo-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const topo = topology((x) => {
    x.fileStores = [{ fileServerFqdn: samba.ip, share: SHARE }];
    x.persistentChatPools[0]!.fileStore = unc();
    tweak(x);
  });
  const repo = new Repository(dir);
  await repo.update(async (draft) => void Object.assign(draft, topo), { create: true });
  if (published) {
    await repo.writePublished({ schemaVersion: SCHEMA_VERSION, revision: 1, publishedAt: new Date().toISOString(), publishedBy: 'test', summary: '', changes: [], runId: 'test', draftRevision: 1, topology: topo });
  }
  return dir;
}

it("-PoolFqdn tests the pool's folder: missing, it warns before the first publish and fails after it", async (t) => {
  // Instance 2 has no folder yet.
  const draftRepo = await repoWith(t, (x) => void (x.persistentChatPools[0]!.instance = 2), false);
  const before = await run(['Test-FileStore', '-PoolFqdn', POOL, '-Credential', samba.users.admin.name], { ...as('admin', { PCHAT_REPOSITORY: draftRepo }) });
  t.is(before.exitCode, 0, before.stderr);
  t.is(before.objects[0].Target, unc(SHARE, '1-PersistentChatService-2'));
  const folder = before.objects.find((o) => o.Check === 'Folder exists');
  t.is(folder.Status, 'Warning');
  t.is(before.objects.find((o) => o.Check === 'Publish policy ACEs').Status, 'Warning');

  const publishedRepo = await repoWith(t, (x) => void (x.persistentChatPools[0]!.instance = 2), true);
  const after = await run(['Test-FileStore', '-PoolFqdn', POOL, '-Credential', samba.users.admin.name], { ...as('admin', { PCHAT_REPOSITORY: publishedRepo }) });
  t.is(after.exitCode, 3);
  t.is(after.objects.find((o) => o.Check === 'Folder exists').Status, 'Failed');

  const instanceOne = await repoWith(t, () => {}, true);
  const ok = await run(['Test-FileStore', '-PoolFqdn', POOL, '-Credential', samba.users.admin.name], { ...as('admin', { PCHAT_REPOSITORY: instanceOne }) });
  t.is(ok.exitCode, 0, JSON.stringify(ok.objects.filter((o) => o.Status !== 'Passed')));
  t.is(ok.objects[0].Target, unc(SHARE, FOLDER));
});

it('a missing smbclient/smbcacls is a clear NotInstalled error with the install command, not a stack trace', async (t) => {
  const r = await run(['Test-FileStore', '-Path', unc(), '-Credential', samba.users.admin.name], as('admin', { PCHAT_SAMBA_BINDIR: '/nonexistent-samba-bin' }));
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /apt-get install smbclient/);
  t.regex(r.stderr, /NotInstalled/);
  t.notRegex(r.stderr, /\n\s+at .+\(.+:\d+:\d+\)/, 'no stack trace');
});

test('no target is a usage error (exit 2); a local path is a non-terminating error', async (t) => {
  const none = await run(['Test-FileStore']);
  t.is(none.exitCode, 2);
  t.regex(none.stderr, /NoFileStoreGiven/);
  const local = await run(['Test-FileStore', '-Path', 'D:\\PChatFiles']);
  t.is(local.exitCode, 1);
  t.regex(local.stderr, /FileStoreNotUnc/);
  t.is(local.objects.length, 0);
  // A share name Windows would refuse is a usage error before anything is probed, by -Share or in -Path.
  const badShare = await run(['Test-FileStore', '-FileServerFqdn', 'fs01.contoso.com', '-Share', 'a;b']);
  t.is(badShare.exitCode, 2);
  t.regex(badShare.stderr, /ParameterArgumentValidationError,Test-FileStore/);
  t.is(badShare.objects.length, 0);
  const badPath = await run(['Test-FileStore', '-Path', '\\\\fs01.contoso.com\\a"b']);
  t.is(badPath.exitCode, 2);
  t.regex(badPath.stderr, /InvalidShareName,Test-FileStore/);
  t.regex(badPath.stderr, /'a"b' in .* is not a share name/);
  // A folder smbclient cannot carry is refused as such, not hidden behind a host that does not resolve.
  const badFolder = await run(['Test-FileStore', '-Path', '\\\\nosuchhost.invalid\\share\\a"b']);
  t.is(badFolder.exitCode, 2, 'an invalid value, as the binder\'s');
  t.regex(badFolder.stderr, /SmbPathInvalid,Test-FileStore/);
  t.is(badFolder.objects.length, 0);
  // A UNC path without its share is not mistaken for a local path.
  const noShare = await run(['Test-FileStore', '-Path', '\\\\fs01.contoso.com']);
  t.is(noShare.exitCode, 2);
  t.regex(noShare.stderr, /IncompleteUncPath,Test-FileStore/);
  t.regex(noShare.stderr, /names no share/);
  t.notRegex(noShare.stderr, /local path/);
  // -PoolFqdn needs the topology: without one, the repository's own error, with the way around it.
  const noRepo = await run(['Test-FileStore', '-PoolFqdn', 'chat.contoso.com'], { env: { PCHAT_REPOSITORY: '/nonexistent/pchat-test-repo' } });
  t.is(noRepo.exitCode, 1);
  t.regex(noRepo.stderr, /RepositoryNotFound,Test-FileStore/);
  t.regex(noRepo.stderr, /to look the pool up in/);
  t.regex(noRepo.stderr, /Give -Path/);
});

it('SIGTERM or SIGINT at a random moment, 50 runs: no pchat-* temporary path is left behind', async (t) => {
  t.timeout(240_000);
  const silent = await silentListener();
  t.teardown(() => silent.close());
  const tmp = await mkdtemp(path.join(tmpdir(), 'pchat-signals-'));
  t.teardown(() => rm(tmp, { recursive: true, force: true }));
  const { execa } = await import('execa');
  const { projectRoot } = await import('../support/cli.js');
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // A healthy share (the round trip's files come and go) and a silent server (they wait), in turn.
  const targets = [unc(SHARE, FOLDER), `\\\\${silent.ip}\\share\\folder`];
  const left: string[] = [];
  const codes = new Set<number>();
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < 50; k = next++) {
      // Each run its own TMPDIR: other runs (and other tests) make theirs at the same time.
      const own = await mkdtemp(path.join(tmp, 'run-'));
      const child = execa(path.join(projectRoot, 'bin', 'pchat'), ['Test-FileStore', '-Path', targets[k % 2]!, '-Credential', samba.users.admin.name, '-TimeoutSeconds', '3'], {
        env: { PCHAT_SMB_PASSWORD: samba.users.admin.password, TMPDIR: own },
        reject: false,
        stdin: 'ignore',
      });
      await sleep(150 + Math.random() * 2000);
      const signal = k % 4 < 2 ? 'SIGTERM' : 'SIGINT';
      child.kill(signal);
      // Now and then a second one: the command then exits at once.
      if (k % 5 === 0) setTimeout(() => child.kill(signal), Math.random() * 100);
      const r = await child;
      codes.add(r.exitCode ?? -1);
      left.push(...(await readdir(own)).filter((n) => n.startsWith('pchat-')).map((n) => `run ${k} (${signal}): ${n}`));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  t.deepEqual(left, []);
  // Some runs end before the signal, some before the command set its handlers (killed by it): enough were caught mid-probe.
  t.true(codes.has(143) || codes.has(130), `exit codes seen: ${[...codes].join(', ')}`);
  const tools = await execa('pgrep', ['-af', `//${silent.ip}/`], { reject: false });
  t.is(tools.stdout.trim(), '', 'a Samba tool outlived its command');
});

it('SIGTERM (a scheduler, timeout) mid-probe: the Samba tools stop, the temporary folder goes, exit 143', async (t) => {
  const silent = await silentListener();
  t.teardown(() => silent.close());
  const tmp = await mkdtemp(path.join(tmpdir(), 'pchat-term-'));
  t.teardown(() => rm(tmp, { recursive: true, force: true }));
  const { execa } = await import('execa');
  const { projectRoot } = await import('../support/cli.js');
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const child = execa(path.join(projectRoot, 'bin', 'pchat'), ['Test-FileStore', '-Path', `\\\\${silent.ip}\\share\\folder`, '-Credential', 'x', '-TimeoutSeconds', '60'], {
    env: { PCHAT_SMB_PASSWORD: 'not-used', TMPDIR: tmp },
    reject: false,
    input: '',
  });
  // Until a Samba tool is connected to the silent server and the round trip's folder exists.
  for (let i = 0; i < 400 && (silent.accepted() < 2 || (await readdir(tmp)).length === 0); i++) await sleep(25);
  t.true(silent.accepted() >= 2, 'smbcacls connected');
  t.true((await readdir(tmp)).some((f) => f.startsWith('pchat-smb-')), 'the round trip made its folder');
  const start = performance.now();
  child.kill('SIGTERM');
  const r = await child;
  t.is(r.exitCode, 143, String(r.stderr));
  t.true(performance.now() - start < 5000, 'it did not wait for the 60 s timeout');
  t.regex(String(r.stderr), /Terminated \(SIGTERM\)/);
  t.deepEqual(await readdir(tmp), [], 'the temporary folder was removed');
  const left = await execa('pgrep', ['-af', `//${silent.ip}/`], { reject: false });
  t.is(left.stdout.trim(), '', 'no Samba tool outlived the command');
});
