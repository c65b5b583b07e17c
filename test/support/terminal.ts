// A command on a real terminal (a pty through util-linux `script`), answered when its prompt shows.
// Typing at a fixed delay raced the command's start on a loaded machine: a Ctrl+C that came before the
// prompt killed node outright, and the test saw only "^C". So keys go once the prompt is on screen.
import { spawnSync } from 'node:child_process';
import { execa } from 'execa';

export const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TerminalRun {
  exitCode: number | undefined;
  /** Everything the terminal showed: stdout and stderr, with echoed keys. */
  screen: string;
  /** Whether the prompt showed before the time ran out. */
  prompted: boolean;
}

/**
 * Runs `argv` on a pty, waits until the screen matches `prompt`, then types `keys`.
 * Bounded: when the prompt does not show within `timeoutMs`, the run is stopped.
 */
export async function onTerminal(argv: string[], opts: { env: NodeJS.ProcessEnv; extendEnv?: boolean; prompt: RegExp; keys: string; timeoutMs?: number }): Promise<TerminalRun> {
  const child = execa('script', ['-qec', argv.map(shellQuote).join(' '), '/dev/null'], {
    env: opts.env,
    extendEnv: opts.extendEnv ?? true,
    reject: false,
    stdin: 'pipe',
    timeout: opts.timeoutMs ?? 30_000,
  });
  let screen = '';
  let prompted = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    if (!prompted && opts.prompt.test(screen)) {
      prompted = true;
      child.stdin?.end(opts.keys);
    }
  });
  const r = await child;
  if (!prompted) child.stdin?.destroy();
  return { exitCode: r.exitCode, screen, prompted };
}
