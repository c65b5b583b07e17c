// Import-Topology and Export-Topology end to end, through the real executables: import a real
// deployment, define a Persistent Chat pool on what was imported, check it; refusals leave the
// repository byte-for-byte as it was.
import test from 'ava';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { closeSync, existsSync, lstatSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { execa } from 'execa';
import os from 'node:os';
import path from 'node:path';
import { projectRoot, run } from '../support/cli.js';
import { skipSuite, titled } from '../support/skip.js';
import { Repository } from '../../lib/topology/repository.js';

const fixtures = path.join(projectRoot, 'test/fixtures/xml');
// The project's own documents in the two real forms: a Topology Builder .tbxml (UTF-8 with BOM) and a
// published Get-CsTopology -AsXml document.
const tbxml = path.join(fixtures, 'tailspin.tbxml');
const published = path.join(fixtures, 'published-topology.xml');

async function freshRepo(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-import-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, 'repo');
}

/** Every file of the repository with its bytes, to prove that nothing changed. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name !== '.lock') out[path.relative(dir, p)] = (await readFile(p)).toString('base64');
    }
  };
  await walk(dir);
  return out;
}

const pchat = (repo: string, args: string[], input?: string) => run([...args, '-Repository', repo], { input });

test('tailspin.tbxml: import, define a Persistent Chat pool on the imported pool and stores, Test-Topology is clean', async (t) => {
  const repo = await freshRepo(t);
  const imp = await pchat(repo, ['Import-Topology', '-Path', tbxml]);
  t.is(imp.exitCode, 0, imp.stderr);
  const s = imp.objects[0];
  t.like(s, { Form: 'TopologyBuilder', Mode: 'New', Product: 'SkypeForBusiness2015', Sites: 1, FrontEndPools: 1, SqlStores: 1, FileStores: 2, OccupiedNames: 8, Written: true });
  t.true(s.Added.includes('FrontEndPool:lyncpool.tailspintoys.com'));
  t.is(s.UnmodelledRoles.EdgeServer, 1);

  const pool = await pchat(repo, [
    'New-PersistentChatPool', '-Fqdn', 'pchat.tailspintoys.com', '-Site', 'Tailspin', '-Computer', 'pchat1.tailspintoys.com,pchat2.tailspintoys.com',
    '-DisplayName', 'Tailspin chat', '-NextHopPool', 'lyncpool.tailspintoys.com', '-SqlStore', 'ts-sql01.tailspintoys.com', '-FileStore', '\\\\ts-fs01.tailspintoys.com\\LyncShare', '-DefaultForSite',
  ]);
  t.is(pool.exitCode, 0, pool.stderr);
  const check = await pchat(repo, ['Test-Topology']);
  t.is(check.exitCode, 0, check.stdout + check.stderr);
  t.false(check.objects.some((f) => f.Severity === 'Error'));

  // The imported Edge server's name is taken: a pool may not reuse it.
  const clash = await pchat(repo, [
    'New-PersistentChatPool', '-Fqdn', 'edge-pool.tailspintoys.com', '-Site', 'Tailspin', '-Computer', 'pchat3.tailspintoys.com',
    '-DisplayName', 'x', '-NextHopPool', 'lyncpool.tailspintoys.com', '-SqlServerFqdn', 'sql9.tailspintoys.com', '-FileStore', '\\\\ts-fs02.tailspintoys.com\\ArchiveShare',
  ]);
  t.not(clash.exitCode, 0);
  t.regex(clash.stderr, /edge-pool\.tailspintoys\.com.*already used/);
});

test('published-topology.xml: a pool on the imported file store and AlwaysOn SQL store checks clean, with the AlwaysOn warning', async (t) => {
  const repo = await freshRepo(t);
  const imp = await pchat(repo, ['Import-Topology', published]);
  t.is(imp.exitCode, 0, imp.stderr);
  t.like(imp.objects[0], { Form: 'Published', Sites: 1, FrontEndPools: 1, SqlStores: 1, FileStores: 1, OccupiedNames: 3 });

  const common = ['New-PersistentChatPool', '-Fqdn', 'pchat.corp.wingtiptoys.com', '-Site', 'Trondheim', '-Computer', 'pchat-01.corp.wingtiptoys.com',
    '-DisplayName', 'Trondheim chat', '-NextHopPool', 'sfbpool.corp.wingtiptoys.com', '-FileStore', '\\\\corp.wingtiptoys.com\\sfbshare', '-DefaultForSite'];
  const onAlwaysOn = await pchat(repo, [...common, '-SqlStore', 'sql-ag01.corp.wingtiptoys.com']);
  t.is(onAlwaysOn.exitCode, 0, onAlwaysOn.stderr);
  t.regex(onAlwaysOn.stderr, /WARNING: .*AlwaysOn/);
  const check = await pchat(repo, ['Test-Topology']);
  t.is(check.exitCode, 0, check.stdout + check.stderr);
  t.deepEqual(check.objects.map((f) => [f.Severity, f.Rule]), [['Warning', 30]]);
});

test('a deployment that already runs a Persistent Chat pool: the warning names it, and defining it again under its own names checks clean', async (t) => {
  const repo = await freshRepo(t);
  const imp = await pchat(repo, ['Import-Topology', path.join(fixtures, 'existing-pchat.tbxml')]);
  t.is(imp.exitCode, 0, imp.stderr);
  t.regex(imp.stderr, /WARNING: The document already holds Persistent Chat pool\(s\) pchatpool\.fabrikam\.com \(computers pchat01\.fabrikam\.com, pchat02\.fabrikam\.com, site Lisbon\)/);
  t.like(imp.objects[0].UnmodelledRoles, { PersistentChatService: 1, PersistentChatStore: 1, PersistentChatComplianceStore: 1 });

  // What the warning says to do: the pool's own FQDN and computers are not "already used" by itself.
  const again = await pchat(repo, [
    'New-PersistentChatPool', '-Fqdn', 'pchatpool.fabrikam.com', '-Site', 'Lisbon', '-Computer', 'pchat01.fabrikam.com,pchat02.fabrikam.com', '-DisplayName', 'Lisbon chat',
    '-NextHopPool', 'fepool.fabrikam.com', '-SqlStore', 'sqlbe.fabrikam.com\\PChat', '-FileStore', '\\\\fs01.fabrikam.com\\PChatShare', '-DefaultForSite',
  ]);
  t.is(again.exitCode, 0, again.stderr);
  const listed = await pchat(repo, ['Get-PersistentChatPool']);
  t.deepEqual(listed.objects.map((p) => p.Fqdn), ['pchatpool.fabrikam.com']);
  const check = await pchat(repo, ['Test-Topology']);
  t.is(check.exitCode, 0, check.stdout + check.stderr);
});

test('a Windows-1252 document (what Set-Content writes) is imported with its accented site names and a warning saying how it was read', async (t) => {
  const repo = await freshRepo(t);
  const imp = await pchat(repo, ['Import-Topology', path.join(fixtures, 'ansi-windows-1252.xml')]);
  t.is(imp.exitCode, 0, imp.stderr);
  t.regex(imp.stderr, /WARNING: '.*ansi-windows-1252\.xml' is not valid UTF-8; it was read as Windows-1252/);
  t.true(imp.objects[0].Warnings.some((w: string) => /Windows-1252/.test(w)), 'the summary lists it too');
  const topo = await pchat(repo, ['Get-Topology']);
  t.deepEqual(topo.objects[0].Sites, ['Zürich Süd', 'Genève']);
});

test('a Standard Edition server imported from stdin takes a collocated single-computer pool', async (t) => {
  const repo = await freshRepo(t);
  const imp = await pchat(repo, ['Import-Topology', '-Path', '-'], readFileSync(path.join(fixtures, 'standard-edition.xml'), 'utf8'));
  t.is(imp.exitCode, 0, imp.stderr);
  t.like(imp.objects[0], { Path: 'stdin', Product: 'Lync2013', FrontEndPools: 1 });
  const pool = await pchat(repo, [
    'New-PersistentChatPool', '-Fqdn', 'lync-se01.litwareinc.com', '-SingleComputer', '-Site', 'Redmond', '-DisplayName', 'SE chat',
    '-NextHopPool', 'lync-se01.litwareinc.com', '-SqlStore', 'lync-se01.litwareinc.com\\rtc', '-FileStore', '\\\\lync-se01.litwareinc.com\\LyncShare', '-DefaultForSite',
  ]);
  t.is(pool.exitCode, 0, pool.stderr);
  const check = await pchat(repo, ['Test-Topology']);
  t.is(check.exitCode, 0, check.stdout + check.stderr);
});

test('a Front End pool whose FQDN is not one is imported with a rule 21 error naming it, and Test-Topology fails on it', async (t) => {
  const repo = await freshRepo(t);
  const doc = readFileSync(tbxml, 'utf8').replace('Fqdn="lyncpool.tailspintoys.com"', 'Fqdn="pool fe..bad"');
  const imp = await pchat(repo, ['Import-Topology', '-Path', '-'], doc);
  // The document is the deployment's truth: it is imported, and what is wrong with it is said.
  t.is(imp.exitCode, 0, imp.stderr);
  t.regex(imp.stderr, /WARNING: After the import: Rule 21 \(pool fe\.\.bad\): The Front End pool's FQDN 'pool fe\.\.bad' is not a valid FQDN/);
  const check = await pchat(repo, ['Test-Topology']);
  t.is(check.exitCode, 3, check.stderr);
  t.like(check.objects.find((f) => f.Rule === 21), { Severity: 'Error', Target: 'pool fe..bad' });
});

/** A draft with a site, a Front End pool and a Persistent Chat pool with its stores; no name is ever resolved. */
async function poolDraft(repo: string): Promise<void> {
  for (const args of [
    ['New-Topology'],
    ['New-Site', '-Name', 'Redmond'],
    ['New-FrontEndPool', '-Fqdn', 'fepool.pchat.test', '-Site', 'Redmond', '-Computer', 'fe01.pchat.test'],
    ['New-PersistentChatPool', '-Fqdn', 'pool01.pchat.test', '-Site', 'Redmond', '-Computer', 'chat01.pchat.test,chat02.pchat.test', '-DisplayName', 'Redmond chat',
      '-NextHopPool', 'fepool.pchat.test', '-SqlServerFqdn', 'sql01.pchat.test', '-SqlInstance', 'PCHAT', '-FileServerFqdn', 'fs01.pchat.test', '-FileShare', 'pchat'],
  ]) {
    const r = await pchat(repo, args);
    if (r.exitCode !== 0) throw new Error(`${args[0]}: ${r.stderr}`);
  }
}

