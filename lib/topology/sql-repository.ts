// The topology store on SQL Server: the same contract as the folder (repository.ts), for a team of
// administrators and hosts sharing one topology, as Lync's Central Management Store is shared.
// mssql (through the shared SQL client, lib/sql/) is loaded only when a store is first used.
//
// Changes are optimistic: read the draft, compute the change, write it only if the draft is still the
// revision read (statements.ts, updateDraft), else read again; none is lost, and no lock outlives a
// writer. Publish-Topology holds an applock owned by its session: it dies with the connection.
import os from 'node:os';
import type { Transaction } from 'mssql';
import { ErrorRecord, ExitCode } from '../cmdlet/errors.js';
import type { Credential } from '../credential.js';
import type { SqlSession } from '../sql/connect.js';
import type { AdviceTerms, SqlLog } from '../sql/types.js';
import { lockTimeoutMs } from './lock.js';
import { repositoryNotFound } from './not-found.js';
import { RepositoryBase, storedJson, type DraftDocument, type PublishedRevision, type RepositorySnapshot, type TopologyRepository, type UpdateOptions } from './repository.js';
import type { Topology } from './model.js';
import { addressTerms, type SqlStoreAddress } from './sql/address.js';
import { SQL, STORE_SCHEMA_VERSION, type StoreStatement } from './sql/statements.js';

export interface SqlRepositoryOptions {
  /** Asked once, at the first connection: the login named in the address with its password. */
  credential(userName: string): Promise<Credential>;
  log?: SqlLog;
  /** Each statement, and the login unless the address has connectTimeout= (default 15 s). */
  timeoutMs?: number;
  /** The parameter that gives the password file, for advice (default -RepositoryCredentialFile). */
  credentialFile?: string;
  /** Tests: the SQL Browser's UDP port. */
  browserPort?: number;
}

type Kind = 'missing' | 'empty' | 'store';
type Row = Record<string, unknown>;
type Params = Record<string, string | number>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOST = os.hostname();

export class SqlRepository extends RepositoryBase implements TopologyRepository {
  readonly folder: string;
  readonly draftFile: string;
  private session?: Promise<SqlSession | undefined>;
  private kind?: Promise<Kind>;
  private credential?: Promise<Credential>;
  /** What the SQL client's advice tells a store user to set: the address's options, the store's password sources. */
  private readonly terms: AdviceTerms;
  /** Read when the store opens: a bad PCHAT_LOCK_TIMEOUT_MS is refused before any work, -WhatIf included. */
  private readonly lockWaitMs = lockTimeoutMs();

  constructor(private readonly addr: SqlStoreAddress, private readonly opts: SqlRepositoryOptions) {
    super();
    this.terms = addressTerms(opts.credentialFile);
    this.folder = addr.display;
    this.draftFile = `the draft in ${addr.display}`;
  }

  protected override documentLabel(where: string): string {
    return where[0]!.toUpperCase() + where.slice(1);
  }

  protected historyLabel(): string {
    return `the draft history in ${this.folder} (Copy-Topology copies it out)`;
  }

  private get server(): string {
    return `${this.addr.server}${this.addr.instance ? `\\${this.addr.instance}` : ''}${this.addr.port ? `:${this.addr.port}` : ''}`;
  }

  // ---- connection --------------------------------------------------------------

  private getCredential(): Promise<Credential> {
    if (!this.addr.userName) {
      return Promise.reject(new ErrorRecord({
        errorId: 'RepositoryLoginMissing',
        category: 'InvalidArgument',
        target: this.folder,
        message: `The repository address '${this.folder}' names no login.`,
        recommendedAction: 'Put the login before the host: sqlserver://login@host/database (a SQL Server login) or sqlserver://DOMAIN\\user@host/database (Windows, NTLM).',
        exitCode: ExitCode.Usage,
      }));
    }
    this.credential ??= this.opts.credential(this.addr.userName);
    return this.credential;
  }

