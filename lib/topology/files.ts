// Crash-safe file primitives for the repository: a file is either the old one or the new one,
// never half-written (temp file in the same folder, fsync, rename, fsync of the folder).
import { open, rename, link, unlink, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { tempPath } from './temp-files.js';

async function writeTemp(file: string, data: string): Promise<string> {
  const tmp = tempPath(file);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } catch (e) {
    // A full disk or quota: the partial temp file would otherwise stay until a sweep, or forever outside the repository.
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  return tmp;
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable; not supported on Windows (EPERM/EISDIR), where rename is enough.
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}

/** Replaces `file` atomically. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = await writeTemp(file, data);
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await syncDir(path.dirname(file));
}

/** Creates `file` atomically, failing with EEXIST when it already exists (link() never overwrites). */
export async function createFileAtomic(file: string, data: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = await writeTemp(file, data);
  try {
    await link(tmp, file);
  } finally {
    await unlink(tmp).catch(() => {});
  }
  await syncDir(path.dirname(file));
}

export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
