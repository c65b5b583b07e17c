// The repository (lib/topology/repository.ts, lock.ts, files.ts) with real concurrent processes:
// no lost update, corrupt and newer files refused and left alone, integrity enforced, stale locks taken
// over, a live lock times out within the bounded wait, history kept, a killed writer never leaves a
// half-written draft.
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorRecord, ExitCode } from '../../lib/cmdlet/errors.js';
import { SCHEMA_VERSION, type Topology } from '../../lib/topology/model.js';
import { Repository } from '../../lib/topology/repository.js';
import { writeFileAtomic } from '../../lib/topology/files.js';
import { run } from '../support/cli.js';
import { seedPoolPrerequisites } from '../support/topology-builder.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.resolve(here, '../support/repo-worker.js');

interface WorkerOutput {
  ok: boolean;
  revision?: number;
  errorId?: string;
  exitCode?: number;
  message?: string;
}

async function tempRepo(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-repo-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, 'repo');
}

/** A valid topology that pools can be added to: site Redmond, Front End pool, file store. */
async function seed(folder: string): Promise<Repository> {
  const repo = new Repository(folder);
  await repo.update(seedPoolPrerequisites, { create: true });
  return repo;
}

async function worker(folder: string, args: string[], env: Record<string, string> = {}): Promise<WorkerOutput> {
  const r = await execa(process.execPath, [WORKER, folder, ...args], { reject: false, timeout: 60_000, env });
  const line = String(r.stdout).trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as WorkerOutput;
  } catch {
    return { ok: false, errorId: 'NoOutput', message: `${r.stdout}\n${r.stderr}` };
  }
}

/** Starts a worker and resolves once it printed its first line (e.g. "locked"). */
async function startWorker(folder: string, args: string[]): Promise<{ proc: ResultPromise; first: WorkerOutput }> {
  const proc = execa(process.execPath, [WORKER, folder, ...args], { reject: false, timeout: 60_000, buffer: false });
  const first = await new Promise<WorkerOutput>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
    });
    void proc.then(() => reject(new Error(`worker ended before its first line: ${buf}`)));
  });
  return { proc, first };
}

/** The pid of a process that has ended (for a stale lock). */
async function deadPid(): Promise<number> {
  const p = execa(process.execPath, ['-e', '0']);
  const pid = p.pid!;
  await p;
  return pid;
}

async function files(folder: string): Promise<string[]> {
  return (await readdir(folder)).sort();
}

const draftFile = (folder: string) => path.join(folder, 'draft.json');

// ---- concurrency ------------------------------------------------------------------

test('20 processes each adding a pool at the same time: all land, none lost', async (t) => {
  const folder = await tempRepo(t);
  await seed(folder);
  const base = (await new Repository(folder).readDraft()).revision;
  const outs = await Promise.all(Array.from({ length: 20 }, (_, i) => worker(folder, ['add-pool', String(i + 1)])));
  t.deepEqual(outs.filter((o) => !o.ok), [], 'every writer succeeded');
  const d = await new Repository(folder).readDraft();
  t.is(d.revision, base + 20);
  t.deepEqual(d.topology.persistentChatPools.map((p) => p.fqdn).sort(), Array.from({ length: 20 }, (_, i) => `pchat${i + 1}.contoso.com`).sort());
  t.is(d.topology.sqlStores.length, 20);
  t.deepEqual(outs.map((o) => o.revision).sort((a, b) => a! - b!), Array.from({ length: 20 }, (_, i) => base + i + 1), 'each writer got its own revision');
  t.deepEqual(await files(folder), ['draft.json', 'history'], 'no lock or temp file left behind');
  t.is((await readdir(path.join(folder, 'history'))).length, 20, 'every replaced draft is in the history');
});

test('concurrent writers computing the next SiteId from what they read: no duplicate, none lost', async (t) => {
  const folder = await tempRepo(t);
  await seed(folder);
  const outs = await Promise.all(Array.from({ length: 12 }, (_, i) => worker(folder, ['add-site', `Site${i}`])));
  t.deepEqual(outs.filter((o) => !o.ok), []);
  const sites = (await new Repository(folder).readDraft()).topology.sites;
  t.is(sites.length, 13);
  t.deepEqual(sites.map((s) => s.siteId).sort((a, b) => a - b), Array.from({ length: 13 }, (_, i) => i + 1));
});

// ---- locks --------------------------------------------------------------------------

