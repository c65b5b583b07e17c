// The SMB backend for Linux and macOS: Samba's own smbclient, smbcacls and rpcclient (NTLMv2,
// Kerberos, signing, SMB3 encryption, LSA name lookups). The round trip is in samba-roundtrip.ts.
import { ErrorRecord } from '../../cmdlet/errors.js';
// The DACL modules (parsers, SDDL, policy) are imported where used, while the tools run: loading
// them first would only delay the first call.
import type { Ace, SecurityDescriptor } from '../dacl/model.js';
import { failureRecord, firstStatus, stageOf } from './nt-status.js';
import { aclPath, assertSafePath, clientPath, runFailure, runSambaTool, toolMessage } from './samba-exec.js';
import { roundTrip } from './samba-roundtrip.js';
import { DEFAULT_TIMEOUT_MS, type PathKind, type SecurityRead, type SmbBackend, type SmbFailure, type SmbTarget, type StartedCalls } from './types.js';

/** smbcacls' listing of `p`, with SIDs (`numeric`) or names, and the account's maximal access either way. */
async function readSecurityWith(target: SmbTarget, p: string, numeric: boolean): Promise<SecurityRead> {
  assertSafePath(p);
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const parser = import('../dacl/smbcacls.js');
  // -x on the named listing too: then one named read can stand for both (startCalls).
  const run = await runSambaTool('smbcacls', target, [aclPath(p), ...(numeric ? ['--numeric'] : []), '-x'], timeout);
  const failure = runFailure(run, timeout);
  if (failure) return { ok: false, failure };
  const { parseSmbcacls } = await parser;
  try {
    const listing = parseSmbcacls(run.stdout);
    return { ok: true, sd: listing.sd, ...(listing.maximumAccess === undefined ? {} : { maximumAccess: listing.maximumAccess }) };
  } catch (e) {
    return { ok: false, failure: { stage: 'other', status: 'UNPARSEABLE', message: `${(e as Error).message}: ${toolMessage(run)}` } };
  }
}

// SID -> name as the server resolved them, per server and account: shares of one file server
// mostly carry the same groups, so one named listing serves them all (16 shares: 17 calls, not 32).
const NAME_TTL_MS = 5 * 60_000;
interface NameEntry {
  names: Map<string, string>;
  at: number;
  /** A lookup under way: shares of this server wait for it rather than look up the same names. */
  pending?: Promise<void>;
}
const nameCache = new Map<string, NameEntry>();

/** Forgets every name looked up so far: what a new process starts with (benchmarks measure cold runs). */
export function forgetNames(): void {
  nameCache.clear();
}

function cacheKey(t: SmbTarget): string {
  return `${t.server.toLowerCase()}|${t.credential?.userName.toLowerCase() ?? ''}`;
}

function freshEntry(t: SmbTarget): NameEntry | undefined {
  const e = nameCache.get(cacheKey(t));
  return e && Date.now() - e.at <= NAME_TTL_MS ? e : undefined;
}

/** This server's fresh entry, or a new empty one in its place. */
function entryFor(t: SmbTarget): NameEntry {
  let e = freshEntry(t);
  if (!e) {
    e = { names: new Map(), at: Date.now() };
    nameCache.set(cacheKey(t), e);
  }
  return e;
}

/** Stores the names a named listing gave for the SIDs of the same DACL. */
async function remember(entry: NameEntry, withSids: SecurityDescriptor, withNames: SecurityDescriptor): Promise<void> {
  const { mergeNames } = await import('../dacl/model.js');
  const merged = mergeNames(withSids, withNames);
  for (const x of [merged.owner, merged.group, ...(merged.dacl ?? [])]) if (x?.sid) entry.names.set(x.sid, x.name ?? x.sid);
  entry.at = Date.now();
}

/** The names of `known`'s SIDs from the cache, or undefined when an ACE's is missing (owner and group may stay SIDs). */
function fromCache(t: SmbTarget, known: SecurityDescriptor): SecurityDescriptor | undefined {
  const c = freshEntry(t);
  if (!c || !(known.dacl ?? []).every((a) => !a.sid || c.names.has(a.sid))) return undefined;
  const name = (sid?: string) => (sid ? c.names.get(sid) : undefined);
  return {
    ...known,
    owner: known.owner && { name: name(known.owner.sid) },
    group: known.group && { name: name(known.group.sid) },
    dacl: known.dacl && known.dacl.map((a) => ({ ...a, sid: undefined, name: name(a.sid) })),
  };
}

