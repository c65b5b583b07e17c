// TLS for the TDS test peer (test support only, never shipped): a throwaway certificate, TLS
// wrapped in PRELOGIN packets (TDS 7.x) and TDS 8.0 strict TLS straight on the socket.
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PacketReader } from './packets.js';

// The certificate: generated once per process with openssl, a throwaway for the peer. Made
// asynchronously (TdsPeer.start awaits it): a synchronous openssl run blocked the event loop of a
// test file's worker for long enough, on 2 busy cores, to time out other tests' connects.

let cachedCert: { key: string; cert: string } | undefined;
let certLoad: Promise<{ key: string; cert: string }> | undefined;

export function loadPeerCertificate(): Promise<{ key: string; cert: string }> {
  certLoad ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tds-peer-'));
    try {
      await promisify(execFile)('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ]);
      cachedCert = { key: await readFile(path.join(dir, 'key.pem'), 'utf8'), cert: await readFile(path.join(dir, 'cert.pem'), 'utf8') };
      return cachedCert;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return certLoad;
}

export function peerCertificate(): { key: string; cert: string } {
  if (!cachedCert) throw new Error('the peer certificate is not loaded yet: await loadPeerCertificate() first (TdsPeer.start does)');
  return cachedCert;
}

/** TLS inside PRELOGIN packets (TDS 7.x): handshake records travel wrapped, application data raw. */
export class TlsOverPrelogin {
  readonly tls: TLSSocket;
  private readonly inner: Duplex;
  private readonly reader: PacketReader;
  private rawIn = false;
  private pendingOut: Buffer = Buffer.alloc(0);
  private flight: Buffer[] = [];
  private sawChangeCipherSpec = false;
  private rawOut = false;
  private flushTimer?: NodeJS.Timeout;

  constructor(
    context: SecureContext,
    private readonly sendWrapped: (b: Buffer) => void,
    private readonly sendRaw: (b: Buffer) => void,
    onBad: () => void,
  ) {
    this.inner = new Duplex({
      read() {},
      write: (chunk: Buffer, _enc, cb) => {
        this.onTlsOutput(chunk);
        cb();
      },
    });
    this.tls = new TLSSocket(this.inner as unknown as Socket, { isServer: true, secureContext: context });
    this.tls.on('error', () => {});
    this.reader = new PacketReader((type, payload) => (type === 0x12 ? this.feed(payload) : onBad()), onBad);
  }

  /** Bytes from the socket: handshake records wrapped in PRELOGIN packets, later raw TLS records. */
  receive(data: Buffer): void {
    if (this.rawIn) return this.feed(data);
    // Once the client has its keys it sends raw TLS records (type 0x14..0x17), no longer TDS packets.
    if (data[0]! >= 0x14 && data[0]! <= 0x17) {
      this.rawIn = true;
      this.feed(data);
      return;
    }
    this.reader.push(data);
  }

  private feed(data: Buffer): void {
    this.inner.push(data);
  }

  private onTlsOutput(chunk: Buffer): void {
    this.pendingOut = Buffer.concat([this.pendingOut, chunk]);
    while (this.pendingOut.length >= 5) {
      const len = this.pendingOut.readUInt16BE(3);
      if (this.pendingOut.length < 5 + len) break;
      const rec = this.pendingOut.subarray(0, 5 + len);
      this.pendingOut = this.pendingOut.subarray(5 + len);
      this.onRecord(Buffer.from(rec));
    }
  }

  private onRecord(rec: Buffer): void {
    const type = rec[0]!;
    if (this.rawOut || type === 0x17) {
      this.flush();
      this.rawOut = true;
      this.sendRaw(rec);
      return;
    }
    this.flight.push(rec);
    if (type === 0x15) return this.flush(); // alert
    if (type === 0x14) { this.sawChangeCipherSpec = true; return; }
    // A flight ends with ServerHelloDone (handshake type 14) or with Finished after ChangeCipherSpec.
    if (this.sawChangeCipherSpec || lastHandshakeType(rec) === 14) return this.flush();
    clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => this.flush(), 50);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    if (this.flight.length === 0) return;
    const data = Buffer.concat(this.flight);
    this.flight = [];
    this.sendWrapped(data);
  }
}
function lastHandshakeType(rec: Buffer): number {
  let pos = 5;
  let last = -1;
  while (pos + 4 <= rec.length) {
    last = rec[pos]!;
    pos += 4 + rec.readUIntBE(pos + 1, 3);
  }
  return last;
}

/** TDS 8.0 (`encrypt: 'strict'`): TLS straight on the socket, PRELOGIN and all of TDS inside it. */
export class StrictTls {
  readonly tls: TLSSocket;
  private readonly inner: Duplex;

  constructor(socket: Socket, context: SecureContext) {
    this.inner = new Duplex({ read() {}, write(chunk: Buffer, _e, cb) { socket.write(chunk, () => cb()); } });
    this.tls = new TLSSocket(this.inner as unknown as Socket, { isServer: true, secureContext: context, ALPNProtocols: ['tds/8.0'] });
  }

  /** Bytes from the socket. */
  receive(data: Buffer): void {
    this.inner.push(data);
  }
}
