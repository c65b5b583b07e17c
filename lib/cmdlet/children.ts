// The child processes a command has running, so that a termination stops them too: a terminal's
// Ctrl+C reaches the whole process group, but a scheduler's or `timeout`'s SIGTERM reaches only
// this process, and its Samba tools would otherwise outlive it.
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

export function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('close', () => live.delete(child));
}

/** Kills every child still running; each one's caller then sees it end and cleans up after it. */
export function stopChildren(): void {
  for (const c of live) c.kill('SIGKILL');
}
