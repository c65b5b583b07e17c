// The SMB probe's public surface (architecture: probes take a target, never the topology).
// testFileStore for Test-FileStore and Publish-Topology's preflight; ensureFolder(s) and
// applyPolic(y|ies) for Publish-Topology's apply steps; readSecurityDescriptor for anyone.
import { ErrorRecord } from '../../cmdlet/errors.js';
// The DACL modules are imported where used: Test-FileStore starts its SMB calls before they load.
import type { SecurityDescriptor } from '../dacl/model.js';
import type { RequiredAce } from '../dacl/policy.js';
import { selectBackend } from './backend.js';
import { joinFolder } from './filestore-test.js';
import { failureRecord } from './nt-status.js';
import type { SmbBackend, SmbTarget } from './types.js';

export type { SmbTarget, FileStoreTestOptions, SmbBackend, SmbFailure, SecurityRead, RoundTripResult } from './types.js';
export { DEFAULT_TIMEOUT_MS } from './types.js';
export { testFileStore, CHECK, SMB_PORT, uncLabel, joinFolder } from './filestore-test.js';
export { backendName, selectBackend, BACKEND_ENV_VAR } from './backend.js';

/** The DACL, owner and control flags of `folder` (default target.folder, else the share root), with SIDs and names. */
export async function readSecurityDescriptor(target: SmbTarget, folder?: string): Promise<SecurityDescriptor> {
  const p = joinFolder(folder ?? target.folder);
  const r = (await readMany(target, [p])).get(p)!;
  if (r instanceof ErrorRecord) throw r;
  return r;
}

/** Creates the pool's folder in the share (and any missing parents). */
export async function ensureFolder(target: SmbTarget, folder: string): Promise<'created' | 'exists'> {
  const r = (await ensureFolders(target, [folder])).get(folder)!;
  if (r instanceof ErrorRecord) throw r;
  return r;
}

/** Has the file server resolve the policy's principals now (e.g. while its folders are being created), so setting DACLs needs no lookup. */
export async function resolvePolicyPrincipals(target: SmbTarget, policy?: RequiredAce[], given?: SmbBackend): Promise<void> {
  const backend = given ?? (await selectBackend());
  const { PUBLISH_POLICY, policyAces } = await import('../dacl/policy.js');
  const aces = policyAces(policy ?? PUBLISH_POLICY);
  await backend.resolveNames?.(target, aces.filter((a) => !a.sid && a.name).map((a) => a.name!));
}

/** Creates several folders of one share; one session when the backend can. Per folder: the outcome or the error. */
export async function ensureFolders(target: SmbTarget, folders: string[], backend?: SmbBackend): Promise<Map<string, 'created' | 'exists' | ErrorRecord>> {
  backend ??= await selectBackend();
  const paths = folders.map((f) => joinFolder(target.folder, f));
  const out = new Map<string, 'created' | 'exists' | ErrorRecord>();
  if (backend.ensureFolders) {
    const r = await backend.ensureFolders(target, paths);
    folders.forEach((f, i) => out.set(f, r.get(paths[i]!)!));
    return out;
  }
  for (const [i, f] of folders.entries()) out.set(f, await backend.ensureFolder(target, paths[i]!).catch((e: unknown) => (e instanceof ErrorRecord ? e : Promise.reject(e))));
  return out;
}

/** Removes a folder of the share that this run created and left empty (its DACL could not be set). */
export async function removeFolder(target: SmbTarget, folder: string, backend?: SmbBackend): Promise<void> {
  backend ??= await selectBackend();
  if (!backend.removeFolder) throw new ErrorRecord({ errorId: 'SmbRemoveUnsupported', category: 'NotImplemented', target: folder, message: `The ${backend.name} backend cannot remove folders.`, recommendedAction: `Remove '${folder}' by hand.` });
  await backend.removeFolder(target, joinFolder(target.folder, folder));
}

