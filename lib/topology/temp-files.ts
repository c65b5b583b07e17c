// Temporary files named after their writer (`.<name>+<host>+<pid>+<random>.tmp`), so that an orphan,
// left by a writer killed before it renamed or removed it, can be told from one being written and
// removed by a later writer. Host-qualified: a repository on a shared folder may be written from
// several machines, and a pid means nothing on another host.
import { readdir, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Whether a process exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const host = () => encodeURIComponent(os.hostname());
const TEMP = /^\..*\+([^+/]+)\+(\d+)\+[0-9a-z]+\.tmp$/;

/** A temp file next to `file`, for this process. Not a secret, so Math.random (node:crypto costs start time). */
export function tempPath(file: string): string {
  const r = Math.floor(Math.random() * 2 ** 48).toString(36);
  return path.join(path.dirname(file), `.${path.basename(file)}+${host()}+${process.pid}+${r}.tmp`);
}

/**
 * Removes the temp files in `dirs` whose writer, on this host, has died. Best effort: a folder that
 * does not exist or cannot be read is skipped, and another host's files are left to that host.
 */
export async function sweepOrphans(dirs: string[]): Promise<string[]> {
  const removed: string[] = [];
  const me = host();
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const m = TEMP.exec(name);
      if (!m || m[1] !== me || processAlive(Number(m[2]))) continue;
      const file = path.join(dir, name);
      if (await unlink(file).then(() => true, () => false)) removed.push(file);
    }
  }
  return removed;
}
