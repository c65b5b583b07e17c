// The topology store's statements on the TDS test peer (test support only, never shipped). The peer
// answers exactly the statements of lib/topology/sql/statements.ts, recognised by their text (so a
// changed statement fails here as unknown until the peer learns it), over state it keeps per database:
// the tables, their rows, applocks owned by sessions (released when the session's connection ends),
// and the user objects of a database that is not a store. Each statement runs whole, as one
// transaction does on SQL Server: the peer runs one statement at a time. Inside a transaction a
// session opened (transaction-manager BEGIN), its session keeps a copy of each store database from
// before its first statement there (copyStoreDb) and puts it back on ROLLBACK or when its connection
// ends before COMMIT (restoreStoreDb). Others see those writes at once (no locks, no isolation).
import { SQL, type StoreStatement } from '../../../lib/topology/sql/statements.js';
import { SqlError, int, nv, type ResultSet, type Val } from './values.js';

interface DraftRow { revision: number; based: number; document: string; login: string; host: string }

export interface StoreDb {
  /** Objects that are not the store's (a database used for something else). */
  userObjects: number;
  /** Set once the tables exist. */
  schemaVersion?: number;
  draft?: DraftRow;
  history: Map<number, DraftRow>;
  published: Map<number, { document: string; login: string; host: string }>;
  backups: Map<string, string>;
  lockHolder: { login: string | null; host: string | null; process: number | null; since: string | null };
}

export function emptyStoreDb(): StoreDb {
  return { userObjects: 0, history: new Map(), published: new Map(), backups: new Map(), lockHolder: { login: null, host: null, process: null, since: null } };
}

/** The state to put back if the transaction that is about to change it rolls back. */
export function copyStoreDb(db: StoreDb): StoreDb {
  return structuredClone(db);
}

/** Puts a copy back in place: the peer and the tests hold the StoreDb object itself. */
export function restoreStoreDb(db: StoreDb, saved: StoreDb): void {
  for (const k of Object.keys(db)) delete (db as unknown as Record<string, unknown>)[k];
  Object.assign(db, saved);
}

/**
 * Statements that SET XACT_ABORT ON for themselves (createSchema, clearStore): an error in them rolls
 * back the whole transaction they run in, an outer one opened by the client included.
 */
