// One security-descriptor model for every source (smbcacls, smbclient, SDDL, icacls):
// owner, group, control flags and the DACL's ACEs with SID, name, type, flags and mask.
import { hex } from './masks.js';

export type AceType = 'Allowed' | 'Denied' | 'Other';

/** ACE header flags (MS-DTYP 2.4.4.1). */
export const AceFlag = {
  ObjectInherit: 0x1, // OI
  ContainerInherit: 0x2, // CI
  NoPropagateInherit: 0x4, // NP
  InheritOnly: 0x8, // IO
  Inherited: 0x10, // I / ID
} as const;

/** Security-descriptor control flags (MS-DTYP 2.4.6). */
export const Control = {
  OwnerDefaulted: 0x0001,
  GroupDefaulted: 0x0002,
  DaclPresent: 0x0004,
  DaclDefaulted: 0x0008,
  SaclPresent: 0x0010,
  SaclDefaulted: 0x0020,
  DaclTrusted: 0x0040,
  ServerSecurity: 0x0080,
  DaclAutoInheritReq: 0x0100,
  SaclAutoInheritReq: 0x0200,
  DaclAutoInherited: 0x0400,
  SaclAutoInherited: 0x0800,
  DaclProtected: 0x1000,
  SaclProtected: 0x2000,
  RmControlValid: 0x4000,
  SelfRelative: 0x8000,
} as const;

export interface Ace {
  /** The trustee's SID, when the source shows it (icacls shows names only). */
  sid?: string;
  /** The trustee's name as the source printed it (`CONTOSO\RTCHSUniversalServices`). */
  name?: string;
  type: AceType;
  /** Raw ACE type number for anything that is not a plain allow (0) or deny (1). */
  rawType?: number;
  flags: number;
  mask: number;
}

export interface SecurityDescriptor {
  revision?: number;
  control: number;
  owner?: { sid?: string; name?: string };
  group?: { sid?: string; name?: string };
  /** null: no DACL at all (a NULL DACL grants everyone everything). */
  dacl: Ace[] | null;
}

export function isInherited(a: Ace): boolean {
  return (a.flags & AceFlag.Inherited) !== 0;
}

/** An inherit-only ACE does not apply to the object it sits on. */
export function appliesToObject(a: Ace): boolean {
  return (a.flags & AceFlag.InheritOnly) === 0;
}

export function isProtected(sd: SecurityDescriptor): boolean {
  return (sd.control & Control.DaclProtected) !== 0;
}

/** The trustee as people read it: the name when known, else the SID. */
export function trustee(a: Pick<Ace, 'sid' | 'name'>): string {
  return a.name ?? a.sid ?? '?';
}

/** `explicit deny, explicit allow, inherited deny, inherited allow` rank of an ACE. */
function canonicalRank(a: Ace): number {
  return (isInherited(a) ? 2 : 0) + (a.type === 'Denied' ? 0 : 1);
}

/** True when the DACL is in the order Windows tools write (and Explorer expects). */
export function isCanonical(dacl: readonly Ace[]): boolean {
  for (let i = 1; i < dacl.length; i++) if (canonicalRank(dacl[i]!) < canonicalRank(dacl[i - 1]!)) return false;
  return true;
}

/** A stable sort into canonical order. */
export function canonicalOrder(dacl: readonly Ace[]): Ace[] {
  return dacl
    .map((a, i) => ({ a, i }))
    .sort((x, y) => canonicalRank(x.a) - canonicalRank(y.a) || x.i - y.i)
    .map((x) => x.a);
}

const FLAG_LETTERS: [number, string][] = [
  [AceFlag.ObjectInherit, 'OI'],
  [AceFlag.ContainerInherit, 'CI'],
  [AceFlag.NoPropagateInherit, 'NP'],
  [AceFlag.InheritOnly, 'IO'],
  [AceFlag.Inherited, 'I'],
];

/** `OI|CI|I`-style text for ACE flags (smbcacls' notation). */
export function formatAceFlags(flags: number): string {
  const parts = FLAG_LETTERS.filter(([b]) => flags & b).map(([, l]) => l);
  const rest = flags & ~FLAG_LETTERS.reduce((x, [b]) => x | b, 0);
  if (rest) parts.push('0x' + rest.toString(16));
  return parts.join('|') || '0x0';
}

/** One line per ACE, for Details columns and verbose logs. */
export function describeAce(a: Ace): string {
  return `${trustee(a)} ${a.type === 'Other' ? `type${a.rawType}` : a.type} ${formatAceFlags(a.flags)} ${hex(a.mask)}`;
}

/** The two descriptors list the same ACEs (type, mask, inheritance flags) in the same order, or both have no DACL. */
export function daclsAlign(x: SecurityDescriptor, y: SecurityDescriptor): boolean {
  const a = x.dacl;
  const b = y.dacl;
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((e, i) => e.type === b[i]!.type && e.mask === b[i]!.mask && (e.flags & 0x1f) === (b[i]!.flags & 0x1f));
}

/**
 * Puts names on a SID-only descriptor from a names-only one with the same ACEs in the same
 * order (smbcacls --numeric and its named form; Get-Acl SDDL and icacls). Returns the SID
 * descriptor unchanged when the two do not line up.
 */
export function mergeNames(withSids: SecurityDescriptor, withNames: SecurityDescriptor): SecurityDescriptor {
  const a = withSids.dacl;
  const b = withNames.dacl;
  const aligned = a !== null && b !== null && daclsAlign(withSids, withNames);
  return {
    ...withSids,
    owner: withSids.owner && { ...withSids.owner, name: withSids.owner.name ?? withNames.owner?.name },
    group: withSids.group && { ...withSids.group, name: withSids.group.name ?? withNames.group?.name },
    dacl: aligned ? a.map((x, i) => ({ ...x, name: x.name ?? b[i]!.name })) : a,
  };
}
