// Products per Front End pool (issue 13 item 6): Skype for Business Server 2019 has no Persistent Chat, so a
// pool whose next hop is a 2019 pool is refused by New-/Set-PersistentChatPool, reported by Test-Topology and
// refused by Publish-Topology; beside the 2015 pool of a mixed 2015/2019 deployment it is accepted. The two
// documents are this project's own fixtures in the published form.
import test, { type ExecutionContext } from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot, run } from '../support/cli.js';

const fixture = (name: string) => path.join(projectRoot, 'test/fixtures/xml', name);
const PC = 'pchat.contoso.com';
const POOL_ARGS = ['-Site', 'Redmond', '-Computer', 'pchat01.contoso.com', '-DisplayName', 'Redmond chat', '-SqlStore', 'sql01.contoso.com\\PCHAT', '-FileStore', '\\\\fs01.contoso.com\\pchat'];

async function repository(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-cli-products-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, 'repo');
}
const inRepo = (repo: string, args: string[]) => run(args, { env: { PCHAT_REPOSITORY: repo } });
const draft = (repo: string) => readFile(path.join(repo, 'draft.json'), 'utf8');

async function imported(t: ExecutionContext, name: string): Promise<string> {
  const repo = await repository(t);
  const r = await inRepo(repo, ['Import-Topology', '-Path', fixture(name)]);
  t.is(r.exitCode, 0, r.stderr);
  return repo;
}

test('a Skype for Business Server 2019 document: imported with the warning, its pool shown as SkypeForBusiness2019, and a Persistent Chat pool beside it refused (exit 3)', async (t) => {
  const repo = await imported(t, 'sfb2019.xml');
  const topo = JSON.parse(await draft(repo)).topology;
  t.deepEqual(topo.frontEndPools.map((p: { fqdn: string; product: string }) => [p.fqdn, p.product]), [['fe2019.contoso.com', 'SkypeForBusiness2019']]);
  const before = await draft(repo);
  const r = await inRepo(repo, ['New-PersistentChatPool', '-Fqdn', PC, ...POOL_ARGS, '-NextHopPool', 'fe2019.contoso.com']);
  t.is(r.exitCode, 3);
  t.regex(r.stderr, /Rule 31 \(pchat\.contoso\.com\): The next-hop pool fe2019\.contoso\.com runs Skype for Business Server 2019, which has no Persistent Chat/);
  t.regex(r.stderr, /New-FrontEndPool -Product SkypeForBusiness2015/, 'no 2015 pool to offer: the advice is to add one');
  t.is(await draft(repo), before, 'nothing written');
});

test('a mixed 2015/2019 document: the 2019 next hop is refused by New- and Set-PersistentChatPool (exit 3), the 2015 one accepted', async (t) => {
  const repo = await imported(t, 'mixed-2015-2019.xml');
  const refused = await inRepo(repo, ['New-PersistentChatPool', '-Fqdn', PC, ...POOL_ARGS, '-NextHopPool', 'fe2019.contoso.com']);
  t.is(refused.exitCode, 3);
  t.regex(refused.stderr, /runs Skype for Business Server 2019, which has no Persistent Chat/);
  t.regex(refused.stderr, /-NextHopPool <pool> with one of: fe2015\.contoso\.com \(Skype for Business Server 2015\)/);

  const accepted = await inRepo(repo, ['New-PersistentChatPool', '-Fqdn', PC, ...POOL_ARGS, '-NextHopPool', 'fe2015.contoso.com']);
  t.is(accepted.exitCode, 0, accepted.stderr);
  t.is(accepted.objects[0]?.NextHopPool, 'fe2015.contoso.com');

  const before = await draft(repo);
  const moved = await inRepo(repo, ['Set-PersistentChatPool', PC, '-NextHopPool', 'fe2019.contoso.com']);
  t.is(moved.exitCode, 3);
  t.regex(moved.stderr, /Set-PersistentChatPool -Identity pchat\.contoso\.com -NextHopPool <pool> with one of: fe2015\.contoso\.com/);
  t.is(await draft(repo), before, 'nothing written');

  const tested = await inRepo(repo, ['Test-Topology']);
  t.is(tested.exitCode, 0, tested.stderr);
});

test('a Lync Server 2010 to 2013 migration: the 2010 pool is imported as Lync2010 and refused as a next hop (exit 3), the 2013 pool accepted', async (t) => {
  const repo = await imported(t, 'coexist-2010-2013.xml');
  const topo = JSON.parse(await draft(repo)).topology;
  t.deepEqual(topo.frontEndPools.map((p: { fqdn: string; product: string }) => [p.fqdn, p.product]), [
    ['ls2010pool.fabrikam.com', 'Lync2010'],
    ['ls2013pool.fabrikam.com', 'Lync2013'],
  ]);
  const args = ['-Site', 'Chicago', '-Computer', 'pchat01.fabrikam.com', '-DisplayName', 'Chicago chat', '-SqlStore', 'ls2013sql.fabrikam.com', '-FileStore', '\\\\fs01.fabrikam.com\\LyncShare2013'];
  const refused = await inRepo(repo, ['New-PersistentChatPool', '-Fqdn', 'pchat.fabrikam.com', ...args, '-NextHopPool', 'ls2010pool.fabrikam.com']);
  t.is(refused.exitCode, 3);
  t.regex(refused.stderr, /The next-hop pool ls2010pool\.fabrikam\.com runs Lync Server 2010, which has no Persistent Chat/);
  t.regex(refused.stderr, /-NextHopPool <pool> with one of: ls2013pool\.fabrikam\.com \(Lync Server 2013\)/);

  const accepted = await inRepo(repo, ['New-PersistentChatPool', '-Fqdn', 'pchat.fabrikam.com', ...args, '-NextHopPool', 'ls2013pool.fabrikam.com']);
  t.is(accepted.exitCode, 0, accepted.stderr);
  const tested = await inRepo(repo, ['Test-Topology']);
  t.is(tested.exitCode, 0, tested.stdout + tested.stderr);
});

