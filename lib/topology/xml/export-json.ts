// The tool's own JSON form of a draft or published revision (for backups and code review):
// schemaVersion, kind, revision, who/when, topology. Writing Lync's XML is out of scope until a real
// document containing a Persistent Chat pool is available to check against (domain.md 6.3).
import { constants as fsConstants } from 'node:fs';
import { lstat, open, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ErrorRecord, ExitCode } from '../../cmdlet/errors.js';
import { SCHEMA_VERSION, type Topology } from '../model.js';
import type { TopologyRepository } from '../repository.js';
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
export async function exportDocument(repo: TopologyRepository, revision?: number): Promise<ExportDocument> {
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

/**
 * Where `Export-Topology -Path` puts the document. Decided once, by resolveExportTarget, before anything
 * is written; writeExport only carries the decision out.
 *  - stdout:  `-Path -`, or a path that names this process's own stdout (/dev/stdout, /dev/fd/1).
 *  - replace: a regular file, or a new file in an existing folder, written atomically (temp file in the
 *             real folder, rename over it). A symbolic link is followed, so its real file is replaced (or,
 *             for a dangling link, created) and the link stays a link.
 *  - inPlace: an existing character device or FIFO (/dev/null, a named pipe), or an open file reached
 *             through /proc/<pid>/fd (/dev/stderr, /dev/fd/N): opened and written as it is, never
 *             renamed over (a rename would replace /dev/null or the link /dev/stdout with a plain file).
 *  - socket:  an existing Unix socket: connected to and written to.
 * `given` is the path as the user spelt it, for messages.
 */
export type ExportTarget =
  | { kind: 'stdout'; given: string }
  | { kind: 'replace'; given: string; file: string }
  | { kind: 'inPlace'; given: string; file: string; openFile: boolean }
  | { kind: 'socket'; given: string; file: string };

/** A folder of open file descriptors: /proc/<pid>/fd or /proc/<pid>/task/<tid>/fd (what /dev/fd, /dev/stdout lead to). */
const FD_DIR = /^\/proc\/(\d+)(?:\/task\/\d+)?\/fd$/;
/** Symbolic links followed before giving up, as the kernel's limit (ELOOP). */
const MAX_LINKS = 40;

/**
 * Decides what `-Path file` means, without writing or opening anything (so a FIFO is not opened yet).
 * Symbolic links are followed one at a time rather than with realpath(): realpath fails for a dangling
 * link and for /proc/self/fd/1 when it is a pipe ('pipe:[123]'), and treating either as "a new file at
 * the path given" is what replaced the link itself, and /dev/stdout, with a regular file.
 */
export async function resolveExportTarget(given: string): Promise<ExportTarget> {
  if (given === '-') return { kind: 'stdout', given };
  if (given === '') throw emptyPath();
  if (given.endsWith('/') || given.endsWith(path.sep)) throw isFolder(given);
  let cur = given;
  for (let links = 0; ; links++) {
    if (links > MAX_LINKS) throw notWritten(given, Object.assign(new Error('too many levels of symbolic links'), { code: 'ELOOP' }));
    // The folder must exist: the export does not create folders from a mistyped path (or a link's target).
    const dir = await realpath(path.dirname(cur)).catch((e) => Promise.reject(notWritten(given, e, cur)));
    const file = path.join(dir, path.basename(cur));
    const fd = FD_DIR.exec(dir);
    if (fd && /^\d+$/.test(path.basename(file))) {
      // An open file descriptor (a "magic" link: its target may be 'pipe:[123]', not a path). Our own
      // stdout is written through the stdout stream (at the shell's offset, and a socket works too).
      if (Number(fd[1]) === process.pid && path.basename(file) === '1') return { kind: 'stdout', given };
      await lstat(file).catch((e) => Promise.reject(notOpenFd(given, e)));
      return { kind: 'inPlace', given, file, openFile: true };
    }
    let st;
    try {
      st = await lstat(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'replace', given, file };
      throw notWritten(given, e);
    }
    if (st.isSymbolicLink()) {
      const to = await readlink(file).catch((e) => Promise.reject(notWritten(given, e)));
      cur = path.resolve(dir, to);
      continue;
    }
    if (st.isDirectory()) throw isFolder(given);
    if (st.isFile()) return { kind: 'replace', given, file };
    if (st.isBlockDevice()) throw isBlockDevice(given, file);
    if (st.isSocket()) return { kind: 'socket', given, file };
    return { kind: 'inPlace', given, file, openFile: false }; // character device, FIFO
  }
}

/** Pretty-printed (stable key order, one property per line) so that two exports diff well; written as `target` says. */
export async function writeExport(target: ExportTarget, doc: ExportDocument): Promise<number> {
  const text = JSON.stringify(doc, null, 2) + '\n';
  switch (target.kind) {
    case 'stdout':
      await new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(notWritten(target.given, e, undefined, true)) : resolve())));
      break;
    case 'replace':
      await writeFileAtomic(target.file, text).catch((e) => Promise.reject(notWritten(target.given, e)));
      break;
    case 'inPlace':
      await writeInPlace(target, text);
      break;
    case 'socket':
      await writeSocket(target, text);
      break;
  }
  return Buffer.byteLength(text);
}

