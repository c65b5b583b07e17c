#!/usr/bin/env node
// Benchmark of Publish-Topology (not a test), printed in one run:
//   1. the floor: the probes Publish-Topology runs for one pool, each as an administrator runs it from a
//      shell: `pchat Test-SqlStore -SqlServerFqdn sql01.pchat.test -Port <p> -SqlCredential pchatadmin
//      -TrustServerCertificate` + `pchat Test-FileStore -Path \\fs01.pchat.test\<share> -Credential <admin>`
//      (median of each, summed; the DNS checks are measured in process and shown to be negligible);
//   2. `pchat Publish-Topology -Credential ... -SqlCredential pchatadmin -TrustServerCertificate -Force` for one
//      pool on a fresh repository, a fresh share and a fresh TDS peer per run, so every step really runs
//      (folder, permissions, mgc; no compliance). Target: within 1.5x of the floor;
//   3. the same for 20 pools on 4 SQL Server hosts (sql01..sql04.pchat.test, 5 named instances each: rule 18
//      allows one Persistent Chat database per instance, so "4 SQL stores" are 4 hosts of 5 instances, one TDS
//      peer per instance on its own port) and 4 shares on 4 Samba servers (fs01..fs04.pchat.test), 5 pools
//      per share, a fresh world per run. Target: within 3x of one pool.
// The topologies are defined once with the CLI (templates), then written per run with the library
// (Repository.update) with the run's ports and share names; Test-Topology checks each once.
// Needs root, Samba, the test host names (test/support/add-test-hosts.sh) and a build (npx tsc -p .).
// Run: node bench/publish.mjs [runs]   (runs for one pool and the floor, default 5; twenty pools: 3/5 of it, default 3)
// BENCH_PUBLISH_ARGS='-ThrottleLimit 16' adds parameters to every Publish-Topology; BENCH_TIMEOUT_MS bounds the whole run (30 min).
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startSamba, sambaMissing } = await import(path.join(root, 'dist/test/support/samba.js'));
const { TdsPeer } = await import(path.join(root, 'dist/test/support/tds-peer.js'));
const { Repository } = await import(path.join(root, 'dist/lib/topology/repository.js'));
const { dnsCheck } = await import(path.join(root, 'dist/lib/probes/net.js'));

const RUNS = Math.max(1, Number(process.argv[2] ?? 5));
const RUNS20 = Math.max(1, Math.ceil((RUNS * 3) / 5));
const SQL_PASSWORD = 'Bench-Publish-Passw0rd!';
const LOGINS = [{ name: 'pchatadmin', password: SQL_PASSWORD, roles: ['sysadmin'] }];
const FS = ['fs01', 'fs02', 'fs03', 'fs04'].map((h) => `${h}.pchat.test`);
const SQL = ['sql01', 'sql02', 'sql03', 'sql04'].map((h) => `${h}.pchat.test`);
const POOLS = 20;
const INSTANCES_PER_HOST = 5;
const CLI_TIMEOUT_MS = 180_000;
const WATCHDOG_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 30 * 60_000);
const PCHAT = path.join(root, 'bin', 'pchat');
const pad = (n) => String(n).padStart(2, '0');

