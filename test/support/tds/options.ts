// Configuration of the TDS test peer (test support only, never shipped): logins, encryption,
// server facts, quirks and faults, as TdsPeer.start() takes them.
import type { StoreStatement } from '../../../lib/topology/sql/statements.js';

export interface PeerLogin {
  /** `sa`, `pchatadmin` (SQL logins) or `CONTOSO\pchat` (Windows logins, NTLM). */
  name: string;
  password: string;
  /** Fixed server roles: `sysadmin`, `dbcreator`, ... */
  roles?: string[];
  /** Server permissions granted directly, e.g. `CREATE ANY DATABASE`. */
  permissions?: string[];
  /** Permissions of the login's user in master, e.g. `CREATE DATABASE` (GRANT CREATE DATABASE TO ... in master). */
  masterPermissions?: string[];
  /** Databases that exist but where the login has no user: its login to them fails with 4060, as to a missing one. */
  noAccess?: string[];
  /** ALTER LOGIN ... DISABLE: with the right password the login is refused with 18470, not 18456. */
  disabled?: boolean;
}

export type PeerMode = 'normal' | 'silent';
/** unsupported: PRELOGIN says NOT_SUP (no certificate); supported: TLS when the client asks; required: Force Encryption. */
export type PeerEncryption = 'unsupported' | 'supported' | 'required';

export interface PeerQuirks {
  /** IS_SRVROLEMEMBER answers NULL (as for an unknown role). */
  nullRoleMembership?: boolean;
  /** SERVERPROPERTY('InstanceName') is '' for the default instance and MachineName is ''. */
  emptyNames?: boolean;
  /** SERVERPROPERTY('Collation') in lower case. */
  lowerCaseCollation?: boolean;
  /** CONNECTIONPROPERTY(...) answers NULL. */
  nullConnectionProperties?: boolean;
}

export interface PeerFaults {
  /** Delay before answering each request (not the login or the session SET batch). */
  queryDelayMs?: number;
  /** Drop the connection when CREATE DATABASE runs: before creating it, or after creating it but before answering. */
  dropOnCreateDatabase?: 'before' | 'after';
  /** Called when a CREATE DATABASE arrives (a test can act at that moment), then hold it this long. */
  onCreateDatabase?: (name: string) => void;
  createDatabaseDelayMs?: number;
  /**
   * Errors a CREATE DATABASE answers instead of creating (attempt counts from 1 per name), the cause
   * first and the error SQL Server ends with last (e.g. 5170 then 1802); undefined: no fault.
   */
  createDatabaseErrors?: (name: string, attempt: number) => { number: number; message: string }[] | undefined;
  /**
   * Called as each topology-store statement arrives, with the session's database (a test counts the
   * ones it wants): hold it holdMs (long enough to kill the client; ATTENTION or the connection's end
   * stops the wait, and a statement whose connection ended never runs), then answer errors instead of
   * running it (the cause first, as above); undefined: no fault.
   */
  storeStatement?: (stmt: StoreStatement, database: string) => { holdMs?: number; errors?: { number: number; message: string }[] } | undefined;
}

export interface TdsPeerOptions {
  host?: string;
  port?: number;
  mode?: PeerMode;
  encryption?: PeerEncryption;
  /** The newest TLS version offered (default TLS 1.2 and 1.3): 'TLSv1.1' is a SQL Server without the TLS 1.2 update (KB3135244). */
  tlsMaxVersion?: 'TLSv1' | 'TLSv1.1';
  productVersion?: string;
  productLevel?: string;
  edition?: string;
  /** SERVERPROPERTY('EngineEdition'): 2 Standard, 3 Enterprise, 4 Express. */
  engineEdition?: number;
  hadrEnabled?: boolean;
  collation?: string;
  machineName?: string;
  /** null/undefined: default instance. */
  instanceName?: string | null;
  logins?: PeerLogin[];
  /** User databases that already exist (master, tempdb, model and msdb always exist). */
  databases?: string[];
  /**
   * REVOKE VIEW ANY DATABASE FROM public: then a login sees only master and tempdb in sys.databases
   * and DB_ID, unless it holds VIEW ANY DATABASE, ALTER ANY DATABASE or CREATE DATABASE in master.
   */
  viewAnyDatabaseRevoked?: boolean;
  /**
   * CREATE DATABASE takes an exclusive lock on model: one arriving while another runs fails with 1807
   * then 1802, as SQL Server answers concurrent creates.
   */
  exclusiveModelLock?: boolean;
  quirks?: PeerQuirks;
  faults?: PeerFaults;
}
