// A real Samba server for tests: its own mkdtemp folder, its own loopback address 127.0.0.N
// on port 445 (smbcacls cannot use another port), real Unix users and groups mapped to the
// RTC groups and BUILTIN\Administrators with `net groupmap`, ACLs set with smbcacls, and
// smbd/samba-dcerpcd stopped by PID (never by name, never with --no-process-group). The users and groups
// are this run's own (test/support/run-id.ts), removed at its end. Installs nothing: npm test's set-up
// (test/support/setup.sh) installs samba, smbclient and samba-common-bin.
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, appendFile, readFile, readdir, rm, chmod, chown, open, stat, unlink } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { processAlive } from '../../lib/topology/temp-files.js';
import { removeAccountsAtExit, testAccountName } from './run-id.js';
import { skipSuite } from './skip.js';

const run = promisify(execFile);

export const DOMAIN_SID = 'S-1-5-21-1111111111-2222222222-3333333333';
export const NETBIOS = 'CONTOSO';

/** The RTC groups as domain groups with fixed RIDs, and the file server's Administrators. */
export const GROUPS = {
  RTCHSUniversalServices: { unix: testAccountName('hs'), sid: `${DOMAIN_SID}-1101` },
  RTCComponentUniversalServices: { unix: testAccountName('comp'), sid: `${DOMAIN_SID}-1102` },
  RTCUniversalServerAdmins: { unix: testAccountName('srvadm'), sid: `${DOMAIN_SID}-1103` },
  RTCUniversalConfigReplicator: { unix: testAccountName('repl'), sid: `${DOMAIN_SID}-1104` },
  Administrators: { unix: testAccountName('fsadm'), sid: 'S-1-5-32-544' },
} as const;
export type GroupName = keyof typeof GROUPS;

/**
 * The publish policy in smbcacls syntax, for the fixture's own tool to write (folders that already
 * have it, written without the code under test).
 */
export const POLICY_ACES = [
  `ACL:${GROUPS.RTCHSUniversalServices.sid}:ALLOWED/OI|CI/0x001301bf`,
  `ACL:${GROUPS.RTCComponentUniversalServices.sid}:ALLOWED/OI|CI/0x001301bf`,
  `ACL:${GROUPS.RTCUniversalServerAdmins.sid}:ALLOWED/OI|CI/0x001301bf`,
  `ACL:${GROUPS.Administrators.sid}:ALLOWED/OI|CI/FULL`,
  `ACL:${GROUPS.RTCUniversalConfigReplicator.sid}:ALLOWED/OI|CI/READ`,
];

/** Test accounts: the publisher (Administrators), a service account (Modify), a replicator (Read), and one to deny. */
export const USERS = {
  admin: { unix: testAccountName('admin'), groups: ['Administrators'] as GroupName[] },
  svc: { unix: testAccountName('svc'), groups: ['RTCHSUniversalServices'] as GroupName[] },
  reader: { unix: testAccountName('reader'), groups: ['RTCUniversalConfigReplicator'] as GroupName[] },
  denied: { unix: testAccountName('denied'), groups: ['RTCUniversalServerAdmins'] as GroupName[] },
} as const;
export type UserKey = keyof typeof USERS;

export interface FixtureUser {
  name: string;
  password: string;
  /** The account's own SID on this server. */
  sid: string;
  /** SIDs of the groups it is in (as the fixture mapped them). */
  groupSids: string[];
}

/** Why the Samba tests cannot run here, or undefined when they can. */
export function sambaMissing(): string | undefined {
  if (process.platform === 'win32') return 'Samba fixtures need Linux';
  if (process.getuid?.() !== 0) return 'Samba fixtures need root (smbd binds port 445, useradd)';
  for (const tool of ['smbd', 'smbclient', 'smbcacls', 'net', 'smbpasswd', 'pdbedit']) {
    const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
    if (r.status !== 0) return `${tool} is not installed (apt-get install samba smbclient samba-common-bin)`;
  }
  return undefined;
}

