// The ACEs publish puts on the Persistent Chat folder of the file store, as ONE data table.
// Microsoft does not document Topology Builder's exact ACEs (shared/docs/domain.md, open
// question 5): this table is this tool's choice, following the share permissions the
// create-a-file-share page asks for (Administrators Full control, the RTC service and admin
// groups Change) plus Read & execute for the CMS replicators. Override it with a JSON file given by
// -PolicyFile or PCHAT_FILESTORE_POLICY (policyFileInForce): an array of { principal, sid?, access, inheritance? }.
import { readFile } from 'node:fs/promises';
import { AceFlag, appliesToObject, trustee, type Ace, type SecurityDescriptor } from './model.js';
import { Mask, WRITE_LIKE, describeMask, hex, mapGeneric } from './masks.js';
import { isBroadPrincipal, isSid, SID, sidFromWellKnownName } from './sids.js';
import { ErrorRecord } from '../../cmdlet/errors.js';

export type AccessLevel = 'FullControl' | 'Modify' | 'ReadAndExecute' | 'Read';

export const ACCESS_LEVELS: Record<AccessLevel, number> = {
  FullControl: Mask.FullControl,
  Modify: Mask.Modify,
  ReadAndExecute: Mask.ReadAndExecute,
  Read: Mask.Read,
};

export interface RequiredAce {
  /** The group as the file server resolves it: bare (`RTCHSUniversalServices`) or `DOMAIN\name`. */
  principal: string;
  /** Its SID when it is well known (matched before the name, since names may be localized). */
  sid?: string;
  access: AccessLevel | number;
  /** ACE flags; default OI|CI (this folder, subfolders and files). */
  inheritance?: number;
}

const THIS_FOLDER_SUBFOLDERS_FILES = AceFlag.ObjectInherit | AceFlag.ContainerInherit;

/** What publish grants on `<SiteId>-PersistentChatService-<Instance>` (see the header). */
export const PUBLISH_POLICY: readonly RequiredAce[] = Object.freeze([
  { principal: 'RTCHSUniversalServices', access: 'Modify' },
  { principal: 'RTCComponentUniversalServices', access: 'Modify' },
  { principal: 'RTCUniversalServerAdmins', access: 'Modify' },
  { principal: 'BUILTIN\\Administrators', sid: SID.Administrators, access: 'FullControl' },
  // "Read" in the issue; Read & execute (smbcacls READ) so replicators can also traverse subfolders.
  { principal: 'RTCUniversalConfigReplicator', access: 'ReadAndExecute' },
]);

export const POLICY_ENV_VAR = 'PCHAT_FILESTORE_POLICY';

export function requiredMask(r: RequiredAce): number {
  return typeof r.access === 'number' ? r.access >>> 0 : ACCESS_LEVELS[r.access];
}

export function requiredFlags(r: RequiredAce): number {
  return r.inheritance ?? THIS_FOLDER_SUBFOLDERS_FILES;
}

/** Checks and normalises a policy read from JSON. */
export function validatePolicy(value: unknown, source: string): RequiredAce[] {
  const bad = (why: string) =>
    new ErrorRecord({
      errorId: 'FileStorePolicyInvalid',
      category: 'InvalidData',
      target: source,
      message: `The file store policy in '${source}' is invalid: ${why}.`,
      recommendedAction: 'Give a JSON array of { "principal": "RTCHSUniversalServices", "access": "Modify" } entries (access: FullControl, Modify, ReadAndExecute, Read or a number).',
    });
  if (!Array.isArray(value) || value.length === 0) throw bad('it is not a non-empty array');
  return value.map((v, i) => {
    if (!v || typeof v !== 'object') throw bad(`entry ${i} is not an object`);
    const { principal, sid, access, inheritance } = v as Record<string, unknown>;
    if (typeof principal !== 'string' || !principal.trim()) throw bad(`entry ${i} has no principal`);
    if (sid !== undefined && (typeof sid !== 'string' || !isSid(sid))) throw bad(`entry ${i} has an invalid sid`);
    if (!(typeof access === 'number' || (typeof access === 'string' && access in ACCESS_LEVELS))) throw bad(`entry ${i} has an invalid access '${String(access)}'`);
    if (inheritance !== undefined && typeof inheritance !== 'number') throw bad(`entry ${i} has a non-numeric inheritance`);
    const r: RequiredAce = { principal: principal.trim(), access: access as AccessLevel | number };
    if (sid) r.sid = (sid as string).toUpperCase();
    if (inheritance !== undefined) r.inheritance = inheritance as number;
    return r;
  });
}

/**
 * The one place that decides which file store policy is in force, for Test-FileStore and
 * Publish-Topology alike (so a preflight proves exactly what publish applies): the -PolicyFile
 * parameter, else the file named by PCHAT_FILESTORE_POLICY, else (undefined) the built-in table.
 */
export function policyFileInForce(parameterFile?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return parameterFile || env[POLICY_ENV_VAR] || undefined;
}

/** How results, What if lines and messages name the policy: its file, or the built-in table. */
export function describePolicy(file: string | undefined): string {
  return file ? `the file store policy in '${file}'` : 'the built-in file store policy';
}

