// The Windows backend's parsers on real formats: SDDL as Get-Acl's .Sddl and smbcacls --sddl
// print it, icacls listings as published in Microsoft's and others' documentation, whoami's
// CSV, and the failure lines the backend's PowerShell snippets print.
import test from 'ava';
import { parseSddl, formatSddl } from '../../lib/probes/dacl/sddl.js';
import { parseIcacls, parseIcaclsPermissions } from '../../lib/probes/dacl/icacls.js';
import { Control, isProtected, mergeNames } from '../../lib/probes/dacl/model.js';
import { Mask, Right } from '../../lib/probes/dacl/masks.js';
import { SID } from '../../lib/probes/dacl/sids.js';
import { effectiveAccess, NETWORK_LOGON_SIDS } from '../../lib/probes/dacl/access.js';
import { dangerousAces } from '../../lib/probes/dacl/policy.js';
import { parsePowerShellFailure, parseWhoamiSids } from '../../lib/probes/smb/windows-backend.js';
import { backendName } from '../../lib/probes/smb/backend.js';
import { ErrorRecord } from '../../lib/cmdlet/errors.js';

const D = 'S-1-5-21-1111111111-2222222222-3333333333';

// Get-Acl C:\AI-Harness | % Sddl (a public write-up; Authenticated Users had Modify).
const WINDOWS_SDDL = 'D:PAI(A;OICIIO;SDGXGWGR;;;AU)(A;;0x1301bf;;;AU)(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)';

// smbcacls --sddl on the test smbd (Samba 4.17 prints directory-service letters for 0x10116).
const SAMBA_SDDL = `O:${D}-1000G:${D}-513D:P(D;OICI;RPCRDCLCSD;;;${D}-1003)(A;OICI;0x001f01ff;;;BA)(A;OICI;0x001301bf;;;${D}-1101)(A;OICI;0x001301bf;;;${D}-1102)(A;OICI;0x001301bf;;;${D}-1103)(A;OICI;0x001200a9;;;${D}-1104)`;

test('SDDL from Get-Acl: protected and auto-inherited flags, aliases, letter and hex rights', (t) => {
  const sd = parseSddl(WINDOWS_SDDL);
  t.true(isProtected(sd));
  t.truthy(sd.control & Control.DaclAutoInherited);
  t.is(sd.owner, undefined);
  t.deepEqual(sd.dacl, [
    { sid: SID.AuthenticatedUsers, type: 'Allowed', flags: 0xb, mask: (Right.Delete | Right.GenericExecute | Right.GenericWrite | Right.GenericRead) >>> 0 },
    { sid: SID.AuthenticatedUsers, type: 'Allowed', flags: 0, mask: Mask.Modify },
    { sid: SID.System, type: 'Allowed', flags: 3, mask: Mask.FullControl },
    { sid: SID.Administrators, type: 'Allowed', flags: 3, mask: Mask.FullControl },
    { sid: SID.Users, type: 'Allowed', flags: 3, mask: Mask.ReadAndExecute },
  ]);
  // What it means: every authenticated account may modify the folder.
  t.is(effectiveAccess(sd, [`${D}-4242`, ...NETWORK_LOGON_SIDS]).granted, Mask.Modify);
  t.deepEqual(dangerousAces(sd).map((d) => d.level), ['write', 'write', 'read']);
});

test('SDDL from smbcacls --sddl: owner and group SIDs, DS letters for a file deny mask', (t) => {
  const sd = parseSddl(SAMBA_SDDL);
  t.deepEqual(sd.owner, { sid: `${D}-1000` });
  t.deepEqual(sd.group, { sid: `${D}-513` });
  t.deepEqual(sd.dacl![0], { sid: `${D}-1003`, type: 'Denied', flags: 3, mask: 0x10116 });
  t.is(sd.dacl!.length, 6);
});

test('domain-relative aliases need the domain SID; formatting writes hex masks and aliases back', (t) => {
  t.throws(() => parseSddl('O:DAG:DUD:(A;;FA;;;DA)'), { message: /needs the domain SID/ });
  const sd = parseSddl('O:DAG:DUD:(A;;FA;;;DA)', D);
  t.deepEqual(sd.owner, { sid: `${D}-512` });
  t.is(formatSddl(sd), `O:${D}-512G:${D}-513D:(A;;0x001f01ff;;;${D}-512)`);
  t.is(formatSddl({ control: Control.DaclProtected, dacl: [{ sid: SID.Administrators, type: 'Allowed', flags: 3, mask: Mask.FullControl }] }), 'D:P(A;OICI;0x001f01ff;;;BA)');
  t.deepEqual(parseSddl('D:NO_ACCESS_CONTROL').dacl, null);
  t.throws(() => parseSddl('D:(Q;;FA;;;BA)'), { message: /unknown SDDL ACE type/ });
});

