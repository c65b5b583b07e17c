// TEST DOUBLE of Microsoft SQL Server. Never shipped: it lives in test/support only.
//
// A wire-level TDS 7.4 peer that the real mssql/tedious client talks to, so the SQL probe is
// exercised end to end without a SQL Server (none can be installed here; shared/docs/lab-sql.md).
// It implements PRELOGIN (with TLS-in-TDS and TDS 8.0 "strict" TLS), LOGIN7 for SQL logins and
// NTLMv2 (the proof is verified against the configured password), SQL batch, RPC sp_executesql,
// transaction-manager requests and ATTENTION, and a small T-SQL evaluator: SELECT lists over
// SERVERPROPERTY, CONNECTIONPROPERTY, SUSER_SNAME, IS_SRVROLEMEMBER, HAS_PERMS_BY_NAME, DB_ID,
// CONVERT/CAST, ISNULL, @@VERSION and parameters; SELECT ... FROM sys.databases [WHERE ...];
// CREATE DATABASE (262 without the right, 1801 when it exists, 226 inside a transaction); USE.
// Statements it does not know fail with an error instead of a canned answer.
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import { createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SsrpInstance } from './ssrp.js';

// ---- configuration ------------------------------------------------------------------------

export interface PeerLogin {
  /** `sa`, `pchatadmin` (SQL logins) or `CONTOSO\pchat` (Windows logins, NTLM). */
  name: string;
  password: string;
  /** Fixed server roles: `sysadmin`, `dbcreator`, ... */
  roles?: string[];
  /** Server permissions granted directly, e.g. `CREATE ANY DATABASE`. */
  permissions?: string[];
}

export type PeerMode = 'normal' | 'silent';
/** unsupported: PRELOGIN says NOT_SUP (no certificate); supported: TLS when the client asks; required: Force Encryption. */
export type PeerEncryption = 'unsupported' | 'supported' | 'required';

export interface PeerQuirks {
  /** IS_SRVROLEMEMBER answers NULL (as for an unknown role). */
  nullRoleMembership?: boolean;
  /** SERVERPROPERTY('InstanceName') is '' for the default instance and MachineName is ''. */
  emptyNames?: boolean;
  /** SERVERPROPERTY('Collation') in lower case. */
  lowerCaseCollation?: boolean;
  /** CONNECTIONPROPERTY(...) answers NULL. */
  nullConnectionProperties?: boolean;
}

export interface PeerFaults {
  /** Delay before answering each request (not the login or the session SET batch). */
  queryDelayMs?: number;
  /** Drop the connection when CREATE DATABASE runs: before creating it, or after creating it but before answering. */
  dropOnCreateDatabase?: 'before' | 'after';
}

export interface TdsPeerOptions {
  host?: string;
  port?: number;
  mode?: PeerMode;
  encryption?: PeerEncryption;
  productVersion?: string;
  productLevel?: string;
  edition?: string;
  /** SERVERPROPERTY('EngineEdition'): 2 Standard, 3 Enterprise, 4 Express. */
  engineEdition?: number;
  hadrEnabled?: boolean;
  collation?: string;
  machineName?: string;
  /** null/undefined: default instance. */
  instanceName?: string | null;
  logins?: PeerLogin[];
  /** User databases that already exist (master, tempdb, model and msdb always exist). */
  databases?: string[];
  quirks?: PeerQuirks;
  faults?: PeerFaults;
}

// ---- small helpers ------------------------------------------------------------------------

const SYSTEM_DATABASES = ['master', 'tempdb', 'model', 'msdb'];
const COLLATION_BYTES = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]); // SQL_Latin1_General_CP1_CI_AS
const FIXED_SERVER_ROLES = ['sysadmin', 'serveradmin', 'setupadmin', 'securityadmin', 'processadmin', 'dbcreator', 'diskadmin', 'bulkadmin', 'public'];
const SERVER_PERMISSIONS = ['CREATE ANY DATABASE', 'VIEW SERVER STATE', 'VIEW ANY DATABASE', 'ALTER ANY LOGIN', 'CONNECT SQL', 'ALTER ANY DATABASE', 'CONTROL SERVER'];
const RELEASES: [number, number, string][] = [
  [9, 0, 'SQL Server 2005'], [10, 0, 'SQL Server 2008'], [10, 50, 'SQL Server 2008 R2'], [11, 0, 'SQL Server 2012'],
  [12, 0, 'SQL Server 2014'], [13, 0, 'SQL Server 2016'], [14, 0, 'SQL Server 2017'], [15, 0, 'SQL Server 2019'], [16, 0, 'SQL Server 2022'],
];

const ucs2 = (s: string) => Buffer.from(s, 'ucs2');
function bVarchar(s: string): Buffer {
  return Buffer.concat([Buffer.from([s.length]), ucs2(s)]);
}
function usVarchar(s: string): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(s.length);
  return Buffer.concat([b, ucs2(s)]);
}
const eqName = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

class SqlError extends Error {
  constructor(readonly number: number, message: string, readonly cls = 16, readonly state = 1) {
    super(message);
  }
}

// ---- TLS certificate (generated once per process with openssl; a throwaway for the peer) ----