/**
 * The reason to skip `suite`, which needs Samba, or undefined to run it (test/support/skip.ts: said
 * once, listed in the run's summary, a failure in CI).
 */
export function sambaUnavailable(suite = 'a suite that needs Samba'): string | undefined {
  return skipSuite(suite, sambaMissing());
}

// ---- loopback addresses ------------------------------------------------------------------

/**
 * Machine-wide, not under os.tmpdir(): every run on this machine (each with its own TMPDIR) must see
 * the others' reservations. test/support/cleanup-run.ts removes it once no reservation is left.
 */
export const LOCK_DIR = '/tmp/pchat-test-loopback';


function portFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, ip, () => s.close(() => resolve(true)));
  });
}

export interface Loopback {
  ip: string;
  release(): Promise<void>;
  /** The same, for an exit handler. */
  releaseSync(): void;
}

/**
 * Reserves 127.0.0.N for this process: a lock file per N, stale locks of dead PIDs reclaimed.
 * Random servers take N in 2..99; 100 and above are the named test hosts of add-test-hosts.sh
 * (sqlNN, fsNN.pchat.test), which a test asks for by address (`ip`), waiting while another holds it.
 */
export async function allocateLoopback(port = 445, ip?: string, wait = true): Promise<Loopback> {
  await mkdir(LOCK_DIR, { recursive: true });
  const wanted = ip ? Number(ip.split('.').pop()) : undefined;
  const start = 2 + (randomBytes(1)[0]! % 98);
  const deadline = Date.now() + 60_000;
  for (let k = 0; wanted !== undefined || k < 98; k++) {
    const n = wanted ?? 2 + ((start - 2 + k) % 98);
    const lock = path.join(LOCK_DIR, `${n}.lock`);
    try {
      await mkdir(LOCK_DIR, { recursive: true }); // another run's clean-up may have removed it meanwhile
      const fh = await open(lock, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
    } catch {
      const owner = Number(await readFile(lock, 'utf8').catch(() => 'NaN'));
      // A lock made a moment ago may not hold its PID yet: it is taken, not stale.
      const fresh = await stat(lock).then((st) => Date.now() - st.mtimeMs < 2000, () => false);
      if ((Number.isFinite(owner) && owner > 0 && processAlive(owner)) || (fresh && !(owner > 0))) {
        if (wanted === undefined) continue;
        if (!wait) throw new Error(`127.0.0.${n} is reserved by process ${owner}`);
        if (Date.now() > deadline) throw new Error(`127.0.0.${n} stayed reserved by process ${owner}`);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      await unlink(lock).catch(() => {});
      k--; // retry the same N once it is reclaimed
      continue;
    }
    const addr = `127.0.0.${n}`;
    if (await portFree(addr, port)) {
      const releaseSync = () => rmSync(lock, { force: true });
      return { ip: addr, release: () => unlink(lock).catch(() => {}), releaseSync };
    }
    await unlink(lock).catch(() => {});
    if (wanted !== undefined) throw new Error(`${addr}:${port} is in use by another program`);
  }
  throw new Error('no free loopback address 127.0.0.2-99 for a test server');
}

// ---- accounts ----------------------------------------------------------------------------------

/** Runs useradd/groupadd, retrying while another test process holds /etc/passwd's lock. */
async function shadowTool(cmd: string, args: string[], okCodes: number[]): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status === 0 || okCodes.includes(r.status ?? -1)) return;
    if (r.status === 10 || /lock/i.test(r.stderr)) {
      await new Promise((res) => setTimeout(res, 50 + Math.random() * 100));
      continue;
    }
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  }
  throw new Error(`${cmd} ${args.join(' ')}: /etc/passwd stayed locked`);
}

