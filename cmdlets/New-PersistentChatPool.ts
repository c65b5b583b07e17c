import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { ErrorRecord } from '../lib/cmdlet/errors.js';
import { FQDN, fqdnWithPart, PORT, SHARE_NAME, SQL_INSTANCE } from '../lib/cmdlet/validators.js';
import { DEFAULT_PCHAT_PORT, fileStoreIdentity, findFileStore, findPersistentChatPool, findSite, findSqlStore, normalizeFqdn, sqlStoreIdentity, type PersistentChatPool, type Topology } from '../lib/topology/model.js';
import { changeTopology } from '../lib/topology/edit.js';
import { addFileStore, addSqlStore } from '../lib/topology/stores.js';
import { fileStoreNotFound, siteNotFound, sqlStoreNotFound } from '../lib/topology/not-found.js';
import { persistentChatPoolView, POOL_OUTPUTS } from '../lib/topology/views.js';
import { SETUP_TOPOLOGY } from '../lib/help/example-setups.js';
import { makeDefault } from '../lib/topology/affinity.js';

interface Params {
  Fqdn: string;
  Site: string;
  Computer?: string[];
  SingleComputer?: boolean;
  DisplayName: string;
  Port: number;
  NextHopPool: string;
  EnableCompliance?: boolean;
  EnableDisasterRecovery?: boolean;
  DefaultForSite?: boolean;
  DefaultForAllSites?: boolean;
  SqlStore?: string;
  SqlServerFqdn?: string;
  SqlInstance?: string;
  ComplianceSqlStore?: string;
  ComplianceSqlServerFqdn?: string;
  ComplianceSqlInstance?: string;
  BackupSqlStore?: string;
  BackupComplianceSqlStore?: string;
  FileStore?: string;
  FileServerFqdn?: string;
  FileShare?: string;
}

/** A store given by identity must exist; one given inline is defined (or an identical one reused). */
function sqlStoreFrom(t: Topology, identity: string | undefined, fqdn: string | undefined, instance: string | undefined, what: string): string | undefined {
  if (identity && fqdn) throw conflict(`-${what}SqlStore`, `-${what}SqlServerFqdn`);
  if (identity) {
    const s = findSqlStore(t, identity);
    if (!s) throw sqlStoreNotFound(identity, { parameter: `${what}SqlStore` }, t);
    return sqlStoreIdentity(s);
  }
  if (fqdn) return addSqlStore(t, { sqlServerFqdn: fqdn, sqlInstance: instance }, { reuse: true });
  return undefined;
}

function conflict(a: string, b: string): ErrorRecord {
  return new ErrorRecord({ errorId: 'ConflictingParameters', category: 'InvalidArgument', target: `${a} ${b}`, message: `${a} and ${b} cannot be used together.`, recommendedAction: `Give the store by identity (${a}) or define it inline (${b}), not both.`, exitCode: 2 });
}

