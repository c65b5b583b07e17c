// The output shapes of topology objects: PascalCase properties and typeable identities,
// as PowerShell objects are. One place, so every command prints an object the same way.
import {
  fileStoreIdentity,
  frontEndProduct,
  persistentChatFolderName,
  sqlStoreIdentity,
  type FileStore,
  type FrontEndPool,
  type PersistentChatPool,
  type Site,
  type SqlStore,
  type Topology,
} from './model.js';

export function siteView(s: Site) {
  return { Name: s.name, SiteId: s.siteId, City: s.city ?? '', State: s.state ?? '', CountryCode: s.countryCode ?? '' };
}

export function frontEndPoolView(t: Topology, p: FrontEndPool) {
  return { Fqdn: p.fqdn, Site: p.site, Edition: p.edition, Product: frontEndProduct(t, p), Computers: p.computers, BackEndSqlStore: p.backEndSqlStore ?? '' };
}

export function sqlStoreView(s: SqlStore) {
  return {
    Identity: sqlStoreIdentity(s),
    SqlServerFqdn: s.sqlServerFqdn,
    SqlInstance: s.sqlInstance ?? '',
    Port: s.port ?? null,
    Mirror: s.mirror ?? '',
    Witness: s.witness ?? '',
    MirroringPort: s.mirroringPort ?? null,
    AlwaysOn: !!s.alwaysOn,
  };
}

export function fileStoreView(f: FileStore) {
  return { Identity: fileStoreIdentity(f), FileServerFqdn: f.fileServerFqdn ?? '', Share: f.share ?? '', Path: f.path ?? '' };
}

export function persistentChatPoolView(t: Topology, p: PersistentChatPool) {
  return {
    Fqdn: p.fqdn,
    Site: p.site,
    ComputerType: p.computerType,
    Computers: p.computers,
    DisplayName: p.displayName,
    Port: p.port,
    EnableCompliance: p.enableCompliance,
    EnableDisasterRecovery: p.enableDisasterRecovery,
    DefaultForSite: p.defaultForSite,
    DefaultForAllSites: p.defaultForAllSites,
    SqlStore: p.sqlStore,
    ComplianceSqlStore: p.complianceSqlStore ?? '',
    BackupSqlStore: p.backupSqlStore ?? '',
    BackupComplianceSqlStore: p.backupComplianceSqlStore ?? '',
    FileStore: p.fileStore,
    FileStoreFolder: persistentChatFolderName(t, p),
    NextHopPool: p.nextHopPool,
  };
}

export const POOL_OUTPUTS = [
  { name: 'Fqdn', description: 'The pool FQDN (its identity).' },
  { name: 'Site', description: 'The site name.' },
  { name: 'ComputerType', description: 'Single or Multiple.' },
  { name: 'Computers', description: 'The computer FQDNs.' },
  { name: 'DisplayName', description: 'The display name.' },
  { name: 'Port', description: 'The Persistent Chat port (default 5041).' },
  { name: 'EnableCompliance', description: 'Whether the Compliance service is on.' },
  { name: 'EnableDisasterRecovery', description: 'Whether backup SQL stores are used.' },
  { name: 'DefaultForSite / DefaultForAllSites', description: 'Site affinity.' },
  { name: 'SqlStore, ComplianceSqlStore, BackupSqlStore, BackupComplianceSqlStore', description: 'Store identities (fqdn or fqdn\\INSTANCE).' },
  { name: 'FileStore, FileStoreFolder', description: 'The file store (\\\\server\\share or a local path) and the pool\'s folder in it.' },
  { name: 'NextHopPool', description: 'The Front End pool or Standard Edition server that routes to this pool.' },
];
