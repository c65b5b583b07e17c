// Connecting through mssql/tedious (loaded lazily: commands that never connect to SQL Server never load them).
// A fresh config object per connection (mssql mutates the one it is given), the port always
// explicit (the SQL Browser was asked beforehand, see endpoint.ts), and the login's error tokens,
// the TLS session and the last handshake phase captured from tedious for connect-failure.ts to explain.
import { TLSSocket } from 'node:tls';
import type { ConnectionPool, config as MssqlConfig } from 'mssql';
import type { EncryptMode, SqlLog, SqlTarget } from './types.js';

export const DEFAULT_TIMEOUT_MS = 15_000;

type Mssql = typeof import('mssql');
let mssql: Promise<Mssql> | undefined;
/** mssql is CommonJS: its API is the default export under ESM. */
export function loadMssql(): Promise<Mssql> {
  mssql ??= import('mssql').then((m) => ((m as unknown as { default?: Mssql }).default ?? m) as Mssql);
  return mssql;
}

export interface NormalizedTarget extends SqlTarget {
  instance: string | null;
  encrypt: EncryptMode;
  trustServerCertificate: boolean;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

export function normalizeTarget(t: SqlTarget): NormalizedTarget {
  const inst = (t.instance ?? '').trim();
  return {
    ...t,
    server: t.server.trim(),
    instance: inst === '' || inst.toUpperCase() === 'MSSQLSERVER' ? null : inst,
    encrypt: t.encrypt ?? 'Mandatory',
    trustServerCertificate: !!t.trustServerCertificate,
    connectTimeoutMs: t.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    requestTimeoutMs: t.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

/** `DOMAIN\user` and `user@realm` are Windows accounts (NTLM); anything else is a SQL Server login. */
export function splitUserName(userName: string): { user: string; domain?: string } {
  const slash = userName.indexOf('\\');
  if (slash > 0) return { domain: userName.slice(0, slash), user: userName.slice(slash + 1) };
  if (userName.includes('@')) return { domain: '', user: userName };
  return { user: userName };
}

/** Credential kinds in words ("which authentication was tried"), for messages. */
export function describeAuthentication(userName: string | undefined): string {
  if (!userName) return 'no credential';
  return /\\|@/.test(userName) ? `Windows authentication (NTLM) as '${userName}'` : `SQL Server authentication as '${userName}'`;
}

/** The encryption a session got: the TLS protocol and cipher, and whether it was TDS 8.0 strict. */
export interface TlsInfo {
  protocol: string;
  cipher: string;
  strict: boolean;
}

/** What a connection attempt that did not log in tells (explained by connect-failure.ts). */
export interface ConnectFailure {
  code: string;
  message: string;
  /** ERROR tokens the server sent during the login (18456 and its state, 4060 ...). */
  serverErrors: { number: number; state: number; class: number; message: string }[];
  /** The last tedious state before the failure (SentPrelogin, SentTLSSSLNegotiation, SentLogin7...). */
  phase: string;
}

/** The tedious `encrypt` value for a mode; Optional first tries without TLS (see openSession). */
export function encryptOption(mode: EncryptMode, optionalRetry = false): boolean | 'strict' {
  if (mode === 'Strict') return 'strict';
  if (mode === 'Optional') return optionalRetry;
  return true;
}

/** A new mssql config for one connection. Never logged: it holds the password. */
export function buildConfig(t: NormalizedTarget, port: number, encrypt: boolean | 'strict'): MssqlConfig {
  const cred = t.credential ? splitUserName(t.credential.userName) : undefined;
  const cfg: MssqlConfig = {
    server: t.server,
    port,
    database: t.database ?? 'master',
    connectionTimeout: t.connectTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    // One connection, used at once: validating it with an extra SELECT 1 would only cost a round trip.
    validateConnection: false,
    pool: { max: 1, min: 0, idleTimeoutMillis: t.idleTimeoutMs ?? 1000 },
    options: {
      encrypt: encrypt as boolean,
      trustServerCertificate: t.trustServerCertificate,
      appName: 'pchat-topology',
    },
  };
  if (cred) {
    cfg.user = cred.user;
    cfg.password = t.credential!.password;
    if (cred.domain !== undefined) cfg.domain = cred.domain;
  }
  return cfg;
}

/** An open session: one pooled connection for the caller's queries. */
export interface SqlSession {
  pool: ConnectionPool;
  tls?: TlsInfo;
  query(text: string, params?: { name: string; value: string }[]): Promise<Record<string, unknown>[]>;
  batch(text: string): Promise<void>;
  close(): Promise<void>;
}

export type OpenResult = { ok: true; session: SqlSession } | { ok: false; failure: ConnectFailure };

export async function openSession(t: NormalizedTarget, port: number, log?: SqlLog): Promise<OpenResult> {
  const first = await connectOnce(t, port, encryptOption(t.encrypt), log);
  // -Encrypt Optional: a server that forces encryption refuses a plain login (EENCRYPT); then use TLS.
  if (!first.ok && t.encrypt === 'Optional' && first.failure.code === 'EENCRYPT') {
    log?.verbose(`${t.server}:${port} requires encryption; retrying with TLS (-Encrypt Optional).`);
    return connectOnce(t, port, encryptOption('Optional', true), log);
  }
  return first;
}

async function connectOnce(t: NormalizedTarget, port: number, encrypt: boolean | 'strict', log?: SqlLog): Promise<OpenResult> {
  const sql = await loadMssql();
  const secret = t.credential?.password ?? '';
  const scrub = (s: string) => (secret ? s.split(secret).join('[REDACTED]') : s);
  let serverErrors: ConnectFailure['serverErrors'] = [];
  let phase = '';
  let tls: TlsInfo | undefined;
  const cfg = buildConfig(t, port, encrypt);
  // Called for every tedious connection mssql opens (one per session, see reuseTestConnection).
  cfg.beforeConnect = (conn) => {
    serverErrors = [];
    phase = '';
    const c = conn as unknown as NodeJS.EventEmitter & { socket?: unknown };
    c.on('errorMessage', (m: { number: number; state: number; class: number; message: string }) => {
      serverErrors.push({ number: m.number, state: m.state, class: m.class, message: scrub(m.message) });
    });
    // TLS records reach the socket in pieces; with Nagle's algorithm on, the second piece waits for the
    // server's delayed ACK (40-200 ms per request). SqlClient turns it off too.
    const noDelay = () => (c.socket as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    c.on('secure', (s: TLSSocket) => {
      noDelay();
      tls = { protocol: s.getProtocol() ?? 'TLS', cipher: s.getCipher()?.name ?? 'unknown cipher', strict: false };
    });
    c.on('connect', (err?: Error) => {
      if (err) return;
      noDelay();
      if (c.socket instanceof TLSSocket) tls = { protocol: c.socket.getProtocol() ?? 'TLS', cipher: c.socket.getCipher()?.name ?? 'unknown cipher', strict: true };
    });
    c.on('debug', (m: string) => {
      const s = /^State change: (\S+) -> (\S+)/.exec(m);
      if (s && s[2] !== 'Final') phase = s[2]!;
      log?.debug(`tedious: ${scrub(m)}`);
    });
  };
  const pool = new sql.ConnectionPool(cfg);
  pool.on('error', (e: Error) => log?.debug(`mssql pool error: ${scrub(e.message)}`));
  const dropSpare = reuseTestConnection(pool);
  try {
    await pool.connect();
  } catch (e) {
    const err = e as { code?: string; message?: string; originalError?: { code?: string; message?: string; cause?: { code?: string; message?: string } } };
    const cause = err.originalError?.cause;
    const message = scrub([err.message ?? String(e), cause?.message && !String(err.message).includes(cause.message) ? cause.message : ''].filter(Boolean).join(': '));
    await pool.close().catch(() => {});
    return { ok: false, failure: { code: err.code ?? err.originalError?.code ?? '', message, serverErrors, phase } };
  }
  const session: SqlSession = {
    pool,
    tls,
    async query(text, params = []) {
      const req = pool.request();
      for (const p of params) req.input(p.name, sql.NVarChar(128), p.value);
      const r = await req.query(text);
      return (r.recordset ?? []) as Record<string, unknown>[];
    },
    async batch(text) {
      await pool.request().batch(text);
    },
    async close() {
      await dropSpare();
      await pool.close().catch(() => {});
    },
  };
  return { ok: true, session };
}

/**
 * mssql's connect() logs in once to test the config, closes that connection, and the first query
 * logs in again. Handing the tested connection to the pool instead halves the logins (and the TLS
 * handshakes) of a session. Applied only when mssql has these internals; otherwise its own behaviour
 * stands. Returns a function that closes the connection if no query ever took it.
 */
function reuseTestConnection(pool: ConnectionPool): () => Promise<void> {
  const p = pool as unknown as { _poolCreate?: () => Promise<unknown>; _poolDestroy?: (c: unknown) => Promise<void> };
  if (typeof p._poolCreate !== 'function' || typeof p._poolDestroy !== 'function') return async () => {};
  const create = p._poolCreate.bind(pool);
  const destroy = p._poolDestroy.bind(pool);
  let testing = true;
  let spare: unknown;
  p._poolDestroy = (c) => {
    if (!testing) return destroy(c);
    testing = false; // the first destroy is connect() discarding its test connection: keep it
    spare = c;
    return Promise.resolve();
  };
  p._poolCreate = () => {
    if (spare === undefined) return create();
    const c = spare;
    spare = undefined;
    return Promise.resolve(c);
  };
  return async () => {
    if (spare === undefined) return;
    const c = spare;
    spare = undefined;
    await destroy(c).catch(() => {});
  };
}

type RequestFailure = { code?: string; number?: number; message?: string; precedingErrors?: { number?: number; message?: string }[] };

/**
 * A failed request as a sentence: "message (error N)" or the timeout it hit. SQL Server often sends
 * the cause first and a summary last (5170 then 1802 "Check related errors"); mssql keeps the last
 * as the error and the others in precedingErrors, so those come first here.
 */
export function describeRequestError(e: unknown, requestTimeoutMs: number): string {
  const err = e as RequestFailure;
  if (err.code === 'ETIMEOUT') return `the server gave no answer within ${requestTimeoutMs} ms`;
  if (typeof err.number === 'number') return [...(err.precedingErrors ?? []), err].map((x) => `${x.message} (error ${x.number})`).join('; ');
  return `${err.message ?? String(e)}${err.code ? ` (${err.code})` : ''}`;
}

/** Every SQL Server error number of a failed request, the preceding ones included. */
export function errorNumbers(e: unknown): number[] {
  const err = e as RequestFailure;
  return [...(err.precedingErrors ?? []), err].map((x) => x.number).filter((n): n is number => typeof n === 'number');
}
