// Publish-Topology end to end, as an administrator runs it from a shell: the real bins, a real smbd
// (fs01.pchat.test, or the first of fs02-fs40 that no other run holds) and the TDS test peer (sql01/sql02.pchat.test). Host names come from
// test/support/add-test-hosts.sh (run by npm test's set-up, test/support/setup.sh).
import test from 'ava';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { lookup } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../support/cli.js';
import { GROUPS, sambaMissing, startSamba, type SambaFixture } from '../support/samba.js';
import { skipSuite } from '../support/skip.js';
import { TdsPeer, type PeerFaults } from '../support/tds-peer.js';

let FS_HOST = 'fs01.pchat.test';
const SQL1 = 'sql01.pchat.test';
const SQL2 = 'sql02.pchat.test';
const SQL_PASSWORD = 'Sql-Passw0rd-For-Publish!';
const POOL = 'pool01.pchat.test';
const FOLDER = '1-PersistentChatService-1';

async function hostsReady(): Promise<string | undefined> {
  for (const h of [FS_HOST, SQL1, SQL2, POOL, 'chat01.pchat.test']) {
    try {
      await lookup(h);
    } catch {
      return `${h} does not resolve: run 'bash test/support/add-test-hosts.sh' (as root) first`;
    }
  }
  return undefined;
}

const skip = skipSuite('integration/publish (a real smbd on fs01.pchat.test, TDS peers on sql01/sql02.pchat.test)', sambaMissing() ?? (await hostsReady()));
const maybe = skip ? test.skip : test.serial;

let samba: SambaFixture;
test.before(async () => {
  if (skip) return;
  // Other runs on the machine (other clones) use the same names: take a file server name none of them
  // holds, and wait for fs01 only when all are taken.
  for (let n = 1; n <= 40 && !samba; n++) {
    const host = `fs${String(n).padStart(2, '0')}.pchat.test`;
    const ip = await lookup(host).then((a) => a.address, () => undefined);
    if (!ip) break;
    samba = await startSamba({ ip, wait: false }).catch((e: Error) => {
      if (/is reserved by process|is in use by another program/.test(e.message)) return undefined as unknown as SambaFixture;
      throw e;
    });
    if (samba) FS_HOST = host;
  }
  if (!samba) samba = await startSamba({ ip: (await lookup(FS_HOST)).address });
});
test.after.always(async () => {
  await samba?.dispose();
});

interface World {
  repo: string;
  share: string;
  sql1: TdsPeer;
  sql2: TdsPeer;
  env: Record<string, string>;
}

let shares = 0;
async function world(t: { teardown(fn: () => unknown): void }, opts: { roles?: string[]; faults?: PeerFaults; complianceOnSql1?: boolean; exclusiveModelLock?: boolean } = {}): Promise<World> {
  const share = `pchat${++shares}`;
  await samba.addShare(share);
  // The share as an administrator creates it before publishing (domain.md 4): Administrators full control.
  await samba.setAcl(share, '/', ['ACL:S-1-5-32-544:ALLOWED/OI|CI/FULL', 'ACL:S-1-5-18:ALLOWED/OI|CI/FULL']);
  const logins = [{ name: 'pchatadmin', password: SQL_PASSWORD, roles: opts.roles ?? ['sysadmin'] }];
  const sql1 = await TdsPeer.start({ host: (await lookup(SQL1)).address, logins, faults: opts.faults, exclusiveModelLock: opts.exclusiveModelLock });
  const sql2 = await TdsPeer.start({ host: (await lookup(SQL2)).address, logins });
  t.teardown(() => Promise.all([sql1.stop(), sql2.stop()]));
  const dir = await mkdtemp(path.join(tmpdir(), 'pchat-publish-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const repo = path.join(dir, 'repo');
  const env = { PCHAT_REPOSITORY: repo, PCHAT_SMB_PASSWORD: samba.users.admin.password, PCHAT_SQL_PASSWORD: SQL_PASSWORD };
  const steps = [
    ['New-Topology'],
    ['New-Site', '-Name', 'Redmond'],
    ['New-FrontEndPool', '-Fqdn', 'fepool.pchat.test', '-Site', 'Redmond', '-Computer', 'fe01.pchat.test'],
    ['New-SqlStore', '-SqlServerFqdn', SQL1, '-Port', String(sql1.port)],
    ['New-SqlStore', '-SqlServerFqdn', SQL2, '-Port', String(sql2.port)],
    ['New-PersistentChatPool', '-Fqdn', POOL, '-Site', 'Redmond', '-Computer', 'chat01.pchat.test,chat02.pchat.test', '-DisplayName', 'Redmond chat',
      '-NextHopPool', 'fepool.pchat.test', '-SqlStore', SQL1, '-EnableCompliance', '-ComplianceSqlStore', opts.complianceOnSql1 ? SQL1 : SQL2, '-FileServerFqdn', FS_HOST, '-FileShare', share],
  ];
  for (const s of steps) {
    const r = await run(s, { env });
    if (r.exitCode !== 0) throw new Error(`${s.join(' ')}: ${r.stderr}`);
  }
  return { repo, share, sql1, sql2, env };
}

const SQL_CRED = ['-SqlCredential', 'pchatadmin', '-TrustServerCertificate'];
const publishArgs = (...extra: string[]) => ['Publish-Topology', '-Credential', samba.users.admin.name, ...SQL_CRED, '-TimeoutSeconds', '10', ...extra];

/** Everything that publishing may change: repository files, the share's folders, the peers' databases. */
async function state(w: World): Promise<string> {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (!e.name.startsWith('.')) files.push(`${path.relative(w.repo, p)}=${await readFile(p, 'utf8')}`);
    }
  };
  await walk(w.repo);
  const ls = await samba.smbclient(w.share, 'ls');
  const folders = ls.stdout.split('\n').filter((l) => /\s+D\s+0/.test(l)).map((l) => l.trim().split(/\s+/)[0]).filter((n) => n !== '.' && n !== '..');
  const root = (await samba.smbcacls(w.share, '/', ['--numeric'])).stdout;
  return JSON.stringify({ files: files.sort(), folders, root, sql1: w.sql1.created, sql2: w.sql2.created });
}