export function abortsTransaction(stmt: StoreStatement): boolean {
  return /^SET XACT_ABORT ON;/.test(SQL[stmt]);
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
const BY_TEXT = new Map<string, StoreStatement>(Object.entries(SQL).map(([k, v]) => [norm(v), k as StoreStatement]));

/** The store statement this batch is, if it is one. */
export function storeStatement(text: string): StoreStatement | undefined {
  return BY_TEXT.get(norm(text));
}

export interface StoreCall {
  db: StoreDb;
  database: string;
  login: string;
  spid: number;
  params: Map<string, Val>;
  /** The peer's applocks: resource (per database) to owning session. */
  applocks: Map<string, number>;
}

const str = (c: StoreCall, name: string): string => {
  const v = c.params.get(`@${name}`.toLowerCase());
  if (!v || v.value === null) throw new SqlError(137, `Must declare the scalar variable "@${name}".`, 15);
  return String(v.value);
};
const num = (c: StoreCall, name: string): number => Number(str(c, name));
const rs = (columns: ResultSet['columns'], rows: Val[][]): ResultSet => ({ columns, rows });
const dup = (table: string, key: string) => new SqlError(2627, `Violation of PRIMARY KEY constraint 'PK_${table}'. Cannot insert duplicate key in object 'dbo.${table}'. The duplicate key value is (${key}).`, 14);
const noTable = (table: string) => new SqlError(208, `Invalid object name 'dbo.${table}'.`);

/** Runs one store statement; the result sets it returns (none for a write without SELECT). */
export function runStoreStatement(stmt: StoreStatement, c: StoreCall): ResultSet[] {
  const db = c.db;
  const needTables = () => {
    if (db.schemaVersion === undefined) throw noTable('PchatDraft');
  };
  switch (stmt) {
    case 'probe':
      return [rs([{ name: 'schemaVersion', type: 'int' }, { name: 'userObjects', type: 'int' }], [[int(db.schemaVersion ?? null), int(db.schemaVersion === undefined ? db.userObjects : 0)]])];
    case 'createSchema':
      if (db.schemaVersion !== undefined) throw new SqlError(2714, "There is already an object named 'PchatTopologyStore' in the database.");
      db.schemaVersion = num(c, 'schemaVersion');
      return [];
    case 'readDraft':
      needTables();
      return [rs([{ name: 'revision', type: 'int' }, { name: 'basedOnPublishedRevision', type: 'int' }, { name: 'document', type: 'nvarcharmax' }], db.draft ? [[int(db.draft.revision), int(db.draft.based), nv(db.draft.document)]] : [])];
    case 'insertDraft':
      needTables();
      if (db.draft) throw dup('PchatDraft', '1');
      db.draft = { revision: num(c, 'revision'), based: num(c, 'based'), document: str(c, 'document'), login: c.login, host: str(c, 'host') };
      return [];
    case 'updateDraft': {
      needTables();
      const d = db.draft;
      let updated = 0;
      if (d && d.revision === num(c, 'read')) {
        if (db.history.has(d.revision)) throw dup('PchatDraftHistory', String(d.revision));
        db.history.set(d.revision, d);
        db.draft = { revision: num(c, 'revision'), based: num(c, 'based'), document: str(c, 'document'), login: c.login, host: str(c, 'host') };
        updated = 1;
      }
      return [rs([{ name: 'updated', type: 'int' }], [[int(updated)]])];
    }
    case 'rebaseDraft':
      needTables();
      if (db.draft) db.draft = { ...db.draft, based: num(c, 'based') };
      return [];
    case 'listHistory':
      needTables();
      return [rs([{ name: 'revision', type: 'int' }, { name: 'basedOnPublishedRevision', type: 'int' }, { name: 'document', type: 'nvarcharmax' }], [...db.history.values()].sort((a, b) => a.revision - b.revision).map((h) => [int(h.revision), int(h.based), nv(h.document)]))];
    case 'insertHistory': {
      needTables();
      const revision = num(c, 'revision');
      if (db.history.has(revision)) throw dup('PchatDraftHistory', String(revision));
      db.history.set(revision, { revision, based: num(c, 'based'), document: str(c, 'document'), login: c.login, host: str(c, 'host') });
      return [];
    }
    case 'listPublished':
      needTables();
      return [rs([{ name: 'revision', type: 'int' }], [...db.published.keys()].sort((a, b) => a - b).map((n) => [int(n)]))];
    case 'readPublished':
    case 'readLatestPublished': {
      needTables();
      const n = stmt === 'readPublished' ? num(c, 'revision') : Math.max(0, ...db.published.keys());
      const p = db.published.get(n);
      return [rs([{ name: 'revision', type: 'int' }, { name: 'document', type: 'nvarcharmax' }], p ? [[int(n), nv(p.document)]] : [])];
    }
    case 'insertPublished': {
      needTables();
      const n = num(c, 'revision');
      if (db.published.has(n)) throw dup('PchatPublished', String(n));
      db.published.set(n, { document: str(c, 'document'), login: c.login, host: str(c, 'host') });
      return [];
    }
    case 'listBackups':
      needTables();
      return [rs([{ name: 'name', type: 'nvarchar' }, { name: 'content', type: 'nvarcharmax' }], [...db.backups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [nv(k), nv(v)]))];
    case 'insertBackup': {
      needTables();
      const name = str(c, 'name');
      if (db.backups.has(name)) throw dup('PchatBackup', name);
      db.backups.set(name, str(c, 'content'));
      return [];
    }
    case 'clearStore':
      needTables();
      db.draft = undefined;
      db.history.clear();
      db.published.clear();
      db.backups.clear();
      return [];
    case 'countRows':
      needTables();
      return [rs([{ name: 'total', type: 'int' }], [[int((db.draft ? 1 : 0) + db.history.size + db.published.size + db.backups.size)]])];
    case 'getPublishLock': {
      // sp_getapplock with @LockTimeout = 0: 0 granted, 1 granted after a wait (never here), -1 timed out.
      const key = `${c.database.toLowerCase()}|pchat-topology/publish`;
      const owner = c.applocks.get(key);
      if (owner !== undefined && owner !== c.spid) return [rs([{ name: 'result', type: 'int' }], [[int(-1)]])];
      c.applocks.set(key, c.spid);
      return [rs([{ name: 'result', type: 'int' }], [[int(0)]])];
    }
    case 'releasePublishLock': {
      const key = `${c.database.toLowerCase()}|pchat-topology/publish`;
      if (c.applocks.get(key) !== c.spid) throw new SqlError(1223, 'Cannot release the application lock (Database Principal: \'public\', Resource: \'pchat-topology/publish\') because it is not currently held.');
      c.applocks.delete(key);
      return [];
    }
    case 'writePublishLockHolder':
      needTables();
      db.lockHolder = { login: c.login, host: str(c, 'host'), process: num(c, 'process'), since: new Date().toISOString() };
      return [];
    case 'readPublishLockHolder': {
      needTables();
      const h = db.lockHolder;
      return [rs([{ name: 'holderLogin', type: 'nvarchar' }, { name: 'holderHost', type: 'nvarchar' }, { name: 'holderProcess', type: 'int' }, { name: 'since', type: 'nvarchar' }], [[nv(h.login), nv(h.host), int(h.process), nv(h.since)]])];
    }
  }
}
