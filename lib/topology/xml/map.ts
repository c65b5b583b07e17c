// Maps a deployment read from either form onto the model: central sites, Front End pools (Enterprise
// or Standard Edition), SQL stores, file stores, and every other FQDN as an occupied name. Roles the
// model does not hold are counted, never dropped silently.
import {
  emptyTopology,
  hasPersistentChat,
  normalizeFqdn,
  sqlStoreIdentity,
  fileStoreIdentity,
  type FileStore,
  type FrontEndPool,
  type OccupiedName,
  type Product,
  type Site,
  type SqlStore,
  type Topology,
} from '../model.js';
import { normalizeSqlInstance } from '../../sql/names.js';
import type { RawCluster, RawDeployment, RawService, RawSqlInstance } from './deployment.js';
import { frontEndProductOf, productOf } from './product.js';

export interface MapResult {
  topology: Topology;
  unmodelledRoles: Record<string, number>;
  warnings: string[];
}

/** Roles that carry the Persistent Chat server; their pools are not imported (their XML shape is undocumented). */
const PCHAT_ROLES = new Set(['persistentchatservice', 'persistentchatstore', 'persistentchatcompliancestore']);

export function mapDeployment(d: RawDeployment, options: { product?: Product } = {}): MapResult {
  const warnings = [...d.warnings];
  const t = emptyTopology();

  // ---- sites --------------------------------------------------------------------
  const siteNameById = new Map<string, string>();
  const usedIds = new Set<number>();
  const remote = d.sites.filter((s) => !s.central);
  for (const s of d.sites.filter((x) => x.central)) {
    let id = /^\d+$/.test(s.siteId) ? Number(s.siteId) : undefined;
    if (id === undefined || usedIds.has(id)) {
      const next = Math.max(0, ...usedIds) + 1;
      warnings.push(`Central site at line ${s.line} has ${id === undefined ? `SiteId '${s.siteId}', not a number` : `duplicate SiteId ${id}`}; numbered ${next}.`);
      id = next;
    }
    usedIds.add(id);
    let name = s.name ?? `Site ${s.siteId || id}`;
    if (!s.name) warnings.push(`Central site ${s.siteId} at line ${s.line} has no Name; named '${name}'.`);
    if (t.sites.some((x) => x.name.toLowerCase() === name.toLowerCase())) {
      const renamed = `${name} (SiteId ${id})`;
      warnings.push(`Two central sites are named '${name}'; the one at line ${s.line} is imported as '${renamed}'.`);
      name = renamed;
    }
    const site: Site = { name, siteId: id };
    if (s.city) site.city = s.city;
    if (s.state) site.state = s.state;
    if (s.countryCode) site.countryCode = s.countryCode;
    t.sites.push(site);
    if (s.key && !siteNameById.has(s.key)) siteNameById.set(s.key, name);
  }
  if (remote.length) {
    const names = remote.map((r) => r.name ?? r.siteId).join(', ');
    warnings.push(`${remote.length} branch site(s) not imported (the model holds central sites only): ${names}. Their servers are kept as occupied names.`);
  }

  // ---- indexes ------------------------------------------------------------------
  const clusters = new Map<string, RawCluster>(d.clusters.map((c) => [c.key, c]));
  const sqlByKey = new Map<string, RawSqlInstance>(d.sqlInstances.map((s) => [s.key, s]));
  const servicesByKey = new Map<string, RawService>(d.services.map((s) => [s.key, s]));
  /** The cluster a service runs on, directly or through its SQL instance. */
  const hostOf = (s: RawService): RawCluster | undefined => {
    if (!s.installedOn) return undefined;
    const c = clusters.get(s.installedOn);
    if (c) return c;
    const sql = sqlByKey.get(s.installedOn);
    return sql ? clusters.get(sql.clusterKey) : undefined;
  };
  const rolesByCluster = new Map<string, RawService[]>();
  for (const s of d.services) {
    const host = hostOf(s);
    if (!host) {
      warnings.push(`Service ${s.roleName} at line ${s.line} is installed on ${s.installedOn ? `an unknown cluster or SQL instance (${s.installedOn})` : 'nothing'}; ignored.`);
      continue;
    }
    const list = rolesByCluster.get(host.key) ?? [];
    list.push(s);
    rolesByCluster.set(host.key, list);
  }
  const servicesOn = (c: RawCluster) => rolesByCluster.get(c.key) ?? [];
  const modelled = new Set<RawService>();

  // ---- Front End pools ------------------------------------------------------------
  const poolClusters = new Set<string>();
  for (const c of d.clusters) {
    const onIt = servicesOn(c).filter((s) => s.installedOn === c.key);
    const userServices = onIt.find((s) => eq(s.roleName, 'UserServices'));
    if (!userServices) continue;
    const siteName = c.siteId !== undefined ? siteNameById.get(c.siteId) : undefined;
    if (!siteName) {
      warnings.push(`Cluster ${c.fqdn} (line ${c.line}) runs UserServices but is not in a central site; kept as an occupied name.`);
      continue;
    }
    const fqdn = normalizeFqdn(c.fqdn);
    const machines = unique(c.machines.map((m) => normalizeFqdn(m || c.fqdn)));
    const single = c.singleMachineOnly ?? machines.length <= 1;
    const ownBackEnd = userStoreIsLocal(userServices, c, servicesByKey, sqlByKey, d.services);
    if (ownBackEnd && !single) {
      warnings.push(`Front End pool ${fqdn} has several computers but its user store is on its own SQL instance; imported as Enterprise Edition.`);
    }
    const edition = ownBackEnd && single ? 'Standard' : 'Enterprise';
    const pool: FrontEndPool = { fqdn, site: siteName, edition, computers: edition === 'Standard' ? [fqdn] : machines };
    // The pool's own product: -Product overrides a 2013/2015 one, but a 2019 or 2010 pool stays one (it has no
    // Persistent Chat, whatever the topology is called); an unknown version leaves it to the topology's.
    const feProduct = frontEndProductOf(userServices.serviceVersion);
    if (feProduct) pool.product = options.product && hasPersistentChat(feProduct) ? options.product : feProduct;
    const backEnd = backEndStore(userServices, servicesByKey, sqlByKey, clusters);
    if (backEnd) pool.backEndSqlStore = backEnd;
    if (!pool.computers.length) warnings.push(`Front End pool ${fqdn} (line ${c.line}) lists no computers.`);
    t.frontEndPools.push(pool);
    poolClusters.add(c.key);
    for (const s of onIt) if (eq(s.roleName, 'UserServices') || eq(s.roleName, 'Registrar')) modelled.add(s);
  }
  if (!t.frontEndPools.length) {
    warnings.push('No Front End pool or Standard Edition server was found; a Persistent Chat pool needs one as its next hop.');
  }

  // ---- SQL stores -----------------------------------------------------------------
  for (const s of d.sqlInstances) {
    const host = clusters.get(s.clusterKey);
    if (!host) {
      warnings.push(`SqlInstance at line ${s.line} belongs to an unknown cluster; ignored.`);
      continue;
    }
    const store: SqlStore = { sqlServerFqdn: normalizeFqdn(host.fqdn), sqlInstance: normalizeSqlInstance(s.name) };
    if (s.alwaysOn) store.alwaysOn = true;
    const siteName = host.siteId !== undefined ? siteNameById.get(host.siteId) : undefined;
    if (siteName) store.site = siteName;
    if (t.sqlStores.some((x) => sqlStoreIdentity(x) === sqlStoreIdentity(store))) continue;
    t.sqlStores.push(store);
  }
  for (const s of d.services) if (eq(s.roleName, 'UserStore') && s.installedOn && sqlByKey.has(s.installedOn)) modelled.add(s);

  // ---- file stores ----------------------------------------------------------------
  for (const s of d.services) {
    if (!eq(s.roleName, 'FileStore')) continue;
    const host = s.installedOn ? clusters.get(s.installedOn) : undefined;
    if (!host) continue; // already warned above
    if (!s.shareName) {
      warnings.push(`FileStore at line ${s.line} on ${host.fqdn} has no ShareName; ignored.`);
      continue;
    }
    const store: FileStore = { fileServerFqdn: normalizeFqdn(host.fqdn), share: s.shareName };
    modelled.add(s);
    if (t.fileStores.some((x) => fileStoreIdentity(x).toLowerCase() === fileStoreIdentity(store).toLowerCase())) continue;
    t.fileStores.push(store);
  }

  // ---- existing Persistent Chat pools ------------------------------------------------
  // Not imported, and their names are not occupied: the warning below tells the admin to define each again
  // under its own FQDN and computers, which rule 5 would otherwise refuse as taken by the pool itself.
  const pchatClusters = d.clusters.filter((c) => {
    const onIt = servicesOn(c).filter((s) => s.installedOn === c.key);
    return onIt.length > 0 && onIt.every((s) => PCHAT_ROLES.has(s.roleName.toLowerCase()));
  });
  const pchatKeys = new Set(pchatClusters.map((c) => c.key));

  // ---- occupied names -------------------------------------------------------------
  const taken = new Set<string>(t.frontEndPools.flatMap((p) => [p.fqdn, ...p.computers]));
  const occupy = (fqdn: string, role: string) => {
    const n = normalizeFqdn(fqdn);
    if (!n || taken.has(n)) return;
    taken.add(n);
    t.occupiedNames.push({ fqdn: n, role } satisfies OccupiedName);
  };
  for (const c of d.clusters) {
    if (poolClusters.has(c.key) || pchatKeys.has(c.key)) continue;
    const role = roleLabel(c, servicesOn(c), d.sqlInstances.some((s) => s.clusterKey === c.key));
    occupy(c.fqdn, role);
    for (const m of c.machines) if (m) occupy(m, `${role} (computer of ${normalizeFqdn(c.fqdn)})`);
  }
  for (const s of d.sqlInstances) {
    const host = clusters.get(s.clusterKey);
    for (const node of s.alwaysOnNodes) occupy(node, `SqlServer (AlwaysOn node of ${host ? normalizeFqdn(host.fqdn) : 'an availability group'})`);
  }

  // ---- roles not modelled ----------------------------------------------------------
  const unmodelledRoles: Record<string, number> = {};
  let pchat = 0;
  for (const s of d.services) {
    if (modelled.has(s)) continue;
    unmodelledRoles[s.roleName] = (unmodelledRoles[s.roleName] ?? 0) + 1;
    if (PCHAT_ROLES.has(s.roleName.toLowerCase())) pchat++;
  }
  if (pchatClusters.length) {
    const pools = pchatClusters.map((c) => {
      const fqdn = normalizeFqdn(c.fqdn);
      const computers = unique(c.machines.map((m) => normalizeFqdn(m || c.fqdn)));
      const site = c.siteId !== undefined ? siteNameById.get(c.siteId) : undefined;
      return `${fqdn} (computers ${computers.join(', ') || fqdn}${site ? `, site ${site}` : ''})`;
    });
    warnings.push(
      `The document already holds Persistent Chat pool(s) ${pools.join('; ')}; they are not imported, and their names are left free: ` +
        'define each again with New-PersistentChatPool -Fqdn <its FQDN> -Computer <its computers> to manage it here.',
    );
  } else if (pchat) {
    warnings.push(`The document already holds ${pchat} Persistent Chat service(s) not installed on a server of their own; they are not imported.`);
  }

  // ---- product --------------------------------------------------------------------
  const feVersions = d.services.filter((s) => modelled.has(s) && !eq(s.roleName, 'UserStore') && !eq(s.roleName, 'FileStore'));
  const product = productOf(
    (feVersions.length ? feVersions : d.services).map((s) => s.serviceVersion).filter((v): v is number => v !== undefined),
    options.product,
  );
  t.product = product.product;
  warnings.push(...product.warnings);

  return { topology: t, unmodelledRoles: sortKeys(unmodelledRoles), warnings };
}

