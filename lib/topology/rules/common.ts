// Shared vocabulary of the validation rules (domain.md 8): findings, rule definitions,
// and the lookups several rules need (pool targets, store references, SE/EE servers).
import {
  fileStoreIdentity,
  normalizeFqdn,
  parseSqlStoreIdentity,
  parseUncPath,
  sqlStoreIdentity,
  type FileStore,
  type FrontEndPool,
  type PersistentChatPool,
  type Site,
  type SqlStore,
  type Topology,
} from '../model.js';
import { FQDN_REGEX } from '../../cmdlet/validators.js';

export type Severity = 'Error' | 'Warning';

/** One validation result; PascalCase because commands print it as is. */
export interface Finding {
  Severity: Severity;
  Rule: number;
  Target: string;
  Message: string;
  RecommendedAction: string;
}

export interface RuleDefinition {
  id: number;
  title: string;
  /** The severities its findings have (the registry, about_TopologyRules). */
  severity: 'Error' | 'Warning' | 'Error, Warning';
  /** One sentence: what the rule asks and why, for the registry. */
  meaning: string;
  check(t: Topology): Finding[];
  /** Rules about editing an existing pool (6, 8) also judge the change itself. */
  checkChange?(t: Topology, before: PersistentChatPool, after: PersistentChatPool): Finding[];
}

// ---- advice about a pool ----------------------------------------------------------------
// Recommended actions name the commands that fix a pool. A pool that New-PersistentChatPool is being
// refused for does not exist, so commands on it would fail: while adviseForNewPool runs (validation is
// synchronous), the advice about that pool is about New-PersistentChatPool's own parameters instead.

let newPool: string | undefined;

/** Runs `fn` (a validation) with the advice about pool `fqdn` worded for the New-PersistentChatPool that defines it. */
export function adviseForNewPool<R>(fqdn: string, fn: () => R): R {
  const outer = newPool;
  newPool = normalizeFqdn(fqdn);
  try {
    return fn();
  } finally {
    newPool = outer;
  }
}

/** True when `target` is the pool New-PersistentChatPool is defining (see adviseForNewPool). */
export function isNewPool(target: string): boolean {
  return newPool !== undefined && target === newPool;
}

/** The command that gives a pool the parameters `args`: Set-PersistentChatPool, or New-PersistentChatPool for a pool being defined. */
export function setPool(target: string, args: string): string {
  return isNewPool(target) ? `New-PersistentChatPool -Fqdn ${target} ... ${args}` : `Set-PersistentChatPool -Identity ${target} ${args}`;
}

/** Advice to define a pool again `how` (e.g. ' with -SingleComputer'): it is removed first, unless it is being defined. */
export function redefinePool(target: string, how: string): string {
  return isNewPool(target) ? `Define the pool${how}` : `Remove the pool (Remove-PersistentChatPool -Identity ${target}) and define it again${how}`;
}

/** The command that defines the store `identity` (`fqdn` or `fqdn\INSTANCE`). */
export function newSqlStore(identity: string): string {
  const [host, instance] = identity.split('\\');
  return `New-SqlStore -SqlServerFqdn ${host}${instance ? ` -SqlInstance ${instance}` : ''}`;
}

export function finding(Rule: number, Severity: Severity, Target: string, Message: string, RecommendedAction: string): Finding {
  return { Severity, Rule, Target, Message, RecommendedAction };
}

/** A DNS host name with at least two labels (a bare host name or an IP address is not an FQDN), as binding judges it. */
export function isValidFqdn(name: string | undefined | null): boolean {
  return typeof name === 'string' && FQDN_REGEX.test(normalizeFqdn(name));
}

/** The identity a finding about a pool names: its FQDN, or its position when it has none. */
export function poolTarget(p: PersistentChatPool, index: number): string {
  const fqdn = typeof p.fqdn === 'string' ? normalizeFqdn(p.fqdn) : '';
  return fqdn || `Persistent Chat pool #${index + 1}${p.displayName ? ` (${p.displayName})` : ''}`;
}

/** Canonical identity of a store reference as written in a pool (`SQL01\inst` → `sql01\INST`). */
export function storeRefIdentity(ref: string): string {
  return sqlStoreIdentity(parseSqlStoreIdentity(ref));
}

export type StoreRole = 'sqlStore' | 'complianceSqlStore' | 'backupSqlStore' | 'backupComplianceSqlStore';