const topologyOf = (repo: string) => JSON.parse(readFileSync(path.join(repo, 'draft.json'), 'utf8')).topology;

test('Import-Topology reads an Export-Topology backup back: export, change, import with -Force gives the same topology', async (t) => {
  const repo = await freshRepo(t);
  await poolDraft(repo);
  const backup = path.join(path.dirname(repo), 'backup.json');
  t.is((await pchat(repo, ['Export-Topology', '-Path', backup])).exitCode, 0);
  const before = topologyOf(repo);
  t.is((await pchat(repo, ['Set-PersistentChatPool', 'pool01.pchat.test', '-DisplayName', 'Changed', '-Port', '5042'])).exitCode, 0);
  t.is((await pchat(repo, ['New-Site', '-Name', 'Dublin'])).exitCode, 0);

  // A non-empty draft: the same rule as for XML, -Merge or -Force is needed, and nothing is written.
  const refused = await pchat(repo, ['Import-Topology', backup]);
  t.is(refused.exitCode, 1);
  t.regex(refused.stderr, /TopologyDraftNotEmpty/);

  const restored = await pchat(repo, ['Import-Topology', backup, '-Force']);
  t.is(restored.exitCode, 0, restored.stderr);
  t.like(restored.objects[0], { Form: 'Json', Mode: 'Replace', PersistentChatPools: 1, Written: true });
  // The pool the backup holds too is not "discarded".
  t.notRegex(restored.stderr, /discards/);
  t.deepEqual(topologyOf(repo), before);
  const check = await pchat(repo, ['Test-Topology']);
  t.is(check.exitCode, 0, check.stderr);
});

