// The password prompt on a terminal: keys typed as soon as the prompt shows must reach it as keys.
import test from 'ava';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const runJs = fileURLToPath(new URL('../../lib/cmdlet/run.js', import.meta.url));

test('the terminal is in raw mode before the password prompt shows: a key typed at the prompt is never echoed or taken as EOF or SIGINT', async (t) => {
  // A child whose stdin stands in for the terminal: it records when raw mode is set and when the prompt is written.
  const script = `
    const order = [];
    process.stdin.setRawMode = (on) => { order.push('raw ' + on); return process.stdin; };
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (s, ...rest) => { if (String(s).includes('Password:')) order.push('prompt'); return write(s, ...rest); };
    const { processHost } = await import(${JSON.stringify(runJs)});
    const answer = processHost().readSecret('Password: ');
    // The key arrives the moment the prompt is on screen.
    process.stdin.emit('data', 'x\\r');
    console.log(JSON.stringify({ order, password: await answer }));
    process.exit(0);
  `;
  const r = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false, timeout: 30_000 });
  t.is(r.exitCode, 0, r.stderr);
  const { order, password } = JSON.parse(r.stdout);
  t.is(password, 'x');
  t.deepEqual(order.slice(0, 2), ['raw true', 'prompt']);
});
