// The published form (Get-CsTopology -AsXml, root <Topology>): clusters are referenced by
// (SiteId, Number), SQL instances by (cluster, Name), services by (SiteId, RoleName, Instance).
import { attr, child, childrenNamed, findAll, findFirst, isNamed, type XmlElement } from './parse.js';
import { emptyDeployment, intOf, isTrue, nonEmpty, type RawDeployment, type RawService, type RawSite } from './deployment.js';
import { alwaysOnFacts } from './sql-instance.js';

export const PUBLISHED_NS = 'urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008';

export function readPublished(root: XmlElement): RawDeployment {
  const d = emptyDeployment();
  const sites = findFirst(root, 'Sites');
  if (sites) readSites(sites, d);

  for (const c of findAll(findFirst(root, 'Clusters') ?? root, 'Cluster')) {
    const id = child(c, 'ClusterId');
    const key = id ? clusterKey(id) : undefined;
    const fqdn = nonEmpty(attr(c, 'Fqdn'));
    if (!key || !fqdn) {
      d.warnings.push(`Cluster at line ${c.line} has no ${fqdn ? 'ClusterId' : 'Fqdn'}; ignored.`);
      continue;
    }
    d.clusters.push({
      key,
      fqdn,
      siteId: nonEmpty(attr(id!, 'SiteId')),
      machines: findAll(c, 'Machine').map((m) => attr(m, 'Fqdn')?.trim() ?? ''),
      line: c.line,
      column: c.column,
    });
  }

  const sqlInstances = findFirst(root, 'SqlInstances');
  for (const s of sqlInstances ? findAll(sqlInstances, 'SqlInstance') : []) {
    const id = child(s, 'SqlInstanceId');
    const key = id ? sqlKey(id) : undefined;
    if (!id || !key) {
      d.warnings.push(`SqlInstance at line ${s.line} has no SqlInstanceId/ClusterId; ignored.`);
      continue;
    }
    const ao = alwaysOnFacts(s);
    d.sqlInstances.push({
      key,
      clusterKey: clusterKey(child(id, 'ClusterId')!)!,
      name: (attr(id, 'Name') ?? '').trim(),
      alwaysOn: ao.alwaysOn,
      alwaysOnNodes: ao.nodes,
      line: s.line,
      column: s.column,
    });
  }

  const services = findFirst(root, 'Services');
  for (const s of services ? childrenNamed(services, 'Service') : []) {
    const id = child(s, 'ServiceId');
    const roleName = id ? nonEmpty(attr(id, 'RoleName')) : undefined;
    if (!id || !roleName) {
      d.warnings.push(`Service at line ${s.line} has no ServiceId/RoleName; ignored.`);
      continue;
    }
    const installedOn = child(s, 'InstalledOn');
    let target: string | undefined;
    if (installedOn) {
      const sql = child(installedOn, 'SqlInstanceId');
      const cl = child(installedOn, 'ClusterId');
      target = sql ? sqlKey(sql) : cl ? clusterKey(cl) : undefined;
    }
    const deps = child(s, 'DependsOn');
    d.services.push(rawService(s, serviceKey(id)!, roleName, target, deps ? findAll(deps, 'ServiceId').map(serviceKey) : []));
  }
  return d;
}

function readSites(sites: XmlElement, d: RawDeployment): void {
  for (const s of sites.children) {
    const central = isNamed(s, 'CentralSite');
    if (central || attr(s, 'SiteId') !== undefined) d.sites.push(site(s, central));
    // Branch sites may also be listed inside their central site.
    if (central) for (const r of findAll(s, 'RemoteSite')) d.sites.push(site(r, false));
    if (central) for (const r of findAll(s, 'BranchSite')) d.sites.push(site(r, false));
  }
}

export function site(s: XmlElement, central: boolean): RawSite {
  const loc = child(s, 'Location');
  const siteId = (attr(s, 'SiteId') ?? attr(s, 'OriginalSiteId') ?? '').trim();
  return {
    siteId,
    key: siteId,
    name: nonEmpty(child(s, 'Name')?.text) ?? nonEmpty(attr(s, 'Name')),
    city: nonEmpty(loc && attr(loc, 'City')),
    state: nonEmpty(loc && attr(loc, 'State')),
    countryCode: nonEmpty(loc && attr(loc, 'CountryCode')),
    central,
    line: s.line,
    column: s.column,
  };
}

/** A <Service> as both document forms describe it; they differ only in how keys and dependencies are written. */
export function rawService(s: XmlElement, key: string, roleName: string, installedOn: string | undefined, dependsOn: (string | undefined)[]): RawService {
  return {
    key,
    roleName,
    installedOn,
    dependsOn: dependsOn.filter((k): k is string => !!k),
    serviceVersion: intOf(attr(s, 'ServiceVersion')),
    shareName: shareNameOf(s),
    isDirector: isDirector(s),
    line: s.line,
    column: s.column,
  };
}

function shareNameOf(service: XmlElement): string | undefined {
  const fs = child(service, 'FileStoreService');
  return nonEmpty(fs ? attr(fs, 'ShareName') : undefined);
}

function isDirector(service: XmlElement): boolean {
  const reg = child(service, 'RegistrarService');
  return !!reg && isTrue(attr(reg, 'IsDirector'));
}

function clusterKey(id: XmlElement): string | undefined {
  const site = nonEmpty(attr(id, 'SiteId'));
  const num = nonEmpty(attr(id, 'Number'));
  return site && num ? `cluster:${site}/${num}` : undefined;
}

function sqlKey(id: XmlElement): string | undefined {
  const cl = child(id, 'ClusterId');
  const ck = cl ? clusterKey(cl) : undefined;
  return ck ? `${ck}\\${(attr(id, 'Name') ?? '').trim().toLowerCase()}` : undefined;
}

function serviceKey(id: XmlElement): string | undefined {
  const site = nonEmpty(attr(id, 'SiteId'));
  const role = nonEmpty(attr(id, 'RoleName'));
  const inst = nonEmpty(attr(id, 'Instance')) ?? '1';
  return site && role ? `service:${site}-${role.toLowerCase()}-${inst}` : undefined;
}
