// The foundation end to end, through the real executables (bin/pchat and bin/<Verb-Noun>), as a shell
// script or scheduled job uses them: listing and help, command names, the chain that defines a pool,
// JSON lines on stdout, error records on stderr, exit codes, and bad input that leaves the repository
// byte-for-byte as it was.
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { COMMANDS } from '../../bin/registry.js';
import { projectRoot, run, type RunResult } from '../support/cli.js';
import { skipSuite, titled } from '../support/skip.js';
import { hasScript, onTerminal } from '../support/terminal.js';

const POOL = 'pchatpool.contoso.com';
const DUBLIN_POOL = 'pchatdub.contoso.com';
const SINGLE = 'pchatsingle.contoso.com';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const inRepo = (repo: string, args: string[], input?: string, command?: string) => run(args, { env: { PCHAT_REPOSITORY: repo }, input }, command);

/** The chain of the README: define a topology, two sites, a Front End pool and three pools, then set defaults. */
const CHAIN: { args: string[]; pipeFrom?: string[] }[] = [
  { args: ['New-Topology'] },
  { args: ['New-Site', '-Name', 'Redmond', '-City', 'Redmond', '-State', 'WA', '-CountryCode', 'us'] },
  { args: ['new-site', 'Dublin'] },
  { args: ['New-FrontEndPool', '-Fqdn', 'fepool.contoso.com', '-Site', 'redmond', '-Computer', 'fe01.contoso.com,fe02.contoso.com'] },
  { args: ['New-FileStore', '-Path', 'D:\\PChat'] },
  {
    args: ['New-PersistentChatPool', '-Fqdn', POOL, '-Site', 'Redmond', '-Computer', 'pchat01.contoso.com,pchat02.contoso.com', '-DisplayName', 'Redmond chat',
      '-NextHopPool', 'fepool.contoso.com', '-SqlServerFqdn', 'sql01.contoso.com', '-SqlInstance', 'pchat', '-EnableCompliance',
      '-ComplianceSqlServerFqdn', 'sql02.contoso.com', '-ComplianceSqlInstance', 'comp', '-FileServerFqdn', 'fs01.contoso.com', '-FileShare', 'pchat'],
  },
  {
    args: ['New-PersistentChatPool', DUBLIN_POOL, '-Site', 'Dublin', '-Computer', 'pchat03.contoso.com', '-Disp', 'Dublin chat', '-NextHopPool', 'fepool.contoso.com',
      '-SqlServerFqdn', 'sql03.contoso.com', '-FileStore', '\\\\FS01.contoso.com\\pchat'],
  },
  {
    args: ['New-PersistentChatPool', '-Fqdn', SINGLE, '-Site', 'Dublin', '-SingleComputer', '-DisplayName', 'Dublin lab', '-NextHopPool', 'fepool.contoso.com',
      '-SqlServerFqdn', 'sql04.contoso.com', '-FileStore', 'D:\\PChat', '-Port', '5042'],
  },
  { pipeFrom: ['Get-PersistentChatPool'], args: ['Set-PersistentChatPoolSiteAffinity', '-DefaultForSite'] },
  { pipeFrom: ['Get-PersistentChatPool', POOL], args: ['Set-PersistentChatPoolSiteAffinity', '-DefaultForAllSites'] },
];

async function runChain(repo: string): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const step of CHAIN) {
    const input = step.pipeFrom ? (await inRepo(repo, step.pipeFrom)).stdout : undefined;
    results.push(await inRepo(repo, step.args, input));
  }
  return results;
}

// One repository built through the chain, copied for every test that changes or breaks something.
let baseRepo = '';
const baseDir = await mkdtemp(path.join(os.tmpdir(), 'pchat-cli-base-'));

test.before(async () => {
  baseRepo = path.join(baseDir, 'repo');
  const results = await runChain(baseRepo);
  const failed = results.map((r, i) => ({ r, step: CHAIN[i]!.args.join(' ') })).filter(({ r }) => r.exitCode !== 0);
  if (failed.length) throw new Error(`the base chain failed: ${failed.map(({ r, step }) => `${step} -> ${r.exitCode}\n${r.stderr}`).join('\n')}`);
});
test.after.always(() => rm(baseDir, { recursive: true, force: true }));

async function copyOfBase(t: ExecutionContext): Promise<string> {
  const repo = path.join(await tempDir(t), 'repo');
  await cp(baseRepo, repo, { recursive: true });
  return repo;
}

const draft = (repo: string) => readFile(path.join(repo, 'draft.json'));
const pools = async (repo: string) => (await inRepo(repo, ['Get-PersistentChatPool'])).objects;

/** Every non-empty stdout line is a JSON object: nothing but objects goes to stdout. */
function onlyObjects(t: ExecutionContext, r: RunResult): void {
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  t.is(r.objects.length, lines.length, `stdout holds only JSON lines:\n${r.stdout}`);
}

// ---- listing, help, names ----------------------------------------------------------------

test('pchat alone lists every command with its synopsis', async (t) => {
  const r = await run([]);
  t.is(r.exitCode, 0);
  for (const [name, load] of Object.entries(COMMANDS)) {
    t.regex(r.stdout, new RegExp(`^\\s+${name}\\s`, 'm'), name);
    t.true(r.stdout.replace(/\s+/g, ' ').includes((await load()).default.synopsis.slice(0, 30)), `synopsis of ${name}`);
  }
  t.regex(r.stdout, /help <Command>/);
});

test('pchat --version (or -Version, -v, as pwsh takes them) prints the package name and version, exit 0', async (t) => {
  const pkg = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8'));
  t.regex(pkg.version, /^\d+\.\d+\.\d+/);
  for (const flag of ['--version', '-Version', '-v', '--VERSION']) {
    const r = await run([flag]);
    t.is(r.exitCode, 0, flag);
    t.is(r.stdout, `pchat-topology ${pkg.version}\n`, flag);
    t.is(r.stderr, '', flag);
  }
  // As pwsh -Version: what follows is ignored, nothing runs.
  const extra = await run(['--version', 'New-Topology', '-Force'], { env: { PCHAT_REPOSITORY: path.join(baseDir, 'never-created') } });
  t.is(extra.exitCode, 0);
  t.is(extra.stdout, `pchat-topology ${pkg.version}\n`);
  await t.throwsAsync(readdir(path.join(baseDir, 'never-created')));
  t.regex((await run([])).stdout, /-v, --version +show the name and version/, 'the command listing offers it');
  const typo = await run(['--versoin']);
  t.is(typo.exitCode, 2);
  t.regex(typo.stderr, /Did you mean --version\?/);
});

test('help examples paste into a POSIX shell: every backslash (DOMAIN\\user, \\\\server\\share, host\\INSTANCE) is inside single quotes', async (t) => {
  for (const [name, load] of Object.entries(COMMANDS)) {
    for (const ex of (await load()).default.examples ?? []) {
      // What the shell sees outside '...': a backslash there escapes the next character away.
      const outside = ex.code.replace(/'[^']*'/g, "''");
      t.false(outside.includes('\\'), `${name}, example "${ex.title}": ${ex.code}`);
    }
  }
});

