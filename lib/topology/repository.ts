// The embedded default repository: a local folder holding the draft topology and its history,
// and the numbered published revisions, as versioned JSON.
//
//   <folder>/draft.json                 the draft (schemaVersion, revision, basedOnPublishedRevision, topology)
//   <folder>/history/draft-<n>.json     earlier draft revisions
//   <folder>/published/<n>.json         published revisions (created once, never rewritten)
//   <folder>/backups/                   copies written by Publish-Topology before it replaces a revision
//   <folder>/.lock                      held during every read-modify-write
import { readdir, link, mkdir, rm } from 'node:fs/promises';
import { repositoryNotFound } from './not-found.js';
import { repositoryFolderError } from './folder-error.js';
import os from 'node:os';
import path from 'node:path';
import { ErrorRecord } from '../cmdlet/errors.js';
import { createFileAtomic, readTextIfExists, writeFileAtomic } from './files.js';
import { checkIntegrity } from './integrity.js';
import { lockTimeoutMs, withLock } from './lock.js';
import { sweepOrphans } from './temp-files.js';
import { emptyTopology, SCHEMA_VERSION, type Product, type Topology } from './model.js';

/** A stored document's text, the same in every store and file: one space of indent, a final newline. */
export const storedJson = (o: unknown): string => JSON.stringify(o, null, 1) + '\n';
import { shapeProblem } from './shape.js';

export interface DraftDocument {
  schemaVersion: number;
  revision: number;
  /** The published revision this draft started from (0: none yet). Publish refuses when it moved. */
  basedOnPublishedRevision: number;
  modifiedAt: string;
  modifiedBy: string;
  topology: Topology;
}

export interface PublishedRevision {
  schemaVersion: number;
  revision: number;
  publishedAt: string;
  publishedBy: string;
  summary: string;
  changes: string[];
  runId: string;
  /** The draft revision that was published. */
  draftRevision: number;
  topology: Topology;
}

export function currentUser(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return `unknown@${os.hostname()}`;
  }
}

/** Equal as JSON text would be: key order and keys whose value is undefined (JSON drops them) do not count. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => sameJson(x, (b as unknown[])[i]));
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x).filter((k) => x[k] !== undefined);
  return keys.length === Object.keys(y).filter((k) => y[k] !== undefined).length && keys.every((k) => sameJson(x[k], y[k]));
}

export interface UpdateOptions {
  create?: boolean;
  product?: Product;
  replace?: boolean;
  dryRun?: boolean;
}

/** What both stores share: reading and checking documents, and computing a change (no I/O of their own). */
export abstract class RepositoryBase {
  /** Where the topology is, for messages: the folder, or the sqlserver:// address (never with a password). */
  abstract readonly folder: string;
  /** The draft's name in messages: draft.json's path, or the draft row of the store. */
  abstract readonly draftFile: string;
  abstract latestPublishedNumber(): Promise<number>;
  /** Where earlier drafts are, for a repair hint. */
  protected abstract historyLabel(): string;

  /**
   * Read-modify-write under the store's lock or transaction. `mutate` changes the topology in place (or throws
   * an ErrorRecord to abort: nothing is written). A change that breaks the document's integrity is refused.
   * `dryRun` (-WhatIf) makes the same change and the same checks on the draft as it is now, and writes nothing.
   */
  async update(mutate: (topology: Topology, draft: DraftDocument) => void | Promise<void>, opts: UpdateOptions = {}): Promise<DraftDocument> {
    return (await this.updateReporting(mutate, opts)).draft;
  }

  /** update(), also saying whether the change changed anything (false: nothing was, or would be, written). */
  abstract updateReporting(
    mutate: (topology: Topology, draft: DraftDocument) => void | Promise<void>,
    opts?: UpdateOptions,
  ): Promise<{ draft: DraftDocument; changed: boolean }>;
  /** A document in messages: "The repository file '<path>'" / "The draft '<path>'" in a folder. */
  protected documentLabel(where: string, kind: 'file' | 'draft' = 'file'): string {
    return kind === 'draft' ? `The draft '${where}'` : `The repository file '${where}'`;
  }

