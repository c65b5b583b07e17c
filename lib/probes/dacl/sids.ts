// Well-known SIDs, their English names and SDDL aliases (MS-DTYP 2.4.2.4). Names on a
// real server may be localized, so decisions are made on SIDs, names are for people.

export interface WellKnownSid {
  sid: string;
  name: string;
  sddl?: string;
}

export const SID = {
  Everyone: 'S-1-1-0',
  CreatorOwner: 'S-1-3-0',
  CreatorGroup: 'S-1-3-1',
  OwnerRights: 'S-1-3-4',
  Network: 'S-1-5-2',
  Interactive: 'S-1-5-4',
  Anonymous: 'S-1-5-7',
  AuthenticatedUsers: 'S-1-5-11',
  System: 'S-1-5-18',
  LocalService: 'S-1-5-19',
  NetworkService: 'S-1-5-20',
  Administrators: 'S-1-5-32-544',
  Users: 'S-1-5-32-545',
  Guests: 'S-1-5-32-546',
} as const;

const WELL_KNOWN: WellKnownSid[] = [
  { sid: 'S-1-0-0', name: 'NULL SID' },
  { sid: SID.Everyone, name: 'Everyone', sddl: 'WD' },
  { sid: 'S-1-2-0', name: 'LOCAL', sddl: 'LW' },
  { sid: SID.CreatorOwner, name: 'CREATOR OWNER', sddl: 'CO' },
  { sid: SID.CreatorGroup, name: 'CREATOR GROUP', sddl: 'CG' },
  { sid: SID.OwnerRights, name: 'OWNER RIGHTS', sddl: 'OW' },
  { sid: 'S-1-5-1', name: 'NT AUTHORITY\\DIALUP' },
  { sid: SID.Network, name: 'NT AUTHORITY\\NETWORK', sddl: 'NU' },
  { sid: 'S-1-5-3', name: 'NT AUTHORITY\\BATCH' },
  { sid: SID.Interactive, name: 'NT AUTHORITY\\INTERACTIVE', sddl: 'IU' },
  { sid: 'S-1-5-6', name: 'NT AUTHORITY\\SERVICE', sddl: 'SU' },
  { sid: SID.Anonymous, name: 'NT AUTHORITY\\ANONYMOUS LOGON', sddl: 'AN' },
  { sid: 'S-1-5-9', name: 'NT AUTHORITY\\ENTERPRISE DOMAIN CONTROLLERS', sddl: 'ED' },
  { sid: 'S-1-5-10', name: 'NT AUTHORITY\\SELF', sddl: 'PS' },
  { sid: SID.AuthenticatedUsers, name: 'NT AUTHORITY\\Authenticated Users', sddl: 'AU' },
  { sid: 'S-1-5-12', name: 'NT AUTHORITY\\RESTRICTED', sddl: 'RC' },
  { sid: SID.System, name: 'NT AUTHORITY\\SYSTEM', sddl: 'SY' },
  { sid: SID.LocalService, name: 'NT AUTHORITY\\LOCAL SERVICE', sddl: 'LS' },
  { sid: SID.NetworkService, name: 'NT AUTHORITY\\NETWORK SERVICE', sddl: 'NS' },
  { sid: SID.Administrators, name: 'BUILTIN\\Administrators', sddl: 'BA' },
  { sid: SID.Users, name: 'BUILTIN\\Users', sddl: 'BU' },
  { sid: SID.Guests, name: 'BUILTIN\\Guests', sddl: 'BG' },
  { sid: 'S-1-5-32-547', name: 'BUILTIN\\Power Users', sddl: 'PU' },
  { sid: 'S-1-5-32-548', name: 'BUILTIN\\Account Operators', sddl: 'AO' },
  { sid: 'S-1-5-32-549', name: 'BUILTIN\\Server Operators', sddl: 'SO' },
  { sid: 'S-1-5-32-550', name: 'BUILTIN\\Print Operators', sddl: 'PO' },
  { sid: 'S-1-5-32-551', name: 'BUILTIN\\Backup Operators', sddl: 'BO' },
  { sid: 'S-1-5-32-552', name: 'BUILTIN\\Replicator', sddl: 'RE' },
  { sid: 'S-1-5-32-555', name: 'BUILTIN\\Remote Desktop Users', sddl: 'RD' },
  { sid: 'S-1-5-32-556', name: 'BUILTIN\\Network Configuration Operators', sddl: 'NO' },
  { sid: 'S-1-5-80-0', name: 'NT SERVICE\\ALL SERVICES' },
  { sid: 'S-1-15-2-1', name: 'APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES', sddl: 'AC' },
];

