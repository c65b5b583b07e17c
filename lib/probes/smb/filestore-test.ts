// Test-FileStore's probe: one CheckRow per check, in the order a client meets the obstacles.
// Later checks are Skipped (with the reason) when an earlier one makes them meaningless.
import { dnsCheck, tcpCheck } from '../net.js';
import type { CheckRow, CheckStatus } from '../types.js';
import { advice, CURRENT_IDENTITY } from './nt-status.js';
import { selectBackend } from './backend.js';
import { readFirst } from './first-logon.js';
import { DEFAULT_TIMEOUT_MS, type FileStoreTestOptions, type SecurityRead, type SmbBackend, type SmbFailure, type SmbTarget } from './types.js';
import type { RequiredAce } from '../dacl/policy.js';

export const CHECK = {
  dns: 'Name resolution',
  tcp: 'TCP reachability',
  auth: 'Authentication',
  share: 'Share exists',
  folder: 'Folder exists',
  poolFolders: 'Pool folders',
  principals: 'Policy principals',
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

/**
 * The SIDs of the policy's principals that are given by name only (well-known ones need no lookup);
 * undefined when the backend cannot look names up.
 */
async function lookupPrincipals(backend: SmbBackend, target: SmbTarget, policy: RequiredAce[]): Promise<Map<string, string | null> | SmbFailure | undefined> {
  const { sidFromWellKnownName } = await import('../dacl/sids.js');
  const names = [...new Set(policy.filter((r) => !r.sid && !sidFromWellKnownName(r.principal)).map((r) => r.principal))];
  if (!names.length) return new Map();
  return backend.lookupSids ? backend.lookupSids(target, names) : undefined;
}

export async function testFileStore(target: SmbTarget, opts: FileStoreTestOptions = {}, label = uncLabel(target)): Promise<CheckRow[]> {
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const folder = joinFolder(target.folder, opts.folder);
  const published = opts.published === true;
  const user = target.credential?.userName ?? CURRENT_IDENTITY;
  const rows: CheckRow[] = [];
  const poolFolders = opts.poolFolders ?? [];
  const setsPolicy = opts.setsPolicy ?? (!!folder && opts.comparePolicy !== false);
  const order: string[] = [CHECK.dns, CHECK.tcp, CHECK.auth, CHECK.share, ...(folder ? [CHECK.folder] : []), ...(poolFolders.length ? [CHECK.poolFolders] : []), CHECK.roundTrip, CHECK.principals, CHECK.dacl, CHECK.rights, CHECK.publish, CHECK.policy, CHECK.dangerous];
  const row = (check: string, status: CheckStatus, details: string, action = '', durationMs = 0): CheckRow => {
    const r: CheckRow = { Target: label, Check: check, Status: status, Details: details, RecommendedAction: action, DurationMs: durationMs };
    rows.push(r);
    return r;
  };
  const skipRest = (why: string) => {
    for (const c of order) if (!rows.some((r) => r.Check === c)) row(c, 'Skipped', `Not run: ${why}.`);
    return rows;
  };

  // The caller reads the policy file in force (policyFileInForce); without one given, the built-in table.
  const policy = opts.policy ?? [...(await import('../dacl/policy.js')).PUBLISH_POLICY];

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
  const gating = backendLoad.then((b) => (b.startCalls ? b : undefined), () => undefined);
  const started = await Promise.race([gating, net.then((failure) => (failure ? undefined : gating))]);
  const calls = started?.startCalls?.(target, folder);
  const verdicts = import('./filestore-verdict.js');
  verdicts.catch(() => undefined); // awaited at the end, unless an earlier check ends the probe
  const netFailure = await net;
  if (netFailure) {
    if (calls) await Promise.allSettled([calls.sec, calls.rt, calls.names]);
    // A folder the backend cannot carry is the caller's error whatever the network says (whether or
    // not the calls had started before the name or the port failed).
    (await backendLoad.catch(() => undefined))?.assertPath?.(folder);
    return skipRest(netFailure);
  }

  const backend = await backendLoad;
  let t0 = calls?.startedAt ?? performance.now();
  // The first read is also the logon (a gating backend's calls already run; others wait here for
  // the server's first logon: first-logon.ts).
  const logonMs = calls?.logon.then(() => since(t0), () => since(t0));
  let sec: SecurityRead = calls ? await calls.sec : await readFirst(backend, target, folder);
  const authMs = logonMs ? await logonMs : since(t0);
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

  // What publish's steps need beyond the rights, asked beside the calls already running: that the
  // folders it creates are folders or not there yet, and that the policy's groups resolve to SIDs.
  // (The tested folder's own kind comes from the round trip's listing, when the backend lists it.)
  const kindPaths = poolFolders.map((f) => joinFolder(target.folder, f));
  const kinds = kindPaths.length && backend.pathKinds ? backend.pathKinds(target, kindPaths) : undefined;
  kinds?.catch(() => undefined);
  const principals = setsPolicy ? lookupPrincipals(backend, target, policy) : undefined;
  principals?.catch(() => undefined);

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
  if (poolFolders.length) {
    t0 = performance.now();
    const k = await kinds!.catch((e: unknown): SmbFailure => ({ stage: 'other', status: 'ERROR', message: e instanceof Error ? e.message : String(e) }));
    if (!(k instanceof Map)) {
      row(CHECK.poolFolders, 'Failed', `Cannot tell whether ${poolFolders.join(', ')} exist in ${uncLabel(target)}: ${k.status} (${k.message})`, advice(k, target.server, target.share, user), since(t0));
    } else {
      const files = poolFolders.filter((f) => k.get(joinFolder(target.folder, f)) === 'file');
      const say = (f: string) => `${f} ${k.get(joinFolder(target.folder, f)) === 'folder' ? 'exists' : 'does not exist yet (publish creates it)'}`;
      if (files.length) row(CHECK.poolFolders, 'Failed', `${files.map((f) => uncLabel(target, f)).join(', ')} ${files.length > 1 ? 'are files' : 'is a file'}, not a folder: publish cannot create the pool folder there`, `Move or rename ${files.length > 1 ? 'those files' : 'that file'} out of the way; publish then creates the folder.`, since(t0));
      else row(CHECK.poolFolders, 'Passed', poolFolders.map(say).join('; '), '', since(t0));
    }
  }
  const where = uncLabel(target, objectPath);
  // The folder publish keeps at the policy (the share root never is): advice names the policy's groups.
  const poolFolder = !!folder && !folderMissing && setsPolicy;

  // The calls already started look at the folder; when it turned out missing, its parent is asked anew.
  const ran = calls && objectPath === folder ? calls : undefined;
  t0 = ran?.startedAt ?? performance.now();
  const [rt, names, tokenSids] = await Promise.all([
    (ran ? ran.rt : backend.roundTrip(target, objectPath)).then((r) => ({ r, ms: since(t0) })),
    ran ? ran.names : sec.ok ? backend.readNames(target, objectPath, sec.sd) : Promise.resolve(undefined),
    backend.tokenSids ? backend.tokenSids() : Promise.resolve(undefined),
  ]);

  // A file where the pool folder goes: publish cannot create the folder, and nothing below applies.
  const folderRow = rows.find((r) => r.Check === CHECK.folder);
  const kind = folderRow && !folderMissing ? (rt.r.folderKind ?? (backend.pathKinds ? await backend.pathKinds(target, [folder]).then((k) => (k instanceof Map ? k.get(folder) : undefined), () => undefined) : undefined)) : undefined;
  if (folderRow && kind === 'file') {
    Object.assign(folderRow, { Status: 'Failed', Details: `${uncLabel(target, folder)} exists but is a file, not a folder: publish cannot create the pool folder there`, RecommendedAction: `Move or rename the file ${uncLabel(target, folder)} out of the way; publish then creates the folder.` });
    await Promise.allSettled([...(calls ? [calls.sec, calls.names] : []), ...(principals ? [principals] : [])]);
    return skipRest(`${uncLabel(target, folder)} is a file`);
  }

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
        poolFolder ? (await verdicts).policyAdvice(policy, user, 'Modify', where) : `Grant ${user} Modify on ${where} (the Persistent Chat servers and publish need to create, change and delete files there).`,
        rt.ms,
      );
    } else {
      row(CHECK.roundTrip, 'Passed', `Created, renamed, read back and deleted ${r.probeName.split('\\').pop()} in ${where}`, '', rt.ms);
    }
  }

  // Policy principals: setting the DACL sends SIDs, so every group must resolve on the file server.
  if (!principals) {
    row(CHECK.principals, 'Skipped', `Not checked on ${uncLabel(target)}: publish sets the policy on the pool folders, not on the share root (test a pool with -PoolFqdn).`);
  } else {
    t0 = performance.now();
    // A tool that is not installed (rpcclient) says how to install it.
    let howTo = '';
    const r = await principals.catch((e: unknown): SmbFailure => {
      howTo = (e as { recommendedAction?: string }).recommendedAction ?? '';
      return { stage: 'other', status: 'ERROR', message: e instanceof Error ? e.message : String(e) };
    });
    if (r === undefined) row(CHECK.principals, 'Skipped', `Not checked: the ${backend.name} backend cannot look names up.`);
    else if (!(r instanceof Map)) row(CHECK.principals, 'Failed', `Cannot look the policy's groups up on ${target.server}: ${r.status} (${r.message}); publish could not prove it can set the pool folder's permissions`, howTo || advice(r, target.server, target.share, user), since(t0));
    else {
      const missing = [...r].filter(([, sid]) => !sid).map(([n]) => n);
      const found = [...r].filter(([, sid]) => sid).map(([n, sid]) => `${n} (${sid})`);
      if (missing.length) {
        row(
          CHECK.principals,
          'Failed',
          `${target.server} cannot resolve ${missing.join(', ')} to a SID, so publish could not set the pool folder's permissions${found.length ? ` (${found.length === 1 ? 'the other group resolves' : `the other ${found.length} groups resolve`})` : ''}`,
          `Create or map ${missing.length > 1 ? 'these groups' : 'the group'} on ${target.server} (Windows: the domain group, which forest preparation creates, with the file server a member of that domain; Samba: net groupmap add ntgroup=${missing[0]} unixgroup=<group> type=domain), or correct the principal in the file store policy file (-PolicyFile, or PCHAT_FILESTORE_POLICY).`,
          since(t0),
        );
      } else row(CHECK.principals, 'Passed', found.length ? `${target.server} resolves every group of the publish policy: ${found.join(', ')}` : 'Every principal of the publish policy is given by its SID', '', since(t0));
    }
  }

  // The verdicts on the DACL need the DACL modules: loaded while the calls ran.
  const { appendVerdicts } = await verdicts;
  appendVerdicts({ target, folder, where, folderMissing, published, user, policy, comparePolicy: opts.comparePolicy !== false, accountSids: opts.accountSids, sec, names, accountSid: rt.r.accountSid, tokenSids, poolFolder }, row);
  return rows;
}
