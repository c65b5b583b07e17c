// Pure verdicts: facts in, one check's Status/Details/RecommendedAction out. No I/O, so each rule
// of domain.md 2.2-2.4 and rule 18 is tested on its own.
import type { CheckRow } from '../types.js';
import { normalizeSqlInstance } from '../../topology/model.js';
import { evaluateSqlPlatform } from '../../topology/sql-support.js';
import type { ServerFacts } from './queries.js';
import type { EncryptMode, SqlStoreExpectation } from './types.js';
import { sameName, uniqueNames } from './names.js';

export type Verdict = Omit<CheckRow, 'Target' | 'Check' | 'DurationMs'>;

const passed = (Details: string): Verdict => ({ Status: 'Passed', Details, RecommendedAction: '' });
const list = (names: readonly string[]) => names.join(', ');

/** Credential kinds as the login check reports them ("which authentication was tried"). */
export function describeAuthentication(userName: string | undefined): string {
  if (!userName) return 'no credential';
  return /\\|@/.test(userName) ? `Windows authentication (NTLM) as '${userName}'` : `SQL Server authentication as '${userName}'`;
}

/** Engine editions that are Azure services, not an installable SQL Server. */
const AZURE_ENGINES: Record<number, string> = { 5: 'Azure SQL Database', 6: 'Azure Synapse Analytics', 8: 'Azure SQL Managed Instance', 9: 'Azure SQL Edge', 11: 'Azure Synapse serverless SQL pool' };

export function versionVerdict(f: ServerFacts, e: Pick<SqlStoreExpectation, 'product' | 'allowExpress'>): Verdict {
  const azure = f.engineEdition !== null ? AZURE_ENGINES[f.engineEdition] : undefined;
  if (azure) {
    return { Status: 'Failed', Details: `${azure} (EngineEdition ${f.engineEdition}, ${f.productVersion}) is not a supported SQL Server for Persistent Chat.`, RecommendedAction: 'Use an on-premises SQL Server instance (Standard or Enterprise, 64-bit).' };
  }
  let edition = f.edition || 'unknown edition';
  // EngineEdition 4 is Express whatever the edition string says; 32-bit shows in @@VERSION.
  if (f.engineEdition === 4 && !/express/i.test(edition)) edition += ' (Express engine)';
  if (f.is32Bit && !/x86|32-bit/i.test(edition)) edition += ' (x86)';
  const v = evaluateSqlPlatform({ product: e.product, productVersion: f.productVersion, edition, allowExpress: e.allowExpress });
  return { Status: v.status, Details: v.details, RecommendedAction: v.recommendedAction };
}

/**
 * Whether the instance that answered is the one the store names: a fixed port reaches whichever
 * instance listens there, and publishing would create the databases in it.
 */
export function instanceVerdict(f: ServerFacts, expected: string | null, endpoint: string): Verdict {
  const reached = normalizeSqlInstance(f.instanceName) === null ? null : f.instanceName;
  const name = (i: string | null) => (i ? `instance ${i}` : 'the default instance (MSSQLSERVER)');
  const of = f.serverName ? ` (${f.serverName})` : '';
  if (normalizeSqlInstance(reached) === normalizeSqlInstance(expected)) return passed(`${endpoint} is ${name(reached)}${of}.`);
  return {
    Status: 'Failed',
    Details: `${endpoint} answered as ${name(reached)}${of} (SERVERPROPERTY('InstanceName')), not as ${name(expected)}, which the store names.`,
    RecommendedAction: 'Give the port of the store\'s own instance, or no port so that the SQL Server Browser finds it; or, if the store names the wrong instance, define the store with the right one.',
  };
}

export function alwaysOnVerdict(f: ServerFacts): Verdict {
  if (f.hadrEnabled === true) {
    return {
      Status: 'Warning',
      Details: 'AlwaysOn availability groups are enabled on this instance (IsHadrEnabled = 1). Availability groups are not supported for Persistent Chat databases.',
      RecommendedAction: 'Keep mgc and mgccomp out of every availability group; protect them with SQL mirroring and log shipping to the backup store instead.',
    };
  }
  return passed(f.hadrEnabled === false ? 'AlwaysOn availability groups are not enabled (IsHadrEnabled = 0).' : 'AlwaysOn is not available on this release (IsHadrEnabled is NULL before SQL Server 2012).');
}

/** `name` inside [brackets] and inside '...', as QUOTENAME would write them, for a command to copy. */
const bracketed = (name: string) => `[${name.replace(/]/g, ']]')}]`;
const quoted = (name: string) => `'${name.replace(/'/g, "''")}'`;

/** When the login cannot see every database: why a missing one may only be hidden. */
const HIDDEN =
  'this login cannot see every database (it has no VIEW ANY DATABASE, which REVOKE VIEW ANY DATABASE FROM public takes away, and no right to create databases)';