test('a stale lock left by a dead process is taken over', async (t) => {
  const folder = await tempRepo(t);
  const repo = await seed(folder);
  await writeFile(path.join(folder, '.lock'), JSON.stringify({ pid: await deadPid(), host: os.hostname(), since: new Date().toISOString() }));
  const started = Date.now();
  // A timeout far above what starting a worker costs on a busy machine, so that only waiting for it can fail this.
  const out = await worker(folder, ['add-site', 'Dublin'], { PCHAT_LOCK_TIMEOUT_MS: '60000' });
  t.true(out.ok, out.message);
  t.true(Date.now() - started < 30_000, 'without waiting for the timeout');
  t.truthy((await repo.readDraft()).topology.sites.find((s) => s.name === 'Dublin'));
  t.false((await files(folder)).includes('.lock'));
});

test('a stale lock with many writers waiting: it is broken once, and no update is lost', async (t) => {
  const folder = await tempRepo(t);
  const repo = await seed(folder);
  const base = (await repo.readDraft()).revision;
  await writeFile(path.join(folder, '.lock'), JSON.stringify({ pid: await deadPid(), host: os.hostname(), since: new Date().toISOString() }));
  const outs = await Promise.all(Array.from({ length: 12 }, (_, i) => worker(folder, ['add-pool', String(i + 1)])));
  t.deepEqual(outs.filter((o) => !o.ok), []);
  const d = await repo.readDraft();
  t.is(d.topology.persistentChatPools.length, 12, 'no two writers held the lock at once');
  t.is(d.revision, base + 12);
});

test('a lock held by a live process: RepositoryLocked (exit 5) within the bounded wait, nothing written', async (t) => {
  const folder = await tempRepo(t);
  const repo = await seed(folder);
  const bytes = await readFile(draftFile(folder));
  const holder = await startWorker(folder, ['hold', '20000']);
  t.teardown(() => void holder.proc.kill());
  t.true(holder.first.ok);

  const started = Date.now();
  const out = await worker(folder, ['add-site', 'Dublin'], { PCHAT_LOCK_TIMEOUT_MS: '400' });
  const waited = Date.now() - started;
  t.false(out.ok);
  t.is(out.errorId, 'RepositoryLocked');
  t.is(out.exitCode, ExitCode.RepositoryBusy);
  t.regex(out.message!, new RegExp(`locked by process ${holder.proc.pid}`));
  // Well below the default wait (15 s): the 400 ms given was honoured, whatever a busy machine adds to starting the worker.
  t.true(waited < 12_000, `gave up after ${waited} ms`);

  const cli = await run(['New-Site', '-Name', 'Dublin'], { env: { PCHAT_REPOSITORY: folder, PCHAT_LOCK_TIMEOUT_MS: '400' } });
  t.is(cli.exitCode, 5);
  t.regex(cli.stderr, /RepositoryLocked,New-Site/);
  t.regex(cli.stderr, /Wait for the other command to finish/);
  t.is(cli.stdout, '');
  t.deepEqual(await readFile(draftFile(folder)), bytes, 'the draft is unchanged');

  holder.proc.kill();
  await holder.proc;
  // The killed holder left its lock; the next writer takes it over.
  t.true((await worker(folder, ['add-site', 'Dublin'])).ok);
  t.truthy((await repo.readDraft()).topology.sites.find((s) => s.name === 'Dublin'));
});

// ---- refused files ------------------------------------------------------------------------

const refused = test.macro({
  async exec(t, damage: (text: string) => string, errorId: string, message: RegExp) {
    const folder = await tempRepo(t);
    const repo = await seed(folder);
    await writeFile(draftFile(folder), damage(await readFile(draftFile(folder), 'utf8')));
    const bytes = await readFile(draftFile(folder));
    const listing = await files(folder);

    const read = await t.throwsAsync(repo.readDraft(), { instanceOf: ErrorRecord });
    t.is(read!.errorId, errorId);
    t.regex(read!.message, message);
    t.regex(read!.message, /left as it is/);
    t.is(read!.target, draftFile(folder), 'names the file');
    t.true(read!.recommendedAction.length > 0);

    const write = await t.throwsAsync(repo.update((tp) => void tp.sites.push({ name: 'Dublin', siteId: 2 })), { instanceOf: ErrorRecord });
    t.is(write!.errorId, errorId);
    t.deepEqual(await readFile(draftFile(folder)), bytes, 'byte-for-byte as it was');
    t.deepEqual(await files(folder), listing, 'no lock, temp or history file added');

    const cli = await run(['New-Site', 'Dublin'], { env: { PCHAT_REPOSITORY: folder } });
    t.is(cli.exitCode, 1);
    t.regex(cli.stderr, new RegExp(`${errorId},New-Site`));
    t.deepEqual(await readFile(draftFile(folder)), bytes);
  },
  title: (provided = '') => `refused and left untouched: ${provided}`,
});

