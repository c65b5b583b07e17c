// Site affinity is never lost silently (issue 14 item 7): removing or clearing the default of a site that still
// has pools warns on stderr and Test-Topology warns (rule 32); New-PersistentChatPool -DefaultForSite and
// Set-PersistentChatPoolSiteAffinity -DefaultForSite both move the flag from the site's current default.
import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../support/cli.js';

const inRepo = (repo: string, args: string[]) => run(args, { env: { PCHAT_REPOSITORY: repo } });
const STORES = ['-NextHopPool', 'fepool.contoso.com', '-FileServerFqdn', 'fs01.contoso.com', '-FileShare', 'pchat'];
const pool = (fqdn: string, site: string, n: number, ...more: string[]) => ['New-PersistentChatPool', fqdn, '-Site', site, '-Computer', `pchat0${n}.contoso.com`, '-DisplayName', fqdn, '-SqlServerFqdn', `sql0${n}.contoso.com`, ...STORES, ...more];

/** Redmond with pc1 (its default) and pc2; Dublin with pc3 (its default). */
async function twoSites(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-cli-affinity-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const repo = path.join(dir, 'repo');
  for (const args of [
    ['New-Topology'], ['New-Site', 'Redmond'], ['New-Site', 'Dublin'],
    ['New-FrontEndPool', 'fepool.contoso.com', '-Site', 'Redmond', '-Computer', 'fe01.contoso.com'],
    pool('pc1.contoso.com', 'Redmond', 1), pool('pc2.contoso.com', 'Redmond', 2), pool('pc3.contoso.com', 'Dublin', 3),
  ]) {
    const r = await inRepo(repo, args);
    if (r.exitCode !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
  return repo;
}

const defaults = async (repo: string) => Object.fromEntries((await inRepo(repo, ['Get-PersistentChatPool'])).objects.map((p) => [p.Fqdn, [p.DefaultForSite, p.DefaultForAllSites]]));
const SITE_WARNING = /^WARNING: Site Redmond has Persistent Chat pool pc2\.contoso\.com but no default pool; room creation from this site has no pool to go to\. Set-PersistentChatPoolSiteAffinity -Identity pc2\.contoso\.com -DefaultForSite$/m;

test('removing the default pool of a site that still has pools warns on stderr; Test-Topology warns (rule 32)', async (t) => {
  const repo = await twoSites(t);
  const r = await inRepo(repo, ['Remove-PersistentChatPool', 'pc1.contoso.com', '-Force']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, SITE_WARNING);
  const tested = await inRepo(repo, ['Test-Topology']);
  t.is(tested.exitCode, 0);
  t.like(tested.objects.find((f) => f.Rule === 32), { Severity: 'Warning', Target: 'Redmond' });
});

test('clearing the default of a site that still has pools warns; clearing a pool that is not the default does not', async (t) => {
  const repo = await twoSites(t);
  const quiet = await inRepo(repo, ['Set-PersistentChatPoolSiteAffinity', 'pc2.contoso.com', '-Clear']);
  t.is(quiet.exitCode, 0);
  t.notRegex(quiet.stderr, /WARNING/);
  const r = await inRepo(repo, ['Set-PersistentChatPoolSiteAffinity', 'pc1.contoso.com', '-Clear']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /^WARNING: Site Redmond has Persistent Chat pools pc1\.contoso\.com, pc2\.contoso\.com but no default pool/m);
});

test('a default for all sites elsewhere does not hide a site left without its own default', async (t) => {
  const repo = await twoSites(t);
  t.is((await inRepo(repo, ['Set-PersistentChatPoolSiteAffinity', 'pc3.contoso.com', '-DefaultForAllSites'])).exitCode, 0);
  const r = await inRepo(repo, ['Remove-PersistentChatPool', 'pc1.contoso.com', '-Force']);
  t.regex(r.stderr, /^WARNING: Site Redmond has Persistent Chat pool pc2\.contoso\.com but no default pool; room creation from it goes to pc3\.contoso\.com, the default for all sites in site Dublin\./m);
});

test('New-PersistentChatPool -DefaultForSite on a site that has a default moves the flag, as Set-PersistentChatPoolSiteAffinity -DefaultForSite does', async (t) => {
  const repo = await twoSites(t);
  const r = await inRepo(repo, pool('pc4.contoso.com', 'Redmond', 4, '-DefaultForSite'));
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.objects[0]?.DefaultForSite, true);
  t.regex(r.stderr, /^WARNING: pc1\.contoso\.com is no longer the default for site Redmond: pc4\.contoso\.com takes its place\.$/m);
  t.like(await defaults(repo), { 'pc1.contoso.com': [false, false], 'pc4.contoso.com': [true, false] });

  const set = await inRepo(repo, ['Set-PersistentChatPoolSiteAffinity', 'pc2.contoso.com', '-DefaultForSite']);
  t.is(set.exitCode, 0, set.stderr);
  t.deepEqual(set.objects[0]?.Changes, ['pc4.contoso.com is no longer the default for site Redmond', 'pc2.contoso.com is now the default for site Redmond']);
  t.like(await defaults(repo), { 'pc2.contoso.com': [true, false], 'pc4.contoso.com': [false, false] });

  const all = await inRepo(repo, pool('pc5.contoso.com', 'Dublin', 5, '-DefaultForAllSites', '-DefaultForSite:false'));
  t.is(all.exitCode, 0, all.stderr);
  const again = await inRepo(repo, pool('pc6.contoso.com', 'Dublin', 6, '-DefaultForAllSites', '-DefaultForSite:false'));
  t.is(again.exitCode, 0, again.stderr);
  t.regex(again.stderr, /^WARNING: pc5\.contoso\.com is no longer the default for all sites: pc6\.contoso\.com takes its place\.$/m);
  t.is((await inRepo(repo, ['Test-Topology'])).exitCode, 0);
});

test('-WhatIf moves nothing and warns about nothing', async (t) => {
  const repo = await twoSites(t);
  const r = await inRepo(repo, [...pool('pc4.contoso.com', 'Redmond', 4, '-DefaultForSite'), '-WhatIf']);
  t.is(r.exitCode, 0, r.stderr);
  t.notRegex(r.stderr, /WARNING/);
  t.like(await defaults(repo), { 'pc1.contoso.com': [true, false] });
});
