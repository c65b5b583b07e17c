#!/usr/bin/env node
// Import benchmark (issue 6): a synthetic published-form topology (Get-CsTopology -AsXml shape) with
// 100 central sites, 500 clusters and 1,000 services, imported through the library in dist/.
// Prints the document size, the import time (first run and median of the next runs) and the peak
// memory of the process. Target: under 500 ms. Run `npx tsc -p .` first.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { importTopologyDocument } from '../dist/lib/topology/xml/index.js';

const SITES = 100;
const RUNS = 10;
const NS = 'urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008';
const SR = 'urn:schema:Microsoft.Rtc.Management.Deploy.ServiceRoles.2008';

function ports(n, base) {
  let s = `      <Ports xmlns="${SR}">\n`;
  for (let i = 0; i < n; i++) {
    s += `        <Port Owner="urn:component:C${i}" Usage="SipServer" InterfaceSide="Primary" InterfaceNumber="1" Port="${base + i}" Protocol="Mtls" UrlPath="/" AuthorizesRequests="true" GruuType="G${i}" />\n`;
  }
  return s + '      </Ports>\n';
}

function service(site, role, instance, installedOn, deps, extra = '', nPorts = 5) {
  const d = deps.map((r) => `        <Dependency Usage="Default"><ServiceId SiteId="${site}" RoleName="${r}" Instance="${instance}" /></Dependency>\n`).join('');
  return (
    `    <Service RoleVersion="1" ServiceVersion="7">\n      <ServiceId SiteId="${site}" RoleName="${role}" Instance="${instance}" />\n` +
    `      <DependsOn>\n${d}      </DependsOn>\n      <InstalledOn>${installedOn}</InstalledOn>\n${ports(nPorts, 5060)}${extra}    </Service>\n`
  );
}

/** Per site: 5 clusters (Front End pool, SQL host, file server, Edge pool, Office Web Apps) and 10 services. */
export function syntheticTopology(sites = SITES) {
  let siteXml = '';
  let clusters = '';
  let sql = '';
  let services = '';
  for (let s = 1; s <= sites; s++) {
    const dom = `site${s}.contoso.com`;
    siteXml += `    <CentralSite SiteId="${s}">\n      <Name>Site ${s}</Name>\n      <Location City="City ${s}" State="ST" CountryCode="US" />\n    </CentralSite>\n`;
    const cluster = (n, fqdn, machines) =>
      `    <Cluster RequiresReplication="true" RequiresSetup="true" Fqdn="${fqdn}">\n      <ClusterId SiteId="${s}" Number="${n}" />\n` +
      machines.map((m, i) => `      <Machine OrdinalInCluster="${i + 1}" Fqdn="${m}" FaultDomain="${m}" UpgradeDomain="${m}">\n        <NetInterface InterfaceSide="Primary" InterfaceNumber="1" IPAddress="0.0.0.0" />\n      </Machine>\n`).join('') +
      '    </Cluster>\n';
    clusters += cluster(1, `pool.${dom}`, [`fe1.${dom}`, `fe2.${dom}`, `fe3.${dom}`]);
    clusters += cluster(2, `sql.${dom}`, [`sql.${dom}`]);
    clusters += cluster(3, `fs.${dom}`, [`fs.${dom}`]);
    clusters += cluster(4, `edge.${dom}`, [`edge1.${dom}`, `edge2.${dom}`]);
    clusters += cluster(5, `wac.${dom}`, [`wac.${dom}`]);
    sql += `    <SqlInstance>\n      <SqlInstanceId Name=""><ClusterId SiteId="${s}" Number="2" /></SqlInstanceId>\n    </SqlInstance>\n`;
    sql += `    <SqlInstance>\n      <SqlInstanceId Name="PChat"><ClusterId SiteId="${s}" Number="2" /></SqlInstanceId>\n    </SqlInstance>\n`;
    const on = (n) => `<ClusterId SiteId="${s}" Number="${n}" />`;
    const onSql = (name) => `<SqlInstanceId Name="${name}"><ClusterId SiteId="${s}" Number="2" /></SqlInstanceId>`;
    services += service(s, 'UserServices', 1, on(1), ['UserStore', 'FileStore', 'ConfServices'], '', 3);
    services += service(s, 'Registrar', 1, on(1), ['UserServices', 'WebServices'], `      <RegistrarService xmlns="${SR}" IsDirector="false" />\n`, 10);
    services += service(s, 'UserStore', 1, onSql(''), [], '', 0);
    services += service(s, 'FileStore', 1, on(3), [], `      <FileStoreService xmlns="${SR}" ShareName="share${s}" />\n`, 0);
    services += service(s, 'WebServices', 1, on(1), ['FileStore', 'UserServices'], '', 13);
    services += service(s, 'ConfServices', 1, on(1), ['FileStore', 'WebServices', 'UserServices'], '', 11);
    services += service(s, 'ApplicationServer', 1, on(1), ['Registrar', 'FileStore'], '', 4);
    services += service(s, 'MonitoringStore', 1, onSql('PChat'), [], '', 0);
    services += service(s, 'EdgeServer', 1, on(4), ['Registrar'], '', 14);
    services += service(s, 'WacService', 1, on(5), [], `      <WacService xmlns="${SR}" DiscoveryUrl="https://wac.${dom}/hosting/discovery/" IsExternal="false" />\n`, 0);
  }
  return (
    `<Topology xmlns="${NS}" Signature="00000000-0000-0000-0000-000000000001">\n` +
    `  <InternalDomains AllowAllDomains="false" DefaultDomain="contoso.com">\n    <InternalDomain Name="contoso.com" Authoritative="false" AllowSubDomains="false" />\n  </InternalDomains>\n` +
    `  <Sites>\n${siteXml}  </Sites>\n  <Clusters>\n${clusters}  </Clusters>\n  <SqlInstances>\n${sql}  </SqlInstances>\n  <Services>\n${services}  </Services>\n</Topology>\n`
  );
}