const progress = (m) => process.stderr.write(`[bench] ${m}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

// ---- cleanup: every server this script started is stopped, on success, error, timeout or signal ----

const sambas = [];
const livePeers = new Set();
const tempDirs = [];
const allTempDirs = [];
const running = new Set();
/** Stops and removes everything started so far (callable again: it drains the lists). */
async function cleanup() {
  for (const c of running) c.kill('SIGKILL'); // the CLI runs in flight: they would write on into the repositories
  const peers = [...livePeers];
  livePeers.clear();
  await Promise.allSettled(peers.map((p) => p.stop()));
  await Promise.allSettled(sambas.splice(0).map((s) => s.dispose()));
  await Promise.allSettled(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}
// Whatever is created while an abort is under way (the main flow runs on until it fails) is removed at exit;
// smbd processes are killed at exit by the fixture itself (startSamba's emergency stop).
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
  allTempDirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const abort = (why, code) => {
  progress(why);
  const hard = setTimeout(() => process.exit(code), 20_000);
  hard.unref();
  cleanup().finally(() => process.exit(code));
};
// process.on, not once: execa's signal-exit re-raises the signal (killing us before the servers are
// stopped) when it finds itself the only listener left.
let aborting = false;
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => !aborting && ((aborting = true), abort(`${sig}: stopping the servers`, 130)));
const watchdog = setTimeout(() => abort(`the benchmark exceeded ${WATCHDOG_MS / 1000} s (BENCH_TIMEOUT_MS): stopping the servers`, 1), WATCHDOG_MS);
watchdog.unref();

async function startPeer(host, instanceName) {
  const peer = await TdsPeer.start({ host, logins: LOGINS, instanceName, machineName: host.split('.')[0].toUpperCase() });
  livePeers.add(peer);
  return peer;
}
async function stopPeers(peers) {
  await Promise.allSettled(peers.map((p) => p.stop()));
  peers.forEach((p) => livePeers.delete(p));
}

/** `bin/pchat <args>` as a shell runs it: stdin closed (no piped objects), bounded. */
async function pchat(args, env, { expectExit = 0 } = {}) {
  const t0 = performance.now();
  const sub = execa(PCHAT, args, { env, input: '', reject: false, timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL' });
  running.add(sub);
  const r = await sub.finally(() => running.delete(sub));
  const ms = performance.now() - t0;
  if (r.timedOut) throw new Error(`pchat ${args[0]} timed out after ${CLI_TIMEOUT_MS / 1000} s`);
  if (expectExit !== undefined && r.exitCode !== expectExit) throw new Error(`pchat ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  const objects = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  return { ms, objects, stderr: r.stderr, exitCode: r.exitCode };
}

async function freshRepo(tag) {
  const dir = await mkdtemp(path.join(os.tmpdir(), `pchat-bench-${tag}-`));
  tempDirs.push(dir);
  allTempDirs.push(dir);
  return path.join(dir, 'repo');
}

let shareCount = 0;
/** A fresh share as an administrator creates it before publishing: Administrators and SYSTEM full control. */
async function freshShare(samba) {
  const share = `pub${++shareCount}`;
  await samba.addShare(share);
  await samba.setAcl(share, '/', ['ACL:S-1-5-32-544:ALLOWED/OI|CI/FULL', 'ACL:S-1-5-18:ALLOWED/OI|CI/FULL']);
  return share;
}

// ---- setup ------------------------------------------------------------------------------------