async function ensureUnixAccounts(): Promise<void> {
  removeAccountsAtExit();
  for (const g of Object.values(GROUPS)) {
    if (spawnSync('getent', ['group', g.unix]).status !== 0) await shadowTool('groupadd', [g.unix], [9]);
  }
  for (const u of Object.values(USERS)) {
    const groups = u.groups.map((g) => GROUPS[g].unix);
    if (spawnSync('getent', ['passwd', u.unix]).status !== 0) {
      await shadowTool('useradd', ['-M', '-s', '/usr/sbin/nologin', '-G', groups.join(','), u.unix], [9]);
    } else {
      await shadowTool('usermod', ['-a', '-G', groups.join(','), u.unix], []);
    }
  }
}

// ---- the server --------------------------------------------------------------------------------

function globalSection(base: string, ip: string): string {
  return `[global]
  workgroup = WORKGROUP
  netbios name = ${NETBIOS}
  server role = standalone server
  security = user
  map to guest = never
  passdb backend = tdbsam:${base}/private/passdb.tdb
  private dir = ${base}/private
  lock directory = ${base}/lock
  state directory = ${base}/state
  cache directory = ${base}/cache
  pid directory = ${base}/pid
  ncalrpc dir = ${base}/ncalrpc
  log file = ${base}/log/log.%m
  max log size = 0
  log level = 1
  interfaces = ${ip}/8
  bind interfaces only = yes
  smb ports = 445
  disable netbios = yes
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  usershare path =
`;
}

function shareSection(name: string, dir: string): string {
  return `
[${name}]
  path = ${dir}
  read only = no
  vfs objects = acl_xattr
  acl_xattr:ignore system acls = yes
  map acl inherit = yes
  store dos attributes = yes
  nt acl support = yes
`;
}

