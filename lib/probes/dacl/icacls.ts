// Parses Windows' `icacls <path>` listing into the common model. icacls shows trustee names
// (or a raw SID when the name does not resolve), inheritance flags, DENY and the rights;
// it shows no owner and no protected flag, so the Windows backend reads those from Get-Acl's SDDL.
import { AceFlag, type Ace, type SecurityDescriptor } from './model.js';
import { isSid } from './sids.js';

const SIMPLE: Record<string, number> = {
  F: 0x001f01ff,
  M: 0x001301bf,
  RX: 0x001200a9,
  R: 0x00120089,
  W: 0x00120116,
  D: 0x00010000,
  N: 0,
};

const SPECIFIC: Record<string, number> = {
  DE: 0x00010000,
  RC: 0x00020000,
  WDAC: 0x00040000,
  WO: 0x00080000,
  S: 0x00100000,
  AS: 0x01000000,
  MA: 0x02000000,
  GR: 0x80000000,
  GW: 0x40000000,
  GE: 0x20000000,
  GA: 0x10000000,
  RD: 0x00000001,
  WD: 0x00000002,
  AD: 0x00000004,
  REA: 0x00000008,
  WEA: 0x00000010,
  X: 0x00000020,
  DC: 0x00000040,
  RA: 0x00000080,
  WA: 0x00000100,
};

const INHERIT: Record<string, number> = {
  OI: AceFlag.ObjectInherit,
  CI: AceFlag.ContainerInherit,
  NP: AceFlag.NoPropagateInherit,
  IO: AceFlag.InheritOnly,
  I: AceFlag.Inherited,
};

/** Mandatory-label policies (NW/NR/NX) belong to the SACL, not the DACL. */
const LABEL_POLICIES = new Set(['NW', 'NR', 'NX']);

/** Parses the `(OI)(CI)(DENY)(RX,W)` part of one entry; null for a mandatory-label line. */
export function parseIcaclsPermissions(text: string): Pick<Ace, 'type' | 'flags' | 'mask'> | null {
  const groups = [...text.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]!.trim());
  if (groups.length === 0) throw new Error(`no permissions in '${text}'`);
  let flags = 0;
  let deny = false;
  let mask = 0;
  for (const g of groups) {
    const u = g.toUpperCase();
    if (INHERIT[u] !== undefined) flags |= INHERIT[u]!;
    else if (u === 'DENY') deny = true;
    else {
      for (const tok of u.split(',').map((x) => x.trim())) {
        if (LABEL_POLICIES.has(tok)) return null;
        const v = SIMPLE[tok] ?? SPECIFIC[tok];
        if (v === undefined) throw new Error(`unknown icacls right '${tok}' in '${text}'`);
        mask |= v;
      }
    }
  }
  return { type: deny ? 'Denied' : 'Allowed', flags, mask: mask >>> 0 };
}

export interface IcaclsListing {
  sd: SecurityDescriptor;
  processed: number;
  failed: number;
}

/** Parses the listing of one path. `path` is what was passed to icacls (the first line starts with it). */
export function parseIcacls(output: string, path?: string): IcaclsListing {
  const lines = output.split(/\r?\n/);
  let processed = 0;
  let failed = 0;
  const entries: string[] = [];
  // Continuation lines are indented to where the first line's trustee starts.
  const indent = lines.slice(1).find((l) => /^\s+\S/.test(l))?.match(/^\s+/)?.[0].length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s+$/, '');
    const sum = /Successfully processed (\d+) files; Failed processing (\d+) files/i.exec(line);
    if (sum) {
      processed = Number(sum[1]);
      failed = Number(sum[2]);
      continue;
    }
    if (!line.trim()) continue;
    if (entries.length === 0 && !/^\s/.test(line)) {
      let rest: string;
      if (path && line.toLowerCase().startsWith(path.toLowerCase() + ' ')) rest = line.slice(path.length + 1);
      else if (indent !== undefined && line.length > indent) rest = line.slice(indent);
      else rest = line.slice(line.lastIndexOf(' ', line.indexOf(':(')) + 1);
      entries.push(rest.trim());
    } else entries.push(line.trim());
  }
  const dacl: Ace[] = [];
  for (const e of entries) {
    const at = e.indexOf(':(');
    if (at < 0) {
      if (/: /.test(e)) continue; // "path: Access is denied." style messages
      throw new Error(`unrecognised icacls line '${e}'`);
    }
    const who = e.slice(0, at);
    const perm = parseIcaclsPermissions(e.slice(at + 1));
    if (!perm) continue;
    dacl.push({ ...(isSid(who) ? { sid: who.toUpperCase() } : { name: who }), ...perm });
  }
  if (failed > 0 && dacl.length === 0) throw new Error(`icacls could not read the ACL: ${entries.join(' ') || 'no details'}`);
  return { sd: { control: 0x8004, dacl }, processed, failed };
}