try {
  const missing = sambaMissing();
  if (missing) throw new Error(`cannot run: ${missing}`);
  const ip = {};
  for (const h of [...FS, ...SQL, 'fepool.pchat.test', 'fe01.pchat.test', ...Array.from({ length: POOLS }, (_, i) => `pool${pad(i + 1)}.pchat.test`), ...Array.from({ length: 2 * POOLS }, (_, i) => `chat${pad(i + 1)}.pchat.test`)]) {
    try {
      ip[h] = (await lookup(h)).address;
    } catch {
      throw new Error(`${h} does not resolve: run 'bash test/support/add-test-hosts.sh' (as root) first`);
    }
  }

  progress(`starting Samba on ${FS.join(', ')}`);
  for (const h of FS) {
    sambas.push(await startSamba({ ip: ip[h] }));
    if (aborting) await cleanup();
  }
  const admin = sambas[0].users.admin; // the fixture's accounts are the same Unix users on every server, each with its own password
  const envFor = (repo, samba = sambas[0]) => ({ PCHAT_REPOSITORY: repo, PCHAT_SMB_PASSWORD: samba.users.admin.password, PCHAT_SQL_PASSWORD: SQL_PASSWORD });
  // Publish-Topology takes one -Credential for every file store: give the four servers the same password.
  for (const s of sambas.slice(1)) await setPassword(s, admin.name, admin.password);
  for (const s of sambas.slice(1)) s.users.admin.password = admin.password;

  // ---- the topologies, defined once with the CLI (placeholder ports and shares) ----------------
  progress('defining the templates with the CLI');
  const oneTemplate = await defineWithCli(await freshRepo('tmpl1'), {
    stores: [{ host: SQL[0], port: 40001 }],
    pools: [{ fqdn: 'pool01.pchat.test', computers: ['chat01.pchat.test', 'chat02.pchat.test'], store: SQL[0], fs: FS[0], share: 'tmplshare' }],
  });
  const twentyStores = [];
  const twentyPools = [];
  for (let i = 0; i < POOLS; i++) {
    const host = SQL[Math.floor(i / INSTANCES_PER_HOST)];
    const inst = `INST${(i % INSTANCES_PER_HOST) + 1}`;
    twentyStores.push({ host, instance: inst, port: 40001 + i });
    const computers = i % 2 === 0 ? [`chat${pad(2 * i + 1)}.pchat.test`, `chat${pad(2 * i + 2)}.pchat.test`] : [`chat${pad(2 * i + 1)}.pchat.test`];
    // 5 pools per share: pools 1-5 on fs01, 6-10 on fs02, ...
    twentyPools.push({ fqdn: `pool${pad(i + 1)}.pchat.test`, computers, store: `${host}\\${inst}`, fs: FS[Math.floor(i / 5)], share: 'tmplshare' });
  }
  const twentyTemplate = await defineWithCli(await freshRepo('tmpl20'), { stores: twentyStores, pools: twentyPools });

  // ---- worlds: fresh shares, peers and repository, topology written with the library ----------
  /** Writes `template` into a fresh repository with the run's ports (by store identity) and shares (by server). */
  async function writeTopology(template, portOf, shareOf, tag) {
    const repo = await freshRepo(tag);
    const t = structuredClone(template);
    for (const s of t.sqlStores) s.port = portOf(s.sqlServerFqdn, s.sqlInstance ?? null);
    for (const f of t.fileStores) if (f.fileServerFqdn) f.share = shareOf(f.fileServerFqdn);
    for (const p of t.persistentChatPools) {
      const m = /^\\\\([^\\]+)\\/.exec(p.fileStore);
      if (m) p.fileStore = `\\\\${m[1]}\\${shareOf(m[1])}`;
    }
    await new Repository(repo).update((topology) => void Object.assign(topology, t), { create: true, product: t.product });
    return repo;
  }

  async function oneWorld(tag) {
    const [share, peer] = [await freshShare(sambas[0]), await startPeer(ip[SQL[0]])];
    const repo = await writeTopology(oneTemplate, () => peer.port, () => share, tag);
    return { repo, share, peer, peers: [peer], env: envFor(repo) };
  }

  async function twentyWorld() {
    const shares = {};
    for (let k = 0; k < FS.length; k++) shares[FS[k]] = await freshShare(sambas[k]);
    const peers = {};
    for (const s of twentyStores) peers[`${s.host}\\${s.instance}`] = await startPeer(ip[s.host], s.instance);
    const repo = await writeTopology(twentyTemplate, (host, inst) => peers[`${host}\\${inst}`].port, (fs) => shares[fs], 'p20');
    return { repo, shares, peers: Object.values(peers), env: envFor(repo) };
  }

  const SQL_CRED = ['-SqlCredential', 'pchatadmin', '-TrustServerCertificate'];
  // BENCH_PUBLISH_ARGS adds parameters to every Publish-Topology (e.g. '-ThrottleLimit 16'), to see what they change.
  const extra = (process.env.BENCH_PUBLISH_ARGS ?? '').split(/\s+/).filter(Boolean);
  const publishArgs = ['Publish-Topology', '-Credential', admin.name, ...SQL_CRED, '-Force', ...extra];

  /** Publishes, checks that every step really ran, and returns the time and the result. */
  async function publish(w, pools) {
    const r = await pchat(publishArgs, w.env);
    const res = r.objects[0];
    if (res?.Status !== 'Published') throw new Error(`publish did not publish: ${JSON.stringify(res)?.slice(0, 2000)}`);
    const notDone = res.Steps.filter((s) => s.Status !== 'Done');
    if (notDone.length) throw new Error(`steps not Done: ${JSON.stringify(notDone)}`);
    const created = w.peers.flatMap((p) => p.created);
    if (created.length !== pools || created.some((d) => d !== 'mgc')) throw new Error(`databases created: ${created.join(',')}`);
    return { ms: r.ms, result: res };
  }

  /**
   * One publish with -Verbose (not counted): stderr lines timed as they arrive give the phases; `times`
   * in a wrapping sh gives the CPU of the command and every Samba tool it ran; /proc gives the smbd
   * servers' CPU (with their reaped per-connection children); process.cpuUsage() the TDS peers' (this process).
   */
  async function phaseRun(w, pools) {
    const srv0 = sambaCpuMs();
    const self0 = process.cpuUsage();
    const stat0 = machineCpu();
    const t0 = performance.now();
    const lines = [];
    const child = spawn('/bin/sh', ['-c', '"$0" "$@" </dev/null; rc=$?; times >&2; exit $rc', PCHAT, ...publishArgs, '-Verbose'], {
      env: { ...process.env, ...w.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    const killer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    let out = '';
    let buf = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      const at = performance.now() - t0;
      buf += d;
      for (let k; (k = buf.indexOf('\n')) >= 0; buf = buf.slice(k + 1)) lines.push({ at, text: buf.slice(0, k) });
    });
    const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(killer);
    running.delete(child);
    const wall = performance.now() - t0;
    const self = process.cpuUsage(self0);
    const srv = sambaCpuMs() - srv0;
    const stat1 = machineCpu();
    await stopPeers(w.peers);
    if (code !== 0) throw new Error(`publish -Verbose exited ${code}: ${lines.map((l) => l.text).join('\n')}`);
    const result = JSON.parse(out.trim().split('\n')[0]);
    const created = w.peers.flatMap((x) => x.created).length;
    if (result.Status !== 'Published' || created !== pools) throw new Error(`publish -Verbose: ${result.Status}, ${created} databases`);
    const find = (re) => lines.find((l) => re.test(l.text))?.at;
    const findLast = (re) => [...lines].reverse().find((l) => re.test(l.text))?.at;
    const times = lines.map((l) => /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(l.text.trim())).filter(Boolean);
    const shTimes = times.at(-1);
    const clientCpu = shTimes ? (Number(shTimes[1]) * 60 + Number(shTimes[2]) + Number(shTimes[3]) * 60 + Number(shTimes[4])) * 1000 : NaN;
    const started = find(/Publish-Topology started/);
    const probesDone = find(/^VERBOSE: (Passed|Warning|Failed|Skipped): /);
    const lastStep = findLast(/^VERBOSE: (Create folder|Set permissions on|Create database) .* on .*: /);
    return {
      wall,
      phases: [
        ['Node start, CLI load, parameter binding', started],
        ['repository read, rules, plan, probes (concurrent)', probesDone - started],
        ['folders, permissions, databases (pools concurrent)', lastStep - probesDone],
        ['published revision written, output, exit', wall - lastStep],
      ],
      cpu: { client: clientCpu, smbd: srv, peers: (self.user + self.system) / 1000, machineBusy: machineBusyMs(stat0, stat1) },
    };
  }

  // ---- checks once: the written topologies are clean, and the probes pass ----------------------
  {
    progress('checking the written topologies with Test-Topology');
    const w1 = await oneWorld('chk1');
    const t1 = await pchat(['Test-Topology'], w1.env);
    const w20 = await twentyWorld();
    const t20 = await pchat(['Test-Topology'], w20.env);
    for (const [name, t] of [['one pool', t1], ['twenty pools', t20]]) {
      if (t.objects.some((f) => f.Severity === 'Error')) throw new Error(`Test-Topology (${name}): ${JSON.stringify(t.objects)}`);
      if (t.objects.length) progress(`Test-Topology (${name}): ${t.objects.map((f) => `${f.Severity} ${f.Rule ?? ''} ${f.Message ?? ''}`).join('; ')}`);
    }
    // Warm-up (file cache, samba-dcerpcd spawned by the first LSA lookups on each server): one publish of each, not counted.
    progress('warm-up: one publish of each world (not counted)');
    await publish(w1, 1);
    await publish(w20, POOLS);
    await stopPeers([...w1.peers, ...w20.peers]);
  }

  // ---- the floor, one pool and twenty pools, interleaved so that machine load hits them alike -----
  const floorSql = [];
  const floorFile = [];
  const onePool = [];
  const twenty = [];
  let oneResult;
  let twentyResult;
  for (let i = 0; i < RUNS; i++) {
    progress(`run ${i + 1}/${RUNS}: floor, one pool${i < RUNS20 ? ', twenty pools' : ''}`);
    // The floor on its own fresh world (a fresh share and peer, the repository set as the user has it), so
    // that neither warms the other's share or peer.
    const f = await oneWorld('floor');
    const sqlRun = await pchat(['Test-SqlStore', '-SqlServerFqdn', SQL[0], '-Port', String(f.peer.port), ...SQL_CRED], f.env);
    const fileRun = await pchat(['Test-FileStore', '-Path', `\\\\${FS[0]}\\${f.share}`, '-Credential', admin.name], f.env);
    for (const [name, r] of [['Test-SqlStore', sqlRun], ['Test-FileStore', fileRun]]) {
      if (!r.objects.length || r.objects.some((o) => o.Status === 'Failed')) throw new Error(`${name} failed: ${JSON.stringify(r.objects)}`);
    }
    floorSql.push(sqlRun.ms);
    floorFile.push(fileRun.ms);
    await stopPeers(f.peers);

    const w = await oneWorld('one');
    const p = await publish(w, 1);
    onePool.push(p.ms);
    oneResult = p.result;
    await stopPeers(w.peers);

    if (i < RUNS20) {
      const w20 = await twentyWorld();
      const p20 = await publish(w20, POOLS);
      twenty.push(p20.ms);
      twentyResult = p20.result;
      await stopPeers(w20.peers);
    }
  }
  // DNS: the checks Publish-Topology runs for the pool and its computers, in process.
  const dnsMs = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await Promise.all(['pool01.pchat.test', 'chat01.pchat.test', 'chat02.pchat.test'].map((h) => dnsCheck(h, h, 5000)));
    dnsMs.push(performance.now() - t0);
  }

  // ---- where the time goes: one more run of each (not counted) with -Verbose, lines timed on arrival,
  // and the CPU it cost: the command and its Samba tools, the smbd servers, the TDS peers (this process).
  progress('one more publish of each with -Verbose and CPU accounting (not counted)');
  const phasesOne = await phaseRun(await oneWorld('ph1'), 1);
  const phasesTwenty = await phaseRun(await twentyWorld(), POOLS);

  const nodeStart = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await execa(process.execPath, ['-e', '0'], { timeout: 30_000 });
    nodeStart.push(performance.now() - t0);
  }

  // ---- report ----------------------------------------------------------------------------------
  const sq = stats(floorSql);
  const fi = stats(floorFile);
  const floor = sq.median + fi.median;
  const one = stats(onePool);
  const tw = stats(twenty);
  const dns = stats(dnsMs);
  const ms = (x) => `${x.toFixed(0).padStart(6)} ms`;
  const mmm = (s) => `${ms(s.median)}  (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}, n=${s.n})`;
  const verdict = (ratio, target) => `${ratio.toFixed(2)}x (target <= ${target}x: ${ratio <= target ? 'met' : 'MISSED'})`;
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`Publish-Topology benchmark${extra.length ? ` (Publish-Topology ${extra.join(' ')})` : ''}: medians, Node ${process.version}, ${os.cpus().length} CPUs, load average ${load} (1/5/15 min)`);
  console.log(`  Samba on ${FS.map((h) => `${h} (${ip[h]})`).join(', ')}; TDS test peers on ${SQL.map((h) => ip[h]).join(', ')}; TLS (Mandatory + TrustServerCertificate)`);
  console.log('');
  console.log(`  floor: pchat Test-SqlStore (1 store)          ${mmm(sq)}`);
  console.log(`       + pchat Test-FileStore (1 share)         ${mmm(fi)}`);
  console.log(`       + DNS checks (3 names, in process)       ${ms(dns.median)}  (negligible: /etc/hosts; not added)`);
  console.log(`       = floor (sum of medians)                 ${ms(floor)}`);
  console.log(`  Publish-Topology, 1 pool                      ${mmm(one)}   vs floor ${verdict(one.median / floor, 1.5)}`);
  console.log(`  Publish-Topology, 20 pools (4 hosts x 5 instances, 4 shares)`);
  console.log(`                                                ${mmm(tw)}   vs 1 pool ${verdict(tw.median / one.median, 3)}`);
  console.log(`  node -e 0 (process start alone)               ${mmm(stats(nodeStart))}`);
  console.log('');
  printSteps('one pool (last counted run)', oneResult);
  printSteps('twenty pools (last counted run)', twentyResult);
  for (const [title, ph] of [['one pool', phasesOne], ['twenty pools', phasesTwenty]]) {
    console.log(`Phases of one more publish, ${title}, with -Verbose (not counted): ${ms(ph.wall)} wall`);
    for (const [name, d] of ph.phases) console.log(`  ${name.padEnd(52)} ${ms(d)}`);
    const c = ph.cpu;
    const total = c.client + c.smbd + c.peers;
    console.log(`  CPU: command + its Samba tools ${ms(c.client)}, smbd servers ${ms(c.smbd)}, TDS peers ${ms(c.peers)} = ${ms(total)}`);
    console.log(`       = ${(total / ph.wall).toFixed(2)} CPUs busy on average for this run; the whole machine (others' work included) used ${(c.machineBusy / ph.wall).toFixed(2)} of ${os.cpus().length}`);
    console.log('');
  }
} catch (e) {
  process.exitCode = 1;
  console.error(e instanceof Error ? e.stack : e);
} finally {
  await cleanup();
  clearTimeout(watchdog);
}