  /** The session on the store's database; undefined when that database does not exist. */
  private connect(): Promise<SqlSession | undefined> {
    this.session ??= this.openSession();
    return this.session;
  }

  private target(credential: Credential, database?: string) {
    const a = this.addr;
    const ms = this.opts.timeoutMs ?? 15_000;
    // connectTimeout= bounds the SQL Browser query and the login only: a statement keeps its own wait,
    // and the publish lock's wait is PCHAT_LOCK_TIMEOUT_MS.
    const connectTimeoutMs = a.connectTimeoutSeconds !== undefined ? a.connectTimeoutSeconds * 1000 : ms;
    // idleTimeoutMs: the one connection stays until close(); the publish lock lives on it.
    return { server: a.server, instance: a.instance, port: a.port, credential, encrypt: a.encrypt, trustServerCertificate: a.trustServerCertificate, connectTimeoutMs, requestTimeoutMs: ms, browserPort: this.opts.browserPort, database, idleTimeoutMs: 86_400_000 };
  }

  private async openSession(): Promise<SqlSession | undefined> {
    const credential = await this.getCredential();
    const [{ normalizeTarget, openSession }, { resolveEndpoint }, { explainConnectFailure }] = await Promise.all([import('../sql/connect.js'), import('../sql/endpoint.js'), import('../sql/connect-failure.js')]);
    const t = normalizeTarget(this.target(credential, this.addr.database));
    const ep = await resolveEndpoint(t, this.terms);
    if (ep.port === undefined) throw this.unreachable(ep.browser.details, ep.browser.action);
    const opened = await openSession(t, ep.port, this.opts.log);
    if (opened.ok) return opened.session;
    const numbers = opened.failure.serverErrors.map((e) => e.number);
    if (numbers.includes(4060)) return undefined; // the login worked; the database is not there (or not open to it)
    const failed = explainConnectFailure(opened.failure, { mode: t.encrypt, userName: credential.userName, connectTimeoutMs: t.connectTimeoutMs, endpoint: `${t.server}:${ep.port}`, terms: this.terms });
    if (failed.refused) {
      throw new ErrorRecord({ errorId: 'RepositoryLoginFailed', category: 'AuthenticationError', target: this.folder, message: `Cannot log in to the topology store ${this.folder}: ${failed.details}`, recommendedAction: failed.action });
    }
    throw this.unreachable(failed.details, failed.action);
  }

  /** The database is there, yet the login was refused it (4060): the DBA created it without a user for this login. */
  private noAccess(): ErrorRecord {
    const db = this.addr.database;
    const login = this.addr.userName ?? '';
    return new ErrorRecord({
      errorId: 'RepositoryAccessDenied',
      category: 'PermissionDenied',
      target: this.folder,
      message: `The database '${db}' exists on ${this.server}, but the login '${login}' cannot open it (error 4060).`,
      recommendedAction: `Ask the DBA to give the login a user in it, member of db_owner: USE [${db}]; CREATE USER [${login}] FOR LOGIN [${login}]; ALTER ROLE db_owner ADD MEMBER [${login}]; (SQL Server 2008 R2: EXEC sp_addrolemember 'db_owner', '${login}').`,
    });
  }

  private unreachable(details: string, action: string): ErrorRecord {
    return new ErrorRecord({ errorId: 'RepositoryUnreachable', category: 'ConnectionError', target: this.folder, message: `Cannot reach the topology store ${this.folder}: ${details}`, recommendedAction: action || `Check that SQL Server on ${this.server} runs and accepts TCP connections from this host.` });
  }