test('help of New-PersistentChatPool: pchat help, -?, --help and lower case all show the same full help', async (t) => {
  const forms = await Promise.all([
    run(['help', 'New-PersistentChatPool']),
    run(['New-PersistentChatPool', '-?']),
    run(['New-PersistentChatPool', '--help']),
    run(['help', 'new-persistentchatpool']),
    run(['-Fqdn', 'x.contoso.com', '-?'], {}, 'New-PersistentChatPool'),
    // As in PowerShell, -? wins over a value the binder would refuse.
    run(['New-PersistentChatPool', '-Port', 'abc', '-?']),
  ]);
  const def = (await COMMANDS['New-PersistentChatPool']!()).default;
  for (const r of forms) {
    t.is(r.exitCode, 0, r.stderr);
    t.is(r.stderr, '');
    t.is(r.stdout, forms[0]!.stdout, 'every form prints the same help');
  }
  const help = forms[0]!.stdout;
  for (const section of ['NAME', 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'PARAMETERS', 'OUTPUTS', 'EXAMPLES', 'EXIT CODES']) t.regex(help, new RegExp(`^${section}$`, 'm'), section);
  t.true(help.replace(/\s+/g, ' ').includes(def.synopsis), 'synopsis (wrapped at 80 columns)');
  // Syntax wraps at 80 columns between its elements, continuation lines indented 8: joined back, it is one line.
  const syntax = help.replace(/\n {8}(?=[[-])/g, ' ');
  t.regex(syntax, /^ {4}New-PersistentChatPool \[-Fqdn\] <String> -Site <String> -DisplayName <String> -NextHopPool <String>/m, 'syntax line, mandatory parameters first');
  t.regex(syntax, /\[-WhatIf\] \[-Confirm\] \[-Force\] \[<CommonParameters>\]/);
  for (const p of def.parameters) t.regex(help, new RegExp(`^ {4}-${p.name} <`, 'm'), `parameter ${p.name} documented`);
  t.regex(help, /Default value\s+5041/);
  for (const o of def.outputs) t.true(help.includes(o.name), `output ${o.name}`);
  // Examples wrap at 80 columns with ' \' continuations: joined back, each is the example as written.
  const examples = help.replace(/ \\\n +/g, ' ');
  for (const e of def.examples) for (const line of e.code.split('\n')) t.true(examples.includes(`$ ${line}`), `example ${e.title}`);
  t.regex(help, /^ {4}4 {4}confirmation needed/m);
});

test('every command has help with at least one example, through its own executable too', async (t) => {
  const names = Object.keys(COMMANDS);
  const [viaPchat, viaOwn] = await Promise.all([Promise.all(names.map((n) => run(['help', n]))), Promise.all(names.map((n) => run(['-?'], {}, n)))]);
  names.forEach((n, i) => {
    t.is(viaPchat[i]!.exitCode, 0, n);
    t.regex(viaPchat[i]!.stdout, /Example 1: /, n);
    t.is(viaOwn[i]!.stdout, viaPchat[i]!.stdout, `bin/${n} -? is pchat help ${n}`);
  });
});

test('command names are case-insensitive', async (t) => {
  const repo = await copyOfBase(t);
  const [a, b] = await Promise.all([inRepo(repo, ['get-topology']), inRepo(repo, ['GET-TOPOLOGY'])]);
  t.is(a.exitCode, 0, a.stderr);
  t.is(a.objects[0].Kind, 'Draft');
  t.deepEqual(b.objects, a.objects);
});

test('New-FrontEndPool -BackEndSqlStore: an unknown store is refused; two Front End pools on one back-end instance fail rule 18', async (t) => {
  const repo = await copyOfBase(t);
  const env = { PCHAT_REPOSITORY: repo };
  const before = await draft(repo);
  const unknown = await run(['New-FrontEndPool', '-Fqdn', 'fe2pool.contoso.com', '-Site', 'Redmond', '-Computer', 'fe03.contoso.com', '-BackEndSqlStore', 'sqlbe.contoso.com'], { env });
  t.is(unknown.exitCode, 3, 'an unknown reference refuses the change, as a rule does');
  t.regex(unknown.stderr, /SqlStoreNotFound,New-FrontEndPool/);
  t.deepEqual(await draft(repo), before, 'nothing written');

  t.is((await run(['New-SqlStore', '-SqlServerFqdn', 'sqlbe.contoso.com', '-SqlInstance', 'be'], { env })).exitCode, 0);
  const first = await run(['New-FrontEndPool', '-Fqdn', 'fe2pool.contoso.com', '-Site', 'Redmond', '-Computer', 'fe03.contoso.com', '-BackEndSqlStore', 'SQLBE.contoso.com\\be'], { env });
  t.is(first.exitCode, 0, first.stderr);
  t.is(first.objects[0].BackEndSqlStore, 'sqlbe.contoso.com\\BE');
  // A second pool on the same instance: refused by rule 18 (exit 3), the draft unchanged.
  const after = await draft(repo);
  const second = await run(['New-FrontEndPool', '-Fqdn', 'fe3pool.contoso.com', '-Site', 'Dublin', '-Computer', 'fe04.contoso.com', '-BackEndSqlStore', 'sqlbe.contoso.com\\BE'], { env });
  t.is(second.exitCode, 3, second.stderr);
  t.regex(second.stderr, /back-end \(user store\) databases of more than one Front End pool/);
  t.deepEqual(await draft(repo), after);
});

test('-SqlInstance MSSQLSERVER (any case) is the default instance: one store, named by its FQDN, wherever an instance is given', async (t) => {
  const repo = await copyOfBase(t);
  const made = await inRepo(repo, ['New-SqlStore', '-SqlServerFqdn', 'sql11.contoso.com', '-SqlInstance', 'MSSQLSERVER']);
  t.is(made.exitCode, 0, made.stderr);
  t.like(made.objects[0], { Identity: 'sql11.contoso.com', SqlInstance: '' });
  // The same default instance again, spelt either way, is the store that exists.
  for (const args of [['-SqlServerFqdn', 'sql11.contoso.com'], ['-SqlServerFqdn', 'sql11.contoso.com', '-SqlInstance', 'mssqlserver']]) {
    const again = await inRepo(repo, ['New-SqlStore', ...args]);
    t.is(again.exitCode, 1, again.stderr);
    t.regex(again.stderr, /SqlStoreAlreadyExists,New-SqlStore/);
  }
  t.deepEqual((await inRepo(repo, ['Get-Topology'])).objects[0].SqlStores.filter((s: string) => s.startsWith('sql11')), ['sql11.contoso.com']);
  // Inline in New-PersistentChatPool, and by identity.
  const pool = await inRepo(repo, newPool({ SqlServerFqdn: 'sql12.contoso.com', SqlInstance: 'MSSQLSERVER' }));
  t.is(pool.exitCode, 0, pool.stderr);
  t.is(pool.objects[0].SqlStore, 'sql12.contoso.com');
  const set = await inRepo(repo, ['Set-PersistentChatPool', 'pchatnew.contoso.com', '-SqlStore', 'sql11.contoso.com\\MSSQLSERVER', '-PassThru']);
  t.is(set.exitCode, 0, set.stderr);
  t.is(set.objects[0].SqlStore, 'sql11.contoso.com');
});

test('an unknown command: exit 2 with the nearest name, nothing on stdout', async (t) => {
  const r = await run(['Get-Topologie']);
  t.is(r.exitCode, 2);
  t.is(r.stdout, '');
  t.regex(r.stderr, /unknown command 'Get-Topologie'/);
  t.regex(r.stderr, /Did you mean Get-Topology\?/);
  const h = await run(['help', 'New-PersistentChatPol']);
  t.is(h.exitCode, 2);
  t.regex(h.stderr, /New-PersistentChatPool/);
});

test('the per-command executables run the command', async (t) => {
  const repo = await copyOfBase(t);
  const env = { PCHAT_REPOSITORY: repo };
  const site = await run(['-Name', 'Tokyo'], { env }, 'New-Site');
  t.is(site.exitCode, 0, site.stderr);
  t.like(site.objects[0], { Name: 'Tokyo', SiteId: 3 });
  const pool = await run([POOL], { env }, 'Get-PersistentChatPool');
  t.is(pool.exitCode, 0);
  t.like(pool.objects[0], { Fqdn: POOL, Site: 'Redmond' });
  const bad = await run(['-Nope'], { env }, 'Get-Topology');
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /NamedParameterNotFound,Get-Topology/);
});

// ---- the chain ----------------------------------------------------------------------------

