// The topology model (shared/docs/architecture.md "Topology"): plain typed data.
// Objects refer to each other by human identities: a site by name, a pool by FQDN,
// a SQL store as `fqdn` or `fqdn\INSTANCE`, a file store as `\\server\share` or its local path.
import { normalizeSqlInstance } from '../sql/names.js';

export const SCHEMA_VERSION = 1;

/** The products that have Persistent Chat: a topology's product, whose rules apply to its Persistent Chat pools. */
export type Product = 'Lync2013' | 'SkypeForBusiness2015';
export const PRODUCTS: readonly Product[] = ['Lync2013', 'SkypeForBusiness2015'];

/**
 * What a Front End pool runs: a product with Persistent Chat, or one without it: Skype for Business Server 2019,
 * or Lync Server 2010 (Group Chat, not Persistent Chat), which a 2010-to-2013 migration keeps beside the new pools.
 */
export type FrontEndProduct = Product | 'SkypeForBusiness2019' | 'Lync2010';
export const FRONT_END_PRODUCTS: readonly FrontEndProduct[] = ['Lync2013', 'SkypeForBusiness2015', 'SkypeForBusiness2019', 'Lync2010'];

export const PRODUCT_NAME: Record<FrontEndProduct, string> = {
  Lync2013: 'Lync Server 2013',
  SkypeForBusiness2015: 'Skype for Business Server 2015',
  SkypeForBusiness2019: 'Skype for Business Server 2019',
  Lync2010: 'Lync Server 2010',
};

/** Lync Server 2013 and Skype for Business Server 2015 have Persistent Chat; Skype for Business Server 2019 and Lync Server 2010 do not. */
export function hasPersistentChat(p: FrontEndProduct): p is Product {
  return (PRODUCTS as readonly string[]).includes(p);
}

export interface Site {
  name: string;
  siteId: number;
  city?: string;
  state?: string;
  countryCode?: string;
}

export type Edition = 'Enterprise' | 'Standard';

export interface FrontEndPool {
  fqdn: string;
  site: string;
  edition: Edition;
  /** Enterprise: the pool's servers. Standard Edition: the single server (equal to fqdn). */
  computers: string[];
  /** The SQL store holding its back-end (user store) databases, when known (rule 18: one per instance). */
  backEndSqlStore?: string;
  /**
   * What the pool runs. Absent in drafts and revisions written before pools had their own product (and for an
   * imported pool of an unknown ServiceVersion): then it is the topology's product (frontEndProduct).
   */
  product?: FrontEndProduct;
}

export interface SqlStore {
  sqlServerFqdn: string;
  /** undefined/null: the default instance. */
  sqlInstance?: string | null;
  /** Fixed TCP port (no SQL Browser lookup). */
  port?: number;
  /** Identity of the store that mirrors this one (mirroring enabled when set). */
  mirror?: string;
  /** Identity of the mirroring witness store (needs `mirror`). */
  witness?: string;
  /** Database mirroring endpoint port: 5022 for principal and mirror, 7022 for a witness by default. */
  mirroringPort?: number;
  /** The instance is an AlwaysOn availability group (imported from a topology document). */
  alwaysOn?: boolean;
  /** Known platform facts (optional; filled by import or by a probe), for rule 30. */
  version?: string;
  edition?: string;
  /** Site the store belongs to (informational). */
  site?: string;
}

export interface FileStore {
  /** UNC form: file server FQDN and share name. */
  fileServerFqdn?: string;
  share?: string;
  /** Local form (single-computer pools only): an absolute local path. */
  path?: string;
}

export type ComputerType = 'Single' | 'Multiple';

export interface PersistentChatPool {
  fqdn: string;
  site: string;
  computerType: ComputerType;
  computers: string[];
  displayName: string;
  port: number;
  /** Service instance number within its site: the file store folder is `<SiteId>-PersistentChatService-<Instance>`. */
  instance: number;
  enableCompliance: boolean;
  /** Disaster recovery with backup SQL stores (multiple-computer pools only). */
  enableDisasterRecovery: boolean;
  defaultForSite: boolean;
  defaultForAllSites: boolean;
  sqlStore: string;
  complianceSqlStore?: string;
  backupSqlStore?: string;
  backupComplianceSqlStore?: string;
  fileStore: string;
  nextHopPool: string;
}

/** Any other cluster FQDN known to the deployment (Edge, Office Web Apps, SQL hosts...), kept for rule 5. */
export interface OccupiedName {
  fqdn: string;
  role: string;
}

export interface Topology {
  product: Product;
  sites: Site[];
  frontEndPools: FrontEndPool[];
  sqlStores: SqlStore[];
  fileStores: FileStore[];
  persistentChatPools: PersistentChatPool[];
  occupiedNames: OccupiedName[];
}

export function emptyTopology(product: Product = 'SkypeForBusiness2015'): Topology {
  return { product, sites: [], frontEndPools: [], sqlStores: [], fileStores: [], persistentChatPools: [], occupiedNames: [] };
}

