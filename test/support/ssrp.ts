// TEST DOUBLE of the SQL Server Browser service (SSRP, [MC-SQLR]) for tests. Never shipped.
// Answers CLNT_BCAST_EX (0x02) and CLNT_UCAST_EX (0x03) with every instance, CLNT_UCAST_INST
// (0x04 + name + NUL) with that instance only (silence when unknown, as the real service does).
import { createSocket, type Socket } from 'node:dgram';

export interface SsrpInstance {
  serverName: string;
  instanceName: string;
  version: string;
  /** TCP port; omitted when the instance has TCP disabled. */
  tcp?: number;
  /** Named pipe path, e.g. \\HOST\pipe\MSSQL$INST\sql\query. */
  np?: string;
  isClustered?: boolean;
}

export interface SsrpResponderOptions {
  /** Loopback address to bind (give each test its own, see loopbackAddress()). */
  address?: string;
  /** UDP port; 0 picks a free one. The real service listens on 1434. */
  port?: number;
  instances?: SsrpInstance[];
  /** 'silent' receives requests but never answers (a Browser blocked by a firewall). */
  mode?: 'normal' | 'silent';
}

/** Encodes one SVR_RESP datagram: 0x05, u16 LE length, then `key;value;...;;` records. */
export function encodeSsrpResponse(instances: readonly SsrpInstance[]): Buffer {
  const text = instances
    .map((i) => {
      const parts = ['ServerName', i.serverName, 'InstanceName', i.instanceName, 'IsClustered', i.isClustered ? 'Yes' : 'No', 'Version', i.version];
      if (i.tcp !== undefined) parts.push('tcp', String(i.tcp));
      if (i.np !== undefined) parts.push('np', i.np);
      return parts.join(';') + ';;';
    })
    .join('');
  const body = Buffer.from(text, 'ascii');
  const head = Buffer.alloc(3);
  head.writeUInt8(0x05, 0);
  head.writeUInt16LE(body.length, 1);
  return Buffer.concat([head, body]);
}

export class SsrpResponder {
  readonly requests: number[] = [];
  instances: SsrpInstance[];
  mode: 'normal' | 'silent';

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    readonly port: number,
    opts: SsrpResponderOptions,
  ) {
    this.instances = [...(opts.instances ?? [])];
    this.mode = opts.mode ?? 'normal';
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.address, rinfo.port));
  }

  static async start(opts: SsrpResponderOptions = {}): Promise<SsrpResponder> {
    const address = opts.address ?? '127.0.0.1';
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port ?? 0, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => {});
    return new SsrpResponder(socket, address, socket.address().port, opts);
  }

  private onMessage(msg: Buffer, host: string, port: number): void {
    if (msg.length === 0) return;
    const kind = msg[0]!;
    this.requests.push(kind);
    if (this.mode === 'silent') return;
    let answer: SsrpInstance[] = [];
    if (kind === 0x02 || kind === 0x03) answer = this.instances;
    else if (kind === 0x04) {
      const end = msg.indexOf(0, 1);
      const name = msg.toString('ascii', 1, end < 0 ? msg.length : end);
      answer = this.instances.filter((i) => i.instanceName.toUpperCase() === name.toUpperCase());
    }
    if (answer.length === 0) return;
    this.socket.send(encodeSsrpResponse(answer), port, host);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

let nextLoopback = 0;
/**
 * A loopback address of its own for one test peer (Linux routes all of 127.0.0.0/8 to lo).
 * Spread by pid so that parallel test processes rarely share one; ports are picked free anyway.
 */
export function loopbackAddress(): string {
  if (process.platform !== 'linux') return '127.0.0.1';
  const n = nextLoopback++;
  return `127.${(process.pid % 200) + 20}.${(n >> 8) & 255}.${(n & 255) + 2 > 254 ? 2 : (n & 255) + 2}`;
}
