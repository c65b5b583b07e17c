// Test-FileStore's verdicts on what the calls read: the DACL, the account's rights, the ACEs publish
// sets, and anything dangerous. Apart from filestore-test.ts so that the DACL modules load while the
// SMB calls run, not before they start.
import type { CheckStatus } from '../types.js';
import { effectiveAccess, NETWORK_LOGON_SIDS } from '../dacl/access.js';
import { Mask, Right, describeMask, hasAll, hex, rightNames } from '../dacl/masks.js';
import { isCanonical, isInherited, isProtected, mergeNames, trustee, type SecurityDescriptor } from '../dacl/model.js';
import { comparePolicy, dangerousAces, requiredMask, type RequiredAce } from '../dacl/policy.js';
import { CHECK, uncLabel } from './filestore-test.js';
import type { SecurityRead, SmbTarget } from './types.js';

export interface VerdictInput {
  target: SmbTarget;
  /** The pool's folder; `where` labels the object the checks looked at (it, or where publish creates it). */
  folder: string;
  where: string;
  folderMissing: boolean;
  published: boolean;
  user: string;
  policy: RequiredAce[];
  comparePolicy: boolean;
  accountSids?: string[];
  sec: SecurityRead;
  names?: SecurityRead;
  /** The account as the server stamped it on the probe file. */
  accountSid?: string;
  tokenSids?: string[];
  /** A pool folder publish keeps at the policy: rights there come from the policy's groups, never from a grant publish would remove. */
  poolFolder: boolean;
}

/**
 * Where an account gets `need` on a pool folder: the policy's groups that have it. Publish rewrites the
 * folder's DACL to the policy on every run, so granting the account itself would not last.
 */
export function policyAdvice(policy: readonly RequiredAce[], user: string, need: 'Modify' | 'FullControl' | 'Read', where: string): string {
  const groups = policy.filter((r) => hasAll(requiredMask(r), Mask[need])).map((r) => r.principal);
  const what = { Modify: 'Modify', FullControl: 'Full control', Read: 'read access' }[need];
  if (!groups.length) return `No group of the publish policy has ${what} on ${where}; change the policy file (-PolicyFile, or PCHAT_FILESTORE_POLICY) if an account needs it.`;
  return `On a pool folder ${what} comes from the publish policy (${groups.join(', ')}), which publish re-applies, removing any other ACE: add ${user} to ${groups.length > 1 ? 'one of these groups' : 'that group'}, or test with an account that is in one.`;
}

type Row = (check: string, status: CheckStatus, details: string, action?: string) => unknown;

export function appendVerdicts(v: VerdictInput, row: Row): void {
  const { target, folder, where, folderMissing, published, user, policy, comparePolicy: compare, sec, names } = v;
  // What to do about a DACL the account cannot read: said alike on every row that needs to read it.
  const readAdvice = v.poolFolder ? policyAdvice(policy, user, 'Read', where) : `Grant ${user} at least Read permissions (READ_CONTROL) on ${where}; publish must read and rewrite it.`;
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
    row(CHECK.dacl, 'Failed', `Cannot read the DACL of ${where}: ${f.status} (${f.message})`, readAdvice);
  }

  // Effective rights (Modify to run) and rights to publish (WRITE_DAC)
  const token = [v.accountSid, ...(v.tokenSids ?? []), ...NETWORK_LOGON_SIDS, ...(v.accountSids ?? [])].filter((s): s is string => !!s);
  const computed = sd ? effectiveAccess(sd, token) : undefined;
  const rights = sec.maximumAccess ?? computed?.granted;
  const source = sec.maximumAccess !== undefined ? 'maximum access reported by the server' : `computed from the DACL for ${token.join(', ')}`;
  if (rights === undefined) {
    row(CHECK.rights, 'Failed', `${user} cannot read the permissions of ${where}, so it lacks READ_CONTROL and with it Modify`, v.poolFolder ? policyAdvice(policy, user, 'Modify', where) : `Grant ${user} Modify on ${where}.`);
    row(CHECK.publish, 'Failed', `${user} cannot read the permissions of ${where}; publish cannot set them`, v.poolFolder ? policyAdvice(policy, user, 'FullControl', where) : `Grant ${user} Full control on ${where}, or publish as a member of the file server's Administrators.`);
  } else {
    const via = computed && computed.applied.length ? `; ACEs that apply to the SIDs known here: ${computed.applied.map((x) => `${trustee(x.ace)} ${x.ace.type} ${hex(x.ace.mask)}`).join(', ')}` : '';
    if (hasAll(rights, Mask.Modify)) {
      row(CHECK.rights, 'Passed', `${user} has ${describeMask(rights)} (${hex(rights)}) on ${where} (${source})${via}`);
    } else {
      row(
        CHECK.rights,
        'Failed',
        `${user} has ${describeMask(rights)} (${hex(rights)}) on ${where} (${source}); Modify needs also: ${rightNames(Mask.Modify & ~rights).join(', ')}${via}`,
        v.poolFolder ? policyAdvice(policy, user, 'Modify', where) : `Grant ${user} (or a group it is in) Modify on ${where}, and remove any deny ACE that takes those rights away.`,
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
        v.poolFolder ? policyAdvice(policy, user, 'FullControl', where) : `Grant ${user} Full control on ${where}, or publish as a member of the file server's Administrators (see 'pchat help about_FileStorePolicy').`,
      );
    }
  }

  // The ACEs publish sets
  const notYet = published ? 'Failed' : 'Warning';
  if (!compare) {
    row(CHECK.policy, 'Skipped', `Not compared on ${where}: the publish policy applies to the pool folders, and publishing sets it on each.`);
  } else if (folderMissing) {
    row(CHECK.policy, notYet, published ? `${uncLabel(target, folder)} is missing, so none of the ${policy.length} required ACEs are there` : `Publish will create ${uncLabel(target, folder)} with ${policy.length} ACEs: ${policy.map((p) => `${p.principal} ${typeof p.access === 'number' ? hex(p.access) : p.access}`).join(', ')}`, published ? 'Run Publish-Topology again.' : '');
  } else if (!sd) {
    row(CHECK.policy, notYet, `Cannot compare ${where} with the publish policy: its DACL is unreadable`, readAdvice);
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
    row(CHECK.dangerous, 'Warning', `Cannot look for dangerous ACEs on ${where}: its DACL is unreadable`, readAdvice);
  } else {
    const d = dangerousAces(sd);
    const writers = d.filter((x) => x.level === 'write');
    const readers = d.filter((x) => x.level === 'read');
    const list = (xs: typeof d) => xs.map((x) => `${trustee(x.ace)} ${describeMask(x.ace.mask)} (${hex(x.ace.mask)}${isInherited(x.ace) ? ', inherited' : ''})`).join(', ');
    if (writers.length) row(CHECK.dangerous, 'Failed', `${where} lets everybody change, delete or re-permission chat files: ${list(writers)}`, `Remove the ACEs for ${[...new Set(writers.map((x) => trustee(x.ace)))].join(', ')} from ${where} (and from the share root if they are inherited).`);
    else if (readers.length) row(CHECK.dangerous, 'Warning', `${where} lets everybody read chat files: ${list(readers)}`, `Remove read access for ${[...new Set(readers.map((x) => trustee(x.ace)))].join(', ')} unless it is intended.`);
    else row(CHECK.dangerous, 'Passed', `No ACE on ${where} grants access to Everyone, Authenticated Users or other all-account groups`);
  }
}
