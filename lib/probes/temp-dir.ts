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

/**
 * A signal that arrives while a folder is live, when the command's own handlers are gone (it has returned
 * and the process is only draining), would end the process without an 'exit' event, leaving the folder:
 * then remove them and exit as the command would have (130 Ctrl+C, 143 SIGTERM). While the command's
 * handlers are there, they decide, and this one does nothing.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  removeAllNow();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

function watch(on: boolean): void {
  const f = on ? process.on.bind(process) : process.off.bind(process);
  f('exit', removeAllNow);
  f('SIGINT', onSignal);
  f('SIGTERM', onSignal);
}

/** A new folder (mode 0700) under TMPDIR named `<prefix>XXXXXX`, removed at exit at the latest. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (!live.size) watch(true);
  live.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  if (live.delete(dir) && !live.size) watch(false);
}