export const STORE_ROLE_LABEL: Record<StoreRole, string> = {
  sqlStore: 'SQL store',
  complianceSqlStore: 'compliance SQL store',
  backupSqlStore: 'backup SQL store',
  backupComplianceSqlStore: 'backup compliance SQL store',
};

/** The Set-PersistentChatPool parameter of each store role. */
export const STORE_ROLE_PARAMETER: Record<StoreRole, string> = {
  sqlStore: 'SqlStore',
  complianceSqlStore: 'ComplianceSqlStore',
  backupSqlStore: 'BackupSqlStore',
  backupComplianceSqlStore: 'BackupComplianceSqlStore',
};

/** The database a store role holds (domain.md 2.3): mgc for chat content, mgccomp for compliance. */
export const STORE_ROLE_DATABASE: Record<StoreRole, 'mgc' | 'mgccomp'> = {
  sqlStore: 'mgc',
  complianceSqlStore: 'mgccomp',
  backupSqlStore: 'mgc',
  backupComplianceSqlStore: 'mgccomp',
};

/** The store roles a pool really uses: compliance and DR stores count only when those options are on. */
export function effectiveStoreRoles(p: PersistentChatPool): StoreRole[] {
  const roles: StoreRole[] = ['sqlStore'];
  if (p.enableCompliance) roles.push('complianceSqlStore');
  if (p.enableDisasterRecovery) roles.push('backupSqlStore');
  if (p.enableDisasterRecovery && p.enableCompliance) roles.push('backupComplianceSqlStore');
  return roles;
}

/** Resolves a pool's store reference; undefined when the reference is empty or names no defined store. */
export function resolveStore(t: Topology, ref: string | undefined): SqlStore | undefined {
  return topologyIndex(t).resolveStore(ref);
}

/**
 * Checks that a pool's store reference is set and names a defined store; returns the problem
 * as a finding of `rule` (reference integrity is reported by the rule that needs the store).
 */
export function checkStoreRef(t: Topology, rule: number, p: PersistentChatPool, i: number, role: StoreRole, why: string): Finding | undefined {
  const ref = p[role];
  const target = poolTarget(p, i);
  if (!ref || !ref.trim()) {
    return finding(rule, 'Error', target, `The pool has no ${STORE_ROLE_LABEL[role]}${why}.`, `${setPool(target, `-${STORE_ROLE_PARAMETER[role]} <sqlServerFqdn>[\\<instance>]`)}, naming a store defined with New-SqlStore.`);
  }
  if (!topologyIndex(t).resolveStore(ref)) {
    return finding(rule, 'Error', target, `The pool's ${STORE_ROLE_LABEL[role]} ${storeRefIdentity(ref)} is not defined in the topology.`, `Define it (${newSqlStore(storeRefIdentity(ref))}), or point the pool at an existing store (${setPool(target, `-${STORE_ROLE_PARAMETER[role]} <store>`)}).`);
  }
  return undefined;
}

/** Standard Edition servers by normalized FQDN. */
export function standardEditionServers(t: Topology): Set<string> {
  return new Set(t.frontEndPools.filter((p) => p.edition === 'Standard').map((p) => normalizeFqdn(p.fqdn)));
}

/** Enterprise Edition Front End servers (not pool names): normalized FQDN → pool FQDN. */
export function enterpriseFrontEndServers(t: Topology): Map<string, string> {
  const m = new Map<string, string>();
  for (const fe of t.frontEndPools) {
    if (fe.edition !== 'Enterprise') continue;
    for (const c of fe.computers ?? []) m.set(normalizeFqdn(c), normalizeFqdn(fe.fqdn));
  }
  return m;
}

