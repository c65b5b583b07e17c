import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { FQDN, PORT } from '../lib/cmdlet/validators.js';
import { fileStoreIdentity, findFileStore, findPersistentChatPool, findSqlStore, normalizeFqdn, sqlStoreIdentity, type PersistentChatPool } from '../lib/topology/model.js';
import { changeTopology } from '../lib/topology/edit.js';
import { fileStoreNotFound, persistentChatPoolNotFound, sqlStoreNotFound } from '../lib/topology/not-found.js';
import { validatePoolChange } from '../lib/topology/rules/index.js';
import { persistentChatPoolView, POOL_OUTPUTS } from '../lib/topology/views.js';
import { SETUP_POOL } from '../lib/help/example-setups.js';

interface Params {
  Identity: string;
  DisplayName?: string;
  Port?: number;
  Computer?: string[];
  NextHopPool?: string;
  EnableCompliance?: boolean;
  EnableDisasterRecovery?: boolean;
  SqlStore?: string;
  ComplianceSqlStore?: string;
  BackupSqlStore?: string;
  BackupComplianceSqlStore?: string;
  FileStore?: string;
  PassThru?: boolean;
}

const STORE_PARAMS = [
  ['SqlStore', 'sqlStore'],
  ['ComplianceSqlStore', 'complianceSqlStore'],
  ['BackupSqlStore', 'backupSqlStore'],
  ['BackupComplianceSqlStore', 'backupComplianceSqlStore'],
] as const;

export default {
  name: 'Set-PersistentChatPool',
  synopsis: 'Changes the properties of a Persistent Chat pool in the draft topology (Edit Properties).',
  description:
    'Changes what Topology Builder\'s Edit Properties of a pool changes: display name, port, computers, compliance and its store, disaster recovery and the backup stores, the SQL store, the file store and the next hop. A single-computer pool (or one collocated with a Standard Edition server) can never be grown: remove it and define a multiple-computer pool instead. Site affinity is changed with Set-PersistentChatPoolSiteAffinity. The change is refused, and nothing is written, when it breaks a topology rule (exit 3).',
  parameters: [
    { name: 'Identity', type: 'string', mandatory: true, position: 0, ...FQDN, valueFromPipelineByPropertyName: true, pipelineProperties: ['Fqdn'], help: 'The pool FQDN.' },
    { name: 'DisplayName', type: 'string', validatePattern: { regex: /^.{1,256}$/s, description: 'a display name of 1-256 characters' }, help: 'A new display name.' },
    { name: 'Port', type: 'int', ...PORT, help: 'A new Persistent Chat port.' },
    { name: 'Computer', type: 'string[]', ...FQDN, help: 'The complete new list of computers (multiple-computer pools).' },
    { name: 'NextHopPool', type: 'string', ...FQDN, help: 'A new next-hop Front End pool or Standard Edition server.' },
    { name: 'EnableCompliance', type: 'switch', help: 'Turns compliance on (-EnableCompliance) or off (-EnableCompliance:false).' },
    { name: 'EnableDisasterRecovery', type: 'switch', help: 'Turns the use of backup SQL stores on or off.' },
    { name: 'SqlStore', type: 'string', help: 'A new SQL store, by identity.' },
    { name: 'ComplianceSqlStore', type: 'string', help: 'A new compliance SQL store, by identity.' },
    { name: 'BackupSqlStore', type: 'string', help: 'A new backup SQL store, by identity.' },
    { name: 'BackupComplianceSqlStore', type: 'string', help: 'A new backup compliance SQL store, by identity.' },
    { name: 'FileStore', type: 'string', help: 'A new file store, by identity.' },
    { name: 'PassThru', type: 'switch', help: 'Returns the changed pool.' },
  ],
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  outputType: 'PersistentChatPool (with -PassThru)',
  outputs: POOL_OUTPUTS,
  examples: [
    { title: 'Rename and move to another port', code: 'pchat Set-PersistentChatPool -Identity pchatpool.contoso.com -DisplayName "Redmond rooms" -Port 5042 -PassThru', remarks: 'Without -PassThru nothing is written to stdout.', setup: SETUP_POOL },
    { title: 'Add a third computer', code: 'pchat Set-PersistentChatPool pchatpool.contoso.com -Computer pchat01.contoso.com,pchat02.contoso.com,pchat03.contoso.com', remarks: 'Refused for a single-computer pool.' },
  ],
  async process(p: Params, ctx) {
    const fqdn = normalizeFqdn(p.Identity);
    let pair: { before: PersistentChatPool; after: PersistentChatPool } | undefined;
    const r = await changeTopology(
      ctx,
      fqdn,
      'Change Persistent Chat pool',
      (t) => {
        const pool = findPersistentChatPool(t, fqdn);
        if (!pool) throw persistentChatPoolNotFound(fqdn, t);
        const before = structuredClone(pool);
        if (p.DisplayName !== undefined) pool.displayName = p.DisplayName;
        if (p.Port !== undefined) pool.port = p.Port;
        if (p.Computer !== undefined) pool.computers = p.Computer.map(normalizeFqdn);
        if (p.NextHopPool !== undefined) pool.nextHopPool = normalizeFqdn(p.NextHopPool);
        if (p.EnableCompliance !== undefined) pool.enableCompliance = p.EnableCompliance;
        if (p.EnableDisasterRecovery !== undefined) pool.enableDisasterRecovery = p.EnableDisasterRecovery;
        for (const [param, field] of STORE_PARAMS) {
          const id = p[param];
          if (id === undefined) continue;
          const s = findSqlStore(t, id);
          if (!s) throw sqlStoreNotFound(id, { inline: false, parameter: param }, t);
          pool[field] = sqlStoreIdentity(s);
        }
        if (p.FileStore !== undefined) {
          const f = findFileStore(t, p.FileStore);
          if (!f) throw fileStoreNotFound(p.FileStore, { inline: false }, t);
          pool.fileStore = fileStoreIdentity(f);
        }
        pair = { before, after: pool };
        return persistentChatPoolView(t, pool);
      },
      { extraChecks: (_b, after) => (pair ? validatePoolChange(after, pair.before, pair.after) : []) },
    );
    if (r && !r.changed) ctx.writeVerbose(`${fqdn} already had these settings; nothing changed (the draft stays at revision ${r.draft.revision}).`);
    if (p.PassThru) return r?.result;
  },
} satisfies CmdletDefinition;
