// Copy-Topology refuses to copy a repository onto itself (a -Force copy would first empty it), so it
// must know the same store however the address is written.
import test from 'ava';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sameRepository } from '../../lib/topology/store.js';

test('a SQL Server store is the same whatever the login, options, letter case or the default port', async (t) => {
  const base = 'sqlserver://pchatstore@sql01.pchat.test/Topology';
  for (const other of [
    'sqlserver://CONTOSO%5Cadmin@SQL01.pchat.test/topology',
    'sqlserver://sa@sql01.pchat.test:1433/TOPOLOGY?encrypt=optional&trustServerCertificate=true',
    'SQLSERVER://pchatstore@sql01.pchat.test./Topology',
    'sqlserver://pchatstore@sql01.pchat.test\\MSSQLSERVER/Topology',
  ]) t.true(await sameRepository(other, base), other);
  t.true(await sameRepository('sqlserver://a@sql01.pchat.test\\pchat/t', 'sqlserver://b@SQL01.pchat.test%5CPCHAT/T'));
});

test('another database, instance, port or server is another store', async (t) => {
  const base = 'sqlserver://pchatstore@sql01.pchat.test/topology';
  for (const other of [
    'sqlserver://pchatstore@sql01.pchat.test/topology2',
    'sqlserver://pchatstore@sql01.pchat.test\\PCHAT/topology',
    'sqlserver://pchatstore@sql01.pchat.test:1533/topology',
    'sqlserver://pchatstore@sql02.pchat.test/topology',
  ]) t.false(await sameRepository(other, base), other);
  t.false(await sameRepository(base, '/var/lib/pchat'));
});

test('a folder is the same however its path is written, through a link too', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-same-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const link = path.join(dir, 'link');
  await symlink(dir, link);
  t.true(await sameRepository(dir, `${dir}/`));
  t.true(await sameRepository(link, dir));
  t.false(await sameRepository(path.join(dir, 'other'), dir));
});