function printSteps(title, res) {
  const steps = res.Steps;
  console.log(`Steps of Publish-Topology, ${title}: DurationMs`);
  if (steps.length <= 8) {
    for (const s of steps) console.log(`  ${String(s.DurationMs).padStart(6)} ms  ${s.Status.padEnd(5)} ${s.Step} @ ${s.Target}`);
  } else {
    // Grouped by kind: count, sum, median, max (pools run ThrottleLimit at a time, so sums overlap).
    const kinds = new Map();
    for (const s of steps) {
      const kind = s.Step.replace(/ \S*PersistentChatService-\d+$/, ' <folder>').replace(/revision \d+/, 'revision N');
      kinds.set(kind, [...(kinds.get(kind) ?? []), s.DurationMs]);
    }
    for (const [k, d] of kinds) {
      console.log(`  ${k.padEnd(32)} x${String(d.length).padEnd(3)} sum ${ms0(d.reduce((a, b) => a + b, 0))}  median ${ms0(median(d))}  max ${ms0(Math.max(...d))}`);
    }
  }
  // The probes' rows (Checks): per target, the sum of its checks' DurationMs (checks of one target run in sequence).
  const byTarget = new Map();
  for (const c of res.Checks) byTarget.set(c.Target, (byTarget.get(c.Target) ?? 0) + (c.DurationMs ?? 0));
  const sql = [...byTarget].filter(([t]) => /sql/i.test(t));
  const file = [...byTarget].filter(([t]) => /^\\\\/.test(t));
  const dns = [...byTarget].filter(([t]) => !/sql/i.test(t) && !/^\\\\/.test(t));
  const line = (name, xs) => xs.length && console.log(`  probes: ${name.padEnd(10)} x${String(xs.length).padEnd(3)} sum of checks per target: median ${ms0(median(xs.map(([, d]) => d)))}  max ${ms0(Math.max(...xs.map(([, d]) => d)))}`);
  line('SQL store', sql);
  line('file store', file);
  line('DNS', dns);
  console.log('');
}
function ms0(x) {
  return `${x.toFixed(0).padStart(5)} ms`;
}

