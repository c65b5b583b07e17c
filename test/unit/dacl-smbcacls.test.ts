// Parsers for what Samba's tools print, on outputs recorded from the test smbd (Samba
// 4.17.12, test/support/samba.ts), and how the Samba backend classifies their failures.
import test from 'ava';
import { parseSmbcacls, parseSmbcaclsAce, formatSmbcaclsAce } from '../../lib/probes/dacl/smbcacls.js';
import { parseShowacls } from '../../lib/probes/dacl/smbclient-showacls.js';
import { Control, isProtected, mergeNames, isCanonical } from '../../lib/probes/dacl/model.js';
import { formatSmbcaclsMask, parseSmbcaclsMask, Mask } from '../../lib/probes/dacl/masks.js';
import { assertSafeShare, runFailure, runSambaTool, credentialArgs } from '../../lib/probes/smb/samba-exec.js';
import { roundTrip } from '../../lib/probes/smb/samba-roundtrip.js';
import { ErrorRecord } from '../../lib/cmdlet/errors.js';
import type { SmbStage } from '../../lib/probes/smb/types.js';
import { DOMAIN_SID, DENIED_FOLDER_NAMED as NAMED, DENIED_FOLDER_NUMERIC_X as NUMERIC_X } from '../support/recorded-smbcacls.js';

const D = DOMAIN_SID;

// The share root: an inherit-only Creator Owner ACE and a well-known name.
const ROOT_NAMED = `REVISION:1
CONTROL:SR|DP
OWNER:CONTOSO\\pchatadmin
GROUP:Unix Group\\root
ACL:Everyone:ALLOWED/0x0/READ
ACL:Creator Owner:ALLOWED/OI|CI|IO/FULL
ACL:BUILTIN\\Administrators:ALLOWED/OI|CI/FULL
ACL:CONTOSO\\RTCHSUniversalServices:ALLOWED/OI|CI/RWXD
`;

// Recorded by the Samba lab (shared/docs/lab-samba.md): I flag, unresolvable SID, special letters.
const LAB_NAMED = `REVISION:1
CONTROL:SR|DP
OWNER:SMBTEST\\smbtest
GROUP:SMBTEST\\None
ACL:SMBTEST\\smbtest:ALLOWED/0x0/FULL
ACL:Creator Owner:ALLOWED/OI|CI|IO/FULL
ACL:Everyone:ALLOWED/OI|CI/READ
ACL:SMBTEST\\RTCHSUniversalServices:ALLOWED/I/RWXD
ACL:S-1-5-21-1111111111-2222222222-3333333333-1105:ALLOWED/OI|CI/FULL
ACL:Unix Group\\root:ALLOWED/0x0/RWX
`;

test('the named form: control letters, owner, group, and every ACE with its name, type, flags and mask', (t) => {
  const { sd, maximumAccess } = parseSmbcacls(NAMED);
  t.is(sd.revision, 1);
  t.is(sd.control, Control.SelfRelative | Control.DaclProtected | Control.DaclPresent);
  t.true(isProtected(sd));
  t.deepEqual(sd.owner, { name: 'CONTOSO\\pchatadmin' });
  t.is(maximumAccess, undefined);
  t.deepEqual(sd.dacl![0], { name: 'CONTOSO\\pchatdenied', type: 'Denied', flags: 3, mask: 0x00010116 });
  t.deepEqual(
    sd.dacl!.slice(1).map((a) => [a.name, a.mask]),
    [
      ['BUILTIN\\Administrators', Mask.FullControl],
      ['CONTOSO\\RTCHSUniversalServices', Mask.Modify],
      ['CONTOSO\\RTCComponentUniversalServices', Mask.Modify],
      ['CONTOSO\\RTCUniversalServerAdmins', Mask.Modify],
      ['CONTOSO\\RTCUniversalConfigReplicator', Mask.ReadAndExecute],
    ],
  );
  t.true(isCanonical(sd.dacl!));
});

test('the --numeric -x form: SIDs, hex control, numeric types, and Maximum access', (t) => {
  const { sd, maximumAccess } = parseSmbcacls(NUMERIC_X);
  t.is(sd.control, 0x9004);
  t.deepEqual(sd.owner, { sid: `${D}-1000` });
  t.deepEqual(sd.group, { sid: `${D}-513` });
  t.is(maximumAccess, 0x1200a9);
  t.deepEqual(sd.dacl![0], { sid: `${D}-1003`, type: 'Denied', flags: 3, mask: 0x10116 });
  t.is(sd.dacl!.length, 6);
  t.true(sd.dacl!.slice(1).every((a) => a.type === 'Allowed' && a.flags === 3));
});

