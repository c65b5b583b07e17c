// What an NT_STATUS code (as smbclient/smbcacls print them) means for the file store checks.
import { ErrorRecord, type ErrorCategoryName } from '../../cmdlet/errors.js';
import type { SmbFailure, SmbStage, SmbTarget } from './types.js';

const STAGE: [RegExp, SmbStage][] = [
  [/^NT_STATUS_(CONNECTION_REFUSED|HOST_UNREACHABLE|NETWORK_UNREACHABLE|CONNECTION_RESET|CONNECTION_DISCONNECTED|CONNECTION_ABORTED|PORT_UNREACHABLE|BAD_NETWORK_PATH|INVALID_NETWORK_RESPONSE)$/, 'connect'],
  [/^NT_STATUS_IO_TIMEOUT$/, 'timeout'],
  [/^NT_STATUS_(LOGON_FAILURE|WRONG_PASSWORD|NO_SUCH_USER|ACCOUNT_LOCKED_OUT|ACCOUNT_DISABLED|ACCOUNT_RESTRICTION|ACCOUNT_EXPIRED|PASSWORD_EXPIRED|PASSWORD_MUST_CHANGE|INVALID_LOGON_HOURS|INVALID_WORKSTATION|LOGON_TYPE_NOT_GRANTED|TRUSTED_RELATIONSHIP_FAILURE|NO_LOGON_SERVERS|DOWNGRADE_DETECTED|KDC_[A-Z_]+)$/, 'auth'],
  [/^NT_STATUS_BAD_NETWORK_NAME$/, 'share'],
  [/^NT_STATUS_(OBJECT_NAME_NOT_FOUND|OBJECT_PATH_NOT_FOUND|NO_SUCH_FILE|NOT_A_DIRECTORY|OBJECT_NAME_INVALID)$/, 'path'],
  [/^NT_STATUS_(ACCESS_DENIED|PRIVILEGE_NOT_HELD|NETWORK_ACCESS_DENIED|SHARING_VIOLATION)$/, 'access'],
];

export function stageOf(status: string): SmbStage {
  return STAGE.find(([re]) => re.test(status))?.[1] ?? 'other';
}

/** The first NT_STATUS code in a tool's output. */
export function firstStatus(text: string): string | undefined {
  return /NT_STATUS_[A-Z0-9_]+/.exec(text)?.[0];
}

/** Who the checks run as without -Credential (a Kerberos ticket on Linux, the logon session on Windows). */
export const CURRENT_IDENTITY = 'the current identity';

/** What to do about a failure, for RecommendedAction columns and error records. */
export function advice(f: SmbFailure, server: string, share: string, user: string): string {
  switch (f.status) {
    case 'NT_STATUS_LOGON_FAILURE':
    case 'NT_STATUS_WRONG_PASSWORD':
    case 'NT_STATUS_NO_SUCH_USER':
      // No password was sent: a PCHAT_SMB_PASSWORD set without -Credential is the likely slip.
      if (user === CURRENT_IDENTITY) return `No -Credential was given, so the current identity's Kerberos ticket (or Windows logon session) was used, and ${server} refused it; PCHAT_SMB_PASSWORD is used only with -Credential. Give -Credential DOMAIN\\user, or get a ticket (kinit user@REALM) for an account that may log on to ${server}.`;
      return `Check the user name and password of ${user} (PCHAT_SMB_PASSWORD or -CredentialFile); for a domain account give DOMAIN\\user.`;
    case 'NT_STATUS_ACCOUNT_LOCKED_OUT':
      return `Unlock ${user} in Active Directory and check nothing keeps trying an old password.`;
    case 'NT_STATUS_ACCOUNT_DISABLED':
    case 'NT_STATUS_ACCOUNT_EXPIRED':
    case 'NT_STATUS_PASSWORD_EXPIRED':
    case 'NT_STATUS_PASSWORD_MUST_CHANGE':
      return `Enable ${user} or renew its password in Active Directory.`;
    case 'NT_STATUS_BAD_NETWORK_NAME':
      return `Create the share '${share}' on ${server} with Full control for the file server's Administrators as share permission (Microsoft: "Create a file share in Skype for Business Server 2015"; see 'pchat help about_FileStorePolicy'), or correct the share name.`;
    case 'NT_STATUS_CONNECTION_REFUSED':
      return `Start the Server (LanmanServer) service on ${server}, or allow TCP 445 from this host in its firewall.`;
  }
  switch (f.stage) {
    case 'connect':
    case 'timeout':
      return `Check that ${server} is up, runs the SMB server and answers on TCP 445 from this host.`;
    case 'auth':
      return `Check the account ${user} can log on to ${server}.`;
    case 'share':
      return `Check the share '${share}' on ${server}.`;
    case 'path':
      return `Check the folder exists in \\\\${server}\\${share}.`;
    case 'access':
      return `Grant ${user} the rights it needs on \\\\${server}\\${share} (share permission and NTFS ACL).`;
    default:
      return 'Rerun with -Verbose for the tool output.';
  }
}

const RECORD: Record<SmbStage, [string, ErrorCategoryName]> = {
  connect: ['SmbConnectionFailed', 'ConnectionError'],
  timeout: ['SmbTimeout', 'OperationTimeout'],
  auth: ['SmbLogonFailed', 'AuthenticationError'],
  share: ['SmbShareNotFound', 'ObjectNotFound'],
  path: ['SmbPathNotFound', 'ObjectNotFound'],
  access: ['SmbAccessDenied', 'PermissionDenied'],
  other: ['SmbCallFailed', 'InvalidResult'],
};

/** A failure as an error record (for the calls that change things: they throw, probes do not). */
export function failureRecord(f: SmbFailure, target: SmbTarget, what: string, folder = target.folder ?? ''): ErrorRecord {
  const unc = `\\\\${target.server}\\${target.share}${folder ? '\\' + folder : ''}`;
  const [errorId, category] = RECORD[f.stage];
  return new ErrorRecord({
    errorId,
    category,
    target: unc,
    message: `Cannot ${what} on ${unc}: ${f.status} (${f.message}).`,
    recommendedAction: advice(f, target.server, target.share, target.credential?.userName ?? CURRENT_IDENTITY),
  });
}
