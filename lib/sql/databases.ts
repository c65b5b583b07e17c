// Create a database when it is missing (never drop, never overwrite), and list the databases of an
// instance: Publish-Topology's database steps, and New-Topology's store database. Failures are
// ErrorRecords naming the instance, what failed and what to do (in the caller's terms, see AdviceTerms).
import { ErrorRecord, type ErrorCategoryName } from '../cmdlet/errors.js';
import { explainConnectFailure } from './connect-failure.js';
import { describeAuthentication, describeRequestError, errorNumbers, normalizeTarget, openSession, type SqlSession } from './connect.js';
import { resolveEndpoint } from './endpoint.js';
import { quoteName, validateDatabaseName } from './names.js';
import type { SqlAdviceOptions, SqlTarget } from './types.js';

/** All databases (listDatabases). */
const LIST_DATABASES_SQL = 'SELECT name FROM sys.databases ORDER BY name;';

/** DB_ID of one name (ensureDatabase). */
const DATABASE_ID_SQL = 'SELECT DB_ID(@name) AS DatabaseId;';

function targetLabel(t: { server: string; instance: string | null; port?: number }): string {
  return `${t.server}${t.instance ? `\\${t.instance}` : ''}${t.port !== undefined ? `,${t.port}` : ''}`;
}

/** Connects (named instance through the Browser), runs fn, closes; a connection failure is an ErrorRecord. */
async function withSession<T>(target: SqlTarget, action: string, fn: (s: SqlSession, label: string) => Promise<T>, opts: SqlAdviceOptions): Promise<T> {
  const t = normalizeTarget(target);
  const label = targetLabel(t);
  if (!t.credential) {
    throw new ErrorRecord({ errorId: 'SqlCredentialMissing', category: 'AuthenticationError', target: label, message: `Cannot ${action} on ${label}: no SQL credential was given.`, recommendedAction: opts.terms.credential });
  }
  const ep = await resolveEndpoint(t, opts.terms);
  if (ep.port === undefined) {
    throw new ErrorRecord({ errorId: 'SqlInstanceNotFound', category: 'ObjectNotFound', target: label, message: `Cannot ${action} on ${label}: ${ep.browser.details}`, recommendedAction: ep.browser.action });
  }
  const opened = await openSession(t, ep.port, opts.log);
  if (!opened.ok) {
    const failed = explainConnectFailure(opened.failure, { mode: t.encrypt, userName: t.credential.userName, connectTimeoutMs: t.connectTimeoutMs, endpoint: `${t.server}:${ep.port}`, terms: opts.terms });
    const category: ErrorCategoryName = failed.refused
      ? 'AuthenticationError'
      : opened.failure.code === 'ETIMEOUT'
        ? 'OperationTimeout'
        : failed.stage !== 'login'
          ? 'SecurityError'
          : 'ConnectionError';
    throw new ErrorRecord({ errorId: 'SqlConnectFailed', category, target: label, message: `Cannot ${action} on ${label}: ${failed.details}`, recommendedAction: failed.action });
  }
  try {
    return await fn(opened.session, label);
  } finally {
    await opened.session.close();
  }
}

const LOST = new Set(['ECONNCLOSED', 'ESOCKET', 'ECLOSE', 'ECONNRESET', 'EINVALIDSTATE']);

/** Waits before CREATE DATABASE is tried again after 1807 (model locked): 3.5 s in all. */
const MODEL_LOCK_WAITS_MS = [500, 1000, 2000];

/** What to do about the causes CREATE DATABASE reports most (the cause precedes 1802 "Check related errors"). */
const CREATE_ADVICE: { number: number; action: string }[] = [
  { number: 1807, action: "Another session keeps database 'model' in use (an open query window or a job in model): close it, then rerun." },
  { number: 5170, action: 'A data or log file of that name is already in the instance\'s data folder (a database detached or dropped without its files?): attach it, or move the files away, then rerun.' },
  { number: 5133, action: 'The instance\'s default data or log folder is missing or unreadable: fix it (Server Properties, Database Settings) and rerun.' },
  { number: 5123, action: 'The SQL Server service account may not write to the instance\'s data folder: give it access, then rerun.' },
];

/**
 * Creates database `name` unless it exists. CREATE DATABASE runs as its own batch, outside any
 * transaction (SQL Server refuses it inside one). A connection lost while it runs leaves the outcome
 * unknown: that is an error, and running again is safe (an existing database is kept).
 */
export async function ensureDatabase(target: SqlTarget, name: string, opts: SqlAdviceOptions): Promise<'created' | 'exists'> {
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
    for (let attempt = 0; ; attempt++) {
      try {
        opts.log?.verbose(`${label}: CREATE DATABASE ${quoteName(name)}`);
        await s.batch(`CREATE DATABASE ${quoteName(name)};`);
        return 'created';
      } catch (e) {
        const err = e as { code?: string };
        const numbers = errorNumbers(e);
        const why = describeRequestError(e, normalizeTarget(target).requestTimeoutMs);
        if (numbers.includes(1801)) return 'exists'; // created meanwhile by someone else: fine, it is kept
        // CREATE DATABASE copies model under an exclusive lock: another create, or a session using model, holds it for a moment.
        if (numbers.includes(1807) && attempt < MODEL_LOCK_WAITS_MS.length) {
          opts.log?.verbose(`${label}: model is locked (error 1807); CREATE DATABASE ${quoteName(name)} again in ${MODEL_LOCK_WAITS_MS[attempt]} ms.`);
          await new Promise((r) => setTimeout(r, MODEL_LOCK_WAITS_MS[attempt]));
          continue;
        }
        if (numbers.includes(262)) {
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
        const advice = CREATE_ADVICE.find((a) => numbers.includes(a.number))?.action ?? 'See the SQL Server error log for this error number, fix the cause, and rerun.';
        throw fail('SqlCreateDatabaseFailed', 'InvalidOperation', `Cannot create database ${name} on ${label}: ${why}.`, advice);
      }
    }
  }, opts);
}

/** Every database of the instance (system databases included), sorted by name. */
export async function listDatabases(target: SqlTarget, opts: SqlAdviceOptions): Promise<string[]> {
  return withSession(target, 'list the databases', async (s, label) => {
    try {
      return (await s.query(LIST_DATABASES_SQL)).map((r) => String(r.name ?? ''));
    } catch (e) {
      throw new ErrorRecord({ errorId: 'SqlQueryFailed', category: 'ReadError', target: label, message: `Cannot list the databases of ${label}: ${describeRequestError(e, normalizeTarget(target).requestTimeoutMs)}.`, recommendedAction: 'Check that the login has VIEW ANY DATABASE (granted to public by default).' });
    }
  }, opts);
}
