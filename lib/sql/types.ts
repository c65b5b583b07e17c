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

/**
 * How the caller's user says what the advice asks for: Test-SqlStore and Publish-Topology have
 * parameters (-Encrypt, -SqlCredentialFile ...), the topology store only its address's options. Each
 * passes its own; the sentences around them are this layer's, written once.
 */
export interface AdviceTerms {
  /** Where the password comes from: 'PCHAT_SQL_PASSWORD or -SqlCredentialFile'. */
  password: string;
  /** Where the login and the connection settings are written: '' for parameters, ' in the address'. */
  where: string;
  /** A Windows account as the user writes it: 'DOMAIN\\user'. */
  windowsAccount: string;
  /** An encryption mode as the user sets it: '-Encrypt Optional'. */
  encrypt(mode: EncryptMode): string;
  /** Accepting the server's certificate as it is, as an instruction: 'pass -TrustServerCertificate'. */
  trustServerCertificate: string;
  /** The setting that bounds the connection's wait: '-TimeoutSeconds'. */
  timeout: string;
  /** How to give an instance's fixed port: '-Port, or New-SqlStore -Port'. */
  port: string;
  /** The sentence saying how to give a login and its password, for when none was given. */
  credential: string;
}

/** Options of a call that may fail with advice: the terms are required, so no caller gets another's. */
export interface SqlAdviceOptions extends SqlOptions {
  terms: AdviceTerms;
}

/** What a failure means and what to do about it, for a check row or an error record to build on. */
export interface Explanation {
  details: string;
  action: string;
}