  /** One statement on the session, or inside a transaction on it (restore). */
  private async run(stmt: StoreStatement, params: Params = {}, on?: SqlSession | Transaction): Promise<Row[]> {
    const s = on ?? (await this.connect());
    if (!s) throw repositoryNotFound(this.folder);
    const { loadMssql, describeRequestError } = await import('../sql/connect.js');
    const sql = await loadMssql();
    const req = 'pool' in s ? s.pool.request() : s.request();
    for (const [k, v] of Object.entries(params)) req.input(k, typeof v === 'number' ? sql.Int : sql.NVarChar(sql.MAX), v);
    try {
      return ((await req.query(SQL[stmt])).recordset ?? []) as Row[];
    } catch (e) {
      (e as { store?: string }).store = describeRequestError(e, this.opts.timeoutMs ?? 15_000);
      throw e;
    }
  }

  private failed(e: unknown, doing: string): ErrorRecord {
    if (e instanceof ErrorRecord) return e;
    const why = (e as { store?: string }).store ?? String((e as Error)?.message ?? e);
    return new ErrorRecord({ errorId: 'RepositoryQueryFailed', category: 'WriteError', target: this.folder, message: `The topology store ${this.folder} could not ${doing}: ${why}. Nothing was changed by this command.`, recommendedAction: 'Check that the login is db_owner of the store database (README, "The topology store on SQL Server"), then run the command again.' });
  }

  private static numbers(e: unknown): number[] {
    const err = e as { number?: number; precedingErrors?: { number?: number }[] };
    return [...(err.precedingErrors ?? []), err].map((x) => x.number).filter((n): n is number => typeof n === 'number');
  }

  /** What the database is; a database that is not a store, or a newer store, is refused here. */
  private inspect(): Promise<Kind> {
    this.kind ??= (async (): Promise<Kind> => {
      const s = await this.connect();
      if (!s) return 'missing';
      const row = (await this.run('probe', {}, s).catch((e) => Promise.reject(this.failed(e, 'be read'))))[0] ?? {};
      const version = row.schemaVersion as number | null;
      if (version === null || version === undefined) {
        if (Number(row.userObjects) > 0) {
          throw new ErrorRecord({ errorId: 'RepositoryNotAStore', category: 'InvalidData', target: this.folder, message: `The database '${this.addr.database}' on ${this.server} is not a topology store: it holds other objects and no pchat-topology tables. It was left as it is.`, recommendedAction: 'Check the database name in the address; a new store needs a new (or empty) database.' });
        }
        return 'empty';
      }
      if (version > STORE_SCHEMA_VERSION) {
        throw new ErrorRecord({ errorId: 'RepositorySchemaTooNew', category: 'InvalidData', target: this.folder, message: `The topology store ${this.folder} has schema version ${version}; this version of pchat-topology understands up to ${STORE_SCHEMA_VERSION}. It was left as it is.`, recommendedAction: 'Upgrade pchat-topology (npm install -g pchat-topology@latest) on this host.' });
      }
      return 'store';
    })();
    return this.kind;
  }

  /** The store's session; a missing or empty database is "no topology here". */
  private async store(): Promise<SqlSession> {
    if ((await this.inspect()) !== 'store') throw repositoryNotFound(this.folder);
    return (await this.connect())!;
  }

  /** New-Topology and Copy-Topology: the database (when missing) and the tables (when empty). */
  private async create(): Promise<SqlSession> {
    let kind = await this.inspect();
    if (kind === 'missing') {
      const { ensureDatabase } = await import('../sql/databases.js');
      const made = await ensureDatabase(this.target(await this.getCredential()), this.addr.database, { log: this.opts.log, terms: this.terms });
      this.session = this.kind = undefined;
      kind = await this.inspect();
      if (kind === 'missing') throw made === 'exists' ? this.noAccess() : repositoryNotFound(this.folder);
    }
    if (kind === 'empty') {
      try {
        await this.run('createSchema', { schemaVersion: STORE_SCHEMA_VERSION, host: HOST });
      } catch (e) {
        // 2714: another New-Topology created them a moment ago; use those.
        if (!SqlRepository.numbers(e).includes(2714)) throw this.failed(e, 'create its tables');
      }
      this.kind = Promise.resolve('store');
    }
    return (await this.connect())!;
  }