export function createRightVerdict(f: ServerFacts, e: Pick<SqlStoreExpectation, 'databases' | 'needCreate'>, present: readonly string[]): Verdict {
  const who = f.loginName || 'the login';
  const via = [f.isSysadmin && 'sysadmin role', f.isDbcreator && 'dbcreator role', f.hasCreateAnyDatabase && 'CREATE ANY DATABASE permission'].filter(Boolean);
  // GRANT CREATE DATABASE in master (the CREATE DATABASE page's own example) is enough on its own.
  if (!via.length && f.hasCreateDatabase) via.push('CREATE DATABASE permission in master');
  if (via.length) return passed(`${who} may create databases (${via.join(', ')}).`);
  const facts = `${who} is neither in the sysadmin nor the dbcreator server role and has neither CREATE ANY DATABASE nor CREATE DATABASE in master`;
  const windows = /\\/.test(who) ? ` If ${who} gets in through a Windows group, add that group's login instead.` : '';
  const action = `Add the login to dbcreator (ALTER SERVER ROLE dbcreator ADD MEMBER ${bracketed(who)}; on SQL Server 2008 R2: EXEC sp_addsrvrolemember ${quoted(who)}, 'dbcreator'), grant CREATE ANY DATABASE, or publish with a login that is sysadmin.${windows}`;
  const missing = uniqueNames(e.databases).filter((d) => !present.some((p) => sameName(p, d)));
  if (e.needCreate === false) return { Status: 'Warning', Details: `${facts}; publishing is not to create databases here.`, RecommendedAction: 'Have a DBA create the databases (Install-CsDatabase) before the pool goes live.' };
  if (missing.length === 0) return { Status: 'Warning', Details: `${facts}, but ${list(uniqueNames(e.databases))} already exist, so publishing has nothing to create.`, RecommendedAction: action };
  // Unseen is not proven missing, but publishing would not see them either and would try to create them.
  const unseen = f.seesAllDatabases ? '' : ` Whether ${missing.length === 1 ? 'it exists' : 'they exist'} is not known: ${HIDDEN}.`;
  return { Status: 'Failed', Details: `${facts}: publishing cannot create ${list(missing)}.${unseen}`, RecommendedAction: action };
}

export function poolDatabasesVerdict(e: Pick<SqlStoreExpectation, 'databases' | 'otherPoolsDatabases' | 'otherPools' | 'publishedDatabases'>, present: readonly string[], seesAll = true): Verdict {
  const ours = uniqueNames(e.databases);
  const found = ours.filter((d) => present.some((p) => sameName(p, d)));
  const claimed = found.filter((d) => (e.otherPoolsDatabases ?? []).some((o) => sameName(o, d)));
  const others = e.otherPools?.length ? ` (${list(e.otherPools)})` : '';
  if (claimed.length) {
    return {
      Status: 'Failed',
      Details: `${list(claimed)} already exist${claimed.length === 1 ? 's' : ''} on this instance and belong${claimed.length === 1 ? 's' : ''} to another Persistent Chat pool of the topology${others}.`,
      RecommendedAction: 'Place this pool\'s databases on another SQL instance: one instance holds one Persistent Chat database (rule 18).',
    };
  }
  const publishedHere = found.filter((d) => (e.publishedDatabases ?? []).some((p) => sameName(p, d)));
  if (found.length && publishedHere.length === found.length && found.length === ours.length) {
    return passed(`${list(found)} exist${found.length === 1 ? 's' : ''}, created by an earlier publish of this pool; publishing keeps ${found.length === 1 ? 'it' : 'them'}.`);
  }
  if (found.length) {
    return {
      Status: 'Warning',
      Details: `${list(found)} already exist${found.length === 1 ? 's' : ''} on this instance; publishing keeps and reuses ${found.length === 1 ? 'it' : 'them'} (never drops or overwrites).`,
      RecommendedAction: 'Make sure they are this pool\'s databases (for example from an earlier install); if they belong to another deployment, have a DBA back them up and remove them first.',
    };
  }
  if (!seesAll) {
    const missing = ours.filter((d) => !found.includes(d));
    return {
      Status: 'Warning',
      Details: `${list(missing)} ${missing.length === 1 ? 'does' : 'do'} not show in sys.databases, which does not prove ${missing.length === 1 ? 'it is' : 'they are'} missing: ${HIDDEN}.`,
      RecommendedAction: 'Test with the login that will publish, or grant this login VIEW ANY DATABASE, to prove whether they exist.',
    };
  }
  return passed(`${list(ours)} ${ours.length === 1 ? 'does' : 'do'} not exist yet; publishing creates ${ours.length === 1 ? 'it' : 'them'}.`);
}