// icacls C:\Windows (Microsoft's icacls documentation example).
const ICACLS_WINDOWS = `C:\\Windows NT SERVICE\\TrustedInstaller:(F)
           NT SERVICE\\TrustedInstaller:(CI)(IO)(F)
           NT AUTHORITY\\SYSTEM:(M)
           NT AUTHORITY\\SYSTEM:(OI)(CI)(IO)(F)
           BUILTIN\\Administrators:(M)
           BUILTIN\\Administrators:(OI)(CI)(IO)(F)
           BUILTIN\\Users:(RX)
           BUILTIN\\Users:(OI)(CI)(IO)(GR,GE)
           CREATOR OWNER:(OI)(CI)(IO)(F)
           APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES:(RX)
           APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES:(OI)(CI)(IO)(GR,GE)

Successfully processed 1 files; Failed processing 0 files
`;

test('icacls: trustee names with spaces, inheritance flags, simple and generic rights', (t) => {
  const { sd, processed, failed } = parseIcacls(ICACLS_WINDOWS, 'C:\\Windows');
  t.deepEqual([processed, failed], [1, 0]);
  t.is(sd.dacl!.length, 11);
  t.deepEqual(sd.dacl![0], { name: 'NT SERVICE\\TrustedInstaller', type: 'Allowed', flags: 0, mask: Mask.FullControl });
  t.deepEqual(sd.dacl![1], { name: 'NT SERVICE\\TrustedInstaller', type: 'Allowed', flags: 0xa, mask: Mask.FullControl });
  t.deepEqual(sd.dacl![7], { name: 'BUILTIN\\Users', type: 'Allowed', flags: 0xb, mask: (Right.GenericRead | Right.GenericExecute) >>> 0 });
  t.is(sd.dacl![9]!.name, 'APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES');
  // Without the path, the first trustee starts where the continuation lines are indented.
  t.deepEqual(parseIcacls(ICACLS_WINDOWS).sd.dacl, sd.dacl);
});

// Folders from public write-ups: DENY entries, combined rights, inherited entries, an integrity label.
const ICACLS_DENY = `C:\\share\\scripts BUILTIN\\IIS_IUSRS:(OI)(CI)(DENY)(RX)
                 NT AUTHORITY\\IUSR:(OI)(CI)(DENY)(RX)
                 BUILTIN\\Administrators:(OI)(CI)(F)
                 CREATOR OWNER:(OI)(CI)(IO)(M,WO,DC)
                 WINDCORP\\ITDep:(OI)(IO)(RX,DC)
                 NT AUTHORITY\\SYSTEM:(OI)(CI)(F)

Successfully processed 1 files; Failed processing 0 files
`;
const ICACLS_LABEL = `asd.txt BUILTIN\\Administrators:(I)(F)
DESKTOP-IDJHTKP\\user:(I)(F)
NT AUTHORITY\\SYSTEM:(I)(F)
NT AUTHORITY\\INTERACTIVE:(I)(M,DC)
Mandatory Label\\High Mandatory Level:(NW)
`;

test('icacls: DENY, rights lists such as (M,WO,DC), inherited entries; integrity labels are not DACL entries', (t) => {
  const deny = parseIcacls(ICACLS_DENY, 'C:\\share\\scripts').sd.dacl!;
  t.deepEqual(deny[0], { name: 'BUILTIN\\IIS_IUSRS', type: 'Denied', flags: 3, mask: Mask.ReadAndExecute });
  t.deepEqual(deny[3], { name: 'CREATOR OWNER', type: 'Allowed', flags: 0xb, mask: (Mask.Modify | Right.WriteOwner | Right.DeleteChild) >>> 0 });
  t.deepEqual(deny[4], { name: 'WINDCORP\\ITDep', type: 'Allowed', flags: 0x9, mask: Mask.ReadAndExecute | Right.DeleteChild });
  const label = parseIcacls(ICACLS_LABEL, 'asd.txt').sd.dacl!;
  t.is(label.length, 4);
  t.deepEqual(label[3], { name: 'NT AUTHORITY\\INTERACTIVE', type: 'Allowed', flags: 0x10, mask: Mask.Modify | Right.DeleteChild });
});