/** Defines a topology with the CLI as an administrator would, and returns the draft's topology. */
async function defineWithCli(repo, { stores, pools }) {
  const env = { PCHAT_REPOSITORY: repo };
  const steps = [
    ['New-Topology'],
    ['New-Site', '-Name', 'Redmond'],
    ['New-FrontEndPool', '-Fqdn', 'fepool.pchat.test', '-Site', 'Redmond', '-Computer', 'fe01.pchat.test'],
    ...stores.map((s) => ['New-SqlStore', '-SqlServerFqdn', s.host, ...(s.instance ? ['-SqlInstance', s.instance] : []), '-Port', String(s.port)]),
    ...pools.map((p, i) => [
      'New-PersistentChatPool', '-Fqdn', p.fqdn, '-Site', 'Redmond', '-Computer', p.computers.join(','), '-DisplayName', `Chat ${i + 1}`,
      '-NextHopPool', 'fepool.pchat.test', '-SqlStore', p.store, '-FileServerFqdn', p.fs, '-FileShare', p.share,
    ]),
  ];
  for (const s of steps) await pchat(s, env);
  return (await new Repository(repo).readDraft()).topology;
}

/** Sets a Samba account's password on one fixture server (smbpasswd against its own passdb). */
async function setPassword(samba, user, password) {
  await execa('smbpasswd', ['-c', samba.conf, '-s', user], { input: `${password}\n${password}\n`, timeout: 30_000 });
}

/** CPU (ms) of every live process run with one of the fixtures' smb.conf (smbd, its helpers), with their reaped children. */
function sambaCpuMs() {
  const confs = sambas.map((s) => s.conf);
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!confs.some((c) => cmdline.includes(c))) continue;
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
      // fields 14-17 of stat (utime stime cutime cstime) are 11-14 after the command name
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      /* gone meanwhile */
    }
  }
  return ticks * 10; // USER_HZ = 100 on Linux
}
function machineCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
}
function machineBusyMs(a, b) {
  return (b.total - a.total - (b.idle - a.idle)) * 10;
}
