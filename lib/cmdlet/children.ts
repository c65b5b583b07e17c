// The child processes a command has running, so that a termination stops them too: a terminal's
// Ctrl+C reaches the whole process group, but a scheduler's or `timeout`'s SIGTERM reaches only
// this process, and its Samba tools would otherwise outlive it.
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let stopping = false;

export function trackChild(child: ChildProcess): void {
  // Started after the stop (a batch queued for the next turn): it would outlive the command's grace.
  if (stopping) child.kill('SIGKILL');
  // However the process ends (a second Ctrl+C exits at once), no tool it started outlives it.
  if (!live.size) process.once('exit', stopChildren);
  live.add(child);
  child.once('close', () => {
    live.delete(child);
    if (!live.size) process.off('exit', stopChildren);
  });
}

/** Kills every child still running; each one's caller then sees it end and cleans up after it. */
export function stopChildren(): void {
  stopping = true;
  for (const c of live) c.kill('SIGKILL');
}
