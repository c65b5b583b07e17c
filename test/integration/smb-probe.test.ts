// The SMB and DACL probes against a real smbd (test/support/samba.ts): every case of issue 3,
// each asserting the exact check row that must pass or fail.
import test from 'ava';
import { sambaUnavailable, startSamba, silentListener, GROUPS, POLICY_ACES, type SambaFixture, type UserKey } from '../support/samba.js';
import { testFileStore, applyPolicy, applyPolicies, ensureFolder, ensureFolders, readSecurityDescriptor, CHECK, type SmbTarget } from '../../lib/probes/smb/index.js';
import { effectiveAccess, NETWORK_LOGON_SIDS } from '../../lib/probes/dacl/access.js';
import { parseSmbcacls } from '../../lib/probes/dacl/smbcacls.js';
import { Mask, Right, hex } from '../../lib/probes/dacl/masks.js';
import { isProtected } from '../../lib/probes/dacl/model.js';
import { PUBLISH_POLICY } from '../../lib/probes/dacl/policy.js';
import { ErrorRecord } from '../../lib/cmdlet/errors.js';
import { forgetNames } from '../../lib/probes/smb/samba-backend.js';
import { forgetLogons } from '../../lib/probes/smb/logon-gate.js';
import type { CheckRow } from '../../lib/probes/types.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

const skip = sambaUnavailable('integration/smb-probe (a real smbd)');
const it = skip ? test.skip : test;
const serial = skip ? test.serial.skip : test.serial;

const SHARE = 'pchat';
const HEALTHY = '1-PersistentChatService-1';
const DENIED = '1-PersistentChatService-2';
const DRIFTED = '1-PersistentChatService-3';
const TO_APPLY = '1-PersistentChatService-4';
const OPEN_SHARE = 'wideopen';

const G = GROUPS;

let samba: SambaFixture;

test.before(async () => {
  if (skip) return;
  samba = await startSamba();
  await samba.addShare(SHARE);
  // Share root: what a file server admin would set before the first publish.
  await samba.setAcl(SHARE, '\\', [
    `ACL:${G.Administrators.sid}:ALLOWED/OI|CI/FULL`,
    `ACL:${G.RTCHSUniversalServices.sid}:ALLOWED/OI|CI/0x001301bf`,
    `ACL:${G.RTCUniversalServerAdmins.sid}:ALLOWED/OI|CI/0x001301bf`,
    `ACL:${G.RTCUniversalConfigReplicator.sid}:ALLOWED/OI|CI/READ`,
  ]);
  for (const f of [HEALTHY, DENIED, DRIFTED, TO_APPLY]) await samba.mkdir(SHARE, f);
  await samba.setAcl(SHARE, HEALTHY, POLICY_ACES, { protect: true });
  // RTCUniversalServerAdmins may modify, but this one member is explicitly denied writing and deleting.
  await samba.setAcl(SHARE, DENIED, [...POLICY_ACES, `ACL:${samba.users.denied.sid}:DENIED/OI|CI/0x00010116`], { protect: true });
  await samba.setAcl(SHARE, DRIFTED, [`ACL:${G.Administrators.sid}:ALLOWED/OI|CI/FULL`, `ACL:${G.RTCHSUniversalServices.sid}:ALLOWED/OI|CI/READ`], { protect: true });
  await samba.setAcl(SHARE, TO_APPLY, [`ACL:${G.Administrators.sid}:ALLOWED/OI|CI/FULL`, 'ACL:S-1-1-0:ALLOWED/OI|CI/READ']);
  await samba.addShare(OPEN_SHARE);
  await samba.setAcl(OPEN_SHARE, '\\', ['ACL:S-1-1-0:ALLOWED/OI|CI/FULL', `ACL:${G.Administrators.sid}:ALLOWED/OI|CI/FULL`]);
});

test.after.always(async () => {
  if (samba) await samba.dispose();
});

function target(user: UserKey, over: Partial<SmbTarget> = {}): SmbTarget {
  return { server: samba.ip, share: SHARE, credential: { userName: samba.users[user].name, password: samba.users[user].password }, timeoutMs: 10_000, ...over };
}