export default {
  name: 'New-PersistentChatPool',
  synopsis: 'Defines a Persistent Chat pool in the draft topology, with every field of the Topology Builder wizard.',
  description:
    'Adds a Persistent Chat pool as the "New Persistent Chat Pool" wizard does: pool FQDN and type (single computer, whose FQDN is the pool FQDN and which can never be grown, or multiple computers), its computers, display name, port (default 5041), compliance, disaster recovery with backup SQL stores, site affinity, the SQL store for chat content, the compliance store, the file store and the next-hop Front End pool. Stores are given by identity (-SqlStore, -ComplianceSqlStore, -BackupSqlStore, -FileStore) or defined inline like the wizard\'s New button (-SqlServerFqdn/-SqlInstance, -ComplianceSqlServerFqdn/-ComplianceSqlInstance, -FileServerFqdn/-FileShare). The change is refused, and nothing is written, when it breaks a topology rule (exit 3) or refers to something missing.',
  parameters: [
    { name: 'Fqdn', type: 'string', mandatory: true, position: 0, ...FQDN, help: 'The pool FQDN. A single-computer pool: the computer\'s FQDN.' },
    { name: 'Site', type: 'string', mandatory: true, help: 'The site the pool belongs to.' },
    { name: 'Computer', type: 'string[]', ...FQDN, help: 'The computers of a multiple-computer pool (comma-separated FQDNs; at most 8, 4 active).' },
    { name: 'SingleComputer', type: 'switch', help: 'A single-computer pool: its one computer is the pool FQDN. It can never be grown.' },
    { name: 'DisplayName', type: 'string', mandatory: true, validatePattern: { regex: /^.{1,256}$/s, description: 'a display name of 1-256 characters' }, help: 'A friendly name that custom clients show to tell pools apart.' },
    { name: 'Port', type: 'int', ...PORT, default: DEFAULT_PCHAT_PORT, help: 'The port the pool listens on for traffic from the Front End servers.' },
    { name: 'NextHopPool', type: 'string', mandatory: true, ...FQDN, help: 'The Front End pool or Standard Edition server that routes requests to this pool.' },
    { name: 'EnableCompliance', type: 'switch', help: 'Installs the Compliance service; needs a compliance SQL store.' },
    { name: 'EnableDisasterRecovery', type: 'switch', help: 'Uses backup SQL stores (multiple-computer pools only); needs -BackupSqlStore.' },
    { name: 'DefaultForSite', type: 'switch', help: 'Makes this pool the default of its site; a pool that was the default loses the flag (a warning says which), as with Set-PersistentChatPoolSiteAffinity -DefaultForSite. Default: on for the first pool of a site (-DefaultForSite:false to leave the site without a default).' },
    { name: 'DefaultForAllSites', type: 'switch', help: 'Makes this pool the default for all sites (topologies with more than one site); a pool that was the default for all sites loses the flag (a warning says which).' },
    { name: 'SqlStore', type: 'string', help: 'The SQL store for chat content, by identity (fqdn or fqdn\\INSTANCE).' },
    { name: 'SqlServerFqdn', type: 'string', ...fqdnWithPart('SqlServerFqdn', 'SqlInstance'), help: 'Defines the SQL store inline: its host FQDN.' },
    { name: 'SqlInstance', type: 'string', ...SQL_INSTANCE, help: 'With -SqlServerFqdn: the named instance (default instance when omitted).' },
    { name: 'ComplianceSqlStore', type: 'string', help: 'The compliance SQL store, by identity.' },
    { name: 'ComplianceSqlServerFqdn', type: 'string', ...fqdnWithPart('ComplianceSqlServerFqdn', 'ComplianceSqlInstance'), help: 'Defines the compliance SQL store inline.' },
    { name: 'ComplianceSqlInstance', type: 'string', ...SQL_INSTANCE, help: 'With -ComplianceSqlServerFqdn: the named instance.' },
    { name: 'BackupSqlStore', type: 'string', help: 'The backup SQL store for disaster recovery (log shipping target), by identity.' },
    { name: 'BackupComplianceSqlStore', type: 'string', help: 'The backup compliance SQL store, by identity.' },
    { name: 'FileStore', type: 'string', help: 'The file store, by identity (\\\\server\\share or a local path).' },
    { name: 'FileServerFqdn', type: 'string', ...fqdnWithPart('FileServerFqdn', 'FileShare'), help: 'Defines the file store inline: the file server FQDN.' },
    { name: 'FileShare', type: 'string', ...SHARE_NAME, help: 'With -FileServerFqdn: the share name.' },
  ],
  supportsShouldProcess: true,
  confirmImpact: 'Low',
  outputType: 'PersistentChatPool',
  outputs: POOL_OUTPUTS,
  examples: [
    {
      title: 'Several computers, compliance, stores defined inline',
      code: 'pchat New-PersistentChatPool -Fqdn pchatpool.contoso.com -Site Redmond -Computer pchat01.contoso.com,pchat02.contoso.com -DisplayName "Redmond chat" -NextHopPool fepool.contoso.com -SqlServerFqdn sql01.contoso.com -SqlInstance PCHAT -EnableCompliance -ComplianceSqlServerFqdn sql01.contoso.com -ComplianceSqlInstance PCHAT -FileServerFqdn fs01.contoso.com -FileShare pchat -DefaultForSite',
      remarks: 'Defines the SQL store sql01.contoso.com\\PCHAT and the file store \\\\fs01.contoso.com\\pchat when they are not defined yet. The site and the next-hop Front End pool must exist.',
      setup: SETUP_TOPOLOGY,
    },
    {
      title: 'A single-computer pool on a Standard Edition server',
      code: 'pchat New-PersistentChatPool -Fqdn se01.contoso.com -Site Redmond -SingleComputer -DisplayName Chat -NextHopPool se01.contoso.com -SqlStore \'se01.contoso.com\\RTC\' -FileStore \'\\\\se01.contoso.com\\share\'',
      remarks: 'The pool FQDN is the server\'s FQDN; the pool can never receive more computers. Stores given by identity must be defined first (New-SqlStore, New-FileStore); the Standard Edition server too.',
      setup: 'pchat New-FrontEndPool -Fqdn se01.contoso.com -Site Redmond -Edition Standard && pchat New-SqlStore -SqlServerFqdn se01.contoso.com -SqlInstance RTC && pchat New-FileStore -FileServerFqdn se01.contoso.com -FileShare share',
    },
  ],
  async process(p: Params, ctx) {
    const fqdn = normalizeFqdn(p.Fqdn);
    if (p.SingleComputer && p.Computer && p.Computer.length > 1) {
      throw new ErrorRecord({ errorId: 'SingleComputerPoolTooManyComputers', category: 'InvalidArgument', target: fqdn, message: `A single-computer pool has exactly one computer; ${p.Computer.length} were given (${p.Computer.join(', ')}).`, recommendedAction: 'Drop -SingleComputer to define a multiple-computer pool, or give one computer whose FQDN is the pool FQDN.', exitCode: 2 });
    }
    if (p.FileStore && p.FileServerFqdn) throw conflict('-FileStore', '-FileServerFqdn');
    if (p.FileServerFqdn && !p.FileShare) throw new ErrorRecord({ errorId: 'MissingFileShare', category: 'InvalidArgument', target: p.FileServerFqdn, message: '-FileServerFqdn needs -FileShare (the share name).', recommendedAction: 'Add -FileShare <share>.', exitCode: 2 });
    const r = await changeTopology(ctx, fqdn, 'Add Persistent Chat pool', (t) => {
      const site = findSite(t, p.Site);
      if (!site) throw siteNotFound(p.Site, t);
      if (findPersistentChatPool(t, fqdn)) {
        throw new ErrorRecord({ errorId: 'PersistentChatPoolAlreadyExists', category: 'ResourceExists', target: fqdn, message: `The Persistent Chat pool '${fqdn}' already exists.`, recommendedAction: `Change it with Set-PersistentChatPool -Identity ${fqdn}, or remove it first.` });
      }
      const sqlStore = sqlStoreFrom(t, p.SqlStore, p.SqlServerFqdn, p.SqlInstance, '');
      const complianceSqlStore = sqlStoreFrom(t, p.ComplianceSqlStore, p.ComplianceSqlServerFqdn, p.ComplianceSqlInstance, 'Compliance');
      const backupSqlStore = sqlStoreFrom(t, p.BackupSqlStore, undefined, undefined, 'Backup');
      const backupComplianceSqlStore = sqlStoreFrom(t, p.BackupComplianceSqlStore, undefined, undefined, 'BackupCompliance');
      let fileStore = '';
      if (p.FileStore) {
        const f = findFileStore(t, p.FileStore);
        if (!f) throw fileStoreNotFound(p.FileStore, {}, t);
        fileStore = fileStoreIdentity(f);
      } else if (p.FileServerFqdn) {
        fileStore = addFileStore(t, { fileServerFqdn: p.FileServerFqdn, share: p.FileShare }, { reuse: true });
      }
      const pool: PersistentChatPool = {
        fqdn,
        site: site.name,
        computerType: p.SingleComputer ? 'Single' : 'Multiple',
        computers: (p.SingleComputer ? p.Computer ?? [fqdn] : p.Computer ?? []).map(normalizeFqdn),
        displayName: p.DisplayName,
        port: p.Port,
        instance: Math.max(0, ...t.persistentChatPools.filter((x) => x.site === site.name).map((x) => x.instance)) + 1,
        enableCompliance: !!p.EnableCompliance,
        enableDisasterRecovery: !!p.EnableDisasterRecovery || !!backupSqlStore,
        // Like the wizard, the first pool of a site becomes its default unless -DefaultForSite:false says otherwise.
        defaultForSite: ctx.bound.has('DefaultForSite') ? !!p.DefaultForSite : !t.persistentChatPools.some((x) => x.site === site.name && x.defaultForSite),
        defaultForAllSites: !!p.DefaultForAllSites,
        sqlStore: sqlStore ?? '',
        complianceSqlStore,
        backupSqlStore,
        backupComplianceSqlStore,
        fileStore,
        nextHopPool: normalizeFqdn(p.NextHopPool),
      };
      for (const k of Object.keys(pool) as (keyof PersistentChatPool)[]) if (pool[k] === undefined) delete pool[k];
      t.persistentChatPools.push(pool);
      // As Set-PersistentChatPoolSiteAffinity does: an explicit default takes the flag from the pool that had it.
      const moved = [...(pool.defaultForSite ? makeDefault(t, pool, 'site') : []), ...(pool.defaultForAllSites ? makeDefault(t, pool, 'all') : [])].filter((c) => !c.startsWith(`${fqdn} `));
      return { view: persistentChatPoolView(t, pool), moved };
    }, { newPersistentChatPool: fqdn });
    if (r?.changed) for (const m of r.result.moved) ctx.writeWarning(`${m}: ${fqdn} takes its place.`);
    return r?.result.view;
  },
} satisfies CmdletDefinition;