  /** Parses and checks a repository file; a corrupt or newer file is refused (and never rewritten). */
  protected parse(text: string, file: string, kind: 'draft' | 'published'): DraftDocument | PublishedRevision {
    let doc: any;
    const corrupt = (why: string) =>
      new ErrorRecord({
        errorId: 'RepositoryFileCorrupt',
        category: 'InvalidData',
        target: file,
        message: `${this.documentLabel(file)} is not a valid topology document: ${why}. It was left as it is.`,
        recommendedAction: `Restore it from ${this.historyLabel()} (earlier draft revisions) or from a published revision, or fix it by hand.`,
      });
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw corrupt((e as Error).message);
    }
    if (!doc || typeof doc !== 'object' || typeof doc.schemaVersion !== 'number') throw corrupt('no schemaVersion');
    if (doc.schemaVersion > SCHEMA_VERSION) {
      throw new ErrorRecord({
        errorId: 'RepositorySchemaTooNew',
        category: 'InvalidData',
        target: file,
        message: `${this.documentLabel(file)} has schemaVersion ${doc.schemaVersion}; this version of pchat-topology understands up to ${SCHEMA_VERSION}. It was left as it is.`,
        recommendedAction: 'Upgrade pchat-topology (npm install -g pchat-topology@latest) on this host.',
      });
    }
    // Every field, not only the lists: a wrong type found later crashes a command or is written back.
    const problem = shapeProblem(kind, doc);
    if (problem) throw corrupt(problem);
    return doc;
  }

  /** The draft `mutate` makes of the draft file's text (undefined: none yet), checked, not written. */
  protected async change(
    text: string | undefined,
    mutate: (topology: Topology, draft: DraftDocument) => void | Promise<void>,
    opts: { create?: boolean; product?: Product; replace?: boolean },
  ): Promise<{ before: DraftDocument; next: DraftDocument; changed: boolean }> {
    const current = text === undefined ? undefined : (this.parse(text, this.draftFile, 'draft') as DraftDocument);
    let before: DraftDocument;
    if (current === undefined || opts.replace) {
      if (current === undefined && !opts.create && !opts.replace) throw repositoryNotFound(this.folder);
      const published = await this.latestPublishedNumber();
      before = { schemaVersion: SCHEMA_VERSION, revision: current?.revision ?? 0, basedOnPublishedRevision: current?.basedOnPublishedRevision ?? published, modifiedAt: '', modifiedBy: '', topology: emptyTopology(opts.product) };
    } else {
      before = current;
    }
    const topology = structuredClone(before.topology);
    await mutate(topology, before);
    if (current && sameJson(topology, current.topology)) return { before, next: current, changed: false };
    const problems = checkIntegrity(topology);
    if (problems.length) {
      // A draft that was already broken (edited by hand, or two spellings of one default SQL instance written
      // by an older version) blocks every change: say so, and how to repair it, rather than blame the change.
      const already = new Set(checkIntegrity(before.topology).map((p) => p.message));
      const old = problems.filter((p) => already.has(p.message));
      if (old.length) {
        throw new ErrorRecord({
          errorId: 'TopologyIntegrityViolation',
          category: 'InvalidData',
          target: old[0]!.target,
          message: `${this.documentLabel(this.draftFile, 'draft')} is already inconsistent: ${old.map((p) => p.message).join('; ')}. No change can be saved until it is repaired; nothing was written.`,
          recommendedAction: `Repair '${this.draftFile}' by hand (keep one entry of an object defined more than once, e.g. one SQL store for 'sql01.contoso.com' and 'sql01.contoso.com\\MSSQLSERVER', the same default instance; define or correct what is referred to), or restore an earlier draft from ${this.historyLabel()}.`,
        });
      }
      throw new ErrorRecord({
        errorId: 'TopologyIntegrityViolation',
        category: 'InvalidOperation',
        target: problems[0]!.target,
        message: `The change was refused because it would break the topology: ${problems.map((p) => p.message).join('; ')}. Nothing was written.`,
        recommendedAction: 'Define the missing object first (New-Site, New-SqlStore, New-FileStore, New-FrontEndPool), or correct the reference.',
      });
    }
    const next: DraftDocument = {
      schemaVersion: SCHEMA_VERSION,
      revision: before.revision + 1,
      basedOnPublishedRevision: before.basedOnPublishedRevision,
      modifiedAt: new Date().toISOString(),
      modifiedBy: currentUser(),
      topology,
    };
    // Never write what the next read would refuse as corrupt (an imported name with a line break, say).
    const problem = shapeProblem('draft', next);
    if (problem) {
      throw new ErrorRecord({
        errorId: 'TopologyValueInvalid',
        category: 'InvalidData',
        target: this.draftFile,
        message: `The change was refused because it would write an invalid value: ${problem}. Nothing was written.`,
        recommendedAction: 'Correct that value where it comes from (the imported document, or the parameter given), then run the command again.',
      });
    }
    return { before, next, changed: true };
  }

}

