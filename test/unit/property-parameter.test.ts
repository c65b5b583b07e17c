// -Property is a common parameter added after scripts were written with short prefixes: every prefix that bound
// one of a command's parameters before it existed still binds the same parameter, on every command.
import test from 'ava';
import { COMMANDS } from '../../bin/registry.js';
import { allParameters, resolveParameter } from '../../lib/cmdlet/binding.js';

test('no command declares its own -Property, and no prefix of another parameter now binds -Property or is ambiguous', async (t) => {
  for (const [name, load] of Object.entries(COMMANDS)) {
    const def = (await load()).default;
    t.false(def.parameters.some((p) => p.name.toLowerCase() === 'property'), `${name} has its own -Property`);
    const before = allParameters(def).filter((p) => p.name !== 'Property');
    for (const p of before) {
      for (let n = 1; n <= p.name.length; n++) {
        const prefix = p.name.slice(0, n).toLowerCase();
        const matches = before.filter((q) => [q.name, ...(q.aliases ?? [])].some((x) => x.toLowerCase().startsWith(prefix)));
        const exact = before.some((q) => [q.name, ...(q.aliases ?? [])].some((x) => x.toLowerCase() === prefix));
        if (matches.length !== 1 || exact) continue;
        t.is(resolveParameter(def, '-' + p.name.slice(0, n)).name, p.name, `${name} -${p.name.slice(0, n)}`);
      }
    }
  }
  const topology = (await COMMANDS['New-Topology']!()).default;
  t.is(resolveParameter(topology, '-Pro').name, 'Product');
  t.is(resolveParameter(topology, '-Prop').name, 'Property');
});
