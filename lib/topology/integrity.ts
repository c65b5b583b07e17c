// The document's integrity: every reference points at an object that exists, and no identity is
// used twice. The repository refuses to write a document that breaks it (rules, by contrast,
// judge a well-formed document).
import {
  fileStoreIdentity,
  normalizeFqdn,
  parseSqlStoreIdentity,
  parseUncPath,
  sqlStoreIdentity,
  type Topology,
} from './model.js';

export interface IntegrityProblem {
  target: string;
  message: string;
}

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids.map((i) => i.toLowerCase())) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

export function checkIntegrity(t: Topology): IntegrityProblem[] {
  const out: IntegrityProblem[] = [];
  const dup = (kind: string, ids: string[]) => duplicates(ids).forEach((id) => out.push({ target: id, message: `${kind} '${id}' is defined more than once` }));
  dup('Site', t.sites.map((s) => s.name));
  dup('Site id', t.sites.map((s) => String(s.siteId)));
  dup('Front End pool', t.frontEndPools.map((p) => p.fqdn));
  dup('SQL store', t.sqlStores.map(sqlStoreIdentity));
  dup('File store', t.fileStores.map(fileStoreIdentity));
  dup('Persistent Chat pool', t.persistentChatPools.map((p) => p.fqdn));

  // Identity sets built once, matched as model.ts find* match (a linear find per reference made a
  // 2,000-pool document take half a second to save).
  const sites = new Set(t.sites.map((s) => s.name.toLowerCase()));
  const sqlIds = new Set(t.sqlStores.map(sqlStoreIdentity));
  const fileIds = new Set(t.fileStores.map((f) => fileStoreIdentity(f).toLowerCase()));
  const frontEnds = new Set(t.frontEndPools.map((p) => p.fqdn));
  const hasSqlStore = (id: string) => sqlIds.has(sqlStoreIdentity(parseSqlStoreIdentity(id)));
  const hasFileStore = (id: string) => {
    const unc = parseUncPath(id);
    return fileIds.has((unc ? fileStoreIdentity(unc) : id).toLowerCase());
  };

  const needSite = (owner: string, site: string) => {
    if (!sites.has(site.toLowerCase())) out.push({ target: owner, message: `${owner} refers to site '${site}', which does not exist` });
  };
  const needSql = (owner: string, role: string, id: string | undefined) => {
    if (id && !hasSqlStore(id)) out.push({ target: owner, message: `${owner} refers to ${role} SQL store '${id}', which does not exist` });
  };
  for (const p of t.frontEndPools) {
    needSite(p.fqdn, p.site);
    needSql(p.fqdn, 'back-end', p.backEndSqlStore);
  }
  for (const s of t.sqlStores) {
    const id = sqlStoreIdentity(s);
    needSql(id, 'mirror', s.mirror);
    needSql(id, 'witness', s.witness);
  }
  for (const p of t.persistentChatPools) {
    needSite(p.fqdn, p.site);
    needSql(p.fqdn, 'primary', p.sqlStore);
    needSql(p.fqdn, 'compliance', p.complianceSqlStore);
    needSql(p.fqdn, 'backup', p.backupSqlStore);
    needSql(p.fqdn, 'backup compliance', p.backupComplianceSqlStore);
    if (p.fileStore && !hasFileStore(p.fileStore)) out.push({ target: p.fqdn, message: `${p.fqdn} refers to file store '${p.fileStore}', which does not exist` });
    if (p.nextHopPool && !frontEnds.has(normalizeFqdn(p.nextHopPool))) {
      out.push({ target: p.fqdn, message: `${p.fqdn} uses '${p.nextHopPool}' as its next hop, which is not a Front End pool or Standard Edition server of the topology` });
    }
  }
  return out;
}