test('truncated JSON', refused, (s) => s.slice(0, Math.floor(s.length / 2)), 'RepositoryFileCorrupt', /is not a valid topology document/);
test('empty file', refused, () => '', 'RepositoryFileCorrupt', /is not a valid topology document/);
test('JSON without schemaVersion', refused, () => '{"revision":1}', 'RepositoryFileCorrupt', /no schemaVersion/);
test('a list replaced by something else', refused, (s) => JSON.stringify({ ...JSON.parse(s), topology: { ...JSON.parse(s).topology, sites: {} } }), 'RepositoryFileCorrupt', /topology\.sites/);
test('a negative revision (no history/draft--5.json)', refused, (s) => JSON.stringify({ ...JSON.parse(s), revision: -5 }), 'RepositoryFileCorrupt', /'revision' must be a whole number from 1 to \d+, not the number -5/);
test('a Front End pool whose computers are a string', refused, (s) => {
  const d = JSON.parse(s);
  d.topology.frontEndPools[0].computers = 'fe01.contoso.com';
  return JSON.stringify(d);
}, 'RepositoryFileCorrupt', /'topology\.frontEndPools\[0\]\.computers' must be a list of strings/);
test('a newer schemaVersion', refused, (s) => JSON.stringify({ ...JSON.parse(s), schemaVersion: SCHEMA_VERSION + 1 }), 'RepositorySchemaTooNew', new RegExp(`schemaVersion ${SCHEMA_VERSION + 1}`));

test('a published revision with a field of the wrong type is refused, naming the file and the field, and left as it is', async (t) => {
  const folder = await tempRepo(t);
  const repo = await seed(folder);
  const d = await repo.readDraft();
  const topology = structuredClone(d.topology) as any;
  topology.sites[0].siteId = '1';
  await repo.writePublished({ schemaVersion: SCHEMA_VERSION, revision: 1, publishedAt: 'x', publishedBy: 'y', summary: 's', changes: [], runId: 'r', draftRevision: d.revision, topology });
  const file = path.join(folder, 'published', '000001.json');
  const bytes = await readFile(file);
  const e = await t.throwsAsync(repo.readPublished(1), { instanceOf: ErrorRecord });
  t.is(e!.errorId, 'RepositoryFileCorrupt');
  t.is(e!.target, file);
  t.regex(e!.message, /'topology\.sites\[0\]\.siteId' must be a whole number from 0 to \d+, not the string "1"/);
  t.deepEqual(await readFile(file), bytes);
});

// ---- integrity --------------------------------------------------------------------------

const integrity = test.macro({
  async exec(t, mutate: (tp: Topology) => void, mentions: RegExp) {
    const folder = await tempRepo(t);
    const repo = await seed(folder);
    await repo.update((tp) => void tp.sqlStores.push({ sqlServerFqdn: 'sql01.contoso.com', sqlInstance: null }));
    const bytes = await readFile(draftFile(folder));
    const listing = await files(folder);
    const history = await readdir(path.join(folder, 'history'));
    const e = await t.throwsAsync(repo.update(mutate), { instanceOf: ErrorRecord });
    t.is(e!.errorId, 'TopologyIntegrityViolation');
    t.regex(e!.message, mentions);
    t.regex(e!.message, /Nothing was written/);
    t.deepEqual(await readFile(draftFile(folder)), bytes, 'draft unchanged');
    t.deepEqual(await files(folder), listing, 'no lock or temp file left');
    t.deepEqual(await readdir(path.join(folder, 'history')), history, 'no history entry for a refused change');
  },
  title: (provided = '') => `integrity: ${provided} is refused, nothing written`,
});

const pool = (over: Record<string, unknown> = {}) => ({
  fqdn: 'pchat.contoso.com',
  site: 'Redmond',
  computerType: 'Multiple' as const,
  computers: ['pc01.contoso.com'],
  displayName: 'Chat',
  port: 5041,
  instance: 1,
  enableCompliance: false,
  enableDisasterRecovery: false,
  defaultForSite: false,
  defaultForAllSites: false,
  sqlStore: 'sql01.contoso.com',
  fileStore: '\\\\fs01.contoso.com\\pchat',
  nextHopPool: 'fepool.contoso.com',
  ...over,
});