const doc = syntheticTopology();
const count = (re) => (doc.match(re) ?? []).length;
const shape = { sites: count(/<CentralSite /g), clusters: count(/<Cluster /g), services: count(/<Service /g) };

// Wall time, and CPU time of the process (less sensitive to other load on a shared machine).
const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;
const rssBefore = maxRssMiB();
let rssAfterFirst = 0;
const times = [];
const cpuTimes = [];
let result;
for (let i = 0; i <= RUNS; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  result = importTopologyDocument(doc, 'synthetic.xml');
  times.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpuTimes.push((c.user + c.system) / 1000);
  if (i === 0) rssAfterFirst = maxRssMiB();
}
const t = result.topology;
const expect = { sites: SITES, frontEndPools: SITES, sqlStores: 2 * SITES, fileStores: SITES };
const got = { sites: t.sites.length, frontEndPools: t.frontEndPools.length, sqlStores: t.sqlStores.length, fileStores: t.fileStores.length };
if (JSON.stringify(got) !== JSON.stringify(expect)) {
  console.error(`import result is wrong: ${JSON.stringify(got)}, expected ${JSON.stringify(expect)}`);
  process.exit(1);
}

const first = times[0];
const medianOf = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const median = medianOf(times.slice(1));
const ms = (v) => `${v.toFixed(1)} ms`;
console.log(`document: ${shape.sites} sites, ${shape.clusters} clusters, ${shape.services} services, ${(Buffer.byteLength(doc) / 1024 / 1024).toFixed(2)} MiB`);
console.log(`imported: ${got.sites} sites, ${got.frontEndPools} Front End pools, ${got.sqlStores} SQL stores, ${got.fileStores} file stores, ${t.occupiedNames.length} occupied names`);
console.log(`import time: first ${ms(first)}, median of ${RUNS} more ${ms(median)} (target < 500 ms: ${first < 500 ? 'met' : 'MISSED'})`);
console.log(`CPU time: first ${ms(cpuTimes[0])}, median of ${RUNS} more ${ms(medianOf(cpuTimes.slice(1)))}`);
console.log(`machine: ${os.cpus().length} CPU(s), load average ${os.loadavg()[0].toFixed(1)} (timings scale with load)`);
console.log(
  `peak memory (max RSS): ${rssBefore.toFixed(1)} MiB with the document generated, ${rssAfterFirst.toFixed(1)} MiB after the first import, ${maxRssMiB().toFixed(1)} MiB after all ${RUNS + 1}`,
);
if (first >= 500) process.exitCode = 1;
