// The repository contract, one suite run against both stores: the folder and SQL Server (through the
// real mssql/tedious client against the TDS test peer, which keeps the store's tables in memory).
// Revisions and history, no-op changes, corrupt and newer documents refused and left as they were,
// published revisions never rewritten, a missing repository never created by a change, and 20
// processes writing at once with none lost.
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorRecord } from '../../lib/cmdlet/errors.js';
import { SCHEMA_VERSION } from '../../lib/topology/model.js';
import type { PublishedRevision } from '../../lib/topology/repository.js';
import { openRepository, type TopologyRepository } from '../../lib/topology/store.js';
import { TdsPeer } from '../support/tds-peer.js';
import { seedPoolPrerequisites } from '../support/topology-builder.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.resolve(here, '../support/repo-worker.js');
const PASSWORD = 'Store-Peer-S3cret!';

let peer: TdsPeer;
test.before(async () => {
  peer = await TdsPeer.start({ logins: [{ name: 'pchatstore', password: PASSWORD, roles: ['sysadmin'] }] });
});
test.after.always(async () => {
  await peer?.stop();
});

/** One store under test: where it is, how to open it, and its raw state (to prove nothing was written). */
interface Store {
  location: string;
  open(): TopologyRepository;
  /** Everything the store holds, as text. */
  raw(): Promise<string>;
  /** Replaces the draft document's text as stored (a hand edit, a bad restore). */
  setDraftText(edit: (text: string) => string): Promise<void>;
}

interface Backend {
  name: string;
  make(t: ExecutionContext): Promise<Store>;
}

async function readTree(dir: string): Promise<string> {
  const out: string[] = [];
  const walk = async (d: string) => {
    let names: string[];
    try {
      names = (await readdir(d)).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const f = path.join(d, n);
      try {
        out.push(`${path.relative(dir, f)}\n${await readFile(f, 'utf8')}`);
      } catch {
        await walk(f);
      }
    }
  };
  await walk(dir);
  return out.join('\n---\n');
}

const folderBackend: Backend = {
  name: 'folder',
  async make(t) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-contract-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const location = path.join(dir, 'repo');
    return {
      location,
      open: () => openRepository(location),
      raw: () => readTree(location),
      async setDraftText(edit) {
        const f = path.join(location, 'draft.json');
        await writeFile(f, edit(await readFile(f, 'utf8')));
      },
    };
  },
};

let databases = 0;
const sqlBackend: Backend = {
  name: 'SQL Server',
  async make(t) {
    const database = `pchat_contract_${++databases}`;
    const location = `sqlserver://pchatstore@${peer.host}:${peer.port}/${database}?trustServerCertificate=true`;
    const opened: TopologyRepository[] = [];
    t.teardown(async () => {
      await Promise.all(opened.map((r) => r.close()));
    });
    return {
      location,
      open() {
        const r = openRepository(location, { credential: async (userName) => ({ userName, password: PASSWORD }), timeoutMs: 30_000 });
        opened.push(r);
        return r;
      },
      async raw() {
        if (!peer.databases.some((d) => d.toLowerCase() === database)) return '(no database)';
        const s = peer.storeDb(database);
        return JSON.stringify({ ...s, history: [...s.history.entries()], published: [...s.published.entries()], backups: [...s.backups.entries()] });
      },
      async setDraftText(edit) {
        const s = peer.storeDb(database);
        s.draft = { ...s.draft!, document: edit(s.draft!.document) };
      },
    };
  },
};

const BACKENDS = [folderBackend, sqlBackend];

async function seed(repo: TopologyRepository): Promise<void> {
  await repo.update(seedPoolPrerequisites, { create: true });
}

function published(n: number, summary: string): PublishedRevision {
  return { schemaVersion: SCHEMA_VERSION, revision: n, publishedAt: new Date().toISOString(), publishedBy: 'me@here', summary, changes: [], runId: 'r', draftRevision: 1, topology: { product: 'SkypeForBusiness2015', sites: [], frontEndPools: [], sqlStores: [], fileStores: [], persistentChatPools: [], occupiedNames: [] } as never };
}

async function worker(location: string, args: string[]): Promise<{ ok: boolean; revision?: number; errorId?: string; message?: string }> {
  const r = await execa(process.execPath, [WORKER, location, ...args], { reject: false, env: { PCHAT_REPOSITORY_PASSWORD: PASSWORD }, timeout: 60_000 });
  return JSON.parse(String(r.stdout).trim().split('\n').pop() || '{"ok":false,"message":"no output"}');
}

