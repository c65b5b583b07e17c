// Test-FileStore's probe: one CheckRow per check, in the order a client meets the obstacles.
// Later checks are Skipped (with the reason) when an earlier one makes them meaningless.
import { dnsCheck, tcpCheck } from '../net.js';
import type { CheckRow, CheckStatus } from '../types.js';
import { effectiveAccess, NETWORK_LOGON_SIDS } from '../dacl/access.js';
import { Mask, Right, describeMask, hasAll, hex, rightNames } from '../dacl/masks.js';
import { isCanonical, isInherited, isProtected, mergeNames, trustee, type SecurityDescriptor } from '../dacl/model.js';
import { comparePolicy, dangerousAces, loadPolicy } from '../dacl/policy.js';
import { advice } from './nt-status.js';
import { selectBackend } from './backend.js';
import { readFirst } from './first-logon.js';
import { DEFAULT_TIMEOUT_MS, type FileStoreTestOptions, type SecurityRead, type SmbBackend, type SmbTarget } from './types.js';

export const CHECK = {
  dns: 'Name resolution',
  tcp: 'TCP reachability',
  auth: 'Authentication',
  share: 'Share exists',
  folder: 'Folder exists',
  roundTrip: 'Write/read/rename/delete',
  dacl: 'DACL readable',
  rights: 'Effective rights',
  publish: 'Rights to publish',
  policy: 'Publish policy ACEs',
  dangerous: 'Dangerous ACEs',
} as const;

export const SMB_PORT = 445;

export function joinFolder(...parts: (string | undefined)[]): string {
  return parts
    .filter((p): p is string => !!p)
    .flatMap((p) => p.split(/[\\/]+/))
    .filter(Boolean)
    .join('\\');
}

export function uncLabel(t: Pick<SmbTarget, 'server' | 'share'>, folder = ''): string {
  return `\\\\${t.server}\\${t.share}${folder ? '\\' + folder : ''}`;
}

const since = (start: number) => Math.round(performance.now() - start);

/** The read (the logon), the round trip and the trustee names of the object, started together. */
function startCalls(backend: SmbBackend, target: SmbTarget, folder: string) {
  const sec = backend.readSecurity(target, folder);
  const rt = backend.roundTrip(target, folder);
  // A read that throws (a missing tool) is reported through `sec`; for the names it is just no SIDs.
  const names = backend.readNames(target, folder, sec.then((s) => (s.ok ? s.sd : undefined), () => undefined));
  // Awaited by the caller, or settled before it returns early.
  for (const p of [sec, rt, names]) p.catch(() => undefined);
  return { sec, rt, names };
}