/** The ACEs of the policy file (see policyFileInForce), or PUBLISH_POLICY when there is none. */
export async function loadPolicy(file?: string): Promise<RequiredAce[]> {
  if (!file) return [...PUBLISH_POLICY];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ErrorRecord({
      errorId: 'FileStorePolicyNotFound',
      category: 'ObjectNotFound',
      target: file,
      message: `Cannot read the file store policy '${file}': ${(e as NodeJS.ErrnoException).code ?? e}.`,
      recommendedAction: `Check the path (given by -PolicyFile, else ${POLICY_ENV_VAR}), or give neither to use the built-in policy.`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw validatePolicyError(file, (e as Error).message);
  }
  return validatePolicy(json, file);
}

function validatePolicyError(source: string, why: string): ErrorRecord {
  return new ErrorRecord({
    errorId: 'FileStorePolicyInvalid',
    category: 'InvalidData',
    target: source,
    message: `The file store policy in '${source}' is not valid JSON: ${why}.`,
    recommendedAction: 'Fix the JSON, or unset the policy file to use the built-in policy.',
  });
}

/** Strips `DOMAIN\` and compares case-insensitively; a domain-qualified policy name must match exactly. */
export function nameMatches(aceName: string | undefined, principal: string): boolean {
  if (!aceName) return false;
  const a = aceName.toLowerCase();
  const p = principal.toLowerCase();
  if (p.includes('\\')) return a === p;
  return a === p || a.endsWith('\\' + p);
}

/** Does this ACE name the policy's principal (by SID when the policy has one, else by name)? */
export function aceMatches(a: Ace, r: RequiredAce): boolean {
  const sid = r.sid ?? sidFromWellKnownName(r.principal);
  if (sid && a.sid) return a.sid.toUpperCase() === sid.toUpperCase();
  return nameMatches(a.name, r.principal);
}

export interface PolicyFinding {
  principal: string;
  /** 'missing': no allow ACE; 'different': mask, inheritance or a deny differ from the policy. */
  problem: 'missing' | 'different';
  expected: string;
  actual: string;
}

export interface PolicyComparison {
  ok: boolean;
  findings: PolicyFinding[];
  /** ACEs that name no principal of the policy (publish removes them from the folder). */
  extra: Ace[];
}

/** Compares a folder's DACL with the policy: every required ACE present with the same rights and inheritance. */
export function comparePolicy(sd: SecurityDescriptor, policy: readonly RequiredAce[]): PolicyComparison {
  const dacl = sd.dacl ?? [];
  const findings: PolicyFinding[] = [];
  for (const r of policy) {
    const mine = dacl.filter((a) => aceMatches(a, r));
    const want = requiredMask(r);
    const wantFlags = requiredFlags(r);
    const expected = `Allowed ${describeMask(want)} (${hex(want)}), flags 0x${wantFlags.toString(16)}`;
    const allows = mine.filter((a) => a.type === 'Allowed' && appliesToObject(a));
    if (allows.length === 0) {
      findings.push({ principal: r.principal, problem: 'missing', expected, actual: mine.length ? mine.map(show).join('; ') : 'no ACE' });
      continue;
    }
    const mask = allows.reduce((m, a) => m | mapGeneric(a.mask), 0) >>> 0;
    const flagsOk = allows.some((a) => (a.flags & 0xf) === wantFlags);
    const denies = mine.filter((a) => a.type === 'Denied');
    if (mask !== want || !flagsOk || denies.length > 0) {
      findings.push({ principal: r.principal, problem: 'different', expected, actual: mine.map(show).join('; ') });
    }
  }
  const extra = dacl.filter((a) => !policy.some((r) => aceMatches(a, r)));
  return { ok: findings.length === 0, findings, extra };
}

function show(a: Ace): string {
  return `${a.type} ${describeMask(a.mask)} (${hex(a.mask)}), flags 0x${a.flags.toString(16)}`;
}

/** The DACL that applying the policy writes (explicit ACEs only; the folder is protected from inheritance). */
export function policyAces(policy: readonly RequiredAce[]): Ace[] {
  return policy.map((r) => ({ name: r.principal, ...(r.sid ? { sid: r.sid } : {}), type: 'Allowed' as const, flags: requiredFlags(r), mask: requiredMask(r) }));
}

/** True when the DACL is exactly the policy: one ACE per principal, nothing else, not inheriting. */
export function matchesPolicyExactly(sd: SecurityDescriptor, policy: readonly RequiredAce[], protectedDacl: boolean): boolean {
  if (!protectedDacl || !sd.dacl || sd.dacl.length !== policy.length) return false;
  return policy.every((r) => {
    const mine = sd.dacl!.filter((a) => aceMatches(a, r));
    return mine.length === 1 && mine[0]!.type === 'Allowed' && mine[0]!.mask === requiredMask(r) && mine[0]!.flags === requiredFlags(r);
  });
}

export interface DangerousAce {
  index: number;
  ace: Ace;
  /** 'write': can change or delete data or permissions; 'read': can read everything. */
  level: 'write' | 'read';
}

/**
 * Allow ACEs that reach (almost) every account: Everyone, Authenticated Users, Anonymous,
 * Network, BUILTIN\Users/Guests, Domain Users/Guests. A NULL DACL counts as Everyone:Full.
 */
export function dangerousAces(sd: SecurityDescriptor): DangerousAce[] {
  if (sd.dacl === null) return [{ index: -1, ace: { sid: SID.Everyone, name: 'Everyone (NULL DACL)', type: 'Allowed', flags: 0, mask: Mask.FullControl }, level: 'write' }];
  const out: DangerousAce[] = [];
  sd.dacl.forEach((ace, index) => {
    if (ace.type !== 'Allowed') return;
    const sid = ace.sid ?? (ace.name ? sidFromWellKnownName(ace.name) : undefined);
    if (!sid || !isBroadPrincipal(sid)) return;
    const m = mapGeneric(ace.mask);
    if (m & WRITE_LIKE) out.push({ index, ace, level: 'write' });
    else if (m & 0x1) out.push({ index, ace, level: 'read' });
  });
  return out;
}

export { trustee };
