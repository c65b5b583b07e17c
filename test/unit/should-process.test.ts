// ShouldProcess semantics (lib/cmdlet/should-process.ts): which combination of -WhatIf, -Confirm, -Force,
// ConfirmImpact and $ConfirmPreference performs, skips, asks, or fails at once for want of a terminal.
import test from 'ava';
import { ErrorRecord, ExitCode } from '../../lib/cmdlet/errors.js';
import { ShouldProcessState, type ShouldProcessOptions } from '../../lib/cmdlet/should-process.js';
import type { ConfirmImpact, Logger } from '../../lib/cmdlet/types.js';

const quietLog: Logger = { verbose() {}, debug() {}, info() {}, warning() {}, error() {} };

/** A terminal whose user types the scripted answers, one per question; records what was asked. */
function scripted(answers: string[]) {
  const asked: string[] = [];
  return {
    asked,
    io: {
      ask: async (q: string) => {
        asked.push(q);
        if (!answers.length) throw new Error('asked more often than scripted');
        return answers.shift()!;
      },
    },
  };
}

interface Row {
  impact: ConfirmImpact;
  whatIf?: boolean;
  confirm?: boolean;
  force?: boolean;
  interactive?: boolean;
  preference?: ConfirmImpact;
  answers?: string[];
  /** performed, skipped, or fails with ConfirmationRequired (exit 4) */
  outcome: 'performed' | 'skipped' | 'fails';
  prompted: boolean;
}

function state(r: Row, answers: string[]) {
  const term = scripted(answers);
  let stderr = '';
  const opts: ShouldProcessOptions = {
    confirmImpact: r.impact,
    whatIf: !!r.whatIf,
    confirm: r.confirm,
    force: !!r.force,
    interactive: r.interactive ?? true,
    io: term.io,
    stderr: (s) => void (stderr += s),
    log: quietLog,
    commandName: 'Remove-Thing',
    preference: r.preference,
  };
  return { sp: new ShouldProcessState(opts), term, stderr: () => stderr };
}

const semantics = test.macro({
  async exec(t, r: Row) {
    const { sp, term, stderr } = state(r, r.answers ?? ['Y']);
    if (r.outcome === 'fails') {
      const e = await t.throwsAsync(sp.shouldProcess('pool.contoso.com', 'Remove pool'), { instanceOf: ErrorRecord });
      t.is(e!.errorId, 'ConfirmationRequired');
      t.is(e!.exitCode, ExitCode.ConfirmationRequired);
      t.is(e!.target, 'pool.contoso.com');
      t.regex(e!.recommendedAction, /-Force/);
      t.regex(e!.recommendedAction, /-Confirm:false/);
    } else {
      t.is(await sp.shouldProcess('pool.contoso.com', 'Remove pool'), r.outcome === 'performed');
    }
    t.is(term.asked.length, r.prompted ? 1 : 0, r.prompted ? 'asked once' : 'never asked');
    if (r.whatIf) t.is(stderr(), 'What if: Performing the operation "Remove pool" on target "pool.contoso.com".\n');
    else t.notRegex(stderr(), /What if/);
  },
  title: (provided = '') => provided,
});

// WhatIf
test('-WhatIf skips and prints What if', semantics, { impact: 'High', whatIf: true, outcome: 'skipped', prompted: false });
test('-WhatIf wins over -Force', semantics, { impact: 'High', whatIf: true, force: true, outcome: 'skipped', prompted: false });
test('-WhatIf wins over -Confirm', semantics, { impact: 'High', whatIf: true, confirm: true, outcome: 'skipped', prompted: false });
test('-WhatIf without a terminal does not fail', semantics, { impact: 'High', whatIf: true, interactive: false, outcome: 'skipped', prompted: false });
// -Confirm:false
test('-Confirm:false never prompts, High impact', semantics, { impact: 'High', confirm: false, outcome: 'performed', prompted: false });
test('-Confirm:false with no terminal performs', semantics, { impact: 'High', confirm: false, interactive: false, outcome: 'performed', prompted: false });
// Force
test('-Force suppresses the prompt of a High impact command', semantics, { impact: 'High', force: true, outcome: 'performed', prompted: false });
test('-Force with no terminal performs', semantics, { impact: 'High', force: true, interactive: false, outcome: 'performed', prompted: false });
test('-Force with an explicit -Confirm still prompts', semantics, { impact: 'High', force: true, confirm: true, answers: ['N'], outcome: 'skipped', prompted: true });
test('-Force with -Confirm and no terminal fails', semantics, { impact: 'High', force: true, confirm: true, interactive: false, outcome: 'fails', prompted: false });
// ConfirmImpact against the preference (default High)
test('High impact prompts at the default preference', semantics, { impact: 'High', answers: ['Y'], outcome: 'performed', prompted: true });
test('High impact, answer No', semantics, { impact: 'High', answers: ['n'], outcome: 'skipped', prompted: true });
test('High impact, Enter takes the default Yes', semantics, { impact: 'High', answers: [''], outcome: 'performed', prompted: true });
test('Medium impact does not prompt at the default preference', semantics, { impact: 'Medium', outcome: 'performed', prompted: false });
test('Low impact does not prompt at the default preference', semantics, { impact: 'Low', interactive: false, outcome: 'performed', prompted: false });
test('Medium impact prompts when the preference is Medium', semantics, { impact: 'Medium', preference: 'Medium', outcome: 'performed', prompted: true });
test('Medium impact does not prompt when the preference is High', semantics, { impact: 'Medium', preference: 'High', interactive: false, outcome: 'performed', prompted: false });
test('-Confirm lowers the preference: Low impact prompts', semantics, { impact: 'Low', confirm: true, answers: ['y'], outcome: 'performed', prompted: true });
test('-Confirm on a None impact command does not prompt', semantics, { impact: 'None', confirm: true, outcome: 'performed', prompted: false });
// No terminal
test('High impact with no terminal fails at once', semantics, { impact: 'High', interactive: false, outcome: 'fails', prompted: false });
test('-Confirm with no terminal fails at once', semantics, { impact: 'Low', confirm: true, interactive: false, outcome: 'fails', prompted: false });

