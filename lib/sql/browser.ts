// SQL Server Browser client (SSRP, [MC-SQLR]): asks the Browser on UDP 1434 which instances the host
// has and on which TCP ports. Done here rather than through tedious so that a miss can list the
// instances the Browser reported, one datagram is enough, and the port is configurable for tests.
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface BrowserInstance {
  serverName: string;
  instanceName: string;
  isClustered: boolean;
  version: string;
  tcp?: number;
  np?: string;
}

/** Parses an SVR_RESP datagram: 0x05, u16 length, then `key;value;...;;` records (ASCII/MBCS). */
export function parseBrowserResponse(buf: Buffer): BrowserInstance[] {
  if (buf.length < 3 || buf[0] !== 0x05) return [];
  const text = buf.toString('latin1', 3, Math.min(buf.length, 3 + buf.readUInt16LE(1)));
  const out: BrowserInstance[] = [];
  for (const record of text.split(';;')) {
    const parts = record.split(';');
    const kv = new Map<string, string>();
    for (let i = 0; i + 1 < parts.length; i += 2) kv.set(parts[i]!.toLowerCase(), parts[i + 1]!);
    const name = kv.get('instancename');
    if (!name) continue;
    const tcp = Number(kv.get('tcp'));
    out.push({
      serverName: kv.get('servername') ?? '',
      instanceName: name,
      isClustered: (kv.get('isclustered') ?? '').toLowerCase() === 'yes',
      version: kv.get('version') ?? '',
      tcp: Number.isInteger(tcp) && tcp > 0 && tcp < 65536 ? tcp : undefined,
      np: kv.get('np'),
    });
  }
  return out;
}

export type BrowserAnswer = { ok: true; instances: BrowserInstance[]; from: string } | { ok: false; error: string };

/**
 * Sends CLNT_UCAST_EX (0x03: "all instances") to host:port, resending a few times within timeoutMs
 * (UDP may drop a datagram), and returns the first well-formed answer.
 */
export async function queryBrowser(host: string, opts: { port?: number; timeoutMs?: number } = {}): Promise<BrowserAnswer> {
  const port = opts.port ?? 1434;
  const timeoutMs = opts.timeoutMs ?? 5000;
  let address = host;
  let family = isIP(host);
  if (!family) {
    try {
      const r = await lookup(host);
      address = r.address;
      family = r.family;
    } catch (e) {
      return { ok: false, error: `${host} does not resolve (${(e as NodeJS.ErrnoException).code ?? e})` };
    }
  }
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  return new Promise<BrowserAnswer>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = (a: BrowserAnswer) => {
      timers.forEach(clearTimeout);
      socket.removeAllListeners('message');
      socket.close();
      resolve(a);
    };
    socket.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, error: `UDP ${port} on ${host}: ${e.code ?? e.message}` }));
    socket.on('message', (msg, rinfo) => {
      if (msg[0] !== 0x05) return;
      finish({ ok: true, instances: parseBrowserResponse(msg), from: `${rinfo.address}:${rinfo.port}` });
    });
    const send = () => socket.send(Buffer.from([0x03]), port, address, () => {});
    const tries = 3;
    for (let i = 0; i < tries; i++) timers.push(setTimeout(send, Math.floor((timeoutMs / tries) * i)));
    timers.push(setTimeout(() => finish({ ok: false, error: `no answer on UDP ${port} within ${timeoutMs} ms` }), timeoutMs));
  });
}

/** The instance's record, matched case-insensitively as the Browser and tedious do. */
export function findInstance(instances: readonly BrowserInstance[], name: string): BrowserInstance | undefined {
  return instances.find((i) => i.instanceName.toUpperCase() === name.toUpperCase());
}

export function describeInstances(instances: readonly BrowserInstance[]): string {
  if (instances.length === 0) return 'no instances';
  return instances.map((i) => `${i.instanceName} (${i.tcp ? `TCP ${i.tcp}` : 'no TCP port'}${i.version ? `, ${i.version}` : ''})`).join(', ');
}