export async function testFileStore(target: SmbTarget, opts: FileStoreTestOptions = {}, label = uncLabel(target)): Promise<CheckRow[]> {
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const folder = joinFolder(target.folder, opts.folder);
  const published = opts.published === true;
  const user = target.credential?.userName ?? 'the current identity';
  const rows: CheckRow[] = [];
  const order: string[] = [CHECK.dns, CHECK.tcp, CHECK.auth, CHECK.share, ...(folder ? [CHECK.folder] : []), CHECK.roundTrip, CHECK.dacl, CHECK.rights, CHECK.publish, CHECK.policy, CHECK.dangerous];
  const row = (check: string, status: CheckStatus, details: string, action = '', durationMs = 0): CheckRow => {
    const r: CheckRow = { Target: label, Check: check, Status: status, Details: details, RecommendedAction: action, DurationMs: durationMs };
    rows.push(r);
    return r;
  };
  const skipRest = (why: string) => {
    for (const c of order) if (!rows.some((r) => r.Check === c)) row(c, 'Skipped', `Not run: ${why}.`);
    return rows;
  };

  // The policy is read first: a broken policy file is the caller's error, not the server's.
  const policy = opts.policy ?? (await loadPolicy());

  // The backend's modules load while the name resolves and the port answers.
  const backendLoad = selectBackend();
  backendLoad.catch(() => undefined); // awaited below; unless DNS or TCP fail first
  const net = (async () => {
    rows.push(await dnsCheck(label, target.server, timeout));
    if (rows.at(-1)!.Status === 'Failed') return `${target.server} does not resolve`;
    rows.push(await tcpCheck(label, target.server, SMB_PORT, 'the SMB server (the Server service)', timeout));
    if (rows.at(-1)!.Status === 'Failed') return `TCP ${SMB_PORT} on ${target.server} is not reachable`;
    return undefined;
  })();
  // A backend that lets one logon per server go first (Samba's) starts its calls at once, beside the
  // name and port checks: they fail by themselves where those fail, and load meanwhile.
  const gating = backendLoad.then((b) => (b.gatesLogons ? b : undefined), () => undefined);
  const started = await Promise.race([gating, net.then((failure) => (failure ? undefined : gating))]);
  const calls = started && startCalls(started, target, folder);
  const netFailure = await net;
  if (netFailure) {
    if (calls) await Promise.allSettled([calls.sec, calls.rt, calls.names]);
    return skipRest(netFailure);
  }

  const backend = await backendLoad;
  let t0 = performance.now();
  // The first read is also the logon (a gating backend's calls already run; others wait here for
  // the server's first logon: first-logon.ts).
  const first = calls ? { sec: await calls.sec, early: calls.rt } : await readFirst(backend, target, folder, user);
  const { sec: firstRead, early } = first;
  let sec: SecurityRead = firstRead;
  const authMs = since(t0);
  const f0 = sec.failure;
  if (f0 && (f0.stage === 'connect' || f0.stage === 'timeout' || f0.stage === 'auth' || f0.stage === 'other')) {
    if (calls) await Promise.allSettled([calls.rt, calls.names]);
    row(CHECK.auth, 'Failed', `${user} could not open a session on ${target.server}: ${f0.status} (${f0.message})`, advice(f0, target.server, target.share, user), authMs);
    return skipRest('no SMB session');
  }
  row(CHECK.auth, 'Passed', `${user} has a session on ${target.server}`, '', authMs);
  if (f0?.stage === 'share') {
    if (calls) await Promise.allSettled([calls.rt, calls.names]);
    row(CHECK.share, 'Failed', `The share '${target.share}' does not exist on ${target.server} (${f0.status})`, advice(f0, target.server, target.share, user), 0);
    return skipRest(`the share '${target.share}' does not exist`);
  }
  row(CHECK.share, 'Passed', `${uncLabel(target)} exists and ${user} may connect to it`);

  // The object the remaining checks look at: the folder, or where publish will create it.
  let objectPath = folder;
  let folderMissing = false;
  if (folder) {
    if (f0?.stage === 'path') {
      folderMissing = true;
      t0 = performance.now();
      do {
        objectPath = objectPath.split('\\').slice(0, -1).join('\\');
        sec = await backend.readSecurity(target, objectPath);
      } while (sec.failure?.stage === 'path' && objectPath);
      row(
        CHECK.folder,
        published ? 'Failed' : 'Warning',
        published
          ? `${uncLabel(target, folder)} does not exist, but the pool is published: its chat files have nowhere to go`
          : `${uncLabel(target, folder)} does not exist yet; publish creates it (checks below look at ${uncLabel(target, objectPath)})`,
        published ? 'Run Publish-Topology again to recreate the folder and its permissions.' : '',
        since(t0),
      );
    } else row(CHECK.folder, 'Passed', `${uncLabel(target, folder)} exists`);
  }
  const where = uncLabel(target, objectPath);

  t0 = performance.now();
  const [rt, names, tokenSids] = await Promise.all([
    (early && objectPath === folder ? early : backend.roundTrip(target, objectPath)).then((r) => ({ r, ms: since(t0) })),
    calls && objectPath === folder ? calls.names : sec.ok ? backend.readNames(target, objectPath, sec.sd) : Promise.resolve(undefined),
    backend.tokenSids ? backend.tokenSids() : Promise.resolve(undefined),
  ]);

  // Write/read/rename/delete
  {
    const r = rt.r;
    const steps = (['write', 'rename', 'read', 'delete'] as const).map((s) => ({ s, o: r.steps[s] }));
    const bad = steps.find((x) => x.o && !x.o.ok);
    const leftovers = r.leftovers.length ? ` Left behind (remove by hand): ${r.leftovers.join(', ')}.` : '';
    if (r.failure && !bad) {
      row(CHECK.roundTrip, 'Failed', `The probe session failed: ${r.failure.status} (${r.failure.message}).${leftovers}`, advice(r.failure, target.server, target.share, user), rt.ms);
    } else if (bad) {
      const verb = { write: 'create a file', rename: 'rename a file', read: 'read a file back', delete: 'delete a file' }[bad.s];
      row(
        CHECK.roundTrip,
        'Failed',
        `${user} cannot ${verb} in ${where}: ${bad.o!.status ?? ''}${bad.o!.detail ? ` (${bad.o!.detail})` : ''}.${leftovers}`,
        `Grant ${user} Modify on ${where} (the Persistent Chat servers and publish need to create, change and delete files there).`,
        rt.ms,
      );
    } else {
      row(CHECK.roundTrip, 'Passed', `Created, renamed, read back and deleted ${r.probeName.split('\\').pop()} in ${where}`, '', rt.ms);
    }
  }

  // DACL readable
  let sd: SecurityDescriptor | undefined;
  if (sec.ok && sec.sd) {
    sd = names?.ok && names.sd ? mergeNames(sec.sd, names.sd) : sec.sd;
    const dacl = sd.dacl;
    const summary =
      dacl === null
        ? 'no DACL at all (everyone has full control)'
        : `${dacl.length} ACEs (${dacl.filter((a) => !isInherited(a)).length} explicit, ${dacl.filter(isInherited).length} inherited), inheritance ${isProtected(sd) ? 'disabled' : 'enabled'}, owner ${sd.owner ? trustee(sd.owner) : 'unknown'}`;
    if (dacl && !isCanonical(dacl)) {
      row(CHECK.dacl, 'Warning', `${where}: ${summary}; the ACEs are not in canonical order (explicit deny, explicit allow, inherited deny, inherited allow), so Windows evaluates them in an unusual order`, 'Reorder the ACEs (Explorer offers to when the Security tab opens), or let publish rewrite the folder\'s DACL.');
    } else row(CHECK.dacl, 'Passed', `${where}: ${summary}`);
  } else {
    const f = sec.failure!;
    row(CHECK.dacl, 'Failed', `Cannot read the DACL of ${where}: ${f.status} (${f.message})`, `Grant ${user} at least Read permissions (READ_CONTROL) on ${where}; publish must read and rewrite it.`);
  }

  // Effective rights (Modify to run) and rights to publish (WRITE_DAC)
  const token = [rt.r.accountSid, ...(tokenSids ?? []), ...NETWORK_LOGON_SIDS, ...(opts.accountSids ?? [])].filter((s): s is string => !!s);
  const computed = sd ? effectiveAccess(sd, token) : undefined;
  const rights = sec.maximumAccess ?? computed?.granted;
  const source = sec.maximumAccess !== undefined ? 'maximum access reported by the server' : `computed from the DACL for ${token.join(', ')}`;
  if (rights === undefined) {
    row(CHECK.rights, 'Failed', `${user} cannot read the permissions of ${where}, so it lacks READ_CONTROL and with it Modify`, `Grant ${user} Modify on ${where}.`);
    row(CHECK.publish, 'Failed', `${user} cannot read the permissions of ${where}; publish cannot set them`, `Grant ${user} Full control on ${where}, or publish as a member of the file server's Administrators.`);
  } else {
    const via = computed && computed.applied.length ? `; ACEs that apply to the SIDs known here: ${computed.applied.map((x) => `${trustee(x.ace)} ${x.ace.type} ${hex(x.ace.mask)}`).join(', ')}` : '';
    if (hasAll(rights, Mask.Modify)) {
      row(CHECK.rights, 'Passed', `${user} has ${describeMask(rights)} (${hex(rights)}) on ${where} (${source})${via}`);
    } else {
      row(
        CHECK.rights,
        'Failed',
        `${user} has ${describeMask(rights)} (${hex(rights)}) on ${where} (${source}); Modify needs also: ${rightNames(Mask.Modify & ~rights).join(', ')}${via}`,
        `Grant ${user} (or a group it is in) Modify on ${where}, and remove any deny ACE that takes those rights away.`,
      );
    }
    if (folderMissing) {
      if (rights & Right.AppendData) row(CHECK.publish, 'Passed', `${user} may create ${folder} in ${where} and, as its owner, set its DACL`);
      else row(CHECK.publish, 'Failed', `${user} may not create folders in ${where} (no add-subdirectory right), so publish cannot create ${folder}`, `Grant ${user} Full control on ${where}, or publish as a member of the file server's Administrators.`);
    } else if (hasAll(rights, Mask.FullControl)) {
      row(CHECK.publish, 'Passed', `${user} has Full control on ${where}: publish can set its DACL`);
    } else if (rights & Right.WriteDac) {
      row(CHECK.publish, 'Passed', `${user} has WRITE_DAC on ${where}: publish can set its DACL`);
    } else {
      row(
        CHECK.publish,
        'Failed',
        `${user} lacks WRITE_DAC on ${where} (has ${describeMask(rights)}): publish could not set the folder's permissions`,
        `Grant ${user} Full control on ${where}, or publish as a member of the file server's Administrators (domain.md 1.10, 3.3).`,
      );
    }
  }

  // The ACEs publish sets
  const notYet = published ? 'Failed' : 'Warning';
  if (folderMissing) {
    row(CHECK.policy, notYet, published ? `${uncLabel(target, folder)} is missing, so none of the ${policy.length} required ACEs are there` : `Publish will create ${uncLabel(target, folder)} with ${policy.length} ACEs: ${policy.map((p) => `${p.principal} ${typeof p.access === 'number' ? hex(p.access) : p.access}`).join(', ')}`, published ? 'Run Publish-Topology again.' : '');
  } else if (!sd) {
    row(CHECK.policy, notYet, `Cannot compare ${where} with the publish policy: its DACL is unreadable`, `Grant ${user} Read permissions on ${where}.`);
  } else {
    const cmp = comparePolicy(sd, policy);
    const extra = cmp.extra.length ? ` Other ACEs: ${cmp.extra.map((a) => `${trustee(a)} ${a.type} ${hex(a.mask)}`).join(', ')}.` : '';
    const namesNote = names?.ok ? '' : ' (trustee names could not be looked up; only SIDs were compared)';
    if (cmp.ok) row(CHECK.policy, 'Passed', `${where} has all ${policy.length} ACEs publish sets.${extra}`);
    else
      row(
        CHECK.policy,
        notYet,
        `${where} ${published ? 'has drifted from' : 'does not yet have'} the publish policy${namesNote}: ${cmp.findings.map((f) => `${f.principal} ${f.problem} (expected ${f.expected}; found ${f.actual})`).join('; ')}.${extra}`,
        published ? 'Run Publish-Topology again to reset the folder\'s permissions, or find out who changed them.' : 'Publish-Topology sets these ACEs; check that the groups exist in the domain.',
      );
  }

  // Anything that opens the folder to (almost) everybody
  if (!sd) {
    row(CHECK.dangerous, 'Warning', `Cannot look for dangerous ACEs on ${where}: its DACL is unreadable`, `Grant ${user} Read permissions on ${where}.`);
  } else {
    const d = dangerousAces(sd);
    const writers = d.filter((x) => x.level === 'write');
    const readers = d.filter((x) => x.level === 'read');
    const list = (xs: typeof d) => xs.map((x) => `${trustee(x.ace)} ${describeMask(x.ace.mask)} (${hex(x.ace.mask)}${isInherited(x.ace) ? ', inherited' : ''})`).join(', ');
    if (writers.length) row(CHECK.dangerous, 'Failed', `${where} lets everybody change, delete or re-permission chat files: ${list(writers)}`, `Remove the ACEs for ${[...new Set(writers.map((x) => trustee(x.ace)))].join(', ')} from ${where} (and from the share root if they are inherited).`);
    else if (readers.length) row(CHECK.dangerous, 'Warning', `${where} lets everybody read chat files: ${list(readers)}`, `Remove read access for ${[...new Set(readers.map((x) => trustee(x.ace)))].join(', ')} unless it is intended.`);
    else row(CHECK.dangerous, 'Passed', `No ACE on ${where} grants access to Everyone, Authenticated Users or other all-account groups`);
  }
  return rows;
}
