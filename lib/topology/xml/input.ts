// Reads a topology document from a file or from stdin ('-'), bounded in size, with errors that say
// which file and what to do.
import { readFile, stat } from 'node:fs/promises';
import { ErrorRecord, ExitCode } from '../../cmdlet/errors.js';

/** Real topology documents are well under 10 MB; anything far larger is not one. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

export interface DocumentInput {
  bytes: Buffer;
  /** The name used in messages: the path as given, or 'stdin'. */
  sourceName: string;
}

export async function readDocumentInput(path: string, stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin): Promise<DocumentInput> {
  const input = await readAny(path, stdin);
  // An empty file is what `Get-CsTopology -AsXml > topology.xml` leaves when the command failed: say so, not "no root element".
  if (!input.bytes.toString('latin1').replace(/^(\xef\xbb\xbf|\xff\xfe|\xfe\xff)/, '').replace(/[\s\x00]/g, '')) throw empty(input.sourceName);
  return input;
}

async function readAny(path: string, stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<DocumentInput> {
  if (path === '-') return { bytes: await readStdin(stdin), sourceName: 'stdin' };
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (info.size > MAX_DOCUMENT_BYTES) throw tooLarge(path);
    return { bytes: await readFile(path), sourceName: path };
  } catch (e) {
    if (e instanceof ErrorRecord) throw e;
    throw unreadable(path, e as NodeJS.ErrnoException);
  }
}

function empty(source: string): ErrorRecord {
  return new ErrorRecord({
    errorId: 'TopologyDocumentEmpty',
    category: 'InvalidData',
    target: source,
    message: source === 'stdin' ? 'Nothing came on stdin: -Path - read an empty document; nothing was imported.' : `The topology document '${source}' is empty; nothing was imported.`,
    recommendedAction:
      'Export the topology again and check that the export succeeded (Get-CsTopology -AsXml > topology.xml on a Front End server, or save the .tbxml from Topology Builder, or Export-Topology -Path backup.json), then import that file.',
  });
}

async function readStdin(stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<Buffer> {
  if (stdin.isTTY) {
    throw new ErrorRecord({
      errorId: 'TopologyInputMissing',
      category: 'InvalidArgument',
      target: 'stdin',
      message: '-Path - reads the topology document from stdin, but stdin is a terminal, not a file or a pipe.',
      recommendedAction: 'Pipe or redirect the document in (pchat Import-Topology -Path - < topology.xml) or give the file: -Path topology.xml.',
      exitCode: 2,
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_DOCUMENT_BYTES) throw tooLarge('stdin');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function tooLarge(source: string): ErrorRecord {
  return new ErrorRecord({
    errorId: 'TopologyDocumentTooLarge',
    category: 'LimitsExceeded',
    target: source,
    message: `'${source}' is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB; a topology document is far smaller, so this is not one.`,
    recommendedAction: 'Give the file written by Get-CsTopology -AsXml or saved by Topology Builder (.tbxml).',
  });
}

function unreadable(path: string, e: NodeJS.ErrnoException): ErrorRecord {
  const notFound = e.code === 'ENOENT' || e.code === 'ENOTDIR';
  return new ErrorRecord({
    errorId: notFound ? 'TopologyFileNotFound' : 'TopologyFileUnreadable',
    category: notFound ? 'ObjectNotFound' : e.code === 'EACCES' || e.code === 'EPERM' ? 'PermissionDenied' : 'ReadError',
    target: path,
    message: notFound ? `The topology document '${path}' does not exist.` : `The topology document '${path}' cannot be read: ${e.code === 'EISDIR' ? 'it is a folder' : e.message}.`,
    recommendedAction: notFound ? 'Check the path (relative paths start in the current folder).' : 'Give a readable file: the XML from Get-CsTopology -AsXml, or a .tbxml saved by Topology Builder.',
    cause: e,
    // A folder is a wrong value for -Path, as Export-Topology's ExportPathIsFolder is: a usage error.
    ...(e.code === 'EISDIR' ? { exitCode: ExitCode.Usage } : {}),
  });
}