test('a pool in a missing site', integrity, (tp) => void tp.persistentChatPools.push(pool({ site: 'Nowhere' })), /pchat\.contoso\.com refers to site 'Nowhere'/);
test('a pool with a missing SQL store', integrity, (tp) => void tp.persistentChatPools.push(pool({ sqlStore: 'sql09.contoso.com\\X' })), /sql09\.contoso\.com\\X/);
test('a pool with a missing compliance store', integrity, (tp) => void tp.persistentChatPools.push(pool({ enableCompliance: true, complianceSqlStore: 'sqlc.contoso.com' })), /compliance SQL store 'sqlc\.contoso\.com'/);
test('a pool with a missing file store', integrity, (tp) => void tp.persistentChatPools.push(pool({ fileStore: '\\\\fs09.contoso.com\\x' })), /file store/);
test('a pool whose next hop is missing', integrity, (tp) => void tp.persistentChatPools.push(pool({ nextHopPool: 'nope.contoso.com' })), /nope\.contoso\.com/);
test('a Front End pool in a missing site', integrity, (tp) => void tp.frontEndPools.push({ fqdn: 'fe2.contoso.com', site: 'Nowhere', edition: 'Enterprise', computers: [] }), /Nowhere/);
test('a store mirrored to a missing store', integrity, (tp) => void (tp.sqlStores[0]!.mirror = 'sqlm.contoso.com'), /mirror SQL store 'sqlm\.contoso\.com'/);
test('removing a site that a pool uses', integrity, (tp) => {
  tp.persistentChatPools.push(pool());
  tp.sites = [];
}, /refers to site 'Redmond'/);
test('a duplicate pool', integrity, (tp) => {
  tp.persistentChatPools.push(pool(), pool({ computers: ['pc02.contoso.com'] }));
}, /defined more than once/);

test('a draft that already defines one default SQL instance twice (MSSQLSERVER and the bare FQDN) is named as the problem, with the repair', async (t) => {
  const folder = await tempRepo(t);
  const repo = await seed(folder);
  await repo.update((tp) => void tp.sqlStores.push({ sqlServerFqdn: 'sql01.contoso.com', sqlInstance: null }));
  // What an older version wrote for New-SqlStore -SqlInstance MSSQLSERVER, next to the bare FQDN.
  const doc = JSON.parse(await readFile(draftFile(folder), 'utf8'));
  doc.topology.sqlStores.push({ sqlServerFqdn: 'sql01.contoso.com', sqlInstance: 'MSSQLSERVER' });
  await writeFile(draftFile(folder), JSON.stringify(doc));
  const bytes = await readFile(draftFile(folder));
  const e = await t.throwsAsync(repo.update((tp) => void tp.sites.push({ name: 'Dublin', siteId: 2 })), { instanceOf: ErrorRecord });
  t.is(e!.errorId, 'TopologyIntegrityViolation');
  t.is(e!.target, 'sql01.contoso.com');
  t.regex(e!.message, /is already inconsistent: SQL store 'sql01\.contoso\.com' is defined more than once/);
  t.true(e!.recommendedAction.includes(draftFile(folder)), e!.recommendedAction);
  t.regex(e!.recommendedAction, /MSSQLSERVER/);
  t.deepEqual(await readFile(draftFile(folder)), bytes);
});

test('a change that throws writes nothing and releases the lock', async (t) => {
  const folder = await tempRepo(t);
  const repo = await seed(folder);
  const bytes = await readFile(draftFile(folder));
  const e = await t.throwsAsync(
    repo.update((tp) => {
      tp.sites.push({ name: 'Dublin', siteId: 2 });
      throw new ErrorRecord({ errorId: 'Refused', category: 'InvalidOperation', message: 'no' });
    }),
    { instanceOf: ErrorRecord },
  );
  t.is(e!.errorId, 'Refused');
  t.deepEqual(await readFile(draftFile(folder)), bytes);
  t.true((await worker(folder, ['add-site', 'Dublin'], { PCHAT_LOCK_TIMEOUT_MS: '500' })).ok, 'the lock was released');
});

test('an update of a missing repository says so and creates neither the folder nor a draft', async (t) => {
  const folder = await tempRepo(t);
  const e = await t.throwsAsync(new Repository(folder).update(() => {}), { instanceOf: ErrorRecord });
  t.is(e!.errorId, 'RepositoryNotFound');
  t.regex(e!.recommendedAction, /New-Topology/);
  t.deepEqual(await readdir(path.dirname(folder)), [], 'a mistyped repository path leaves no folder behind');
  await new Repository(folder).update(() => {}, { create: true });
  t.deepEqual(await readdir(folder), ['draft.json'], 'creating a topology creates the folder');
});

// ---- history and crash safety -----------------------------------------------------------------