test('end to end: New-Topology ... New-PersistentChatPool with inline stores, Get | Set affinity, Test-Topology exit 0', async (t) => {
  const repo = path.join(await tempDir(t), 'repo');
  const r = await runChain(repo);
  r.forEach((x, i) => {
    t.is(x.exitCode, 0, `${CHAIN[i]!.args.join(' ')}: ${x.stderr}`);
    onlyObjects(t, x);
  });
  t.like(r[0]!.objects[0], { Repository: repo, Revision: 1, Product: 'SkypeForBusiness2015' });
  t.deepEqual(r[1]!.objects[0], { Name: 'Redmond', SiteId: 1, City: 'Redmond', State: 'WA', CountryCode: 'US' });
  t.like(r[2]!.objects[0], { Name: 'Dublin', SiteId: 2 });
  t.deepEqual(r[3]!.objects[0], { Fqdn: 'fepool.contoso.com', Site: 'Redmond', Edition: 'Enterprise', Product: 'SkypeForBusiness2015', Computers: ['fe01.contoso.com', 'fe02.contoso.com'], BackEndSqlStore: '' });
  t.like(r[5]!.objects[0], {
    Fqdn: POOL,
    ComputerType: 'Multiple',
    Computers: ['pchat01.contoso.com', 'pchat02.contoso.com'],
    Port: 5041,
    EnableCompliance: true,
    SqlStore: 'sql01.contoso.com\\PCHAT',
    ComplianceSqlStore: 'sql02.contoso.com\\COMP',
    FileStore: '\\\\fs01.contoso.com\\pchat',
    FileStoreFolder: '1-PersistentChatService-1',
    NextHopPool: 'fepool.contoso.com',
  });
  t.like(r[6]!.objects[0], { Fqdn: DUBLIN_POOL, DisplayName: 'Dublin chat', FileStore: '\\\\fs01.contoso.com\\pchat', FileStoreFolder: '2-PersistentChatService-1' });
  t.like(r[7]!.objects[0], { Fqdn: SINGLE, ComputerType: 'Single', Computers: [SINGLE], Port: 5042, FileStore: 'D:\\PChat' });

  // Get-PersistentChatPool | Set-PersistentChatPoolSiteAffinity -DefaultForSite: once per piped pool.
  const affinity = r[8]!.objects;
  t.deepEqual(affinity.map((o) => o.Fqdn), [POOL, DUBLIN_POOL, SINGLE]);
  t.deepEqual(affinity[2].Changes, [`${DUBLIN_POOL} is no longer the default for site Dublin`, `${SINGLE} is now the default for site Dublin`]);
  t.like(r[9]!.objects[0], { Fqdn: POOL, DefaultForAllSites: true, Changes: [`${POOL} is now the default for all sites`] });

  const after = await pools(repo);
  t.deepEqual(after.map((p) => [p.Fqdn, p.DefaultForSite, p.DefaultForAllSites]), [[POOL, true, true], [DUBLIN_POOL, false, false], [SINGLE, true, false]]);
  const topo = await inRepo(repo, ['Get-Topology']);
  // 12 changes asked for; making the first pool of each site its default again changed nothing: no revision.
  t.like(topo.objects[0], { Revision: 10, Sites: ['Redmond', 'Dublin'], SqlStores: ['sql01.contoso.com\\PCHAT', 'sql02.contoso.com\\COMP', 'sql03.contoso.com', 'sql04.contoso.com'] });

  const test_ = await inRepo(repo, ['Test-Topology']);
  t.is(test_.exitCode, 0, test_.stdout + test_.stderr);
  t.deepEqual(test_.objects.filter((f) => f.Severity === 'Error'), []);
});

test('a real shell pipe: Get-PersistentChatPool | Set-PersistentChatPoolSiteAffinity binds Identity from Fqdn', async (t) => {
  const repo = await copyOfBase(t);
  const bin = path.join(projectRoot, 'bin', 'pchat');
  const r = await execa('sh', ['-c', `"${bin}" Get-PersistentChatPool -Site Dublin | "${bin}" Set-PersistentChatPoolSiteAffinity -Clear`], { env: { PCHAT_REPOSITORY: repo }, reject: false, timeout: 60_000 });
  t.is(r.exitCode, 0, r.stderr);
  const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(out.map((o) => [o.Fqdn, o.DefaultForSite]), [[DUBLIN_POOL, false], [SINGLE, false]]);
  t.deepEqual(out[1].Changes, [`${SINGLE} is no longer the default for site Dublin`]);
  t.deepEqual((await pools(repo)).map((p) => p.DefaultForSite), [true, false, false], 'the Redmond pool was not piped and kept its flag');
});

test('an empty pipeline (a filter that matched nothing) does nothing, exit 0, with a warning; without a pipe the parameter is still missing', async (t) => {
  const repo = await copyOfBase(t);
  await inRepo(repo, ['New-Site', 'Empty']);
  const before = await draft(repo);
  const bin = path.join(projectRoot, 'bin', 'pchat');
  const r = await execa('sh', ['-c', `set -e; "${bin}" Get-PersistentChatPool -Site Empty | "${bin}" Set-PersistentChatPoolSiteAffinity -DefaultForSite; echo reached`], { env: { PCHAT_REPOSITORY: repo }, reject: false, timeout: 60_000 });
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stdout.trim(), 'reached', 'set -e went on');
  t.regex(r.stderr, /WARNING: No objects came down the pipeline, and the command line gives nothing to work on: Set-PersistentChatPoolSiteAffinity did nothing\./);
  t.deepEqual(await draft(repo), before, 'nothing written');
  const emptyArray = await inRepo(repo, ['Remove-PersistentChatPool', '-Force'], '[]\n');
  t.is(emptyArray.exitCode, 0, emptyArray.stderr);
  t.regex(emptyArray.stderr, /did nothing/);
  // stdin /dev/null (systemd, a terminal-less job): no pipeline, so the missing parameter is an error.
  const noPipe = await inRepo(repo, ['Set-PersistentChatPoolSiteAffinity', '-DefaultForSite']);
  t.is(noPipe.exitCode, 2);
  t.regex(noPipe.stderr, /missing mandatory parameters: Identity/);
  // An empty pipe (cron's stdin) does not stop a command whose command line is complete.
  const complete = await inRepo(repo, ['Set-PersistentChatPoolSiteAffinity', DUBLIN_POOL, '-DefaultForSite'], '');
  t.is(complete.exitCode, 0, complete.stderr);
  t.is(complete.objects[0].Fqdn, DUBLIN_POOL);
  t.notRegex(complete.stderr, /did nothing/);
});

// ---- output and errors --------------------------------------------------------------------

test('into a pipe stdout is JSON lines and only objects; warnings go to stderr', async (t) => {
  const repo = await copyOfBase(t);
  const r = await inRepo(repo, ['Get-PersistentChatPool']);
  t.is(r.exitCode, 0);
  onlyObjects(t, r);
  t.deepEqual(r.objects.map((o) => o.Fqdn), [POOL, DUBLIN_POOL, SINGLE]);
  t.deepEqual(Object.keys(r.objects[0]).slice(0, 3), ['Fqdn', 'Site', 'ComputerType'], 'PascalCase properties');

  // Clearing the only default of a site: the change (stdout) and a warning about the site (stderr).
  const w = await inRepo(repo, ['Set-PersistentChatPoolSiteAffinity', POOL, '-Clear', '-Verbose']);
  t.is(w.exitCode, 0, w.stderr);
  onlyObjects(t, w);
  t.is(w.objects.length, 1);
  t.deepEqual(w.objects[0].Changes, [`${POOL} is no longer the default for site Redmond`, `${POOL} is no longer the default for all sites`]);
  t.regex(w.stderr, /^WARNING: Site Redmond .*no default/m);
  t.regex(w.stderr, /^VERBOSE: Set-PersistentChatPoolSiteAffinity started/m);

  const table = await inRepo(repo, ['Get-PersistentChatPool', '-OutputFormat', 'Table']);
  t.regex(table.stdout, /^Fqdn\s+Site\s+Computers\s+DefaultForSite/m, '-OutputFormat Table is a table even into a pipe');
});

