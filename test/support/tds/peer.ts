// TEST DOUBLE of Microsoft SQL Server. Never shipped: it lives in test/support only.
//
// A wire-level TDS 7.4 peer that the real mssql/tedious client talks to, so the SQL probe is
// exercised end to end without a SQL Server (none can be installed here; shared/docs/lab-sql.md).
// It implements PRELOGIN (with TLS-in-TDS and TDS 8.0 "strict" TLS), LOGIN7 for SQL logins and
// NTLMv2 (the proof is verified against the configured password), SQL batch, RPC sp_executesql,
// transaction-manager requests (begin, commit, rollback: the store writes made inside a transaction
// are undone on rollback and when the connection ends before commit, and an error in a statement
// that sets XACT_ABORT ON rolls the whole transaction back, as SQL Server does; no locking between
// sessions) and ATTENTION, and a small T-SQL evaluator: SELECT lists over
// SERVERPROPERTY, CONNECTIONPROPERTY, SUSER_SNAME, IS_SRVROLEMEMBER, HAS_PERMS_BY_NAME, DB_ID,
// CONVERT/CAST, ISNULL, @@VERSION and parameters; SELECT ... FROM sys.databases [WHERE ...];
// CREATE DATABASE (262 without the right, 1801 when it exists, 226 inside a transaction); USE.
// The topology store's statements (lib/topology/sql/statements.ts), recognised by their exact text,
// over tables the peer keeps per database (tds/store.ts): probe, createSchema, readDraft, insertDraft,
// updateDraft (only WHERE revision = @read; the old row to the history), rebaseDraft, listHistory,
// insertHistory, listPublished, readPublished, readLatestPublished, insertPublished (2627 when taken),
// listBackups, insertBackup, clearStore, countRows, getPublishLock/releasePublishLock (sp_getapplock
// owned by the session, released when its connection drops), writePublishLockHolder,
// readPublishLockHolder. Faults (options.ts) hold a store statement or answer errors for it.
// Statements it does not know fail with an error instead of a canned answer.
//
// This module is the peer itself (listening, options, server facts, faults, the databases it holds
// and creates); each connection is a Session (session.ts), the protocol pieces are its neighbours.
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { SsrpInstance } from '../ssrp.js';
import type { PeerEncryption, PeerFaults, PeerLogin, PeerMode, PeerQuirks, TdsPeerOptions } from './options.js';
import { Session } from './session.js';
import { emptyStoreDb, type StoreDb } from './store.js';
import { loadPeerCertificate, peerCertificate } from './tls.js';
import { eqName } from './values.js';

export type { PeerEncryption, PeerFaults, PeerLogin, PeerMode, PeerQuirks, TdsPeerOptions } from './options.js';
export { md4 } from './ntlm.js';

const SYSTEM_DATABASES = ['master', 'tempdb', 'model', 'msdb'];
const RELEASES: [number, number, string][] = [
  [9, 0, 'SQL Server 2005'], [10, 0, 'SQL Server 2008'], [10, 50, 'SQL Server 2008 R2'], [11, 0, 'SQL Server 2012'],
  [12, 0, 'SQL Server 2014'], [13, 0, 'SQL Server 2016'], [14, 0, 'SQL Server 2017'], [15, 0, 'SQL Server 2019'], [16, 0, 'SQL Server 2022'],
];

export class TdsPeer {
  readonly host: string;
  port = 0;
  mode: PeerMode;
  encryption: PeerEncryption;
  readonly facts: Required<Omit<TdsPeerOptions, 'host' | 'port' | 'mode' | 'encryption' | 'logins' | 'databases' | 'quirks' | 'faults' | 'instanceName' | 'viewAnyDatabaseRevoked' | 'exclusiveModelLock' | 'tlsMaxVersion'>> & { instanceName: string | null };
  logins: PeerLogin[];
  quirks: PeerQuirks;
  faults: PeerFaults;
  readonly viewAnyDatabaseRevoked: boolean;
  readonly exclusiveModelLock: boolean;
  private readonly tlsMaxVersion?: 'TLSv1' | 'TLSv1.1';
  /** @internal CREATE DATABASE statements running now (the model lock), and attempts per name (faults). */
  creating = 0;
  /** @internal */ readonly createAttempts = new Map<string, number>();
  /** Every database on the instance, system databases included. */
  private readonly dbs: string[];
  /** Databases created through CREATE DATABASE, in order. */
  readonly created: string[] = [];
  /** What the peer saw, for assertions. */
  readonly stats = { connections: 0, logins: 0, encryptedLogins: 0, failedLogins: 0, statements: [] as string[], attentions: 0 };
  /** The topology store's tables per database (store.ts), and applocks: resource to owning session. */
  private readonly stores = new Map<string, StoreDb>();
  /** @internal */ readonly applocks = new Map<string, number>();
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
    this.viewAnyDatabaseRevoked = opts.viewAnyDatabaseRevoked ?? false;
    this.exclusiveModelLock = opts.exclusiveModelLock ?? false;
    this.tlsMaxVersion = opts.tlsMaxVersion;
  }

  static async start(opts: TdsPeerOptions = {}): Promise<TdsPeer> {
    const peer = new TdsPeer(opts);
    await loadPeerCertificate();
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
    // An old TLS only: OpenSSL 3 also needs security level 0 to offer it at all.
    this.secureContext ??= this.tlsMaxVersion
      ? createSecureContext({ ...peerCertificate(), minVersion: 'TLSv1', maxVersion: this.tlsMaxVersion, ciphers: 'DEFAULT@SECLEVEL=0' })
      : createSecureContext({ ...peerCertificate(), minVersion: 'TLSv1.2' });
    return this.secureContext;
  }
  /** The PEM certificate the peer presents (to trust it explicitly in a test). */
  get certificatePem(): string {
    return peerCertificate().cert;
  }
  /** @internal */ findDatabase(name: string): string | undefined {
    return this.dbs.find((d) => eqName(d, name));
  }
  /** The store state of a database (created empty on first use): tests set userObjects or schemaVersion, or read the rows. */
  storeDb(name: string): StoreDb {
    const key = name.toLowerCase();
    if (!this.stores.has(key)) this.stores.set(key, emptyStoreDb());
    return this.stores.get(key)!;
  }
  /** @internal Applocks die with their session, as on SQL Server. */
  releaseSession(spid: number): void {
    for (const [k, owner] of this.applocks) if (owner === spid) this.applocks.delete(k);
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