test('a draft that already holds such a pool (Import-Topology -Merge -Force brought its next hop in as 2019): Test-Topology reports an Error, Publish-Topology refuses (exit 3)', async (t) => {
  const repo = await repository(t);
  for (const args of [
    ['New-Topology'],
    ['New-Site', 'Redmond'],
    ['New-FrontEndPool', '-Fqdn', 'fe2019.contoso.com', '-Site', 'Redmond', '-Computer', 'fe2019a.contoso.com,fe2019b.contoso.com'],
    ['New-PersistentChatPool', '-Fqdn', PC, '-Site', 'Redmond', '-Computer', 'pchat01.contoso.com', '-DisplayName', 'Redmond chat', '-NextHopPool', 'fe2019.contoso.com',
      '-SqlServerFqdn', 'sql01.contoso.com', '-SqlInstance', 'PCHAT', '-FileServerFqdn', 'fs01.contoso.com', '-FileShare', 'pchat'],
  ]) {
    const r = await inRepo(repo, args);
    t.is(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const merge = await inRepo(repo, ['Import-Topology', '-Path', fixture('sfb2019.xml'), '-Merge']);
  t.is(merge.exitCode, 1, 'a conflict without -Force writes nothing');
  t.regex(merge.stderr, /product: draft SkypeForBusiness2015, imported SkypeForBusiness2019/);
  const forced = await inRepo(repo, ['Import-Topology', '-Path', fixture('sfb2019.xml'), '-Merge', '-Force']);
  t.is(forced.exitCode, 0, forced.stderr);

  const tested = await inRepo(repo, ['Test-Topology']);
  t.is(tested.exitCode, 3);
  t.like(tested.objects.find((f) => f.Rule === 31), { Severity: 'Error', Target: PC });

  const before = await draft(repo);
  const published = await inRepo(repo, ['Publish-Topology', '-Force']);
  t.is(published.exitCode, 3);
  t.regex(published.stderr, /Rule 31 \(pchat\.contoso\.com\)/);
  t.is(await draft(repo), before);
});

test('New-FrontEndPool -Product: the default is the topology\'s product; a 2019 pool is refused as a next hop', async (t) => {
  const repo = await repository(t);
  t.is((await inRepo(repo, ['New-Topology', '-Product', 'Lync2013'])).exitCode, 0);
  t.is((await inRepo(repo, ['New-Site', 'Redmond'])).exitCode, 0);
  const lync = await inRepo(repo, ['New-FrontEndPool', 'fe2013.contoso.com', '-Site', 'Redmond', '-Computer', 'fe01.contoso.com']);
  t.is(lync.objects[0]?.Product, 'Lync2013');
  const sfb2019 = await inRepo(repo, ['New-FrontEndPool', 'fe2019.contoso.com', '-Site', 'Redmond', '-Computer', 'fe02.contoso.com', '-Product', 'SkypeForBusiness2019']);
  t.is(sfb2019.objects[0]?.Product, 'SkypeForBusiness2019');
  const args = ['New-PersistentChatPool', PC, '-Site', 'Redmond', '-Computer', 'pchat01.contoso.com', '-DisplayName', 'Chat', '-SqlServerFqdn', 'sql01.contoso.com', '-FileServerFqdn', 'fs01.contoso.com', '-FileShare', 'pchat'];
  t.is((await inRepo(repo, [...args, '-NextHopPool', 'fe2019.contoso.com'])).exitCode, 3);
  t.is((await inRepo(repo, [...args, '-NextHopPool', 'fe2013.contoso.com'])).exitCode, 0);
});

test('a draft written before Front End pools had a product still reads: its pools run the topology\'s product', async (t) => {
  const repo = await imported(t, 'mixed-2015-2019.xml');
  const doc = JSON.parse(await draft(repo));
  for (const p of doc.topology.frontEndPools) delete p.product;
  await writeFile(path.join(repo, 'draft.json'), JSON.stringify(doc));
  const r = await inRepo(repo, ['New-PersistentChatPool', '-Fqdn', PC, ...POOL_ARGS, '-NextHopPool', 'fe2019.contoso.com']);
  t.is(r.exitCode, 0, 'both pools count as SkypeForBusiness2015, as the earlier version recorded them');
  t.is((await inRepo(repo, ['Test-Topology'])).exitCode, 0);
});