test('merging the two forms puts names on SIDs ACE by ACE; misaligned listings keep SIDs only', (t) => {
  const merged = mergeNames(parseSmbcacls(NUMERIC_X).sd, parseSmbcacls(NAMED).sd);
  t.deepEqual(merged.dacl![2], { sid: `${D}-1101`, name: 'CONTOSO\\RTCHSUniversalServices', type: 'Allowed', flags: 3, mask: Mask.Modify });
  t.deepEqual(merged.owner, { sid: `${D}-1000`, name: 'CONTOSO\\pchatadmin' });
  const other = mergeNames(parseSmbcacls(NUMERIC_X).sd, parseSmbcacls(ROOT_NAMED).sd);
  t.true(other.dacl!.every((a) => a.name === undefined));
});

test('inherit-only, inherited and unresolvable entries, and special-letter masks', (t) => {
  const root = parseSmbcacls(ROOT_NAMED).sd;
  t.deepEqual(root.dacl![1], { name: 'Creator Owner', type: 'Allowed', flags: 0xb, mask: Mask.FullControl });
  const lab = parseSmbcacls(LAB_NAMED).sd;
  t.is(lab.dacl![3]!.flags, 0x10);
  t.deepEqual(lab.dacl![4], { sid: 'S-1-5-21-1111111111-2222222222-3333333333-1105', type: 'Allowed', flags: 3, mask: Mask.FullControl });
  t.is(lab.dacl![5]!.mask, 0x001201bf, 'RWX is the union of R, W and X');
});

test('masks round-trip through smbcacls names the way Samba 4.17 prints them', (t) => {
  for (const [mask, name] of [
    [0x001f01ff, 'FULL'],
    [0x001301ff, 'CHANGE'],
    [0x001200a9, 'READ'],
    [0x001301bf, 'RWXD'],
    [0x00120089, 'R'],
    [0x001201bf, 'RWX'],
    [0x00040000, 'P'],
    [0x00010116, '0x00010116'],
  ] as const) {
    t.is(formatSmbcaclsMask(mask), name);
    t.is(parseSmbcaclsMask(name), mask);
  }
  t.throws(() => parseSmbcaclsMask('QQ'), { message: /unknown smbcacls permission/ });
});

test('ACEs are written in the syntax smbcacls --set accepts, with hex masks', (t) => {
  const ace = parseSmbcaclsAce('RTCHSUniversalServices:ALLOWED/OI|CI/RWXD');
  t.is(formatSmbcaclsAce(ace), 'ACL:RTCHSUniversalServices:ALLOWED/0x3/0x001301bf');
  t.is(formatSmbcaclsAce({ sid: `${D}-1003`, type: 'Denied', flags: 3, mask: 0x10116 }), `ACL:${D}-1003:DENIED/0x3/0x00010116`);
  t.throws(() => formatSmbcaclsAce({ name: 'a,b', type: 'Allowed', flags: 0, mask: 1 }));
  t.throws(() => parseSmbcacls('Failed to open \\nosuch: NT_STATUS_OBJECT_NAME_NOT_FOUND\n'), { message: /no security descriptor/ });
});

// smbclient -c 'put ...; showacls; ls <probe>; rename; get; del; del; showacls; ls <pattern>' as pchatsvc
const ROUND_TRIP_STDOUT = `FILENAME:pchat-probe-abc.tmp
MODE:A
SIZE:6
MTIME:Wed Nov 25 18:37:28 2026
revision: 1
type: 0x8004: SEC_DESC_DACL_PRESENT SEC_DESC_SELF_RELATIVE 
DACL
\tACL\tNum ACEs:\t2\trevision:\t2
\t---
\tACE
\t\ttype: ACCESS DENIED (1) flags: 0x00 
\t\tSpecific bits: 0x116
\t\tPermissions: 0x10116: DELETE_ACCESS 
\t\tSID: ${D}-1003

\tACE
\t\ttype: ACCESS ALLOWED (0) flags: 0x00 
\t\tSpecific bits: 0x1bf
\t\tPermissions: 0x1301bf: SYNCHRONIZE_ACCESS READ_CONTROL_ACCESS DELETE_ACCESS 
\t\tSID: ${D}-1101

\tOwner SID:\t${D}-1001
\tGroup SID:\t${D}-513

\t\t264212084 blocks of size 1024. 83382956 blocks available
NT_STATUS_NO_SUCH_FILE listing \\1-PersistentChatService-1\\pchat-probe-abc.tmp
NT_STATUS_NO_SUCH_FILE listing \\1-PersistentChatService-1\\pchat-probe-abc*
`;

