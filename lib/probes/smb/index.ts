// The SMB probe's public surface (architecture: probes take a target, never the topology).
// testFileStore for Test-FileStore and Publish-Topology's preflight; ensureFolder and
// applyPolicy for Publish-Topology's apply steps; readSecurityDescriptor for anyone.
import { ErrorRecord } from '../../cmdlet/errors.js';
import { isProtected, mergeNames, type SecurityDescriptor } from '../dacl/model.js';
import { loadPolicy, matchesPolicyExactly, policyAces, type RequiredAce } from '../dacl/policy.js';
import { selectBackend } from './backend.js';
import { joinFolder } from './filestore-test.js';
import { failureRecord } from './nt-status.js';
import type { SmbTarget } from './types.js';

export type { SmbTarget, FileStoreTestOptions, SmbBackend, SmbFailure, SecurityRead, RoundTripResult } from './types.js';
export { DEFAULT_TIMEOUT_MS } from './types.js';
export { testFileStore, CHECK, SMB_PORT, uncLabel, joinFolder } from './filestore-test.js';
export { backendName, selectBackend, BACKEND_ENV_VAR } from './backend.js';

/** The DACL, owner and control flags of `folder` (default target.folder, else the share root), with SIDs and names. */
export async function readSecurityDescriptor(target: SmbTarget, folder?: string): Promise<SecurityDescriptor> {
  const backend = await selectBackend();
  const p = joinFolder(folder ?? target.folder);
  const sec = await backend.readSecurity(target, p);
  if (!sec.ok || !sec.sd) throw failureRecord(sec.failure!, target, 'read the security descriptor', p);
  // Passing the SIDs just read lets the backend answer from its per-server name cache (publish reads
  // each folder twice per pool; without the cache every read was a name-resolving smbcacls call).
  const names = await backend.readNames(target, p, sec.sd);
  return names.ok && names.sd ? mergeNames(sec.sd, names.sd) : sec.sd;
}

/** Creates the pool's folder in the share (and any missing parents). */
export async function ensureFolder(target: SmbTarget, folder: string): Promise<'created' | 'exists'> {
  return (await selectBackend()).ensureFolder(target, joinFolder(target.folder, folder));
}

/**
 * Makes the folder's DACL exactly the policy's ACEs, protected from inheritance; 'unchanged'
 * when it already is. Reads the result back and fails when the server did not store it.
 */
export async function applyPolicy(target: SmbTarget, folder: string, policy?: RequiredAce[], opts: { justCreated?: boolean } = {}): Promise<'changed' | 'unchanged'> {
  const required = policy ?? (await loadPolicy());
  const p = joinFolder(target.folder, folder);
  // A folder created a moment ago only has inherited ACEs: reading them first would cost a call for nothing.
  if (!opts.justCreated) {
    const before = await readSecurityDescriptor(target, p);
    if (matchesPolicyExactly(before, required, isProtected(before))) return 'unchanged';
  }
  await (await selectBackend()).setDacl(target, p, policyAces(required));
  const after = await readSecurityDescriptor(target, p);
  if (!matchesPolicyExactly(after, required, isProtected(after))) {
    throw new ErrorRecord({
      errorId: 'FileStorePolicyNotApplied',
      category: 'InvalidResult',
      target: `\\\\${target.server}\\${target.share}\\${p}`,
      message: `The file server did not keep the DACL set on '${p}': it reads back differently from the policy.`,
      recommendedAction: 'Check the file system supports NT ACLs (Samba: vfs objects = acl_xattr) and nothing rewrites the permissions.',
    });
  }
  return 'changed';
}