/**
 * The DACL with trustee names. `known` is its SID form (or the read that yields it): when another
 * share of this server has looked names up, they may cover it, and no call is made. Otherwise a
 * named listing runs at once, beside the read of `known`.
 */
async function readNames(target: SmbTarget, p: string, known?: SecurityDescriptor | Promise<SecurityDescriptor | undefined>): Promise<SecurityRead> {
  let entry = freshEntry(target);
  // Another share of this server may be being looked up right now: its names may cover ours. One
  // lookup at a time: when it fails (its share is missing), the next share waiting takes over.
  while (known && entry) {
    if (entry.pending) {
      await entry.pending;
      entry = freshEntry(target);
      continue;
    }
    const k = await known;
    if (!k) return { ok: false, failure: { stage: 'other', status: 'NO_DESCRIPTOR', message: `the descriptor of '${p}' could not be read, so there is nothing to name` } };
    if (entry.pending) continue; // another share took over the lookup meanwhile
    const cached = fromCache(target, k);
    if (cached) return { ok: true, sd: cached };
    break;
  }
  entry = entryFor(target);
  let done: (() => void) | undefined;
  if (!entry.pending) entry.pending = new Promise<void>((r) => (done = r));
  try {
    const r = await readSecurityWith(target, p, false);
    const k = await known;
    if (r.ok && r.sd && k) await remember(entry, k, r.sd);
    return r;
  } finally {
    if (done) {
      entry.pending = undefined;
      done();
    }
  }
}

/**
 * Test-FileStore's calls on one object, started together. The first object of a server and account
 * needs its names looked up: its named listing (with maximal access) is then the logon, the names and
 * the rights at once, and the round trip's session lists the folder with SIDs, so one Samba process
 * (30-40 ms of CPU, most of it loading Samba's libraries) is saved against a numeric read beside a named one.
 */
function startCalls(target: SmbTarget, folder: string): StartedCalls {
  const startedAt = performance.now();
  const quiet = (c: StartedCalls) => {
    // Awaited by the caller, or settled before it returns early.
    for (const p of [c.sec, c.rt, c.names, c.logon]) p.catch(() => undefined);
    return c;
  };
  // The share root has no entry to list; a later object looks in the cache or waits for the lookup.
  if (!folder || freshEntry(target)) {
    const sec = readSecurityWith(target, folder, true);
    const rt = roundTrip(target, folder);
    // A read that throws (a missing tool) is reported through `sec`; for the names it is just no SIDs.
    const names = readNames(target, folder, sec.then((s) => (s.ok ? s.sd : undefined), () => undefined));
    return quiet({ sec, rt, names, logon: sec, startedAt });
  }
  let done!: () => void;
  const entry = entryFor(target);
  entry.pending = new Promise<void>((r) => (done = r));
  // Called first, so it takes the server's first logon; the session waits for it, loaded.
  const names = readSecurityWith(target, folder, false);
  const rt = roundTrip(target, folder);
  const sec = (async (): Promise<SecurityRead> => {
    const n = await names;
    if (!n.ok || !n.sd) return n;
    const listed = (await rt.catch(() => undefined))?.folderSd;
    const { daclsAlign } = await import('../dacl/model.js');
    // Unlisted (the account may not list the parent) or changed in between: the SIDs are read directly.
    const r: SecurityRead = listed && daclsAlign(listed, n.sd) ? { ok: true, sd: listed, ...(n.maximumAccess === undefined ? {} : { maximumAccess: n.maximumAccess }) } : await readSecurityWith(target, folder, true);
    if (r.ok && r.sd) await remember(entry, r.sd, n.sd);
    return r;
  })().finally(() => {
    entry.pending = undefined;
    done();
  });
  return quiet({ sec, rt, names, logon: names, startedAt });
}

