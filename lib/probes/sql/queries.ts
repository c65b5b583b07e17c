// The probe's T-SQL, written for SQL Server 2005 and later (the query must run on an unsupported
// old server too, so the version check can say so), and the tolerant reading of its results
// (shared/docs/lab-sql.md: NULLs, empty strings and letter case differ between servers).

/**
 * One row of server facts. SERVERPROPERTY returns sql_variant: converted here so every server sends
 * plain types. IsHadrEnabled is NULL before SQL Server 2012; IS_SRVROLEMEMBER and HAS_PERMS_BY_NAME
 * answer NULL for a name they do not know. CREATE DATABASE is allowed by CREATE DATABASE in master
 * (GRANT CREATE DATABASE in master), which CREATE ANY DATABASE and ALTER ANY DATABASE imply; the same
 * rights, or VIEW ANY DATABASE, let a login see every row of sys.databases (REVOKE VIEW ANY DATABASE
 * FROM public hides the others).
 */
export const SERVER_FACTS_SQL = `SELECT
  CONVERT(nvarchar(128), SERVERPROPERTY('ProductVersion')) AS ProductVersion,
  CONVERT(nvarchar(128), SERVERPROPERTY('ProductLevel')) AS ProductLevel,
  CONVERT(nvarchar(128), SERVERPROPERTY('Edition')) AS Edition,
  CONVERT(int, SERVERPROPERTY('EngineEdition')) AS EngineEdition,
  CONVERT(int, SERVERPROPERTY('IsHadrEnabled')) AS IsHadrEnabled,
  CONVERT(nvarchar(128), SERVERPROPERTY('ServerName')) AS ServerName,
  CONVERT(nvarchar(128), SERVERPROPERTY('InstanceName')) AS InstanceName,
  CONVERT(nvarchar(128), SERVERPROPERTY('Collation')) AS Collation,
  @@VERSION AS VersionText,
  SUSER_SNAME() AS LoginName,
  IS_SRVROLEMEMBER('sysadmin') AS IsSysadmin,
  IS_SRVROLEMEMBER('dbcreator') AS IsDbcreator,
  HAS_PERMS_BY_NAME(NULL, NULL, 'CREATE ANY DATABASE') AS HasCreateAnyDatabase,
  HAS_PERMS_BY_NAME(N'master', N'DATABASE', N'CREATE DATABASE') AS HasCreateDatabase,
  HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW ANY DATABASE') AS HasViewAnyDatabase;`;

/** Which of the given names exist; the names travel as parameters @db0, @db1, ... */
export function databasesQuery(names: readonly string[]): { text: string; params: { name: string; value: string }[] } {
  const params = names.map((value, i) => ({ name: `db${i}`, value }));
  const list = params.map((p) => `@${p.name}`).join(', ');
  return { text: `SELECT name FROM sys.databases WHERE name IN (${list});`, params };
}

export interface ServerFacts {
  productVersion: string;
  productLevel: string;
  edition: string;
  engineEdition: number | null;
  /** null: the property does not exist (before SQL Server 2012). */
  hadrEnabled: boolean | null;
  serverName: string;
  /** null for the default instance (NULL or '' from the server). */
  instanceName: string | null;
  collation: string;
  versionText: string;
  loginName: string;
  isSysadmin: boolean;
  isDbcreator: boolean;
  hasCreateAnyDatabase: boolean;
  /** CREATE DATABASE in master: what CREATE DATABASE checks, however it was granted. */
  hasCreateDatabase: boolean;
  /** Every database shows in sys.databases and DB_ID; otherwise a missing one may only be hidden. */
  seesAllDatabases: boolean;
  /** 32-bit build (from @@VERSION), which SERVERPROPERTY('Edition') does not always say. */
  is32Bit: boolean;
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trim());
const num = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
  return Number.isFinite(n) ? n : null;
};
/** 1 is yes; 0 and NULL are no. */
const flag = (v: unknown): boolean => num(v) === 1;

/** Reads the facts row by column name, case-insensitively. */
export function parseServerFacts(row: Record<string, unknown>): ServerFacts {
  const get = (name: string) => {
    const key = Object.keys(row).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? null : row[key];
  };
  const versionText = text(get('VersionText'));
  const hadr = num(get('IsHadrEnabled'));
  return {
    productVersion: text(get('ProductVersion')),
    productLevel: text(get('ProductLevel')),
    edition: text(get('Edition')),
    engineEdition: num(get('EngineEdition')),
    hadrEnabled: hadr === null ? null : hadr === 1,
    serverName: text(get('ServerName')),
    instanceName: text(get('InstanceName')) || null,
    collation: text(get('Collation')),
    versionText,
    loginName: text(get('LoginName')),
    isSysadmin: flag(get('IsSysadmin')),
    isDbcreator: flag(get('IsDbcreator')),
    hasCreateAnyDatabase: flag(get('HasCreateAnyDatabase')),
    hasCreateDatabase: flag(get('HasCreateDatabase')),
    seesAllDatabases: flag(get('IsSysadmin')) || flag(get('HasViewAnyDatabase')) || flag(get('HasCreateDatabase')) || flag(get('HasCreateAnyDatabase')),
    is32Bit: /\((Intel )?X86\)/i.test(versionText) && !/X64|64-bit/i.test(versionText.split('\n')[0] ?? ''),
  };
}
