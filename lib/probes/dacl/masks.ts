// Access-mask bits for files and folders and the names tools print for them
// (smbcacls: FULL/CHANGE/READ/RWXD; Windows: Full control/Modify/Read & execute).

/** Specific and standard rights of a file or directory (MS-DTYP 2.4.3, winnt.h FILE_*). */
export const Right = {
  ReadData: 0x1, // FILE_READ_DATA / FILE_LIST_DIRECTORY
  WriteData: 0x2, // FILE_WRITE_DATA / FILE_ADD_FILE
  AppendData: 0x4, // FILE_APPEND_DATA / FILE_ADD_SUBDIRECTORY
  ReadEa: 0x8,
  WriteEa: 0x10,
  Execute: 0x20, // FILE_EXECUTE / FILE_TRAVERSE
  DeleteChild: 0x40,
  ReadAttributes: 0x80,
  WriteAttributes: 0x100,
  Delete: 0x10000,
  ReadControl: 0x20000,
  WriteDac: 0x40000,
  WriteOwner: 0x80000,
  Synchronize: 0x100000,
  AccessSystemSecurity: 0x1000000,
  MaximumAllowed: 0x2000000,
  GenericAll: 0x10000000,
  GenericExecute: 0x20000000,
  GenericWrite: 0x40000000,
  GenericRead: 0x80000000,
} as const;

/** The masks Windows' permission dialog and smbcacls name. */
export const Mask = {
  FullControl: 0x001f01ff,
  Change: 0x001301ff, // smbcacls CHANGE: Modify plus delete-child
  Modify: 0x001301bf, // smbcacls RWXD
  ReadAndExecute: 0x001200a9, // smbcacls READ
  Read: 0x00120089, // smbcacls R, Windows "Read"
  Write: 0x00120116, // smbcacls W (Windows' "Write" checkbox is 0x100116)
  Execute: 0x001200a0, // smbcacls X
} as const;

/** Generic rights as the file system maps them (FILE_GENERIC_*). */
export const FILE_GENERIC = {
  read: 0x00120089,
  write: 0x00120116,
  execute: 0x001200a0,
  all: 0x001f01ff,
} as const;

/** Replaces generic bits with the file-specific rights they stand for, as an access check does. */
export function mapGeneric(mask: number): number {
  let m = mask >>> 0;
  if (m & Right.GenericRead) m |= FILE_GENERIC.read;
  if (m & Right.GenericWrite) m |= FILE_GENERIC.write;
  if (m & Right.GenericExecute) m |= FILE_GENERIC.execute;
  if (m & Right.GenericAll) m |= FILE_GENERIC.all;
  return (m & ~(Right.GenericRead | Right.GenericWrite | Right.GenericExecute | Right.GenericAll)) >>> 0;
}

/** True when every bit of `needed` is in `mask` (after generic mapping). */
export function hasAll(mask: number, needed: number): boolean {
  return ((mapGeneric(mask) & needed) >>> 0) === needed >>> 0;
}

/** Rights that let a principal change data, delete, or take over permissions. */
export const WRITE_LIKE =
  Right.WriteData | Right.AppendData | Right.DeleteChild | Right.Delete | Right.WriteDac | Right.WriteOwner | Right.WriteEa | Right.WriteAttributes;

export function hex(mask: number): string {
  return '0x' + (mask >>> 0).toString(16).padStart(8, '0');
}

/** smbcacls' standard names (exact masks) and its special-permission letters (unions of them). */
const SMBCACLS_STANDARD: Record<string, number> = {
  FULL: Mask.FullControl,
  CHANGE: Mask.Change,
  READ: Mask.ReadAndExecute,
};
const SMBCACLS_SPECIAL: [string, number][] = [
  ['R', 0x00120089],
  ['W', 0x00120116],
  ['X', 0x001200a0],
  ['D', 0x00010000],
  ['P', 0x00040000],
  ['O', 0x00080000],
];

/** Parses a mask as smbcacls prints or accepts it: FULL, CHANGE, READ, letters like RWXD, or hex/decimal. */
export function parseSmbcaclsMask(text: string): number {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16) >>> 0;
  if (/^\d+$/.test(t)) return parseInt(t, 10) >>> 0;
  const std = SMBCACLS_STANDARD[t.toUpperCase()];
  if (std !== undefined) return std;
  let m = 0;
  for (const ch of t.toUpperCase()) {
    const s = SMBCACLS_SPECIAL.find(([c]) => c === ch);
    if (!s) throw new Error(`unknown smbcacls permission '${t}'`);
    m |= s[1];
  }
  return m >>> 0;
}

/** Formats a mask the way smbcacls does (standard name, special letters when the mask is exactly their union, else hex). */
export function formatSmbcaclsMask(mask: number): string {
  const m = mask >>> 0;
  for (const [name, v] of Object.entries(SMBCACLS_STANDARD)) if (v === m) return name;
  let union = 0;
  let letters = '';
  for (const [c, v] of SMBCACLS_SPECIAL) {
    if ((m & v) === v) {
      union |= v;
      letters += c;
    }
  }
  return letters && union >>> 0 === m ? letters : hex(m);
}

/** A person-readable name for a mask: the Windows permission level when it is one, plus the extra rights. */
export function describeMask(mask: number): string {
  const m = mapGeneric(mask);
  const levels: [string, number][] = [
    ['Full control', Mask.FullControl],
    ['Modify', Mask.Modify],
    ['Read & execute', Mask.ReadAndExecute],
    ['Read', Mask.Read],
  ];
  for (const [name, v] of levels) if (m === v) return name;
  const base = levels.find(([, v]) => (m & v) === v);
  const rest = base ? m & ~base[1] : m;
  const parts = rightNames(rest >>> 0);
  if (!base) return parts.join(', ') || 'no access';
  return `${base[0]} + ${parts.join(', ')}`;
}

const RIGHT_LABELS: [number, string][] = [
  [Right.ReadData, 'read data'],
  [Right.WriteData, 'write data'],
  [Right.AppendData, 'append data'],
  [Right.ReadEa, 'read EA'],
  [Right.WriteEa, 'write EA'],
  [Right.Execute, 'traverse'],
  [Right.DeleteChild, 'delete child'],
  [Right.ReadAttributes, 'read attributes'],
  [Right.WriteAttributes, 'write attributes'],
  [Right.Delete, 'DELETE'],
  [Right.ReadControl, 'READ_CONTROL'],
  [Right.WriteDac, 'WRITE_DAC'],
  [Right.WriteOwner, 'WRITE_OWNER'],
  [Right.Synchronize, 'SYNCHRONIZE'],
  [Right.AccessSystemSecurity, 'ACCESS_SYSTEM_SECURITY'],
];

/** Lists the individual rights in a mask (after generic mapping). */
export function rightNames(mask: number): string[] {
  const m = mapGeneric(mask);
  const out = RIGHT_LABELS.filter(([bit]) => (m & bit) === bit).map(([, l]) => l);
  const known = RIGHT_LABELS.reduce((a, [b]) => a | b, 0);
  const unknown = (m & ~known) >>> 0;
  if (unknown) out.push(hex(unknown));
  return out;
}