test('an error record on stderr: message, category, target, fully qualified id and recommended action', async (t) => {
  const repo = await copyOfBase(t);
  const r = await inRepo(repo, ['New-PersistentChatPool', '-Fqdn', 'x.contoso.com', '-Site', 'Nowhere', '-Computer', 'pchat08.contoso.com', '-DisplayName', 'X', '-NextHopPool', 'fepool.contoso.com', '-SqlServerFqdn', 'sql08.contoso.com', '-FileStore', '\\\\fs01.contoso.com\\pchat']);
  t.is(r.exitCode, 3);
  t.is(r.stdout, '');
  t.is(
    r.stderr,
    [
      "New-PersistentChatPool : The site 'Nowhere' does not exist in the topology.",
      '    + CategoryInfo          : ObjectNotFound: (Nowhere) [New-PersistentChatPool], ErrorRecord',
      '    + FullyQualifiedErrorId : SiteNotFound,New-PersistentChatPool',
      "    + RecommendedAction     : Give one of the topology's sites (Redmond, Dublin), or add the site first (pchat New-Site -Name 'Nowhere').",
      '',
    ].join('\n'),
  );
});

// ---- bad input: refused, clear message, documented exit code, repository untouched ------------

/** A valid New-PersistentChatPool call; each bad-input case changes one thing. */
function newPool(over: Record<string, string | true | null> = {}): string[] {
  const base: Record<string, string | true | null> = {
    Fqdn: 'pchatnew.contoso.com',
    Site: 'Redmond',
    Computer: 'pchat05.contoso.com,pchat06.contoso.com',
    DisplayName: 'New pool',
    NextHopPool: 'fepool.contoso.com',
    SqlServerFqdn: 'sql05.contoso.com',
    FileStore: '\\\\fs01.contoso.com\\pchat',
    ...over,
  };
  return ['New-PersistentChatPool', ...Object.entries(base).flatMap(([k, v]) => (v === null ? [] : v === true ? [`-${k}`] : [`-${k}`, v]))];
}

const refused = test.macro({
  async exec(t, args: string[], exitCode: number, stderr: RegExp[], breakRepo?: (repo: string) => Promise<void>) {
    const repo = await copyOfBase(t);
    if (breakRepo) await breakRepo(repo);
    const before = await draft(repo);
    const listing = await readdir(repo);
    const history = await readdir(path.join(repo, 'history'));
    const r = await inRepo(repo, args);
    t.is(r.exitCode, exitCode, r.stderr);
    t.is(r.stdout, '', 'no object on stdout');
    for (const re of stderr) t.regex(r.stderr, re);
    t.regex(r.stderr, /\+ RecommendedAction {5}: \S/, 'says what to do');
    t.deepEqual(await draft(repo), before, 'draft.json byte-for-byte unchanged');
    t.deepEqual(await readdir(repo), listing, 'no file added or left behind');
    t.deepEqual(await readdir(path.join(repo, 'history')), history);
  },
  title: (provided = '', _args, exitCode: number) => `bad input (exit ${exitCode}): ${provided}`,
});

test('control: the valid call the bad-input cases start from is accepted', async (t) => {
  const repo = await copyOfBase(t);
  const r = await inRepo(repo, newPool());
  t.is(r.exitCode, 0, r.stderr);
  t.like(r.objects[0], { Fqdn: 'pchatnew.contoso.com', FileStore: '\\\\fs01.contoso.com\\pchat' });
});

