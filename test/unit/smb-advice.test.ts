// What a failed file store logon tells the administrator to do.
import test from 'ava';
import { advice, CURRENT_IDENTITY } from '../../lib/probes/smb/nt-status.js';

const logonFailure = { stage: 'auth' as const, status: 'NT_STATUS_LOGON_FAILURE', message: 'cli_full_connection failed! (NT_STATUS_LOGON_FAILURE)' };

test('a logon without -Credential fails: told that no password was used and to give -Credential or a Kerberos ticket', (t) => {
  const a = advice(logonFailure, 'fs01.pchat.test', 'pchat', CURRENT_IDENTITY);
  t.regex(a, /-Credential DOMAIN\\user/);
  t.regex(a, /kinit/);
  t.regex(a, /PCHAT_SMB_PASSWORD is used only with -Credential/);
  t.notRegex(a, /Check the user name and password of the current identity/);
});

test('a logon with -Credential fails: told to check that account and where its password comes from', (t) => {
  const a = advice(logonFailure, 'fs01.pchat.test', 'pchat', 'CONTOSO\\pchatadmin');
  t.regex(a, /Check the user name and password of CONTOSO\\pchatadmin \(PCHAT_SMB_PASSWORD or -CredentialFile\)/);
});
