// Effective access (Windows' order), the publish policy table and its comparison, and the
// dangerous-ACE rule, on descriptors parsed from recorded smbcacls output.
import test from 'ava';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { effectiveAccess, NETWORK_LOGON_SIDS } from '../../lib/probes/dacl/access.js';
import { parseSmbcacls } from '../../lib/probes/dacl/smbcacls.js';
import { Mask, Right, describeMask, hasAll, rightNames } from '../../lib/probes/dacl/masks.js';
import { canonicalOrder, isCanonical, mergeNames, type Ace, type SecurityDescriptor } from '../../lib/probes/dacl/model.js';
import { PUBLISH_POLICY, comparePolicy, dangerousAces, loadPolicy, matchesPolicyExactly, policyAces, POLICY_ENV_VAR } from '../../lib/probes/dacl/policy.js';
import { SID } from '../../lib/probes/dacl/sids.js';
import { ErrorRecord } from '../../lib/cmdlet/errors.js';
import { DOMAIN_SID, DENIED_FOLDER_NAMED, DENIED_FOLDER_NUMERIC_X } from '../support/recorded-smbcacls.js';

const D = DOMAIN_SID;
const USER = `${D}-1003`;
const ADMINS_GROUP = `${D}-1103`;

// Recorded: the policy folder plus a deny for one member of RTCUniversalServerAdmins.
const SD = mergeNames(parseSmbcacls(DENIED_FOLDER_NUMERIC_X).sd, parseSmbcacls(DENIED_FOLDER_NAMED).sd);

const token = (...sids: string[]) => [...sids, ...NETWORK_LOGON_SIDS];

test('an explicit deny evaluated first takes rights away from a group allow (Samba reported 0x1200a9)', (t) => {
  const r = effectiveAccess(SD, token(USER, ADMINS_GROUP));
  t.is(r.granted, 0x1200a9);
  t.is(r.denied, 0x10116);
  t.deepEqual(r.applied.map((x) => x.index), [0, 4]);
  t.false(hasAll(r.granted, Mask.Modify));
  t.deepEqual(rightNames(Mask.Modify & ~r.granted), ['write data', 'append data', 'write EA', 'write attributes', 'DELETE']);
});

test('the same group member without the deny has Modify; an unrelated account has nothing', (t) => {
  t.is(effectiveAccess(SD, token(`${D}-1005`, ADMINS_GROUP)).granted, Mask.Modify);
  t.is(effectiveAccess(SD, token(`${D}-1006`)).granted, 0);
});

test('ACEs are evaluated in stored order: an allow stored before a deny keeps its rights', (t) => {
  const allowFirst: SecurityDescriptor = {
    control: 0x8004,
    dacl: [
      { sid: ADMINS_GROUP, type: 'Allowed', flags: 0, mask: Mask.Modify },
      { sid: USER, type: 'Denied', flags: 0, mask: 0x10116 },
    ],
  };
  t.false(isCanonical(allowFirst.dacl!));
  t.is(effectiveAccess(allowFirst, token(USER, ADMINS_GROUP)).granted, Mask.Modify);
  // Put in canonical order (what Windows tools and smbcacls --set write), the deny wins again.
  const canonical = { ...allowFirst, dacl: canonicalOrder(allowFirst.dacl!) };
  t.true(isCanonical(canonical.dacl));
  t.is(effectiveAccess(canonical, token(USER, ADMINS_GROUP)).granted, 0x1200a9);
});

test('canonical order is explicit deny, explicit allow, inherited deny, inherited allow', (t) => {
  const a = (type: Ace['type'], inherited: boolean, n: number): Ace => ({ sid: `S-1-5-21-1-2-3-${n}`, type, flags: inherited ? 0x10 : 0, mask: 1 });
  const mixed = [a('Allowed', true, 1), a('Denied', true, 2), a('Allowed', false, 3), a('Denied', false, 4)];
  t.deepEqual(canonicalOrder(mixed).map((x) => x.sid!.split('-').pop()), ['4', '3', '2', '1']);
});

test('inherit-only ACEs do not apply to the folder itself', (t) => {
  const sd: SecurityDescriptor = { control: 0x8004, dacl: [{ sid: SID.CreatorOwner, type: 'Allowed', flags: 0xb, mask: Mask.FullControl }, { sid: ADMINS_GROUP, type: 'Allowed', flags: 0xb, mask: Mask.FullControl }] };
  t.is(effectiveAccess(sd, token(ADMINS_GROUP)).granted, 0);
});

