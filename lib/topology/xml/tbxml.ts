// The Topology Builder form (.tbxml, root <TopologyBuilder> → <NewTopology> → <PartialTopology>):
// clusters nested in their site, SQL instances nested in their cluster, every reference a GUID UniqueId.
import { attr, child, childrenNamed, findAll, findFirst, isNamed, type XmlElement } from './parse.js';
import { emptyDeployment, isTrue, nonEmpty, type RawDeployment } from './deployment.js';
import { rawService, site } from './published.js';
import { alwaysOnFacts } from './sql-instance.js';

export const TOPOLOGY_BUILDER_NS = 'urn:schema:Microsoft.Rtc.Management.Deploy.TopologyBuilder.2008';
export const WRITABLE_TOPOLOGY_NS = 'urn:schema:Microsoft.Rtc.Management.Deploy.WritableTopology.2008';

/** The <PartialTopology> that holds the topology being edited (NewTopology wins over any other copy). */
export function partialTopologyOf(root: XmlElement): XmlElement | undefined {
  if (isNamed(root, 'PartialTopology')) return root;
  const next = child(root, 'NewTopology');
  return (next && findFirst(next, 'PartialTopology')) ?? findFirst(root, 'PartialTopology');
}

export function readTopologyBuilder(partial: XmlElement): RawDeployment {
  const d = emptyDeployment();
  // A cluster belongs to the site it is nested in, whatever SiteId says (a file may have none, or repeat one).
  const add = (s: XmlElement, central: boolean) => {
    const read = { ...site(s, central), key: `site#${d.sites.length}` };
    d.sites.push(read);
    return read;
  };
  for (const s of findAll(partial, 'CentralSite')) {
    const central = add(s, true);
    for (const part of s.children) {
      if (isNamed(part, 'Clusters')) readClusters(part, central.key, d);
      if (isNamed(part, 'RemoteSites')) {
        for (const r of findAll(part, 'RemoteSite')) readClusters(r, add(r, false).key, d);
      }
    }
  }

  const services = findFirst(partial, 'Services');
  for (const s of services ? childrenNamed(services, 'Service') : []) {
    const key = guid(attr(s, 'UniqueId'));
    const roleName = nonEmpty(attr(s, 'RoleName'));
    if (!key || !roleName) {
      d.warnings.push(`Service at line ${s.line} has no ${key ? 'RoleName' : 'UniqueId'}; ignored.`);
      continue;
    }
    const deps = child(s, 'DependsOn');
    d.services.push(rawService(s, key, roleName, guid(attr(s, 'InstalledOn')), deps ? findAll(deps, 'Dependency').map((x) => guid(attr(x, 'ServiceUniqueId'))) : []));
  }
  return d;
}

function readClusters(scope: XmlElement, siteKey: string, d: RawDeployment): void {
  for (const c of findAll(scope, 'Cluster')) {
    const key = guid(attr(c, 'UniqueId'));
    const fqdn = nonEmpty(attr(c, 'Fqdn'));
    if (!key || !fqdn) {
      d.warnings.push(`Cluster at line ${c.line} has no ${fqdn ? 'UniqueId' : 'Fqdn'}; ignored.`);
      continue;
    }
    const single = attr(c, 'IsSingleMachineOnly');
    d.clusters.push({
      key,
      fqdn,
      siteId: siteKey,
      machines: findAll(c, 'Machine').map((m) => attr(m, 'Fqdn')?.trim() ?? ''),
      singleMachineOnly: single === undefined ? undefined : isTrue(single),
      line: c.line,
      column: c.column,
    });
    for (const s of findAll(c, 'SqlInstance')) {
      const sk = guid(attr(s, 'UniqueId'));
      if (!sk) {
        d.warnings.push(`SqlInstance at line ${s.line} has no UniqueId; ignored.`);
        continue;
      }
      const ao = alwaysOnFacts(s);
      d.sqlInstances.push({
        key: sk,
        clusterKey: key,
        name: (attr(s, 'Name') ?? '').trim(),
        alwaysOn: ao.alwaysOn,
        alwaysOnNodes: ao.nodes,
        line: s.line,
        column: s.column,
      });
    }
  }
}

/** GUIDs compare case-insensitively and may be written with braces. */
function guid(v: string | undefined): string | undefined {
  const t = v?.trim().replace(/^\{|\}$/g, '').toLowerCase();
  return t ? t : undefined;
}
