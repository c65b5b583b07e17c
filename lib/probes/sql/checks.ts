// Pure verdicts: facts in, one check's Status/Details/RecommendedAction out. No I/O, so each rule
// of domain.md 2.2-2.4 and rule 18 is tested on its own.
import type { CheckRow } from '../types.js';
import type { ConnectFailure, TlsInfo } from '../../sql/connect.js';
import { explainConnectFailure } from '../../sql/connect-failure.js';
import type { Endpoint } from '../../sql/endpoint.js';
import { normalizeSqlInstance, sameName, uniqueNames } from '../../sql/names.js';
import { evaluateSqlPlatform } from '../../sql/support.js';
import type { ServerFacts } from './queries.js';
import { PARAMETER_TERMS } from './terms.js';
import type { EncryptMode, SqlStoreExpectation } from './types.js';

export type Verdict = Omit<CheckRow, 'Target' | 'Check' | 'DurationMs'>;

const passed = (Details: string): Verdict => ({ Status: 'Passed', Details, RecommendedAction: '' });
const list = (names: readonly string[]) => names.join(', ');

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

/** The SQL Browser row: what the lookup found, or why none was needed (`fixedPort`: the port given). */
export function browserVerdict(ep: Endpoint, fixedPort: number | undefined): Verdict {
  if (!ep.browser) return { Status: 'Skipped', Details: fixedPort !== undefined ? `Not needed: the fixed port ${fixedPort} was given.` : 'Not needed: the default instance listens on TCP 1433.', RecommendedAction: '' };
  return { Status: ep.port === undefined ? 'Failed' : 'Passed', Details: ep.browser.details, RecommendedAction: ep.browser.action };
}

/** A connection that did not log in, as the Login and Encryption rows report it (the words are the SQL client's). */
export function connectFailureVerdicts(
  f: ConnectFailure,
  ctx: { mode: EncryptMode; userName?: string; connectTimeoutMs: number; endpoint: string },
): { login: Verdict; encryption: Verdict } {
  const x = explainConnectFailure(f, { ...ctx, terms: PARAMETER_TERMS });
  const failed: Verdict = { Status: 'Failed', Details: x.details, RecommendedAction: x.action };
  if (x.stage === 'login') return { login: failed, encryption: { Status: 'Skipped', Details: 'Not checked: no session was established.', RecommendedAction: '' } };
  const why = x.stage === 'strict-tls' ? 'the TDS 8.0 TLS connection failed (see Encryption)' : 'TLS negotiation failed (see Encryption)';
  return { login: { Status: 'Skipped', Details: `Not attempted: ${why}.`, RecommendedAction: '' }, encryption: failed };
}