/** Creates each folder (and its parents) in one smbclient session; per folder: created, exists, or why not. */
async function ensureFolders(target: SmbTarget, folders: string[]): Promise<Map<string, 'created' | 'exists' | ErrorRecord>> {
  folders.forEach(assertSafePath);
  const out = new Map<string, 'created' | 'exists' | ErrorRecord>();
  const wanted = folders.filter((f) => f.split('\\').some(Boolean));
  for (const f of folders) if (!wanted.includes(f)) out.set(f, 'exists');
  if (!wanted.length) return out;
  const levels = [...new Set(wanted.flatMap((f) => { const parts = f.split('\\').filter(Boolean); return parts.map((_, i) => clientPath(...parts.slice(0, i + 1))); }))];
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // The session gets the timeout once per folder: what the folders would have had one by one.
  const run = await runSambaTool('smbclient', target, ['-t', String(Math.max(1, Math.ceil(timeout / 1000))), '-c', levels.map((l) => `mkdir "${l}"`).join('; ')], timeout * wanted.length);
  const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n/);
  const f = runFailure(run, timeout);
  // Stopped by a signal (a terminal's Ctrl+C reaches the whole process group): which mkdirs ran is
  // unknown, so the folders are looked for; one that is not there was not created.
  const killed = run.exitCode === undefined && !run.timedOut && !run.cancelled && !run.notTried;
  const found = killed ? await readFolders(target, wanted) : undefined;
  for (const folder of wanted) {
    const last = clientPath(...folder.split('\\').filter(Boolean));
    // "NT_STATUS_... making remote directory \a\b": matched on the whole path, so \b never matches \a\b.
    const errLast = lines.find((l) => /NT_STATUS_/.test(l) && l.trim().endsWith(' ' + last));
    if (found && !errLast && !found.has(folder)) {
      out.set(folder, failureRecord({ stage: 'other', status: 'INTERRUPTED', message: 'smbclient was stopped before it created the folder' }, target, `create the folder '${folder}'`));
      continue;
    }
    if (!errLast) {
      out.set(folder, f && f.stage !== 'access' && f.stage !== 'path' && f.stage !== 'other' ? failureRecord(f, target, `create the folder '${folder}'`) : 'created');
      continue;
    }
    const status = firstStatus(errLast)!;
    out.set(folder, status === 'NT_STATUS_OBJECT_NAME_COLLISION' ? 'exists' : failureRecord({ stage: stageOf(status), status, message: errLast.trim() }, target, `create the folder '${folder}'`));
  }
  return out;
}

async function ensureFolder(target: SmbTarget, folder: string): Promise<'created' | 'exists'> {
  const r = (await ensureFolders(target, [folder])).get(folder)!;
  if (r instanceof ErrorRecord) throw r;
  return r;
}

/**
 * The security descriptors (SIDs only) of several folders of one share from one smbclient listing;
 * a folder the listing does not show (missing, not listable, the share root) is left out.
 */
async function readFolders(target: SmbTarget, folders: string[]): Promise<Map<string, SecurityDescriptor>> {
  folders.forEach(assertSafePath);
  const out = new Map<string, SecurityDescriptor>();
  // The listing names entries by their last segment: two folders ending alike would be confused.
  const base = (f: string) => f.split('\\').filter(Boolean).pop() ?? '';
  const counts = new Map<string, number>();
  folders.forEach((f) => counts.set(base(f).toLowerCase(), (counts.get(base(f).toLowerCase()) ?? 0) + 1));
  const listable = folders.filter((f) => base(f) && counts.get(base(f).toLowerCase()) === 1);
  if (!listable.length) return out;
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const script = ['showacls', ...listable.map((f) => `ls "${clientPath(...f.split('\\').filter(Boolean))}"`)].join('; ');
  const run = await runSambaTool('smbclient', target, ['-t', String(Math.max(1, Math.ceil(timeout / 1000))), '-c', script], timeout * listable.length);
  if (run.timedOut) return out;
  const { parseShowacls } = await import('../dacl/smbclient-showacls.js');
  const entries = parseShowacls(run.stdout);
  for (const f of listable) {
    const e = entries.find((x) => x.fileName.toLowerCase() === base(f).toLowerCase() && x.mode.includes('D'));
    if (e?.sd) out.set(f, e.sd);
  }
  return out;
}

/** Lookups in flight, per server, account and set of names. */
const lookups = new Map<string, Promise<void>>();

/** Names rpcclient's command line can carry (they go inside double quotes in one -c string). */
const LOOKUP_NAME = /^[\w .$-]+(\\[\w .$-]+)?$/;

/**
 * Each name's SID as the file server resolves it (rpcclient lookupnames, one call for them all), or
 * null when the server does not know it; the SIDs found go into the name cache, so setDacl sends SIDs.
 */
