// What every probe returns (shared/docs/architecture.md, "Probes"): rows of checks.
// Probes never throw for an environment problem; a failure is a Failed row reached within its timeout.

export type CheckStatus = 'Passed' | 'Warning' | 'Failed' | 'Skipped';

/** One row of a Test-* command's output (PascalCase: it is printed as is). */
export interface CheckRow {
  Target: string;
  Check: string;
  Status: CheckStatus;
  Details: string;
  RecommendedAction: string;
  DurationMs: number;
}

/** Runs `fn` and turns its outcome into a row with its duration; an exception becomes a Failed row. */
export async function timedCheck(
  target: string,
  check: string,
  fn: () => Promise<Omit<CheckRow, 'Target' | 'Check' | 'DurationMs'>>,
): Promise<CheckRow> {
  const start = performance.now();
  try {
    const r = await fn();
    return { Target: target, Check: check, ...r, DurationMs: Math.round(performance.now() - start) };
  } catch (e) {
    return {
      Target: target,
      Check: check,
      Status: 'Failed',
      Details: e instanceof Error ? e.message : String(e),
      RecommendedAction: 'See the details; rerun with -Verbose for more.',
      DurationMs: Math.round(performance.now() - start),
    };
  }
}

/** Runs async jobs with at most `limit` at once, keeping input order in the result. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}
