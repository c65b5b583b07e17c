// Runs an external tool (smbclient, smbcacls, powershell.exe, icacls, whoami) for the probes:
// argv only (no shell), stdin closed so nothing can prompt (or given a text, then closed: EOF
// follows it, so a prompt still cannot wait), a hard timeout that kills the child
// with SIGKILL, stdout/stderr captured whole, and "not installed" told apart from "failed".
//
// Why node:child_process and not execa: execa 9 is about 105 modules and importing it costs
// 150-180 ms on this 2-core machine (bench/test-filestore.mjs), twice a whole smbcacls call,
// paid by every command that probes a share. What the probes need from it is the few lines
// below; execa stays for the tests and benchmarks.
import { spawn } from 'node:child_process';
import { trackChild } from '../cmdlet/children.js';
import { PASSWORD_VARIABLES } from '../cmdlet/credential.js';

export interface ToolResult {
  stdout: string;
  stderr: string;
  /** undefined when killed by a signal (timeout) or never started. */
  exitCode?: number;
  timedOut: boolean;
  /** The executable was not found (ENOENT). */
  notFound: boolean;
  /** Killed while waiting for its fd 3 (ToolOptions.fd3 settled with undefined). */
  cancelled?: boolean;
  /** From the release (fd 3 written) or the start, to the end. */
  durationMs: number;
}

export interface ToolOptions {
  /** The child's whole environment (nothing else is inherited). */
  env: Record<string, string>;
  timeoutMs: number;
  /**
   * Held back until it settles: its text is then written to the child's fd 3 (Samba's PASSWD_FD)
   * and the pipe closed, and the timeout starts. Settling with undefined kills the child, which
   * has only started and waits on fd 3 (cancelled). Lets a tool load while a logon is proven.
   */
  fd3?: Promise<string | undefined>;
  /**
   * Written to the child's stdin, which is then closed. How a secret reaches a tool that reads it
   * there (PowerShell); fd 3 is for Samba, whose PASSWD_FD takes a descriptor number.
   */
  stdin?: string;
  /** Each piece of stderr as it arrives (stdout may be buffered by the tool until it exits). */
  onStderr?: (text: string) => void;
}

/** Resolves with the outcome; never rejects (a spawn error other than ENOENT is reported in stderr). */
export function runTool(file: string, args: readonly string[], opts: ToolOptions): Promise<ToolResult> {
  let start = performance.now();
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const child = spawn(file, args, { env: opts.env, stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...(opts.fd3 ? (['pipe'] as const) : [])], windowsHide: true });
    trackChild(child);
    if (opts.stdin !== undefined) {
      child.stdin!.on('error', () => undefined); // gone before it read: its exit tells why
      child.stdin!.end(opts.stdin);
    }
    const arm = () => {
      start = performance.now();
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, opts.timeoutMs);
    };
    if (opts.fd3) {
      const fd3 = child.stdio[3] as import('node:stream').Writable;
      fd3.on('error', () => undefined); // the child may be gone before it reads: its exit tells why
      opts.fd3.then(
        (text) => {
          if (settled) return;
          if (text === undefined) {
            cancelled = true;
            child.kill('SIGKILL');
            return;
          }
          arm();
          fd3.end(text);
        },
        () => {
          cancelled = true;
          child.kill('SIGKILL');
        },
      );
    } else arm();
    const finish = (r: Omit<ToolResult, 'durationMs' | 'stdout' | 'stderr' | 'timedOut'> & { extraErr?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (r.extraErr ?? ''),
        ...(r.exitCode === undefined ? {} : { exitCode: r.exitCode }),
        timedOut,
        notFound: r.notFound,
        ...(cancelled ? { cancelled } : {}),
        durationMs: Math.round(performance.now() - start),
      });
    };
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => {
      err.push(b);
      opts.onStderr?.(b.toString('utf8'));
    });
    child.on('error', (e: NodeJS.ErrnoException) => finish({ notFound: e.code === 'ENOENT', extraErr: e.code === 'ENOENT' ? '' : `\n${e.message}` }));
    // 'close', not 'exit': the pipes are drained by then.
    child.on('close', (code) => finish({ notFound: false, ...(code === null ? {} : { exitCode: code }) }));
  });
}

/**
 * This process's environment as a plain record, for children that should inherit it, without this
 * tool's password variables: no child needs them (Samba gets its password on fd 3, PowerShell on stdin).
 */
export function inheritedEnv(): Record<string, string> {
  const secret = new Set<string>(Object.values(PASSWORD_VARIABLES));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !secret.has(k.toUpperCase())) env[k] = v;
  return env;
}
