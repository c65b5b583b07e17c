// Parses what Samba's smbcacls prints (named and --numeric forms, plus `-x` Maximum access)
// and formats ACEs in the form its --set/--add accept.
import { Control, type Ace, type AceType, type SecurityDescriptor } from './model.js';
import { hex, parseSmbcaclsMask } from './masks.js';
import { isSid } from './sids.js';

// smbcacls' control-bit letters (source3/utils/smbcacls.c); "SR" is printed for both
// SACL-inheritance-required and self-relative: the first SR read is self-relative.
const CONTROL_LETTERS: Record<string, number> = {
  OD: Control.OwnerDefaulted,
  GD: Control.GroupDefaulted,
  DP: Control.DaclPresent,
  DD: Control.DaclDefaulted,
  SP: Control.SaclPresent,
  SD: Control.SaclDefaulted,
  DT: Control.DaclTrusted,
  SS: Control.ServerSecurity,
  DR: Control.DaclAutoInheritReq,
  DI: Control.DaclAutoInherited,
  SI: Control.SaclAutoInherited,
  PD: Control.DaclProtected,
  PS: Control.SaclProtected,
  RM: Control.RmControlValid,
};

function parseControl(text: string): number {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  let c = 0;
  let srSeen = false;
  for (const part of t.split('|').filter(Boolean)) {
    if (part === 'SR') {
      c |= srSeen ? Control.SaclAutoInheritReq : Control.SelfRelative;
      srSeen = true;
      continue;
    }
    const bit = CONTROL_LETTERS[part];
    if (bit === undefined) throw new Error(`unknown control flag '${part}'`);
    c |= bit;
  }
  return c;
}

const FLAG_BITS: Record<string, number> = { OI: 0x1, CI: 0x2, NP: 0x4, IO: 0x8, I: 0x10 };

function parseFlags(text: string): number {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  if (/^\d+$/.test(t)) return parseInt(t, 10);
  let f = 0;
  for (const part of t.split('|').filter(Boolean)) {
    const bit = FLAG_BITS[part];
    if (bit === undefined) throw new Error(`unknown ACE flag '${part}'`);
    f |= bit;
  }
  return f;
}

function parseType(text: string): { type: AceType; rawType?: number } {
  const t = text.trim();
  if (t === 'ALLOWED' || t === '0') return { type: 'Allowed' };
  if (t === 'DENIED' || t === '1') return { type: 'Denied' };
  if (/^\d+$/.test(t)) return { type: 'Other', rawType: Number(t) };
  throw new Error(`unknown ACE type '${t}'`);
}

function principal(text: string): { sid?: string; name?: string } {
  const t = text.trim();
  return isSid(t) ? { sid: t.toUpperCase() } : { name: t };
}

/** Parses one `trustee:TYPE/FLAGS/MASK` ACE (the part after `ACL:`). */
export function parseSmbcaclsAce(text: string): Ace {
  // The trustee may not contain ':' (smbcacls splits on the first one), the rest never does.
  const i = text.lastIndexOf(':');
  if (i < 0) throw new Error(`ACE without ':' in '${text}'`);
  const parts = text.slice(i + 1).split('/');
  if (parts.length !== 3) throw new Error(`ACE '${text}' is not TYPE/FLAGS/MASK`);
  return { ...principal(text.slice(0, i)), ...parseType(parts[0]!), flags: parseFlags(parts[1]!), mask: parseSmbcaclsMask(parts[2]!) };
}

export interface SmbcaclsListing {
  sd: SecurityDescriptor;
  /** `Maximum access:` from `-x`: the rights the server grants the connected account. */
  maximumAccess?: number;
}

/** Parses a whole smbcacls listing; unknown lines (warnings on stderr merged in) are ignored. */
export function parseSmbcacls(output: string): SmbcaclsListing {
  const sd: SecurityDescriptor = { control: 0, dacl: [] };
  let maximumAccess: number | undefined;
  let sawAny = false;
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^(REVISION|CONTROL|OWNER|GROUP|ACL):(.*)$/.exec(line);
    if (m) {
      sawAny = true;
      const [, key, value] = m as unknown as [string, string, string];
      if (key === 'REVISION') sd.revision = Number(value);
      else if (key === 'CONTROL') sd.control = parseControl(value);
      else if (key === 'OWNER') sd.owner = principal(value);
      else if (key === 'GROUP') sd.group = principal(value);
      else sd.dacl!.push(parseSmbcaclsAce(value));
      continue;
    }
    const mx = /^Maximum access:\s*(0x[0-9a-f]+)/i.exec(line);
    if (mx) maximumAccess = parseInt(mx[1]!, 16) >>> 0;
  }
  if (!sawAny) throw new Error('no security descriptor in smbcacls output');
  // smbcacls prints no ACL lines for an empty DACL and for a missing one alike; DP tells them apart.
  if (!(sd.control & Control.DaclPresent) && sd.dacl!.length === 0 && sd.control !== 0) sd.dacl = null;
  return maximumAccess === undefined ? { sd } : { sd, maximumAccess };
}

function aceType(a: Ace): string {
  if (a.type === 'Allowed') return 'ALLOWED';
  if (a.type === 'Denied') return 'DENIED';
  return String(a.rawType ?? 0);
}

/** Formats an ACE for `smbcacls --set/--add/--delete` with the given trustee (SID or a name the server resolves). */
export function formatSmbcaclsAce(a: Ace, trustee = a.sid ?? a.name ?? ''): string {
  if (!trustee || /[:,]/.test(trustee)) throw new Error(`trustee '${trustee}' cannot be written in smbcacls' ACE syntax`);
  // Hex masks always: names like RWXD are display-only and differ between Samba versions.
  return `ACL:${trustee}:${aceType(a)}/0x${a.flags.toString(16)}/${hex(a.mask)}`;
}