export interface SambaFixture {
  ip: string;
  base: string;
  conf: string;
  users: Record<UserKey, FixtureUser>;
  /** A password that is nobody's (for the wrong-password case). */
  wrongPassword: string;
  addShare(name: string): Promise<string>;
  /** smbcacls as the admin account (or `user`); never throws, returns what it printed. */
  smbcacls(share: string, p: string, args: string[], user?: UserKey): Promise<{ stdout: string; stderr: string; code: number }>;
  /** smbclient -c as the admin account (or `user`). */
  smbclient(share: string, commands: string, user?: UserKey): Promise<{ stdout: string; stderr: string; code: number }>;
  mkdir(share: string, folder: string): Promise<void>;
  /** Replaces the DACL of `p` with `aces` (smbcacls ACE syntax) and optionally protects it from inheritance. */
  setAcl(share: string, p: string, aces: string[], opts?: { protect?: boolean }): Promise<void>;
  /** What `smbcacls -x` reports as Maximum access for `user` on `p`. */
  maximumAccess(share: string, p: string, user: UserKey): Promise<number>;
  running(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stop, then start again on the same address with the same accounts and shares. */
  restart(): Promise<void>;
  /** Everything smbd and its helpers logged (log level 1, and failed authentications: auth_audit:2). */
  logs(): Promise<string>;
  /** How many logons of `userName` the server refused for a wrong password, by its own log. */
  failedLogons(userName: string): Promise<number>;
  dispose(): Promise<void>;
}

/**
 * Starts smbd on a free 127.0.0.N, or on `opts.ip` (a named test host such as fs01.pchat.test), waiting
 * while another run holds it unless `opts.wait` is false (then it throws at once).
 */
export async function startSamba(opts: { ip?: string; wait?: boolean } = {}): Promise<SambaFixture> {
  const loop = await allocateLoopback(445, opts.ip, opts.wait ?? true);
  const ip = loop.ip;
  const base = await mkdtemp(path.join(tmpdir(), 'pchat-samba-'));
  await chmod(base, 0o755); // mkdtemp makes 0700: every user would get ACCESS_DENIED on the shares
  for (const d of ['private', 'lock', 'state', 'cache', 'pid', 'ncalrpc', 'log', 'shares']) await mkdir(path.join(base, d), { recursive: true });
  await chmod(path.join(base, 'shares'), 0o755);
  const conf = path.join(base, 'smb.conf');
  await writeFile(conf, globalSection(base, ip));
  await ensureUnixAccounts();

  await run('net', ['-s', conf, 'setlocalsid', DOMAIN_SID]);
  const users = {} as Record<UserKey, FixtureUser>;
  for (const [key, u] of Object.entries(USERS) as [UserKey, (typeof USERS)[UserKey]][]) {
    const password = 'Pw-' + randomBytes(9).toString('base64url');
    await new Promise<void>((resolve, reject) => {
      const p = spawn('smbpasswd', ['-c', conf, '-s', '-a', u.unix], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`smbpasswd ${u.unix}: ${err}`))));
      p.stdin.end(`${password}\n${password}\n`);
    });
    const info = await run('pdbedit', ['-s', conf, '-v', '-u', u.unix]);
    const sid = /User SID:\s*(S-[\d-]+)/.exec(info.stdout)?.[1];
    if (!sid) throw new Error(`no SID for ${u.unix}: ${info.stdout}`);
    users[key] = { name: u.unix, password, sid, groupSids: u.groups.map((g) => GROUPS[g].sid) };
  }
  for (const [name, g] of Object.entries(GROUPS)) {
    const args = name === 'Administrators'
      ? ['groupmap', 'add', `sid=${g.sid}`, `ntgroup=${name}`, `unixgroup=${g.unix}`, 'type=builtin']
      : ['groupmap', 'add', `ntgroup=${name}`, `unixgroup=${g.unix}`, 'type=domain', `rid=${g.sid.split('-').pop()}`];
    await run('net', ['-s', conf, ...args]);
  }

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const logPath = path.join(base, 'log', 'smbd.stdout');

  const fixture: SambaFixture = {
    ip,
    base,
    conf,
    users,
    wrongPassword: 'Wrong-' + randomBytes(9).toString('base64url'),
    async addShare(name) {
      const dir = path.join(base, 'shares', name);
      await mkdir(dir, { recursive: true });
      await chmod(dir, 0o777); // the kernel still checks POSIX modes as the connected uid
      const uid = Number((await run('id', ['-u', USERS.admin.unix])).stdout.trim());
      await chown(dir, uid, 0);
      // smbd rereads smb.conf when it changed, on the next connection.
      await appendFile(conf, shareSection(name, dir));
      return dir;
    },
    async smbcacls(share, p, args, user = 'admin') {
      return tool('smbcacls', [`//${ip}/${share}`, p, ...args, '-U', users[user].name], users[user].password);
    },
    async smbclient(share, commands, user = 'admin') {
      return tool('smbclient', [`//${ip}/${share}`, '-U', users[user].name, '-c', commands], users[user].password);
    },
    async mkdir(share, folder) {
      const r = await fixture.smbclient(share, `mkdir "${folder}"`);
      if (/NT_STATUS_(?!OBJECT_NAME_COLLISION)/.test(r.stdout + r.stderr)) throw new Error(`mkdir ${folder}: ${r.stdout}${r.stderr}`);
    },
    async setAcl(share, p, aces, opts = {}) {
      const r = await fixture.smbcacls(share, p, ['--set', aces.join(',')]);
      if (r.code !== 0 || /failed|not found/i.test(r.stdout)) throw new Error(`smbcacls --set on ${p}: ${r.stdout}${r.stderr}`);
      if (opts.protect) {
        const r2 = await fixture.smbcacls(share, p, ['-I', 'remove']);
        if (r2.code !== 0) throw new Error(`smbcacls -I remove on ${p}: ${r2.stdout}${r2.stderr}`);
      }
    },
    async maximumAccess(share, p, user) {
      const r = await fixture.smbcacls(share, p, ['-x'], user);
      const m = /Maximum access:\s*(0x[0-9a-f]+)/i.exec(r.stdout);
      if (!m) throw new Error(`no Maximum access for ${user} on ${p}: ${r.stdout}${r.stderr}`);
      return parseInt(m[1]!, 16) >>> 0;
    },
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    async start() {
      if (fixture.running()) return;
      const out = await open(logPath, 'a');
      // No --no-process-group: smbd would SIGTERM our whole process group when it stops.
      // auth_audit:2 logs every refused logon, so tests count what the server saw (failedLogons).
      child = spawn('smbd', ['-s', conf, '--foreground', '--debug-stdout', '--debuglevel=1 auth_audit:2'], { stdio: ['ignore', out.fd, out.fd] });
      const c = child;
      exited = new Promise((resolve) => c.once('exit', () => resolve()));
      await out.close();
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        if (!fixture.running()) throw new Error(`smbd exited during start-up: ${(await readFile(logPath, 'utf8')).slice(-2000)}`);
        if (await canConnect(ip, 445)) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`smbd did not listen on ${ip}:445 within 15 s`);
    },
    async stop() {
      if (child && fixture.running()) {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5000)))]);
        clearTimeout(timer);
        if (!killed) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      // samba-dcerpcd runs in its own session with PPID 1: stop it by the PID it wrote, then
      // its rpcd_* workers, found by our private smb.conf path on their command lines.
      stopByPidFile(path.join(base, 'pid', 'samba-dcerpcd.pid'));
      await stopStragglers(conf);
    },
    async restart() {
      await fixture.stop();
      await fixture.start();
    },
    async logs() {
      const dir = path.join(base, 'log');
      const files = await readdir(dir).catch(() => [] as string[]);
      const texts = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8').catch(() => '')));
      return texts.join('\n');
    },
    async failedLogons(userName) {
      // "Auth: [SMB2,(null)] user [WORKGROUP]\[name] at [...] with [NTLMv2] status [NT_STATUS_WRONG_PASSWORD] ..."
      const lines = (await fixture.logs()).split('\n').filter((l) => l.trim().startsWith('Auth: ') && l.includes(`\\[${userName}]`));
      return lines.filter((l) => /status \[NT_STATUS_(WRONG_PASSWORD|LOGON_FAILURE)\]/.test(l)).length;
    },
    async dispose() {
      await fixture.stop();
      process.removeListener('exit', emergencyStop);
      await rm(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      await loop.release();
    },
  };

  // If the test process exits without teardown, do not leave smbd holding the address, nor its folder.
  const emergencyStop = () => {
    if (child && fixture.running()) child.kill('SIGKILL');
    for (const pid of pidsMentioning(conf)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(base, { recursive: true, force: true });
    loop.releaseSync();
  };
  process.on('exit', emergencyStop);

  await fixture.start();
  return fixture;
}