/**
 * No O_CREAT and no O_TRUNC: what is opened is the device or FIFO that was checked, or nothing (a FIFO
 * waits here for its reader). No temp file, no rename, no fsync (a pipe or a terminal has none).
 */
async function writeInPlace(target: { given: string; file: string; openFile: boolean }, text: string): Promise<void> {
  const { O_WRONLY, O_APPEND, O_NOCTTY } = fsConstants;
  // An open file (e.g. stderr redirected with >>) is appended to, as the shell's own writes are.
  const fh = await open(target.file, O_WRONLY | (O_NOCTTY ?? 0) | (target.openFile ? O_APPEND : 0)).catch((e) => Promise.reject(notWritten(target.given, e)));
  try {
    if (!target.openFile && (await fh.stat()).isFile()) {
      throw notWritten(target.given, Object.assign(new Error('it was replaced by a regular file while being opened'), { code: 'ECHANGED' }));
    }
    await fh.writeFile(text, 'utf8').catch((e) => Promise.reject(notWritten(target.given, e, undefined, true)));
  } finally {
    await fh.close().catch(() => {});
  }
}

async function writeSocket(target: { given: string; file: string }, text: string): Promise<void> {
  const { createConnection } = await import('node:net');
  let connected = false;
  await new Promise<void>((resolve, reject) => {
    const s = createConnection(target.file, () => (connected = true));
    s.once('error', (e) => reject(notWritten(target.given, e, undefined, connected)));
    s.end(text, () => {
      s.destroy();
      resolve();
    });
  });
}

function emptyPath(): ErrorRecord {
  return new ErrorRecord({
    errorId: 'ExportPathEmpty',
    category: 'InvalidArgument',
    target: '',
    message: "-Path is empty; Export-Topology writes the topology to a file. Nothing was written.",
    recommendedAction: "Give a file name, -Path - for stdout, or leave -Path out to get the document as one JSON object on stdout.",
    exitCode: ExitCode.Usage,
  });
}

function isBlockDevice(given: string, file: string): ErrorRecord {
  return new ErrorRecord({
    errorId: 'ExportPathIsBlockDevice',
    category: 'InvalidArgument',
    target: given,
    message: `-Path '${given}' is a block device${file !== given ? ` (${file})` : ''}; Export-Topology does not write over a disk. Nothing was written.`,
    recommendedAction: 'Give a file name.',
    exitCode: ExitCode.Usage,
  });
}

function notOpenFd(given: string, e: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err?.code !== 'ENOENT') return notWritten(given, e);
  return new ErrorRecord({
    errorId: 'ExportFileNotWritten',
    category: 'ObjectNotFound',
    target: given,
    message: `'${given}' names a file descriptor that is not open. Nothing was written.`,
    recommendedAction: 'Give a file name, or -Path - for stdout.',
    cause: e,
  });
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

/**
 * `resolved`: the folder that was missing belongs to where a symbolic link leads, not to the path given.
 * `inPlace`: a device, FIFO or socket written as it is, where a failed write may have sent part of the document.
 */
function notWritten(file: string, e: unknown, resolved?: string, inPlace = false): unknown {
  const err = e as NodeJS.ErrnoException;
  if (e instanceof ErrorRecord || !err?.code) return e;
  const missing = !inPlace && (err.code === 'ENOENT' || err.code === 'ENOTDIR');
  const whose = resolved && resolved !== file ? `'${resolved}' (where the link '${file}' leads)` : `'${file}'`;
  return new ErrorRecord({
    errorId: missing ? 'ExportFolderNotFound' : 'ExportFileNotWritten',
    category: missing ? 'ObjectNotFound' : err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS' ? 'PermissionDenied' : 'WriteError',
    target: file,
    message: missing
      ? `The folder of ${whose} ${err.code === 'ENOTDIR' ? 'is a file, not a folder' : 'does not exist'}. Nothing was written.`
      : inPlace
        ? `'${file}' cannot be written: ${err.message}. It was written in place (not replaced), so a reader may have received part of the document.`
        : `'${file}' cannot be written: ${err.message}. Nothing was written; a file that was there is unchanged.`,
    recommendedAction: missing ? 'Create the folder first, or give a path in an existing folder.' : 'Give a path in a folder this account can write, or fix its permissions (or free disk space).',
    cause: e,
  });
}
