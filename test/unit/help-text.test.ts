// What the help and messages promise a user: no file the package does not ship is named in any
// string it prints, and each thing has one parameter name on every command.
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../support/cli.js';
import { COMMANDS } from '../../bin/registry.js';

const SHIPPED = ['dist/lib', 'dist/cmdlets', 'dist/bin'];
const UNSHIPPED = /domain\.md|conventions\.md|architecture\.md|lab-samba\.md|lab-sql\.md|shared\//;

async function jsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await jsFiles(p)));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out;
}

/** The string and template literals of a built file: what it can print (comments are not strings). */
function stringsOf(file: string, text: string): { text: string; line: number }[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const out: { text: string; line: number }[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) {
      out.push({ text: n.text, line: sf.getLineAndCharacterOfPosition(n.getStart()).line + 1 });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

test('no string the package prints names a file it does not ship (domain.md, conventions.md, shared/...)', async (t) => {
  const hits: string[] = [];
  let strings = 0;
  for (const dir of SHIPPED) {
    for (const file of await jsFiles(path.join(projectRoot, dir))) {
      for (const s of stringsOf(file, await readFile(file, 'utf8'))) {
        strings++;
        if (UNSHIPPED.test(s.text)) hits.push(`${path.relative(projectRoot, file)}:${s.line}: ${s.text.slice(0, 120)}`);
      }
    }
  }
  t.true(strings > 1000, 'the built output was searched');
  t.deepEqual(hits, []);
});

test('the search sees strings and ignores comments', (t) => {
  const found = stringsOf('x.js', "// see domain.md\nconst a = 'plain'; const b = `t ${a} domain.md tail`;\n/* shared/docs */");
  t.deepEqual(found.map((s) => s.text), ['plain', 't ', ' domain.md tail']);
});

test('one name per thing: -SqlCredentialFile is the SQL password file, -CredentialFile the SMB one, on every command', async (t) => {
  for (const [name, load] of Object.entries(COMMANDS)) {
    const def = (await load()).default;
    const param = (n: string) => def.parameters.find((p) => p.name === n);
    if (param('SqlCredential')) t.truthy(param('SqlCredentialFile'), `${name} -SqlCredential has -SqlCredentialFile`);
    if (param('CredentialFile')) t.truthy(param('Credential'), `${name}: -CredentialFile belongs with the SMB -Credential`);
    if (param('SqlCredentialFile') && !param('Credential')) t.deepEqual(param('SqlCredentialFile')!.aliases, ['CredentialFile'], `${name} keeps its earlier spelling as an alias`);
  }
});

test('about_TopologyRules: every rule the rules run or a message cites has a number, severity, title and meaning', async (t) => {
  const { ruleCatalog } = await import('../../lib/topology/rules/catalog.js');
  const { RULES } = await import('../../lib/topology/rules/index.js');
  const catalog = new Map(ruleCatalog().map((r) => [r.number, r]));
  const cited = new Set<number>(RULES.map((r) => r.id));
  // Numbers the rules emit (finding(18, ...)) and that strings cite ("rule 18", "Rules 12 and 14").
  for (const dir of SHIPPED) {
    for (const file of await jsFiles(path.join(projectRoot, dir))) {
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/\bfinding\((\d+),/g)) cited.add(Number(m[1]));
      for (const s of stringsOf(file, text)) for (const m of s.text.matchAll(/\brules? (\d+)(?:(?:, | and |-)(\d+))*/gi)) for (const n of m[0].match(/\d+/g)!) cited.add(Number(n));
    }
  }
  t.true(cited.has(18) && cited.has(30));
  for (const n of cited) {
    const e = catalog.get(n);
    t.truthy(e, `rule ${n} is in about_TopologyRules`);
    if (!e) continue;
    t.regex(e.severity, /^(Error|Warning|Error, Warning)$/);
    t.true(e.title.length > 10 && e.meaning.length > 20 && e.meaning !== e.title, `rule ${n} has its own meaning`);
  }
});

test('help is complete: a synopsis, a description, help for every parameter and output, and examples with code and remarks', async (t) => {
  for (const [name, load] of Object.entries(COMMANDS)) {
    const def = (await load()).default;
    t.true(def.synopsis.length > 10 && def.description.length > 40, `${name}: synopsis and description`);
    for (const p of def.parameters) t.true(p.help.length > 8, `${name} -${p.name} has help`);
    t.true(def.outputType === 'None' || def.outputs.every((o) => o.description.length > 3), `${name}: every output described`);
    t.true(def.examples.length > 0, `${name} has examples`);
    for (const e of def.examples) t.true(e.title.length > 3 && e.code.length > 5 && e.remarks.length > 10, `${name}, example "${e.title}": title, code and remarks`);
  }
});

test('Test-SqlStore: -SqlCredentialFile, its alias -CredentialFile and their prefixes bind to the password file; -SqlCredential stays itself', async (t) => {
  const { resolveParameter } = await import('../../lib/cmdlet/binding.js');
  const def = (await COMMANDS['Test-SqlStore']!()).default;
  for (const written of ['-SqlCredentialFile', '-CredentialFile', '-credentialfile', '-SqlCredentialF', '-Cred']) t.is(resolveParameter(def, written).name, 'SqlCredentialFile', written);
  t.is(resolveParameter(def, '-SqlCredential').name, 'SqlCredential');
  t.throws(() => resolveParameter(def, '-SqlCred'), { message: /ambiguous.*-SqlCredential -SqlCredentialFile/ });
});