async function lookupSids(target: SmbTarget, names: string[]): Promise<Map<string, string | null> | SmbFailure> {
  const out = new Map<string, string | null>();
  const asked = names.filter((n) => LOOKUP_NAME.test(n));
  // A name with other characters cannot be asked about, and smbcacls could not set it either.
  for (const n of names) if (!asked.includes(n)) out.set(n, null);
  // Names a listing of this server already gave need no call (a folder that has the policy names them all).
  await freshEntry(target)?.pending;
  const cached = freshEntry(target);
  if (cached) {
    const { nameMatches } = await import('../dacl/policy.js');
    for (const n of asked) {
      const sids = [...cached.names].filter(([, name]) => nameMatches(name, n)).map(([sid]) => sid);
      if (sids.length === 1) out.set(n, sids[0]!);
    }
  }
  const unknown = asked.filter((n) => !out.has(n));
  if (!unknown.length) return out;
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const run = await runSambaTool('rpcclient', target, ['-c', `lookupnames ${unknown.map((n) => `"${n}"`).join(' ')}`], timeout);
  const text = `${run.stdout}\n${run.stderr}`;
  // Not one of them resolves: the call says so as a whole.
  if (!run.timedOut && !run.notTried && /NT_STATUS_NONE_MAPPED/.test(text)) {
    for (const n of unknown) out.set(n, null);
    return out;
  }
  const f = runFailure(run, timeout);
  if (f) return f;
  const entry = entryFor(target);
  const esc = (x: string) => x.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  for (const n of unknown) {
    // "RTCHSUniversalServices S-1-5-21-...-1101 (Domain Group: 2)"; an unknown name: "... S-0-0 (UNKNOWN: 8)".
    const sid = new RegExp(`^${esc(n)} (S-1-[\\d-]+) \\(`, 'mi').exec(run.stdout)?.[1]?.toUpperCase() ?? null;
    out.set(n, sid);
    // Names a listing already gave (domain-qualified) are kept: they read better.
    if (sid && !entry.names.has(sid)) entry.names.set(sid, n);
  }
  return out;
}

/** lookupSids for setDacl: concurrent folders of one server share one lookup; failures just leave names unresolved. */
async function lookupNames(target: SmbTarget, names: string[]): Promise<void> {
  const key = `${cacheKey(target)}#${names.map((n) => n.toLowerCase()).sort().join('|')}`;
  const inFlight = lookups.get(key);
  if (inFlight) return inFlight;
  // Without rpcclient (a Samba build that lacks it), setDacl sends names and the server resolves them.
  const job = lookupSids(target, names)
    .then(() => undefined, () => undefined)
    .finally(() => lookups.delete(key));
  lookups.set(key, job);
  return job;
}

/** What each path of the share is, from one smbclient session: `ls "\\a"` lists the entry itself. */
async function pathKinds(target: SmbTarget, paths: string[]): Promise<Map<string, PathKind> | SmbFailure> {
  paths.forEach(assertSafePath);
  const out = new Map<string, PathKind>();
  const parts = (p: string) => p.split('\\').filter(Boolean);
  const real = paths.filter((p) => parts(p).length);
  for (const p of paths) if (!parts(p).length) out.set(p, 'folder'); // the share root
  if (!real.length) return out;
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const run = await runSambaTool('smbclient', target, ['-t', String(Math.max(1, Math.ceil(timeout / 1000))), '-c', real.map((p) => `ls "${clientPath(...parts(p))}"`).join('; ')], timeout * real.length);
  const f = runFailure(run, timeout);
  // smbclient exits 1 when a listing finds nothing: that is an answer, not a failed session.
  if (f && f.stage !== 'path' && f.stage !== 'other' && f.stage !== 'access') return f;
  const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n/);
  const esc = (x: string) => x.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  for (const p of real) {
    const name = parts(p).at(-1)!;
    const err = lines.find((l) => /NT_STATUS_/.test(l) && l.trim().toLowerCase().endsWith(' ' + clientPath(...parts(p)).toLowerCase()));
    const entry = lines.map((l) => new RegExp(`^\\s+${esc(name)}\\s+([A-Z]*)\\s+\\d+\\s`, 'i').exec(l)).find(Boolean);
    if (entry) out.set(p, entry[1]!.includes('D') ? 'folder' : 'file');
    else if (!err || stageOf(firstStatus(err)!) === 'path') out.set(p, 'missing');
    else return { stage: stageOf(firstStatus(err)!), status: firstStatus(err)!, message: err.trim() };
  }
  return out;
}

