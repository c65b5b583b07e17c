// The deployment as both document forms describe it, before mapping to the model: sites, clusters,
// SQL instances and services, with references resolved to one key space per document.
// published.ts and tbxml.ts fill it; map.ts turns it into a Topology.

export interface Position {
  line: number;
  column: number;
}

export interface RawSite extends Position {
  /** SiteId as written (Topology Builder files of Lync Server 2010 write OriginalSiteId instead). */
  siteId: string;
  /** What clusters name the site by (RawCluster.siteId): the SiteId in the published form; in Topology Builder's, where clusters are nested in their site, the site's place in the file. */
  key: string;
  name?: string;
  city?: string;
  state?: string;
  countryCode?: string;
  /** False for branch/remote sites (not modelled). */
  central: boolean;
}

export interface RawCluster extends Position {
  key: string;
  fqdn: string;
  /** Key of the site the cluster belongs to (RawSite.key; undefined when the document does not say). */
  siteId?: string;
  /** Machine FQDNs; '' for a machine without one (Topology Builder: the single machine of the cluster). */
  machines: string[];
  /** Topology Builder's IsSingleMachineOnly (undefined in the published form). */
  singleMachineOnly?: boolean;
}

export interface RawSqlInstance extends Position {
  key: string;
  clusterKey: string;
  /** '' is the default instance. */
  name: string;
  /** Any AlwaysOn* attribute present with a value. */
  alwaysOn: boolean;
  /** FQDNs named by AlwaysOn*Fqdn attributes (the replicas behind a listener). */
  alwaysOnNodes: string[];
}

export interface RawService extends Position {
  key: string;
  roleName: string;
  /** Key of the cluster or SQL instance the service is installed on. */
  installedOn?: string;
  dependsOn: string[];
  serviceVersion?: number;
  /** FileStore: the share name. */
  shareName?: string;
  /** Registrar: a Director pool. */
  isDirector?: boolean;
}

export interface RawDeployment {
  sites: RawSite[];
  clusters: RawCluster[];
  sqlInstances: RawSqlInstance[];
  services: RawService[];
  warnings: string[];
}

export function emptyDeployment(): RawDeployment {
  return { sites: [], clusters: [], sqlInstances: [], services: [], warnings: [] };
}

/** Reads an integer attribute; undefined when absent or not a number. */
export function intOf(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

export function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

export function isTrue(v: string | undefined): boolean {
  return v?.trim().toLowerCase() === 'true';
}