test('Import-Topology -Merge of a JSON backup: a changed pool is a conflict (exit 1, nothing written) until -Force lets the backup win', async (t) => {
  const repo = await freshRepo(t);
  await poolDraft(repo);
  const backup = path.join(path.dirname(repo), 'backup.json');
  await pchat(repo, ['Export-Topology', '-Path', backup]);
  const before = topologyOf(repo);
  await pchat(repo, ['Set-PersistentChatPool', 'pool01.pchat.test', '-DisplayName', 'Changed']);
  const changed = await snapshot(repo);

  const merge = await pchat(repo, ['Import-Topology', backup, '-Merge']);
  t.is(merge.exitCode, 1, merge.stderr);
  t.deepEqual(merge.objects[0].Conflicts, [{ Kind: 'PersistentChatPool', Identity: 'pool01.pchat.test', Differences: 'displayName: draft Changed, imported Redmond chat' }]);
  t.deepEqual(await snapshot(repo), changed);

  const won = await pchat(repo, ['Import-Topology', backup, '-Merge', '-Force']);
  t.is(won.exitCode, 0, won.stderr);
  t.deepEqual(topologyOf(repo), before);
  const again = await pchat(repo, ['Import-Topology', backup, '-Merge']);
  t.like(again.objects[0], { Added: [], Conflicts: [], Written: false });
});

test('Import-Topology restores a published revision exported as JSON into a new repository', async (t) => {
  const repo = await freshRepo(t);
  await poolDraft(repo);
  // A published revision without a server: written as Publish-Topology writes it.
  const r = new Repository(repo);
  const draft = await r.readDraft();
  await mkdir(path.join(repo, 'published'), { recursive: true });
  await writeFile(
    path.join(repo, 'published', '000001.json'),
    JSON.stringify({ schemaVersion: 1, revision: 1, publishedAt: '2026-12-06T22:00:00Z', publishedBy: 'lab@host', summary: 'test', changes: [], runId: 'x', draftRevision: draft.revision, topology: draft.topology }),
  );
  const exported = await pchat(repo, ['Export-Topology', '-Revision', '1', '-OutputFormat', 'Json']);
  t.is(exported.exitCode, 0, exported.stderr);

  const other = await freshRepo(t);
  const imp = await pchat(other, ['Import-Topology', '-Path', '-', '-Verbose'], exported.stdout);
  t.is(imp.exitCode, 0, imp.stderr);
  t.like(imp.objects[0], { Form: 'Json', Mode: 'New', Written: true });
  t.regex(imp.stderr, /published revision 1/);
  t.deepEqual(topologyOf(other), draft.topology);
});