test('an invalid FQDN', refused, newPool({ Fqdn: 'pchat_new.contoso.com' }), 2, [/Cannot validate argument on parameter 'Fqdn'/, /'pchat_new\.contoso\.com' is not a fully qualified domain name/, /ParameterArgumentValidationError,New-PersistentChatPool/]);
test('an IP address as pool FQDN', refused, newPool({ Fqdn: '10.0.0.7' }), 2, [/parameter 'Fqdn'/, /'10\.0\.0\.7' is not a fully qualified domain name \(e\.g\. pchat01\.contoso\.com; not an IP address\)/]);
test('an IP address as next-hop pool', refused, newPool({ NextHopPool: '10.1.1.3' }), 2, [/parameter 'NextHopPool'/, /'10\.1\.1\.3' is not a fully qualified domain name/]);
test('an IP address as Front End pool FQDN', refused, ['New-FrontEndPool', '-Fqdn', '10.1.1.3', '-Site', 'Redmond', '-Computer', 'fe09.contoso.com'], 2, [/ParameterArgumentValidationError,New-FrontEndPool/, /parameter 'Fqdn'/]);
test('an IP address as Front End server', refused, ['New-FrontEndPool', '-Fqdn', 'fe9pool.contoso.com', '-Site', 'Redmond', '-Computer', 'fe09.contoso.com,10.1.1.4'], 2, [/parameter 'Computer'/, /'10\.1\.1\.4' is not a fully qualified domain name/]);
test('a computer FQDN with one label', refused, newPool({ Computer: 'pchat05,pchat06.contoso.com' }), 2, [/parameter 'Computer'/, /'pchat05'/]);
test('port 0', refused, newPool({ Port: '0' }), 2, [/parameter 'Port'/, /outside the range 1 to 65535/]);
test('port 70000', refused, newPool({ Port: '70000' }), 2, [/parameter 'Port'/, /70000/]);
test('a port that is not a number', refused, newPool({ Port: '5041x' }), 2, [/parameter 'Port'/, /integer/]);
test('a local file store for a multiple-computer pool (rule 19)', refused, newPool({ FileStore: 'D:\\PChat' }), 3, [/Rule 19 \(pchatnew\.contoso\.com\)/, /UNC/, /TopologyRuleViolation,New-PersistentChatPool/]);
test('a single-computer pool with two computers', refused, newPool({ SingleComputer: true, Fqdn: 'pchat05.contoso.com' }), 2, [/single-computer pool has exactly one computer; 2 were given/]);
test('a single-computer pool whose FQDN is not its computer\'s (rule 3)', refused, newPool({ SingleComputer: true, Computer: 'pchat05.contoso.com', FileStore: 'D:\\PChat' }), 3, [/Rule 3 \(pchatnew\.contoso\.com\)/, /pchat05\.contoso\.com/]);
test('an unknown site', refused, newPool({ Site: 'Nowhere' }), 3, [/SiteNotFound,New-PersistentChatPool/, /The site 'Nowhere' does not exist/]);
test('an unknown SQL store', refused, newPool({ SqlServerFqdn: null, SqlStore: 'sql99.contoso.com\\PCHAT' }), 3, [/SqlStoreNotFound/, /sql99\.contoso\.com\\PCHAT/]);
test('an unknown file store', refused, newPool({ FileStore: '\\\\fs99.contoso.com\\x' }), 3, [/FileStoreNotFound/, /fs99\.contoso\.com/]);
test('an unknown next-hop pool', refused, newPool({ NextHopPool: 'fe99.contoso.com' }), 3, [/Rule 21/, /fe99\.contoso\.com/]);
test('a refused New-PersistentChatPool advises its own parameters, never a command on the pool it did not create', async (t) => {
  const repo = await copyOfBase(t);
  const before = await draft(repo);
  for (const over of [{ Computer: 'fe01.contoso.com' }, { FileStore: 'D:\\PChat' }, { Computer: Array.from({ length: 9 }, (_, i) => `pchat3${i}.contoso.com`).join(',') }] as Record<string, string | true>[]) {
    const r = await inRepo(repo, newPool(over));
    t.is(r.exitCode, 3, r.stderr);
    t.notRegex(r.stderr, /-Identity pchatnew\.contoso\.com/, JSON.stringify(over));
    t.regex(r.stderr, /RecommendedAction {5}: .*(New-PersistentChatPool -Fqdn pchatnew\.contoso\.com \.\.\. -|Leave out -)/, JSON.stringify(over));
  }
  t.deepEqual(await draft(repo), before);
});
test('an existing pool FQDN', refused, newPool({ Fqdn: POOL }), 1, [/PersistentChatPoolAlreadyExists/]);
test('a missing mandatory parameter', refused, newPool({ DisplayName: null }), 2, [/missing mandatory parameters: DisplayName/]);
test('an ambiguous parameter prefix', refused, [...newPool(), '-Enable'], 2, [/'-Enable' is ambiguous/, /-EnableCompliance -EnableDisasterRecovery/]);
test('-X: with the value eaten by the shell', refused, [...newPool(), '-EnableCompliance:'], 2, [/In bash or sh an unquoted \$false/, /-EnableCompliance:false/]);
test('a truncated repository file', refused, newPool(), 1, [/RepositoryFileCorrupt,New-PersistentChatPool/, /draft\.json' is not a valid topology document/], async (repo) => {
  const text = await readFile(path.join(repo, 'draft.json'), 'utf8');
  await writeFile(path.join(repo, 'draft.json'), text.slice(0, 300));
});
test('a repository file of a newer schema', refused, ['New-Site', 'Tokyo'], 1, [/RepositorySchemaTooNew,New-Site/, /Upgrade pchat-topology/], async (repo) => {
  const doc = JSON.parse(await readFile(path.join(repo, 'draft.json'), 'utf8'));
  await writeFile(path.join(repo, 'draft.json'), JSON.stringify({ ...doc, schemaVersion: doc.schemaVersion + 1 }));
});
test('New-FrontEndPool on a Persistent Chat pool\'s FQDN: said from this command\'s side', refused, ['New-FrontEndPool', '-Fqdn', POOL, '-Site', 'Redmond', '-Computer', 'fe09.contoso.com'], 1, [/FqdnInUse,New-FrontEndPool/, new RegExp(`${POOL.replace(/\./g, '\\.')} is already the FQDN of Persistent Chat pool`), /Give the Front End pool another -Fqdn/]);
test('New-SqlStore mirrored to itself (rule 16), not "already exists"', refused, ['New-SqlStore', '-SqlServerFqdn', 'sql21.contoso.com', '-SqlInstance', 'X', '-MirrorSqlServerFqdn', 'SQL21.contoso.com', '-MirrorSqlInstance', 'x'], 3, [/Rule 16 \(sql21\.contoso\.com\\X\): The store is its own mirror; a mirror must be another SQL instance/, /TopologyRuleViolation,New-SqlStore/]);
test('New-SqlStore whose witness is the principal (rule 16)', refused, ['New-SqlStore', '-SqlServerFqdn', 'sql21.contoso.com', '-MirrorSqlServerFqdn', 'sql22.contoso.com', '-WitnessSqlServerFqdn', 'sql21.contoso.com', '-WitnessSqlInstance', 'MSSQLSERVER'], 3, [/Rule 16 \(sql21\.contoso\.com\): The witness sql21\.contoso\.com is the principal itself/]);
test('a display name with a terminal escape sequence', refused, ['Set-PersistentChatPool', POOL, '-DisplayName', 'a\x1b[31mred'], 2, [/parameter 'DisplayName'/, /'a\\u001B\[31mred' contains a control character/]);
test('a site name with a line break', refused, ['New-Site', '-Name', 'Red\nmond2'], 2, [/parameter 'Name'/, /'Red\\u000Amond2' contains a control character/]);
test('a site name with a tab, as New-PersistentChatPool -Site', refused, newPool({ Site: 'Red\tmond' }), 2, [/parameter 'Site'/, /'Red\\u0009mond'/]);
/** A hand edit of draft.json: `edit` changes the parsed document. */
const handEdit = (edit: (doc: any) => void) => async (repo: string) => {
  const doc = JSON.parse(await readFile(path.join(repo, 'draft.json'), 'utf8'));
  edit(doc);
  await writeFile(path.join(repo, 'draft.json'), JSON.stringify(doc, null, 1));
};
const corrupt = (jsonPath: string) => [/RepositoryFileCorrupt,/, new RegExp(`draft\\.json' is not a valid topology document: '${jsonPath.replace(/[.[\]]/g, '\\$&')}' `), /Restore it from '.*history'/];
test('a hand-edited pool whose computers are a string', refused, ['Set-PersistentChatPool', POOL, '-DisplayName', 'Renamed'], 1, [...corrupt('topology.persistentChatPools[0].computers'), /must be a list of strings without control characters, not the string "pchat01\.contoso\.com"/], handEdit((d) => (d.topology.persistentChatPools[0].computers = 'pchat01.contoso.com')));
test('Test-Topology on a hand-edited pool whose computers are a string', refused, ['Test-Topology'], 1, corrupt('topology.persistentChatPools[0].computers'), handEdit((d) => (d.topology.persistentChatPools[0].computers = 'pchat01.contoso.com')));
test('Get-PersistentChatPool on a hand-edited port that is not a number', refused, ['Get-PersistentChatPool'], 1, [...corrupt('topology.persistentChatPools[1].port'), /must be a whole number from 1 to 65535, not the string "abc"/], handEdit((d) => (d.topology.persistentChatPools[1].port = 'abc')));
test('a hand-edited negative revision', refused, ['New-Site', 'Tokyo'], 1, [...corrupt('revision'), /not the number -5/], handEdit((d) => (d.revision = -5)));
test('a hand-edited switch that is a string', refused, ['Get-Topology'], 1, [...corrupt('topology.persistentChatPools[2].defaultForSite'), /must be true or false/], handEdit((d) => (d.topology.persistentChatPools[2].defaultForSite = 'yes')));
test('a hand-edited display name with a terminal escape sequence', refused, ['Get-PersistentChatPool', '-OutputFormat', 'List'], 1, [...corrupt('topology.persistentChatPools[0].displayName'), /without control characters, not the string "a\\u001b\[31mRED/], handEdit((d) => (d.topology.persistentChatPools[0].displayName = 'a\u001b[31mRED')));
test('a hand-edited site without its name', refused, ['Get-Topology'], 1, [...corrupt('topology.sites[1].name'), /is missing/], handEdit((d) => delete d.topology.sites[1].name));

test('Set-PersistentChatPool on an unknown file store: the advice names only parameters it has', refused, ['Set-PersistentChatPool', POOL, '-FileStore', '\\\\fs99.contoso.com\\x'], 3, [/FileStoreNotFound,Set-PersistentChatPool/, /RecommendedAction {5}: Define it first \(pchat New-FileStore -FileServerFqdn <fqdn> -FileShare <share>\), or list the stores with 'pchat Get-Topology'\.\n/]);
test('Set-PersistentChatPool growing a single-computer pool (rule 6)', refused, ['Set-PersistentChatPool', SINGLE, '-Computer', `${SINGLE},pchat09.contoso.com`], 3, [/Rule 6 \(pchatsingle\.contoso\.com\)/, /can never receive more computers/]);
test('Set-PersistentChatPool port 0', refused, ['Set-PersistentChatPool', POOL, '-Port', '0'], 2, [/parameter 'Port'/]);
test('Set-PersistentChatPoolSiteAffinity with two choices', refused, ['Set-PersistentChatPoolSiteAffinity', POOL, '-DefaultForSite', '-Clear'], 2, [/AmbiguousParameterSet/, /-DefaultForSite/, /-Clear/]);

test('a change that changes nothing (exit 0) writes nothing: revision, modifiedAt and history stay', async (t) => {
  const repo = await copyOfBase(t);
  const before = await draft(repo);
  const history = await readdir(path.join(repo, 'history'));
  const affinity = await inRepo(repo, ['Set-PersistentChatPoolSiteAffinity', POOL, '-DefaultForSite']);
  t.is(affinity.exitCode, 0, affinity.stderr);
  t.deepEqual(affinity.objects[0].Changes, ['nothing changed']);
  const same = await inRepo(repo, ['Set-PersistentChatPool', POOL, '-DisplayName', 'Redmond chat', '-Port', '5041', '-Verbose']);
  t.is(same.exitCode, 0, same.stderr);
  t.regex(same.stderr, /VERBOSE: pchatpool\.contoso\.com already had these settings; nothing changed/);
  t.deepEqual(await draft(repo), before, 'draft.json byte-for-byte unchanged');
  t.deepEqual(await readdir(path.join(repo, 'history')), history, 'no history entry');

  const changed = await inRepo(repo, ['Set-PersistentChatPool', POOL, '-DisplayName', 'Renamed']);
  t.is(changed.exitCode, 0, changed.stderr);
  t.is(JSON.parse(String(await draft(repo))).revision, JSON.parse(String(before)).revision + 1, 'a real change still makes a revision');
});

test('bad input (exit 2): piped input that is not JSON', async (t) => {
  const repo = await copyOfBase(t);
  const before = await draft(repo);
  const r = await inRepo(repo, ['Remove-PersistentChatPool', '-Force'], `Fqdn : ${POOL}\n`);
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /PipelineInputNotJson,Remove-PersistentChatPool/);
  t.regex(r.stderr, /line 1 is not JSON/);
  t.deepEqual(await draft(repo), before);
});

// ---- ShouldProcess ------------------------------------------------------------------------

test('Remove-PersistentChatPool with no terminal and no -Force: exit 4 at once, nothing removed', async (t) => {
  const repo = await copyOfBase(t);
  const before = await draft(repo);
  const started = Date.now();
  const r = await inRepo(repo, ['Remove-PersistentChatPool', POOL]);
  t.is(r.exitCode, 4);
  // Generous: a busy CI machine runs many of these at once; a wait for an answer would hit the run's 60 s timeout.
  t.true(Date.now() - started < 30_000, 'did not wait for an answer');
  t.regex(r.stderr, /ConfirmationRequired,Remove-PersistentChatPool/);
  t.regex(r.stderr, /-Force/);
  t.deepEqual(await draft(repo), before);
});

test('Remove-PersistentChatPool -Force removes it; -Confirm:false too', async (t) => {
  const repo = await copyOfBase(t);
  const r = await inRepo(repo, ['Remove-PersistentChatPool', POOL, '-Force']);
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stdout, '');
  const r2 = await inRepo(repo, ['Remove-PersistentChatPool', '-Identity', SINGLE, '-Confirm:false']);
  t.is(r2.exitCode, 0, r2.stderr);
  t.deepEqual((await pools(repo)).map((p) => p.Fqdn), [DUBLIN_POOL]);
  const gone = await inRepo(repo, ['Get-PersistentChatPool', POOL]);
  t.is(gone.exitCode, 1);
  t.regex(gone.stderr, /PersistentChatPoolNotFound/);
});

