// What the Test-* commands that print check rows share: their output description, their exit-code
// rule and their common parameters (one place, so Test-SqlStore and Test-FileStore cannot drift apart).
import type { CmdletContext, OutputProperty, ParameterDefinition } from '../cmdlet/types.js';
import type { CredentialSource } from '../cmdlet/credential.js';
import type { CheckRow } from './types.js';

export function checkRowOutputs(target: string, checks: string): OutputProperty[] {
  return [
    { name: 'Target', description: target },
    { name: 'Check', description: checks },
    { name: 'Status', description: 'Passed, Warning, Failed, or Skipped (not applicable, or not checkable after an earlier failure: Details says which).' },
    { name: 'Details', description: 'What was found.' },
    { name: 'RecommendedAction', description: 'What to do when the check did not pass.' },
    { name: 'DurationMs', description: 'How long the check took.' },
  ];
}

export const CHECK_ROWS = {
  defaultDisplay: ['Target', 'Check', 'Status', 'Details'],
  failedWhen: (o: CheckRow) => o.Status === 'Failed',
  notes: ['Exit code 3 when any check failed; 0 when every check passed or only warned.', 'Ends with one summary line on stderr (the command name, then e.g. "12 passed, 2 warnings, 1 failed."), after the rows; none with -Quiet.'],
};

export function timeoutParameter(help: string): ParameterDefinition {
  return { name: 'TimeoutSeconds', type: 'int', validateRange: { min: 1, max: 600 }, default: 15, help };
}

export function throttleParameter(what: string): ParameterDefinition {
  return { name: 'ThrottleLimit', type: 'int', validateRange: { min: 1, max: 64 }, default: 8, help: `How many ${what} are probed at once.` };
}

export const QUIET_PARAMETER: ParameterDefinition = { name: 'Quiet', type: 'switch', help: 'Prints nothing; the exit code tells (0 no check failed, 3 a check failed).' };

// ---- the run kit: what every Test-* command that probes does between process() and end() ----------

/**
 * What one invocation gathers across its process() calls (one per piped object) for end(), where
 * every target is probed at once: the jobs, where the password comes from, the last options.
 */
export interface ProbeRun<Job, Options> {
  jobs: Job[];
  /** Resolved in end, once there is something to test: an empty pipeline needs no password. */
  credentialSource?: CredentialSource;
  options?: Options;
}

const runs = new Map<string, ProbeRun<unknown, unknown>>();

/** This invocation's run (created on its first process() call), with `extra` state of the command's own. */
export function probeRun<Job, Options, Extra extends object = object>(runId: string, extra: () => Extra = () => ({}) as Extra): ProbeRun<Job, Options> & Extra {
  let r = runs.get(runId);
  if (!r) runs.set(runId, (r = { jobs: [], ...extra() }));
  return r as ProbeRun<Job, Options> & Extra;
}

/** Ends the invocation's run (in end()) and hands it over, or undefined when nothing was gathered. */
export function takeProbeRun<Job, Options, Extra extends object = object>(runId: string): (ProbeRun<Job, Options> & Extra & { options: Options }) | undefined {
  const r = runs.get(runId);
  runs.delete(runId);
  return r?.jobs.length && r.options ? (r as ProbeRun<Job, Options> & Extra & { options: Options }) : undefined;
}

/** A slot-handing semaphore: at most `limit` jobs run; results come back in input order, each as soon as it and those before it are ready. */
export async function* boundedInOrder<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  let active = 0;
  const waiting: (() => void)[] = [];
  const run = async (item: T) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await fn(item);
    } finally {
      const next = waiting.shift();
      if (next) next(); // the slot passes to the next job as is
      else active--;
    }
  };
  const pending = items.map(run);
  pending.forEach((p) => p.catch(() => {}));
  for (const p of pending) yield await p;
}

/** `Test-FileStore: 12 passed, 2 warnings, 1 failed` (and the skipped ones, when there are). */
export function checkSummary(command: string, rows: readonly Pick<CheckRow, 'Status'>[]): string {
  const n = (s: CheckRow['Status']) => rows.filter((r) => r.Status === s).length;
  const plural = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const skipped = n('Skipped');
  return `${command}: ${n('Passed')} passed, ${plural(n('Warning'), 'warning', 'warnings')}, ${n('Failed')} failed${skipped ? `, ${skipped} skipped` : ''}.`;
}

/**
 * The end of a Test-* command: each job probed (at most `limit` at once), its rows emitted target by
 * target in input order, what did not pass told with -Verbose, then one summary line on stderr.
 */
export async function* probeInOrder<Job>(ctx: CmdletContext, jobs: readonly Job[], limit: number, probe: (job: Job) => Promise<CheckRow[]>): AsyncGenerator<CheckRow> {
  const all: CheckRow[] = [];
  for await (const rows of boundedInOrder(jobs, limit, probe)) {
    for (const r of rows) if (r.Status !== 'Passed') ctx.writeVerbose(`${r.Target} ${r.Check}: ${r.Status} - ${r.Details}`);
    all.push(...rows);
    yield* rows;
  }
  ctx.writeHost(checkSummary(ctx.commandName, all));
}
