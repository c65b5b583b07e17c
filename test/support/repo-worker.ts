// A separate process that changes a repository, for the concurrency tests (test/unit/repository.test.ts,
// test/integration/repository-contract.test.ts). <folder> may be a sqlserver:// address; its password
// comes from PCHAT_REPOSITORY_PASSWORD.
//   node repo-worker.js <folder> add-pool <n>     adds pool n (with its own SQL store) in one update
//   node repo-worker.js <folder> add-site <name>  adds a site whose SiteId is the next free one
//   node repo-worker.js <folder> hold <ms>        holds the lock for <ms>; prints "locked" once it has it
//   node repo-worker.js <folder> churn            rewrites a large draft in a loop until killed
//   node repo-worker.js <folder> hold-publish     holds the publish lock until killed; prints "locked" once it has it
// Prints one JSON line: {"ok":true,"revision":n} or {"ok":false,"errorId":...,"exitCode":...}.
import { openRepository } from '../../lib/topology/store.js';
import { isErrorRecord } from '../../lib/cmdlet/errors.js';
import type { PersistentChatPool, Topology } from '../../lib/topology/model.js';

const [folder, action, arg] = process.argv.slice(2);
if (!folder || !action) {
  process.stderr.write('usage: repo-worker <folder> add-pool|add-site|hold|churn <arg>\n');
  process.exit(2);
}
const repo = openRepository(folder, { credential: async (userName) => ({ userName, password: process.env.PCHAT_REPOSITORY_PASSWORD ?? '' }) });

function poolNumber(n: number): PersistentChatPool {
  return {
    fqdn: `pchat${n}.contoso.com`,
    site: 'Redmond',
    computerType: 'Multiple',
    computers: [`pc${n}a.contoso.com`, `pc${n}b.contoso.com`],
    displayName: `Pool ${n}`,
    port: 5041,
    instance: n,
    enableCompliance: false,
    enableDisasterRecovery: false,
    defaultForSite: false,
    defaultForAllSites: false,
    sqlStore: `sql${n}.contoso.com`,
    fileStore: '\\\\fs01.contoso.com\\pchat',
    nextHopPool: 'fepool.contoso.com',
  };
}

async function main(): Promise<void> {
  switch (action) {
    case 'add-pool': {
      const n = Number(arg);
      const d = await repo.update((t: Topology) => {
        t.sqlStores.push({ sqlServerFqdn: `sql${n}.contoso.com`, sqlInstance: null });
        t.persistentChatPools.push(poolNumber(n));
      });
      out({ ok: true, revision: d.revision });
      return;
    }
    case 'add-site': {
      const d = await repo.update((t) => {
        t.sites.push({ name: arg!, siteId: Math.max(0, ...t.sites.map((s) => s.siteId)) + 1 });
      });
      out({ ok: true, revision: d.revision });
      return;
    }
    case 'hold': {
      await repo.withLock(async () => {
        out({ ok: true, locked: true });
        await new Promise((r) => setTimeout(r, Number(arg)));
      });
      return;
    }
    case 'hold-publish': {
      await repo.withPublishLock(async () => {
        out({ ok: true, locked: true });
        await new Promise(() => {});
      });
      return;
    }
    case 'churn': {
      // Big enough that each write takes a while, so a kill lands mid-write now and then.
      for (let i = 0; ; i++) {
        await repo.update((t) => {
          t.occupiedNames = Array.from({ length: 5000 }, (_, k) => ({ fqdn: `host${k}.contoso.com`, role: `churn ${i}` }));
        });
        if (i === 0) out({ ok: true, started: true });
      }
    }
    default:
      throw new Error(`unknown action ${action}`);
  }
}

function out(o: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(o) + '\n');
}

main().finally(() => repo.close()).catch((e) => {
  if (isErrorRecord(e)) out({ ok: false, errorId: e.errorId, exitCode: e.exitCode, message: e.message });
  else out({ ok: false, errorId: 'Unexpected', message: String(e?.stack ?? e) });
  process.exitCode = 1;
});