test('-WhatIf changes nothing and says what it would do on stderr', async (t) => {
  const repo = await copyOfBase(t);
  const before = await draft(repo);
  const cases = [
    { args: ['New-Site', 'Tokyo', '-WhatIf'], line: 'What if: Performing the operation "Add site" on target "Tokyo".' },
    { args: ['Remove-PersistentChatPool', POOL, '-WhatIf', '-Force'], line: `What if: Performing the operation "Remove Persistent Chat pool" on target "${POOL}".` },
    { args: [...newPool(), '-WhatIf'], line: 'What if: Performing the operation "Add Persistent Chat pool" on target "pchatnew.contoso.com".' },
    { args: ['Set-PersistentChatPool', POOL, '-Port', '5050', '-WhatIf'], line: `What if: Performing the operation "Change Persistent Chat pool" on target "${POOL}".` },
  ];
  for (const c of cases) {
    const r = await inRepo(repo, c.args);
    t.is(r.exitCode, 0, r.stderr);
    t.is(r.stdout, '');
    t.is(r.stderr, c.line + '\n');
  }
  t.deepEqual(await draft(repo), before);
});

test('-WhatIf of a change that changes nothing: no What if line, the same output as the real run, nothing written', async (t) => {
  const repo = await copyOfBase(t);
  const before = await draft(repo);
  const current = (await pools(repo)).find((p) => p.Fqdn === POOL);
  const real = await inRepo(repo, ['Set-PersistentChatPoolSiteAffinity', POOL, '-DefaultForSite']);
  t.deepEqual(await draft(repo), before, 'the pool already was the default: the real run wrote nothing');
  const whatIf = await inRepo(repo, ['Set-PersistentChatPoolSiteAffinity', POOL, '-DefaultForSite', '-WhatIf']);
  t.is(whatIf.exitCode, 0, whatIf.stderr);
  t.notRegex(whatIf.stderr, /What if:/);
  t.deepEqual(whatIf.objects, real.objects);
  t.deepEqual(whatIf.objects[0].Changes, ['nothing changed']);
  const same = await inRepo(repo, ['Set-PersistentChatPool', POOL, '-DisplayName', current.DisplayName, '-WhatIf']);
  t.is(same.exitCode, 0, same.stderr);
  t.notRegex(same.stderr, /What if:/);
  // Nor is anyone asked to confirm nothing: no terminal, no -Force, and still exit 0.
  const noPrompt = await inRepo(repo, ['Set-PersistentChatPool', POOL, '-DisplayName', current.DisplayName, '-Confirm']);
  t.is(noPrompt.exitCode, 0, noPrompt.stderr);
  t.deepEqual(await draft(repo), before);
});

test('-WhatIf refuses what the real run refuses: the same error record and exit code, no What if line, nothing written', async (t) => {
  const nine = Array.from({ length: 9 }, (_, i) => `pchat${20 + i}.contoso.com`).join(',');
  const cases = [
    newPool({ Site: 'Nowhere' }),
    newPool({ NextHopPool: 'fepol.contoso.com' }),
    ['Set-PersistentChatPool', POOL, '-Computer', nine],
    ['Set-PersistentChatPool', POOL, '-SqlStore', 'sql99.contoso.com'],
    ['Set-PersistentChatPoolSiteAffinity', 'missing.contoso.com', '-Clear'],
    ['Remove-PersistentChatPool', 'missing.contoso.com', '-Force'],
    ['New-Site', 'redmond'],
    ['New-FrontEndPool', '-Fqdn', 'fe2pool.contoso.com', '-Site', 'Nowhere'],
    ['New-SqlStore', '-SqlServerFqdn', 'sql03.contoso.com'],
    ['New-FileStore', '-FileServerFqdn', 'fs01.contoso.com', '-FileShare', 'pchat'],
  ];
  const repo = await copyOfBase(t);
  const before = await draft(repo);
  const listing = await readdir(repo);
  for (const args of cases) {
    const real = await inRepo(repo, args);
    t.not(real.exitCode, 0, `the real run refuses ${args.join(' ')}`);
    const whatIf = await inRepo(repo, [...args, '-WhatIf']);
    t.is(whatIf.exitCode, real.exitCode, args.join(' '));
    t.is(whatIf.stderr, real.stderr, args.join(' '));
    t.notRegex(whatIf.stderr, /What if:/);
    t.is(whatIf.stdout, '');
  }
  t.deepEqual(await draft(repo), before);
  t.deepEqual(await readdir(repo), listing);
});

test('-WhatIf takes no lock: it answers at once while another process holds the repository', async (t) => {
  const repo = await copyOfBase(t);
  // A live holder on this host (the test process): a real change would wait for it for ten minutes, far past
  // the run's own timeout, so answering at all shows that -WhatIf did not wait (no clock on a loaded machine).
  await writeFile(path.join(repo, '.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
  const env = { PCHAT_REPOSITORY: repo, PCHAT_LOCK_TIMEOUT_MS: '600000' };
  const r = await run(['Set-PersistentChatPool', POOL, '-Port', '5050', '-WhatIf'], { env, timeoutMs: 60_000 });
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stderr, `What if: Performing the operation "Change Persistent Chat pool" on target "${POOL}".\n`);
  const refused = await run(['Set-PersistentChatPool', POOL, '-SqlStore', 'sql99.contoso.com', '-WhatIf'], { env, timeoutMs: 60_000 });
  t.is(refused.exitCode, 3, refused.stderr);
  t.regex(refused.stderr, /SqlStoreNotFound,Set-PersistentChatPool/);
});

// ---- -ErrorAction: a failing piped object ------------------------------------------------

const twoPools = JSON.stringify({ Fqdn: 'missing.contoso.com' }) + '\n' + JSON.stringify({ Fqdn: DUBLIN_POOL }) + '\n';

test('-ErrorAction Continue (default): the error is reported, the next piped object is processed, exit 1', async (t) => {
  const repo = await copyOfBase(t);
  const r = await inRepo(repo, ['Remove-PersistentChatPool', '-Force'], twoPools);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /PersistentChatPoolNotFound,Remove-PersistentChatPool/);
  t.regex(r.stderr, /missing\.contoso\.com/);
  t.deepEqual((await pools(repo)).map((p) => p.Fqdn), [POOL, SINGLE]);
});