/**
 * Standard Edition: the pool's UserServices depends on a UserStore whose SQL instance sits on the
 * pool's own cluster (the SE server's local `rtc` instance). When the document lists no dependency,
 * any UserStore on the cluster counts.
 */
function userStoreIsLocal(
  userServices: RawService,
  c: RawCluster,
  servicesByKey: Map<string, RawService>,
  sqlByKey: Map<string, RawSqlInstance>,
  all: RawService[],
): boolean {
  const depended = userServices.dependsOn.map((k) => servicesByKey.get(k)).filter((s): s is RawService => !!s && eq(s.roleName, 'UserStore'));
  const candidates = depended.length ? depended : all.filter((s) => eq(s.roleName, 'UserStore'));
  return candidates.some((s) => {
    const sql = s.installedOn ? sqlByKey.get(s.installedOn) : undefined;
    return !!sql && sql.clusterKey === c.key;
  });
}

/** The identity of the SQL store holding the UserStore the pool's UserServices depends on (rule 18), if the document says. */
function backEndStore(userServices: RawService, servicesByKey: Map<string, RawService>, sqlByKey: Map<string, RawSqlInstance>, clusters: Map<string, RawCluster>): string | undefined {
  for (const k of userServices.dependsOn) {
    const s = servicesByKey.get(k);
    if (!s || !eq(s.roleName, 'UserStore') || !s.installedOn) continue;
    const sql = sqlByKey.get(s.installedOn);
    const host = sql ? clusters.get(sql.clusterKey) : undefined;
    if (sql && host) return sqlStoreIdentity({ sqlServerFqdn: normalizeFqdn(host.fqdn), sqlInstance: normalizeSqlInstance(sql.name) });
  }
  return undefined;
}

/** A short label of what runs on a cluster, for rule messages ("already used by EdgeServer, ManagementServices"). */
function roleLabel(c: RawCluster, services: RawService[], hasSql: boolean): string {
  const roles: string[] = [];
  if (hasSql) roles.push('SqlServer');
  for (const s of services) {
    if (s.installedOn !== c.key) continue; // stores on its SQL instances are summed up as SqlServer
    const r = eq(s.roleName, 'Registrar') && s.isDirector ? 'Director' : s.roleName;
    if (!roles.includes(r)) roles.push(r);
  }
  return roles.length ? roles.join(', ') : 'Unknown';
}

function eq(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function unique(xs: string[]): string[] {
  return [...new Set(xs.filter((x) => x))];
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}
