// NTLMv2 for the TDS test peer (test support only, never shipped): the CHALLENGE message and the
// check of the client's AUTHENTICATE proof against the configured password.
import { createHmac } from 'node:crypto';
import { ucs2 } from './tokens.js';

// MD4 is written out because OpenSSL 3 hides it in the legacy provider.

export function md4(input: Buffer): Buffer {
  const len = input.length;
  const words = ((len + 8) >>> 6) * 16 + 16;
  const x = new Uint32Array(words);
  for (let i = 0; i < len; i++) x[i >> 2]! |= input[i]! << ((i % 4) * 8);
  x[len >> 2]! |= 0x80 << ((len % 4) * 8);
  x[words - 2] = (len * 8) >>> 0;
  x[words - 1] = Math.floor((len * 8) / 0x100000000);
  let a = 0x67452301, b = 0xefcdab89, c = 0x98badcfe, d = 0x10325476;
  const rol = (v: number, s: number) => (v << s) | (v >>> (32 - s));
  const F = (p: number, q: number, r: number) => (p & q) | (~p & r);
  const G = (p: number, q: number, r: number) => (p & q) | (p & r) | (q & r);
  const H = (p: number, q: number, r: number) => p ^ q ^ r;
  for (let i = 0; i < words; i += 16) {
    const [aa, bb, cc, dd] = [a, b, c, d];
    const X = (k: number) => x[i + k]!;
    for (const k of [0, 4, 8, 12]) {
      a = rol((a + F(b, c, d) + X(k)) | 0, 3);
      d = rol((d + F(a, b, c) + X(k + 1)) | 0, 7);
      c = rol((c + F(d, a, b) + X(k + 2)) | 0, 11);
      b = rol((b + F(c, d, a) + X(k + 3)) | 0, 19);
    }
    for (const k of [0, 1, 2, 3]) {
      a = rol((a + G(b, c, d) + X(k) + 0x5a827999) | 0, 3);
      d = rol((d + G(a, b, c) + X(k + 4) + 0x5a827999) | 0, 5);
      c = rol((c + G(d, a, b) + X(k + 8) + 0x5a827999) | 0, 9);
      b = rol((b + G(c, d, a) + X(k + 12) + 0x5a827999) | 0, 13);
    }
    for (const k of [0, 2, 1, 3]) {
      a = rol((a + H(b, c, d) + X(k) + 0x6ed9eba1) | 0, 3);
      d = rol((d + H(a, b, c) + X(k + 8) + 0x6ed9eba1) | 0, 9);
      c = rol((c + H(d, a, b) + X(k + 4) + 0x6ed9eba1) | 0, 11);
      b = rol((b + H(c, d, a) + X(k + 12) + 0x6ed9eba1) | 0, 15);
    }
    a = (a + aa) | 0; b = (b + bb) | 0; c = (c + cc) | 0; d = (d + dd) | 0;
  }
  const out = Buffer.alloc(16);
  out.writeInt32LE(a, 0); out.writeInt32LE(b, 4); out.writeInt32LE(c, 8); out.writeInt32LE(d, 12);
  return out;
}

export function ntlmChallenge(nonce: Buffer, domain: string): Buffer {
  const dom = ucs2(domain);
  // AV pairs: MsvAvNbDomainName (2), MsvAvNbComputerName (1), MsvAvEOL.
  const av = (id: number, v: Buffer) => {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(id, 0);
    h.writeUInt16LE(v.length, 2);
    return Buffer.concat([h, v]);
  };
  const target = Buffer.concat([av(2, dom), av(1, ucs2('SQLPEER')), Buffer.alloc(4)]);
  const head = Buffer.alloc(56);
  head.write('NTLMSSP\0', 0, 'latin1');
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(dom.length, 12);
  head.writeUInt16LE(dom.length, 14);
  head.writeUInt32LE(56, 16);
  head.writeUInt32LE(0x628a8215, 20);
  nonce.copy(head, 24);
  head.writeUInt16LE(target.length, 40);
  head.writeUInt16LE(target.length, 42);
  head.writeUInt32LE(56 + dom.length, 44);
  Buffer.from([6, 1, 0xb1, 0x1d, 0, 0, 0, 15]).copy(head, 48);
  return Buffer.concat([head, dom, target]);
}

export interface NtlmAuthenticate {
  domain: string;
  user: string;
  ntProof: Buffer;
  blob: Buffer;
}
export function parseNtlmAuthenticate(msg: Buffer): NtlmAuthenticate {
  if (msg.length < 64 || msg.toString('latin1', 0, 7) !== 'NTLMSSP' || msg.readUInt32LE(8) !== 3) throw new Error('not an NTLM AUTHENTICATE message');
  const field = (at: number) => ({ len: msg.readUInt16LE(at), off: msg.readUInt32LE(at + 4) });
  const nt = field(20);
  const dom = field(28);
  const usr = field(36);
  const ntProof = msg.subarray(nt.off, nt.off + 16);
  // tedious declares 16 bytes for the NT response and appends the NTLMv2 blob after it.
  const blob = nt.len > 16 ? msg.subarray(nt.off + 16, nt.off + nt.len) : msg.subarray(nt.off + 16);
  return {
    domain: msg.toString('ucs2', dom.off, dom.off + dom.len),
    user: msg.toString('ucs2', usr.off, usr.off + usr.len),
    ntProof,
    blob,
  };
}
export function verifyNtlmV2(auth: NtlmAuthenticate, serverNonce: Buffer, password: string): boolean {
  const ntowf = createHmac('md5', md4(ucs2(password))).update(ucs2(auth.user.toUpperCase() + auth.domain)).digest();
  const proof = createHmac('md5', ntowf).update(Buffer.concat([serverNonce, auth.blob])).digest();
  return auth.ntProof.length === 16 && proof.equals(auth.ntProof);
}
