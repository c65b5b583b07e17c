// What the SQL probe takes: a target (where and how to connect) and an expectation (what the
// topology needs from that instance). Probes know nothing about the topology document itself.
import type { Credential } from '../types.js';
import type { Product } from '../../topology/model.js';

export type EncryptMode = 'Mandatory' | 'Optional' | 'Strict';

export interface SqlTarget {
  /** Host FQDN (or address) of the SQL Server. */
  server: string;
  /** Named instance; null/undefined/'MSSQLSERVER' is the default instance. */
  instance?: string | null;
  /** Fixed TCP port: no SQL Browser lookup. Default instance without a port: 1433. */
  port?: number;
  /** `user` is a SQL Server login; `DOMAIN\user` (or `user@realm`) a Windows login over NTLM. */
  credential?: Credential;
  /** Mandatory (default): TLS, a failure without; Optional: TLS when the server requires it; Strict: TDS 8.0. */
  encrypt?: EncryptMode;
  trustServerCertificate?: boolean;
  /** Bounds name resolution, the SQL Browser query, the TCP check and the whole login (default 15000). */
  connectTimeoutMs?: number;
  /** Bounds each query (default 15000). */
  requestTimeoutMs?: number;
  /** UDP port of the SQL Server Browser (1434; tests use another). */
  browserPort?: number;
  /** The database the login opens (default master); the topology store opens its own. */
  database?: string;
  /** How long an idle connection stays open (default 1 s); a session holding an applock must outlive its idle moments. */
  idleTimeoutMs?: number;
}

export interface SqlStoreExpectation {
  product: Product;
  /** Express is allowed only for a pool collocated with a Standard Edition server. */
  allowExpress?: boolean;
  /** The pool's databases on this instance, e.g. ['mgc'] or ['mgc', 'mgccomp']. */
  databases: string[];
  /** Publishing will create databases here (default true): the login needs the right to. */
  needCreate?: boolean;
  /** Names other pools of the topology place on this instance: finding them is a failure (rule 18). */
  otherPoolsDatabases?: string[];
  /** Those pools' FQDNs, for the messages. */
  otherPools?: string[];
  /** Of `databases`, those an earlier publish of this pool created here: finding them is expected. */
  publishedDatabases?: string[];
}

/** Minimal logger (structurally the cmdlet runtime's Logger), so probes stay independent of it. */
export interface ProbeLog {
  verbose(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

export interface ProbeOptions {
  log?: ProbeLog;
}

/** The check names, one row each, in the order they are reported. */
export const SQL_CHECK = {
  NameResolution: 'Name resolution',
  Browser: 'SQL Browser',
  Tcp: 'TCP reachability',
  Login: 'Login',
  Encryption: 'Encryption',
  Instance: 'Instance',
  Version: 'Version and edition',
  AlwaysOn: 'AlwaysOn',
  CreateRight: 'Create database permission',
  PoolDatabases: 'Pool databases',
  OtherPools: 'Other pool databases',
} as const;
