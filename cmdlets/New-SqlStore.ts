import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { FQDN, fqdnWithPart, PORT, SQL_INSTANCE } from '../lib/cmdlet/validators.js';
import { DEFAULT_MIRRORING_PORT, DEFAULT_WITNESS_PORT, findSite, findSqlStore, sqlStoreIdentity } from '../lib/topology/model.js';
import { changeTopology } from '../lib/topology/edit.js';
import { addSqlStore } from '../lib/topology/stores.js';
import { siteNotFound } from '../lib/topology/not-found.js';
import { sqlStoreView } from '../lib/topology/views.js';

interface Params {
  SqlServerFqdn: string;
  SqlInstance?: string;
  Port?: number;
  MirrorSqlServerFqdn?: string;
  MirrorSqlInstance?: string;
  WitnessSqlServerFqdn?: string;
  WitnessSqlInstance?: string;
  MirroringPort?: number;
  Site?: string;
}

export default {
  name: 'New-SqlStore',
  synopsis: 'Defines a SQL Server store (an instance) for Persistent Chat databases, with optional mirroring.',
  description:
    'Defines a SQL Server store by FQDN and default or named instance, as the wizard\'s "Define New SQL Store" dialog does. With -MirrorSqlServerFqdn the store is mirrored (the mirror store is defined too when missing); with -WitnessSqlServerFqdn a mirroring witness enables automatic failover. Mirroring endpoint ports default to 5022 (principal and mirror) and 7022 (witness).',
  parameters: [
    { name: 'SqlServerFqdn', type: 'string', mandatory: true, position: 0, ...fqdnWithPart('SqlServerFqdn', 'SqlInstance'), help: 'The SQL Server host (or failover cluster) FQDN.' },
    { name: 'SqlInstance', type: 'string', ...SQL_INSTANCE, help: 'A named instance. Omit for the default instance.' },
    { name: 'Port', type: 'int', ...PORT, help: 'A fixed TCP port (otherwise 1433 for the default instance, or the SQL Browser for a named one).' },
    { name: 'MirrorSqlServerFqdn', type: 'string', ...fqdnWithPart('MirrorSqlServerFqdn', 'MirrorSqlInstance'), help: 'Enables mirroring: the mirror\'s host FQDN.' },
    { name: 'MirrorSqlInstance', type: 'string', ...SQL_INSTANCE, help: 'The mirror\'s named instance (default instance when omitted).' },
    { name: 'WitnessSqlServerFqdn', type: 'string', ...fqdnWithPart('WitnessSqlServerFqdn', 'WitnessSqlInstance'), help: 'A mirroring witness for automatic failover (needs a mirror).' },
    { name: 'WitnessSqlInstance', type: 'string', ...SQL_INSTANCE, help: 'The witness\'s named instance.' },
    { name: 'MirroringPort', type: 'int', ...PORT, help: 'The mirroring endpoint port of this store (default 5022).' },
    { name: 'Site', type: 'string', help: 'The site the store belongs to (informational).' },
  ],
  supportsShouldProcess: true,
  confirmImpact: 'Low',
  outputType: 'SqlStore',
  outputs: [
    { name: 'Identity', description: 'fqdn (default instance) or fqdn\\INSTANCE.' },
    { name: 'SqlServerFqdn, SqlInstance, Port', description: 'Where it is.' },
    { name: 'Mirror, Witness, MirroringPort', description: 'Mirroring, when enabled.' },
    { name: 'AlwaysOn', description: 'True when imported from an AlwaysOn availability group.' },
  ],
  examples: [
    { title: 'A named instance', code: 'pchat New-SqlStore -SqlServerFqdn sql01.contoso.com -SqlInstance PCHAT', remarks: 'Its identity is sql01.contoso.com\\PCHAT.', setup: 'pchat New-Topology' },
    { title: 'Mirrored, with a witness', code: 'pchat New-SqlStore -SqlServerFqdn sql02.contoso.com -SqlInstance PCHAT -MirrorSqlServerFqdn sql03.contoso.com -MirrorSqlInstance PCHAT -WitnessSqlServerFqdn sqlw.contoso.com', remarks: 'Defines three stores; the first is mirrored to the second, the third is the witness.' },
  ],
  async process(p: Params, ctx) {
    const r = await changeTopology(ctx, sqlStoreIdentity({ sqlServerFqdn: p.SqlServerFqdn, sqlInstance: p.SqlInstance }), 'Add SQL store', (t) => {
      if (p.Site && !findSite(t, p.Site)) throw siteNotFound(p.Site, t);
      const mirror = p.MirrorSqlServerFqdn ? { sqlServerFqdn: p.MirrorSqlServerFqdn, sqlInstance: p.MirrorSqlInstance, mirroringPort: DEFAULT_MIRRORING_PORT, site: p.Site } : undefined;
      const witness = p.WitnessSqlServerFqdn ? { sqlServerFqdn: p.WitnessSqlServerFqdn, sqlInstance: p.WitnessSqlInstance, mirroringPort: DEFAULT_WITNESS_PORT, site: p.Site } : undefined;
      // The principal first: a mirror or witness that names the principal itself is then that store, and
      // rule 16 says why it is refused (defined first, it made the new principal look like an existing store).
      const id = addSqlStore(t, { sqlServerFqdn: p.SqlServerFqdn, sqlInstance: p.SqlInstance, port: p.Port, mirror: mirror && sqlStoreIdentity(mirror), witness: witness && sqlStoreIdentity(witness), mirroringPort: p.MirroringPort ?? (mirror ? DEFAULT_MIRRORING_PORT : undefined), site: p.Site }, { reuse: false });
      for (const partner of [mirror, witness]) if (partner) addSqlStore(t, partner, { reuse: true });
      return sqlStoreView(findSqlStore(t, id)!);
    });
    return r?.result;
  },
} satisfies CmdletDefinition;
