// One client connection to the TDS test peer (test support only, never shipped): PRELOGIN, TLS,
// LOGIN7 or NTLM, then SQL batches, RPC and transaction requests, ATTENTION, and the peer's faults.
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readLogin7, sqlCredentials, loginFailedTokens, loginDisabledTokens, databaseRefusedTokens, loginAcceptedTokens } from './login7.js';
import { ntlmChallenge, parseNtlmAuthenticate, verifyNtlmV2, type NtlmAuthenticate } from './ntlm.js';
import type { PeerLogin } from './options.js';
import { PacketReader, framePackets, preloginAnswer, preloginEncryption } from './packets.js';
import type { TdsPeer } from './peer.js';
import { executeSqlCall } from './rpc.js';
import { StrictTls, TlsOverPrelogin } from './tls.js';
import { DONE_ATTN, DONE_COUNT, DONE_ERROR, DONE_MORE, TOKEN, colMetadata, done, envChange, envChangeBytes, message, returnStatus, row, sspi } from './tokens.js';
import { Evaluator, mayCreateDatabase, type QueryContext } from './tsql-eval.js';
import { tokenize } from './tsql-lexer.js';
import { Parser, type Stmt } from './tsql-parser.js';
import { SqlError, eqName, type ResultSet, type Val } from './values.js';
import { abortsTransaction, copyStoreDb, restoreStoreDb, runStoreStatement, storeStatement, type StoreDb } from './store.js';

type SessionState = 'prelogin' | 'login' | 'ntlm' | 'loggedin' | 'closed';

export class Session {
  private state: SessionState = 'prelogin';
  private packetSize = 4096;
  private packetId = 1;
  private reader: PacketReader;
  /** Writes cleartext TDS bytes (through TLS once it is up). */
  private writeTds: (b: Buffer) => void;
  private tlsWrap?: TlsOverPrelogin;
  private strictTls?: StrictTls;
  private login?: PeerLogin;
  private authScheme: 'SQL' | 'NTLM' = 'SQL';
  private ntlmNonce = randomBytes(8);
  private database = 'master';
  private inTransaction = false;
  /** Each store database this session's transaction has touched, as it was before: put back on rollback. */
  private readonly undo = new Map<StoreDb, StoreDb>();
  /** The batch running now has a CREATE DATABASE that found model locked by another. */
  private modelBusy = false;
  private queue: Promise<void> = Promise.resolve();
  private attention?: () => void;
  private encrypted = false;

  constructor(private readonly peer: TdsPeer, private readonly socket: Socket, private readonly spid: number) {
    this.reader = new PacketReader((t, p) => this.enqueue(t, p), () => socket.destroy());
    this.writeTds = (b) => socket.write(b);
    socket.on('data', (d: Buffer) => this.onRaw(d));
    // A connection that ends inside a transaction: SQL Server rolls it back, as it releases the applocks.
    socket.on('close', () => { this.state = 'closed'; this.attention?.(); this.rollBack(); this.peer.releaseSession(this.spid); });
  }

  private onRaw(data: Buffer): void {
    if (this.strictTls) { this.strictTls.receive(data); return; }
    if (this.state === 'prelogin' && !this.tlsWrap && data[0] === 0x16 && data[1] === 0x03) return this.startStrictTls(data);
    if (this.tlsWrap) { this.tlsWrap.receive(data); return; }
    this.reader.push(data);
  }

