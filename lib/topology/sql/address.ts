// The address of a topology store on SQL Server:
//   sqlserver://[user@]host[\instance][:port]/database[?encrypt=mandatory|optional|strict&trustServerCertificate=true&connectTimeout=<seconds>]
// `DOMAIN\user` (or DOMAIN%5Cuser) is a Windows login over NTLM, as -SqlCredential is. A password in
// the address is refused without repeating it: addresses end up in shell history, logs and messages.
// connectTimeout is in seconds, as SQL Server connection strings' Connect Timeout (and mssql's
// "Connection Timeout") are; its range refuses a value meant in milliseconds.
import { ErrorRecord, ExitCode } from '../../cmdlet/errors.js';
import { isValidDatabaseName } from '../../sql/names.js';
import type { AdviceTerms } from '../../sql/types.js';

export interface SqlStoreAddress {
  userName?: string;
  server: string;
  instance?: string;
  port?: number;
  database: string;
  encrypt: 'Mandatory' | 'Optional' | 'Strict';
  trustServerCertificate: boolean;
  /** connectTimeout=<seconds>: bounds the SQL Browser query and the login; undefined: the default (15 s). */
  connectTimeoutSeconds?: number;
  /** The address as shown in messages: as given, minus nothing secret (a password was refused). */
  display: string;
}

export function isSqlStoreAddress(location: string): boolean {
  return /^sqlserver:\/\//i.test(location);
}

/** Any scheme:// (not a folder): sqlserver:// is parsed, any other scheme refused by parseSqlStoreAddress. */
export function isStoreAddress(location: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location);
}

function invalid(display: string, why: string, action: string): ErrorRecord {
  return new ErrorRecord({
    errorId: 'RepositoryAddressInvalid',
    category: 'InvalidArgument',
    target: display,
    message: `The repository address '${display}' is not valid: ${why}.`,
    recommendedAction: action,
    exitCode: ExitCode.Usage,
  });
}

const FORM = 'Write it as sqlserver://[user@]host[\\instance][:port]/database[?encrypt=mandatory|optional|strict&trustServerCertificate=true&connectTimeout=<seconds>].';

/** connectTimeout's range in seconds: SqlClient's default is 15; 600 is already ten minutes for one login. */
export const CONNECT_TIMEOUT_SECONDS = { min: 1, max: 600 } as const;

const PASSWORD_OPTION = /^(password|pwd|passwd|pass)$/i;

function passwordInAddress(masked: string): ErrorRecord {
  return new ErrorRecord({
    errorId: 'RepositoryPasswordInAddress',
    category: 'SecurityError',
    target: masked,
    message: `The repository address holds a password (${masked}); it is refused, since addresses end up in shell history, process lists and logs.`,
    recommendedAction: 'Remove the password from the address and give it in PCHAT_REPOSITORY_PASSWORD, a -RepositoryCredentialFile (mode 0600), or at the prompt on a terminal. Change that password if the address was stored anywhere.',
    exitCode: ExitCode.Usage,
  });
}

