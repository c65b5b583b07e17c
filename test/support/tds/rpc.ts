// RPC request decoding for the TDS test peer (test support only, never shipped): the procedure
// name or id and the NVARCHAR/VARCHAR, INTN and BITN parameters that sp_executesql calls carry.
import { SqlError, NULL_OF, int, nv, type Val } from './values.js';

function parseRpc(body: Buffer): { proc: string; params: { name: string; value: Val }[] } {
  let off = 0;
  let proc: string;
  const nameLen = body.readUInt16LE(off);
  off += 2;
  if (nameLen === 0xffff) {
    const id = body.readUInt16LE(off);
    off += 2;
    proc = ({ 10: 'sp_executesql', 11: 'sp_prepare', 12: 'sp_execute', 13: 'sp_prepexec', 15: 'sp_unprepare' } as Record<number, string>)[id] ?? `proc#${id}`;
  } else {
    proc = body.toString('ucs2', off, off + nameLen * 2);
    off += nameLen * 2;
  }
  off += 2; // option flags
  const params: { name: string; value: Val }[] = [];
  while (off < body.length) {
    const n = body.readUInt8(off);
    off += 1;
    const name = body.toString('ucs2', off, off + n * 2);
    off += n * 2 + 1; // + status flags
    const type = body.readUInt8(off);
    off += 1;
    let value: Val;
    switch (type) {
      case 0xe7:
      case 0xa7: {
        const max = body.readUInt16LE(off);
        off += 2 + 5; // max length + collation
        const wide = type === 0xe7;
        if (max === 0xffff) {
          const total = body.readBigUInt64LE(off);
          off += 8;
          if (total === 0xffffffffffffffffn) { value = nv(null); break; }
          const chunks: Buffer[] = [];
          for (;;) {
            const len = body.readUInt32LE(off);
            off += 4;
            if (len === 0) break;
            chunks.push(body.subarray(off, off + len));
            off += len;
          }
          const data = Buffer.concat(chunks);
          value = nv(data.toString(wide ? 'ucs2' : 'latin1'));
        } else {
          const len = body.readUInt16LE(off);
          off += 2;
          if (len === 0xffff) value = nv(null);
          else { value = nv(body.toString(wide ? 'ucs2' : 'latin1', off, off + len)); off += len; }
        }
        break;
      }
      case 0x26:
      case 0x68: {
        off += 1; // max length
        const len = body.readUInt8(off);
        off += 1;
        if (len === 0) value = NULL_OF(type === 0x68 ? 'bit' : 'int');
        else if (type === 0x68) value = { type: 'bit', value: body[off] !== 0 };
        else if (len === 8) value = { type: 'bigint', value: Number(body.readBigInt64LE(off)) };
        else value = int(len === 4 ? body.readInt32LE(off) : len === 2 ? body.readInt16LE(off) : body.readUInt8(off));
        off += len;
        break;
      }
      default:
        throw new SqlError(8009, `The TDS test peer does not decode RPC parameter type 0x${type.toString(16)}.`);
    }
    params.push({ name, value });
  }
  return { proc, params };
}

/** The batch text and parameters of an sp_executesql call; any other procedure is error 2812. */
export function executeSqlCall(body: Buffer): { text: string; params: Map<string, Val> } {
  const call = parseRpc(body);
  if (call.proc !== 'sp_executesql') throw new SqlError(2812, `Could not find stored procedure '${call.proc}'.`);
  const stmt = call.params.shift();
  call.params.shift(); // @params: the declarations
  if (!stmt || stmt.value.type !== 'nvarchar') throw new SqlError(214, "Procedure expects parameter '@statement' of type 'ntext/nchar/nvarchar'.");
  const params = new Map<string, Val>();
  for (const p of call.params) params.set(p.name.toLowerCase(), p.value);
  return { text: String(stmt.value.value), params };
}
