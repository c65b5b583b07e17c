// Stands in for a command that needs a server (Test-SqlStore, Test-FileStore, Publish-Topology) when the
// help test runs that command's examples: the arguments are bound exactly as the real command binds them,
// and nothing else is done (no name is resolved, nothing is connected to). A binding error is also
// appended to $PCHAT_EXAMPLE_FAILURES, so that `... || echo 'not ready'` in an example cannot hide it.
import { appendFileSync } from 'node:fs';
import { COMMANDS, resolveCommandName } from '../../bin/registry.js';
import { bindArguments } from '../../lib/cmdlet/binding.js';

const [name = '', ...args] = process.argv.slice(2);
const fail = (message: string) => {
  process.stderr.write(`${message}\n`);
  if (process.env.PCHAT_EXAMPLE_FAILURES) appendFileSync(process.env.PCHAT_EXAMPLE_FAILURES, `${name} ${args.join(' ')}: ${message}\n`);
  process.exit(2);
};
const resolved = resolveCommandName(name);
if (!resolved) fail(`unknown command '${name}'`);
try {
  const bound = bindArguments((await COMMANDS[resolved!]!()).default, args);
  if (bound.help) fail('asked for help instead of running');
} catch (e) {
  fail(`binding failed: ${(e as Error).message}`);
}
