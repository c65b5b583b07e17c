// Skipping a suite that cannot run here, saying why. npm test (test/support/run-tests.sh) prints every
// reason again in its closing summary, from the log named by PCHAT_TEST_SKIP_LOG.
import { appendFileSync } from 'node:fs';

const said = new Set<string>();

/**
 * `why` (or undefined when the suite can run), after saying once on stderr and in the run's skip log
 * that `suite` is skipped and why. In CI (`CI` set) a skip is a failure: this throws, which fails the
 * test file, unless the suite is an `optional` extra (one that needs something outside the repository).
 */
export function skipSuite(suite: string, why: string | undefined, opts: { optional?: boolean } = {}): string | undefined {
  if (!why) return undefined;
  if (process.env.CI && !opts.optional) throw new Error(`${suite} cannot run in CI: ${why}`);
  if (!said.has(suite)) {
    said.add(suite);
    const log = process.env.PCHAT_TEST_SKIP_LOG;
    if (log) appendFileSync(log, `${suite}: ${why}\n`);
    else console.warn(`SKIPPED ${suite}: ${why}`); // npm test prints its log once, in its summary
  }
  return why;
}

/** A test title that carries the reason when the test is skipped, so ava's own listing says why. */
export function titled(title: string, why: string | undefined): string {
  return why ? `${title} [skipped: ${why}]` : title;
}