export function otherPoolsVerdict(e: Pick<SqlStoreExpectation, 'databases' | 'otherPoolsDatabases' | 'otherPools'>, present: readonly string[]): Verdict {
  if (e.otherPoolsDatabases === undefined) {
    return { Status: 'Skipped', Details: 'Not checked: no topology tells which pools use this instance.', RecommendedAction: 'Test by -SqlStore or -PoolFqdn to check rule 18 against the topology.' };
  }
  const others = uniqueNames(e.otherPoolsDatabases);
  const pools = e.otherPools?.length ? ` (${list(e.otherPools)})` : '';
  if (others.length === 0) return passed('No two Persistent Chat pools of the topology place the same database on this instance.');
  const collide = uniqueNames(e.databases).filter((d) => others.some((o) => sameName(o, d)));
  const here = others.filter((o) => present.some((p) => sameName(p, o)));
  if (collide.length) {
    const state = here.length ? `; ${list(here)} already exist${here.length === 1 ? 's' : ''} here` : '';
    return {
      Status: 'Failed',
      Details: `Another Persistent Chat pool of the topology${pools} also places ${list(collide)} on this instance${state}. One SQL instance holds at most one Persistent Chat database (rule 18).`,
      RecommendedAction: 'Move one of the pools to another SQL instance (Set-PersistentChatPool -SqlStore <store>).',
    };
  }
  return passed(`Other pools${pools} place ${list(others)} on this instance${here.length ? ' (present)' : ''}; that does not conflict with ${list(uniqueNames(e.databases))}.`);
}

export interface TlsInfo {
  protocol: string;
  cipher: string;
  strict: boolean;
}

export function encryptionVerdict(mode: EncryptMode, tls: TlsInfo | undefined, trustServerCertificate: boolean): Verdict {
  const cert = trustServerCertificate ? 'server certificate not validated (-TrustServerCertificate)' : 'server certificate validated';
  const how = tls ? `${tls.strict ? 'TDS 8.0 strict TLS' : 'TLS'} (${tls.protocol}, ${tls.cipher}), ${tls.strict ? 'server certificate validated' : cert}` : '';
  if (tls) return passed(`Encrypted as asked (-Encrypt ${mode}): ${how}.`);
  if (mode === 'Optional') return passed('Not encrypted: the server does not require encryption, and -Encrypt Optional asks for TLS only then.');
  return {
    Status: 'Failed',
    Details: `The server does not support encryption (its pre-login answer was "not supported"), so the connection, login included, was NOT encrypted although -Encrypt ${mode} was asked.`,
    RecommendedAction: 'Give the SQL Server instance a certificate (SQL Server Configuration Manager, Protocols for the instance, Certificate) and restart it, or accept an unencrypted connection with -Encrypt Optional.',
  };
}

/** What a connection attempt that did not log in tells, as seen by the Login and Encryption checks. */
export interface ConnectFailure {
  code: string;
  message: string;
  /** ERROR tokens the server sent during the login (18456 and its state, 4060 ...). */
  serverErrors: { number: number; state: number; class: number; message: string }[];
  /** The last tedious state before the failure (SentPrelogin, SentTLSSSLNegotiation, SentLogin7...). */
  phase: string;
}

/** OpenSSL's words when the server's newest TLS is older than the client accepts. */
const OLD_TLS = /unsupported protocol|wrong version number|no protocols available|tlsv1 alert protocol version|UNSUPPORTED_PROTOCOL/i;

const CERT_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|Hostname\/IP does not match|certificate/i;