/** The descriptors (SIDs and names) of several folders of one share: one listing when the backend can, else one read each. */
async function readMany(target: SmbTarget, paths: string[], given?: SmbBackend): Promise<Map<string, SecurityDescriptor | ErrorRecord>> {
  const [backend, { mergeNames }] = await Promise.all([given ?? selectBackend(), import('../dacl/model.js')]);
  const listed = backend.readFolders && paths.length > 1 ? await backend.readFolders(target, paths) : new Map<string, SecurityDescriptor>();
  const out = new Map<string, SecurityDescriptor | ErrorRecord>();
  await Promise.all(
    paths.map(async (p) => {
      let sd = listed.get(p);
      if (!sd) {
        const sec = await backend.readSecurity(target, p);
        if (!sec.ok || !sec.sd) return void out.set(p, failureRecord(sec.failure!, target, 'read the security descriptor', p));
        sd = sec.sd;
      }
      // Passing the SIDs just read lets the backend answer from its per-server name cache.
      const names = await backend.readNames(target, p, sd);
      out.set(p, names.ok && names.sd ? mergeNames(sd, names.sd) : sd);
    }),
  );
  return out;
}

/**
 * Makes the folder's DACL exactly the policy's ACEs, protected from inheritance; 'unchanged'
 * when it already is. Reads the result back and fails when the server did not store it.
 */
export async function applyPolicy(target: SmbTarget, folder: string, policy?: RequiredAce[], opts: { justCreated?: boolean } = {}): Promise<'changed' | 'unchanged'> {
  const r = (await applyPolicies(target, [{ folder, justCreated: opts.justCreated }], policy)).get(folder)!;
  if (r instanceof ErrorRecord) throw r;
  return r;
}

/**
 * applyPolicy for several folders of one share: the reads before and after are one listing each
 * (when the backend can), the DACLs are set concurrently. Per folder: the outcome or the error.
 */
export async function applyPolicies(target: SmbTarget, items: { folder: string; justCreated?: boolean | undefined }[], policy?: RequiredAce[], given?: SmbBackend): Promise<Map<string, 'changed' | 'unchanged' | ErrorRecord>> {
  const [{ PUBLISH_POLICY, matchesPolicyExactly, policyAces }, { isProtected }] = await Promise.all([import('../dacl/policy.js'), import('../dacl/model.js')]);
  // No policy given: the built-in table. Which file is in force is the commands' decision (policyFileInForce), never made here.
  const required = policy ?? PUBLISH_POLICY;
  const backend = given ?? (await selectBackend());
  const out = new Map<string, 'changed' | 'unchanged' | ErrorRecord>();
  const pathOf = (f: string) => joinFolder(target.folder, f);
  // A folder created a moment ago only has inherited ACEs: reading them first would cost a call for nothing.
  const toRead = items.filter((i) => !i.justCreated).map((i) => i.folder);
  const before = await readMany(target, toRead.map(pathOf), backend);
  const toSet: string[] = [];
  for (const { folder } of items) {
    const b = before.get(pathOf(folder));
    if (b instanceof ErrorRecord) out.set(folder, b);
    else if (b && matchesPolicyExactly(b, required, isProtected(b))) out.set(folder, 'unchanged');
    else toSet.push(folder);
  }
  const set: string[] = [];
  await Promise.all(
    toSet.map((f) =>
      backend.setDacl(target, pathOf(f), policyAces(required)).then(
        () => void set.push(f),
        (e: unknown) => {
          if (!(e instanceof ErrorRecord)) throw e;
          out.set(f, e);
        },
      ),
    ),
  );
  const after = await readMany(target, set.map(pathOf), backend);
  for (const f of set) {
    const a = after.get(pathOf(f))!;
    if (a instanceof ErrorRecord) out.set(f, a);
    else if (matchesPolicyExactly(a, required, isProtected(a))) out.set(f, 'changed');
    else
      out.set(
        f,
        new ErrorRecord({
          errorId: 'FileStorePolicyNotApplied',
          category: 'InvalidResult',
          target: `\\\\${target.server}\\${target.share}\\${pathOf(f)}`,
          message: `The file server did not keep the DACL set on '${pathOf(f)}': it reads back differently from the policy.`,
          recommendedAction: 'Check the file system supports NT ACLs (Samba: vfs objects = acl_xattr) and nothing rewrites the permissions.',
        }),
      );
  }
  return new Map(items.map(({ folder }) => [folder, out.get(folder)!])); // in the caller's order
}
