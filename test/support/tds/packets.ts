// TDS packet framing for the TDS test peer (test support only, never shipped): splits the byte
// stream into messages, cuts answers into packets, and reads and writes PRELOGIN.

/** Splits a byte stream into TDS messages (type + payload up to EOM). */
export class PacketReader {
  private buf: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private type = -1;
  constructor(private readonly onMessage: (type: number, payload: Buffer) => void, private readonly onBad: () => void) {}
  push(data: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt16BE(2);
      if (len < 8) return this.onBad(); // garbage (a TLS ClientHello, say): never loop on it
      if (this.buf.length < len) return;
      const type = this.buf[0]!;
      const status = this.buf[1]!;
      const payload = this.buf.subarray(8, len);
      this.buf = this.buf.subarray(len);
      if (type === 0x06) { this.onMessage(0x06, Buffer.alloc(0)); continue; } // ATTENTION stands alone
      if (this.type !== -1 && this.type !== type) { this.parts = []; }
      this.type = type;
      this.parts.push(Buffer.from(payload));
      if (status & 0x01) {
        const msg = Buffer.concat(this.parts);
        this.parts = [];
        this.type = -1;
        this.onMessage(type, msg);
      }
    }
  }
  /** Bytes received but not yet part of a complete packet. */
  takeRest(): Buffer {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }
}

/** Cuts one message into packets of at most `packetSize` bytes, the last one marked EOM. */
export function framePackets(type: number, data: Buffer, packetSize: number, spid: number, nextPacketId: () => number): Buffer[] {
  const max = packetSize - 8;
  const out: Buffer[] = [];
  let off = 0;
  do {
    const chunk = data.subarray(off, off + max);
    off += chunk.length;
    const head = Buffer.alloc(8);
    head.writeUInt8(type, 0);
    head.writeUInt8(off >= data.length ? 0x01 : 0x00, 1);
    head.writeUInt16BE(chunk.length + 8, 2);
    head.writeUInt16BE(spid, 4);
    head.writeUInt8(nextPacketId() & 0xff, 6);
    out.push(Buffer.concat([head, chunk]));
  } while (off < data.length);
  return out;
}

/** The ENCRYPTION option of a client's PRELOGIN (0x02, ENCRYPT_NOT_SUP, when it sends none). */
export function preloginEncryption(payload: Buffer): number {
  let clientEncryption = 0x02;
  for (let i = 0; i < payload.length && payload[i] !== 0xff; i += 5) {
    const token = payload[i]!;
    const off = payload.readUInt16BE(i + 1);
    if (token === 0x01 && off < payload.length) clientEncryption = payload[off]!;
  }
  return clientEncryption;
}

/** The server's PRELOGIN answer: VERSION, ENCRYPTION, INSTOPT, THREADID and MARS. */
export function preloginAnswer([major, minor, build, sub]: [number, number, number, number], encryption: number): Buffer {
  const options: [number, Buffer][] = [
    [0x00, (() => { const b = Buffer.alloc(6); b.writeUInt8(major, 0); b.writeUInt8(minor, 1); b.writeUInt16BE(build, 2); b.writeUInt16BE(sub, 4); return b; })()],
    [0x01, Buffer.from([encryption])],
    [0x02, Buffer.from([0])],
    [0x03, Buffer.alloc(0)],
    [0x04, Buffer.from([0])],
  ];
  let offset = options.length * 5 + 1;
  const table: Buffer[] = [];
  for (const [token, data] of options) {
    const e = Buffer.alloc(5);
    e.writeUInt8(token, 0);
    e.writeUInt16BE(offset, 1);
    e.writeUInt16BE(data.length, 3);
    table.push(e);
    offset += data.length;
  }
  return Buffer.concat([...table, Buffer.from([0xff]), ...options.map(([, d]) => d)]);
}
