// The layers of architecture.md, read from the sources' imports (static, dynamic and type-only alike):
// topology knows nothing about commands, probes or the console; probes know nothing about the topology;
// the shared SQL Server client (lib/sql) sits below both and knows neither. And mssql is never imported
// up front: a command that does not touch SQL Server must not pay for loading it.
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../support/cli.js';

/**
 * What lib/topology and lib/sql may take from the cmdlet runtime: the ErrorRecord every layer throws,
 * and two plain helpers the topology rules share with parameter binding (validators: FQDN and quoting of
 * values; did-you-mean: closest names). None of them prints, reads the console or knows a command; the
 * last test keeps it so.
 */
const CONSOLE_FREE = ['lib/cmdlet/errors.ts', 'lib/cmdlet/validators.ts', 'lib/cmdlet/did-you-mean.ts'];

const RULES: { layer: string; forbidden: string[]; runtime: string[] }[] = [
  { layer: 'lib/topology/', forbidden: ['lib/probes/', 'lib/publish/', 'cmdlets/', 'bin/'], runtime: CONSOLE_FREE },
  { layer: 'lib/probes/', forbidden: ['lib/topology/', 'lib/publish/', 'cmdlets/', 'bin/'], runtime: ['*'] },
  { layer: 'lib/sql/', forbidden: ['lib/topology/', 'lib/probes/', 'lib/publish/', 'cmdlets/', 'bin/'], runtime: ['lib/cmdlet/errors.ts'] },
];

interface Import {
  /** Repository-relative .ts path for a relative specifier; the bare specifier otherwise. */
  target: string;
  /** Erased by the compiler: `import type`, `export type`, every named binding `type`, or import('x').T in a type. */
  typeOnly: boolean;
  dynamic: boolean;
}

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(projectRoot, dir), { withFileTypes: true })) {
    const p = path.posix.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

async function importsOf(file: string): Promise<Import[]> {
  const sf = ts.createSourceFile(file, await readFile(path.join(projectRoot, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Import[] = [];
  const add = (spec: ts.Expression | undefined, typeOnly: boolean, dynamic: boolean) => {
    if (!spec || !ts.isStringLiteralLike(spec)) return;
    const s = spec.text;
    const target = s.startsWith('.') ? path.posix.join(path.posix.dirname(file), s).replace(/\.js$/, '.ts') : s;
    out.push({ target, typeOnly, dynamic });
  };
  const visit = (n: ts.Node) => {
    if (ts.isImportDeclaration(n)) {
      const c = n.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const allTypes = !!c && !c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly);
      add(n.moduleSpecifier, !!c && (c.isTypeOnly || allTypes), false);
    } else if (ts.isExportDeclaration(n)) {
      add(n.moduleSpecifier, n.isTypeOnly, false);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(n.arguments[0], false, true);
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) {
      add(n.argument.literal, true, false);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

async function allImports(dirs: string[]): Promise<Map<string, Import[]>> {
  const files = (await Promise.all(dirs.map(sources))).flat();
  return new Map(await Promise.all(files.map(async (f) => [f, await importsOf(f)] as const)));
}

test('the import scan sees static, lazy and type-only imports (else the tests below prove nothing)', async (t) => {
  const store = await importsOf('lib/topology/sql-repository.ts');
  t.true(store.some((i) => i.target === 'lib/sql/connect.ts' && i.dynamic), 'lazy import of the SQL client');
  t.true(store.some((i) => i.target === 'lib/sql/connect.ts' && i.typeOnly), 'type-only import of SqlSession');
  t.true(store.some((i) => i.target === 'lib/cmdlet/errors.ts' && !i.typeOnly && !i.dynamic), 'static import of ErrorRecord');
});

for (const rule of RULES) {
  test(`${rule.layer} imports no layer above or beside it`, async (t) => {
    const bad: string[] = [];
    for (const [file, imports] of await allImports([rule.layer])) {
      for (const i of imports) {
        const runtime = i.target.startsWith('lib/cmdlet/') && !rule.runtime.includes('*') && !rule.runtime.includes(i.target);
        if (runtime || rule.forbidden.some((f) => i.target.startsWith(f))) bad.push(`${file} imports ${i.target}`);
      }
    }
    t.deepEqual(bad, []);
  });
}

test('the runtime modules the topology may use are console-free themselves', async (t) => {
  const bad: string[] = [];
  for (const file of CONSOLE_FREE) {
    for (const i of await importsOf(file)) {
      if (i.typeOnly || i.target.startsWith('node:') || CONSOLE_FREE.includes(i.target)) continue;
      bad.push(`${file} imports ${i.target}`);
    }
  }
  t.deepEqual(bad, []);
});

test('mssql is only ever loaded lazily (import type or import())', async (t) => {
  const bad: string[] = [];
  for (const [file, imports] of await allImports(['lib', 'cmdlets', 'bin'])) {
    for (const i of imports) if (/^(mssql|tedious)(\/|$)/.test(i.target) && !i.typeOnly && !i.dynamic) bad.push(`${file} imports ${i.target}`);
  }
  t.deepEqual(bad, []);
});