test('the owner may read and change the DACL unless an OWNER RIGHTS ACE says otherwise', (t) => {
  const sd: SecurityDescriptor = { control: 0x8004, owner: { sid: USER }, dacl: [] };
  t.is(effectiveAccess(sd, token(USER)).granted, Right.ReadControl | Right.WriteDac);
  const restricted: SecurityDescriptor = { ...sd, dacl: [{ sid: SID.OwnerRights, type: 'Allowed', flags: 0, mask: Right.ReadControl }] };
  t.is(effectiveAccess(restricted, token(USER)).granted, Right.ReadControl);
  t.is(effectiveAccess(sd, token(`${D}-2000`)).granted, 0, 'an empty DACL grants nobody else anything');
});

test('a NULL DACL grants everyone full control; generic rights map to file rights', (t) => {
  t.is(effectiveAccess({ control: 0x8000, dacl: null }, token()).granted, Mask.FullControl);
  const generic: SecurityDescriptor = { control: 0x8004, dacl: [{ sid: SID.Everyone, type: 'Allowed', flags: 0, mask: Right.GenericRead | Right.GenericExecute }] };
  t.is(effectiveAccess(generic, token()).granted, 0x1200a9);
});

test('delete-child and list on the parent add DELETE and read-attributes, as the file system does', (t) => {
  const sd: SecurityDescriptor = { control: 0x8004, dacl: [{ sid: USER, type: 'Denied', flags: 0, mask: Right.Delete }, { sid: USER, type: 'Allowed', flags: 0, mask: Right.ReadData }] };
  t.is(effectiveAccess(sd, token(USER)).granted, Right.ReadData);
  t.is(effectiveAccess(sd, token(USER), { parentAccess: Right.DeleteChild | Right.ReadData }).granted, Right.ReadData | Right.Delete | Right.ReadAttributes);
});

test('masks read as Windows names them', (t) => {
  t.is(describeMask(Mask.FullControl), 'Full control');
  t.is(describeMask(Mask.Modify), 'Modify');
  t.is(describeMask(0x1200a9), 'Read & execute');
  t.is(describeMask(0x1200a9 | Right.WriteDac), 'Read & execute + WRITE_DAC');
  t.is(describeMask(0), 'no access');
});

test('the publish policy is one table: three groups Modify, Administrators Full control, replicators Read', (t) => {
  t.deepEqual(
    PUBLISH_POLICY.map((p) => `${p.principal}=${p.access}`),
    ['RTCHSUniversalServices=Modify', 'RTCComponentUniversalServices=Modify', 'RTCUniversalServerAdmins=Modify', 'BUILTIN\\Administrators=FullControl', 'RTCUniversalConfigReplicator=ReadAndExecute'],
  );
  t.true(Object.isFrozen(PUBLISH_POLICY));
});

test('the recorded folder has every ACE publish sets (matched by name under any domain, Administrators by SID)', (t) => {
  const cmp = comparePolicy(SD, PUBLISH_POLICY);
  t.true(cmp.ok, JSON.stringify(cmp.findings));
  t.deepEqual(cmp.extra.map((a) => a.name), ['CONTOSO\\pchatdenied']);
  t.false(matchesPolicyExactly(SD, PUBLISH_POLICY, true), 'the extra deny means it is not exactly the policy');
  const exact = { ...SD, dacl: SD.dacl!.slice(1) };
  t.true(matchesPolicyExactly(exact, PUBLISH_POLICY, true));
  t.false(matchesPolicyExactly(exact, PUBLISH_POLICY, false), 'not protected: the parent could add ACEs');
});

test('drift is reported per principal: missing ACEs, different rights or inheritance, and denies', (t) => {
  const drifted: SecurityDescriptor = {
    control: 0x9004,
    dacl: [
      { sid: SID.Administrators, name: 'BUILTIN\\Administrators', type: 'Allowed', flags: 3, mask: Mask.FullControl },
      { sid: `${D}-1101`, name: 'CONTOSO\\RTCHSUniversalServices', type: 'Allowed', flags: 3, mask: Mask.ReadAndExecute },
      { sid: `${D}-1103`, name: 'CONTOSO\\RTCUniversalServerAdmins', type: 'Allowed', flags: 0, mask: Mask.Modify },
      { sid: `${D}-1104`, name: 'CONTOSO\\RTCUniversalConfigReplicator', type: 'Allowed', flags: 3, mask: Mask.ReadAndExecute },
      { sid: `${D}-1104`, name: 'CONTOSO\\RTCUniversalConfigReplicator', type: 'Denied', flags: 3, mask: Right.ReadData },
    ],
  };
  const cmp = comparePolicy(drifted, PUBLISH_POLICY);
  t.false(cmp.ok);
  t.deepEqual(
    cmp.findings.map((f) => `${f.principal}:${f.problem}`),
    ['RTCHSUniversalServices:different', 'RTCComponentUniversalServices:missing', 'RTCUniversalServerAdmins:different', 'RTCUniversalConfigReplicator:different'],
  );
  t.regex(cmp.findings[0]!.expected, /Modify \(0x001301bf\)/);
  t.regex(cmp.findings[0]!.actual, /Read & execute/);
});