/** `net groupmap` on the test server (its own smb.conf), e.g. to make a policy group unresolvable. */
async function groupmap(...args: string[]): Promise<void> {
  const { execFile } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => execFile('net', ['-s', samba.conf, 'groupmap', ...args], (e) => (e ? reject(e) : resolve())));
}

/** Resolves once a child process of `pid` runs a command line matching `re` (or after 5 s). */
async function childRunning(pid: number, re: RegExp): Promise<void> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const found = () =>
    readdirSync('/proc').some((p) => {
      if (!/^\d+$/.test(p)) return false;
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1] === String(pid) && re.test(readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' '));
      } catch {
        return false;
      }
    });
  for (let i = 0; i < 1000 && !found(); i++) await new Promise((r) => setTimeout(r, 5));
}

maybe('a policy group the file server cannot resolve: Test-FileStore fails naming it, Publish-Topology refuses and changes nothing', async (t) => {
  const w = await world(t);
  await groupmap('delete', 'ntgroup=RTCHSUniversalServices');
  const hs = GROUPS.RTCHSUniversalServices;
  t.teardown(() => groupmap('add', 'ntgroup=RTCHSUniversalServices', `unixgroup=${hs.unix}`, 'type=domain', `rid=${hs.sid.split('-').pop()}`));
  const preflight = await run(['Test-FileStore', '-PoolFqdn', POOL, '-Credential', samba.users.admin.name], { env: w.env });
  t.is(preflight.exitCode, 3, preflight.stderr);
  const row = preflight.objects.find((o: { Check: string }) => o.Check === 'Policy principals');
  t.like(row, { Status: 'Failed' });
  t.regex(row.Details, /cannot resolve RTCHSUniversalServices to a SID/);
  t.notRegex(row.Details, /cannot resolve [^;]*RTCComponentUniversalServices/, 'a group that resolves is named as unresolvable');
  t.regex(row.RecommendedAction, /net groupmap add ntgroup=RTCHSUniversalServices/);
  t.regex(row.RecommendedAction, /domain group/);
  t.regex(row.RecommendedAction, /file store policy/);

  const before = await state(w);
  const r = await run(publishArgs('-Force'), { env: w.env });
  t.is(r.exitCode, 3, r.stderr);
  t.regex(r.stderr, /PublishPrecheckFailed/);
  t.regex(r.stderr, /Policy principals: .*RTCHSUniversalServices/);
  t.is(await state(w), before, 'a refused publish changed the share, a database or the repository');
});

/** A file store policy file in a scratch folder removed after the test. */
async function policyFile(t: { teardown(fn: () => unknown): void }, aces: unknown[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pchat-policy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'filestore-policy.json');
  await writeFile(file, JSON.stringify(aces));
  return file;
}

maybe('-PolicyFile naming a group the file server cannot resolve: Test-FileStore and Publish-Topology both refuse naming it, before any change; it wins over PCHAT_FILESTORE_POLICY', async (t) => {
  const w = await world(t);
  const bad = await policyFile(t, [
    { principal: 'RTCHSUniversalServices', access: 'Modify' },
    { principal: 'RTCNoSuchGroup', access: 'Modify' },
    { principal: 'BUILTIN\\Administrators', sid: 'S-1-5-32-544', access: 'FullControl' },
  ]);
  // A policy every group of which resolves, in the variable: -PolicyFile must win over it.
  const good = await policyFile(t, [{ principal: 'BUILTIN\\Administrators', sid: 'S-1-5-32-544', access: 'FullControl' }]);
  const env = { ...w.env, PCHAT_FILESTORE_POLICY: good };
  const preflight = await run(['Test-FileStore', '-PoolFqdn', POOL, '-Credential', samba.users.admin.name, '-PolicyFile', bad], { env });
  t.is(preflight.exitCode, 3, preflight.stderr);
  t.regex(preflight.objects.find((o: { Check: string }) => o.Check === 'Policy principals').Details, /cannot resolve RTCNoSuchGroup to a SID/);

  const before = await state(w);
  const r = await run(publishArgs('-Force', '-PolicyFile', bad), { env });
  t.is(r.exitCode, 3, r.stderr);
  t.regex(r.stderr, /PublishPrecheckFailed/);
  t.regex(r.stderr, /Policy principals: .*RTCNoSuchGroup/);
  t.notRegex(r.stderr, /cannot resolve [^;]*RTCHSUniversalServices/, 'a group that resolves is named as unresolvable');
  t.is(await state(w), before, 'a refused publish changed the share, a database or the repository');

  // The variable alone is the policy in force when -PolicyFile is not given.
  const whatIf = await run(publishArgs('-WhatIf', '-SkipDatabase'), { env });
  t.is(whatIf.exitCode, 0, whatIf.stderr);
  t.is(whatIf.objects[0].Policy, good);
});

