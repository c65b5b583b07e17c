// An exclusive lock on the repository folder with a bounded wait.
// Written here rather than taken from proper-lockfile: that package detects staleness by mtime, which
// needs a refresh timer in every process and pulls in graceful-fs (which patches fs); the repository only
// needs O_EXCL creation plus "is the holder still alive", which is a few lines.
import { link, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ErrorRecord, ExitCode, usageError } from '../cmdlet/errors.js';
import { shown } from '../cmdlet/validators.js';
import { repositoryFolderError } from './folder-error.js';
import { processAlive, tempPath } from './temp-files.js';

export interface LockOptions {
  /** How long to wait for another process to finish (default 15 s, or PCHAT_LOCK_TIMEOUT_MS). */
  timeoutMs?: number;
  /** The lock file's name in the folder (default `.lock`; publishing holds `.publish.lock` as well). */
  name?: string;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const LOCK_TIMEOUT_VARIABLE = 'PCHAT_LOCK_TIMEOUT_MS';
const DEFAULT_LOCK_TIMEOUT_MS = 15_000;
/** A day: a longer wait is a slip of the keyboard, not a plan (and Node's timers stop at 24.8 days). */
export const MAX_LOCK_TIMEOUT_MS = 86_400_000;

/**
 * How long a change waits for others (the folder's lock, the store's retries, its publish lock): 15 s,
 * or PCHAT_LOCK_TIMEOUT_MS (unset or empty: the default). Any other value than a whole number of
 * milliseconds in range is a usage error (exit 2): taken as the default, a job's wait would silently differ.
 */
export function lockTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[LOCK_TIMEOUT_VARIABLE]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_LOCK_TIMEOUT_MS;
  if (/^\d+$/.test(raw) && Number(raw) <= MAX_LOCK_TIMEOUT_MS) return Number(raw);
  throw usageError(
    'LockTimeoutInvalid',
    `${LOCK_TIMEOUT_VARIABLE}='${shown(raw)}' is not a whole number of milliseconds from 0 to ${MAX_LOCK_TIMEOUT_MS}.`,
    LOCK_TIMEOUT_VARIABLE,
    `Set ${LOCK_TIMEOUT_VARIABLE} to a whole number of milliseconds from 0 (do not wait) to ${MAX_LOCK_TIMEOUT_MS} (24 hours), or unset it for the default, ${DEFAULT_LOCK_TIMEOUT_MS} (15 s).`,
  );
}

export async function withLock<T>(folder: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const file = path.join(folder, opts.name ?? '.lock');
  const timeoutMs = opts.timeoutMs ?? lockTimeoutMs();
  // Creating the lock is the first write to the folder: a folder this account cannot write (or that is
  // not a folder) is said here, naming the repository, rather than as the lock's temp file.
  await acquire(folder, file, timeoutMs).catch((e) => Promise.reject(repositoryFolderError(folder, e, 'write')));
  try {
    return await fn();
  } finally {
    await unlink(file).catch(() => {});
  }
}

async function acquire(folder: string, file: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let holder: Holder | undefined;
  // The lock appears with its holder already in it (link of a written temp file; link never replaces):
  // created empty and then written, a process killed in between left a lock no one could ever take over.
  const mine = tempPath(file);
  try {
    await writeFile(mine, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
    for (let attempt = 0; ; attempt++) {
      try {
        await link(mine, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      holder = await readHolder(file);
      if (holder && holder.host === os.hostname() && !processAlive(holder.pid)) {
        // The holder died (killed mid-change): its lock is stale. Removing it is safe because
        // every write is atomic, so the repository is as the dead process last left it.
        if (await breakStaleLock(file, holder)) continue;
      }
      if (Date.now() >= deadline) {
        throw new ErrorRecord({
          errorId: 'RepositoryLocked',
          category: 'ResourceBusy',
          target: folder,
          message: `The topology repository '${folder}' is locked${holder ? ` by process ${holder.pid} on ${holder.host} since ${holder.since}` : ''}${timeoutMs ? ` and stayed locked for ${timeoutMs} ms` : ''}.`,
          recommendedAction: `Wait for the other command to finish and run again. If no pchat command is running, remove '${file}'.`,
          exitCode: ExitCode.RepositoryBusy,
        });
      }
      await sleep(Math.min(5 + attempt * 2, 50) + Math.random() * 10);
    }
  } finally {
    await unlink(mine).catch(() => {});
  }
}

/**
 * Removes the lock of a dead holder, unless it changed meanwhile. Serialised by a second O_EXCL file:
 * without it, two waiters that both saw the dead holder could both unlink, the second one removing the
 * fresh lock the first had just taken, and both would then write (a lost update).
 */
async function breakStaleLock(file: string, dead: Holder): Promise<boolean> {
  const breaker = `${file}.break`;
  try {
    await (await open(breaker, 'wx')).close();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // Another waiter is breaking it (a few ms); a breaker that old was left by a process that died in them.
    const st = await stat(breaker).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 2000) await unlink(breaker).catch(() => {});
    return false;
  }
  try {
    const now = await readHolder(file);
    if (now && now.pid === dead.pid && now.host === dead.host && now.since === dead.since) await unlink(file).catch(() => {});
    return true;
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const h = JSON.parse(await readFile(file, 'utf8'));
    return typeof h?.pid === 'number' ? h : undefined;
  } catch {
    // Being written right now, or gone: treat as held by a live process and retry.
    return undefined;
  }
}