/** SDDL aliases relative to the domain SID (`DU` is `<domain>-513`). */
const DOMAIN_RELATIVE: Record<string, number> = {
  RO: 498,
  LA: 500,
  LG: 501,
  DA: 512,
  DU: 513,
  DG: 514,
  DC: 515,
  DD: 516,
  CA: 517,
  SA: 518,
  EA: 519,
  PA: 520,
  CN: 522,
  RS: 553,
};

const BY_SID = new Map(WELL_KNOWN.map((w) => [w.sid, w]));
const BY_ALIAS = new Map(WELL_KNOWN.filter((w) => w.sddl).map((w) => [w.sddl!, w]));

export const SID_PATTERN = /^S-1-\d+(?:-\d+)+$/i;

export function isSid(s: string): boolean {
  return SID_PATTERN.test(s.trim());
}

export function wellKnownName(sid: string): string | undefined {
  return BY_SID.get(sid.toUpperCase())?.name;
}

/** Resolves an SDDL SID string: a literal SID, a well-known alias, or a domain-relative alias (needs `domainSid`). */
export function sidFromSddl(token: string, domainSid?: string): string {
  const t = token.trim();
  if (isSid(t)) return t.toUpperCase();
  const wk = BY_ALIAS.get(t.toUpperCase());
  if (wk) return wk.sid;
  const rid = DOMAIN_RELATIVE[t.toUpperCase()];
  if (rid !== undefined) {
    if (!domainSid) throw new Error(`SDDL alias ${t} needs the domain SID`);
    return `${domainSid}-${rid}`;
  }
  throw new Error(`unknown SDDL SID '${t}'`);
}

/** The SDDL alias of a SID when it has one, else the SID itself. */
export function sddlFromSid(sid: string): string {
  return BY_SID.get(sid.toUpperCase())?.sddl ?? sid.toUpperCase();
}

/** The well-known SID for a name (`Everyone`, `BUILTIN\Administrators`, `NT AUTHORITY\SYSTEM`), case-insensitive. */
export function sidFromWellKnownName(name: string): string | undefined {
  const n = name.trim().toLowerCase();
  for (const w of WELL_KNOWN) {
    const full = w.name.toLowerCase();
    if (full === n) return w.sid;
    // smbcacls prints "NT Authority\SYSTEM"; bare names ("Administrators") only for BUILTIN.
    const bare = full.includes('\\') ? full.split('\\')[1] : full;
    if (w.name.startsWith('BUILTIN\\') && bare === n) return w.sid;
  }
  return undefined;
}

/** The RID (last sub-authority) of a SID. */
export function rid(sid: string): number {
  return Number(sid.split('-').pop());
}

/**
 * Principals that stand for (almost) everybody: an allow ACE for them reaches every
 * account of the domain. Domain Users/Guests are recognised by RID under any domain SID.
 */
export function isBroadPrincipal(sid: string): boolean {
  const s = sid.toUpperCase();
  if ([SID.Everyone, SID.AuthenticatedUsers, SID.Anonymous, SID.Users, SID.Guests, SID.Network, SID.Interactive].includes(s as never)) return true;
  return /^S-1-5-21-\d+-\d+-\d+-(513|514)$/.test(s);
}