function row(rows: CheckRow[], check: string): CheckRow {
  const r = rows.find((x) => x.Check === check);
  if (!r) throw new Error(`no row '${check}' in ${rows.map((x) => x.Check).join(', ')}`);
  return r;
}
const statuses = (rows: CheckRow[]) => Object.fromEntries(rows.map((r) => [r.Check, r.Status]));

async function probeFilesIn(folder: string): Promise<string[]> {
  const r = await samba.smbclient(SHARE, `ls "${folder ? folder + '\\' : ''}*"`);
  return [...r.stdout.matchAll(/pchat-probe-\S+/g)].map((m) => m[0]);
}

/**
 * The files left in `folder` by the probe of `rows` (its round-trip row names the probe file). Only
 * its own: other tests probe the same folders at the same time, and theirs may be there for a moment.
 */
async function leftBy(rows: CheckRow[], folder: string): Promise<string[]> {
  const details = row(rows, CHECK.roundTrip).Details;
  const id = /pchat-probe-([0-9a-f]{12})/.exec(details)?.[1];
  if (!id) throw new Error(`the round-trip row names no probe file: ${details}`);
  return (await probeFilesIn(folder)).filter((f) => f.includes(id));
}

it('a healthy share with the publish policy applied passes every check, one row each, in order', async (t) => {
  const rows = await testFileStore(target('admin'), { folder: HEALTHY, published: true }, `\\\\fs01\\${SHARE}`);
  t.deepEqual(
    rows.map((r) => r.Check),
    [CHECK.dns, CHECK.tcp, CHECK.auth, CHECK.share, CHECK.folder, CHECK.roundTrip, CHECK.principals, CHECK.dacl, CHECK.rights, CHECK.publish, CHECK.policy, CHECK.dangerous],
  );
  for (const r of rows) t.is(r.Status, 'Passed', `${r.Check}: ${r.Details}`);
  t.true(rows.every((r) => r.Target === `\\\\fs01\\${SHARE}` && Number.isInteger(r.DurationMs)));
  t.regex(row(rows, CHECK.rights).Details, /Full control \(0x001f01ff\)/);
  t.regex(row(rows, CHECK.policy).Details, /all 5 ACEs/);
  t.deepEqual(await leftBy(rows, HEALTHY), [], 'the probe file is gone');
});

it('an account with Modify but not WRITE_DAC can run but not publish', async (t) => {
  const rows = await testFileStore(target('svc'), { folder: HEALTHY });
  t.is(row(rows, CHECK.roundTrip).Status, 'Passed');
  const rights = row(rows, CHECK.rights);
  t.is(rights.Status, 'Passed');
  t.regex(rights.Details, /Modify \(0x001301bf\)/);
  const publish = row(rows, CHECK.publish);
  t.is(publish.Status, 'Failed');
  t.regex(publish.Details, /lacks WRITE_DAC/);
  t.regex(publish.RecommendedAction, /Full control/);
});

it('a read-only account fails the write round trip and the rights check, and leaves no probe file', async (t) => {
  const rows = await testFileStore(target('reader'), { folder: HEALTHY });
  t.is(row(rows, CHECK.auth).Status, 'Passed');
  const rt = row(rows, CHECK.roundTrip);
  t.is(rt.Status, 'Failed');
  t.regex(rt.Details, /cannot create a file.*NT_STATUS_ACCESS_DENIED/);
  const rights = row(rows, CHECK.rights);
  t.is(rights.Status, 'Failed');
  t.regex(rights.Details, /Read & execute \(0x001200a9\)/);
  t.regex(rights.Details, /write data/);
  t.is(row(rows, CHECK.publish).Status, 'Failed');
  t.deepEqual(await leftBy(rows, HEALTHY), []);
});