export function connectFailureVerdicts(
  f: ConnectFailure,
  ctx: { mode: EncryptMode; userName?: string; connectTimeoutMs: number; endpoint: string },
): { login: Verdict; encryption: Verdict } {
  const auth = describeAuthentication(ctx.userName);
  const skippedEncryption: Verdict = { Status: 'Skipped', Details: 'Not checked: no session was established.', RecommendedAction: '' };
  const skippedLogin = (why: string): Verdict => ({ Status: 'Skipped', Details: `Not attempted: ${why}.`, RecommendedAction: '' });
  const login18456 = f.serverErrors.find((e) => e.number === 18456);
  if (login18456 || f.code === 'ELOGIN') {
    const numbers = f.serverErrors.map((e) => `error ${e.number}, state ${e.state}`).join('; ');
    const server = f.serverErrors.map((e) => e.message).join(' ') || f.message;
    const db = f.serverErrors.some((e) => e.number === 4060) ? ' The login\'s database could not be opened.' : '';
    return {
      login: {
        Status: 'Failed',
        Details: `${server} (${numbers || 'no error number'}). Tried ${auth}.${db} The server's error log gives the reason for the state.`,
        RecommendedAction: /NTLM/.test(auth)
          ? 'Check the Windows account name (DOMAIN\\user) and its password (PCHAT_SQL_PASSWORD or -SqlCredentialFile), and that the account has a SQL Server login on the instance.'
          : 'Check the login name and its password (PCHAT_SQL_PASSWORD or -SqlCredentialFile), that the login exists and is enabled, and that the instance allows SQL Server authentication (mixed mode); for a Windows account give DOMAIN\\user.',
      },
      encryption: skippedEncryption,
    };
  }
  if (f.serverErrors.length) {
    const e = f.serverErrors[f.serverErrors.length - 1]!;
    return { login: { Status: 'Failed', Details: `${e.message} (error ${e.number}, state ${e.state}). Tried ${auth}.`, RecommendedAction: 'See the SQL Server error log for this error number.' }, encryption: skippedEncryption };
  }
  const tlsPhase = f.phase === 'SentTLSSSLNegotiation';
  // Only TLS 1.0/1.1 on offer: a SQL Server build without the TLS 1.2 update; Node.js 20 (OpenSSL 3) refuses those.
  if (OLD_TLS.test(f.message)) {
    return {
      login: skippedLogin('TLS negotiation failed (see Encryption)'),
      encryption: {
        Status: 'Failed',
        Details: `${ctx.endpoint} offers only TLS 1.0 or 1.1, which this tool (Node.js 20, OpenSSL 3) does not accept: ${f.message.trim()}`,
        RecommendedAction: ctx.mode === 'Optional'
          ? 'Install the TLS 1.2 update for this SQL Server build (Microsoft KB3135244: SQL Server 2008 R2 SP2, 2012 SP1 and 2014 have one); the server forces encryption, so -Encrypt Optional cannot avoid TLS.'
          : 'Install the TLS 1.2 update for this SQL Server build (Microsoft KB3135244: SQL Server 2008 R2 SP2, 2012 SP1 and 2014 have one), or, if the server does not force encryption, use -Encrypt Optional.',
      },
    };
  }
  if (f.code === 'EENCRYPT' || CERT_ERRORS.test(f.message) || (tlsPhase && f.code !== 'ETIMEOUT')) {
    return {
      login: skippedLogin('TLS negotiation failed (see Encryption)'),
      encryption: {
        Status: 'Failed',
        Details: `TLS negotiation with ${ctx.endpoint} failed: ${f.message}`,
        RecommendedAction: ctx.mode === 'Strict'
          ? 'With -Encrypt Strict the certificate is always validated: give the instance a certificate trusted here whose name matches the server name, or use -Encrypt Mandatory.'
          : 'Give the instance a certificate trusted on this host whose name matches the server name, or pass -TrustServerCertificate to accept the certificate the server has.',
      },
    };
  }
  if (ctx.mode === 'Strict' && (f.phase === 'Connecting' || f.phase === 'Initialized' || f.phase === '') && f.code !== 'ETIMEOUT') {
    return {
      login: skippedLogin('the TDS 8.0 TLS connection failed (see Encryption)'),
      encryption: { Status: 'Failed', Details: `${ctx.endpoint} did not accept a TDS 8.0 (strict) TLS connection: ${f.message}`, RecommendedAction: '-Encrypt Strict needs SQL Server 2022 or later with a certificate; use -Encrypt Mandatory for older releases.' },
    };
  }
  const during: Record<string, string> = {
    Connecting: 'while connecting',
    SentPrelogin: 'to the pre-login handshake',
    SentTLSSSLNegotiation: 'to the TLS handshake',
    SentLogin7WithStandardLogin: 'to the login',
    SentLogin7WithNTLMLogin: 'to the NTLM login',
    LoggedInSendingInitialSql: 'to the session setup after the login',
  };
  const where = during[f.phase] ?? 'during the login';
  if (f.code === 'ETIMEOUT') {
    return {
      login: {
        Status: 'Failed',
        Details: `${ctx.endpoint} accepted the TCP connection but gave no answer ${where} within ${ctx.connectTimeoutMs} ms. Tried ${auth}.`,
        RecommendedAction: 'Check that this port is the SQL Server instance (not another service or a hung server), and that no firewall or proxy holds the traffic; raise -TimeoutSeconds for a slow link.',
      },
      encryption: skippedEncryption,
    };
  }
  return {
    login: {
      Status: 'Failed',
      Details: `The connection to ${ctx.endpoint} failed ${where}: ${f.message} (${f.code || 'no code'}). Tried ${auth}.`,
      RecommendedAction: 'Check that this port is the SQL Server instance and that it accepts remote connections (SQL Server Configuration Manager, TCP/IP enabled).',
    },
    encryption: skippedEncryption,
  };
}