test('no terminal: fails at once even when the prompt would never be answered', async (t) => {
  const never = { ask: () => new Promise<string>(() => {}) };
  const sp = new ShouldProcessState({ confirmImpact: 'High', whatIf: false, confirm: undefined, force: false, interactive: false, io: never, stderr: () => {}, log: quietLog, commandName: 'Remove-Thing' });
  const started = Date.now();
  await t.throwsAsync(sp.shouldProcess('pool.contoso.com', 'Remove pool'), { instanceOf: ErrorRecord, message: /no terminal/ });
  t.true(Date.now() - started < 1000);
});

test('Yes to All: asked once, every later target performed', async (t) => {
  const { sp, term } = state({ impact: 'High', outcome: 'performed', prompted: true }, ['A']);
  const results = [];
  for (const target of ['a.contoso.com', 'b.contoso.com', 'c.contoso.com']) results.push(await sp.shouldProcess(target, 'Remove pool'));
  t.deepEqual(results, [true, true, true]);
  t.is(term.asked.length, 1);
  t.regex(term.asked[0]!, /"Remove pool" on target "a\.contoso\.com"/);
  t.false(sp.declined);
});

test('No to All: asked once, every later target skipped, and it counts as declined', async (t) => {
  const { sp, term } = state({ impact: 'High', outcome: 'skipped', prompted: true }, ['L']);
  const results = [];
  for (const target of ['a.contoso.com', 'b.contoso.com', 'c.contoso.com']) results.push(await sp.shouldProcess(target, 'Remove pool'));
  t.deepEqual(results, [false, false, false]);
  t.is(term.asked.length, 1);
  t.true(sp.declined);
});

test('Yes then No: asked for each target', async (t) => {
  const { sp, term } = state({ impact: 'High', outcome: 'performed', prompted: true }, ['Y', 'N']);
  t.true(await sp.shouldProcess('a.contoso.com', 'Remove pool'));
  t.false(await sp.shouldProcess('b.contoso.com', 'Remove pool'));
  t.is(term.asked.length, 2);
  t.regex(term.asked[1]!, /b\.contoso\.com/);
});

test('? shows the choices and asks again', async (t) => {
  const { sp, term, stderr } = state({ impact: 'High', outcome: 'performed', prompted: true }, ['?', 'nonsense', 'y']);
  t.true(await sp.shouldProcess('a.contoso.com', 'Remove pool'));
  t.is(term.asked.length, 3);
  t.regex(stderr(), /A - Continue with all the steps/);
  t.regex(term.asked[0]!, /\[Y\] Yes {2}\[A\] Yes to All {2}\[N\] No {2}\[L\] No to All/);
});

test('-WhatIf prints one What if line per target', async (t) => {
  const { sp, stderr } = state({ impact: 'Low', whatIf: true, outcome: 'skipped', prompted: false }, []);
  await sp.shouldProcess('a.contoso.com', 'Add pool');
  await sp.shouldProcess('b.contoso.com', 'Add pool');
  t.is(stderr(), 'What if: Performing the operation "Add pool" on target "a.contoso.com".\nWhat if: Performing the operation "Add pool" on target "b.contoso.com".\n');
  t.false(sp.declined, '-WhatIf is not a refusal');
});