  /** TDS 8.0 (`encrypt: 'strict'`): TLS first, then PRELOGIN inside it. */
  private startStrictTls(first: Buffer): void {
    if (this.peer.encryption === 'unsupported') { this.socket.destroy(); return; } // a pre-2022 server cannot parse it
    const socket = this.socket;
    const strict = new StrictTls(socket, this.peer.tlsContext());
    const tls = strict.tls;
    tls.on('error', () => socket.destroy());
    tls.on('data', (d: Buffer) => this.reader.push(d));
    this.strictTls = strict;
    this.encrypted = true;
    this.writeTds = (b) => tls.write(b);
    strict.receive(first);
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
    return framePackets(type, data, this.packetSize, this.spid, () => this.packetId++);
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
    const clientEncryption = preloginEncryption(payload);
    let answer: number;
    if (this.strictTls) answer = 0x02; // already inside TLS
    else if (this.peer.encryption === 'unsupported') answer = 0x02;
    else if (this.peer.encryption === 'required') answer = 0x03;
    else answer = clientEncryption === 0x01 || clientEncryption === 0x03 ? 0x01 : 0x02;
    this.send(preloginAnswer(this.peer.versionParts, answer));
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
      () => this.socket.destroy(),
    );
    this.tlsWrap = wrap;
    this.encrypted = true;
    wrap.tls.on('data', (d: Buffer) => this.reader.push(d));
    wrap.tls.on('error', () => this.socket.destroy());
    this.writeTds = (b) => wrap.tls.write(b);
  }

  // -- LOGIN7 / NTLM --

  private onLogin7(p: Buffer): void {
    const { packetSize, integrated, database } = readLogin7(p);
    this.packetSize = packetSize;
    if (integrated) {
      this.pendingDatabase = database;
      this.state = 'ntlm';
      this.authScheme = 'NTLM';
      this.send(sspi(ntlmChallenge(this.ntlmNonce, 'CONTOSO')));
      return;
    }
    const { user, password } = sqlCredentials(p);
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
    this.send(loginFailedTokens(user, this.peer.serverName));
    this.state = 'closed';
  }

  private completeLogin(login: PeerLogin, database: string): void {
    if (login.disabled) {
      this.peer.stats.failedLogins++;
      this.send(loginDisabledTokens(login.name, this.peer.serverName));
      this.state = 'closed';
      return;
    }
    const db = database ? this.peer.findDatabase(database) : 'master';
    if (!db || login.noAccess?.some((n) => eqName(n, database))) {
      this.peer.stats.failedLogins++;
      this.send(databaseRefusedTokens(database, login.name, this.peer.serverName));
      this.state = 'closed';
      return;
    }
    this.login = login;
    this.database = db;
    this.peer.stats.logins++;
    if (this.encrypted) this.peer.stats.encryptedLogins++;
    this.send(loginAcceptedTokens(db, this.packetSize, this.peer.versionParts, this.peer.serverName));
    this.state = 'loggedin';
  }

  // -- requests --

  private async onRequest(type: number, payload: Buffer): Promise<void> {
    const headers = payload.length >= 4 ? payload.readUInt32LE(0) : 0;
    const body = payload.subarray(Math.min(headers, payload.length));
    if (type === 0x0e) return this.onTransactionManager(body);
    const rpc = type === 0x03;
    let text: string;
    let params = new Map<string, Val>();
    try {
      if (rpc) ({ text, params } = executeSqlCall(body));
      else text = body.toString('ucs2');
    } catch (e) {
      return this.finish(rpc, [], e instanceof SqlError ? e : new SqlError(8009, 'The incoming tabular data stream (TDS) remote procedure call (RPC) protocol stream is incorrect.'));
    }
    const store = storeStatement(text);
    if (store) {
      this.peer.stats.statements.push(`STORE ${store}`);
      const fault = this.peer.faults.storeStatement?.(store, this.database);
      if (fault?.holdMs && (await this.wait(fault.holdMs))) return this.cancelled(rpc);
      const db = this.peer.storeDb(this.database);
      if (this.inTransaction && !this.undo.has(db)) this.undo.set(db, copyStoreDb(db));
      try {
        if (fault?.errors?.length) throw injectedError(fault.errors);
        const results = runStoreStatement(store, { db, database: this.database, login: this.login!.name, spid: this.spid, params, applocks: this.peer.applocks });
        return this.finish(rpc, results);
      } catch (e) {
        const error = e instanceof SqlError ? e : new SqlError(50000, String(e));
        // Any other failed statement leaves the transaction open (XACT_ABORT OFF, tedious's default).
        if (!this.inTransaction || !abortsTransaction(store)) return this.finish(rpc, [], error);
        this.rollBack();
        return this.finish(rpc, [], error, envChangeBytes(10, Buffer.alloc(0), TRANSACTION));
      }
    }
    let stmts: Stmt[];
    try {
      stmts = new Parser(tokenize(text)).parseBatch();
    } catch (e) {
      return this.finish(rpc, [], e instanceof SqlError ? e : new SqlError(102, 'Incorrect syntax.', 15));
    }
    this.peer.stats.statements.push(...stmts.filter((s) => s.kind !== 'set').map((s) => (s.kind === 'select' ? 'SELECT' : s.kind === 'create-db' ? `CREATE DATABASE ${s.name}` : `USE ${s.name}`)));
    if (stmts.some((s) => s.kind !== 'set') && this.peer.faults.queryDelayMs && (await this.wait(this.peer.faults.queryDelayMs))) return this.cancelled(rpc);
    const creating = stmts.find((s) => s.kind === 'create-db');
    // Another CREATE DATABASE holds model (exclusiveModelLock): this one fails at once, as on SQL Server.
    this.modelBusy = !!creating && this.peer.exclusiveModelLock && this.peer.creating > 0;
    const holdsModel = !!creating && !this.modelBusy;
    if (holdsModel) this.peer.creating++;
    const results: (ResultSet | { envDb: string } | null)[] = [];
    let error: SqlError | undefined;
    try {
      if (creating && creating.kind === 'create-db') {
        this.peer.faults.onCreateDatabase?.(creating.name);
        if (holdsModel && this.peer.faults.createDatabaseDelayMs) await new Promise((r) => setTimeout(r, this.peer.faults.createDatabaseDelayMs));
      }
      for (const s of stmts) {
        try {
          results.push(this.execute(s, params));
        } catch (e) {
          if (e === DROPPED) return;
          error = e instanceof SqlError ? e : new SqlError(50000, String(e));
          break;
        }
      }
    } finally {
      if (holdsModel) this.peer.creating--;
    }
    this.finish(rpc, results, error);
  }

  /** Waits ms; true when ATTENTION (or the connection's end) stopped the wait. */
  private wait(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { this.attention = undefined; resolve(false); }, ms);
      this.attention = () => { clearTimeout(timer); this.attention = undefined; resolve(true); };
    });
  }

  /** The answer to a request cancelled by ATTENTION (nothing when the connection is gone). */
  private cancelled(rpc: boolean): void {
    // The cancelled request's (empty) response ends its own message; the acknowledgement follows
    // as a separate message, which is what tedious waits for in its SentAttention state.
    this.send(done(rpc ? TOKEN.DONEPROC : TOKEN.DONE, 0, 0, 0));
    this.send(done(TOKEN.DONE, DONE_ATTN, 0, 0));
  }

  /** Ends the transaction without keeping its store writes. */
  private rollBack(): void {
    for (const [db, saved] of this.undo) restoreStoreDb(db, saved);
    this.undo.clear();
    this.inTransaction = false;
  }

  /** `ended`: the ENVCHANGE of a transaction the failed statement rolled back (XACT_ABORT). */
  private finish(rpc: boolean, results: (ResultSet | { envDb: string } | null)[], error?: SqlError, ended?: Buffer): void {
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
      for (const values of r.rows) tokens.push(row(r.columns, values));
      tokens.push(done(stmtDone, DONE_COUNT | DONE_MORE, 0xc1, r.rows.length));
    }
    if (error) {
      for (const e of [...error.preceding, error]) tokens.push(message(TOKEN.ERROR, e.number, e.state, e.cls, e.message, this.peer.serverName));
      if (ended) tokens.push(ended);
      tokens.push(done(stmtDone, DONE_ERROR | DONE_MORE, 0, 0));
    }
    if (rpc) {
      tokens.push(returnStatus(error ? -6 : 0));
      tokens.push(done(TOKEN.DONEPROC, error ? DONE_ERROR : 0, 0xe0, 0));
    } else {
      tokens.push(done(TOKEN.DONE, error ? DONE_ERROR : 0, 0, 0));
    }
    this.send(Buffer.concat(tokens));
  }

  private onTransactionManager(body: Buffer): void {
    const kind = body.readUInt16LE(0);
    if (kind === 5) {
      if (!this.inTransaction) this.undo.clear();
      this.inTransaction = true;
      this.send(Buffer.concat([envChangeBytes(8, TRANSACTION, Buffer.alloc(0)), done(TOKEN.DONE, 0, 0, 0)]));
    } else if (kind === 7 || kind === 8) {
      if (kind === 8) this.rollBack();
      else { this.undo.clear(); this.inTransaction = false; } // committed: the writes stay
      this.send(Buffer.concat([envChangeBytes(kind === 7 ? 9 : 10, Buffer.alloc(0), TRANSACTION), done(TOKEN.DONE, 0, 0, 0)]));
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
        if (!mayCreateDatabase(this.login!)) throw new SqlError(262, "CREATE DATABASE permission denied in database 'master'.", 14);
        if (this.peer.findDatabase(s.name)) throw new SqlError(1801, `Database '${s.name}' already exists. Choose a different database name.`);
        const attempt = (this.peer.createAttempts.get(s.name.toLowerCase()) ?? 0) + 1;
        this.peer.createAttempts.set(s.name.toLowerCase(), attempt);
        const injected = this.modelBusy
          ? [{ number: 1807, message: "Could not obtain exclusive lock on database 'model'. Retry the operation later." }, { number: 1802, message: 'CREATE DATABASE failed. Some file names listed could not be created. Check related errors.' }]
          : this.peer.faults.createDatabaseErrors?.(s.name, attempt);
        if (injected?.length) throw injectedError(injected);
        if (this.peer.faults.dropOnCreateDatabase === 'before') { this.drop(); throw DROPPED; }
        this.peer.addDatabase(s.name);
        if (this.peer.faults.dropOnCreateDatabase === 'after') { this.drop(); throw DROPPED; }
        return null;
      }
      case 'select':
        return new Evaluator(this.queryContext()).select(s, params);
    }
  }

  private drop(): void {
    this.state = 'closed';
    this.socket.destroy();
  }

  private queryContext(): QueryContext {
    return { peer: this.peer, login: this.login!, database: this.database, inTransaction: this.inTransaction, spid: this.spid, authScheme: this.authScheme, socket: this.socket };
  }
}

const DROPPED = Symbol('dropped');
/** The descriptor of a session's transaction (one at a time). */
const TRANSACTION = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);

/** A fault's errors as SQL Server sends them: the last is the error, the ones before it precede it. */
function injectedError(list: { number: number; message: string }[]): SqlError {
  const [last, ...before] = [...list].reverse().map((x) => new SqlError(x.number, x.message));
  last!.preceding = before.reverse();
  return last!;
}