it('an explicit deny overrides a group allow, and the computed rights equal smbcacls -x Maximum access', async (t) => {
  const user = samba.users.denied;
  const rows = await testFileStore(target('denied'), { folder: DENIED });
  const rt = row(rows, CHECK.roundTrip);
  t.is(rt.Status, 'Failed');
  t.regex(rt.Details, /NT_STATUS_ACCESS_DENIED/);
  t.is(row(rows, CHECK.rights).Status, 'Failed');

  // Samba's own verdict for this account, read with the fixture's smbcacls.
  const serverMax = await samba.maximumAccess(SHARE, DENIED, 'denied');
  const parentMax = await samba.maximumAccess(SHARE, '\\', 'denied');
  // The DACL as the probe reads it, evaluated for the account's SIDs in Windows' order.
  const sd = await readSecurityDescriptor(target('admin'), DENIED);
  const computed = effectiveAccess(sd, [user.sid, ...user.groupSids, ...NETWORK_LOGON_SIDS], { parentAccess: parentMax });
  t.is(hex(computed.granted), hex(serverMax));
  t.is(computed.granted & (Right.WriteData | Right.AppendData | Right.Delete), 0, 'the deny took write and delete away');
  t.is(computed.granted & Right.ReadData, Right.ReadData, 'the group allow still grants reading');
  t.is(computed.applied[0]!.ace.type, 'Denied', 'the explicit deny is evaluated first');
  // Without the deny the group allow would have given Modify.
  const withoutDeny = effectiveAccess({ ...sd, dacl: sd.dacl!.filter((a) => a.type !== 'Denied') }, [user.sid, ...user.groupSids, ...NETWORK_LOGON_SIDS]);
  t.is(hex(withoutDeny.granted), hex(Mask.Modify));
  t.regex(row(rows, CHECK.rights).Details, new RegExp(hex(serverMax)));
});

it('a missing share fails "Share exists" with BAD_NETWORK_NAME and skips the rest', async (t) => {
  const rows = await testFileStore(target('admin', { share: 'nosuchshare' }), { folder: HEALTHY });
  t.is(row(rows, CHECK.auth).Status, 'Passed');
  const share = row(rows, CHECK.share);
  t.is(share.Status, 'Failed');
  t.regex(share.Details, /NT_STATUS_BAD_NETWORK_NAME/);
  t.regex(share.RecommendedAction, /Create the share 'nosuchshare'/);
  for (const c of [CHECK.folder, CHECK.roundTrip, CHECK.dacl, CHECK.rights, CHECK.publish, CHECK.policy, CHECK.dangerous]) t.is(row(rows, c).Status, 'Skipped');
});

it('a wrong password fails authentication and appears nowhere in rows, errors or logs', async (t) => {
  const bad = samba.wrongPassword;
  const tgt = target('admin', { credential: { userName: samba.users.admin.name, password: bad } });
  const rows = await testFileStore(tgt, { folder: HEALTHY });
  const auth = row(rows, CHECK.auth);
  t.is(auth.Status, 'Failed');
  t.regex(auth.Details, /NT_STATUS_LOGON_FAILURE/);
  t.regex(auth.RecommendedAction, /PCHAT_SMB_PASSWORD/);
  t.is(row(rows, CHECK.share).Status, 'Skipped');
  const err = await t.throwsAsync(readSecurityDescriptor(tgt, HEALTHY), { instanceOf: ErrorRecord });
  t.is(err!.errorId, 'SmbLogonFailed');
  const everything = JSON.stringify(rows) + JSON.stringify(err!.toJSON()) + err!.message + (await samba.logs());
  t.false(everything.includes(bad));
  t.true((await samba.logs()).length > 0, 'the server did log something');
});

