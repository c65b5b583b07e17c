// Rules about what each SQL Server instance ends up holding and running
// (domain.md 8, rules 17, 18, 26, 30; domain.md 1.4, 2.2, 2.3).
import { DEFAULT_MIRRORING_PORT, DEFAULT_WITNESS_PORT, normalizeFqdn, persistentChatProduct, sqlStoreIdentity, storeProduct, type SqlStore, type Topology } from '../model.js';
import { evaluateSqlPlatform } from '../../sql/support.js';
import {
  effectiveStoreRoles,
  finding,
  indexed,
  poolTarget,
  STORE_ROLE_DATABASE,
  STORE_ROLE_LABEL,
  type Finding,
  type RuleDefinition,
  type StoreRole,
  type TopologyIndex,
} from './common.js';

/** One Persistent Chat database placed on one instance: by a pool's store, or by that store's mirror. */
interface Placement {
  instance: string;
  /** The pool's store this placement comes from (the instance itself, or the principal of a mirror). */
  from: string;
  store: SqlStore;
  db: 'mgc' | 'mgccomp';
  pool: number;
  role: StoreRole;
  via: 'store' | 'mirror';
}

const PLACEMENTS = Symbol('placements');

/** Every database the pools place, in document order; built once per validation (rules 18, 26 and 30 share it). */
function placements(t: Topology, ix: TopologyIndex): readonly Placement[] {
  return ix.memo(PLACEMENTS, () => {
    const out: Placement[] = [];
    t.persistentChatPools.forEach((p, pool) => {
      for (const role of effectiveStoreRoles(p)) {
        const store = ix.resolveStore(p[role]);
        if (!store) continue;
        const db = STORE_ROLE_DATABASE[role];
        const from = sqlStoreIdentity(store);
        out.push({ instance: from, from, store, db, pool, role, via: 'store' });
        const mirror = ix.resolveStore(store.mirror);
        if (mirror) out.push({ instance: sqlStoreIdentity(mirror), from, store: mirror, db, pool, role, via: 'mirror' });
      }
    });
    return out;
  });
}

/** Groups in order of first appearance, items in document order. */
function groupBy<T, K>(items: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

function describe(t: Topology, p: Placement): string {
  const what = p.via === 'mirror' ? `mirror of the ${STORE_ROLE_LABEL[p.role]}` : STORE_ROLE_LABEL[p.role];
  return `${what} of pool ${poolTarget(t.persistentChatPools[p.pool]!, p.pool)}`;
}

export const mirroringPortRule: RuleDefinition = {
  id: 17,
  title: 'Mirroring endpoints of instances on one host use different ports (defaults 5022, witness 7022)',
  severity: 'Error',
  meaning: 'Two SQL instances on one host cannot share a database mirroring endpoint port.',
  check: indexed((t, ix) => {
    const mirrors = new Set<string>();
    const witnesses = new Set<string>();
    for (const s of t.sqlStores) {
      const m = ix.resolveStore(s.mirror);
      const w = ix.resolveStore(s.witness);
      if (m) mirrors.add(sqlStoreIdentity(m));
      if (w) witnesses.add(sqlStoreIdentity(w));
    }
    const out: Finding[] = [];
    const taken = new Map<string, string>(); // `host:port` → instance identity
    for (const s of t.sqlStores) {
      const id = sqlStoreIdentity(s);
      const partner = !!ix.resolveStore(s.mirror) || mirrors.has(id);
      if (!partner && !witnesses.has(id)) continue;
      const port = s.mirroringPort ?? (partner ? DEFAULT_MIRRORING_PORT : DEFAULT_WITNESS_PORT);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        out.push(finding(17, 'Error', id, `The mirroring port ${String(port)} is not an integer from 1 to 65535.`, `Set the instance's mirroring endpoint port (default ${DEFAULT_MIRRORING_PORT}, ${DEFAULT_WITNESS_PORT} for a witness).`));
        continue;
      }
      const key = `${normalizeFqdn(s.sqlServerFqdn ?? '')}:${port}`;
      const other = taken.get(key);
      if (other === undefined) taken.set(key, id);
      else if (other !== id) {
        out.push(finding(17, 'Error', id, `The mirroring endpoint port ${port} is already used by ${other} on the same host.`, `Give ${id} a mirroring endpoint port of its own (e.g. ${port + 1}): set it on the instance's endpoint and as the store's mirroring port (New-SqlStore -MirroringPort).`));
      }
    }
    return out;
  }),
};

