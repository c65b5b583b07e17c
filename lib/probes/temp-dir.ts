// Private temporary folders of the probes (the round trip's upload and download files). Each is
// removed by its user; whatever is still there when the process exits (a second Ctrl+C, the SIGTERM
// grace running out, process.exit anywhere) is removed synchronously on the way out.
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const live = new Set<string>();

function removeAllNow(): void {
  for (const d of live) rmSync(d, { recursive: true, force: true });
  live.clear();
}

/** A new folder (mode 0700) under TMPDIR named `<prefix>XXXXXX`, removed at exit at the latest. */
export function makeTempDir(prefix: string): string {
  if (!live.size) process.once('exit', removeAllNow);
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  live.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  live.delete(dir);
  if (!live.size) process.off('exit', removeAllNow);
}