for (const b of BACKENDS) {
  test(`${b.name}: a new repository, its revisions and the history of every replaced draft`, async (t) => {
    const s = await b.make(t);
    const repo = s.open();
    t.false(await repo.exists());
    await seed(repo);
    t.true(await repo.exists());
    await repo.update((tp) => void tp.sites.push({ name: 'Paris', siteId: 2 }));
    const d = await repo.update((tp) => void tp.sites.push({ name: 'Tokyo', siteId: 3 }));
    t.is(d.revision, 3);
    const again = await s.open().readDraft();
    t.is(again.revision, 3);
    t.deepEqual(again.topology.sites.map((x) => x.name), ['Redmond', 'Paris', 'Tokyo']);
    const snap = await s.open().snapshot();
    t.deepEqual(snap.history.map((h) => [h.revision, h.topology.sites.length]), [[1, 1], [2, 2]]);
  });

  test(`${b.name}: a change that changes nothing writes nothing`, async (t) => {
    const s = await b.make(t);
    await seed(s.open());
    const before = await s.raw();
    const r = await s.open().updateReporting((tp) => void (tp.sites[0]!.name = 'Redmond'));
    t.false(r.changed);
    t.is(r.draft.revision, 1);
    t.is(await s.raw(), before);
  });

  test(`${b.name}: a change of a missing repository is refused and creates nothing`, async (t) => {
    const s = await b.make(t);
    const before = await s.raw();
    const e = await t.throwsAsync(s.open().update((tp) => void tp.sites.push({ name: 'X', siteId: 1 })));
    t.is((e as ErrorRecord).errorId, 'RepositoryNotFound');
    t.is(await s.raw(), before);
  });

  test(`${b.name}: a corrupt draft is refused and left as it was`, async (t) => {
    const s = await b.make(t);
    await seed(s.open());
    await s.setDraftText((x) => x.slice(0, Math.floor(x.length / 2)));
    const before = await s.raw();
    const e = await t.throwsAsync(s.open().update((tp) => void tp.sites.push({ name: 'X', siteId: 9 })));
    t.is((e as ErrorRecord).errorId, 'RepositoryFileCorrupt');
    t.regex((e as ErrorRecord).message, /is not a valid topology document/);
    t.is(await s.raw(), before);
  });

  test(`${b.name}: a draft of a newer schema is refused and left as it was`, async (t) => {
    const s = await b.make(t);
    await seed(s.open());
    await s.setDraftText((x) => JSON.stringify({ ...JSON.parse(x), schemaVersion: SCHEMA_VERSION + 1 }));
    const before = await s.raw();
    const e = await t.throwsAsync(s.open().update((tp) => void tp.sites.push({ name: 'X', siteId: 9 })));
    t.is((e as ErrorRecord).errorId, 'RepositorySchemaTooNew');
    t.is(await s.raw(), before);
  });

  test(`${b.name}: a change that would break the topology is refused and writes nothing`, async (t) => {
    const s = await b.make(t);
    await seed(s.open());
    const before = await s.raw();
    const e = await t.throwsAsync(s.open().update((tp) => void tp.frontEndPools.push({ fqdn: 'fe2.contoso.com', site: 'Nowhere', edition: 'Enterprise', computers: [] })));
    t.is((e as ErrorRecord).errorId, 'TopologyIntegrityViolation');
    t.is(await s.raw(), before);
  });

  test(`${b.name}: published revisions are written once and never rewritten; backups kept`, async (t) => {
    const s = await b.make(t);
    const repo = s.open();
    await seed(repo);
    await repo.writePublished(published(1, 'first'));
    await t.throwsAsync(repo.writePublished(published(1, 'second')));
    t.is((await s.open().readPublished(1))!.summary, 'first');
    t.deepEqual(await repo.listPublishedNumbers(), [1]);
    await repo.rebaseDraft(1);
    t.is((await s.open().readDraft()).basedOnPublishedRevision, 1);
    await repo.writeBackup('Publish-Topology-Backup-x-rev1.json', '{"a":1}\n');
    t.deepEqual((await s.open().snapshot()).backups, [{ name: 'Publish-Topology-Backup-x-rev1.json', content: '{"a":1}\n' }]);
    const e = await t.throwsAsync(s.open().readPublished(7));
    t.is((e as ErrorRecord).errorId, 'RevisionNotFound');
  });

  test(`${b.name}: a change that throws writes nothing, and the next change goes through`, async (t) => {
    const s = await b.make(t);
    await seed(s.open());
    const before = await s.raw();
    await t.throwsAsync(s.open().update(() => {
      throw new Error('refused by the command');
    }));
    t.is(await s.raw(), before);
    t.is((await s.open().update((tp) => void tp.sites.push({ name: 'Paris', siteId: 2 }))).revision, 2);
  });

  test(`${b.name}: -WhatIf (dryRun) of a new repository checks the change and creates nothing`, async (t) => {
    const s = await b.make(t);
    const before = await s.raw();
    const r = await s.open().updateReporting(() => {}, { create: true, replace: true, dryRun: true });
    t.true(r.changed);
    t.is(r.draft.revision, 1);
    t.is(await s.raw(), before);
    t.false(await s.open().exists());
  });

  for (const into of BACKENDS) {
    test(`${b.name} to ${into.name}: a snapshot restored over another topology replaces it whole`, async (t) => {
      const [from, to] = [await b.make(t), await into.make(t)];
      const src = from.open();
      await seed(src);
      await src.update((tp) => void tp.sites.push({ name: 'Paris', siteId: 2 }));
      await src.writePublished(published(1, 'first'));
      await src.rebaseDraft(1);
      await src.writeBackup('Publish-Topology-Backup-x-rev1.json', '{"b":1}\n');
      const dst = to.open();
      await seed(dst);
      for (let i = 0; i < 3; i++) await dst.update((tp) => void tp.sites.push({ name: `Old${i}`, siteId: 10 + i }));
      await dst.writePublished(published(5, 'theirs'));
      t.false(await dst.isEmpty());
      const snap = await src.snapshot();
      await dst.restore(snap);
      t.deepEqual(await to.open().snapshot(), snap);
      t.deepEqual(await to.open().listPublishedNumbers(), [1]);
    });
  }

  test.serial(`${b.name}: a writer killed at random moments never leaves a half-written draft`, async (t) => {
    const s = await b.make(t);
    await seed(s.open());
    for (let round = 0; round < 3; round++) {
      const w = execa(process.execPath, [WORKER, s.location, 'churn'], { env: { PCHAT_REPOSITORY_PASSWORD: PASSWORD }, reject: false });
      t.teardown(() => void w.kill('SIGKILL'));
      await new Promise<void>((resolve) => {
        w.stdout!.on('data', (d: Buffer) => (String(d).includes('started') ? resolve() : undefined));
        w.on('exit', () => resolve());
      });
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      w.kill('SIGKILL');
      await w;
      const d = await s.open().readDraft();
      t.true(d.revision >= 2, 'the draft reads whole');
    }
    t.truthy(await s.open().update((tp) => void tp.sites.push({ name: 'After', siteId: 99 })), 'and the next change goes through');
  });

  // Serial: dozens of processes at once on a shared 2-core machine would starve the other tests' logins.
  test.serial(`${b.name}: concurrent writers computing the next SiteId from what they read: no duplicate, none lost`, async (t) => {
    const s = await b.make(t);
    await seed(s.open());
    const outs = await Promise.all(Array.from({ length: 12 }, (_, i) => worker(s.location, ['add-site', `Site${i}`])));
    t.deepEqual(outs.filter((o) => !o.ok), []);
    const sites = (await s.open().readDraft()).topology.sites;
    t.deepEqual(sites.map((x) => x.siteId).sort((x, y) => x - y), Array.from({ length: 13 }, (_, i) => i + 1));
  });

  test.serial(`${b.name}: 20 processes each adding a pool at the same time: all land, none lost`, async (t) => {
    const s = await b.make(t);
    await seed(s.open());
    const outs = await Promise.all(Array.from({ length: 20 }, (_, i) => worker(s.location, ['add-pool', String(i + 1)])));
    t.deepEqual(outs.filter((o) => !o.ok), [], 'every writer succeeded');
    const d = await s.open().readDraft();
    t.is(d.revision, 21);
    t.is(d.topology.persistentChatPools.length, 20);
    t.deepEqual(outs.map((o) => o.revision).sort((x, y) => x! - y!), Array.from({ length: 20 }, (_, i) => i + 2), 'each writer got its own revision');
    t.is((await s.open().snapshot()).history.length, 20, 'every replaced draft is in the history');
  });
}