/** The contract both stores keep (the folder here, SQL Server in sql-repository.ts). */
export interface TopologyRepository {
  /** Where the topology is, for messages: the folder, or the sqlserver:// address. */
  readonly folder: string;
  exists(): Promise<boolean>;
  assertExists(): Promise<void>;
  readDraft(): Promise<DraftDocument>;
  update(mutate: (topology: Topology, draft: DraftDocument) => void | Promise<void>, opts?: UpdateOptions): Promise<DraftDocument>;
  updateReporting(mutate: (topology: Topology, draft: DraftDocument) => void | Promise<void>, opts?: UpdateOptions): Promise<{ draft: DraftDocument; changed: boolean }>;
  rebaseDraft(publishedRevision: number): Promise<void>;
  rebaseDraftLocked(publishedRevision: number): Promise<void>;
  /** Runs fn with no other change to the draft in between (the folder's lock; on SQL Server fn's writes check what they read). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /** One Publish-Topology at a time: a second one gets RepositoryLocked (exit 5) naming the holder. */
  withPublishLock<T>(fn: () => Promise<T>): Promise<T>;
  listPublishedNumbers(): Promise<number[]>;
  latestPublishedNumber(): Promise<number>;
  readPublished(n?: number): Promise<PublishedRevision | undefined>;
  writePublished(rev: PublishedRevision): Promise<void>;
  /** Returns where the backup went, for the user. */
  writeBackup(name: string, content: string): Promise<string>;
  /** Everything the repository holds, checked (Copy-Topology's source). */
  snapshot(): Promise<RepositorySnapshot>;
  /** True when it holds nothing at all (Copy-Topology's destination must be). */
  isEmpty(): Promise<boolean>;
  /** Writes a snapshot into this repository (created when missing), replacing what it holds. */
  restore(snap: RepositorySnapshot): Promise<void>;
  /** Releases connections (a folder holds none). */
  close(): Promise<void>;
}

export interface RepositorySnapshot {
  draft?: DraftDocument;
  history: DraftDocument[];
  published: PublishedRevision[];
  backups: { name: string; content: string }[];
}

export class Repository extends RepositoryBase implements TopologyRepository {
  readonly draftFile: string;
  /** Read when the repository opens: a bad PCHAT_LOCK_TIMEOUT_MS is refused before any work, -WhatIf included. */
  private readonly lockWait = { timeoutMs: lockTimeoutMs() };

  constructor(readonly folder: string) {
    super();
    this.draftFile = path.join(folder, 'draft.json');
  }

  protected historyLabel(): string {
    return `'${path.join(this.folder, 'history')}'`;
  }

  /** The draft file's text (undefined: none); a folder that cannot be read is a RepositoryNotAccessible record. */
  private readDraftText(): Promise<string | undefined> {
    return readTextIfExists(this.draftFile).catch((e) => Promise.reject(repositoryFolderError(this.folder, e, 'read')));
  }

