// Outputs recorded from the test smbd (Samba 4.17.12, test/support/samba.ts), shared by the unit
// tests of the parsers and of effective access: one copy of each recording.
import { DOMAIN_SID } from './samba.js';

export { DOMAIN_SID };
const D = DOMAIN_SID;

/**
 * The publish-policy folder plus a deny for one member of RTCUniversalServerAdmins (pchatdenied):
 * smbcacls //127.0.0.51/pchat 1-PersistentChatService-1 -U pchatadmin
 */
export const DENIED_FOLDER_NAMED = `REVISION:1
CONTROL:SR|PD|DP
OWNER:CONTOSO\\pchatadmin
GROUP:CONTOSO\\None
ACL:CONTOSO\\pchatdenied:DENIED/OI|CI/0x00010116
ACL:BUILTIN\\Administrators:ALLOWED/OI|CI/FULL
ACL:CONTOSO\\RTCHSUniversalServices:ALLOWED/OI|CI/RWXD
ACL:CONTOSO\\RTCComponentUniversalServices:ALLOWED/OI|CI/RWXD
ACL:CONTOSO\\RTCUniversalServerAdmins:ALLOWED/OI|CI/RWXD
ACL:CONTOSO\\RTCUniversalConfigReplicator:ALLOWED/OI|CI/READ
`;

/** The same folder, smbcacls --numeric -x as pchatdenied. */
export const DENIED_FOLDER_NUMERIC_X = `REVISION:1
CONTROL:0x9004
OWNER:${D}-1000
GROUP:${D}-513
ACL:${D}-1003:1/0x3/0x00010116
ACL:S-1-5-32-544:0/0x3/0x001f01ff
ACL:${D}-1101:0/0x3/0x001301bf
ACL:${D}-1102:0/0x3/0x001301bf
ACL:${D}-1103:0/0x3/0x001301bf
ACL:${D}-1104:0/0x3/0x001200a9
Maximum access: 0x1200a9
`;
