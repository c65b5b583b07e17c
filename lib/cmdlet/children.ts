// The child processes a command has running, so that a termination stops them too: a terminal's
// Ctrl+C reaches the whole process group, but a scheduler's or `timeout`'s SIGTERM reaches only
// this process, and its Samba tools would otherwise outlive it.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChildProcess } from 'node:child_process';

/** Each live child, and whether it belongs to work that must finish (see `finishing`). */
const live = new Map<ChildProcess, boolean>();
let stopping = false;
const unit = new AsyncLocalStorage<true>();
const killAll = () => stopChildren(true);

/**
 * Runs `work` as a unit that a termination lets finish within its grace: the tools it starts are not
 * stopped by SIGTERM (a pool folder and its DACL, the removal of a probe file), only by the exit.
 */
export function finishing<T>(work: () => Promise<T>): Promise<T> {
  return unit.run(true, work);
}

export function trackChild(child: ChildProcess): void {
  const mustFinish = unit.getStore() === true;
  // Started after the stop (a batch queued for the next turn): it would outlive the command's grace.
  if (stopping && !mustFinish) child.kill('SIGKILL');
  // However the process ends (a second Ctrl+C, the grace running out), no tool it started outlives it.
  if (!live.size) process.once('exit', killAll);
  live.set(child, mustFinish);
  child.once('close', () => {
    live.delete(child);
    if (!live.size) process.off('exit', killAll);
  });
}

/** Kills every child still running (but those of `finishing` work, unless `all`); each one's caller then sees it end and cleans up after it. */
export function stopChildren(all = false): void {
  stopping = true;
  for (const [c, mustFinish] of live) if (all || !mustFinish) c.kill('SIGKILL');
}
