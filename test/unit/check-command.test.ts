// The kit every Test-* command that probes shares (lib/probes/check-command.ts).
import test from 'ava';
import { boundedInOrder, checkSummary } from '../../lib/probes/check-command.js';

test('the Test-* summary line counts each status, as Test-Topology ends', async (t) => {
  const rows = (...s: ('Passed' | 'Warning' | 'Failed' | 'Skipped')[]) => s.map((Status) => ({ Status }));
  t.is(checkSummary('Test-FileStore', rows('Passed', 'Passed', 'Warning', 'Failed')), 'Test-FileStore: 2 passed, 1 warning, 1 failed.');
  t.is(checkSummary('Test-SqlStore', rows('Passed', 'Skipped', 'Skipped', 'Warning', 'Warning')), 'Test-SqlStore: 1 passed, 2 warnings, 0 failed, 2 skipped.');
});

test('boundedInOrder runs at most `limit` jobs at once and hands results back in input order', async (t) => {
  let active = 0;
  let peak = 0;
  const delays = [40, 5, 30, 1, 20, 10];
  const out: number[] = [];
  for await (const r of boundedInOrder(delays, 2, async (ms) => {
    peak = Math.max(peak, ++active);
    await new Promise((res) => setTimeout(res, ms));
    active--;
    return ms;
  })) out.push(r);
  t.deepEqual(out, delays);
  t.is(peak, 2);
});