test('a refused import says why, without the warnings of the document it did not import', async (t) => {
  const repo = await freshRepo(t);
  await poolDraft(repo);
  const doc = path.join(fixtures, 'multi-site.xml');
  const refused = await pchat(repo, ['Import-Topology', doc]);
  t.is(refused.exitCode, 1);
  t.regex(refused.stderr, /TopologyDraftNotEmpty/);
  t.notRegex(refused.stderr, /WARNING/);
  // Imported, the same document's warnings are shown.
  const other = await freshRepo(t);
  const imported = await pchat(other, ['Import-Topology', doc]);
  t.is(imported.exitCode, 0, imported.stderr);
  t.regex(imported.stderr, /WARNING: 1 branch site\(s\) not imported/);
});

test('Import-Topology refuses a malformed, a newer-schema or a wrong JSON document with a clear error; the repository stays as it was', async (t) => {
  const repo = await freshRepo(t);
  await poolDraft(repo);
  const before = await snapshot(repo);
  const exported = JSON.parse((await pchat(repo, ['Export-Topology', '-OutputFormat', 'Json'])).stdout);

  const cases: [string, RegExp, RegExp][] = [
    ['{"schemaVersion": 1,\n  "kind": "Draft",\n  "revision": 1,', /TopologyDocumentMalformed/, /is not well-formed JSON( at line \d+, column \d+)?:/],
    [JSON.stringify({ ...exported, schemaVersion: 99 }), /TopologyDocumentTooNew/, /schemaVersion 99; this version of pchat-topology reads up to 1/],
    [JSON.stringify({ ...exported, topology: { ...exported.topology, persistentChatPools: [{ ...exported.topology.persistentChatPools[0], port: 'x' }] } }), /TopologyDocumentInvalid/, /'topology\.persistentChatPools\[0\]\.port' must be a whole number/],
    ['[1, 2]', /TopologyDocumentInvalid/, /not an Export-Topology document/],
    // Well-formed, but a reference to nothing: the repository's integrity check refuses it, as any change.
    [JSON.stringify({ ...exported, topology: { ...exported.topology, persistentChatPools: [{ ...exported.topology.persistentChatPools[0], sqlStore: 'sql99.pchat.test' }] } }), /TopologyIntegrityViolation/, /refers to primary SQL store 'sql99\.pchat\.test', which does not exist/],
  ];
  for (const [doc, id, message] of cases) {
    const r = await pchat(repo, ['Import-Topology', '-Path', '-', '-Merge', '-Force'], doc);
    t.is(r.exitCode, 1, r.stderr);
    t.regex(r.stderr, id);
    t.regex(r.stderr, message);
    t.notRegex(r.stderr, /XML/);
  }
  t.deepEqual(await snapshot(repo), before);
});

test('Import-Topology -Path <a folder>: a usage error (exit 2), as Export-Topology\'s, and no repository is made', async (t) => {
  const repo = await freshRepo(t);
  const r = await pchat(repo, ['Import-Topology', '-Path', os.tmpdir()]);
  t.is(r.exitCode, 2, r.stderr);
  t.regex(r.stderr, /TopologyFileUnreadable,Import-Topology/);
  t.regex(r.stderr, /cannot be read: it is a folder/);
  t.false(existsSync(repo));
});

test('a document whose site name holds a line break is refused, naming the value; no draft is written', async (t) => {
  const repo = await freshRepo(t);
  const doc = readFileSync(path.join(fixtures, 'multi-site.xml'), 'utf8').replace('<Name>Seattle</Name>', '<Name>Sea&#10;&#9;ttle</Name>');
  t.true(doc.includes('Sea&#10;'), 'the fixture names Seattle');
  const imp = await pchat(repo, ['Import-Topology', '-Path', '-'], doc);
  t.is(imp.exitCode, 1, imp.stderr);
  t.regex(imp.stderr, /TopologyValueInvalid,Import-Topology/);
  t.regex(imp.stderr, /'topology\.sites\[\d+\]\.name' must be a string without control characters, not the string "Sea\\n\\tttle"/);
  t.false(existsSync(path.join(repo, 'draft.json')));
});

test('a non-empty draft is refused without -Merge or -Force, and stays byte-for-byte unchanged', async (t) => {
  const repo = await freshRepo(t);
  t.is((await pchat(repo, ['Import-Topology', tbxml])).exitCode, 0);
  const before = await snapshot(repo);
  const r = await pchat(repo, ['Import-Topology', published]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /TopologyDraftNotEmpty/);
  t.regex(r.stderr, /-Merge/);
  t.deepEqual(await snapshot(repo), before);
});