serial('the password reaches smbclient and smbcacls on a pipe (PASSWD_FD), never their command line or environment', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pchat-wrap-'));
  const log = path.join(dir, 'calls.log');
  for (const tool of ['smbclient', 'smbcacls', 'rpcclient']) {
    const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    // Records each call's argv and environment, then runs the real tool (fd 3 passes through exec).
    await writeFile(path.join(dir, tool), `#!/bin/sh\nprintf '%s %s\\n' "${tool}" "$*" >> '${log}'\nenv >> '${log}'\n[ "$PASSWD_FD" = 3 ] && [ -z "$PASSWD" ] && echo "PASSWD_FD only" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  }
  process.env.PCHAT_SAMBA_BINDIR = dir;
  try {
    const rows = await testFileStore(target('admin'), { folder: HEALTHY });
    t.is(row(rows, CHECK.roundTrip).Status, 'Passed');
    t.is(row(rows, CHECK.rights).Status, 'Passed');
  } finally {
    delete process.env.PCHAT_SAMBA_BINDIR;
  }
  const calls = await readFile(log, 'utf8');
  await rm(dir, { recursive: true, force: true });
  const invocations = calls.split('\n').filter((l) => /^smb(client|cacls) /.test(l));
  t.true(invocations.some((l) => l.startsWith('smbclient ')) && invocations.some((l) => l.startsWith('smbcacls ')));
  t.is(calls.split('\n').filter((l) => l === 'PASSWD_FD only').length, invocations.length, 'every call read the password from fd 3');
  t.false(calls.includes(samba.users.admin.password), 'neither argv nor the environment holds the password');
  t.true(invocations.every((l) => l.includes(`-U ${samba.users.admin.name} `)));
});

serial('shares of one server: a wrong password is tried once, not once per share; a right one shares one smbclient session', async (t) => {
  const shares = ['multi1', 'multi2', 'multi3', 'multi4'];
  for (const s of shares) {
    await samba.addShare(s);
    await samba.setAcl(s, '\\', [`ACL:${G.Administrators.sid}:ALLOWED/OI|CI/FULL`]);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'pchat-count-'));
  const log = path.join(dir, 'calls.log');
  for (const tool of ['smbclient', 'smbcacls', 'rpcclient']) {
    const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    await writeFile(path.join(dir, tool), `#!/bin/sh\necho ${tool} >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  }
  const calls = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  process.env.PCHAT_SAMBA_BINDIR = dir;
  try {
    const wrong = shares.map((share) => ({ ...target('admin'), share, credential: { userName: samba.users.admin.name, password: 'Not-The-Password-1' } }));
    const before = await samba.failedLogons(samba.users.admin.name);
    const failed = await Promise.all(wrong.map((w) => testFileStore(w)));
    for (const rows of failed) t.is(row(rows, CHECK.auth).Status, 'Failed');
    t.regex(row(failed[1]!, CHECK.auth).Details, /first logon .* not tried again/);
    // Counted by the server: the calls that waited on the first logon loaded, but never logged on.
    t.is((await samba.failedLogons(samba.users.admin.name)) - before, 1, 'one failed logon for four shares');

    await writeFile(log, '');
    // A missing share among them: its failed tcon must not shift the others' parts of the session.
    const asked = [shares[0]!, 'nosuchshare', ...shares.slice(1)];
    const results = await Promise.all(asked.map((share) => testFileStore({ ...target('admin'), share })));
    t.is(row(results[1]!, CHECK.share).Status, 'Failed');
    const good = results.filter((_, i) => i !== 1);
    for (const rows of good) t.is(row(rows, CHECK.roundTrip).Status, 'Passed', JSON.stringify(rows));
    const used = await calls();
    t.is(used.filter((c) => c === 'smbclient').length, 1, 'the round trips shared one session');
    const reads = used.filter((c) => c === 'smbcacls').length;
    // The names are looked up once for the server; twice when the missing share's lookup, started
    // beside its read, happened to go first (it fails, and the next share takes over).
    t.true(reads >= asked.length && reads <= asked.length + 2, `one read per share, one name lookup (two at most) (${reads})`);
  } finally {
    delete process.env.PCHAT_SAMBA_BINDIR;
    await rm(dir, { recursive: true, force: true });
  }
  for (const s of shares) t.notRegex((await samba.smbclient(s, 'ls "*"')).stdout, /pchat-probe-/, `${s}: no probe file left`);
});

/** Runs `fn` with smbclient and smbcacls wrapped to log each call's arguments; returns its result and the calls. */
async function loggingCalls<T>(fn: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pchat-calls-'));
  const log = path.join(dir, 'calls.log');
  for (const tool of ['smbclient', 'smbcacls', 'rpcclient']) {
    const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    await writeFile(path.join(dir, tool), `#!/bin/sh\nprintf '%s %s\\n' "${tool}" "$*" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  }
  process.env.PCHAT_SAMBA_BINDIR = dir;
  // A new process's view: no names looked up, no logon proven.
  forgetNames();
  forgetLogons();
  try {
    const result = await fn();
    return { result, calls: (await readFile(log, 'utf8')).split('\n').filter(Boolean) };
  } finally {
    delete process.env.PCHAT_SAMBA_BINDIR;
    await rm(dir, { recursive: true, force: true });
  }
}

serial('the first folder of a server costs two Samba calls: one named read (logon, names, maximum access) and the session, which lists the SIDs', async (t) => {
  const { result: rows, calls } = await loggingCalls(() => testFileStore(target('admin'), { folder: HEALTHY }));
  t.deepEqual(Object.values(statuses(rows)).filter((s) => s !== 'Passed'), [], JSON.stringify(rows));
  const reads = calls.filter((c) => c.startsWith('smbcacls '));
  t.is(reads.length, 1, calls.join('\n'));
  t.notRegex(reads[0]!, /--numeric/);
  t.regex(reads[0]!, / -x /);
  t.is(calls.filter((c) => c.startsWith('smbclient ')).length, 1);
  // The policy's groups are named by the folder's own listing: proving they resolve costs no lookup.
  t.is(calls.filter((c) => c.startsWith('rpcclient ')).length, 0, calls.join('\n'));
  t.is(row(rows, CHECK.principals).Status, 'Passed');
  // Names from the named read, on the SIDs from the session: the policy's group names matched.
  t.regex(row(rows, CHECK.dacl).Details, new RegExp(`owner \\S+\\\\${samba.users.admin.name}\\b`));
  t.regex(row(rows, CHECK.rights).Details, /maximum access reported by the server/);
  t.regex(row(rows, CHECK.policy).Details, /has all 5 ACEs publish sets/);
});

serial('a folder whose parent the account cannot list: its SIDs come from a numeric read, and every check still passes', async (t) => {
  const share = 'nolist';
  await samba.addShare(share);
  await samba.mkdir(share, HEALTHY);
  await samba.setAcl(share, HEALTHY, POLICY_ACES, { protect: true });
  // The account may traverse the share root and read its permissions, but not list it.
  await samba.setAcl(share, '\\', [`ACL:${G.Administrators.sid}:ALLOWED/0x0/0x000200a0`]);
  const { result: rows, calls } = await loggingCalls(() => testFileStore(target('admin', { share }), { folder: HEALTHY }));
  t.deepEqual(Object.values(statuses(rows)).filter((s) => s !== 'Passed'), [], JSON.stringify(rows));
  const reads = calls.filter((c) => c.startsWith('smbcacls '));
  t.is(reads.length, 2, calls.join('\n'));
  t.true(reads.some((c) => c.includes('--numeric')), 'the SIDs were read directly');
  t.regex(row(rows, CHECK.policy).Details, /has all 5 ACEs publish sets/);
});

serial('a temporary folder whose path smbclient cannot carry is a clear error, not a broken session', async (t) => {
  const weird = await mkdtemp(path.join(tmpdir(), 'pchat;tmp-'));
  const prev = process.env.TMPDIR;
  process.env.TMPDIR = weird;
  try {
    const e = await t.throwsAsync(testFileStore(target('admin'), { folder: HEALTHY }), { instanceOf: ErrorRecord });
    t.is(e!.errorId, 'TempFolderUnusable');
    t.regex(e!.recommendedAction, /TMPDIR/);
  } finally {
    if (prev === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = prev;
    await rm(weird, { recursive: true, force: true });
  }
});

serial('a stopped server fails TCP reachability fast (connection refused); restarted, it passes again', async (t) => {
  await samba.stop();
  try {
    const start = performance.now();
    const rows = await testFileStore(target('admin'), { folder: HEALTHY });
    const elapsed = performance.now() - start;
    const tcp = row(rows, CHECK.tcp);
    t.is(tcp.Status, 'Failed');
    t.regex(tcp.Details, /refused the connection/);
    t.is(row(rows, CHECK.auth).Status, 'Skipped');
    // Far below the 15 s timeout a refused port must not wait for (generous: CI runs on 2 busy cores).
    t.true(elapsed < 5000, `took ${elapsed} ms`);
    // Bad input is the caller's error whatever the network says: not hidden behind the TCP row.
    const bad = await t.throwsAsync(testFileStore(target('admin'), { folder: 'a"b' }), { instanceOf: ErrorRecord });
    t.is(bad!.errorId, 'SmbPathInvalid');
  } finally {
    await samba.start();
  }
  // The next command is a new process: nothing remembered of the refused logon (in one run, the
  // gate keeps a session failure for 10 s; alone, this test would otherwise depend on that window).
  forgetLogons();
  const again = await testFileStore(target('admin'), { folder: HEALTHY });
  t.is(row(again, CHECK.auth).Status, 'Passed', row(again, CHECK.auth).Details);
  await samba.restart();
  t.is(row(await testFileStore(target('admin'), { folder: HEALTHY }), CHECK.roundTrip).Status, 'Passed', 'a restarted server serves again');
});

// Serial: it measures time (see the SQL probe's timing tests).
serial('a listener that accepts and never answers fails authentication within the timeout', async (t) => {
  const silent = await silentListener();
  t.teardown(() => silent.close());
  const timeoutMs = 1500;
  const start = performance.now();
  const rows = await testFileStore({ server: silent.ip, share: SHARE, credential: { userName: 'x', password: 'y' }, timeoutMs }, { folder: HEALTHY });
  const elapsed = performance.now() - start;
  t.is(row(rows, CHECK.tcp).Status, 'Passed');
  const auth = row(rows, CHECK.auth);
  t.is(auth.Status, 'Failed');
  t.regex(auth.Details, /no answer within 1\.5 s/);
  // Samba's own wait on a silent server is 20 s; the margin is for 2 busy cores in CI.
  t.true(elapsed < timeoutMs + 4000, `took ${elapsed} ms`);
  t.true(silent.accepted() >= 2, 'both the TCP check and smbcacls connected');
});

it('a share with Everyone:Full fails the dangerous-ACE check', async (t) => {
  const rows = await testFileStore(target('admin', { share: OPEN_SHARE }));
  const d = row(rows, CHECK.dangerous);
  t.is(d.Status, 'Failed');
  t.regex(d.Details, /Everyone Full control \(0x001f01ff\)/);
  t.regex(d.RecommendedAction, /Remove the ACEs for Everyone/);
});

it('policy drift on a published pool fails; before the first publish it only warns', async (t) => {
  const published = await testFileStore(target('admin'), { folder: DRIFTED, published: true });
  const p = row(published, CHECK.policy);
  t.is(p.Status, 'Failed');
  t.regex(p.Details, /has drifted/);
  t.regex(p.Details, /RTCHSUniversalServices different/);
  t.regex(p.Details, /RTCComponentUniversalServices missing/);
  const draft = await testFileStore(target('admin'), { folder: DRIFTED, published: false });
  t.is(row(draft, CHECK.policy).Status, 'Warning');
});

it('a pool folder that does not exist yet warns and checks where publish will create it', async (t) => {
  const rows = await testFileStore(target('admin'), { folder: '9-PersistentChatService-9' });
  t.is(row(rows, CHECK.folder).Status, 'Warning');
  t.regex(row(rows, CHECK.folder).Details, /does not exist yet/);
  t.is(row(rows, CHECK.roundTrip).Status, 'Passed');
  t.is(row(rows, CHECK.publish).Status, 'Passed');
  t.regex(row(rows, CHECK.publish).Details, /may create 9-PersistentChatService-9/);
  t.is(row(rows, CHECK.policy).Status, 'Warning');
  const onPublished = await testFileStore(target('admin'), { folder: '9-PersistentChatService-9', published: true });
  t.deepEqual([row(onPublished, CHECK.folder).Status, row(onPublished, CHECK.policy).Status], ['Failed', 'Failed']);
  t.deepEqual([...(await leftBy(rows, '')), ...(await leftBy(onPublished, ''))], []);
});

it('ensureFolder creates the pool folder once; applyPolicy sets exactly the policy, then changes nothing', async (t) => {
  t.is(await ensureFolder(target('admin'), '1-PersistentChatService-5'), 'created');
  t.is(await ensureFolder(target('admin'), '1-PersistentChatService-5'), 'exists');

  t.is(await applyPolicy(target('admin'), TO_APPLY), 'changed');
  t.is(await applyPolicy(target('admin'), TO_APPLY), 'unchanged');
  // Read back with the fixture's own smbcacls: exactly the five ACEs, protected.
  const listing = parseSmbcacls((await samba.smbcacls(SHARE, TO_APPLY, ['--numeric'])).stdout);
  t.true(isProtected(listing.sd));
  const got = listing.sd.dacl!.map((a) => `${a.sid} ${a.type} ${a.flags} ${hex(a.mask)}`).sort();
  const want = [
    `${G.RTCHSUniversalServices.sid} Allowed 3 ${hex(Mask.Modify)}`,
    `${G.RTCComponentUniversalServices.sid} Allowed 3 ${hex(Mask.Modify)}`,
    `${G.RTCUniversalServerAdmins.sid} Allowed 3 ${hex(Mask.Modify)}`,
    `${G.Administrators.sid} Allowed 3 ${hex(Mask.FullControl)}`,
    `${G.RTCUniversalConfigReplicator.sid} Allowed 3 ${hex(Mask.ReadAndExecute)}`,
  ].sort();
  t.deepEqual(got, want);
  t.is(PUBLISH_POLICY.length, want.length);
  const rows = await testFileStore(target('admin'), { folder: TO_APPLY, published: true });
  t.is(row(rows, CHECK.policy).Status, 'Passed');
  t.is(row(rows, CHECK.dangerous).Status, 'Passed', 'Everyone:READ went away with the policy');
});

it('several folders of one share: created in one go, each with its own outcome, then each set to exactly the policy', async (t) => {
  const [a, b, c] = ['2-PersistentChatService-1', '2-PersistentChatService-2', '2-PersistentChatService-3'];
  await samba.mkdir(SHARE, b); // exists already, and has drifted
  await samba.setAcl(SHARE, b, [`ACL:${G.Administrators.sid}:ALLOWED/OI|CI/FULL`, 'ACL:S-1-1-0:ALLOWED/OI|CI/FULL'], { protect: true });
  const made = await ensureFolders(target('admin'), [a, b, `${c}\\sub`]);
  t.deepEqual([...made.entries()], [[a, 'created'], [b, 'exists'], [`${c}\\sub`, 'created']]);
  // The read-only account may not create: its error names that folder, not the session.
  const refused = await ensureFolders(target('reader'), ['2-PersistentChatService-9']);
  const err = refused.get('2-PersistentChatService-9');
  t.true(err instanceof ErrorRecord);
  t.regex((err as ErrorRecord).message, /2-PersistentChatService-9/);

  const applied = await applyPolicies(target('admin'), [{ folder: a, justCreated: true }, { folder: b }, { folder: c }]);
  t.deepEqual([...applied.entries()], [[a, 'changed'], [b, 'changed'], [c, 'changed']]);
  for (const f of [a, b, c]) {
    const listing = parseSmbcacls((await samba.smbcacls(SHARE, f, ['--numeric'])).stdout);
    t.true(isProtected(listing.sd), `${f} is protected`);
    t.deepEqual(listing.sd.dacl!.map((x) => x.sid).sort(), Object.values(G).map((g) => g.sid).sort(), `${f} has exactly the policy's trustees`);
  }
  const again = await applyPolicies(target('admin'), [{ folder: a }, { folder: b }, { folder: c }]);
  t.deepEqual([...again.values()], ['unchanged', 'unchanged', 'unchanged']);
});

it('applyPolicy names the principal the file server cannot resolve', async (t) => {
  await samba.mkdir(SHARE, '1-PersistentChatService-6');
  const err = await t.throwsAsync(applyPolicy(target('admin'), '1-PersistentChatService-6', [{ principal: 'RTCNoSuchGroup', access: 'Modify' }]), { instanceOf: ErrorRecord });
  t.is(err!.errorId, 'FileStorePrincipalNotFound');
  t.is(err!.target, 'RTCNoSuchGroup');
});

it('statuses of the read-only account, all rows', async (t) => {
  // One look at the whole row set, so a change in any check's outcome shows up in review.
  const rows = await testFileStore(target('reader'), { folder: HEALTHY, published: true });
  t.deepEqual(statuses(rows), {
    [CHECK.dns]: 'Passed',
    [CHECK.tcp]: 'Passed',
    [CHECK.auth]: 'Passed',
    [CHECK.share]: 'Passed',
    [CHECK.folder]: 'Passed',
    [CHECK.roundTrip]: 'Failed',
    [CHECK.principals]: 'Passed',
    [CHECK.dacl]: 'Passed',
    [CHECK.rights]: 'Failed',
    [CHECK.publish]: 'Failed',
    [CHECK.policy]: 'Passed',
    [CHECK.dangerous]: 'Passed',
  });
});