maybe('-PolicyFile with a custom table: -WhatIf names it, publish sets exactly its ACEs, and Test-FileStore with the same file finds no drift', async (t) => {
  const w = await world(t);
  const file = await policyFile(t, [
    { principal: 'RTCHSUniversalServices', access: 'FullControl' },
    { principal: 'BUILTIN\\Administrators', sid: 'S-1-5-32-544', access: 'FullControl' },
    { principal: 'RTCUniversalConfigReplicator', access: 'Read' },
  ]);
  const before = await state(w);
  const whatIf = await run(publishArgs('-WhatIf', '-SkipDatabase', '-PolicyFile', file), { env: w.env });
  t.is(whatIf.exitCode, 0, whatIf.stderr);
  t.true(whatIf.stderr.includes(`What if: Performing the operation "Set permissions on ${FOLDER} to the file store policy in '${file}'"`), whatIf.stderr);
  t.like(whatIf.objects[0], { Status: 'WhatIf', Policy: file });
  t.is(await state(w), before, '-WhatIf changed something');

  const published = await run(publishArgs('-Force', '-SkipDatabase', '-PolicyFile', file), { env: w.env });
  t.is(published.exitCode, 0, published.stderr);
  t.like(published.objects[0], { Status: 'Published', Policy: file });
  const acl = await samba.smbcacls(w.share, FOLDER, ['--numeric']);
  const aces = acl.stdout.split('\n').filter((l) => l.startsWith('ACL:')).map((l) => l.slice(4)).sort();
  t.deepEqual(aces, [
    `${GROUPS.RTCHSUniversalServices.sid}:0/0x3/0x001f01ff`,
    `${GROUPS.RTCUniversalConfigReplicator.sid}:0/0x3/0x00120089`,
    'S-1-5-32-544:0/0x3/0x001f01ff',
  ], acl.stdout);

  // The preflight with the same file proves what publish applied; against the built-in table the folder has drifted.
  const test = (...extra: string[]) => run(['Test-FileStore', '-PoolFqdn', POOL, '-Credential', samba.users.admin.name, ...extra], { env: w.env });
  const same = await test('-PolicyFile', file);
  t.like(same.objects.find((o: { Check: string }) => o.Check === 'Publish policy ACEs'), { Status: 'Passed' });
  const builtIn = await test();
  t.is(builtIn.exitCode, 3, builtIn.stderr);
  t.like(builtIn.objects.find((o: { Check: string }) => o.Check === 'Publish policy ACEs'), { Status: 'Failed' });
});

maybe('a file where the pool folder goes: Test-FileStore and Publish-Topology fail before any change', async (t) => {
  const w = await world(t);
  const local = path.join(await mkdtemp(path.join(tmpdir(), 'pchat-file-')), 'f');
  t.teardown(() => rm(path.dirname(local), { recursive: true, force: true }));
  await writeFile(local, 'not a folder');
  await samba.smbclient(w.share, `put "${local}" "${FOLDER}"`);
  const preflight = await run(['Test-FileStore', '-PoolFqdn', POOL, '-Credential', samba.users.admin.name], { env: w.env });
  t.is(preflight.exitCode, 3, preflight.stderr);
  t.like(preflight.objects.find((o: { Check: string }) => o.Check === 'Folder exists'), { Status: 'Failed' });
  const before = await state(w);
  const r = await run(publishArgs('-Force'), { env: w.env });
  t.is(r.exitCode, 3, r.stderr);
  t.regex(r.stderr, /Pool folders: .*is a file, not a folder/);
  t.is(await state(w), before);
});