test('-Merge: identical objects are skipped without a new revision; conflicts are listed and nothing is written unless -Force', async (t) => {
  const repo = await freshRepo(t);
  t.is((await pchat(repo, ['Import-Topology', tbxml])).exitCode, 0);
  const again = await pchat(repo, ['Import-Topology', tbxml, '-Merge']);
  t.is(again.exitCode, 0, again.stderr);
  t.like(again.objects[0], { Mode: 'Merge', Written: false, Revision: 1 });
  t.deepEqual(again.objects[0].Added, []);
  t.is(again.objects[0].Skipped.length, 13);

  // The published sample is another deployment whose site also has SiteId 1.
  const before = await snapshot(repo);
  const conflict = await pchat(repo, ['Import-Topology', published, '-Merge']);
  t.is(conflict.exitCode, 1);
  t.regex(conflict.stderr, /TopologyMergeConflict/);
  const s = conflict.objects[0];
  t.like(s, { Mode: 'Merge', Written: false });
  t.deepEqual(s.Conflicts.map((c: any) => `${c.Kind}:${c.Identity}`), ['Site:Trondheim']);
  t.regex(s.Conflicts[0].Differences, /draft name 'Tailspin', imported name 'Trondheim'/);
  t.deepEqual(await snapshot(repo), before, 'the repository is unchanged');

  const forced = await pchat(repo, ['Import-Topology', published, '-Merge', '-Force']);
  t.is(forced.exitCode, 0, forced.stderr);
  t.like(forced.objects[0], { Written: true, Revision: 2 });
  const draft = JSON.parse(readFileSync(path.join(repo, 'draft.json'), 'utf8'));
  t.deepEqual(draft.topology.sites.map((x: any) => x.name), ['Trondheim']);
  t.deepEqual(draft.topology.frontEndPools.map((p: any) => `${p.fqdn}@${p.site}`), ['lyncpool.tailspintoys.com@Trondheim', 'sfbpool.corp.wingtiptoys.com@Trondheim']);
});

test('a malformed, DTD or unknown document leaves the repository unchanged and names file, line and column', async (t) => {
  const repo = await freshRepo(t);
  t.is((await pchat(repo, ['Import-Topology', tbxml])).exitCode, 0);
  const before = await snapshot(repo);
  const cases: [string, RegExp][] = [
    ['truncated.xml', /truncated\.xml.*line 38, column \d+/],
    ['dtd.xml', /dtd\.xml.*line 2, column 1/],
    ['unknown-root.xml', /unknown-root\.xml.*<configuration>/],
  ];
  for (const [file, message] of cases) {
    for (const extra of [[], ['-Merge'], ['-Force']]) {
      const r = await pchat(repo, ['Import-Topology', path.join(fixtures, file), ...extra]);
      t.is(r.exitCode, 1, `${file} ${extra.join(' ')}`);
      t.regex(r.stderr, message);
      t.is(r.stdout, '', 'no summary for a document that was not read');
    }
  }
  t.deepEqual(await snapshot(repo), before);

  // Into a repository that does not exist yet: none is created.
  const empty = await freshRepo(t);
  const r = await pchat(empty, ['Import-Topology', path.join(fixtures, 'truncated.xml')]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /line 38, column \d+/);
  t.false(existsSync(empty));
});

test('an empty document (what a failed `Get-CsTopology -AsXml > file` leaves) is called empty, not malformed', async (t) => {
  const repo = await freshRepo(t);
  const file = path.join(path.dirname(repo), 'topology.xml');
  await writeFile(file, '\ufeff\r\n');
  const r = await pchat(repo, ['Import-Topology', file]);
  t.is(r.exitCode, 1, r.stderr);
  t.regex(r.stderr, /The topology document '.*topology\.xml' is empty; nothing was imported\./);
  t.regex(r.stderr, /check that the export succeeded/);
  const stdin = await pchat(repo, ['Import-Topology', '-'], '');
  t.is(stdin.exitCode, 1, stdin.stderr);
  t.regex(stdin.stderr, /Nothing came on stdin/);
  t.false(existsSync(repo), 'no repository is created');
});

test('-WhatIf shows what would be imported and writes nothing; -Force replaces the draft and says what it discards', async (t) => {
  const repo = await freshRepo(t);
  const whatIf = await pchat(repo, ['Import-Topology', tbxml, '-WhatIf']);
  t.is(whatIf.exitCode, 0, whatIf.stderr);
  t.regex(whatIf.stderr, /What if:.*Import.*tailspin\.tbxml/);
  t.like(whatIf.objects[0], { Written: false });
  t.false(existsSync(path.join(repo, 'draft.json')));

  t.is((await pchat(repo, ['Import-Topology', tbxml])).exitCode, 0);
  const pool = await pchat(repo, [
    'New-PersistentChatPool', '-Fqdn', 'pchat.tailspintoys.com', '-Site', 'Tailspin', '-Computer', 'pchat1.tailspintoys.com', '-DisplayName', 'c',
    '-NextHopPool', 'lyncpool.tailspintoys.com', '-SqlStore', 'ts-sql01.tailspintoys.com', '-FileStore', '\\\\ts-fs01.tailspintoys.com\\LyncShare',
  ]);
  t.is(pool.exitCode, 0, pool.stderr);
  const replaced = await pchat(repo, ['Import-Topology', published, '-Force']);
  t.is(replaced.exitCode, 0, replaced.stderr);
  t.like(replaced.objects[0], { Mode: 'Replace', Written: true });
  t.regex(replaced.stderr, /WARNING:.*discards.*pchat\.tailspintoys\.com/);
  const draft = JSON.parse(readFileSync(path.join(repo, 'draft.json'), 'utf8'));
  t.deepEqual(draft.topology.frontEndPools.map((p: any) => p.fqdn), ['sfbpool.corp.wingtiptoys.com']);
  t.deepEqual(draft.topology.persistentChatPools, []);

  // The same document again: nothing to replace, so nothing is written and no revision is made.
  const before = await snapshot(repo);
  const again = await pchat(repo, ['Import-Topology', published, '-Force']);
  t.is(again.exitCode, 0, again.stderr);
  t.like(again.objects[0], { Mode: 'Replace', Written: false, Revision: draft.revision });
  t.deepEqual(await snapshot(repo), before);
});