let cachedCert: { key: string; cert: string } | undefined;
function peerCertificate(): { key: string; cert: string } {
  if (cachedCert) return cachedCert;
  const dir = mkdtempSync(path.join(tmpdir(), 'tds-peer-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: 'ignore' });
    cachedCert = { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
    return cachedCert;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- NTLMv2 (MD4 is written out because OpenSSL 3 hides it in the legacy provider) ---------

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

function ntlmChallenge(nonce: Buffer, domain: string): Buffer {
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

interface NtlmAuthenticate {
  domain: string;
  user: string;
  ntProof: Buffer;
  blob: Buffer;
}
function parseNtlmAuthenticate(msg: Buffer): NtlmAuthenticate {
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
function verifyNtlmV2(auth: NtlmAuthenticate, serverNonce: Buffer, password: string): boolean {
  const ntowf = createHmac('md5', md4(ucs2(password))).update(ucs2(auth.user.toUpperCase() + auth.domain)).digest();
  const proof = createHmac('md5', ntowf).update(Buffer.concat([serverNonce, auth.blob])).digest();
  return auth.ntProof.length === 16 && proof.equals(auth.ntProof);
}

// ---- T-SQL values, tokens, parser ---------------------------------------------------------

type BaseType = 'int' | 'bigint' | 'bit' | 'nvarchar';
type SqlType = BaseType | 'variant';
interface Val {
  type: SqlType;
  value: number | bigint | boolean | string | null;
  /** For sql_variant: the type of the value inside. */
  base?: BaseType;
}
const NULL_OF = (type: SqlType): Val => ({ type, value: null });
const nv = (s: string | null): Val => ({ type: 'nvarchar', value: s });
const int = (n: number | null): Val => ({ type: 'int', value: n });
const variant = (v: Val): Val => (v.value === null ? { type: 'variant', value: null } : { type: 'variant', value: v.value, base: v.type as BaseType });
const unwrap = (v: Val): Val => (v.type === 'variant' ? (v.value === null ? NULL_OF('nvarchar') : { type: v.base!, value: v.value }) : v);

interface Tok {
  kind: 'id' | 'qid' | 'str' | 'num' | 'var' | 'sys' | 'punct' | 'eof';
  text: string;
  up: string;
}

function tokenize(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const push = (kind: Tok['kind'], text: string) => out.push({ kind, text, up: text.toUpperCase() });
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) { i++; continue; }
    if (sql.startsWith('--', i)) { const e = sql.indexOf('\n', i); i = e < 0 ? sql.length : e + 1; continue; }
    if (sql.startsWith('/*', i)) { const e = sql.indexOf('*/', i + 2); i = e < 0 ? sql.length : e + 2; continue; }
    if (ch === "'" || ((ch === 'N' || ch === 'n') && sql[i + 1] === "'")) {
      let j = ch === "'" ? i + 1 : i + 2;
      let s = '';
      for (;;) {
        if (j >= sql.length) throw new SqlError(105, `Unclosed quotation mark after the character string '${s}'.`, 15);
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") { s += "'"; j += 2; continue; }
          break;
        }
        s += sql[j++];
      }
      push('str', s);
      i = j + 1;
      continue;
    }
    if (ch === '[') {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= sql.length) throw new SqlError(105, `Unclosed quotation mark after the character string '${s}'.`, 15);
        if (sql[j] === ']') {
          if (sql[j + 1] === ']') { s += ']'; j += 2; continue; }
          break;
        }
        s += sql[j++];
      }
      push('qid', s);
      i = j + 1;
      continue;
    }
    if (ch === '"') {
      const e = sql.indexOf('"', i + 1);
      if (e < 0) throw new SqlError(105, 'Unclosed quotation mark.', 15);
      push('qid', sql.slice(i + 1, e));
      i = e + 1;
      continue;
    }
    let m: RegExpExecArray | null;
    const rest = sql.slice(i);
    if ((m = /^@@[A-Za-z_]\w*/.exec(rest))) { push('sys', m[0]); i += m[0].length; continue; }
    if ((m = /^@[A-Za-z_#@$][\w#@$]*/.exec(rest))) { push('var', m[0]); i += m[0].length; continue; }
    if ((m = /^\d+(\.\d+)?/.exec(rest))) { push('num', m[0]); i += m[0].length; continue; }
    if ((m = /^[A-Za-z_#][\w#$@]*/.exec(rest))) { push('id', m[0]); i += m[0].length; continue; }
    if ((m = /^(<>|!=|<=|>=|[(),;.*=<>+-])/.exec(rest))) { push('punct', m[0]); i += m[0].length; continue; }
    throw new SqlError(102, `Incorrect syntax near '${ch}'.`, 15);
  }
  out.push({ kind: 'eof', text: '', up: '' });
  return out;
}

type Expr =
  | { k: 'lit'; v: Val }
  | { k: 'col'; name: string }
  | { k: 'var'; name: string }
  | { k: 'sys'; name: string }
  | { k: 'fn'; name: string; args: Expr[] }
  | { k: 'conv'; to: SqlType; e: Expr }
  | { k: 'star' };
type Cond =
  | { k: 'cmp'; op: string; l: Expr; r: Expr }
  | { k: 'in'; e: Expr; list: Expr[]; not: boolean }
  | { k: 'isnull'; e: Expr; not: boolean }
  | { k: 'and' | 'or'; a: Cond; b: Cond }
  | { k: 'not'; c: Cond };
interface SelectItem {
  e: Expr;
  alias?: string;
}
type Stmt =
  | { kind: 'set'; text: string }
  | { kind: 'select'; top?: number; items: SelectItem[]; from?: string; where?: Cond; orderBy?: { col: string; desc: boolean } }
  | { kind: 'create-db'; name: string }
  | { kind: 'use'; name: string };

const STATEMENT_STARTS = new Set(['SELECT', 'SET', 'CREATE', 'DROP', 'USE', 'DECLARE', 'IF', 'EXEC', 'EXECUTE', 'PRINT', 'ALTER', 'INSERT', 'UPDATE', 'DELETE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'GRANT', 'REVOKE', 'DENY', 'WAITFOR']);
const CLAUSE_WORDS = new Set(['FROM', 'WHERE', 'ORDER', 'GROUP', 'HAVING', 'UNION', 'INTO', 'OPTION']);

/** Functions the evaluator knows, with their result type; anything else is error 195 as on SQL Server. */
const FUNCTIONS: Record<string, { type: SqlType; args: [number, number] }> = {
  SERVERPROPERTY: { type: 'variant', args: [1, 1] },
  CONNECTIONPROPERTY: { type: 'variant', args: [1, 1] },
  SUSER_SNAME: { type: 'nvarchar', args: [0, 1] },
  SUSER_NAME: { type: 'nvarchar', args: [0, 1] },
  ORIGINAL_LOGIN: { type: 'nvarchar', args: [0, 0] },
  IS_SRVROLEMEMBER: { type: 'int', args: [1, 2] },
  HAS_PERMS_BY_NAME: { type: 'int', args: [3, 5] },
  DB_ID: { type: 'int', args: [0, 1] },
  DB_NAME: { type: 'nvarchar', args: [0, 1] },
  ISNULL: { type: 'nvarchar', args: [2, 2] },
  COALESCE: { type: 'nvarchar', args: [1, 32] },
};

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}
  private peek(o = 0): Tok { return this.toks[Math.min(this.pos + o, this.toks.length - 1)]!; }
  private next(): Tok { return this.toks[Math.min(this.pos++, this.toks.length - 1)]!; }
  private isPunct(p: string, o = 0) { const t = this.peek(o); return t.kind === 'punct' && t.text === p; }
  private isWord(w: string, o = 0) { const t = this.peek(o); return t.kind === 'id' && t.up === w; }
  private fail(): never {
    const t = this.peek();
    throw new SqlError(102, `Incorrect syntax near '${t.kind === 'eof' ? 'end of batch' : t.text}'.`, 15);
  }
  private expectPunct(p: string) { if (!this.isPunct(p)) this.fail(); this.pos++; }
  private atStatementEnd(): boolean {
    const t = this.peek();
    return t.kind === 'eof' || (t.kind === 'punct' && t.text === ';') || (t.kind === 'id' && STATEMENT_STARTS.has(t.up));
  }

  parseBatch(): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      while (this.isPunct(';')) this.pos++;
      const t = this.peek();
      if (t.kind === 'eof') return out;
      if (t.kind !== 'id') this.fail();
      switch (t.up) {
        case 'SET': {
          const start = this.pos++;
          while (!this.atStatementEnd()) this.pos++;
          out.push({ kind: 'set', text: this.toks.slice(start, this.pos).map((x) => x.text).join(' ') });
          break;
        }
        case 'SELECT':
          out.push(this.parseSelect());
          break;
        case 'CREATE': {
          this.pos++;
          if (!this.isWord('DATABASE')) throw new SqlError(50000, `The TDS test peer does not implement CREATE ${this.peek().text}.`);
          this.pos++;
          const n = this.next();
          if (n.kind !== 'id' && n.kind !== 'qid') this.fail();
          while (!this.atStatementEnd()) this.pos++; // COLLATE, ON PRIMARY (...): accepted, ignored
          out.push({ kind: 'create-db', name: n.text });
          break;
        }
        case 'USE': {
          this.pos++;
          const n = this.next();
          if (n.kind !== 'id' && n.kind !== 'qid') this.fail();
          out.push({ kind: 'use', name: n.text });
          break;
        }
        default:
          throw new SqlError(50000, `The TDS test peer does not implement the ${t.up} statement.`);
      }
      if (!this.atStatementEnd()) this.fail();
    }
  }

  private parseSelect(): Stmt {
    this.pos++; // SELECT
    let top: number | undefined;
    if (this.isWord('TOP')) {
      this.pos++;
      const paren = this.isPunct('(');
      if (paren) this.pos++;
      const n = this.next();
      if (n.kind !== 'num') this.fail();
      top = Number(n.text);
      if (paren) this.expectPunct(')');
    }
    const items: SelectItem[] = [];
    do {
      if (items.length) this.pos++; // ','
      if (this.isPunct('*')) {
        this.pos++;
        items.push({ e: { k: 'star' } });
        continue;
      }
      const e = this.parseExpr();
      let alias: string | undefined;
      if (this.isWord('AS')) {
        this.pos++;
        const a = this.next();
        if (a.kind !== 'id' && a.kind !== 'qid' && a.kind !== 'str') this.fail();
        alias = a.text;
      } else {
        const a = this.peek();
        if ((a.kind === 'id' && !CLAUSE_WORDS.has(a.up) && !STATEMENT_STARTS.has(a.up)) || a.kind === 'qid') {
          this.pos++;
          alias = a.text;
        }
      }
      items.push({ e, alias });
    } while (this.isPunct(','));
    const stmt: Extract<Stmt, { kind: 'select' }> = { kind: 'select', top, items };
    if (this.isWord('FROM')) {
      this.pos++;
      const parts: string[] = [this.nameToken()];
      while (this.isPunct('.')) {
        this.pos++;
        parts.push(this.nameToken());
      }
      stmt.from = parts.join('.');
      // optional table alias
      const a = this.peek();
      if (a.kind === 'id' && !CLAUSE_WORDS.has(a.up) && !STATEMENT_STARTS.has(a.up)) this.pos++;
    }
    if (this.isWord('WHERE')) {
      this.pos++;
      stmt.where = this.parseOr();
    }
    if (this.isWord('ORDER')) {
      this.pos++;
      if (!this.isWord('BY')) this.fail();
      this.pos++;
      const col = this.nameToken();
      let desc = false;
      if (this.isWord('DESC')) { desc = true; this.pos++; } else if (this.isWord('ASC')) this.pos++;
      stmt.orderBy = { col, desc };
    }
    return stmt;
  }

  private nameToken(): string {
    const t = this.next();
    if (t.kind !== 'id' && t.kind !== 'qid') this.fail();
    return t.text;
  }

  private parseOr(): Cond {
    let c = this.parseAnd();
    while (this.isWord('OR')) { this.pos++; c = { k: 'or', a: c, b: this.parseAnd() }; }
    return c;
  }
  private parseAnd(): Cond {
    let c = this.parseNot();
    while (this.isWord('AND')) { this.pos++; c = { k: 'and', a: c, b: this.parseNot() }; }
    return c;
  }
  private parseNot(): Cond {
    if (this.isWord('NOT')) { this.pos++; return { k: 'not', c: this.parseNot() }; }
    if (this.isPunct('(') && this.looksLikeCondGroup()) {
      this.pos++;
      const c = this.parseOr();
      this.expectPunct(')');
      return c;
    }
    const l = this.parseExpr();
    if (this.isWord('IS')) {
      this.pos++;
      const not = this.isWord('NOT');
      if (not) this.pos++;
      if (!this.isWord('NULL')) this.fail();
      this.pos++;
      return { k: 'isnull', e: l, not };
    }
    let not = false;
    if (this.isWord('NOT')) { not = true; this.pos++; }
    if (this.isWord('IN')) {
      this.pos++;
      this.expectPunct('(');
      const list: Expr[] = [this.parseExpr()];
      while (this.isPunct(',')) { this.pos++; list.push(this.parseExpr()); }
      this.expectPunct(')');
      return { k: 'in', e: l, list, not };
    }
    if (not) this.fail();
    const op = this.peek();
    if (op.kind !== 'punct' || !['=', '<>', '!=', '<', '>', '<=', '>='].includes(op.text)) this.fail();
    this.pos++;
    return { k: 'cmp', op: op.text, l, r: this.parseExpr() };
  }
  private looksLikeCondGroup(): boolean {
    // "(a = b OR ...)" rather than "(expr) = x": scan to the matching ')' for a comparison word.
    let depth = 0;
    for (let i = this.pos; i < this.toks.length; i++) {
      const t = this.toks[i]!;
      if (t.kind === 'punct' && t.text === '(') depth++;
      else if (t.kind === 'punct' && t.text === ')') { depth--; if (depth === 0) return false; }
      else if (depth === 1 && ((t.kind === 'punct' && ['=', '<>', '!=', '<', '>', '<=', '>='].includes(t.text)) || (t.kind === 'id' && ['IN', 'IS', 'AND', 'OR'].includes(t.up)))) return true;
      if (t.kind === 'eof') return false;
    }
    return false;
  }

  private parseType(): SqlType {
    const t = this.next();
    if (t.kind !== 'id' && t.kind !== 'qid') this.fail();
    let type: SqlType;
    switch (t.up) {
      case 'NVARCHAR': case 'VARCHAR': case 'NCHAR': case 'CHAR': case 'SYSNAME': type = 'nvarchar'; break;
      case 'INT': case 'SMALLINT': case 'TINYINT': type = 'int'; break;
      case 'BIGINT': type = 'bigint'; break;
      case 'BIT': type = 'bit'; break;
      case 'SQL_VARIANT': type = 'variant'; break;
      default: throw new SqlError(243, `Type ${t.text} is not a defined system type.`);
    }
    if (this.isPunct('(')) {
      this.pos++;
      const n = this.next();
      if (n.kind !== 'num' && !(n.kind === 'id' && n.up === 'MAX')) this.fail();
      this.expectPunct(')');
    }
    return type;
  }

  parseExpr(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { k: 'lit', v: /\./.test(t.text) ? nv(t.text) : int(Number(t.text)) };
      case 'str':
        return { k: 'lit', v: nv(t.text) };
      case 'var':
        return { k: 'var', name: t.text.toLowerCase() };
      case 'sys':
        if (!['@@VERSION', '@@SPID', '@@SERVERNAME', '@@TRANCOUNT'].includes(t.up)) throw new SqlError(137, `Must declare the scalar variable "${t.text}".`, 15, 2);
        return { k: 'sys', name: t.up };
      case 'punct':
        if (t.text === '(') {
          const e = this.parseExpr();
          this.expectPunct(')');
          return e;
        }
        if (t.text === '-' && this.peek().kind === 'num') return { k: 'lit', v: int(-Number(this.next().text)) };
        this.pos--;
        return this.fail();
      case 'id':
      case 'qid': {
        if (t.kind === 'id' && t.up === 'NULL') return { k: 'lit', v: NULL_OF('int') };
        if (t.kind === 'id' && (t.up === 'SYSTEM_USER' || t.up === 'CURRENT_USER')) return { k: 'fn', name: 'SUSER_SNAME', args: [] };
        if (t.kind === 'id' && (t.up === 'CAST' || t.up === 'CONVERT') && this.isPunct('(')) {
          this.pos++;
          if (t.up === 'CAST') {
            const e = this.parseExpr();
            if (!this.isWord('AS')) this.fail();
            this.pos++;
            const to = this.parseType();
            this.expectPunct(')');
            return { k: 'conv', to, e };
          }
          const to = this.parseType();
          this.expectPunct(',');
          const e = this.parseExpr();
          if (this.isPunct(',')) { this.pos++; this.parseExpr(); } // style: ignored
          this.expectPunct(')');
          return { k: 'conv', to, e };
        }
        if (t.kind === 'id' && this.isPunct('(')) {
          const fn = FUNCTIONS[t.up];
          if (!fn) throw new SqlError(195, `'${t.text}' is not a recognized built-in function name.`, 15, 10);
          this.pos++;
          const args: Expr[] = [];
          if (!this.isPunct(')')) {
            args.push(this.parseExpr());
            while (this.isPunct(',')) { this.pos++; args.push(this.parseExpr()); }
          }
          this.expectPunct(')');
          if (args.length < fn.args[0] || args.length > fn.args[1]) {
            throw new SqlError(174, `The ${t.up.toLowerCase()} function requires ${fn.args[0]} argument(s).`, 15);
          }
          return { k: 'fn', name: t.up, args };
        }
        let name = t.text;
        while (this.isPunct('.')) { this.pos++; name = this.nameToken(); } // d.name -> name
        return { k: 'col', name };
      }
      default:
        this.pos--;
        this.fail();
    }
  }
}

// ---- token stream writer ------------------------------------------------------------------

const TOKEN = { COLMETADATA: 0x81, ERROR: 0xaa, INFO: 0xab, LOGINACK: 0xad, ROW: 0xd1, ENVCHANGE: 0xe3, SSPI: 0xed, DONE: 0xfd, DONEPROC: 0xfe, DONEINPROC: 0xff, RETURNSTATUS: 0x79 };
const DONE_MORE = 0x0001, DONE_ERROR = 0x0002, DONE_COUNT = 0x0010, DONE_ATTN = 0x0020;

function withLength16(token: number, body: Buffer): Buffer {
  const h = Buffer.alloc(3);
  h.writeUInt8(token, 0);
  h.writeUInt16LE(body.length, 1);
  return Buffer.concat([h, body]);
}
function envChange(type: number, newValue: string, oldValue: string): Buffer {
  return withLength16(TOKEN.ENVCHANGE, Buffer.concat([Buffer.from([type]), bVarchar(newValue), bVarchar(oldValue)]));
}
function envChangeBytes(type: number, newValue: Buffer, oldValue: Buffer): Buffer {
  return withLength16(TOKEN.ENVCHANGE, Buffer.concat([Buffer.from([type, newValue.length]), newValue, Buffer.from([oldValue.length]), oldValue]));
}
function message(token: number, number: number, state: number, cls: number, text: string, server: string): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt32LE(number, 0);
  head.writeUInt8(state, 4);
  head.writeUInt8(cls, 5);
  const line = Buffer.alloc(4);
  line.writeUInt32LE(1);
  return withLength16(token, Buffer.concat([head, usVarchar(text), bVarchar(server), bVarchar(''), line]));
}
function done(token: number, status: number, curCmd: number, rowCount: number): Buffer {
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

interface ResultSet {
  columns: { name: string; type: SqlType }[];
  rows: Val[][];
}

// ---- the peer -----------------------------------------------------------------------------

export class TdsPeer {
  readonly host: string;
  port = 0;
  mode: PeerMode;
  encryption: PeerEncryption;
  readonly facts: Required<Omit<TdsPeerOptions, 'host' | 'port' | 'mode' | 'encryption' | 'logins' | 'databases' | 'quirks' | 'faults' | 'instanceName'>> & { instanceName: string | null };
  logins: PeerLogin[];
  quirks: PeerQuirks;
  faults: PeerFaults;
  /** Every database on the instance, system databases included. */
  private readonly dbs: string[];
  /** Databases created through CREATE DATABASE, in order. */
  readonly created: string[] = [];
  /** What the peer saw, for assertions. */
  readonly stats = { connections: 0, logins: 0, encryptedLogins: 0, failedLogins: 0, statements: [] as string[], attentions: 0 };
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private nextSpid = 51;
  private secureContext?: SecureContext;

  private constructor(opts: TdsPeerOptions) {
    this.host = opts.host ?? '127.0.0.1';
    this.mode = opts.mode ?? 'normal';
    this.encryption = opts.encryption ?? 'supported';
    this.facts = {
      productVersion: opts.productVersion ?? '11.0.7001.0',
      productLevel: opts.productLevel ?? 'SP4',
      edition: opts.edition ?? 'Enterprise Edition (64-bit)',
      engineEdition: opts.engineEdition ?? 3,
      hadrEnabled: opts.hadrEnabled ?? false,
      collation: opts.collation ?? 'SQL_Latin1_General_CP1_CI_AS',
      machineName: opts.machineName ?? 'SQLPEER',
      instanceName: opts.instanceName ?? null,
    };
    this.logins = opts.logins ?? [{ name: 'sa', password: 'Peer-Passw0rd!', roles: ['sysadmin'] }];
    this.dbs = [...SYSTEM_DATABASES, ...(opts.databases ?? [])];
    this.quirks = opts.quirks ?? {};
    this.faults = opts.faults ?? {};
  }

  static async start(opts: TdsPeerOptions = {}): Promise<TdsPeer> {
    const peer = new TdsPeer(opts);
    await peer.listen(opts.port ?? 0);
    return peer;
  }

  private listen(port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    this.stats.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    // A reply can be several TLS records written one by one: without this, Nagle's algorithm holds
    // the second back until the client's delayed ACK (about 40 ms), which real servers do not cost.
    socket.setNoDelay(true);
    if (this.mode === 'silent') return; // accepts, reads nothing, never answers
    new Session(this, socket, this.nextSpid++);
  }

  /** Closes the listener and every connection: the port then refuses connections, as a stopped service does. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Client connections still open. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** The databases on the instance (system databases included). */
  get databases(): string[] {
    return [...this.dbs];
  }

  /** The record an SSRP responder publishes for this instance. */
  ssrpRecord(): SsrpInstance {
    return { serverName: this.facts.machineName || 'SQLPEER', instanceName: this.facts.instanceName ?? 'MSSQLSERVER', version: this.facts.productVersion, tcp: this.port };
  }

  /** @internal */ tlsContext(): SecureContext {
    this.secureContext ??= createSecureContext({ ...peerCertificate(), minVersion: 'TLSv1.2' });
    return this.secureContext;
  }
  /** The PEM certificate the peer presents (to trust it explicitly in a test). */
  get certificatePem(): string {
    return peerCertificate().cert;
  }
  /** @internal */ findDatabase(name: string): string | undefined {
    return this.dbs.find((d) => eqName(d, name));
  }
  /** @internal */ addDatabase(name: string): void {
    this.dbs.push(name);
    this.created.push(name);
  }
  get versionParts(): [number, number, number, number] {
    const p = this.facts.productVersion.split('.').map((x) => Number(x) || 0);
    return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 0];
  }
  get releaseName(): string {
    const [major, minor] = this.versionParts;
    return RELEASES.filter(([M, m]) => M === major && m <= minor).pop()?.[2] ?? `SQL Server ${major}.${minor}`;
  }
  get serverName(): string {
    return this.facts.instanceName ? `${this.facts.machineName}\\${this.facts.instanceName}` : this.facts.machineName;
  }
  get versionText(): string {
    const arch = /64-bit/i.test(this.facts.edition) ? 'X64' : 'Intel X86';
    return `Microsoft ${this.releaseName} (${this.facts.productLevel}) - ${this.facts.productVersion} (${arch}) \n\tJan  1 2020 00:00:00 \n\tCopyright (c) Microsoft Corporation\n\t${this.facts.edition} on Windows NT 6.3 <X64> (Build 9600: ) (Hypervisor)\n`;
  }
}

/** TLS inside PRELOGIN packets (TDS 7.x): handshake records travel wrapped, application data raw. */
class TlsOverPrelogin {
  readonly tls: TLSSocket;
  private readonly inner: Duplex;
  private pendingOut: Buffer = Buffer.alloc(0);
  private flight: Buffer[] = [];
  private sawChangeCipherSpec = false;
  private rawOut = false;
  private flushTimer?: NodeJS.Timeout;

  constructor(context: SecureContext, private readonly sendWrapped: (b: Buffer) => void, private readonly sendRaw: (b: Buffer) => void) {
    this.inner = new Duplex({
      read() {},
      write: (chunk: Buffer, _enc, cb) => {
        this.onTlsOutput(chunk);
        cb();
      },
    });
    this.tls = new TLSSocket(this.inner as unknown as Socket, { isServer: true, secureContext: context });
    this.tls.on('error', () => {});
  }

  feed(data: Buffer): void {
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

/** Splits a byte stream into TDS messages (type + payload up to EOM). */
class PacketReader {
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

type SessionState = 'prelogin' | 'login' | 'ntlm' | 'loggedin' | 'closed';

class Session {
  private state: SessionState = 'prelogin';
  private packetSize = 4096;
  private packetId = 1;
  private reader: PacketReader;
  /** Writes cleartext TDS bytes (through TLS once it is up). */
  private writeTds: (b: Buffer) => void;
  private tlsWrap?: TlsOverPrelogin;
  private wrapperReader?: { push(data: Buffer): void };
  private rawTls = false;
  private strictTls?: { inner: Duplex; tls: TLSSocket };
  private login?: PeerLogin;
  private authScheme: 'SQL' | 'NTLM' = 'SQL';
  private ntlmNonce = randomBytes(8);
  private database = 'master';
  private inTransaction = false;
  private queue: Promise<void> = Promise.resolve();
  private attention?: () => void;
  private encrypted = false;

  constructor(private readonly peer: TdsPeer, private readonly socket: Socket, private readonly spid: number) {
    this.reader = new PacketReader((t, p) => this.enqueue(t, p), () => socket.destroy());
    this.writeTds = (b) => socket.write(b);
    socket.on('data', (d: Buffer) => this.onRaw(d));
    socket.on('close', () => { this.state = 'closed'; this.attention?.(); });
  }

  private onRaw(data: Buffer): void {
    if (this.strictTls) { this.strictTls.inner.push(data); return; }
    if (this.state === 'prelogin' && !this.tlsWrap && data[0] === 0x16 && data[1] === 0x03) return this.startStrictTls(data);
    if (this.tlsWrap) {
      if (this.rawTls) { this.tlsWrap.feed(data); return; }
      this.wrapperReader!.push(data);
      return;
    }
    this.reader.push(data);
  }

  /** TDS 8.0 (`encrypt: 'strict'`): TLS first, then PRELOGIN inside it. */
  private startStrictTls(first: Buffer): void {
    if (this.peer.encryption === 'unsupported') { this.socket.destroy(); return; } // a pre-2022 server cannot parse it
    const socket = this.socket;
    const inner = new Duplex({ read() {}, write(chunk: Buffer, _e, cb) { socket.write(chunk, () => cb()); } });
    const tls = new TLSSocket(inner as unknown as Socket, { isServer: true, secureContext: this.peer.tlsContext(), ALPNProtocols: ['tds/8.0'] });
    tls.on('error', () => socket.destroy());
    tls.on('data', (d: Buffer) => this.reader.push(d));
    this.strictTls = { inner, tls };
    this.encrypted = true;
    this.writeTds = (b) => tls.write(b);
    inner.push(first);
  }

  private enqueue(type: number, payload: Buffer): void {
    if (type === 0x06) {
      // ATTENTION: cancel what runs now; the answer is a DONE with DONE_ATTN.
      this.peer.stats.attentions++;
      const cancel = this.attention;
      if (cancel) cancel();
      else this.queue = this.queue.then(() => { this.send(done(TOKEN.DONE, DONE_ATTN, 0, 0)); });
      return;
    }
    this.queue = this.queue.then(() => this.handle(type, payload)).catch(() => { this.socket.destroy(); });
  }

  private packets(type: number, data: Buffer): Buffer[] {
    const max = this.packetSize - 8;
    const out: Buffer[] = [];
    let off = 0;
    do {
      const chunk = data.subarray(off, off + max);
      off += chunk.length;
      const head = Buffer.alloc(8);
      head.writeUInt8(type, 0);
      head.writeUInt8(off >= data.length ? 0x01 : 0x00, 1);
      head.writeUInt16BE(chunk.length + 8, 2);
      head.writeUInt16BE(this.spid, 4);
      head.writeUInt8(this.packetId++ & 0xff, 6);
      out.push(Buffer.concat([head, chunk]));
    } while (off < data.length);
    return out;
  }

  private send(tokens: Buffer): void {
    if (this.state === 'closed') return;
    for (const p of this.packets(0x04, tokens)) this.writeTds(p);
  }

  private async handle(type: number, payload: Buffer): Promise<void> {
    if (this.state === 'closed') return;
    switch (type) {
      case 0x12:
        if (this.state !== 'prelogin') return void this.socket.destroy();
        return this.onPrelogin(payload);
      case 0x10:
        if (this.state !== 'login') return void this.socket.destroy();
        return this.onLogin7(payload);
      case 0x11:
        if (this.state !== 'ntlm') return void this.socket.destroy();
        return this.onNtlmAuthenticate(payload);
      case 0x01:
      case 0x03:
      case 0x0e:
        if (this.state !== 'loggedin') return void this.socket.destroy();
        return this.onRequest(type, payload);
      default:
        this.socket.destroy();
    }
  }

  // -- PRELOGIN and TLS --

  private onPrelogin(payload: Buffer): void {
    let clientEncryption = 0x02;
    for (let i = 0; i < payload.length && payload[i] !== 0xff; i += 5) {
      const token = payload[i]!;
      const off = payload.readUInt16BE(i + 1);
      if (token === 0x01 && off < payload.length) clientEncryption = payload[off]!;
    }
    let answer: number;
    if (this.strictTls) answer = 0x02; // already inside TLS
    else if (this.peer.encryption === 'unsupported') answer = 0x02;
    else if (this.peer.encryption === 'required') answer = 0x03;
    else answer = clientEncryption === 0x01 || clientEncryption === 0x03 ? 0x01 : 0x02;

    const [major, minor, build, sub] = this.peer.versionParts;
    const options: [number, Buffer][] = [
      [0x00, (() => { const b = Buffer.alloc(6); b.writeUInt8(major, 0); b.writeUInt8(minor, 1); b.writeUInt16BE(build, 2); b.writeUInt16BE(sub, 4); return b; })()],
      [0x01, Buffer.from([answer])],
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
    this.send(Buffer.concat([...table, Buffer.from([0xff]), ...options.map(([, d]) => d)]));
    this.state = 'login';
    const clientWantsTls = clientEncryption === 0x01 || clientEncryption === 0x03;
    if (!this.strictTls && (answer === 0x01 || answer === 0x03) && clientWantsTls) this.startTlsOverPrelogin();
  }

  private startTlsOverPrelogin(): void {
    // Handshake flights go out as PRELOGIN packets straight on the socket, never through TLS.
    const wrap = new TlsOverPrelogin(
      this.peer.tlsContext(),
      (data) => { for (const p of this.packets(0x12, data)) this.socket.write(p); },
      (data) => this.socket.write(data),
    );
    this.tlsWrap = wrap;
    this.encrypted = true;
    const reader = new PacketReader(
      (type, payload) => (type === 0x12 ? wrap.feed(payload) : this.socket.destroy()),
      () => this.socket.destroy(),
    );
    this.wrapperReader = {
      push: (data: Buffer) => {
        // Once the client has its keys it sends raw TLS records (type 0x14..0x17), no longer TDS packets.
        if (!this.rawTls && data[0]! >= 0x14 && data[0]! <= 0x17) {
          this.rawTls = true;
          wrap.feed(data);
          return;
        }
        reader.push(data);
      },
    };
    wrap.tls.on('data', (d: Buffer) => this.reader.push(d));
    wrap.tls.on('error', () => this.socket.destroy());
    this.writeTds = (b) => wrap.tls.write(b);
  }

  // -- LOGIN7 / NTLM --

  private onLogin7(p: Buffer): void {
    const str = (at: number) => {
      const ib = p.readUInt16LE(at);
      const cch = p.readUInt16LE(at + 2);
      return p.toString('ucs2', ib, ib + cch * 2);
    };
    this.packetSize = Math.min(Math.max(p.readUInt32LE(8) || 4096, 512), 32767);
    const integrated = (p[25]! & 0x80) !== 0;
    const database = str(68);
    if (integrated) {
      this.pendingDatabase = database;
      this.state = 'ntlm';
      this.authScheme = 'NTLM';
      const challenge = ntlmChallenge(this.ntlmNonce, 'CONTOSO');
      const h = Buffer.alloc(3);
      h.writeUInt8(TOKEN.SSPI, 0);
      h.writeUInt16LE(challenge.length, 1);
      this.send(Buffer.concat([h, challenge]));
      return;
    }
    const user = str(40);
    const ib = p.readUInt16LE(44);
    const cch = p.readUInt16LE(46);
    const obf = Buffer.from(p.subarray(ib, ib + cch * 2));
    for (let i = 0; i < obf.length; i++) {
      const b = obf[i]! ^ 0xa5;
      obf[i] = ((b & 0x0f) << 4) | (b >> 4);
    }
    const password = obf.toString('ucs2');
    const login = this.peer.logins.find((l) => !l.name.includes('\\') && eqName(l.name, user));
    if (!login || login.password !== password) return this.loginFailed(user);
    this.completeLogin(login, database);
  }
  private pendingDatabase = '';

  private onNtlmAuthenticate(p: Buffer): void {
    let auth: NtlmAuthenticate;
    try {
      auth = parseNtlmAuthenticate(p);
    } catch {
      return this.loginFailed('');
    }
    const name = `${auth.domain}\\${auth.user}`;
    const login = this.peer.logins.find((l) => l.name.includes('\\') && eqName(l.name, name));
    if (!login || !verifyNtlmV2(auth, this.ntlmNonce, login.password)) return this.loginFailed(name);
    this.completeLogin(login, this.pendingDatabase);
  }

  private loginFailed(user: string): void {
    this.peer.stats.failedLogins++;
    // SQL Server tells the client state 1 whatever the reason; the real state goes to its error log.
    this.send(Buffer.concat([
      message(TOKEN.ERROR, 18456, 1, 14, `Login failed for user '${user}'.`, this.peer.serverName),
      done(TOKEN.DONE, DONE_ERROR, 0, 0),
    ]));
    this.state = 'closed';
  }

  private completeLogin(login: PeerLogin, database: string): void {
    const tokens: Buffer[] = [];
    const db = database ? this.peer.findDatabase(database) : 'master';
    if (!db) {
      this.peer.stats.failedLogins++;
      this.send(Buffer.concat([
        message(TOKEN.ERROR, 4060, 1, 11, `Cannot open database "${database}" requested by the login. The login failed.`, this.peer.serverName),
        message(TOKEN.ERROR, 18456, 1, 14, `Login failed for user '${login.name}'.`, this.peer.serverName),
        done(TOKEN.DONE, DONE_ERROR, 0, 0),
      ]));
      this.state = 'closed';
      return;
    }
    this.login = login;
    this.database = db;
    this.peer.stats.logins++;
    if (this.encrypted) this.peer.stats.encryptedLogins++;
    tokens.push(envChange(1, db, 'master'));
    tokens.push(message(TOKEN.INFO, 5701, 2, 0, `Changed database context to '${db}'.`, this.peer.serverName));
    tokens.push(envChangeBytes(7, COLLATION_BYTES, Buffer.alloc(0)));
    tokens.push(envChange(2, 'us_english', ''));
    tokens.push(message(TOKEN.INFO, 5703, 1, 0, 'Changed language setting to us_english.', this.peer.serverName));
    const [major, minor, build] = this.peer.versionParts;
    const ack = Buffer.alloc(5);
    ack.writeUInt8(1, 0);
    ack.writeUInt32BE(0x74000004, 1);
    tokens.push(withLength16(TOKEN.LOGINACK, Buffer.concat([ack, bVarchar('Microsoft SQL Server'), Buffer.from([major, minor, (build >> 8) & 0xff, build & 0xff])])));
    tokens.push(envChange(4, String(this.packetSize), String(this.packetSize)));
    tokens.push(done(TOKEN.DONE, 0, 0, 0));
    this.send(Buffer.concat(tokens));
    this.state = 'loggedin';
  }

  // -- requests --

  private async onRequest(type: number, payload: Buffer): Promise<void> {
    const headers = payload.length >= 4 ? payload.readUInt32LE(0) : 0;
    const body = payload.subarray(Math.min(headers, payload.length));
    if (type === 0x0e) return this.onTransactionManager(body);
    const rpc = type === 0x03;
    let text: string;
    const params = new Map<string, Val>();
    try {
      if (rpc) {
        const call = parseRpc(body);
        if (call.proc !== 'sp_executesql') throw new SqlError(2812, `Could not find stored procedure '${call.proc}'.`);
        const stmt = call.params.shift();
        call.params.shift(); // @params: the declarations
        if (!stmt || stmt.value.type !== 'nvarchar') throw new SqlError(214, "Procedure expects parameter '@statement' of type 'ntext/nchar/nvarchar'.");
        text = String(stmt.value.value);
        for (const p of call.params) params.set(p.name.toLowerCase(), p.value);
      } else {
        text = body.toString('ucs2');
      }
    } catch (e) {
      return this.finish(rpc, [], e instanceof SqlError ? e : new SqlError(8009, 'The incoming tabular data stream (TDS) remote procedure call (RPC) protocol stream is incorrect.'));
    }
    let stmts: Stmt[];
    try {
      stmts = new Parser(tokenize(text)).parseBatch();
    } catch (e) {
      return this.finish(rpc, [], e instanceof SqlError ? e : new SqlError(102, 'Incorrect syntax.', 15));
    }
    this.peer.stats.statements.push(...stmts.filter((s) => s.kind !== 'set').map((s) => (s.kind === 'select' ? 'SELECT' : s.kind === 'create-db' ? `CREATE DATABASE ${s.name}` : `USE ${s.name}`)));
    if (stmts.some((s) => s.kind !== 'set') && this.peer.faults.queryDelayMs) {
      const cancelled = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => { this.attention = undefined; resolve(false); }, this.peer.faults.queryDelayMs);
        this.attention = () => { clearTimeout(timer); this.attention = undefined; resolve(true); };
      });
      if (cancelled) {
        // The cancelled request's (empty) response ends its own message; the acknowledgement follows
        // as a separate message, which is what tedious waits for in its SentAttention state.
        this.send(done(rpc ? TOKEN.DONEPROC : TOKEN.DONE, 0, 0, 0));
        this.send(done(TOKEN.DONE, DONE_ATTN, 0, 0));
        return;
      }
    }
    const results: (ResultSet | { envDb: string } | null)[] = [];
    let error: SqlError | undefined;
    for (const s of stmts) {
      try {
        results.push(this.execute(s, params));
      } catch (e) {
        if (e === DROPPED) return;
        error = e instanceof SqlError ? e : new SqlError(50000, String(e));
        break;
      }
    }
    this.finish(rpc, results, error);
  }

  private finish(rpc: boolean, results: (ResultSet | { envDb: string } | null)[], error?: SqlError): void {
    const tokens: Buffer[] = [];
    const stmtDone = rpc ? TOKEN.DONEINPROC : TOKEN.DONE;
    for (const r of results) {
      if (r === null) continue;
      if ('envDb' in r) {
        tokens.push(envChange(1, r.envDb, this.database));
        this.database = r.envDb;
        continue;
      }
      tokens.push(colMetadata(r.columns));
      for (const row of r.rows) tokens.push(Buffer.concat([Buffer.from([TOKEN.ROW]), ...row.map((v, i) => encodeValue(r.columns[i]!.type, v))]));
      tokens.push(done(stmtDone, DONE_COUNT | DONE_MORE, 0xc1, r.rows.length));
    }
    if (error) {
      tokens.push(message(TOKEN.ERROR, error.number, error.state, error.cls, error.message, this.peer.serverName));
      tokens.push(done(stmtDone, DONE_ERROR | DONE_MORE, 0, 0));
    }
    if (rpc) {
      const rs = Buffer.alloc(5);
      rs.writeUInt8(TOKEN.RETURNSTATUS, 0);
      rs.writeInt32LE(error ? -6 : 0, 1);
      tokens.push(rs);
      tokens.push(done(TOKEN.DONEPROC, error ? DONE_ERROR : 0, 0xe0, 0));
    } else {
      tokens.push(done(TOKEN.DONE, error ? DONE_ERROR : 0, 0, 0));
    }
    this.send(Buffer.concat(tokens));
  }

  private onTransactionManager(body: Buffer): void {
    const kind = body.readUInt16LE(0);
    const descriptor = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
    if (kind === 5) {
      this.inTransaction = true;
      this.send(Buffer.concat([envChangeBytes(8, descriptor, Buffer.alloc(0)), done(TOKEN.DONE, 0, 0, 0)]));
    } else if (kind === 7 || kind === 8) {
      this.inTransaction = false;
      this.send(Buffer.concat([envChangeBytes(kind === 7 ? 9 : 10, Buffer.alloc(0), descriptor), done(TOKEN.DONE, 0, 0, 0)]));
    } else {
      this.send(Buffer.concat([message(TOKEN.ERROR, 50000, 1, 16, 'The TDS test peer does not implement this transaction request.', this.peer.serverName), done(TOKEN.DONE, DONE_ERROR, 0, 0)]));
    }
  }

  private execute(s: Stmt, params: Map<string, Val>): ResultSet | { envDb: string } | null {
    switch (s.kind) {
      case 'set':
        return null;
      case 'use': {
        const db = this.peer.findDatabase(s.name);
        if (!db) throw new SqlError(911, `Database '${s.name}' does not exist. Make sure that the name is entered correctly.`);
        return { envDb: db };
      }
      case 'create-db': {
        if (this.inTransaction) throw new SqlError(226, 'CREATE DATABASE statement not allowed within multi-statement transaction.');
        if (this.hasPerm('CREATE ANY DATABASE') !== 1) throw new SqlError(262, "CREATE DATABASE permission denied in database 'master'.", 14);
        if (this.peer.findDatabase(s.name)) throw new SqlError(1801, `Database '${s.name}' already exists. Choose a different database name.`);
        if (this.peer.faults.dropOnCreateDatabase === 'before') { this.drop(); throw DROPPED; }
        this.peer.addDatabase(s.name);
        if (this.peer.faults.dropOnCreateDatabase === 'after') { this.drop(); throw DROPPED; }
        return null;
      }
      case 'select':
        return this.select(s, params);
    }
  }

  private drop(): void {
    this.state = 'closed';
    this.socket.destroy();
  }

  // -- the evaluator --

  private select(s: Extract<Stmt, { kind: 'select' }>, params: Map<string, Val>): ResultSet {
    let table: { columns: { name: string; type: SqlType }[]; rows: Record<string, Val>[] } | undefined;
    if (s.from) {
      const name = s.from.toLowerCase();
      if (name !== 'sys.databases' && name !== 'master.sys.databases') throw new SqlError(208, `Invalid object name '${s.from}'.`);
      table = {
        columns: [
          { name: 'name', type: 'nvarchar' },
          { name: 'database_id', type: 'int' },
          { name: 'state_desc', type: 'nvarchar' },
          { name: 'collation_name', type: 'nvarchar' },
          { name: 'is_read_only', type: 'bit' },
        ],
        rows: this.peer.databases.map((d, i) => ({
          name: nv(d),
          database_id: int(i + 1),
          state_desc: nv('ONLINE'),
          collation_name: nv(this.peer.facts.collation),
          is_read_only: { type: 'bit', value: false },
        })),
      };
    }
    const items: SelectItem[] = s.items.flatMap((it) =>
      it.e.k === 'star' ? (table ? table.columns.map((c) => ({ e: { k: 'col', name: c.name } as Expr })) : (() => { throw new SqlError(263, 'Must specify table to select from.'); })()) : [it],
    );
    const columns = items.map((it) => {
      let name = it.alias ?? '';
      if (it.alias === undefined && it.e.k === 'col') {
        const n = it.e.name;
        name = table?.columns.find((c) => eqName(c.name, n))?.name ?? n;
      }
      return { name, type: this.typeOf(it.e, table?.columns, params) };
    });
    let rows: Record<string, Val>[] = table ? table.rows : [{}];
    if (s.where) rows = rows.filter((r) => this.test(s.where!, r, params, !!table) === true);
    if (s.orderBy && table) {
      const col = s.orderBy.col;
      rows = [...rows].sort((a, b) => {
        const x = this.colValue(col, a, true).value;
        const y = this.colValue(col, b, true).value;
        const c = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y, 'en', { sensitivity: 'base' }) : Number(x) - Number(y);
        return s.orderBy!.desc ? -c : c;
      });
    }
    if (s.top !== undefined) rows = rows.slice(0, s.top);
    return { columns, rows: rows.map((r) => items.map((it, i) => this.coerce(this.eval(it.e, r, params, !!table), columns[i]!.type))) };
  }

  private coerce(v: Val, type: SqlType): Val {
    if (type === 'variant') return v.type === 'variant' ? v : variant(v);
    return convert(unwrap(v), type);
  }

  private typeOf(e: Expr, cols: { name: string; type: SqlType }[] | undefined, params: Map<string, Val>): SqlType {
    switch (e.k) {
      case 'lit': return e.v.type;
      case 'col': {
        const c = cols?.find((x) => eqName(x.name, e.name));
        if (!c) throw new SqlError(207, `Invalid column name '${e.name}'.`);
        return c.type;
      }
      case 'var': {
        const v = params.get(e.name);
        if (!v) throw new SqlError(137, `Must declare the scalar variable "${e.name}".`, 15, 2);
        return v.type;
      }
      case 'sys': return e.name === '@@SPID' || e.name === '@@TRANCOUNT' ? 'int' : 'nvarchar';
      case 'conv': this.typeOf(e.e, cols, params); return e.to;
      case 'fn': {
        for (const a of e.args) this.typeOf(a, cols, params);
        if (e.name === 'ISNULL' || e.name === 'COALESCE') return this.typeOf(e.args[0]!, cols, params);
        return FUNCTIONS[e.name]!.type;
      }
      case 'star': return 'nvarchar';
    }
  }

  private colValue(name: string, row: Record<string, Val>, hasTable: boolean): Val {
    const key = Object.keys(row).find((k) => eqName(k, name));
    if (!hasTable || key === undefined) throw new SqlError(207, `Invalid column name '${name}'.`);
    return row[key]!;
  }

  private test(c: Cond, row: Record<string, Val>, params: Map<string, Val>, hasTable: boolean): boolean | null {
    const ev = (e: Expr) => unwrap(this.eval(e, row, params, hasTable));
    switch (c.k) {
      case 'and': { const a = this.test(c.a, row, params, hasTable); const b = this.test(c.b, row, params, hasTable); return a === false || b === false ? false : a === null || b === null ? null : true; }
      case 'or': { const a = this.test(c.a, row, params, hasTable); const b = this.test(c.b, row, params, hasTable); return a === true || b === true ? true : a === null || b === null ? null : false; }
      case 'not': { const a = this.test(c.c, row, params, hasTable); return a === null ? null : !a; }
      case 'isnull': { const v = ev(c.e); return c.not ? v.value !== null : v.value === null; }
      case 'in': {
        const v = ev(c.e);
        if (v.value === null) return null;
        const hit = c.list.some((x) => compare(v, ev(x)) === 0);
        return c.not ? !hit : hit;
      }
      case 'cmp': {
        const r = compare(ev(c.l), ev(c.r));
        if (r === null) return null;
        switch (c.op) {
          case '=': return r === 0;
          case '<>': case '!=': return r !== 0;
          case '<': return r < 0;
          case '>': return r > 0;
          case '<=': return r <= 0;
          default: return r >= 0;
        }
      }
    }
  }

  private eval(e: Expr, row: Record<string, Val>, params: Map<string, Val>, hasTable: boolean): Val {
    switch (e.k) {
      case 'lit': return e.v;
      case 'col': return this.colValue(e.name, row, hasTable);
      case 'var': {
        const v = params.get(e.name);
        if (!v) throw new SqlError(137, `Must declare the scalar variable "${e.name}".`, 15, 2);
        return v;
      }
      case 'sys':
        switch (e.name) {
          case '@@VERSION': return nv(this.peer.versionText);
          case '@@SPID': return int(this.spid);
          case '@@TRANCOUNT': return int(this.inTransaction ? 1 : 0);
          default: return nv(this.peer.serverName);
        }
      case 'conv': return convert(unwrap(this.eval(e.e, row, params, hasTable)), e.to);
      case 'star': return nv(null);
      case 'fn': {
        const args = e.args.map((a) => this.eval(a, row, params, hasTable));
        const str = (i: number) => { const v = unwrap(args[i]!); return v.value === null ? null : String(v.value); };
        switch (e.name) {
          case 'SERVERPROPERTY': return variant(this.serverProperty(str(0) ?? ''));
          case 'CONNECTIONPROPERTY': return variant(this.connectionProperty(str(0) ?? ''));
          case 'SUSER_SNAME': case 'SUSER_NAME': case 'ORIGINAL_LOGIN': return nv(this.login!.name);
          case 'IS_SRVROLEMEMBER': {
            const role = (str(0) ?? '').toLowerCase();
            if (this.peer.quirks.nullRoleMembership || !FIXED_SERVER_ROLES.includes(role)) return int(null);
            if (args.length > 1 && str(1) !== null && !eqName(str(1)!, this.login!.name)) return int(null);
            return int(role === 'public' || (this.login!.roles ?? []).some((r) => r.toLowerCase() === role) ? 1 : 0);
          }
          case 'HAS_PERMS_BY_NAME': {
            if (str(0) !== null || str(1) !== null) return int(null); // only server-level questions
            return int(this.hasPerm((str(2) ?? '').toUpperCase()));
          }
          case 'DB_ID': {
            if (args.length === 0) return int(this.peer.databases.findIndex((d) => eqName(d, this.database)) + 1);
            const n = str(0);
            const i = n === null ? -1 : this.peer.databases.findIndex((d) => eqName(d, n));
            return int(i < 0 ? null : i + 1);
          }
          case 'DB_NAME': {
            if (args.length === 0) return nv(this.database);
            const v = unwrap(args[0]!);
            return nv(v.value === null ? null : this.peer.databases[Number(v.value) - 1] ?? null);
          }
          case 'ISNULL': return unwrap(args[0]!).value === null ? args[1]! : args[0]!;
          case 'COALESCE': return args.find((a) => unwrap(a).value !== null) ?? args[0]!;
          default: throw new SqlError(195, `'${e.name}' is not a recognized built-in function name.`, 15, 10);
        }
      }
    }
  }

  private hasPerm(permission: string): number | null {
    if (!SERVER_PERMISSIONS.includes(permission)) return null;
    const l = this.login!;
    const roles = (l.roles ?? []).map((r) => r.toLowerCase());
    if (roles.includes('sysadmin')) return 1;
    if (permission === 'CREATE ANY DATABASE' && roles.includes('dbcreator')) return 1;
    if (permission === 'CONNECT SQL' || permission === 'VIEW ANY DATABASE') return 1;
    return (l.permissions ?? []).some((p) => p.toUpperCase() === permission) ? 1 : 0;
  }

  private serverProperty(name: string): Val {
    const f = this.peer.facts;
    const [major, minor, build] = this.peer.versionParts;
    const q = this.peer.quirks;
    switch (name.toLowerCase()) {
      case 'productversion': return nv(f.productVersion);
      case 'productlevel': return nv(f.productLevel);
      case 'edition': return nv(f.edition);
      case 'engineedition': return int(f.engineEdition);
      case 'ishadrenabled': return major >= 11 ? int(f.hadrEnabled ? 1 : 0) : int(null);
      case 'hadrmanagerstatus': return major >= 11 ? int(f.hadrEnabled ? 1 : null) : int(null);
      case 'collation': return nv(q.lowerCaseCollation ? f.collation.toLowerCase() : f.collation);
      case 'instancename': return nv(f.instanceName ?? (q.emptyNames ? '' : null));
      case 'machinename': return nv(q.emptyNames ? '' : f.machineName);
      case 'servername': return nv(this.peer.serverName);
      case 'productmajorversion': return major >= 11 ? nv(String(major)) : nv(null);
      case 'productminorversion': return major >= 11 ? nv(String(minor)) : nv(null);
      case 'productbuild': return major >= 11 ? nv(String(build)) : nv(null);
      case 'isclustered': return int(0);
      case 'isintegratedsecurityonly': return int(0);
      default: return nv(null);
    }
  }

  private connectionProperty(name: string): Val {
    if (this.peer.quirks.nullConnectionProperties) return nv(null);
    switch (name.toLowerCase()) {
      case 'net_transport': case 'physical_net_transport': return nv('TCP');
      case 'protocol_type': return nv('TSQL');
      case 'auth_scheme': return nv(this.authScheme);
      case 'local_net_address': return nv(this.socket.localAddress ?? null);
      case 'local_tcp_port': return int(this.socket.localPort ?? null);
      case 'client_net_address': return nv(this.socket.remoteAddress ?? null);
      default: return nv(null);
    }
  }
}

const DROPPED = Symbol('dropped');

function colMetadata(columns: { name: string; type: SqlType }[]): Buffer {
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

function convert(v: Val, to: SqlType): Val {
  if (to === 'variant') return variant(v);
  if (v.value === null) return NULL_OF(to);
  switch (to) {
    case 'nvarchar':
      return nv(typeof v.value === 'boolean' ? (v.value ? '1' : '0') : String(v.value));
    case 'int':
    case 'bigint': {
      if (typeof v.value === 'boolean') return { type: to, value: v.value ? 1 : 0 };
      const s = String(v.value).trim();
      if (!/^-?\d+$/.test(s)) throw new SqlError(245, `Conversion failed when converting the nvarchar value '${s}' to data type ${to}.`);
      return { type: to, value: Number(s) };
    }
    case 'bit':
      return { type: 'bit', value: Number(v.value) !== 0 };
  }
}

function compare(a: Val, b: Val): number | null {
  if (a.value === null || b.value === null) return null;
  if (typeof a.value === 'string' || typeof b.value === 'string') {
    return String(a.value).localeCompare(String(b.value), 'en', { sensitivity: 'base' }); // CI_AS collation
  }
  return Number(a.value) - Number(b.value);
}

// ---- RPC payload -----------------------------------------------------------------------------

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