test('-ErrorAction Stop: the first error ends the command, the next object is not processed', async (t) => {
  const repo = await copyOfBase(t);
  const before = await draft(repo);
  const r = await inRepo(repo, ['Remove-PersistentChatPool', '-Force', '-ErrorAction', 'Stop'], twoPools);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /PersistentChatPoolNotFound/);
  t.deepEqual(await draft(repo), before);
});

test('-ErrorAction SilentlyContinue: nothing printed, the next object processed, the exit code still 1', async (t) => {
  const repo = await copyOfBase(t);
  const r = await inRepo(repo, ['Remove-PersistentChatPool', '-Force', '-ea', 'silentlycontinue'], twoPools);
  t.is(r.exitCode, 1);
  t.is(r.stderr, '');
  t.deepEqual((await pools(repo)).map((p) => p.Fqdn), [POOL, SINGLE]);
});

test('-ErrorAction SilentlyContinue on one object: a not-found error is not printed, the exit code is still 1; a usage error still shows', async (t) => {
  const repo = await copyOfBase(t);
  const r = await inRepo(repo, ['Get-PersistentChatPool', 'nosuch.contoso.com', '-ErrorAction', 'SilentlyContinue']);
  t.is(r.exitCode, 1);
  t.is(r.stderr, '');
  const shown = await inRepo(repo, ['Get-PersistentChatPool', 'nosuch.contoso.com']);
  t.regex(shown.stderr, /PersistentChatPoolNotFound/);
  const usage = await inRepo(repo, ['Set-PersistentChatPool', POOL, '-Port', '0', '-ErrorAction', 'SilentlyContinue']);
  t.is(usage.exitCode, 2);
  t.regex(usage.stderr, /parameter 'Port'/);
});

test('-ErrorAction SilentlyContinue or Ignore does not hide a terminating error: a missing repository is printed with its exit code', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-ea-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const missing = path.join(dir, 'no-repository');
  for (const ea of ['SilentlyContinue', 'Ignore']) {
    const r = await inRepo(missing, ['Get-PersistentChatPool', 'nosuch.contoso.com', '-ErrorAction', ea]);
    t.is(r.exitCode, 1, ea);
    t.regex(r.stderr, /RepositoryNotFound,Get-PersistentChatPool/, ea);
    t.true(r.stderr.includes(missing), ea);
  }
  // Also for piped objects, once per object that ended on it, and the exit code stays.
  const piped = await inRepo(missing, ['Remove-PersistentChatPool', '-Force', '-ErrorAction', 'SilentlyContinue'], twoPools);
  t.is(piped.exitCode, 1);
  t.regex(piped.stderr, /RepositoryNotFound,Remove-PersistentChatPool/);
});

test('-ErrorAction Ignore hides a per-object not-found error as SilentlyContinue does; the exit code is still 1', async (t) => {
  const repo = await copyOfBase(t);
  const r = await inRepo(repo, ['Set-PersistentChatPool', 'nosuch.contoso.com', '-DisplayName', 'x', '-ErrorAction', 'Ignore']);
  t.is(r.exitCode, 1);
  t.is(r.stderr, '');
  const piped = await inRepo(repo, ['Remove-PersistentChatPool', '-Force', '-ea', 'ignore'], twoPools);
  t.is(piped.exitCode, 1);
  t.is(piped.stderr, '');
  t.deepEqual((await pools(repo)).map((p) => p.Fqdn), [POOL, SINGLE]);
});

test('Publish-Topology -PolicyFile is the policy in force over PCHAT_FILESTORE_POLICY: a file it cannot read is refused before any check; an empty one is a usage error', async (t) => {
  const repo = await copyOfBase(t);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-policy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const good = path.join(dir, 'good.json');
  await writeFile(good, JSON.stringify([{ principal: 'BUILTIN\\Administrators', sid: 'S-1-5-32-544', access: 'FullControl' }]));
  const missing = path.join(dir, 'missing.json');
  const r = await run(['Publish-Topology', '-WhatIf', '-SkipDatabase', '-PolicyFile', missing], { env: { PCHAT_REPOSITORY: repo, PCHAT_FILESTORE_POLICY: good } });
  t.is(r.exitCode, 1, r.stderr);
  // Refused on the file, not by checks of the file store (PublishPrecheckFailed), which did not run.
  t.regex(r.stderr, /FileStorePolicyNotFound,Publish-Topology/);
  t.notRegex(r.stderr, /PublishPrecheckFailed/);
  t.true(r.stderr.includes(missing));
  for (const command of [['Publish-Topology', '-WhatIf'], ['Test-FileStore', '-PoolFqdn', POOL]]) {
    const empty = await run([...command, '-PolicyFile', ''], { env: { PCHAT_REPOSITORY: repo } });
    t.is(empty.exitCode, 2, empty.stderr);
    t.regex(empty.stderr, /parameter 'PolicyFile'/);
  }
});

test('Publish-Topology without the SQL password names -SqlCredentialFile, its own parameter for it', async (t) => {
  const repo = await copyOfBase(t);
  const r = await run(['Publish-Topology', '-SqlCredential', 'sa', '-Force'], { env: { PCHAT_REPOSITORY: repo, PCHAT_SQL_PASSWORD: undefined } });
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /CredentialPasswordMissing,Publish-Topology/);
  t.regex(r.stderr, /no -SqlCredentialFile was given/);
  t.regex(r.stderr, /pass -SqlCredentialFile <file>/);
});