  async close(): Promise<void> {
    const s = await this.session?.catch(() => undefined);
    this.session = this.kind = undefined;
    await s?.close();
  }

  // ---- the draft -----------------------------------------------------------------

  /** The draft row as the tool's JSON text, its base revision from its own column (see rebaseDraft). */
  private async draftRow(s: SqlSession): Promise<{ revision: number; text: string } | undefined> {
    const row = (await this.run('readDraft', {}, s).catch((e) => Promise.reject(this.failed(e, 'be read'))))[0];
    if (!row) return undefined;
    return { revision: Number(row.revision), text: withBase(String(row.document), Number(row.basedOnPublishedRevision)) };
  }

  async exists(): Promise<boolean> {
    if ((await this.inspect()) !== 'store') return false;
    return (await this.draftRow(await this.store())) !== undefined;
  }

  async assertExists(): Promise<void> {
    if (!(await this.exists())) throw repositoryNotFound(this.folder);
  }

  async readDraft(): Promise<DraftDocument> {
    const row = await this.draftRow(await this.store());
    if (!row) throw repositoryNotFound(this.folder);
    return this.parse(row.text, this.draftFile, 'draft') as DraftDocument;
  }

  async updateReporting(
    mutate: (topology: Topology, draft: DraftDocument) => void | Promise<void>,
    opts: UpdateOptions = {},
  ): Promise<{ draft: DraftDocument; changed: boolean }> {
    if (opts.dryRun) {
      const kind = await this.inspect();
      const text = kind === 'store' ? (await this.draftRow(await this.store()))?.text : undefined;
      const { next, changed } = await this.change(text, mutate, opts);
      return { draft: next, changed };
    }
    if (!opts.create) await this.assertStore();
    const timeoutMs = this.lockWaitMs;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const s = opts.create ? await this.create() : await this.store();
      const row = await this.draftRow(s);
      const { next, changed } = await this.change(row?.text, mutate, opts);
      // A change that changes nothing is not a revision: nothing is written.
      if (!changed) return { draft: next, changed };
      const doc = storedJson(next);
      let written: boolean;
      try {
        if (!row) {
          await this.run('insertDraft', { revision: next.revision, based: next.basedOnPublishedRevision, document: doc, host: HOST }, s);
          written = true;
        } else {
          written = Number((await this.run('updateDraft', { revision: next.revision, based: next.basedOnPublishedRevision, document: doc, host: HOST, read: row.revision }, s))[0]?.updated) === 1;
        }
      } catch (e) {
        if (!SqlRepository.numbers(e).includes(2627)) throw this.failed(e, 'save the change');
        written = false; // another first draft won the insert
      }
      if (written) return { draft: next, changed };
      // Another writer saved first: compute the change again on what it wrote.
      if (Date.now() >= deadline) {
        throw new ErrorRecord({ errorId: 'RepositoryLocked', category: 'ResourceBusy', target: this.folder, message: `The topology store ${this.folder} was changed by others ${attempt + 1} times while this change was being saved, for ${timeoutMs} ms. Nothing was written.`, recommendedAction: 'Run the command again.', exitCode: ExitCode.RepositoryBusy });
      }
      await sleep(Math.min(5 + attempt * 3, 60) + Math.random() * 20);
    }
  }

  private async assertStore(): Promise<void> {
    await this.store();
  }

  /** The base revision has its own column: a publish never races a writer's read-modify-write. */
  async rebaseDraft(publishedRevision: number): Promise<void> {
    await this.run('rebaseDraft', { based: publishedRevision }, await this.store()).catch((e) => Promise.reject(this.failed(e, 'record the published revision in the draft')));
  }

  rebaseDraftLocked(publishedRevision: number): Promise<void> {
    return this.rebaseDraft(publishedRevision);
  }

  /** Nothing to lock: each write checks the revision it read, and publishing holds the publish lock. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await this.store();
    return fn();
  }

  async withPublishLock<T>(fn: () => Promise<T>): Promise<T> {
    const s = await this.store();
    // Bounded: a holder killed a moment ago keeps it until the server notices the dropped connection.
    const timeoutMs = this.lockWaitMs;
    const deadline = Date.now() + timeoutMs;
    const fail = (e: unknown) => Promise.reject(this.failed(e, 'take the publish lock'));
    for (;;) {
      const result = Number((await this.run('getPublishLock', {}, s).catch(fail))[0]?.result);
      if (result >= 0) break;
      if (result !== -1) throw this.failed(new Error(`sp_getapplock returned ${result}`), 'take the publish lock');
      if (Date.now() >= deadline) {
        const h = (await this.run('readPublishLockHolder', {}, s).catch(fail))[0] ?? {};
        const since = h.since instanceof Date ? h.since.toISOString() : h.since;
        const who = h.holderLogin ? ` by login ${h.holderLogin} on ${h.holderHost} (process ${h.holderProcess}) since ${since}` : '';
        throw new ErrorRecord({ errorId: 'RepositoryLocked', category: 'ResourceBusy', target: this.folder, message: `Its publish lock is held${who} and stayed held for ${timeoutMs} ms.`, recommendedAction: 'Wait for that publish to finish. SQL Server releases the lock by itself when its session ends, even if that process or host died.', exitCode: ExitCode.RepositoryBusy });
      }
      await sleep(200);
    }
    try {
      await this.run('writePublishLockHolder', { host: HOST, process: process.pid }, s).catch(fail);
      return await fn();
    } finally {
      await this.run('releasePublishLock', {}, s).catch(() => {}); // a dropped session released it already
    }
  }

  // ---- published revisions and backups -----------------------------------------------

  async listPublishedNumbers(): Promise<number[]> {
    if ((await this.inspect()) !== 'store') return [];
    return (await this.run('listPublished').catch((e) => Promise.reject(this.failed(e, 'be read')))).map((r) => Number(r.revision));
  }

  async latestPublishedNumber(): Promise<number> {
    const all = await this.listPublishedNumbers();
    return all.length ? all[all.length - 1]! : 0;
  }

  async readPublished(n?: number): Promise<PublishedRevision | undefined> {
    if ((await this.inspect()) !== 'store') {
      if (n === undefined) return undefined;
      throw repositoryNotFound(this.folder);
    }
    const rows = await (n === undefined ? this.run('readLatestPublished') : this.run('readPublished', { revision: n })).catch((e) => Promise.reject(this.failed(e, 'be read')));
    const row = rows[0];
    if (!row) {
      if (n === undefined) return undefined;
      await this.assertExists();
      throw new ErrorRecord({ errorId: 'RevisionNotFound', category: 'ObjectNotFound', target: String(n), message: `There is no published revision ${n} in '${this.folder}'.`, recommendedAction: "List the published revisions with 'pchat Get-TopologyRevision'.", exitCode: 1 });
    }
    return this.parse(String(row.document), `published revision ${row.revision} in ${this.folder}`, 'published') as PublishedRevision;
  }

  async writePublished(rev: PublishedRevision): Promise<void> {
    await this.insertPublished(rev, await this.store()).catch((e) => {
      if (SqlRepository.numbers(e).includes(2627)) {
        throw new ErrorRecord({ errorId: 'PublishedRevisionExists', category: 'ResourceExists', target: this.folder, message: `Published revision ${rev.revision} already exists in ${this.folder}: another publish wrote it first. It was left as it is.`, recommendedAction: 'Look at it with Get-TopologyRevision, then publish again if needed.', exitCode: ExitCode.RepositoryBusy });
      }
      throw this.failed(e, `write published revision ${rev.revision}`);
    });
  }

  private insertPublished(rev: PublishedRevision, on: SqlSession | Transaction): Promise<Row[]> {
    return this.run('insertPublished', { revision: rev.revision, document: storedJson(rev), host: HOST }, on);
  }

  async writeBackup(name: string, content: string): Promise<string> {
    await this.run('insertBackup', { name, content, host: HOST }, await this.store()).catch((e) => Promise.reject(this.failed(e, `write the backup ${name}`)));
    return `${this.folder} (backup ${name})`;
  }

  // ---- the whole store (Copy-Topology) ------------------------------------------------

  async snapshot(): Promise<RepositorySnapshot> {
    const draft = await this.readDraft();
    const read = (e: unknown) => Promise.reject(this.failed(e, 'be read'));
    const history = (await this.run('listHistory').catch(read)).map((r) => this.parse(withBase(String(r.document), Number(r.basedOnPublishedRevision)), `draft revision ${r.revision} in ${this.folder}`, 'draft') as DraftDocument);
    const published: PublishedRevision[] = [];
    for (const n of await this.listPublishedNumbers()) published.push((await this.readPublished(n))!);
    const backups = (await this.run('listBackups').catch(read)).map((r) => ({ name: String(r.name), content: String(r.content) }));
    return { draft, history, published, backups };
  }

  async isEmpty(): Promise<boolean> {
    if ((await this.inspect()) !== 'store') return true;
    return Number((await this.run('countRows').catch((e) => Promise.reject(this.failed(e, 'be read'))))[0]?.total) === 0;
  }

  /**
   * All or nothing, in one transaction: Copy-Topology -Force empties a team's store first, and a copy
   * cut short (an error, a dropped connection, a killed process) must leave what it held. SQL Server
   * rolls back a transaction whose connection ends, so a process that dies leaves the old content.
   * Every request goes on the transaction (the session has one connection) and keeps its own timeout.
   */
  async restore(snap: RepositorySnapshot): Promise<void> {
    const s = await this.create();
    const { loadMssql } = await import('../sql/connect.js');
    const tx = new (await loadMssql()).Transaction(s.pool);
    await tx.begin().catch((e) => Promise.reject(this.failed(e, 'begin the copy')));
    try {
      // clearStore's own BEGIN/COMMIT nests in this transaction: its COMMIT keeps nothing yet.
      await this.run('clearStore', {}, tx);
      for (const h of snap.history) await this.run('insertHistory', { revision: h.revision, based: h.basedOnPublishedRevision, document: storedJson(h), host: HOST }, tx);
      for (const p of snap.published) await this.insertPublished(p, tx);
      for (const b of snap.backups) await this.run('insertBackup', { name: b.name, content: b.content, host: HOST }, tx);
      if (snap.draft) await this.run('insertDraft', { revision: snap.draft.revision, based: snap.draft.basedOnPublishedRevision, document: storedJson(snap.draft), host: HOST }, tx);
    } catch (e) {
      // A failed INSERT (a duplicate key, a full log) leaves the transaction open: tedious logs in
      // with XACT_ABORT OFF, so it is rolled back here. When the server has ended it already (an
      // error inside clearStore, which sets XACT_ABORT ON; a deadlock) or the connection is gone,
      // this rollback fails, and nothing was kept either.
      await tx.rollback().catch(() => {});
      throw this.failed(e, 'be written');
    }
    await tx.commit().catch((e) => {
      // No answer to COMMIT: the server may have committed before the connection went.
      const why = (e as { message?: string }).message ?? String(e);
      throw new ErrorRecord({ errorId: 'RepositoryQueryFailed', category: 'WriteError', target: this.folder, message: `The topology store ${this.folder} did not confirm the end of the copy: ${why}. It holds either its earlier content or the whole copy, never a part.`, recommendedAction: 'Look with Get-Topology and Get-TopologyRevision on the store; run the copy again with -Force if it holds the earlier content.' });
    });
  }
}

/** The document with the base revision of its row (see rebaseDraft); text that is not a JSON object is left for parse() to refuse. */
function withBase(text: string, based: number): string {
  try {
    const doc = JSON.parse(text);
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return text;
    return JSON.stringify({ ...doc, basedOnPublishedRevision: based });
  } catch {
    return text;
  }
}