maybe('define, test, -WhatIf changes nothing, publish creates folder, permissions and databases, publishing again repeats nothing', async (t) => {
  const w = await world(t);
  t.is((await run(['Test-Topology'], { env: w.env })).exitCode, 0);

  const before = await state(w);
  const whatIf = await run(publishArgs('-WhatIf'), { env: w.env });
  t.is(whatIf.exitCode, 0, whatIf.stderr);
  t.regex(whatIf.stderr, new RegExp(`What if: Performing the operation "Create folder ${FOLDER}" on target "\\\\\\\\${FS_HOST}\\\\${w.share}"`));
  t.regex(whatIf.stderr, /What if: Performing the operation "Create database mgc" on target "sql01\.pchat\.test"/);
  t.regex(whatIf.stderr, /What if: Performing the operation "Create database mgccomp" on target "sql02\.pchat\.test"/);
  t.regex(whatIf.stderr, /What if: Performing the operation "Publish topology revision 1"/);
  t.regex(whatIf.stderr, new RegExp(`What if: Performing the operation "Set permissions on ${FOLDER} to the built-in file store policy"`));
  t.like(whatIf.objects[0], { Status: 'WhatIf', Policy: 'Built-in' });
  t.is(await state(w), before, '-WhatIf changed something');

  const logFile = path.join(w.repo, '..', 'publish.jsonl');
  const published = await run(publishArgs('-Force', '-LogFile', logFile), { env: w.env });
  t.is(published.exitCode, 0, published.stderr);
  // The scheduled job's record: every step and probe, one run id, no secret.
  const log = await readFile(logFile, 'utf8');
  const lines = log.trim().split('\n').map((l) => JSON.parse(l));
  t.true(lines.every((l) => l.runId === published.objects[0].RunId));
  t.true(lines.some((l) => /Done: Create database mgc on sql01\.pchat\.test/.test(l.message)));
  t.true(lines.some((l) => /Published revision 1/.test(l.message)));
  t.true(lines.some((l) => /Create database permission/.test(l.message)), 'probe rows are logged');
  t.false(log.includes(SQL_PASSWORD) || log.includes(samba.users.admin.password), 'a password reached the log');
  const r = published.objects[0];
  t.like(r, { Status: 'Published', Revision: 1, PreviousRevision: 0 });
  t.true(r.Steps.every((s: { Status: string }) => s.Status === 'Done'), JSON.stringify(r.Steps));
  t.true(r.ToDo.some((x: string) => /Install the Persistent Chat components on chat01\.pchat\.test, chat02\.pchat\.test/.test(x)));
  t.deepEqual(w.sql1.created, ['mgc']);
  t.deepEqual(w.sql2.created, ['mgccomp']);

  // The folder's DACL, read back by smbcacls, is exactly the policy: allow (type 0), inherited by
  // files and folders (flags 0x3 = OI|CI); Modify for the three RTC groups, Read & execute for the
  // replicator, Full control for Administrators; nothing inherited from the share root.
  const acl = await samba.smbcacls(w.share, FOLDER, ['--numeric']);
  const aces = acl.stdout.split('\n').filter((l) => l.startsWith('ACL:')).map((l) => l.slice(4)).sort();
  t.deepEqual(aces, [
    'S-1-5-21-1111111111-2222222222-3333333333-1101:0/0x3/0x001301bf',
    'S-1-5-21-1111111111-2222222222-3333333333-1102:0/0x3/0x001301bf',
    'S-1-5-21-1111111111-2222222222-3333333333-1103:0/0x3/0x001301bf',
    'S-1-5-21-1111111111-2222222222-3333333333-1104:0/0x3/0x001200a9',
    'S-1-5-32-544:0/0x3/0x001f01ff',
  ], acl.stdout);

  const revisions = await run(['Get-TopologyRevision'], { env: w.env });
  t.is(revisions.objects.length, 1);
  t.like(revisions.objects[0], { Revision: 1 });
  t.regex(revisions.objects[0].Summary, /added pool01\.pchat\.test/);

  const again = await run(publishArgs('-Force'), { env: w.env });
  t.is(again.exitCode, 0, again.stderr);
  t.like(again.objects[0], { Status: 'UpToDate', Revision: 1 });
  t.true(again.objects[0].Steps.every((s: { Status: string }) => s.Status === 'AlreadyDone'), JSON.stringify(again.objects[0].Steps));
  // The share root is probed for access, not held to the policy that publishing sets on each pool folder.
  t.notRegex(again.stderr, /Publish policy ACEs/);
  // Nor are the pool's own databases, which the first publish created, a warning.
  t.notRegex(again.stderr, /already exists? on this instance/);
  t.like(again.objects[0].Checks.find((c: { Check: string; Target: string }) => c.Check === 'Pool databases' && /sql01/.test(c.Target)), { Status: 'Passed' });
  // Test-SqlStore knows the revision in force as well.
  const sqlAfter = await run(['Test-SqlStore', '-PoolFqdn', POOL, ...SQL_CRED], { env: w.env });
  t.is(sqlAfter.exitCode, 0, sqlAfter.stderr);
  t.like(sqlAfter.objects.find((o: { Check: string; Target: string }) => o.Check === 'Pool databases' && /sql01/.test(o.Target)), { Status: 'Passed' });
  t.like(again.objects[0].Checks.find((c: { Check: string }) => c.Check === 'Publish policy ACEs'), { Status: 'Skipped' });
  t.deepEqual(w.sql1.created, ['mgc'], 'a database was created twice');
  t.is((await run(['Get-TopologyRevision'], { env: w.env })).objects.length, 1);

  // A draft based on an older revision (someone published after it was taken) is refused: who and when.
  const file = path.join(w.repo, 'draft.json');
  const d = JSON.parse(await readFile(file, 'utf8'));
  await writeFile(file, JSON.stringify({ ...d, basedOnPublishedRevision: 0 }));
  await run(['Set-PersistentChatPool', POOL, '-DisplayName', 'Renamed'], { env: w.env });
  const stale = await run(publishArgs('-Force'), { env: w.env });
  t.is(stale.exitCode, 1, stale.stderr);
  t.regex(stale.stderr, /TopologyPublishedConcurrently/);
  t.regex(stale.stderr, new RegExp(`Revision 1 was published by ${revisions.objects[0].PublishedBy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at ${revisions.objects[0].PublishedAt}`));
  t.is((await run(['Get-TopologyRevision'], { env: w.env })).objects.length, 1);
  const rebased = await run(publishArgs('-Force', '-Rebase'), { env: w.env });
  t.is(rebased.exitCode, 0, rebased.stderr);
  t.like(rebased.objects[0], { Status: 'Published', Revision: 2, PreviousRevision: 1 });
  const diff = await run(['Compare-Topology', '1', '2'], { env: w.env });
  t.deepEqual(diff.objects.map((c) => [c.ObjectType, c.Identity, c.Change]), [['PersistentChatPool', POOL, 'Changed']]);
  t.regex(diff.objects[0].Details.join(), /displayName: Redmond chat -> Renamed/);
});

maybe('no terminal and no -Force: exit 4 at once, nothing changed', async (t) => {
  const w = await world(t);
  const before = await state(w);
  const started = Date.now();
  const r = await run(publishArgs(), { env: w.env });
  t.is(r.exitCode, 4, r.stderr);
  t.true(Date.now() - started < 10_000);
  t.regex(r.stderr, /ConfirmationRequired,Publish-Topology/);
  t.regex(r.stderr, /-Force/);
  t.is(await state(w), before);
});