/** Removes an empty folder of the share. */
async function removeFolder(target: SmbTarget, p: string): Promise<void> {
  assertSafePath(p);
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const run = await runSambaTool('smbclient', target, ['-t', String(Math.max(1, Math.ceil(timeout / 1000))), '-c', `rmdir "${clientPath(...p.split('\\').filter(Boolean))}"`], timeout);
  const status = firstStatus(`${run.stdout}\n${run.stderr}`);
  const f = runFailure(run, timeout) ?? (status ? { stage: stageOf(status), status, message: toolMessage(run) } : undefined);
  if (f) throw failureRecord(f, target, `remove the folder '${p}'`);
}
/**
 * `aces` with every SID filled in from this server's name cache, or undefined when a name is not
 * known there (or matches two SIDs): then the file server resolves the names itself.
 */
function withCachedSids(target: SmbTarget, aces: Ace[], nameMatches: (a: string, b: string) => boolean): Ace[] | undefined {
  const c = freshEntry(target);
  if (!c) return undefined;
  const out: Ace[] = [];
  for (const a of aces) {
    if (a.sid) {
      out.push(a);
      continue;
    }
    const sids = new Set([...c.names].filter(([, name]) => nameMatches(name, a.name ?? '')).map(([sid]) => sid));
    if (sids.size !== 1) return undefined;
    out.push({ ...a, sid: [...sids][0]! });
  }
  return out;
}

async function setDacl(target: SmbTarget, p: string, aces: Ace[]): Promise<void> {
  assertSafePath(p);
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const [{ nameMatches }, { Control }, { formatSddl }, { formatSmbcaclsAce }] = await Promise.all([
    import('../dacl/policy.js'),
    import('../dacl/model.js'),
    import('../dacl/sddl.js'),
    import('../dacl/smbcacls.js'),
  ]);
  // With every SID known (an earlier read on this server named them), one call sets the DACL and
  // protects it from inheritance: SDDL carries the P flag, the ACL syntax cannot.
  let bySid = withCachedSids(target, aces, nameMatches);
  if (!bySid) {
    await lookupNames(target, aces.filter((a) => !a.sid && a.name).map((a) => a.name!));
    bySid = withCachedSids(target, aces, nameMatches);
  }
  if (bySid) {
    const sddl = formatSddl({ control: Control.DaclProtected, dacl: bySid });
    const r = await runSambaTool('smbcacls', target, [aclPath(p), '--sddl', '--set', sddl], timeout);
    const f = runFailure(r, timeout);
    if (f) throw failureRecord(f, target, `set the DACL of '${p}'`);
    return;
  }
  const spec = aces.map((a) => formatSmbcaclsAce(a, a.sid ?? a.name)).join(',');
  const set = await runSambaTool('smbcacls', target, [aclPath(p), '--set', spec], timeout);
  const unresolved = /failed to convert '([^']+)' to SID/.exec(`${set.stdout}\n${set.stderr}`);
  if (unresolved) {
    throw new ErrorRecord({
      errorId: 'FileStorePrincipalNotFound',
      category: 'ObjectNotFound',
      target: unresolved[1]!,
      message: `The file server ${target.server} cannot resolve '${unresolved[1]}' to a SID, so its ACE cannot be set on '${p}'.`,
      recommendedAction: 'Check the group exists (forest preparation creates the RTC groups) and that the file server is a member of that domain, or fix the principal in the file store policy.',
    });
  }
  const f = runFailure(set, timeout);
  if (f) throw failureRecord(f, target, `set the DACL of '${p}'`);
  // --set keeps the control flags; protect the DACL so the parent's ACEs stop flowing in.
  const prot = await runSambaTool('smbcacls', target, [aclPath(p), '-I', 'remove'], timeout);
  const f2 = runFailure(prot, timeout);
  if (f2) throw failureRecord(f2, target, `protect the DACL of '${p}' from inheritance`);
}

export const sambaBackend: SmbBackend = {
  name: 'samba',
  assertPath: assertSafePath,
  startCalls,
  readSecurity: (t, p) => readSecurityWith(t, p, true),
  readNames,
  roundTrip,
  ensureFolder,
  ensureFolders,
  readFolders,
  resolveNames: lookupNames,
  lookupSids,
  pathKinds,
  removeFolder,
  setDacl,
};

