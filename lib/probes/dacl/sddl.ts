// SDDL (the string form Windows' Get-Acl returns in .Sddl and smbcacls --sddl prints):
// parse into the common model, and format a DACL back for Set-Acl / smbcacls --sddl --set.
import { AceFlag, Control, type Ace, type AceType, type SecurityDescriptor } from './model.js';
import { hex } from './masks.js';
import { sddlFromSid, sidFromSddl } from './sids.js';

const RIGHTS: Record<string, number> = {
  GA: 0x10000000,
  GR: 0x80000000,
  GW: 0x40000000,
  GX: 0x20000000,
  RC: 0x00020000,
  SD: 0x00010000,
  WD: 0x00040000,
  WO: 0x00080000,
  RP: 0x00000010,
  WP: 0x00000020,
  CC: 0x00000001,
  DC: 0x00000002,
  LC: 0x00000004,
  SW: 0x00000008,
  LO: 0x00000080,
  DT: 0x00000040,
  CR: 0x00000100,
  FA: 0x001f01ff,
  FR: 0x00120089,
  FW: 0x00120116,
  FX: 0x001200a0,
  KA: 0x000f003f,
  KR: 0x00020019,
  KW: 0x00020006,
  KX: 0x00020019,
};

const ACE_FLAGS: Record<string, number> = {
  OI: AceFlag.ObjectInherit,
  CI: AceFlag.ContainerInherit,
  NP: AceFlag.NoPropagateInherit,
  IO: AceFlag.InheritOnly,
  ID: AceFlag.Inherited,
  SA: 0x40,
  FA: 0x80,
};

const ACE_TYPES: Record<string, { type: AceType; raw: number }> = {
  A: { type: 'Allowed', raw: 0 },
  D: { type: 'Denied', raw: 1 },
  AU: { type: 'Other', raw: 2 },
  AL: { type: 'Other', raw: 3 },
  OA: { type: 'Other', raw: 5 },
  OD: { type: 'Other', raw: 6 },
  XA: { type: 'Other', raw: 9 },
  XD: { type: 'Other', raw: 10 },
  ML: { type: 'Other', raw: 0x11 },
};

function parseRights(text: string): number {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16) >>> 0;
  if (/^\d+$/.test(t)) return Number(t) >>> 0;
  if (t.length % 2) throw new Error(`bad SDDL rights '${t}'`);
  let m = 0;
  for (let i = 0; i < t.length; i += 2) {
    const v = RIGHTS[t.slice(i, i + 2).toUpperCase()];
    if (v === undefined) throw new Error(`unknown SDDL right '${t.slice(i, i + 2)}'`);
    m |= v;
  }
  return m >>> 0;
}

function parseAceFlags(text: string): number {
  let f = 0;
  for (let i = 0; i < text.length; i += 2) {
    const v = ACE_FLAGS[text.slice(i, i + 2).toUpperCase()];
    if (v === undefined) throw new Error(`unknown SDDL ACE flag '${text.slice(i, i + 2)}'`);
    f |= v;
  }
  return f;
}

/** Splits `O:..G:..D:..S:..` at top level (not inside ACE parentheses). */
function sections(sddl: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  let key = '';
  let start = 0;
  for (let i = 0; i < sddl.length; i++) {
    const c = sddl[i]!;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && sddl[i + 1] === ':' && 'OGDS'.includes(c)) {
      if (key) out.set(key, sddl.slice(start, i));
      key = c;
      start = i + 2;
      i++;
    }
  }
  if (key) out.set(key, sddl.slice(start));
  return out;
}

/** Parses an SDDL string. `domainSid` resolves aliases such as DU/DA (Get-Acl prints them for the machine's domain). */
export function parseSddl(sddl: string, domainSid?: string): SecurityDescriptor {
  const s = sddl.trim();
  const parts = sections(s);
  if (parts.size === 0) throw new Error('not an SDDL string');
  const sd: SecurityDescriptor = { revision: 1, control: Control.SelfRelative, dacl: null };
  const o = parts.get('O');
  if (o) sd.owner = { sid: sidFromSddl(o, domainSid) };
  const g = parts.get('G');
  if (g) sd.group = { sid: sidFromSddl(g, domainSid) };
  const d = parts.get('D');
  if (d !== undefined) {
    const firstParen = d.indexOf('(');
    const flags = firstParen < 0 ? d : d.slice(0, firstParen);
    if (flags.includes('NO_ACCESS_CONTROL')) {
      sd.control |= Control.DaclPresent;
      return sd;
    }
    sd.control |= Control.DaclPresent;
    if (/P/.test(flags.replace(/NO_ACCESS_CONTROL/, ''))) sd.control |= Control.DaclProtected;
    if (flags.includes('AI')) sd.control |= Control.DaclAutoInherited;
    if (flags.includes('AR')) sd.control |= Control.DaclAutoInheritReq;
    sd.dacl = [];
    const aceRe = /\(([^)]*)\)/g;
    let m: RegExpExecArray | null;
    while ((m = aceRe.exec(firstParen < 0 ? '' : d.slice(firstParen)))) {
      const f = m[1]!.split(';');
      if (f.length < 6) throw new Error(`bad SDDL ACE '(${m[1]})'`);
      const t = ACE_TYPES[f[0]!.toUpperCase()];
      if (!t) throw new Error(`unknown SDDL ACE type '${f[0]}'`);
      const ace: Ace = { sid: sidFromSddl(f[5]!, domainSid), type: t.type, flags: parseAceFlags(f[1]!), mask: parseRights(f[2]!) };
      if (t.type === 'Other') ace.rawType = t.raw;
      sd.dacl.push(ace);
    }
  }
  return sd;
}

const FLAG_ORDER: [number, string][] = [
  [AceFlag.ObjectInherit, 'OI'],
  [AceFlag.ContainerInherit, 'CI'],
  [AceFlag.NoPropagateInherit, 'NP'],
  [AceFlag.InheritOnly, 'IO'],
  [AceFlag.Inherited, 'ID'],
];

/** Formats the DACL (and owner/group when set) as SDDL with hex masks (Samba maps FA to 0x1ff, so never letters). */
export function formatSddl(sd: SecurityDescriptor): string {
  let out = '';
  if (sd.owner?.sid) out += `O:${sddlFromSid(sd.owner.sid)}`;
  if (sd.group?.sid) out += `G:${sddlFromSid(sd.group.sid)}`;
  if (sd.dacl === null) return out + 'D:NO_ACCESS_CONTROL';
  let flags = '';
  if (sd.control & Control.DaclProtected) flags += 'P';
  if (sd.control & Control.DaclAutoInheritReq) flags += 'AR';
  if (sd.control & Control.DaclAutoInherited) flags += 'AI';
  out += `D:${flags}`;
  for (const a of sd.dacl) {
    if (!a.sid) throw new Error(`ACE for '${a.name}' has no SID; SDDL needs SIDs`);
    const type = a.type === 'Allowed' ? 'A' : a.type === 'Denied' ? 'D' : Object.keys(ACE_TYPES).find((k) => ACE_TYPES[k]!.raw === a.rawType);
    if (!type) throw new Error(`ACE type ${a.rawType} has no SDDL form`);
    const f = FLAG_ORDER.filter(([b]) => a.flags & b).map(([, l]) => l).join('');
    out += `(${type};${f};${hex(a.mask)};;;${sddlFromSid(a.sid)})`;
  }
  return out;
}
