// Spawns the real executables (bin/pchat or bin/<Verb-Noun>) the way a shell script does.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The public sample documents, when a checkout has them beside it: extras only, no test needs them. */
export const samplesDir = path.resolve(projectRoot, '../shared/samples');
/** Why the extras on the public samples cannot run here, or undefined. */
export const samplesMissing = existsSync(samplesDir) ? undefined : `the public sample documents are not beside the repository (${samplesDir})`;

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (empty lines ignored). */
  objects: any[];
}

export interface RunOptions {
  /** Piped to stdin; without it stdin is /dev/null. */
  input?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Working folder of the command (default: this process's). */
  cwd?: string;
}

/** Runs `bin/pchat <args>` (or `bin/<command>` when `command` is given). Never throws for a non-zero exit. */
export async function run(args: string[], opts: RunOptions = {}, command = 'pchat'): Promise<RunResult> {
  const r = await execa(path.join(projectRoot, 'bin', command), args, {
    reject: false,
    // No input: stdin is /dev/null, as under systemd or a terminal-less job; `input` (even '') is a pipe.
    ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
    env: { PCHAT_REPOSITORY: undefined, ...opts.env },
    timeout: opts.timeoutMs ?? 60_000,
    cwd: opts.cwd,
    stripFinalNewline: false,
  });
  const stdout = String(r.stdout ?? '');
  const objects: any[] = [];
  for (const line of stdout.split('\n')) {
    const l = line.trim();
    if (!l) continue;
    try {
      objects.push(JSON.parse(l));
    } catch {
      /* not JSON: leave to the test */
    }
  }
  return { exitCode: r.exitCode ?? -1, stdout, stderr: String(r.stderr ?? ''), objects };
}
