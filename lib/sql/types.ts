// lib/sql: the SQL Server client this tool shares. It connects through mssql/tedious (loaded lazily),
// finds a named instance's port through the SQL Server Browser, tells a SQL login from a Windows (NTLM)
// one, validates and quotes database names, creates a database when it is missing, and explains a
// failed connection or request in words (what failed, what to do).
// It sits below both the topology (its SQL Server store) and the probes (Test-SqlStore's checks), which
// architecture.md keeps apart: each builds on it, so neither imports the other. It knows neither the
// topology document nor check rows; its explanations are plain text that each wraps as it needs.
import type { Credential } from '../credential.js';

export type EncryptMode = 'Mandatory' | 'Optional' | 'Strict';

/** Where and how to connect. */
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

/** Minimal logger (structurally the cmdlet runtime's Logger), so this layer stays independent of it. */
export interface SqlLog {
  verbose(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

export interface SqlOptions {
  log?: SqlLog;
}

/** What a failure means and what to do about it, for a check row or an error record to build on. */
export interface Explanation {
  details: string;
  action: string;
}
