// LOGIN7 for the TDS test peer (test support only, never shipped): reads the client's login record
// (packet size, integrated security, database, SQL login and password) and writes the answers.
import { COLLATION_BYTES, DONE_ERROR, TOKEN, done, envChange, envChangeBytes, loginAck, message } from './tokens.js';

function loginString(p: Buffer, at: number): string {
  const ib = p.readUInt16LE(at);
  const cch = p.readUInt16LE(at + 2);
  return p.toString('ucs2', ib, ib + cch * 2);
}

/** The fixed part of LOGIN7 the peer uses. */
export function readLogin7(p: Buffer): { packetSize: number; integrated: boolean; database: string } {
  const packetSize = Math.min(Math.max(p.readUInt32LE(8) || 4096, 512), 32767);
  const integrated = (p[25]! & 0x80) !== 0;
  const database = loginString(p, 68);
  return { packetSize, integrated, database };
}

/** The SQL login's name and password (the password is deobfuscated: XOR 0xA5, nibbles swapped). */
export function sqlCredentials(p: Buffer): { user: string; password: string } {
  const user = loginString(p, 40);
  const ib = p.readUInt16LE(44);
  const cch = p.readUInt16LE(46);
  const obf = Buffer.from(p.subarray(ib, ib + cch * 2));
  for (let i = 0; i < obf.length; i++) {
    const b = obf[i]! ^ 0xa5;
    obf[i] = ((b & 0x0f) << 4) | (b >> 4);
  }
  return { user, password: obf.toString('ucs2') };
}

/** Error 18456; SQL Server tells the client state 1 whatever the reason (the real state goes to its error log). */
export function loginFailedTokens(user: string, serverName: string): Buffer {
  return Buffer.concat([
    message(TOKEN.ERROR, 18456, 1, 14, `Login failed for user '${user}'.`, serverName),
    done(TOKEN.DONE, DONE_ERROR, 0, 0),
  ]);
}

/**
 * Error 18470: a disabled login with the right password. SQL Server names this reason to the client
 * (a disabled login with a wrong password gets the plain 18456, state 7 in its error log).
 */
export function loginDisabledTokens(user: string, serverName: string): Buffer {
  return Buffer.concat([
    message(TOKEN.ERROR, 18470, 1, 14, `Login failed for user '${user}'. Reason: The account is disabled.`, serverName),
    done(TOKEN.DONE, DONE_ERROR, 0, 0),
  ]);
}

/** Error 4060 then 18456: the login's database does not exist. */
export function databaseRefusedTokens(database: string, user: string, serverName: string): Buffer {
  return Buffer.concat([
    message(TOKEN.ERROR, 4060, 1, 11, `Cannot open database "${database}" requested by the login. The login failed.`, serverName),
    message(TOKEN.ERROR, 18456, 1, 14, `Login failed for user '${user}'.`, serverName),
    done(TOKEN.DONE, DONE_ERROR, 0, 0),
  ]);
}

/** The answer to a successful login: database, collation, language, LOGINACK and packet size. */
export function loginAcceptedTokens(db: string, packetSize: number, [major, minor, build]: [number, number, number, number], serverName: string): Buffer {
  const tokens: Buffer[] = [];
  tokens.push(envChange(1, db, 'master'));
  tokens.push(message(TOKEN.INFO, 5701, 2, 0, `Changed database context to '${db}'.`, serverName));
  tokens.push(envChangeBytes(7, COLLATION_BYTES, Buffer.alloc(0)));
  tokens.push(envChange(2, 'us_english', ''));
  tokens.push(message(TOKEN.INFO, 5703, 1, 0, 'Changed language setting to us_english.', serverName));
  tokens.push(loginAck(major, minor, build));
  tokens.push(envChange(4, String(packetSize), String(packetSize)));
  tokens.push(done(TOKEN.DONE, 0, 0, 0));
  return Buffer.concat(tokens);
}
