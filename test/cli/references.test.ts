// Errors that point to the fix (issue 14 item 6): an unknown site, store or next-hop pool gets "Did you mean"
// from the topology's names and exit 3, like every refused change; a value whose backslashes an unquoted shell
// word lost gets a hint to quote it; an FQDN refused at binding says what is wrong; a long value is cut.
import test, { type ExecutionContext } from 'ava';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../support/cli.js';

const inRepo = (repo: string, args: string[]) => run(args, { env: { PCHAT_REPOSITORY: repo } });

let base = '';
const baseDir = await mkdtemp(path.join(os.tmpdir(), 'pchat-cli-refs-'));
test.before(async () => {
  base = path.join(baseDir, 'repo');
  for (const args of [
    ['New-Topology'],
    ['New-Site', 'Redmond'],
    ['New-FrontEndPool', '-Fqdn', 'fepool.contoso.com', '-Site', 'Redmond', '-Computer', 'fe01.contoso.com'],
    ['New-SqlStore', '-SqlServerFqdn', 'sql01.contoso.com', '-SqlInstance', 'PCHAT'],
    ['New-FileStore', '-FileServerFqdn', 'fs01.contoso.com', '-FileShare', 'pchat'],
    ['New-PersistentChatPool', '-Fqdn', 'pchatpool.contoso.com', '-Site', 'Redmond', '-Computer', 'pchat01.contoso.com', '-DisplayName', 'Redmond chat',
      '-NextHopPool', 'fepool.contoso.com', '-SqlStore', 'sql01.contoso.com\\PCHAT', '-FileStore', '\\\\fs01.contoso.com\\pchat'],
  ]) {
    const r = await inRepo(base, args);
    if (r.exitCode !== 0) throw new Error(`${args.join(' ')} -> ${r.exitCode}\n${r.stderr}`);
  }
});
test.after.always(() => rm(baseDir, { recursive: true, force: true }));

async function copy(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-cli-refs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await cp(base, path.join(dir, 'repo'), { recursive: true });
  return path.join(dir, 'repo');
}

const NEW_POOL = ['New-PersistentChatPool', '-Fqdn', 'pc2.contoso.com', '-Computer', 'pchat02.contoso.com', '-DisplayName', 'Second'];
const defaults: Record<string, string> = { '-Site': 'Redmond', '-NextHopPool': 'fepool.contoso.com', '-SqlServerFqdn': 'sql02.contoso.com', '-FileStore': '\\\\fs01.contoso.com\\pchat' };
/** New-PersistentChatPool with valid references, except the ones given. */
const newPool = (overrides: Record<string, string>) => {
  const refs = { ...defaults, ...overrides };
  if ('-SqlStore' in overrides) delete refs['-SqlServerFqdn'];
  return [...NEW_POOL, ...Object.entries(refs).flat()];
};

/** The change is refused with exit 3, nothing written, and stderr matches every pattern. */
async function refused(t: ExecutionContext, args: string[], errorId: string, patterns: RegExp[]) {
  const repo = await copy(t);
  const before = await readFile(path.join(repo, 'draft.json'));
  const r = await inRepo(repo, args);
  t.is(r.exitCode, 3, r.stderr);
  t.regex(r.stderr, new RegExp(`FullyQualifiedErrorId : ${errorId},`));
  for (const p of patterns) t.regex(r.stderr, p);
  t.deepEqual(await readFile(path.join(repo, 'draft.json')), before, 'nothing written');
  return r;
}

test('a mistyped site: "Did you mean", the right name advised before creating the typo, exit 3', async (t) => {
  const r = await refused(t, newPool({ '-Site': 'Redmnod' }), 'SiteNotFound', [/The site 'Redmnod' does not exist in the topology\. Did you mean 'Redmond'\?/, /RecommendedAction +: Give -Site 'Redmond'; if 'Redmnod' is a new site, add the site first/]);
  t.true(r.stderr.indexOf("-Site 'Redmond'") < r.stderr.indexOf('New-Site'), 'the close name comes first');
  await refused(t, ['New-FrontEndPool', 'fe2.contoso.com', '-Site', 'redmon', '-Computer', 'fe02.contoso.com'], 'SiteNotFound', [/Did you mean 'Redmond'\?/]);
});

