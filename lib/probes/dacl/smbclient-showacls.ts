// Parses the security descriptors smbclient prints for `showacls` + `ls`: one block per
// listed entry (FILENAME:, then the descriptor with SIDs, never names).
import { type Ace, type SecurityDescriptor } from './model.js';

export interface ListedEntry {
  fileName: string;
  mode: string;
  size?: number;
  sd?: SecurityDescriptor;
}

export function parseShowacls(output: string): ListedEntry[] {
  const entries: ListedEntry[] = [];
  let cur: ListedEntry | undefined;
  let ace: Partial<Ace> | undefined;
  const flushAce = () => {
    if (cur?.sd && ace && ace.type && ace.sid) cur.sd.dacl!.push({ flags: 0, mask: 0, ...ace } as Ace);
    ace = undefined;
  };
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^FILENAME:(.*)$/.exec(line))) {
      flushAce();
      cur = { fileName: m[1]!, mode: '' };
      entries.push(cur);
      continue;
    }
    if (!cur) continue;
    if ((m = /^MODE:(.*)$/.exec(line))) cur.mode = m[1]!.trim();
    else if ((m = /^SIZE:(\d+)$/.exec(line))) cur.size = Number(m[1]);
    else if ((m = /^revision:\s*(\d+)$/.exec(line)) && !cur.sd) cur.sd = { revision: Number(m[1]), control: 0, dacl: [] };
    else if ((m = /^type:\s*(0x[0-9a-f]+):/i.exec(line)) && cur.sd && !ace) cur.sd.control = parseInt(m[1]!, 16);
    else if (line === 'ACE') {
      flushAce();
      ace = {};
    } else if ((m = /^type:\s*.*\((\d+)\)\s*flags:\s*(0x[0-9a-f]+)/i.exec(line)) && ace) {
      const t = Number(m[1]);
      ace.type = t === 0 ? 'Allowed' : t === 1 ? 'Denied' : 'Other';
      if (ace.type === 'Other') ace.rawType = t;
      ace.flags = parseInt(m[2]!, 16);
    } else if ((m = /^Permissions:\s*(0x[0-9a-f]+)/i.exec(line)) && ace) ace.mask = parseInt(m[1]!, 16) >>> 0;
    else if ((m = /^SID:\s*(S-[\d-]+)$/i.exec(line)) && ace) ace.sid = m[1]!.toUpperCase();
    else if ((m = /^Owner SID:\s*(S-[\d-]+)$/i.exec(line)) && cur.sd) {
      flushAce();
      cur.sd.owner = { sid: m[1]!.toUpperCase() };
    } else if ((m = /^Group SID:\s*(S-[\d-]+)$/i.exec(line)) && cur.sd) cur.sd.group = { sid: m[1]!.toUpperCase() };
  }
  flushAce();
  return entries;
}