export const onePersistentChatDatabaseRule: RuleDefinition = {
  id: 18,
  title: 'A SQL instance holds at most one back-end (user store) database and one Persistent Chat (mgc) database',
  severity: 'Error',
  meaning: 'One SQL instance serves at most one Front End back end and one Persistent Chat pool.',
  check: indexed((t, ix) => {
    const out: Finding[] = [];
    // The back-end half: Front End pools whose user store is on the same instance.
    const backEnds = new Map<string, string[]>();
    for (const fe of t.frontEndPools) {
      const store = fe.backEndSqlStore ? ix.resolveStore(fe.backEndSqlStore) : undefined;
      if (!store) continue;
      const id = sqlStoreIdentity(store);
      backEnds.set(id, [...(backEnds.get(id) ?? []), normalizeFqdn(fe.fqdn)]);
    }
    for (const [instance, pools] of backEnds) {
      if (pools.length < 2) continue;
      out.push(
        finding(18, 'Error', instance, `The SQL instance would hold the back-end (user store) databases of more than one Front End pool: ${pools.join(', ')}. An instance holds at most one back-end database.`, 'Give each Front End pool its own SQL instance for its back-end (a Persistent Chat pool may share that instance for its mgc database).'),
      );
    }
    for (const [instance, ps] of groupBy(placements(t, ix).filter((p) => p.db === 'mgc'), (p) => p.instance)) {
      if (new Set(ps.map((p) => p.pool)).size < 2) continue;
      out.push(
        finding(18, 'Error', instance, `The SQL instance would hold the mgc database of more than one Persistent Chat pool: ${ps.map((p) => describe(t, p)).join('; ')}. An instance holds at most one Persistent Chat database.`, 'Give each Persistent Chat pool its own SQL instance for its SQL store and backup SQL store (and their mirrors).'),
      );
    }
    return out;
  }),
};

/** Two placements of one database on one instance that another rule reports more precisely. */
function explainedElsewhere(a: Placement, b: Placement): boolean {
  if (a.pool !== b.pool) return a.db === 'mgc'; // rule 18
  if (a.role === b.role) return a.via !== b.via; // the store is its own mirror: rule 16
  const roles = new Set([a.role, b.role]);
  const primaryAndBackup = (roles.has('sqlStore') && roles.has('backupSqlStore')) || (roles.has('complianceSqlStore') && roles.has('backupComplianceSqlStore'));
  return primaryAndBackup && a.from === b.from; // the backup store is the primary one: rule 14
}

/**
 * Whether two placements of one database on one instance (`ps`, one group) clash, i.e. some pair is not
 * explainedElsewhere. Linear rather than pairwise over the group: a pair of different pools is explained
 * exactly when the database is mgc (rule 18), so only pairs within one pool (at most a few placements
 * each) are compared one by one.
 */
function clashes(ps: readonly Placement[]): boolean {
  const byPool = groupBy(ps, (p) => p.pool);
  if (byPool.size > 1 && ps[0]!.db !== 'mgc') return true;
  for (const same of byPool.values()) {
    if (same.some((a, i) => same.slice(i + 1).some((b) => !explainedElsewhere(a, b)))) return true;
  }
  return false;
}

export const databaseNamesRule: RuleDefinition = {
  id: 26,
  title: 'Database names are fixed (mgc, mgccomp): one instance cannot hold two copies of either',
  severity: 'Error',
  meaning: 'Persistent Chat databases are always named mgc and mgccomp, so an instance holds at most one of each.',
  check: indexed((t, ix) => {
    const out: Finding[] = [];
    for (const ps of groupBy(placements(t, ix), (p) => `${p.instance}\u0000${p.db}`).values()) {
      if (!clashes(ps)) continue;
      const { instance, db } = ps[0]!;
      out.push(
        finding(26, 'Error', instance, `The SQL instance would need more than one database named ${db} (${ps.map((p) => describe(t, p)).join('; ')}); Persistent Chat database names are fixed, so an instance holds at most one ${db}.`, `Place the ${db === 'mgc' ? 'SQL stores' : 'compliance SQL stores'} listed on different SQL instances.`),
      );
    }
    return out;
  }),
};

export const sqlPlatformRule: RuleDefinition = {
  id: 30,
  title: 'SQL platform of Persistent Chat stores is supported; no AlwaysOn availability groups',
  severity: 'Error, Warning',
  meaning: "A store's SQL Server release and edition, when known, are supported by the product of the pools' next hops (an unsupported one is an error, one newer than the table a warning); an AlwaysOn instance is a warning.",
  check: indexed((t, ix) => {
    const out: Finding[] = [];
    for (const [instance, ps] of groupBy(placements(t, ix), (p) => p.instance)) {
      const store = ps[0]!.store;
      const pools = [...new Set(ps.map((p) => p.pool))].map((i) => t.persistentChatPools[i]!);
      if (store.alwaysOn) {
        // A Warning, as issues 4 and 6 ask: availability groups are per database, so mgc can live on the
        // instance outside the group; what is unsupported is putting it in the group.
        out.push(finding(30, 'Warning', instance, 'The SQL instance hosts AlwaysOn availability groups; Persistent Chat databases are not supported in an availability group.', 'Keep mgc and mgccomp out of the availability group (use SQL mirroring for high availability), or use a stand-alone instance or a failover cluster instance.'));
      }
      if (!store.version) continue;
      // The table of the product the pools run beside (their next hops'), not the topology's.
      const product = storeProduct(t, pools.map((p) => persistentChatProduct(t, p, typeof p.nextHopPool === 'string' ? ix.frontEndPool(p.nextHopPool) : undefined)));
      const verdict = evaluateSqlPlatform({ product, productVersion: store.version, edition: store.edition ?? '', allowExpress: pools.every((p) => ix.isSeCollocated(p)) });
      if (verdict.status === 'Passed') continue;
      out.push(finding(30, verdict.status === 'Failed' ? 'Error' : 'Warning', instance, verdict.details, verdict.recommendedAction));
    }
    return out;
  }),
};