export function parseSqlStoreAddress(location: string): SqlStoreAddress {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(location)?.[1];
  if (scheme && !isSqlStoreAddress(location)) {
    // mssql://, jdbc:..., smb://: without this they would silently become a folder named after the scheme.
    throw new ErrorRecord({
      errorId: 'RepositoryAddressInvalid',
      category: 'InvalidArgument',
      target: `${scheme}://`,
      message: `The repository '${scheme}://...' is neither a folder nor a SQL Server store: the only address this tool knows is sqlserver://.`,
      recommendedAction: `Give a folder path, or ${FORM.charAt(0).toLowerCase()}${FORM.slice(1)}`,
      exitCode: ExitCode.Usage,
    });
  }
  const rest = location.slice('sqlserver://'.length);
  // login:password@host, where the password may hold / ? # or @: the last @ followed by a host ends it.
  const pw = /^([^:@/]*):.*@((?:[A-Za-z0-9.-]+)(?:(?:\\|%5c)[A-Za-z0-9_$#-]+)?(?::\d{1,5})?)((?:[/?].*)?)$/is.exec(rest);
  if (pw) throw passwordInAddress(`sqlserver://${pw[1]}:***@${pw[2]}${maskQuery(pw[3]!)}`);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const at = authority.lastIndexOf('@');
  const userInfo = at < 0 ? undefined : authority.slice(0, at);
  if (userInfo !== undefined && userInfo.includes(':')) throw passwordInAddress(`sqlserver://${userInfo.slice(0, userInfo.indexOf(':'))}:***@${maskQuery(rest.slice(at + 1))}`);
  const masked = maskQuery(rest);
  if (masked !== rest) throw passwordInAddress(`sqlserver://${masked}`);
  const display = location;
  const hostPart = at < 0 ? authority : authority.slice(at + 1);
  const m = /^([A-Za-z0-9.-]+)(?:\\([A-Za-z0-9_$#-]+))?(?::(\d{1,5}))?$/.exec(hostPart.replace(/%5c/gi, '\\'));
  if (!m) throw invalid(display, `'${hostPart}' is not host[\\instance][:port]`, FORM);
  const after = slash < 0 ? '' : rest.slice(slash + 1);
  const q = after.indexOf('?');
  const database = decodeURIComponent(q < 0 ? after : after.slice(0, q));
  if (!database) throw invalid(display, 'it names no database', FORM);
  if (!isValidDatabaseName(database)) throw invalid(display, `'${database}' is not a database name this tool uses (a letter or _ first, then letters, digits, _ @ $ #)`, FORM);
  let encrypt: SqlStoreAddress['encrypt'] = 'Mandatory';
  let trustServerCertificate = false;
  let connectTimeoutSeconds: number | undefined;
  for (const pair of q < 0 ? [] : after.slice(q + 1).split('&').filter(Boolean)) {
    const [k = '', v = ''] = pair.split('=');
    if (/^encrypt$/i.test(k) && /^(mandatory|optional|strict)$/i.test(v)) encrypt = (v[0]!.toUpperCase() + v.slice(1).toLowerCase()) as SqlStoreAddress['encrypt'];
    else if (/^trustServerCertificate$/i.test(k) && /^(true|false)$/i.test(v)) trustServerCertificate = v.toLowerCase() === 'true';
    else if (/^connectTimeout$/i.test(k)) {
      const { min, max } = CONNECT_TIMEOUT_SECONDS;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw invalid(display, `connectTimeout=${v} is not a whole number of seconds from ${min} to ${max}`, FORM);
      connectTimeoutSeconds = Number(v);
    }
    else throw invalid(display, `'${pair}' is not an option it knows`, FORM);
  }
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) throw invalid(display, `port ${port} is out of range`, FORM);
  let userName: string | undefined;
  try {
    userName = userInfo === undefined || userInfo === '' ? undefined : decodeURIComponent(userInfo);
  } catch {
    throw invalid(display, `the user name '${userInfo}' is badly escaped`, FORM);
  }
  return { userName, server: m[1]!, instance: m[2], port, database, encrypt, trustServerCertificate, connectTimeoutSeconds, display };
}

/**
 * The address cut after a password=/pwd= option's name, shown as ***: what follows may be the rest of a
 * password that holds '&'.
 */
function maskQuery(s: string): string {
  const q = s.indexOf('?');
  if (q < 0) return s;
  const kept: string[] = [];
  for (const pair of s.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq >= 0 && PASSWORD_OPTION.test(pair.slice(0, eq).trim())) return `${s.slice(0, q + 1)}${[...kept, `${pair.slice(0, eq)}=***`].join('&')}`;
    kept.push(pair);
  }
  return s;
}

/**
 * The SQL client's advice (lib/sql) in the words a store user has: the address's options and the
 * store's password sources. The store has no -Encrypt, -TrustServerCertificate, -TimeoutSeconds or
 * -Port, and its password never comes from PCHAT_SQL_PASSWORD or -SqlCredentialFile. `credentialFile`:
 * the parameter that gives the password file (Copy-Topology's destination has its own).
 */
export function addressTerms(credentialFile = '-RepositoryCredentialFile'): AdviceTerms {
  return {
    password: `PCHAT_REPOSITORY_PASSWORD, ${credentialFile} or the prompt`,
    where: ' in the address',
    windowsAccount: 'DOMAIN\\user@host',
    encrypt: (mode) => `encrypt=${mode.toLowerCase()}`,
    trustServerCertificate: 'add trustServerCertificate=true to the address',
    timeout: 'connectTimeout=<seconds> in the address',
    port: 'host\\instance:port in the address',
    credential: `Put the login in the address (sqlserver://login@host/database; DOMAIN\\user@host for a Windows account) and give its password in PCHAT_REPOSITORY_PASSWORD, a ${credentialFile} or at the prompt.`,
  };
}
