// Changes and listings for Publish-Topology: create a pool database when it is missing (never drop,
// never overwrite), and list the databases of an instance. Failures are ErrorRecords naming the
// instance, what failed and what to do.
import { ErrorRecord, type ErrorCategoryName } from '../../cmdlet/errors.js';
import { connectFailureVerdicts, describeAuthentication } from './checks.js';
import { describeRequestError, normalizeTarget, openSession, type SqlSession } from './connect.js';
import { resolveEndpoint } from './endpoint.js';
import { quoteName, validateDatabaseName } from './names.js';
import { DATABASE_ID_SQL, LIST_DATABASES_SQL } from './queries.js';
import type { ProbeOptions, SqlTarget } from './types.js';

function targetLabel(t: { server: string; instance: string | null; port?: number }): string {
  return `${t.server}${t.instance ? `\\${t.instance}` : ''}${t.port !== undefined ? `,${t.port}` : ''}`;
}

/** Connects (named instance through the Browser), runs fn, closes; a connection failure is an ErrorRecord. */
async function withSession<T>(target: SqlTarget, action: string, fn: (s: SqlSession, label: string) => Promise<T>, opts: ProbeOptions = {}): Promise<T> {
  const t = normalizeTarget(target);
  const label = targetLabel(t);
  if (!t.credential) {
    throw new ErrorRecord({ errorId: 'SqlCredentialMissing', category: 'AuthenticationError', target: label, message: `Cannot ${action} on ${label}: no SQL credential was given.`, recommendedAction: 'Give -SqlCredential <login> (or DOMAIN\\user) with the password in PCHAT_SQL_PASSWORD or a -CredentialFile.' });
  }
  const ep = await resolveEndpoint(t);
  if (ep.port === undefined) {
    throw new ErrorRecord({ errorId: 'SqlInstanceNotFound', category: 'ObjectNotFound', target: label, message: `Cannot ${action} on ${label}: ${ep.verdict.Details}`, recommendedAction: ep.verdict.RecommendedAction });
  }
  const opened = await openSession(t, ep.port, opts.log);
  if (!opened.ok) {
    const v = connectFailureVerdicts(opened.failure, { mode: t.encrypt, userName: t.credential.userName, connectTimeoutMs: t.connectTimeoutMs, endpoint: `${t.server}:${ep.port}` });
    const failed = v.encryption.Status === 'Failed' ? v.encryption : v.login;
    const category: ErrorCategoryName = opened.failure.serverErrors.some((e) => e.number === 18456)
      ? 'AuthenticationError'
      : opened.failure.code === 'ETIMEOUT'
        ? 'OperationTimeout'
        : v.encryption.Status === 'Failed'
          ? 'SecurityError'
          : 'ConnectionError';
    throw new ErrorRecord({ errorId: 'SqlConnectFailed', category, target: label, message: `Cannot ${action} on ${label}: ${failed.Details}`, recommendedAction: failed.RecommendedAction });
  }
  try {
    return await fn(opened.session, label);
  } finally {
    await opened.session.close();
  }
}

const LOST = new Set(['ECONNCLOSED', 'ESOCKET', 'ECLOSE', 'ECONNRESET', 'EINVALIDSTATE']);

/**
 * Creates database `name` unless it exists. CREATE DATABASE runs as its own batch, outside any
 * transaction (SQL Server refuses it inside one). A connection lost while it runs leaves the outcome
 * unknown: that is an error, and running again is safe (an existing database is kept).
 */
export async function ensureDatabase(target: SqlTarget, name: string, opts: ProbeOptions = {}): Promise<'created' | 'exists'> {
  validateDatabaseName(name);
  return withSession(target, `create database ${name}`, async (s, label) => {
    const fail = (errorId: string, category: ErrorCategoryName, message: string, recommendedAction: string) =>
      new ErrorRecord({ errorId, category, target: `${label}/${name}`, message, recommendedAction });
    let existing: Record<string, unknown>[];
    try {
      existing = await s.query(DATABASE_ID_SQL, [{ name: 'name', value: name }]);
    } catch (e) {
      throw fail('SqlQueryFailed', 'ReadError', `Cannot check whether database ${name} exists on ${label}: ${describeRequestError(e, normalizeTarget(target).requestTimeoutMs)}.`, 'Check the connection and rerun.');
    }
    const id = existing[0]?.DatabaseId;
    if (id !== null && id !== undefined) return 'exists';
    try {
      opts.log?.verbose(`${label}: CREATE DATABASE ${quoteName(name)}`);
      await s.batch(`CREATE DATABASE ${quoteName(name)};`);
      return 'created';
    } catch (e) {
      const err = e as { number?: number; code?: string };
      if (err.number === 1801) return 'exists'; // created meanwhile by someone else: fine, it is kept
      const why = describeRequestError(e, normalizeTarget(target).requestTimeoutMs);
      if (err.number === 262) {
        throw fail('SqlCreateDatabaseDenied', 'PermissionDenied', `Cannot create database ${name} on ${label}: ${why}. ${describeAuthentication(target.credential?.userName)} lacks the right to create databases.`, 'Add the login to the dbcreator server role, grant it CREATE ANY DATABASE (or CREATE DATABASE in master), or let a sysadmin create the database, then rerun.');
      }
      if ((err.code && LOST.has(err.code)) || err.code === 'ETIMEOUT') {
        throw new ErrorRecord({
          errorId: 'SqlConnectionLost',
          category: 'ConnectionError',
          target: `${label}/${name}`,
          message: `The connection to ${label} was lost while creating database ${name} (${why}); it may or may not have been created.`,
          recommendedAction: 'Run the command again: an existing database is found and kept, a missing one is created.',
        });
      }
      throw fail('SqlCreateDatabaseFailed', 'InvalidOperation', `Cannot create database ${name} on ${label}: ${why}.`, 'See the SQL Server error log for this error number, fix the cause, and rerun.');
    }
  }, opts);
}

/** Every database of the instance (system databases included), sorted by name. */
export async function listDatabases(target: SqlTarget, opts: ProbeOptions = {}): Promise<string[]> {
  return withSession(target, 'list the databases', async (s, label) => {
    try {
      return (await s.query(LIST_DATABASES_SQL)).map((r) => String(r.name ?? ''));
    } catch (e) {
      throw new ErrorRecord({ errorId: 'SqlQueryFailed', category: 'ReadError', target: label, message: `Cannot list the databases of ${label}: ${describeRequestError(e, normalizeTarget(target).requestTimeoutMs)}.`, recommendedAction: 'Check that the login has VIEW ANY DATABASE (granted to public by default).' });
    }
  }, opts);
}