test('Export-Topology writes the draft or a published revision as one JSON object, or atomically to a file; an unknown revision is an error', async (t) => {
  const repo = await freshRepo(t);
  t.is((await pchat(repo, ['Import-Topology', published])).exitCode, 0);
  const draft = JSON.parse(readFileSync(path.join(repo, 'draft.json'), 'utf8'));

  const out = await pchat(repo, ['Export-Topology', '-Format', 'Json']);
  t.is(out.exitCode, 0, out.stderr);
  t.is(out.objects.length, 1);
  t.like(out.objects[0], { schemaVersion: draft.schemaVersion, kind: 'Draft', revision: draft.revision });
  t.deepEqual(out.objects[0].topology, draft.topology);

  const file = path.join(path.dirname(repo), 'backup.json');
  const toFile = await pchat(repo, ['Export-Topology', '-Path', file]);
  t.is(toFile.exitCode, 0, toFile.stderr);
  t.is(toFile.stdout, '');
  const written = readFileSync(file, 'utf8');
  t.deepEqual(JSON.parse(written), out.objects[0]);
  t.true(written.split('\n').length > 20, 'pretty-printed for review');
  t.deepEqual((await readdir(path.dirname(file))).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');

  // A published revision (written through the repository, as Publish-Topology does).
  await new Repository(repo).writePublished({
    schemaVersion: draft.schemaVersion, revision: 1, publishedAt: '2024-05-01T10:00:00.000Z', publishedBy: 'admin@host', summary: 'first publish',
    changes: [], runId: 'test', draftRevision: draft.revision, topology: draft.topology,
  });
  const rev = await pchat(repo, ['Export-Topology', '-Revision', '1']);
  t.is(rev.exitCode, 0, rev.stderr);
  t.like(rev.objects[0], { kind: 'Published', revision: 1, publishedBy: 'admin@host', summary: 'first publish' });
  t.deepEqual(rev.objects[0].topology, draft.topology);

  const missing = await pchat(repo, ['Export-Topology', '-Revision', '7']);
  t.is(missing.exitCode, 1);
  t.regex(missing.stderr, /RevisionNotFound/);

  const help = await run(['help', 'Export-Topology']);
  t.regex(help.stdout, /out of scope/);
});

test('Export-Topology -Path that is a folder: exit 2 naming it, nothing written anywhere; a symbolic link is followed; a missing folder is not created', async (t) => {
  const repo = await freshRepo(t);
  t.is((await pchat(repo, ['Import-Topology', published])).exitCode, 0);
  const work = path.dirname(repo);
  const folder = path.join(work, 'exports');
  await mkdir(folder);
  const listings = async () => ({ work: await readdir(work), folder: await readdir(folder), tmp: (await readdir(os.tmpdir())).filter((n) => n.startsWith('.exports+')) });
  const before = await listings();

  for (const p of [folder, `${folder}/`]) {
    const r = await pchat(repo, ['Export-Topology', '-Path', p]);
    t.is(r.exitCode, 2, r.stderr);
    t.regex(r.stderr, /ExportPathIsFolder,Export-Topology/);
    t.true(r.stderr.includes(`-Path '${p}' is a folder`), r.stderr);
    t.regex(r.stderr, /RecommendedAction {5}: Give a file name, e\.g\. -Path '.*topology\.json'/);
    t.notRegex(r.stderr, /Unexpected failure|EISDIR/);
    t.deepEqual(await listings(), before, 'no temp file in the folder, next to it, or in its parent');
  }

  // A link to a file in another folder: the file is replaced (the link stays a link), its temp file made beside it.
  const real = path.join(folder, 'real.json');
  await writeFile(real, 'old');
  const link = path.join(work, 'link.json');
  await symlink(real, link);
  const viaLink = await pchat(repo, ['Export-Topology', '-Path', link]);
  t.is(viaLink.exitCode, 0, viaLink.stderr);
  t.like(JSON.parse(await readFile(real, 'utf8')), { kind: 'Draft' });
  t.true(lstatSync(link).isSymbolicLink(), 'the link stays a link');
  t.deepEqual((await readdir(folder)).filter((n) => n.endsWith('.tmp')), []);
  t.deepEqual((await readdir(work)).filter((n) => n.endsWith('.tmp')), []);

  const missing = await pchat(repo, ['Export-Topology', '-Path', path.join(work, 'typo', 'x.json')]);
  t.is(missing.exitCode, 1, missing.stderr);
  t.regex(missing.stderr, /ExportFolderNotFound,Export-Topology/);
  t.false(existsSync(path.join(work, 'typo')), 'the mistyped folder is not created');
});

// Export-Topology -Path that is not a regular file. Everything below happens in a private temp folder:
// the device, FIFO, socket and links are made there, never in /dev (as root, the bug this guards
// against replaced /dev/stdout with a regular file).

/** A repository with the published sample imported, and an empty work folder beside it. */
async function exportSetup(t: { teardown(fn: () => Promise<void>): void }): Promise<{ repo: string; work: string }> {
  const repo = await freshRepo(t);
  const imp = await pchat(repo, ['Import-Topology', published]);
  if (imp.exitCode !== 0) throw new Error(imp.stderr);
  const work = path.join(path.dirname(repo), 'work');
  await mkdir(work);
  return { repo, work };
}

/** Every temp file (`.<name>+host+pid+random.tmp`) under `dir`, and any of ours in the system temp folder. */
async function tempFiles(dir: string, ...names: string[]): Promise<string[]> {
  const inDir = (await readdir(dir, { recursive: true })).filter((n) => String(n).endsWith('.tmp')).map(String);
  const inTmp = (await readdir(os.tmpdir())).filter((n) => names.some((b) => n.startsWith(`.${b}+`)));
  return [...inDir, ...inTmp];
}

/** What the export writes to a file, to compare a device, FIFO, socket or stdout with. */
async function exportedText(repo: string, work: string): Promise<string> {
  const file = path.join(work, 'reference.json');
  const r = await pchat(repo, ['Export-Topology', '-Path', file]);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  const text = await readFile(file, 'utf8');
  await rm(file);
  return text;
}

// mknod needs CAP_MKNOD (root outside a restricted container); without it the device test cannot run.
// Probed synchronously: ava wants every test declared before the first await.
const mknodRefused = (() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pchat-mknod-'));
  try {
    const r = spawnSync('mknod', [path.join(dir, 'probe'), 'c', '1', '3'], { encoding: 'utf8' });
    return r.status === 0 ? undefined : (r.stderr || r.error?.message || `exit ${r.status}`).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

const noDevice = skipSuite('cli/import-topology: Export-Topology to a character device', mknodRefused && `mknod is not permitted here: ${mknodRefused}`, { optional: true });
(noDevice ? test.skip : test)(
  titled('Export-Topology -Path <character device>: written in place, never renamed over: the same device node stays', noDevice),
  async (t) => {
    const { repo, work } = await exportSetup(t);
    const dev = path.join(work, 'nulldev');
    await execa('mknod', [dev, 'c', '1', '3']); // the null device, as /dev/null
    const before = lstatSync(dev);
    const r = await pchat(repo, ['Export-Topology', '-Path', dev]);
    t.is(r.exitCode, 0, r.stderr);
    t.is(r.stdout, '');
    const after = lstatSync(dev);
    t.true(after.isCharacterDevice(), 'still a character device');
    t.is(after.rdev, before.rdev);
    t.is(after.ino, before.ino, 'the same node, not a new one renamed over it');
    t.deepEqual(await readdir(work), ['nulldev']);
    t.deepEqual(await tempFiles(work, 'nulldev'), [], 'no temp file');
  },
);

test('Export-Topology -Path <FIFO>: the reader gets the document and the FIFO stays a FIFO', async (t) => {
  const { repo, work } = await exportSetup(t);
  const expected = await exportedText(repo, work);
  const fifo = path.join(work, 'pipe');
  await execa('mkfifo', [fifo]);
  // The reader is a separate process, so that it can be stopped if the FIFO is replaced and never written.
  const reader = execa('cat', [fifo], { reject: false, timeout: 30_000, stripFinalNewline: false });
  const r = await pchat(repo, ['Export-Topology', '-Path', fifo]);
  const stillFifo = lstatSync(fifo).isFIFO();
  if (!stillFifo) reader.kill('SIGKILL');
  const got = await reader;
  t.is(r.exitCode, 0, r.stderr);
  t.true(stillFifo, 'still a FIFO');
  t.is(String(got.stdout), expected, 'the reader received the whole document');
  t.like(JSON.parse(String(got.stdout)), { kind: 'Draft' });
  t.deepEqual(await readdir(work), ['pipe']);
  t.deepEqual(await tempFiles(work, 'pipe'), [], 'no temp file');
});

test('Export-Topology -Path <Unix socket>: the listener gets the document and the socket stays a socket', async (t) => {
  const { repo, work } = await exportSetup(t);
  const expected = await exportedText(repo, work);
  const sock = path.join(work, 'sock');
  const { createServer } = await import('node:net');
  let received = '';
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const server = createServer((c) => {
    c.setEncoding('utf8');
    c.on('data', (d) => (received += d));
    c.on('close', () => resolveClosed());
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  t.teardown(() => void server.close());
  const r = await pchat(repo, ['Export-Topology', '-Path', sock]);
  t.is(r.exitCode, 0, r.stderr);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
  t.true(lstatSync(sock).isSocket(), 'still a socket');
  t.is(received, expected);
  t.deepEqual(await tempFiles(work, 'sock'), [], 'no temp file');
});

test('Export-Topology -Path <dangling symbolic link>: the target is created in its folder and the link stays a link', async (t) => {
  const { repo, work } = await exportSetup(t);
  const expected = await exportedText(repo, work);
  const real = path.join(work, 'real');
  await mkdir(real);
  const absolute = path.join(work, 'dangling');
  await symlink(path.join(real, 'new.json'), absolute);
  const relative = path.join(work, 'relative');
  await symlink('real/rel.json', relative); // relative to the link's folder, not to the command's

  for (const [link, target] of [[absolute, 'new.json'], [relative, 'rel.json']] as const) {
    const r = await pchat(repo, ['Export-Topology', '-Path', link]);
    t.is(r.exitCode, 0, r.stderr);
    t.true(lstatSync(link).isSymbolicLink(), `${path.basename(link)} stays a link`);
    t.is(await readFile(path.join(real, target), 'utf8'), expected, `${target} created with the document`);
  }
  t.deepEqual((await readdir(real)).sort(), ['new.json', 'rel.json']);
  t.deepEqual((await readdir(work)).sort(), ['dangling', 'real', 'relative']);
  t.deepEqual(await tempFiles(work, 'new.json', 'rel.json', 'dangling', 'relative'), [], 'no temp file');

  // A dangling link into a folder that does not exist: refused, nothing created, the link left alone.
  const nowhere = path.join(work, 'nowhere');
  await symlink(path.join(work, 'missing', 'x.json'), nowhere);
  const r = await pchat(repo, ['Export-Topology', '-Path', nowhere]);
  t.is(r.exitCode, 1, r.stderr);
  t.regex(r.stderr, /ExportFolderNotFound,Export-Topology/);
  t.true(r.stderr.includes('where the link'), r.stderr);
  t.true(lstatSync(nowhere).isSymbolicLink());
  t.false(existsSync(path.join(work, 'missing')));
});

test("Export-Topology -Path - prints the document on stdout (no file named '-'); -Path '' is a usage error (exit 2)", async (t) => {
  const { repo, work } = await exportSetup(t);
  const expected = await exportedText(repo, work);

  const dash = await run(['Export-Topology', '-Path', '-', '-Repository', repo], { cwd: work });
  t.is(dash.exitCode, 0, dash.stderr);
  t.is(dash.stdout, expected, 'the same pretty-printed document a file gets');
  t.like(JSON.parse(dash.stdout), { kind: 'Draft' });

  const empty = await run(['Export-Topology', '-Path', '', '-Repository', repo], { cwd: work });
  t.is(empty.exitCode, 2, empty.stderr);
  t.regex(empty.stderr, /ExportPathEmpty,Export-Topology/);
  t.notRegex(empty.stderr, /EISDIR|ExportFileNotWritten/);
  t.is(empty.stdout, '');

  t.deepEqual(await readdir(work), [], "nothing written in the working folder (no file named '-')");
  t.deepEqual(await tempFiles(work, '-', 'work'), [], 'no temp file');
  t.deepEqual(await tempFiles(path.dirname(work), 'work'), [], 'no temp file beside the working folder');
});

const noProcFd = existsSync('/proc/self/fd/1') ? undefined : skipSuite('cli/import-topology: Export-Topology to /proc/self/fd/1', 'there is no /proc/self/fd here (not Linux)', { optional: true });
(noProcFd ? test.skip : test)(titled('Export-Topology -Path <link to /proc/self/fd/1> (what /dev/stdout is) writes to stdout, a pipe or a file, and the link stays a link', noProcFd), async (t) => {
  const { repo, work } = await exportSetup(t);
  const expected = await exportedText(repo, work);
  // A private stand-in for /dev/stdout: the same link, in the temp folder.
  const out = path.join(work, 'stdout-link');
  await symlink('/proc/self/fd/1', out);

  // stdout is a pipe: the link's target is 'pipe:[...]', which realpath cannot resolve.
  const piped = await pchat(repo, ['Export-Topology', '-Path', out]);
  t.is(piped.exitCode, 0, piped.stderr);
  t.is(piped.stdout, expected);
  t.true(lstatSync(out).isSymbolicLink(), 'the link stays a link');

  // stdout is a file the shell opened (`{ echo header; Export-Topology -Path /dev/stdout; } > file`): the
  // document follows what is already there, in the same file (not a new file renamed over it).
  const file = path.join(work, 'redirected.txt');
  await writeFile(file, 'header\n');
  const fd = openSync(file, 'a');
  const ino = lstatSync(file).ino;
  let stderr = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(path.join(projectRoot, 'bin', 'pchat'), ['Export-Topology', '-Path', out, '-Repository', repo], { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, PCHAT_REPOSITORY: undefined } });
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', resolve);
  });
  closeSync(fd);
  t.is(code, 0, stderr);
  t.is(lstatSync(file).ino, ino, 'the same file');
  t.is(await readFile(file, 'utf8'), 'header\n' + expected);
  t.true(lstatSync(out).isSymbolicLink(), 'the link stays a link');
  t.deepEqual((await readdir(work)).sort(), ['redirected.txt', 'stdout-link']);
  t.deepEqual(await tempFiles(work, 'stdout-link', 'redirected.txt', '1'), [], 'no temp file');
});
