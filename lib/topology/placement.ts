// Which databases the topology places on which SQL store, and what each store must therefore offer
// (Test-SqlStore and Publish-Topology). Pure.
import {
  findFrontEndPool,
  findPersistentChatPool,
  findSqlStore,
  parseSqlStoreIdentity,
  persistentChatProduct,
  sqlStoreIdentity,
  storeProduct,
  type PersistentChatPool,
  type Product,
  type Topology,
} from './model.js';

export type Database = 'mgc' | 'mgccomp';

export interface Placement {
  store: string;
  pool: string;
  database: Database;
  /** primary, compliance, backup, backup compliance; "mirror of ..." for their mirrors. */
  role: string;
}

const storeId = (ref: string) => sqlStoreIdentity(parseSqlStoreIdentity(ref));

/** Every store a pool uses and what it holds: primary (mgc), compliance (mgccomp), their backup stores, and each one's mirror. */
export function poolPlacements(t: Topology, pool: PersistentChatPool): Placement[] {
  const out: Placement[] = [];
  const add = (ref: string | undefined, database: Database, role: string) => {
    if (!ref) return;
    const store = findSqlStore(t, ref);
    const id = store ? sqlStoreIdentity(store) : storeId(ref);
    out.push({ store: id, pool: pool.fqdn, database, role });
    if (store?.mirror) out.push({ store: storeId(store.mirror), pool: pool.fqdn, database, role: `mirror of ${role}` });
  };
  add(pool.sqlStore, 'mgc', 'primary');
  if (pool.enableCompliance) add(pool.complianceSqlStore, 'mgccomp', 'compliance');
  if (pool.enableDisasterRecovery) {
    add(pool.backupSqlStore, 'mgc', 'backup');
    if (pool.enableCompliance) add(pool.backupComplianceSqlStore, 'mgccomp', 'backup compliance');
  }
  return out;
}

export interface StorePlan {
  /** Store identity (the rows' Target). */
  identity: string;
  server: string;
  instance: string | null;
  port?: number;
  roles: string[];
  /** What the SQL probe expects of the store; `product`: whose SQL support table applies (the pools' next hops'). */
  expect: { product: Product; databases: string[]; needCreate: boolean; allowExpress: boolean; otherPoolsDatabases: string[]; otherPools: string[]; publishedDatabases: string[] };
}

const seCollocated = (t: Topology, poolFqdn: string) => findFrontEndPool(t, poolFqdn)?.edition === 'Standard';

/**
 * What one store must offer. With `forPool`, that pool's databases are "ours" and every other pool's
 * on the same instance are "theirs" (rule 18). Without, all pools placing a database there count, and
 * a name placed by two pools is the conflict. A store no pool uses yet is judged as a prospective
 * Persistent Chat store (mgc).
 */
export function storePlan(t: Topology, identity: string, forPool?: string, published?: Topology | null): StorePlan {
  const store = findSqlStore(t, identity)!;
  const id = sqlStoreIdentity(store);
  const here = t.persistentChatPools.flatMap((p) => poolPlacements(t, p)).filter((x) => x.store === id);
  const mine = forPool ? here.filter((x) => x.pool === forPool) : here;
  const theirs = forPool
    ? here.filter((x) => x.pool !== forPool)
    : here.filter((x) => here.some((y) => y.database === x.database && y.pool !== x.pool));
  const pools = [...new Set(mine.map((x) => x.pool))];
  const databases = [...new Set(mine.map((x) => x.database))];
  // Placements the published topology already had: an earlier publish created those databases here.
  const key = (x: Placement) => `${x.pool.toLowerCase()}|${x.database}|${x.store}`;
  const before = new Set(published ? published.persistentChatPools.flatMap((p) => poolPlacements(published, p)).map(key) : []);
  return {
    identity: id,
    server: store.sqlServerFqdn,
    instance: store.sqlInstance ?? null,
    port: store.port,
    roles: mine.map((x) => `${x.role} of ${x.pool}`),
    expect: {
      product: storeProduct(t, pools.map((fqdn) => findPersistentChatPool(t, fqdn)).filter((x): x is PersistentChatPool => !!x).map((x) => persistentChatProduct(t, x))),
      databases: databases.length ? databases : ['mgc'],
      needCreate: true,
      allowExpress: pools.length > 0 && pools.every((p) => seCollocated(t, p)),
      otherPoolsDatabases: [...new Set(theirs.map((x) => x.database))],
      otherPools: [...new Set(theirs.map((x) => x.pool))],
      publishedDatabases: [...new Set(mine.filter((x) => before.has(key(x))).map((x) => x.database))],
    },
  };
}

/** The stores of a pool, each once, with this pool's view of them. */
export function poolStorePlans(t: Topology, pool: PersistentChatPool, published?: Topology | null): StorePlan[] {
  const ids = [...new Set(poolPlacements(t, pool).map((x) => x.store))];
  return ids.filter((id) => findSqlStore(t, id)).map((id) => storePlan(t, id, pool.fqdn, published));
}
