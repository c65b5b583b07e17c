// TDS token writers for the TDS test peer (test support only, never shipped): LOGINACK, SSPI,
// ENVCHANGE, INFO/ERROR, COLMETADATA, ROW, RETURNSTATUS and DONE, with B_VARCHAR/US_VARCHAR strings.
import type { SqlType, Val } from './values.js';

export const ucs2 = (s: string) => Buffer.from(s, 'ucs2');
export function bVarchar(s: string): Buffer {
  return Buffer.concat([Buffer.from([s.length]), ucs2(s)]);
}
export function usVarchar(s: string): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(s.length);
  return Buffer.concat([b, ucs2(s)]);
}

export const COLLATION_BYTES = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]); // SQL_Latin1_General_CP1_CI_AS
export const TOKEN = { COLMETADATA: 0x81, ERROR: 0xaa, INFO: 0xab, LOGINACK: 0xad, ROW: 0xd1, ENVCHANGE: 0xe3, SSPI: 0xed, DONE: 0xfd, DONEPROC: 0xfe, DONEINPROC: 0xff, RETURNSTATUS: 0x79 };
export const DONE_MORE = 0x0001, DONE_ERROR = 0x0002, DONE_COUNT = 0x0010, DONE_ATTN = 0x0020;

function withLength16(token: number, body: Buffer): Buffer {
  const h = Buffer.alloc(3);
  h.writeUInt8(token, 0);
  h.writeUInt16LE(body.length, 1);
  return Buffer.concat([h, body]);
}
export function envChange(type: number, newValue: string, oldValue: string): Buffer {
  return withLength16(TOKEN.ENVCHANGE, Buffer.concat([Buffer.from([type]), bVarchar(newValue), bVarchar(oldValue)]));
}
export function envChangeBytes(type: number, newValue: Buffer, oldValue: Buffer): Buffer {
  return withLength16(TOKEN.ENVCHANGE, Buffer.concat([Buffer.from([type, newValue.length]), newValue, Buffer.from([oldValue.length]), oldValue]));
}
export function message(token: number, number: number, state: number, cls: number, text: string, server: string): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt32LE(number, 0);
  head.writeUInt8(state, 4);
  head.writeUInt8(cls, 5);
  const line = Buffer.alloc(4);
  line.writeUInt32LE(1);
  return withLength16(token, Buffer.concat([head, usVarchar(text), bVarchar(server), bVarchar(''), line]));
}
export function done(token: number, status: number, curCmd: number, rowCount: number): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt8(token, 0);
  b.writeUInt16LE(status, 1);
  b.writeUInt16LE(curCmd, 3);
  b.writeBigUInt64LE(BigInt(rowCount), 5);
  return b;
}
function typeInfo(type: SqlType): Buffer {
  switch (type) {
    case 'int': return Buffer.from([0x26, 4]);
    case 'bigint': return Buffer.from([0x26, 8]);
    case 'bit': return Buffer.from([0x68, 1]);
    case 'nvarchar': { const b = Buffer.alloc(3); b.writeUInt8(0xe7, 0); b.writeUInt16LE(8000, 1); return Buffer.concat([b, COLLATION_BYTES]); }
    case 'nvarcharmax': { const b = Buffer.alloc(3); b.writeUInt8(0xe7, 0); b.writeUInt16LE(0xffff, 1); return Buffer.concat([b, COLLATION_BYTES]); }
    case 'variant': { const b = Buffer.alloc(5); b.writeUInt8(0x62, 0); b.writeUInt32LE(8016, 1); return b; }
  }
}
function encodeValue(type: SqlType, v: Val): Buffer {
  const value = v.value;
  switch (type) {
    case 'int': {
      if (value === null) return Buffer.from([0]);
      const b = Buffer.alloc(5); b.writeUInt8(4, 0); b.writeInt32LE(Number(value), 1); return b;
    }
    case 'bigint': {
      if (value === null) return Buffer.from([0]);
      const b = Buffer.alloc(9); b.writeUInt8(8, 0); b.writeBigInt64LE(BigInt(value as number), 1); return b;
    }
    case 'bit':
      return value === null ? Buffer.from([0]) : Buffer.from([1, value ? 1 : 0]);
    case 'nvarchar': {
      if (value === null) return Buffer.from([0xff, 0xff]);
      const data = ucs2(String(value));
      const b = Buffer.alloc(2); b.writeUInt16LE(data.length); return Buffer.concat([b, data]);
    }
    case 'nvarcharmax': {
      // PLP: total length, one chunk, the terminator.
      if (value === null) return Buffer.from('ffffffffffffffff', 'hex');
      const data = ucs2(String(value));
      const total = Buffer.alloc(8); total.writeBigUInt64LE(BigInt(data.length));
      if (!data.length) return Buffer.concat([total, Buffer.alloc(4)]);
      const chunk = Buffer.alloc(4); chunk.writeUInt32LE(data.length);
      return Buffer.concat([total, chunk, data, Buffer.alloc(4)]);
    }
    case 'variant': {
      if (value === null) return Buffer.alloc(4);
      let inner: Buffer;
      if (v.base === 'nvarchar' || v.type === 'nvarchar') {
        const data = ucs2(String(value));
        const props = Buffer.alloc(2); props.writeUInt16LE(8000);
        inner = Buffer.concat([Buffer.from([0xe7, 7]), props, COLLATION_BYTES, data]);
      } else if (v.base === 'bigint' || v.type === 'bigint') {
        const data = Buffer.alloc(8); data.writeBigInt64LE(BigInt(value as number));
        inner = Buffer.concat([Buffer.from([0x7f, 0]), data]);
      } else {
        const data = Buffer.alloc(4); data.writeInt32LE(Number(value));
        inner = Buffer.concat([Buffer.from([0x38, 0]), data]);
      }
      const len = Buffer.alloc(4); len.writeUInt32LE(inner.length);
      return Buffer.concat([len, inner]);
    }
  }
}

export function colMetadata(columns: { name: string; type: SqlType }[]): Buffer {
  const head = Buffer.alloc(3);
  head.writeUInt8(TOKEN.COLMETADATA, 0);
  head.writeUInt16LE(columns.length, 1);
  const cols = columns.map((c) => {
    const meta = Buffer.alloc(6);
    meta.writeUInt32LE(0, 0);
    meta.writeUInt16LE(0x0001, 4); // nullable
    return Buffer.concat([meta, typeInfo(c.type), bVarchar(c.name)]);
  });
  return Buffer.concat([head, ...cols]);
}
export function row(columns: { type: SqlType }[], values: Val[]): Buffer {
  return Buffer.concat([Buffer.from([TOKEN.ROW]), ...values.map((v, i) => encodeValue(columns[i]!.type, v))]);
}
export function returnStatus(value: number): Buffer {
  const rs = Buffer.alloc(5);
  rs.writeUInt8(TOKEN.RETURNSTATUS, 0);
  rs.writeInt32LE(value, 1);
  return rs;
}
export function sspi(data: Buffer): Buffer {
  return withLength16(TOKEN.SSPI, data);
}
/** LOGINACK for TDS 7.4, with the server's program name and version. */
export function loginAck(major: number, minor: number, build: number): Buffer {
  const ack = Buffer.alloc(5);
  ack.writeUInt8(1, 0);
  ack.writeUInt32BE(0x74000004, 1);
  return withLength16(TOKEN.LOGINACK, Buffer.concat([ack, bVarchar('Microsoft SQL Server'), Buffer.from([major, minor, (build >> 8) & 0xff, build & 0xff])]));
}