test('stderr never carries a raw control character: What if lines and error records quote values escaped', async (t) => {
  const dir = await tempDir(t);
  const repo = path.join(dir, 'r\u001b[31mX');
  const whatIf = await run(['New-Topology', '-WhatIf'], { env: { PCHAT_REPOSITORY: repo } });
  t.is(whatIf.exitCode, 0, whatIf.stderr);
  t.regex(whatIf.stderr, /What if: .*r\\u001B\[31mX/);
  const missing = await run(['Get-Topology'], { env: { PCHAT_REPOSITORY: repo } });
  t.regex(missing.stderr, /r\\u001B\[31mX/);
  for (const r of [whatIf, missing]) t.false(r.stderr.includes('\u001b'), 'no raw ESC');
});

// ---- -LogFile --------------------------------------------------------------------------------

test('-LogFile: JSON lines of the run, one run id, errors included', async (t) => {
  const repo = await copyOfBase(t);
  const log = path.join(await tempDir(t), 'logs', 'job.log');
  const ok = await inRepo(repo, ['New-Site', 'Tokyo', '-LogFile', log]);
  t.is(ok.exitCode, 0, ok.stderr);
  t.is(ok.stderr, '', 'the log file does not add console output');
  const failed = await inRepo(repo, ['New-Site', 'Tokyo', '-LogFile', log]);
  t.is(failed.exitCode, 1);
  const lines = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const runs = [...new Set(lines.map((l) => l.runId))];
  t.is(runs.length, 2, 'each run has its own run id; the file is appended to');
  for (const l of lines) {
    t.is(l.cmdlet, 'New-Site');
    t.truthy(l.timestamp);
  }
  t.true(lines.some((l) => l.runId === runs[0] && /New-Site started/.test(l.message)), 'verbose lines reach the file without -Verbose');
  t.like(lines.find((l) => l.level === 'error'), { runId: runs[1], errorId: 'SiteAlreadyExists', target: 'Tokyo' });
});

test('-LogFile that cannot be written: a warning on stderr, the command still does its job', async (t) => {
  const repo = await copyOfBase(t);
  const dir = await tempDir(t);
  const r = await inRepo(repo, ['New-Site', 'Tokyo', '-LogFile', dir]);
  t.is(r.exitCode, 0, r.stderr);
  t.like(r.objects[0], { Name: 'Tokyo' });
  t.regex(r.stderr, /^WARNING: Cannot write the log file '.*': EISDIR/m);
});

test('-Repository that is a file: RepositoryNotAccessible names the folder and what to do', async (t) => {
  const file = path.join(await tempDir(t), 'not-a-folder');
  await writeFile(file, 'x');
  for (const args of [['Get-Topology'], ['New-Site', 'Tokyo'], ['New-Topology']]) {
    const r = await run([...args, '-Repository', file]);
    t.is(r.exitCode, 1, args[0]);
    t.regex(r.stderr, new RegExp(`RepositoryNotAccessible,${args[0]}`));
    t.true(r.stderr.includes(`'${file}' cannot be used`), r.stderr);
    t.regex(r.stderr, /RecommendedAction {5}: Point -Repository/);
  }
  t.is(await readFile(file, 'utf8'), 'x');
});

// A folder this account cannot write. Root writes anywhere, so as root the commands run as `nobody`
// (runuser); another account gets a folder without write permission.
const asRoot = process.getuid?.() === 0;
const nobodyRuns = asRoot && spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(path.join(projectRoot, 'dist'))})`]).status === 0;
const canDenyWrite = process.platform !== 'win32' && (!asRoot || nobodyRuns);
const cannotDeny = canDenyWrite ? undefined : skipSuite('cli/foundation: a repository folder this account cannot write', process.platform === 'win32' ? 'no POSIX permissions on Windows' : 'running as root and `runuser -u nobody` cannot run node on this checkout', { optional: true });
(cannotDeny ? test.skip : test)(titled('a repository folder this account cannot write: RepositoryNotAccessible (exit 1) says so and what to do; nothing written', cannotDeny), async (t) => {
  const repo = await copyOfBase(t);
  await chmod(path.dirname(repo), 0o755); // mkdtemp's 0700 would keep `nobody` out of the repository altogether
  if (!asRoot) {
    await chmod(repo, 0o555);
    t.teardown(() => chmod(repo, 0o755));
  }
  const runDenied = async (args: string[]) => {
    const r = asRoot
      ? await execa('runuser', ['-u', 'nobody', '--', 'env', `PCHAT_REPOSITORY=${repo}`, process.execPath, path.join(projectRoot, 'bin', 'pchat'), ...args], { reject: false, input: '' })
      : await inRepo(repo, args);
    return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  const before = await draft(repo);
  const listing = await readdir(repo);
  const sample = path.join(projectRoot, 'test/fixtures/xml/tailspin.tbxml');
  for (const args of [['New-Site', 'Tokyo'], ['Set-PersistentChatPool', POOL, '-DisplayName', 'Renamed'], ['Remove-PersistentChatPool', POOL, '-Force'], ['New-Topology', '-Force'], ['Import-Topology', sample, '-Force']]) {
    const r = await runDenied(args);
    t.is(r.exitCode, 1, `${args[0]}: ${r.stderr}`);
    t.regex(r.stderr, new RegExp(`RepositoryNotAccessible,${args[0]}`));
    t.true(r.stderr.includes(`'${repo}' is not writable by this account`), r.stderr);
    t.regex(r.stderr, /Nothing was written/);
    t.regex(r.stderr, /RecommendedAction {5}: Run the command as an account that can write to/);
    t.notRegex(r.stderr, /Unexpected failure/);
  }
  t.deepEqual(await draft(repo), before, 'draft.json unchanged');
  t.deepEqual(await readdir(repo), listing, 'no lock or temp file added');
});

// On a terminal (a pty through util-linux `script`) Remove-PersistentChatPool asks; No is exit 4 and keeps the pool.
const noTerminal = hasScript ? undefined : skipSuite('cli/foundation: the confirmation prompt on a terminal', "util-linux 'script' (which gives the command a terminal) is not installed", { optional: true });
const CONFIRM_PROMPT = /\[L\] No to All[^\n]*\(default is "Y"\):/;
const removeOnTerminal = (repo: string, keys: string) =>
  onTerminal([path.join(projectRoot, 'bin', 'pchat'), 'Remove-PersistentChatPool', POOL], { env: { PCHAT_REPOSITORY: repo }, prompt: CONFIRM_PROMPT, keys });
(noTerminal ? test.skip : test)(titled('on a terminal Remove-PersistentChatPool asks: No keeps the pool (exit 4), Yes removes it', noTerminal), async (t) => {
  const repo = await copyOfBase(t);
  const no = await removeOnTerminal(repo, 'n\r');
  t.true(no.prompted, no.screen);
  t.is(no.exitCode, 4);
  t.regex(no.screen, /Performing the operation "Remove Persistent Chat pool" on target "pchatpool\.contoso\.com"/);
  t.regex(no.screen, /\[Y\] Yes {2}\[A\] Yes to All {2}\[N\] No {2}\[L\] No to All/);
  t.deepEqual((await pools(repo)).map((p) => p.Fqdn), [POOL, DUBLIN_POOL, SINGLE]);
  const yes = await removeOnTerminal(repo, 'y\r');
  t.true(yes.prompted, yes.screen);
  t.is(yes.exitCode, 0);
  t.deepEqual((await pools(repo)).map((p) => p.Fqdn), [DUBLIN_POOL, SINGLE]);
});

(noTerminal ? test.skip : test)(titled('Ctrl+C at the confirmation prompt on a terminal: exit 130, an interruption, the pool kept', noTerminal), async (t) => {
  const repo = await copyOfBase(t);
  const r = await removeOnTerminal(repo, '\u0003');
  t.true(r.prompted, r.screen);
  t.is(r.exitCode, 130);
  t.regex(r.screen, /Interrupted \(Ctrl\+C\) at the confirmation prompt/);
  t.notRegex(r.screen, /UnexpectedError/);
  t.deepEqual((await pools(repo)).map((p) => p.Fqdn), [POOL, DUBLIN_POOL, SINGLE]);
});

test('commands that read or change the topology say there is none, and create nothing, when the repository does not exist', async (t) => {
  const repo = path.join(await tempDir(t), 'missing');
  const changes = [['New-Site', 'Tokyo'], ['New-SqlStore', '-SqlServerFqdn', 'sql09.contoso.com'], ['Set-PersistentChatPool', POOL, '-DisplayName', 'x'], ['Set-PersistentChatPoolSiteAffinity', POOL, '-DefaultForSite'], ['Remove-PersistentChatPool', POOL, '-Force']];
  // A change under -WhatIf reads the draft to check the change, and refuses as the real run would.
  for (const args of [['Get-Topology'], ['Get-TopologyRevision'], ['Get-TopologyRevision', '-Revision', '1'], ['Publish-Topology', '-WhatIf'], ['Get-PersistentChatPool'], ['New-Site', 'Tokyo', '-WhatIf'], ...changes]) {
    const r = await inRepo(repo, args);
    t.is(r.exitCode, 1, `${args[0]}: ${r.stderr}`);
    t.regex(r.stderr, new RegExp(`RepositoryNotFound,${args[0]}`));
    t.regex(r.stderr, /New-Topology/);
  }
  t.deepEqual(await readdir(path.dirname(repo)), [], 'a mistyped repository path leaves no folder behind');
  t.is((await inRepo(repo, ['New-Topology'])).exitCode, 0);
  t.deepEqual(await readdir(repo), ['draft.json'], 'New-Topology creates the folder');
});
