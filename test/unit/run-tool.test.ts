// The probes' process runner: what a scheduled job relies on when a tool hangs, fails or is missing.
import test from 'ava';
import { runTool } from '../../lib/probes/run-tool.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

test('captures stdout, stderr and the exit code of a failing tool', async (t) => {
  const r = await runTool('sh', ['-c', 'echo out; echo err >&2; exit 3'], { env, timeoutMs: 10_000 });
  t.is(r.stdout, 'out\n');
  t.is(r.stderr, 'err\n');
  t.is(r.exitCode, 3);
  t.false(r.timedOut);
  t.false(r.notFound);
});

test('a tool that hangs is killed at the timeout, not waited for', async (t) => {
  const start = performance.now();
  const r = await runTool('sh', ['-c', 'echo started; exec sleep 30'], { env, timeoutMs: 300 });
  t.true(r.timedOut);
  t.is(r.exitCode, undefined);
  t.is(r.stdout, 'started\n');
  t.true(performance.now() - start < 5_000);
});

test('a missing executable is reported as not found, without throwing', async (t) => {
  const r = await runTool('/nonexistent/pchat-no-such-tool', [], { env, timeoutMs: 5_000 });
  t.true(r.notFound);
  t.false(r.timedOut);
});

test('the child sees only the environment it is given and cannot read stdin', async (t) => {
  process.env.PCHAT_RUN_TOOL_SECRET = 'must-not-leak';
  try {
    const r = await runTool('sh', ['-c', 'echo "[$PCHAT_RUN_TOOL_SECRET][$ONLY]"; read x && echo "read:$x"; true'], { env: { ...env, ONLY: 'given' }, timeoutMs: 10_000 });
    t.is(r.stdout, '[][given]\n');
    t.is(r.exitCode, 0);
  } finally {
    delete process.env.PCHAT_RUN_TOOL_SECRET;
  }
});