function stopByPidFile(file: string): void {
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 1) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

/** PIDs of live (not zombie) processes whose command line mentions `needle`. */
function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      const state = /\) (\w)/.exec(readFileSync(`/proc/${d}/stat`, 'utf8'))?.[1];
      if (cmdline.includes(needle) && state !== 'Z') out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** SIGTERM, then SIGKILL after 3 s, every process still running with this fixture's smb.conf. */
async function stopStragglers(conf: string): Promise<void> {
  const deadline = Date.now() + 3000;
  let signal: NodeJS.Signals = 'SIGTERM';
  for (;;) {
    const pids = pidsMentioning(conf);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        /* gone */
      }
    }
    if (signal === 'SIGKILL') return;
    if (Date.now() > deadline) signal = 'SIGKILL';
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function tool(cmd: string, args: string[], password: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    // Password through the environment, as the product does; a hung call is killed after 20 s.
    execFile(cmd, args, { env: { ...process.env, PASSWD: password }, timeout: 20_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      resolve({ stdout: String(stdout), stderr: String(stderr), code: err ? (typeof err.code === 'number' ? err.code : -1) : 0 });
    });
  });
}

function canConnect(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: ip, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

// ---- a peer that accepts and never answers -------------------------------------------------

export interface SilentListener {
  ip: string;
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.N:445, accepts every connection and never sends a byte. */
export async function silentListener(): Promise<SilentListener> {
  const loop = await allocateLoopback();
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((s) => {
    count++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(445, loop.ip, () => resolve());
  });
  return {
    ip: loop.ip,
    port: 445,
    accepted: () => count,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await loop.release();
    },
  };
}