test('a domain-qualified policy principal matches only that domain', (t) => {
  const cmp = comparePolicy(SD, [{ principal: 'FABRIKAM\\RTCHSUniversalServices', access: 'Modify' }]);
  t.deepEqual(cmp.findings.map((f) => f.problem), ['missing']);
  t.true(comparePolicy(SD, [{ principal: 'contoso\\rtchsuniversalservices', access: 'Modify' }]).ok);
});

test('the ACEs applying the policy writes are exactly the table, inheritable to subfolders and files', (t) => {
  t.deepEqual(policyAces(PUBLISH_POLICY)[3], { name: 'BUILTIN\\Administrators', sid: SID.Administrators, type: 'Allowed', flags: 3, mask: Mask.FullControl });
  t.true(policyAces(PUBLISH_POLICY).every((a) => a.flags === 3 && a.type === 'Allowed'));
});

test('the policy can be overridden by a JSON file (parameter or PCHAT_FILESTORE_POLICY); bad files are clear errors', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pchat-policy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const good = path.join(dir, 'policy.json');
  await writeFile(good, JSON.stringify([{ principal: 'PChatFileAdmins', access: 'FullControl' }, { principal: 'Everyone', sid: 'S-1-1-0', access: 0x1200a9, inheritance: 2 }]));
  t.deepEqual(await loadPolicy(good), [
    { principal: 'PChatFileAdmins', access: 'FullControl' },
    { principal: 'Everyone', sid: 'S-1-1-0', access: 0x1200a9, inheritance: 2 },
  ]);
  t.deepEqual(await loadPolicy(undefined), [...PUBLISH_POLICY]);
  const bad = path.join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify([{ principal: 'X', access: 'Everything' }]));
  const e1 = await t.throwsAsync(loadPolicy(bad), { instanceOf: ErrorRecord });
  t.is(e1!.errorId, 'FileStorePolicyInvalid');
  t.regex(e1!.message, /entry 0 has an invalid access 'Everything'/);
  const notJson = path.join(dir, 'x.json');
  await writeFile(notJson, '{');
  t.is((await t.throwsAsync(loadPolicy(notJson), { instanceOf: ErrorRecord }))!.errorId, 'FileStorePolicyInvalid');
  t.is((await t.throwsAsync(loadPolicy(path.join(dir, 'none.json')), { instanceOf: ErrorRecord }))!.errorId, 'FileStorePolicyNotFound');
  t.is(POLICY_ENV_VAR, 'PCHAT_FILESTORE_POLICY');
});

test('write access for Everyone, Authenticated Users or Domain Users is dangerous; read access is noted', (t) => {
  const sd: SecurityDescriptor = {
    control: 0x8004,
    dacl: [
      { sid: SID.Everyone, name: 'Everyone', type: 'Allowed', flags: 3, mask: Mask.FullControl },
      { sid: SID.AuthenticatedUsers, type: 'Allowed', flags: 0x13, mask: Mask.ReadAndExecute },
      { sid: `${D}-513`, type: 'Allowed', flags: 0, mask: Right.AppendData },
      { sid: SID.Everyone, type: 'Denied', flags: 0, mask: Mask.FullControl },
      { sid: `${D}-1101`, type: 'Allowed', flags: 3, mask: Mask.Modify },
    ],
  };
  t.deepEqual(
    dangerousAces(sd).map((d) => [d.index, d.level]),
    [
      [0, 'write'],
      [1, 'read'],
      [2, 'write'],
    ],
  );
  t.deepEqual(dangerousAces(SD), []);
  t.is(dangerousAces({ control: 0x8000, dacl: null })[0]!.level, 'write', 'no DACL at all is Everyone:Full');
});