test('icacls: mixed-case specific rights (Rc) and write-only lists', (t) => {
  t.deepEqual(parseIcaclsPermissions('(OI)(CI)(DENY)(Rc,RD,REA,X,RA)'), { type: 'Denied', flags: 3, mask: 0x200a9 });
  t.deepEqual(parseIcaclsPermissions('(I)(CI)(WD,AD,WEA,WA)'), { type: 'Allowed', flags: 0x12, mask: 0x116 });
  t.deepEqual(parseIcaclsPermissions('(N)'), { type: 'Allowed', flags: 0, mask: 0 });
  t.is(parseIcaclsPermissions('(OI)(NP)(IO)(NW)'), null);
  t.throws(() => parseIcaclsPermissions('(ZZ)'), { message: /unknown icacls right 'ZZ'/ });
});

test('icacls names merge onto Get-Acl SIDs ACE by ACE', (t) => {
  const sids = parseSddl('D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)');
  const names = parseIcacls(`\\\\fs01\\pchat NT AUTHORITY\\SYSTEM:(OI)(CI)(F)
             BUILTIN\\Administrators:(OI)(CI)(F)
             BUILTIN\\Users:(OI)(CI)(RX)

Successfully processed 1 files; Failed processing 0 files
`, '\\\\fs01\\pchat').sd;
  t.deepEqual(mergeNames(sids, names).dacl!.map((a) => `${a.sid}=${a.name}`), ['S-1-5-18=NT AUTHORITY\\SYSTEM', 'S-1-5-32-544=BUILTIN\\Administrators', 'S-1-5-32-545=BUILTIN\\Users']);
});

test('an icacls failure with no entries is an error', (t) => {
  t.throws(() => parseIcacls('\\\\fs01\\nosuch: The network name cannot be found.\nSuccessfully processed 0 files; Failed processing 1 files\n'), { message: /could not read the ACL/ });
});

test('whoami /user /groups /fo csv gives the token SIDs, without the integrity label', (t) => {
  const out = `"contoso\\pchatadmin","${D}-1105"
"Everyone","Well-known group","S-1-1-0","Mandatory group, Enabled by default, Enabled group"
"BUILTIN\\Administrators","Alias","S-1-5-32-544","Group used for deny only"
"NT AUTHORITY\\Authenticated Users","Well-known group","S-1-5-11","Mandatory group, Enabled by default, Enabled group"
"CONTOSO\\RTCUniversalServerAdmins","Group","${D}-1103","Mandatory group, Enabled by default, Enabled group"
"Mandatory Label\\Medium Mandatory Level","Label","S-1-16-8192",""
`;
  t.deepEqual(parseWhoamiSids(out), [`${D}-1105`, 'S-1-1-0', 'S-1-5-32-544', 'S-1-5-11', `${D}-1103`]);
});

test('PowerShell failures map Win32 codes to the probe stages', (t) => {
  t.deepEqual(parsePowerShellFailure('ERR:-2147024829:The network name cannot be found.'), { stage: 'share', status: 'ERROR_BAD_NET_NAME', message: 'The network name cannot be found.' });
  t.deepEqual(parsePowerShellFailure('ERR:-2147023570:The user name or password is incorrect.')?.stage, 'auth');
  t.deepEqual(parsePowerShellFailure('ERR:-2147024891:Access is denied.')?.status, 'ERROR_ACCESS_DENIED');
  t.is(parsePowerShellFailure('O:BAD:PAI(A;;FA;;;BA)'), undefined);
});

test('the backend is chosen by platform and PCHAT_SMB_BACKEND overrides it', (t) => {
  t.is(backendName({}, 'linux'), 'samba');
  t.is(backendName({}, 'darwin'), 'samba');
  t.is(backendName({}, 'win32'), 'windows');
  t.is(backendName({ PCHAT_SMB_BACKEND: 'Samba' }, 'win32'), 'samba');
  const err = t.throws(() => backendName({ PCHAT_SMB_BACKEND: 'smb2' }, 'linux'), { instanceOf: ErrorRecord });
  t.is(err!.exitCode, 2);
});