export const DEFAULT_PCHAT_PORT = 5041;
export const DEFAULT_MIRRORING_PORT = 5022;
export const DEFAULT_WITNESS_PORT = 7022;

// ---- identities -----------------------------------------------------------------

/** FQDNs compare case-insensitively; the canonical form is lower case without a trailing dot. */
export function normalizeFqdn(fqdn: string): string {
  return fqdn.trim().replace(/\.$/, '').toLowerCase();
}

export function sqlStoreIdentity(s: Pick<SqlStore, 'sqlServerFqdn' | 'sqlInstance'>): string {
  const inst = normalizeSqlInstance(s.sqlInstance);
  return inst ? `${normalizeFqdn(s.sqlServerFqdn)}\\${inst}` : normalizeFqdn(s.sqlServerFqdn);
}

/** Parses `fqdn` or `fqdn\INSTANCE` (also `fqdn/INSTANCE`, `fqdn\MSSQLSERVER` for the default instance). */
export function parseSqlStoreIdentity(identity: string): { sqlServerFqdn: string; sqlInstance: string | null } {
  const m = /^([^\\/]+)(?:[\\/](.*))?$/.exec(identity.trim());
  if (!m) return { sqlServerFqdn: identity, sqlInstance: null };
  return { sqlServerFqdn: normalizeFqdn(m[1]!), sqlInstance: normalizeSqlInstance(m[2]) };
}

export function fileStoreIdentity(f: FileStore): string {
  if (f.path) return f.path;
  return `\\\\${normalizeFqdn(f.fileServerFqdn ?? '')}\\${f.share ?? ''}`;
}

/** Parses `\\server\share` (or `//server/share`); returns null for anything else (a local path). */
export function parseUncPath(p: string): { fileServerFqdn: string; share: string; folder: string } | null {
  const m = /^(?:\\\\|\/\/)([^\\/]+)[\\/]([^\\/]+)((?:[\\/][^\\/]+)*)[\\/]?$/.exec(p.trim());
  if (!m) return null;
  return { fileServerFqdn: normalizeFqdn(m[1]!), share: m[2]!, folder: (m[3] ?? '').replace(/\//g, '\\').replace(/^\\/, '') };
}

export function isUncFileStore(f: FileStore): boolean {
  return !f.path && !!f.fileServerFqdn && !!f.share;
}

export function findSite(t: Topology, name: string): Site | undefined {
  const n = name.toLowerCase();
  return t.sites.find((s) => s.name.toLowerCase() === n);
}
export function findFrontEndPool(t: Topology, fqdn: string): FrontEndPool | undefined {
  const n = normalizeFqdn(fqdn);
  return t.frontEndPools.find((p) => p.fqdn === n);
}
export function findSqlStore(t: Topology, identity: string): SqlStore | undefined {
  const id = sqlStoreIdentity(parseSqlStoreIdentity(identity));
  return t.sqlStores.find((s) => sqlStoreIdentity(s) === id);
}
export function findFileStore(t: Topology, identity: string): FileStore | undefined {
  const unc = parseUncPath(identity);
  const id = unc ? fileStoreIdentity(unc) : identity;
  return t.fileStores.find((f) => fileStoreIdentity(f).toLowerCase() === id.toLowerCase());
}
export function findPersistentChatPool(t: Topology, fqdn: string): PersistentChatPool | undefined {
  const n = normalizeFqdn(fqdn);
  return t.persistentChatPools.find((p) => p.fqdn === n);
}

/** What a Front End pool runs: its own product, else (a draft of an earlier version) the topology's. */
export function frontEndProduct(t: Topology, fe: FrontEndPool): FrontEndProduct {
  return fe.product ?? t.product;
}

/**
 * The product whose rules (the SQL support table) apply to a Persistent Chat pool: its next hop's, which
 * is what the pool runs beside; the topology's when the next hop is unknown or has no Persistent Chat
 * (rule 31 reports that).
 */
export function persistentChatProduct(t: Topology, pool: PersistentChatPool, frontEnd = findFrontEndPool(t, pool.nextHopPool ?? '')): Product {
  const hop = frontEnd ? frontEndProduct(t, frontEnd) : t.product;
  return hasPersistentChat(hop) ? hop : t.product;
}

/**
 * The SQL support table for a store used by `pools`: Lync Server 2013's, the narrower one, when any of
 * them runs beside Lync Server 2013; the topology's when no pool uses the store yet.
 */
export function storeProduct(t: Topology, products: Product[]): Product {
  if (products.length === 0) return t.product;
  return products.includes('Lync2013') ? 'Lync2013' : 'SkypeForBusiness2015';
}

/** The file store folder of a pool: `<SiteId>-PersistentChatService-<Instance>` (domain.md 4). */
export function persistentChatFolderName(t: Topology, pool: PersistentChatPool): string {
  const site = findSite(t, pool.site);
  return `${site?.siteId ?? 0}-PersistentChatService-${pool.instance}`;
}