test('smbclient showacls listings give the probe file owner: the account as the server sees it', (t) => {
  const entries = parseShowacls(ROUND_TRIP_STDOUT);
  t.is(entries.length, 1);
  const e = entries[0]!;
  t.is(e.fileName, 'pchat-probe-abc.tmp');
  t.is(e.size, 6);
  t.is(e.sd!.owner!.sid, `${D}-1001`);
  t.is(e.sd!.control, 0x8004);
  t.deepEqual(e.sd!.dacl, [
    { sid: `${D}-1003`, type: 'Denied', flags: 0, mask: 0x10116 },
    { sid: `${D}-1101`, type: 'Allowed', flags: 0, mask: 0x1301bf },
  ]);
});

const runOf = (stdout: string, stderr = '', exitCode = 1, timedOut = false) => ({ stdout, stderr, exitCode, timedOut, durationMs: 5 });

test('failures recorded from smbcacls are classified by the stage they stopped at', (t) => {
  const cases: [string, string, SmbStage, string][] = [
    ['', 'cli_full_connection failed! (NT_STATUS_LOGON_FAILURE)\n', 'auth', 'NT_STATUS_LOGON_FAILURE'],
    ['', 'cli_full_connection failed! (NT_STATUS_BAD_NETWORK_NAME)\n', 'share', 'NT_STATUS_BAD_NETWORK_NAME'],
    ['', 'cli_full_connection failed! (NT_STATUS_CONNECTION_REFUSED)\n', 'connect', 'NT_STATUS_CONNECTION_REFUSED'],
    ['Failed to open \\nosuch: NT_STATUS_OBJECT_NAME_NOT_FOUND\n', '', 'path', 'NT_STATUS_OBJECT_NAME_NOT_FOUND'],
    ['Failed to open \\1-PersistentChatService-1: NT_STATUS_ACCESS_DENIED\n', '', 'access', 'NT_STATUS_ACCESS_DENIED'],
  ];
  for (const [out, err, stage, status] of cases) {
    const f = runFailure(runOf(out, err), 1000);
    t.is(f?.stage, stage, `${out}${err}`);
    t.is(f?.status, status);
  }
  t.is(runFailure(runOf(NUMERIC_X, '', 0), 1000), undefined);
  // --sddl on a standalone server: exit 0 with noise on stderr is a success.
  t.is(runFailure(runOf('O:S-1-5-32-544D:(A;;0x001f01ff;;;BA)\n', '../../source3/rpc_client/cli_pipe.c:550: RPC fault code DCERPC_NCA_S_OP_RNG_ERROR received from host 127.0.0.51!\nfailed to lookup domain sid: NT_STATUS_RPC_PROCNUM_OUT_OF_RANGE\n', 0), 1000), undefined);
  const killed = runFailure(runOf('', '', undefined as unknown as number, true), 2500);
  t.deepEqual([killed?.stage, killed?.status], ['timeout', 'TIMEOUT']);
  t.regex(killed!.message, /no answer within 2\.5 s/);
});

test('a missing Samba tool is a NotInstalled error that says how to install it, not a stack trace', async (t) => {
  const prev = process.env.PCHAT_SAMBA_BINDIR;
  process.env.PCHAT_SAMBA_BINDIR = '/nonexistent-pchat-bin';
  try {
    const err = await t.throwsAsync(runSambaTool('smbcacls', { server: '127.0.0.1', share: 's' }, ['\\']), { instanceOf: ErrorRecord });
    t.is(err!.errorId, 'SmbCaclsNotInstalled');
    t.is(err!.category, 'NotInstalled');
    t.regex(err!.recommendedAction, /apt-get install smbclient/);
  } finally {
    if (prev === undefined) delete process.env.PCHAT_SAMBA_BINDIR;
    else process.env.PCHAT_SAMBA_BINDIR = prev;
  }
});

test('the password never goes on the command line: -U carries the user name only', (t) => {
  const args = credentialArgs({ server: 's', share: 'x', credential: { userName: 'CONTOSO\\pchatadmin', password: 'S3cret%pw' } });
  t.deepEqual(args, ['-U', 'CONTOSO\\pchatadmin']);
  t.deepEqual(credentialArgs({ server: 's', share: 'x' }), ['-N', '--use-kerberos=desired']);
});

test('a share name that could break out of the smbclient session is refused before anything runs', async (t) => {
  for (const ok of ['pchat', 'C$', 'Chat Files', 'pchat-01']) t.notThrows(() => assertSafeShare(ok), ok);
  for (const bad of ['a"; del "\\x', 'a;b', 'a\\b', 'a/b', '', 'a*']) t.throws(() => assertSafeShare(bad), { message: /not a valid share name/ }, bad);
  const e = await t.throwsAsync(roundTrip({ server: '127.0.0.1', share: 'x"; deltree "\\', timeoutMs: 1000 }, ''));
  t.is((e as { errorId?: string }).errorId, 'SmbShareNameInvalid');
});