maybe('refusals change nothing: a validation error, a missing share, no WRITE_DAC, no right to create databases, an unreachable SQL store', async (t) => {
  // A validation error: the draft edited by hand so that the pool has no computers (rule 4).
  {
    const w = await world(t);
    const file = path.join(w.repo, 'draft.json');
    const d = JSON.parse(await readFile(file, 'utf8'));
    d.topology.persistentChatPools[0].computers = [];
    await writeFile(file, JSON.stringify(d));
    const before = await state(w);
    const r = await run(publishArgs('-Force'), { env: w.env });
    t.is(r.exitCode, 3, r.stderr);
    t.regex(r.stderr, /TopologyValidationFailed/);
    t.regex(r.stderr, /Rule 4/);
    t.is(await state(w), before);
  }
  // A share that does not exist.
  {
    const w = await world(t);
    await run(['New-FileStore', '-FileServerFqdn', FS_HOST, '-FileShare', 'nosuchshare'], { env: w.env });
    await run(['Set-PersistentChatPool', POOL, '-FileStore', `\\\\${FS_HOST}\\nosuchshare`], { env: w.env });
    const before = await state(w);
    const r = await run(publishArgs('-Force'), { env: w.env });
    t.is(r.exitCode, 3, r.stderr);
    t.regex(r.stderr, /PublishPrecheckFailed/);
    t.regex(r.stderr, /nosuchshare/);
    t.is(await state(w), before);
  }
  // An account that may modify but not change permissions.
  {
    const w = await world(t);
    await samba.setAcl(w.share, '/', ['ACL:S-1-5-32-544:ALLOWED/OI|CI/FULL', `ACL:${samba.users.svc.sid}:ALLOWED/OI|CI/CHANGE`]);
    const before = await state(w);
    const args = publishArgs('-Force');
    args[args.indexOf('-Credential') + 1] = samba.users.svc.name;
    const r = await run(args, { env: { ...w.env, PCHAT_SMB_PASSWORD: samba.users.svc.password } });
    t.is(r.exitCode, 3, r.stderr);
    t.regex(r.stderr, /WRITE_DAC|change permissions|Full control/i);
    t.is(await state(w), before);
  }
  // A SQL login without the right to create databases.
  {
    const w = await world(t, { roles: [] });
    const before = await state(w);
    const r = await run(publishArgs('-Force'), { env: w.env });
    t.is(r.exitCode, 3, r.stderr);
    t.regex(r.stderr, /Create database permission/);
    t.is(await state(w), before);
  }
  // A SQL store that is not there.
  {
    const w = await world(t);
    await w.sql1.stop();
    const before = await state(w);
    const r = await run(publishArgs('-Force'), { env: w.env });
    t.is(r.exitCode, 3, r.stderr);
    t.regex(r.stderr, /sql01\.pchat\.test.*(refused|not reachable)/);
    t.is(await state(w), before);
  }
});

