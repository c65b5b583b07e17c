#!/usr/bin/env node
// Writes bin/<Verb-Noun> for every command of bin/registry.ts and lists them in package.json "bin".
// Run after adding a command: node bin/make-shims.mjs (a unit test checks nothing was forgotten).
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
const names = [...readFileSync(new URL('./registry.ts', import.meta.url), 'utf8').matchAll(/^\s*'([A-Z][A-Za-z]+-[A-Za-z]+)':/gm)].map((m) => m[1]);
const pkgUrl = new URL('../package.json', import.meta.url);
const pkg = JSON.parse(readFileSync(pkgUrl, 'utf8'));
pkg.bin = { pchat: 'bin/pchat' };
for (const n of names) {
  const file = new URL(`./${n}`, import.meta.url);
  writeFileSync(file, `#!/usr/bin/env node\n// \`${n} ...\` is \`pchat ${n} ...\`.\nimport('../dist/bin/pchat.js').then((m) => m.start(['${n}', ...process.argv.slice(2)]));\n`);
  chmodSync(file, 0o755);
  pkg.bin[n] = `bin/${n}`;
}
writeFileSync(pkgUrl, JSON.stringify(pkg, null, 2) + '\n');
console.log(`${names.length} command executables`);