  async exists(): Promise<boolean> {
    return (await this.readDraftText()) !== undefined;
  }

  /** Throws RepositoryNotFound when the folder holds no topology (a mistyped path, say). */
  async assertExists(): Promise<void> {
    if (!(await this.exists())) throw repositoryNotFound(this.folder);
  }

  async readDraft(): Promise<DraftDocument> {
    const text = await this.readDraftText();
    if (text === undefined) {
      throw repositoryNotFound(this.folder);
    }
    return this.parse(text, this.draftFile, 'draft') as DraftDocument;
  }

  /** See RepositoryBase.update. */
  async updateReporting(
    mutate: (topology: Topology, draft: DraftDocument) => void | Promise<void>,
    opts: UpdateOptions = {},
  ): Promise<{ draft: DraftDocument; changed: boolean }> {
    if (opts.dryRun) {
      const { next, changed } = await this.change(await this.readDraftText(), mutate, opts);
      return { draft: next, changed };
    }
    // Only a command that creates a topology creates the folder: a mistyped -Repository must not leave one behind.
    if (opts.create) await mkdir(this.folder, { recursive: true }).catch((e) => Promise.reject(repositoryFolderError(this.folder, e, 'write')));
    return withLock(this.folder, async () => {
      // Temp files of writers killed before they renamed them: nothing refers to them.
      await sweepOrphans([this.folder, path.join(this.folder, 'published'), path.join(this.folder, 'backups')]);
      const text = await this.readDraftText();
      const { before, next, changed } = await this.change(text, mutate, opts);
      // A change that changes nothing (a value set to what it was, a default pool made default again) is
      // not a revision: nothing is written, and the draft's revision, modifiedAt and history stay as they are.
      if (!changed) return { draft: next, changed };
      try {
        await this.keepHistory(before.revision, text);
        await writeFileAtomic(this.draftFile, storedJson(next));
      } catch (e) {
        // e.g. history/ or draft.json owned by another account, though the folder itself is writable.
        throw repositoryFolderError(this.folder, e, 'write');
      }
      return { draft: next, changed };
    }, this.lockWait);
  }

  /** The replaced draft stays readable as history/draft-<n>.json (a hard link: no copy, no partial file). */
  private async keepHistory(revision: number, previousText: string | undefined): Promise<void> {
    if (previousText === undefined || revision === 0) return;
    const dir = path.join(this.folder, 'history');
    await mkdir(dir, { recursive: true });
    await link(this.draftFile, path.join(dir, `draft-${revision}.json`)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  }

  /** Sets the draft's base revision (after a publish), under the lock, keeping its content. */
  async rebaseDraft(publishedRevision: number): Promise<void> {
    await withLock(this.folder, () => this.rebaseDraftLocked(publishedRevision), this.lockWait);
  }

  /** rebaseDraft for a caller that already holds the lock. */
  async rebaseDraftLocked(publishedRevision: number): Promise<void> {
    const d = await this.readDraft();
    await writeFileAtomic(this.draftFile, storedJson({ ...d, basedOnPublishedRevision: publishedRevision }));
  }

  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(this.folder, fn, this.lockWait);
  }