/** A pool is collocated with a Standard Edition server when its FQDN is that server's FQDN (domain.md 1.1). */
export function isSeCollocated(t: Topology, p: PersistentChatPool): boolean {
  return topologyIndex(t).isSeCollocated(p);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// ---- lookups indexed once per validation --------------------------------------------
// The model's find* functions scan a whole list per lookup; a rule looking up each pool's references
// that way is quadratic (2,000 pools: seconds). The rules look up through a TopologyIndex instead.

/**
 * `find` by key, in amortised constant time: returns the first item (in document order) whose
 * `key` is `=== wanted`, as `items.find((x) => key(x) === wanted)` does. Keys are computed lazily,
 * in document order, each once, and only for items such a scan would have reached, so the
 * result (and any error a malformed item throws) is the one the scan gives.
 */
export function firstByKey<T, K>(items: readonly T[], key: (x: T) => K): (wanted: K) => T | undefined {
  const first = new Map<K, T>();
  let next = 0;
  return (wanted) => {
    if (first.has(wanted)) return first.get(wanted);
    while (next < items.length) {
      const x = items[next++]!;
      const k = key(x);
      if (!first.has(k)) first.set(k, x);
      if (k === wanted) return x;
    }
    return undefined;
  };
}

/**
 * The lookups of the rules over one topology, each built on first use and then answered from a map.
 * Answers are those of model.ts (findSqlStore, findFileStore, findSite, findFrontEndPool) and of
 * standardEditionServers, as long as the topology is not changed: an index lives for one validation
 * (withTopologyIndex), never across changes of the document.
 */
export class TopologyIndex {
  private sqlStores?: (id: string) => SqlStore | undefined;
  private fileStores?: (id: string) => FileStore | undefined;
  private sites?: (name: string) => Site | undefined;
  private frontEnds?: (fqdn: string) => FrontEndPool | undefined;
  private seServers?: Set<string>;
  private readonly memos = new Map<symbol, unknown>();

  constructor(readonly topology: Topology) {}

  /** findSqlStore: a store by `fqdn` or `fqdn\INSTANCE` (any case, MSSQLSERVER for the default instance). */
  sqlStore(identity: string): SqlStore | undefined {
    this.sqlStores ??= firstByKey(this.topology.sqlStores, (s: SqlStore) => sqlStoreIdentity(s));
    return this.sqlStores(storeRefIdentity(identity));
  }

  /** resolveStore: undefined when the reference is empty or names no defined store. */
  resolveStore(ref: string | undefined): SqlStore | undefined {
    return ref && ref.trim() ? this.sqlStore(ref) : undefined;
  }

  /** findFileStore: a file store by UNC path or local path (case-insensitively). */
  fileStore(identity: string): FileStore | undefined {
    this.fileStores ??= firstByKey(this.topology.fileStores, (f: FileStore) => fileStoreIdentity(f).toLowerCase());
    const unc = parseUncPath(identity);
    const id = unc ? fileStoreIdentity(unc) : identity;
    return this.fileStores(id.toLowerCase());
  }

  /** findSite: a site by name (case-insensitively). */
  site(name: string): Site | undefined {
    this.sites ??= firstByKey(this.topology.sites, (s: Site) => s.name.toLowerCase());
    return this.sites(name.toLowerCase());
  }

  /** findFrontEndPool: a Front End pool or Standard Edition server by FQDN. */
  frontEndPool(fqdn: string): FrontEndPool | undefined {
    this.frontEnds ??= firstByKey(this.topology.frontEndPools, (p: FrontEndPool) => p.fqdn as string);
    return this.frontEnds(normalizeFqdn(fqdn));
  }

  /** isSeCollocated: the pool's FQDN is a Standard Edition server's. */
  isSeCollocated(p: PersistentChatPool): boolean {
    if (typeof p.fqdn !== 'string') return false;
    this.seServers ??= standardEditionServers(this.topology);
    return this.seServers.has(normalizeFqdn(p.fqdn));
  }

  /** A value derived from the topology that several rules need (e.g. the database placements), built once. */
  memo<T>(key: symbol, build: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, build());
    return this.memos.get(key) as T;
  }
}

// The index of the topology being validated. Scoped to one validation (not kept for the Topology object
// beyond it): callers change topologies in place and validate them again.
const current = new WeakMap<Topology, TopologyIndex>();

/** The index of the validation in progress over `t`, or a fresh one (for a helper called on its own). */
export function topologyIndex(t: Topology): TopologyIndex {
  return current.get(t) ?? new TopologyIndex(t);
}

/** Runs `fn` with one index of `t` shared by every lookup inside it (nested calls reuse the outer one). */
export function withTopologyIndex<R>(t: Topology, fn: (ix: TopologyIndex) => R): R {
  const outer = current.get(t);
  if (outer) return fn(outer);
  const ix = new TopologyIndex(t);
  current.set(t, ix);
  try {
    return fn(ix);
  } finally {
    current.delete(t);
  }
}

/** A rule's check that looks things up: run on its own, it still builds the index once, not per lookup. */
export function indexed(check: (t: Topology, ix: TopologyIndex) => Finding[]): (t: Topology) => Finding[] {
  return (t) => withTopologyIndex(t, (ix) => check(t, ix));
}