test('a site with no close name lists the sites, exit 3', async (t) => {
  await refused(t, newPool({ '-Site': 'Tokyo' }), 'SiteNotFound', [/The site 'Tokyo' does not exist in the topology\.\n/, /Give one of the topology's sites \(Redmond\), or add the site first \(pchat New-Site -Name 'Tokyo'\)/]);
});

test('a mistyped next-hop pool: "Did you mean" with the command that fixes it, exit 3', async (t) => {
  await refused(t, newPool({ '-NextHopPool': 'fepol.contoso.com' }), 'TopologyRuleViolation', [/The next-hop pool fepol\.contoso\.com is not a Front End pool /, /RecommendedAction +: .*Did you mean fepool\.contoso\.com\? New-PersistentChatPool -Fqdn pc2\.contoso\.com \.\.\. -NextHopPool fepool\.contoso\.com;/]);
  await refused(t, ['Set-PersistentChatPool', 'pchatpool.contoso.com', '-NextHopPool', 'fepool.contoso.co'], 'TopologyRuleViolation', [/Did you mean fepool\.contoso\.com\?/, /Set-PersistentChatPool -Identity pchatpool\.contoso\.com -NextHopPool fepool\.contoso\.com/]);
});

test('a mistyped SQL or file store: "Did you mean", exit 3', async (t) => {
  await refused(t, newPool({ '-SqlStore': 'sql01.contoso.com\\PCHT' }), 'SqlStoreNotFound', [/Did you mean 'sql01\.contoso\.com\\PCHAT'\?/, /Give -SqlStore 'sql01\.contoso\.com\\PCHAT'/]);
  await refused(t, ['Set-PersistentChatPool', 'pchatpool.contoso.com', '-FileStore', '\\\\fs01.contoso.com\\pchta'], 'FileStoreNotFound', [/Did you mean '\\\\fs01\.contoso\.com\\pchat'\?/]);
});

test('backslashes an unquoted shell word lost: a store name run together with its instance or share, a UNC path with one or no leading backslash', async (t) => {
  await refused(t, newPool({ '-SqlStore': 'sql01.contoso.comPCHAT' }), 'SqlStoreNotFound', [/'sql01\.contoso\.com' and 'PCHAT' with the backslash between them lost/, /Quote the identity: -SqlStore 'sql01\.contoso\.com\\PCHAT'\./]);
  await refused(t, ['New-FrontEndPool', 'fe2.contoso.com', '-Site', 'Redmond', '-Computer', 'fe02.contoso.com', '-BackEndSqlStore', 'sql01.contoso.comPCHAT'], 'SqlStoreNotFound', [/Quote the identity: -BackEndSqlStore 'sql01\.contoso\.com\\PCHAT'/]);
  await refused(t, newPool({ '-FileStore': '\\fs01.contoso.compchat2' }), 'FileStoreNotFound', [/'fs01\.contoso\.com' and 'pchat2' with the backslashes of a UNC path lost/, /Quote the path: -FileStore '\\\\fs01\.contoso\.com\\pchat2' \(and define that store first if it is new\)/]);
  for (const unc of ['\\fs01.contoso.com\\pchat', 'fs01.contoso.com\\pchat']) {
    await refused(t, newPool({ '-FileStore': unc }), 'FileStoreNotFound', [/A UNC path starts with two backslashes/, /Quote the path: -FileStore '\\\\fs01\.contoso\.com\\pchat'\./]);
  }
});

test('a server given where its store is wanted: every store of that server is offered, exit 3', async (t) => {
  const repo = await copy(t);
  const be = await inRepo(repo, ['New-SqlStore', 'sql01.contoso.com', '-SqlInstance', 'BE']);
  t.is(be.exitCode, 0, be.stderr);
  const sql = await inRepo(repo, ['Set-PersistentChatPool', 'pchatpool.contoso.com', '-ComplianceSqlStore', 'sql01.contoso.com']);
  t.is(sql.exitCode, 3, sql.stderr);
  t.regex(sql.stderr, /'sql01\.contoso\.com' is a server; its stores are 'sql01\.contoso\.com\\BE' and 'sql01\.contoso\.com\\PCHAT'\./);
  t.regex(sql.stderr, /RecommendedAction +: Give the store with its instance: -ComplianceSqlStore 'sql01\.contoso\.com\\BE' or 'sql01\.contoso\.com\\PCHAT'\./);
  const fs = await inRepo(repo, ['Set-PersistentChatPool', 'pchatpool.contoso.com', '-FileStore', 'fs01.contoso.com']);
  t.is(fs.exitCode, 3, fs.stderr);
  t.regex(fs.stderr, /its store is '\\\\fs01\.contoso\.com\\pchat'\./);
  t.regex(fs.stderr, /Give the store with its share: -FileStore '\\\\fs01\.contoso\.com\\pchat'\./);
});

test('the pool a command works on, not found: ObjectNotFound, exit 1, with "Did you mean"', async (t) => {
  const repo = await copy(t);
  const r = await inRepo(repo, ['Set-PersistentChatPool', 'pchatpol.contoso.com', '-Port', '5042']);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /There is no Persistent Chat pool 'pchatpol\.contoso\.com' in the topology\. Did you mean 'pchatpool\.contoso\.com'\?/);
});

test('FQDN validation names what is wrong (exit 2): a long label, the total length, an underscore, non-ASCII with its xn-- form', async (t) => {
  const repo = await copy(t);
  const cases: [string, RegExp][] = [
    [`${'a'.repeat(64)}.contoso.com`, /label 1 \('a+\.\.\. \(64 characters\)'\) is 64 characters long; a DNS label has at most 63/],
    [`${'abcdefghi.'.repeat(26)}com`, /it is 263 characters long; an FQDN has at most 253/],
    ['fe_01.contoso.com', /label 1 \('fe_01'\) holds '_', which a DNS name cannot/],
    ['bücher.contoso.com', /non-ASCII character 'ü'; DNS holds its IDNA \(punycode\) form: xn--bcher-kva\.contoso\.com/],
    ['fepool', /it is a single label/],
  ];
  for (const [fqdn, pattern] of cases) {
    const r = await inRepo(repo, ['New-FrontEndPool', '-Fqdn', fqdn, '-Site', 'Redmond']);
    t.is(r.exitCode, 2, fqdn);
    t.regex(r.stderr, pattern, fqdn);
  }
});

test('a store named host\\instance where the host goes alone: the instance or share has its own parameter (exit 2)', async (t) => {
  const repo = await copy(t);
  const sql = await inRepo(repo, ['New-SqlStore', 'sql02.contoso.com\\PCHAT']);
  t.is(sql.exitCode, 2, sql.stderr);
  t.regex(sql.stderr, /the part after the backslash has a parameter of its own: -SqlServerFqdn sql02\.contoso\.com -SqlInstance 'PCHAT'/);
  const fs = await inRepo(repo, ['New-FileStore', '-FileServerFqdn', '\\\\fs02.contoso.com\\pchat']);
  t.is(fs.exitCode, 2, fs.stderr);
  t.regex(fs.stderr, /-FileServerFqdn fs02\.contoso\.com -FileShare 'pchat'/);
});

test('a rejected value is shown cut to about 80 characters', async (t) => {
  const repo = await copy(t);
  const r = await inRepo(repo, [...NEW_POOL.slice(0, -1), 'x'.repeat(5000), ...Object.entries(defaults).flat()]);
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /The argument 'x{77}\.\.\. \(5000 characters\)' is not a display name/);
  t.false(r.stderr.includes('x'.repeat(100)), 'the value is not echoed whole');
  const site = await inRepo(repo, newPool({ '-Site': 'S'.repeat(300) }));
  t.is(site.exitCode, 3);
  t.false(site.stderr.includes('S'.repeat(100)));
});

test("New-FileStore -Path D:PChat: the backslash the shell ate after the drive letter", async (t) => {
  const repo = await copy(t);
  const r = await inRepo(repo, ['New-FileStore', '-Path', 'D:PChat']);
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /the backslash after 'D:' is missing: an unquoted shell word loses its backslashes; quote the value: 'D:\\PChat'/);
});

test('one computer named as the pool: the advice offers -SingleComputer as well as a list of other names', async (t) => {
  const common = ['-DisplayName', 'Ninth', ...Object.entries(defaults).flat()];
  const r = await refused(t, ['New-PersistentChatPool', '-Fqdn', 'pchat09.contoso.com', '-Computer', 'pchat09.contoso.com', ...common], 'TopologyRuleViolation', [/Computer pchat09\.contoso\.com has the pool's own FQDN/]);
  t.regex(r.stderr.replace(/\s+/g, ' '), /define a single-computer pool \(-SingleComputer, without -Computer\)/);
  const single = await inRepo(await copy(t), ['New-PersistentChatPool', '-Fqdn', 'pchat09.contoso.com', '-SingleComputer', ...common]);
  t.is(single.exitCode, 0, single.stderr);
});