  /** A second publish is refused at once rather than queued (a folder lock outlives a holder on another host). */
  async withPublishLock<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(this.folder, fn, { name: '.publish.lock', timeoutMs: 0 });
  }

  async close(): Promise<void> {}

  // ---- the whole repository (Copy-Topology) ----------------------------------------

  private async listNames(dir: string): Promise<string[]> {
    try {
      return (await readdir(path.join(this.folder, dir))).filter((n) => !n.startsWith('.')).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw repositoryFolderError(this.folder, e, 'read');
    }
  }

  async snapshot(): Promise<RepositorySnapshot> {
    const draft = await this.readDraft();
    const history: DraftDocument[] = [];
    const revisions = (await this.listNames('history')).map((n) => /^draft-(\d+)\.json$/.exec(n)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1])).sort((a, b) => a - b);
    for (const n of revisions) {
      const file = path.join(this.folder, 'history', `draft-${n}.json`);
      history.push(this.parse((await readTextIfExists(file)) ?? '', file, 'draft') as DraftDocument);
    }
    const published: PublishedRevision[] = [];
    for (const n of await this.listPublishedNumbers()) published.push((await this.readPublished(n))!);
    const backups: RepositorySnapshot['backups'] = [];
    for (const name of await this.listNames('backups')) {
      if (name.endsWith('.tmp')) continue;
      backups.push({ name, content: (await readTextIfExists(path.join(this.folder, 'backups', name))) ?? '' });
    }
    return { draft, history, published, backups };
  }

  async isEmpty(): Promise<boolean> {
    for (const n of ['draft.json', 'history', 'published', 'backups']) {
      if (n === 'draft.json' ? await this.exists() : (await this.listNames(n)).length) return false;
    }
    return true;
  }

  async restore(snap: RepositorySnapshot): Promise<void> {
    await mkdir(this.folder, { recursive: true }).catch((e) => Promise.reject(repositoryFolderError(this.folder, e, 'write')));
    await withLock(this.folder, async () => {
      try {
        // Replacing (Copy-Topology -Force): what the source does not have must not stay behind.
        for (const dir of ['history', 'published', 'backups']) await rm(path.join(this.folder, dir), { recursive: true, force: true });
        await rm(this.draftFile, { force: true });
        await mkdir(path.join(this.folder, 'history'), { recursive: true });
        for (const h of snap.history) await writeFileAtomic(path.join(this.folder, 'history', `draft-${h.revision}.json`), storedJson(h));
        for (const p of snap.published) await this.writePublished(p);
        for (const b of snap.backups) await this.writeBackup(b.name, b.content);
        // The draft last: a copy cut short holds no draft, so no command takes it for a topology.
        if (snap.draft) await writeFileAtomic(this.draftFile, storedJson(snap.draft));
      } catch (e) {
        throw repositoryFolderError(this.folder, e, 'write');
      }
    }, this.lockWait);
  }

  // ---- published revisions ------------------------------------------------------

  private publishedFile(n: number): string {
    return path.join(this.folder, 'published', `${String(n).padStart(6, '0')}.json`);
  }

  async listPublishedNumbers(): Promise<number[]> {
    try {
      const names = await readdir(path.join(this.folder, 'published'));
      return names
        .map((n) => /^(\d+)\.json$/.exec(n))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => Number(m[1]))
        .sort((a, b) => a - b);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  async latestPublishedNumber(): Promise<number> {
    const all = await this.listPublishedNumbers();
    return all.length ? all[all.length - 1]! : 0;
  }

  /** A published revision; the latest when `n` is omitted; undefined when there is none. */
  async readPublished(n?: number): Promise<PublishedRevision | undefined> {
    const num = n ?? (await this.latestPublishedNumber());
    if (!num) return undefined;
    const file = this.publishedFile(num);
    const text = await readTextIfExists(file);
    if (text === undefined) {
      if (n === undefined) return undefined;
      await this.assertExists(); // no topology at all is not "no such revision"
      throw new ErrorRecord({
        errorId: 'RevisionNotFound',
        category: 'ObjectNotFound',
        target: String(n),
        message: `There is no published revision ${n} in '${this.folder}'.`,
        recommendedAction: "List the published revisions with 'pchat Get-TopologyRevision'.",
        exitCode: 1,
      });
    }
    return this.parse(text, file, 'published') as PublishedRevision;
  }

  /** Writes a new published revision; fails (EEXIST) if that number was taken by a concurrent publish. */
  async writePublished(rev: PublishedRevision): Promise<void> {
    await createFileAtomic(this.publishedFile(rev.revision), storedJson(rev));
  }

  async writeBackup(name: string, content: string): Promise<string> {
    const file = path.join(this.folder, 'backups', name);
    await writeFileAtomic(file, content);
    return file;
  }

  /** Auxiliary state files of the repository (e.g. the publish journal), written atomically. */
  stateFile(name: string): string {
    return path.join(this.folder, name);
  }
}
