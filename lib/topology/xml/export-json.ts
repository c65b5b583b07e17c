// The tool's own JSON form of a draft or published revision (for backups and code review):
// schemaVersion, kind, revision, who/when, topology. Writing Lync's XML is out of scope until a real
// document containing a Persistent Chat pool is available to check against (domain.md 6.3).
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorRecord, ExitCode } from '../../cmdlet/errors.js';
import { SCHEMA_VERSION, type Topology } from '../model.js';
import type { Repository } from '../repository.js';
import { writeFileAtomic } from '../files.js';

export interface ExportDocument {
  schemaVersion: number;
  kind: 'Draft' | 'Published';
  revision: number;
  /** Draft: the published revision it started from. */
  basedOnPublishedRevision?: number;
  modifiedAt?: string;
  modifiedBy?: string;
  publishedAt?: string;
  publishedBy?: string;
  summary?: string;
  topology: Topology;
}

/** The draft, or published revision `revision` (RevisionNotFound when there is none). */
export async function exportDocument(repo: Repository, revision?: number): Promise<ExportDocument> {
  if (revision !== undefined) {
    const r = (await repo.readPublished(revision))!;
    return { schemaVersion: SCHEMA_VERSION, kind: 'Published', revision: r.revision, publishedAt: r.publishedAt, publishedBy: r.publishedBy, summary: r.summary, topology: r.topology };
  }
  const d = await repo.readDraft();
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'Draft',
    revision: d.revision,
    basedOnPublishedRevision: d.basedOnPublishedRevision,
    modifiedAt: d.modifiedAt,
    modifiedBy: d.modifiedBy,
    topology: d.topology,
  };
}

/** Pretty-printed (stable key order, one property per line) so that two exports diff well; written atomically. */
export async function writeExportFile(file: string, doc: ExportDocument): Promise<number> {
  const text = JSON.stringify(doc, null, 2) + '\n';
  const target = await exportTarget(file);
  await writeFileAtomic(target, text).catch((e) => Promise.reject(notWritten(file, e)));
  return Buffer.byteLength(text);
}

/**
 * The file the export replaces, checked before anything is written: a folder is refused (renaming the
 * temp file over it failed with EISDIR, and the temp file was made in the folder's parent); a symbolic
 * link is followed, so the temp file is made next to the real file and the rename replaces that file,
 * not the link; the folder must exist (the export does not create folders from a mistyped path).
 */
async function exportTarget(file: string): Promise<string> {
  if (file.endsWith('/') || file.endsWith(path.sep)) throw isFolder(file);
  try {
    const real = await realpath(file);
    if ((await stat(real)).isDirectory()) throw isFolder(file);
    return real;
  } catch (e) {
    if (e instanceof ErrorRecord || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw notWritten(file, e);
  }
  // A new file: in the real folder of the path given.
  const dir = await realpath(path.dirname(file)).catch((e) => Promise.reject(notWritten(file, e)));
  return path.join(dir, path.basename(file));
}

function isFolder(file: string): ErrorRecord {
  return new ErrorRecord({
    errorId: 'ExportPathIsFolder',
    category: 'InvalidArgument',
    target: file,
    message: `-Path '${file}' is a folder; Export-Topology writes the topology to a file. Nothing was written.`,
    recommendedAction: `Give a file name, e.g. -Path '${path.join(file, 'topology.json')}'.`,
    exitCode: ExitCode.Usage,
  });
}

function notWritten(file: string, e: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  if (e instanceof ErrorRecord || !err?.code) return e;
  const missing = err.code === 'ENOENT' || err.code === 'ENOTDIR';
  return new ErrorRecord({
    errorId: missing ? 'ExportFolderNotFound' : 'ExportFileNotWritten',
    category: missing ? 'ObjectNotFound' : err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS' ? 'PermissionDenied' : 'WriteError',
    target: file,
    message: missing
      ? `The folder of '${file}' ${err.code === 'ENOTDIR' ? 'is a file, not a folder' : 'does not exist'}. Nothing was written.`
      : `'${file}' cannot be written: ${err.message}. Nothing was written; a file that was there is unchanged.`,
    recommendedAction: missing ? 'Create the folder first, or give a path in an existing folder.' : 'Give a path in a folder this account can write, or fix its permissions (or free disk space).',
    cause: e,
  });
}