maybe('two publishes at once: one publishes, the other is refused, one revision', async (t) => {
  const w = await world(t);
  const [a, b] = await Promise.all([run(publishArgs('-Force'), { env: w.env }), run(publishArgs('-Force'), { env: w.env })]);
  const codes = [a.exitCode, b.exitCode].sort();
  t.deepEqual(codes, [0, 5], a.stderr + b.stderr);
  t.regex(a.stderr + b.stderr, /PublishInProgress/);
  t.is((await run(['Get-TopologyRevision'], { env: w.env })).objects.length, 1);

  // A publish that holds the lock (this live test process) blocks another publish, never a -WhatIf.
  const lock = path.join(w.repo, '.publish.lock');
  await writeFile(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
  t.teardown(() => rm(lock, { force: true }));
  const whatIf = await run(publishArgs('-WhatIf'), { env: w.env });
  t.is(whatIf.exitCode, 0, whatIf.stderr);
  t.is(whatIf.objects[0].Status, 'WhatIf');
  const real = await run(publishArgs('-Force'), { env: w.env });
  t.is(real.exitCode, 5, real.stderr);
  t.regex(real.stderr, /PublishInProgress/);
});

maybe('an interrupted publish leaves the old revision in force, and a second run completes without repeating finished steps', async (t) => {
  const w = await world(t, { faults: { dropOnCreateDatabase: 'before' } });
  const first = await run(publishArgs('-Force'), { env: w.env });
  t.is(first.exitCode, 1, first.stderr);
  t.regex(first.stderr, /PublishStepFailed/);
  t.regex(first.stderr, /Published revision \(none\) is still the one in force/);
  t.is((await run(['Get-TopologyRevision'], { env: w.env })).objects.length, 0);
  const steps = first.objects[0].Steps as { Step: string; Status: string }[];
  t.is(steps.find((s) => s.Step === `Create folder ${FOLDER}`)?.Status, 'Done');

  w.sql1.faults.dropOnCreateDatabase = undefined;
  const second = await run(publishArgs('-Force'), { env: w.env });
  t.is(second.exitCode, 0, second.stderr);
  const done = Object.fromEntries((second.objects[0].Steps as { Step: string; Status: string }[]).map((s) => [s.Step, s.Status]));
  t.is(done[`Create folder ${FOLDER}`], 'AlreadyDone');
  t.is(done['Create database mgc'], 'Done');
  t.is(done['Publish topology revision 1'], 'Done');
  t.deepEqual(w.sql1.created, ['mgc']);
});

maybe('a SQL server that goes away after creating mgc: the old revision stays, the second run finds mgc and does not create it again', async (t) => {
  const w = await world(t, { faults: { dropOnCreateDatabase: 'after' } });
  const first = await run(publishArgs('-Force'), { env: w.env });
  t.is(first.exitCode, 1, first.stderr);
  t.is((await run(['Get-TopologyRevision'], { env: w.env })).objects.length, 0, 'a revision was published although a step failed');
  t.deepEqual(w.sql1.created, ['mgc']);
  w.sql1.faults.dropOnCreateDatabase = undefined;
  const second = await run(publishArgs('-Force'), { env: w.env });
  t.is(second.exitCode, 0, second.stderr);
  const done = Object.fromEntries((second.objects[0].Steps as { Step: string; Status: string }[]).map((s) => [s.Step, s.Status]));
  t.is(done['Create database mgc'], 'AlreadyDone');
  t.is(second.objects[0].Status, 'Published');
  t.deepEqual(w.sql1.created, ['mgc']);
});

maybe('-SkipDatabase: no database is created, the SQL stores are not probed (every one down), the to-do list names Install-CsDatabase', async (t) => {
  const w = await world(t, { roles: [] });
  await Promise.all([w.sql1.stop(), w.sql2.stop()]);
  const r = await run(publishArgs('-Force', '-SkipDatabase'), { env: w.env });
  t.is(r.exitCode, 0, r.stderr);
  t.like(r.objects[0], { Status: 'Published', Revision: 1 });
  t.deepEqual([w.sql1.created, w.sql2.created], [[], []]);
  t.false(r.objects[0].Steps.some((s: { Step: string }) => /database/.test(s.Step)));
  t.true(r.objects[0].ToDo.some((x: string) => /Install-CsDatabase -DatabaseType PersistentChat -SqlServerFqdn sql01\.pchat\.test/.test(x)));
  t.true(r.objects[0].ToDo.some((x: string) => /Install-CsDatabase -DatabaseType PersistentChatCompliance -SqlServerFqdn sql02\.pchat\.test/.test(x)));
  t.regex(r.stderr, /WARNING: Databases were not created \(-SkipDatabase\)/);
  t.false(r.objects[0].Checks.some((c: { Target: string }) => /sql0/.test(c.Target)), 'a SQL store was probed');
  // Nothing to do the second time: no warning about databases this run did not create.
  const again = await run(publishArgs('-Force', '-SkipDatabase'), { env: w.env });
  t.is(again.exitCode, 0, again.stderr);
  t.is(again.objects[0].Status, 'UpToDate');
  t.notRegex(again.stderr, /-SkipDatabase/);
});

maybe('Ctrl+C while a database is being created: that step finishes, no later step starts, the old revision stays; a second run completes', async (t) => {
  const { execa } = await import('execa');
  const { projectRoot } = await import('../support/cli.js');
  const w = await world(t);
  // -ThrottleLimit 1: one job at a time (the share's folder and permissions, then mgc, then mgccomp).
  const child = execa(path.join(projectRoot, 'bin', 'pchat'), publishArgs('-Force', '-ThrottleLimit', '1'), { env: w.env, reject: false, input: '' });
  w.sql1.faults.createDatabaseDelayMs = 1000;
  w.sql1.faults.onCreateDatabase = () => void child.kill('SIGINT');
  const r = await child;
  t.is(r.exitCode, 130, String(r.stderr));
  t.regex(String(r.stderr), /Stopping at the next safe point/);
  t.regex(String(r.stderr), /interrupted \(Ctrl\+C\) before this step/);
  t.deepEqual(w.sql1.created, ['mgc'], 'the step in flight finished');
  t.deepEqual(w.sql2.created, [], 'the next one never started');
  t.is((await run(['Get-TopologyRevision'], { env: w.env })).objects.length, 0);

  w.sql1.faults.onCreateDatabase = undefined;
  const second = await run(publishArgs('-Force'), { env: w.env });
  t.is(second.exitCode, 0, second.stderr);
  const done = Object.fromEntries((second.objects[0].Steps as { Step: string; Status: string }[]).map((s) => [s.Step, s.Status]));
  t.like(done, { [`Create folder ${FOLDER}`]: 'AlreadyDone', 'Create database mgc': 'AlreadyDone', 'Create database mgccomp': 'Done', 'Publish topology revision 1': 'Done' });
});

maybe('mgc and mgccomp on one instance are created one after the other (CREATE DATABASE locks model)', async (t) => {
  // The peer answers a CREATE DATABASE that arrives while another runs with 1807 then 1802, as SQL Server does.
  const w = await world(t, { complianceOnSql1: true, exclusiveModelLock: true, faults: { createDatabaseDelayMs: 300 } });
  const r = await run(publishArgs('-Force', '-Verbose'), { env: w.env });
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual([...w.sql1.created].sort(), ['mgc', 'mgccomp']);
  t.deepEqual([...w.sql1.createAttempts.values()], [1, 1], 'each CREATE DATABASE ran once: none met the lock');
  t.notRegex(r.stderr, /model is locked/);
});

maybe('Ctrl+C once every step has started: they finish, but no revision is written; exit 130 with PublishInterrupted', async (t) => {
  const { execa } = await import('execa');
  const { projectRoot } = await import('../support/cli.js');
  const w = await world(t);
  // The default throttle: the share's job and both databases start at once, so no step is left to refuse.
  const child = execa(path.join(projectRoot, 'bin', 'pchat'), publishArgs('-Force'), { env: w.env, reject: false, stdin: 'ignore' });
  // mgccomp's CREATE DATABASE is held 4 s; Ctrl+C comes 2.5 s into it, once the share's steps are done.
  w.sql2.faults.createDatabaseDelayMs = 4000;
  w.sql2.faults.onCreateDatabase = () => void setTimeout(() => child.kill('SIGINT'), 2500);
  const r = await child;
  t.is(r.exitCode, 130, String(r.stderr));
  t.regex(String(r.stderr), /PublishInterrupted,Publish-Topology/);
  t.regex(String(r.stderr), /revision 1 was not written, and published revision \(none\) is still the one in force/);
  t.notRegex(String(r.stdout), /"Status":"Published"/);
  t.deepEqual(w.sql2.created, ['mgccomp'], 'the step in flight finished');
  t.is((await run(['Get-TopologyRevision'], { env: w.env })).objects.length, 0, 'no revision was written');

  w.sql2.faults.onCreateDatabase = undefined;
  const second = await run(publishArgs('-Force'), { env: w.env });
  t.is(second.exitCode, 0, second.stderr);
  t.like(second.objects[0], { Status: 'Published', Revision: 1 });
});

maybe('Ctrl+C during the checks: nothing is changed, exit 130', async (t) => {
  const { execa } = await import('execa');
  const { projectRoot } = await import('../support/cli.js');
  const w = await world(t, { faults: { queryDelayMs: 1500 } });
  const before = await state(w);
  const sent = () => w.sql1.stats.statements.length + w.sql2.stats.statements.length;
  const before0 = sent();
  const child = execa(path.join(projectRoot, 'bin', 'pchat'), publishArgs('-Force'), { env: w.env, reject: false, input: '' });
  // Ctrl+C once a check's query is held at a SQL store (not after a fixed time: a slow start would
  // then be killed before the command listens for it).
  const checking = () => sent() > before0;
  for (let i = 0; i < 1000 && !checking(); i++) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGINT');
  const r = await child;
  t.is(r.exitCode, 130, String(r.stderr));
  t.regex(String(r.stderr), /Stopping at the next safe point/);
  t.is(await state(w), before);
  t.is((await run(['Get-TopologyRevision'], { env: w.env })).objects.length, 0);
});

maybe('SIGTERM during the checks (timeout, a scheduler): exit 143, reported as an interruption, not as failed checks', async (t) => {
  const { execa } = await import('execa');
  const { projectRoot } = await import('../support/cli.js');
  // The SQL checks are held, so the command is still checking when the file store's Samba tool runs.
  const w = await world(t, { faults: { queryDelayMs: 1000 } });
  const before = await state(w);
  const child = execa(path.join(projectRoot, 'bin', 'pchat'), publishArgs('-Force'), { env: w.env, reject: false, stdin: 'ignore' });
  // SIGTERM once a Samba tool of the checks runs: the command stops it, and that tool's failure is not the environment's.
  await childRunning(child.pid!, /^\S*(smbclient|smbcacls|rpcclient) /);
  child.kill('SIGTERM');
  const r = await child;
  t.is(r.exitCode, 143, String(r.stderr));
  t.regex(String(r.stderr), /PublishInterrupted,Publish-Topology/);
  t.regex(String(r.stderr), /interrupted \(SIGTERM\) before any change/);
  t.notRegex(String(r.stderr), /check\(s\) failed|EXIT_SIGNAL/);
  t.is((await run(['Get-TopologyRevision'], { env: w.env })).objects.length, 0);
  t.is(await state(w), before);
});

maybe('SIGTERM while the pool folder is being created: the folder and its DACL finish as one unit, never the inherited ACL', async (t) => {
  const { execa } = await import('execa');
  const { projectRoot } = await import('../support/cli.js');
  const w = await world(t);
  const child = execa(path.join(projectRoot, 'bin', 'pchat'), publishArgs('-Force', '-SkipDatabase'), { env: w.env, reject: false, stdin: 'ignore' });
  await childRunning(child.pid!, /^\S*smbclient .*mkdir/);
  child.kill('SIGTERM');
  const r = await child;
  t.is(r.exitCode, 143, String(r.stderr));
  t.regex(String(r.stderr), /interrupted \(SIGTERM\)/);
  t.notRegex(String(r.stderr), /could not be removed again|EXIT_SIGNAL/);
  const acl = await samba.smbcacls(w.share, FOLDER, ['--numeric']);
  t.is(acl.stdout.split('\n').filter((l) => l.startsWith('ACL:')).length, 5, `the folder stands with the policy: ${acl.stdout}${acl.stderr}`);
  t.is((await run(['Get-TopologyRevision'], { env: w.env })).objects.length, 0, 'no revision was written');
});

maybe('SIGTERM while the checks write their probe file: the probe file is removed all the same', async (t) => {
  const { execa } = await import('execa');
  const { projectRoot } = await import('../support/cli.js');
  const { watch } = await import('node:fs');
  const w = await world(t);
  const dir = path.join(samba.base, 'shares', w.share);
  const child = execa(path.join(projectRoot, 'bin', 'pchat'), publishArgs('-Force', '-SkipDatabase'), { env: w.env, reject: false, stdin: 'ignore' });
  // SIGTERM the moment the probe file appears: its session is stopped before it deletes the file.
  // Once only: a second SIGTERM exits at once, by design.
  let sent = false;
  const watcher = watch(dir, (_e, name) => {
    if (!sent && String(name).startsWith('pchat-probe-')) sent = child.kill('SIGTERM');
  });
  const r = await child;
  watcher.close();
  t.is(r.exitCode, 143, String(r.stderr));
  t.deepEqual((await readdir(dir)).filter((n) => n.startsWith('pchat-probe-')), [], 'a probe file was left on the share');
});

maybe("Ctrl+C at a terminal while the pool folder is being created: the folder stands with the policy or not at all, and the error says which", async (t) => {
  const { execa } = await import('execa');
  const { projectRoot } = await import('../support/cli.js');
  const w = await world(t);
  // A terminal's Ctrl+C reaches the whole process group, the Samba tools too: a group of its own here.
  const child = execa(path.join(projectRoot, 'bin', 'pchat'), publishArgs('-Force', '-SkipDatabase'), { env: w.env, reject: false, stdin: 'ignore', detached: true });
  await childRunning(child.pid!, /^\S*smbclient .*mkdir/);
  process.kill(-child.pid!, 'SIGINT');
  const r = await child;
  t.is(r.exitCode, 130, String(r.stderr));
  const acl = await samba.smbcacls(w.share, FOLDER, ['--numeric']);
  const aces = acl.stdout.split('\n').filter((l) => l.startsWith('ACL:')).length;
  if (acl.code === 0) t.is(aces, 5, `a folder stands without the policy: ${acl.stdout}`);
  else t.notRegex(String(r.stderr), /Kept from this run: folder|could not be removed again/, 'the error tells of a folder that is not there');
  t.is((await run(['Get-TopologyRevision'], { env: w.env })).objects.length, 0, 'no revision was written');
});

maybe('a DACL that cannot be set: the folder this run created is removed again, no database is created, the old revision stays; a rerun completes', async (t) => {
  // In process, with an SMB backend whose DACL call fails: nothing on the command line or in the environment can do this.
  const [{ publishTopology }, { sambaBackend }, { ErrorRecord }, { openRepository }] = await Promise.all([
    import('../../lib/publish/apply.js'),
    import('../../lib/probes/smb/samba-backend.js'),
    import('../../lib/cmdlet/errors.js'),
    import('../../lib/topology/store.js'),
  ]);
  const w = await world(t);
  const before = await state(w);
  let dacls = 0;
  const failing = {
    ...sambaBackend,
    setDacl: async () => {
      dacls++;
      throw new ErrorRecord({ errorId: 'InjectedFault', category: 'InvalidOperation', target: FOLDER, message: 'The DACL could not be set (injected fault).', recommendedAction: '' });
    },
  };
  const quiet = { verbose() {}, debug() {}, info() {}, warning() {}, error() {} };
  const options = {
    repository: openRepository(w.repo),
    runId: 'in-process',
    log: quiet,
    smbCredential: { userName: samba.users.admin.name, password: samba.users.admin.password },
    sqlCredential: { userName: 'pchatadmin', password: SQL_PASSWORD },
    trustServerCertificate: true,
    timeoutMs: 10_000,
    concurrency: 8,
    whatIf: false,
    confirm: async () => true,
    showPlan: async () => {},
  };
  const e = await t.throwsAsync(publishTopology({ ...options, smbBackend: failing }));
  t.is(dacls, 1);
  t.regex(e!.message, /PublishStepFailed|Set permissions/);
  t.regex(e!.message, /was removed again/);
  const result = (e as unknown as { result: { Status: string; Steps: { Step: string; Status: string; Details: string }[]; Created: string[] } }).result;
  t.is(result.Status, 'Failed');
  const step = Object.fromEntries(result.Steps.map((s) => [s.Step, s]));
  t.like(step[`Create folder ${FOLDER}`], { Status: 'RolledBack' });
  t.regex(step[`Create folder ${FOLDER}`]!.Details, /removed it again/);
  t.like(step[`Set permissions on ${FOLDER} to the built-in file store policy`], { Status: 'Failed' });
  t.like(step['Create database mgc'], { Status: 'NotRun' });
  t.deepEqual(result.Created, []);
  t.is(await state(w), before, 'the folder, a database or a revision was left behind');

  // A DACL call that throws something else (a bug, not the server's refusal) undoes the folder too.
  const broken = { ...sambaBackend, setDacl: async () => Promise.reject(new TypeError('unexpected')) };
  const e2 = await t.throwsAsync(publishTopology({ ...options, smbBackend: broken }));
  t.regex(e2!.message, /unexpected.*was removed again/);
  t.is(await state(w), before);

  const again = await publishTopology(options);
  t.is(again.Status, 'Published');
  t.true(again.Steps.every((s) => s.Status === 'Done'), JSON.stringify(again.Steps));
  t.deepEqual(again.Created, [`folder \\\\${FS_HOST}\\${w.share}\\${FOLDER}`, 'database mgc on sql01.pchat.test', 'database mgccomp on sql02.pchat.test']);
});

maybe('after a publish, Test-FileStore with an account in no group that gives Modify is told which policy group does, never to grant itself rights', async (t) => {
  const w = await world(t);
  const published = await run(publishArgs('-Force', '-SkipDatabase'), { env: w.env });
  t.is(published.exitCode, 0, published.stderr);
  // pchatreader is only in RTCUniversalConfigReplicator, which the policy gives Read & execute.
  const r = await run(['Test-FileStore', '-PoolFqdn', POOL, '-Credential', samba.users.reader.name], { env: { ...w.env, PCHAT_SMB_PASSWORD: samba.users.reader.password } });
  t.is(r.exitCode, 3, r.stderr);
  const failed = r.objects.filter((o: { Status: string }) => o.Status === 'Failed');
  t.true(failed.length > 0);
  t.regex(failed.find((o: { Check: string }) => o.Check === 'Effective rights')?.RecommendedAction ?? '', /RTCHSUniversalServices/);
  for (const row of failed) {
    t.regex(row.RecommendedAction, /publish policy \(.*(RTCHSUniversalServices|Administrators)/, `${row.Check}: ${row.RecommendedAction}`);
    t.notRegex(row.RecommendedAction, new RegExp(`Grant ${samba.users.reader.name}`), `${row.Check} advises a grant publish would remove`);
  }
  // The share root is not held to the pool folders' policy.
  const root = await run(['Test-FileStore', '-Path', `\\\\${FS_HOST}\\${w.share}`, '-Credential', samba.users.admin.name], { env: w.env });
  t.like(root.objects.find((o: { Check: string }) => o.Check === 'Policy principals'), { Status: 'Skipped' });
  t.notRegex(JSON.stringify(root.objects.find((o: { Check: string }) => o.Check === 'Publish policy ACEs')), /drifted/);
});