test('an update that leaves the topology as it was writes nothing and returns the draft as it is', async (t) => {
  const folder = await tempRepo(t);
  const repo = await seed(folder);
  await repo.update((tp) => void tp.sites.push({ name: 'Dublin', siteId: 2 }));
  const bytes = await readFile(draftFile(folder));
  const history = await readdir(path.join(folder, 'history'));
  const d = await repo.readDraft();
  const same = await repo.update((tp) => {
    tp.sites[0]!.name = 'Redmond'; // the value it had
    tp.sites[0]!.city = undefined; // absent before, and JSON drops it
    tp.sites.reverse().reverse();
  });
  t.deepEqual(same, d);
  const replaced = await repo.update((tp) => void Object.assign(tp, structuredClone(d.topology)), { replace: true });
  t.is(replaced.revision, d.revision, 'replaced by the same topology');
  t.deepEqual(await readFile(draftFile(folder)), bytes);
  t.deepEqual(await readdir(path.join(folder, 'history')), history);
  t.is((await repo.update((tp) => void (tp.sites[1]!.city = 'Dublin'))).revision, d.revision + 1);
});

test('history keeps each replaced draft, byte for byte', async (t) => {
  const folder = await tempRepo(t);
  const repo = await seed(folder);
  const rev1 = await readFile(draftFile(folder), 'utf8');
  const r1 = (await repo.readDraft()).revision;
  await repo.update((tp) => void tp.sites.push({ name: 'Dublin', siteId: 2 }));
  const rev2 = await readFile(draftFile(folder), 'utf8');
  await repo.update((tp) => void tp.sites.push({ name: 'Tokyo', siteId: 3 }));
  t.is(await readFile(path.join(folder, 'history', `draft-${r1}.json`), 'utf8'), rev1);
  t.is(await readFile(path.join(folder, 'history', `draft-${r1 + 1}.json`), 'utf8'), rev2);
  t.is((await repo.readDraft()).revision, r1 + 2);
  t.deepEqual((await repo.readDraft()).topology.sites.map((s) => s.name), ['Redmond', 'Dublin', 'Tokyo']);
});

test('a writer killed at random moments never leaves a half-written draft.json', async (t) => {
  const folder = await tempRepo(t);
  const repo = await seed(folder);
  for (let round = 0; round < 6; round++) {
    const w = await startWorker(folder, ['churn']);
    t.true(w.first.ok);
    await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 150)));
    w.proc.kill('SIGKILL');
    await w.proc;
    const d = await repo.readDraft(); // throws RepositoryFileCorrupt on a torn file
    t.true(d.topology.occupiedNames.length === 5000, `round ${round}: a whole document`);
    // The dead writer's lock (if it held one) is taken over by the next change.
    const out = await worker(folder, ['add-site', `Site${round}`], { PCHAT_LOCK_TIMEOUT_MS: '5000' });
    t.true(out.ok, out.message);
  }
  t.is((await repo.readDraft()).topology.sites.length, 7);
  // Whatever temp file a killed writer left, the next change removed it.
  t.deepEqual((await readdir(folder)).filter((n) => n.endsWith('.tmp')), []);
});

test('a write that fails after its temp file was created (disk full) leaves the old file and no temp file', async (t) => {
  const folder = await tempRepo(t);
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, 'export.json');
  await writeFile(file, 'old');
  // Data the write refuses once the temp file is open: the same path as ENOSPC or EDQUOT.
  await t.throwsAsync(writeFileAtomic(file, Symbol('unwritable') as unknown as string));
  t.deepEqual(await readdir(folder), ['export.json']);
  t.is(await readFile(file, 'utf8'), 'old');
});

test('temp files of dead writers on this host are removed by the next change; a live writer\'s and another host\'s stay', async (t) => {
  const folder = await tempRepo(t);
  await seed(folder);
  const dead = (await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])).stdout;
  const host = encodeURIComponent(os.hostname());
  const orphans = [`.draft.json+${host}+${dead}+k2j3h4.tmp`, `..lock+${host}+${dead}+9zz1.tmp`, path.join('published', `.000002.json+${host}+${dead}+a1.tmp`)];
  const kept = [`.draft.json+${host}+${process.pid}+k2j3h4.tmp`, `.draft.json+otherhost.contoso.com+${dead}+k2j3h4.tmp`, 'notes.tmp'];
  await mkdir(path.join(folder, 'published'), { recursive: true });
  for (const f of [...orphans, ...kept]) await writeFile(path.join(folder, f), 'partial');
  const out = await worker(folder, ['add-site', 'Dublin']);
  t.true(out.ok, out.message);
  const left = [...(await readdir(folder)), ...(await readdir(path.join(folder, 'published'))).map((n) => path.join('published', n))];
  for (const f of orphans) t.false(left.includes(f), `${f} removed`);
  for (const f of kept) t.true(left.includes(f), `${f} kept`);
});
