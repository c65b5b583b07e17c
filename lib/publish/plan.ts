// The publish plan: what Publish-Topology will do, in order, computed from the draft and the last
// published revision. Pure: no I/O. Every step is idempotent and re-checks its own precondition when
// applied, so a run that was interrupted completes on the next run without repeating finished work.
import { storePlan, type StorePlan } from '../topology/placement.js';
import {
  findSqlStore,
  parseUncPath,
  persistentChatFolderName,
  sqlStoreIdentity,
  type PersistentChatPool,
  type Product,
  type Topology,
} from '../topology/model.js';
import { compareTopologies, type TopologyChange } from '../topology/diff.js';

/** Every kind of step publish takes; each has its preconditions' checks in preconditions.ts. */
export const STEP_KINDS = ['CreateFolder', 'SetFolderPermissions', 'CreateDatabase', 'BackupPublishedRevision', 'WritePublishedRevision'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export interface PlanStep {
  kind: StepKind;
  /** The ShouldProcess action text ("What if: Performing the operation <action> on target <target>"). */
  action: string;
  target: string;
  pool?: string;
  file?: { server: string; share: string; folder: string };
  sql?: { store: string; server: string; instance: string | null; port?: number; database: 'mgc' | 'mgccomp' };
}

export interface SqlProbeNeed {
  store: string;
  server: string;
  instance: string | null;
  port?: number;
  /** What the store must offer (lib/topology/placement.ts), with needCreate set by the plan. */
  expect: StorePlan['expect'];
}

export interface FileProbeNeed {
  store: string;
  server: string;
  share: string;
  /** The pool folders publish creates (or finds) in this share and sets the policy on. */
  folders: string[];
}

export interface PublishPlan {
  fromRevision: number;
  toRevision: number;
  changes: TopologyChange[];
  steps: PlanStep[];
  sqlProbes: SqlProbeNeed[];
  fileProbes: FileProbeNeed[];
  /** Names that must resolve in DNS before publishing (rule 24): pools and computers of new or changed pools. */
  dnsNames: string[];
  todo: string[];
}

function poolChanged(p: PersistentChatPool, published: Topology | undefined): boolean {
  const old = published?.persistentChatPools.find((x) => x.fqdn === p.fqdn);
  return !old || JSON.stringify(old) !== JSON.stringify(p);
}

export function planPublish(
  draft: Topology,
  published: { revision: number; topology: Topology } | undefined,
  opts: {
    skipDatabase?: boolean;
    /** The file store policy in force, as its action text names it (policy.ts describePolicy). */
    policy?: string;
    /** Whether that policy is a file's (-PolicyFile), not the built-in table. */
    policyIsFile?: boolean;
  } = {},
): PublishPlan {
  const steps: PlanStep[] = [];
  const todo: string[] = [];
  const sql = new Map<string, SqlProbeNeed>();
  const files = new Map<string, FileProbeNeed>();
  const dns = new Set<string>();
  const changes = compareTopologies(published?.topology, draft);

  const needSql = (storeId: string, database: 'mgc' | 'mgccomp', pool: PersistentChatPool) => {
    const store = findSqlStore(draft, storeId);
    if (!store) return;
    const id = sqlStoreIdentity(store);
    // -SkipDatabase: a store that gets no database from this run does not gate it, so it is not probed.
    if (!opts.skipDatabase && !sql.has(id)) {
      const expect = { ...storePlan(draft, id, undefined, published?.topology).expect, needCreate: true };
      sql.set(id, { store: id, server: store.sqlServerFqdn, instance: store.sqlInstance ?? null, port: store.port, expect });
    }
    if (opts.skipDatabase) {
      todo.push(`Have a DBA create the ${database} database of ${pool.fqdn} on ${id} (Install-CsDatabase -DatabaseType ${database === 'mgc' ? 'PersistentChat' : 'PersistentChatCompliance'} -SqlServerFqdn ${store.sqlServerFqdn}${store.sqlInstance ? ` -SqlInstanceName ${store.sqlInstance}` : ''}).`);
    } else {
      steps.push({ kind: 'CreateDatabase', action: `Create database ${database}`, target: id, pool: pool.fqdn, sql: { store: id, server: store.sqlServerFqdn, instance: store.sqlInstance ?? null, port: store.port, database } });
    }
    if (store.mirror) todo.push(`Set up mirroring of ${database} from ${id} to ${store.mirror}${store.witness ? ` with witness ${store.witness}` : ''}: Install-CsMirrorDatabase -DatabaseType ${database === 'mgc' ? 'PersistentChat' : 'PersistentChatCompliance'} -SqlServerFqdn ${store.sqlServerFqdn} -FileShare <share for the mirror backup>.`);
  };

  for (const pool of draft.persistentChatPools) {
    const changed = poolChanged(pool, published?.topology);
    if (changed) {
      dns.add(pool.fqdn);
      pool.computers.forEach((c) => dns.add(c));
    }
    const folder = persistentChatFolderName(draft, pool);
    const unc = parseUncPath(pool.fileStore);
    if (unc) {
      const share = `\\\\${unc.fileServerFqdn}\\${unc.share}`;
      const need = files.get(share) ?? { store: share, server: unc.fileServerFqdn, share: unc.share, folders: [] };
      if (!need.folders.includes(folder)) need.folders.push(folder);
      files.set(share, need);
      const file = { server: unc.fileServerFqdn, share: unc.share, folder };
      // Every publish re-applies the folder permissions, as Topology Builder does, so drift is repaired.
      steps.push({ kind: 'CreateFolder', action: `Create folder ${folder}`, target: share, pool: pool.fqdn, file });
      // The action names the policy, so -WhatIf and the result's steps say which table publish sets.
      steps.push({ kind: 'SetFolderPermissions', action: `Set permissions on ${folder} to ${opts.policy ?? 'the file store policy'}`, target: `${share}\\${folder}`, pool: pool.fqdn, file });
    } else if (pool.fileStore) {
      // Publish cannot reach a local folder; the to-do names the same policy it would set on a share's folder.
      todo.push(
        opts.policyIsFile
          ? `Create the local folder ${pool.fileStore}\\${folder} on ${pool.fqdn} and give it the ACEs of ${opts.policy}, as publish sets them on a share's pool folder.`
          : `Create the local folder ${pool.fileStore}\\${folder} on ${pool.fqdn} and grant Modify to RTCHSUniversalServices, RTCComponentUniversalServices and RTCUniversalServerAdmins.`,
      );
    }
    needSql(pool.sqlStore, 'mgc', pool);
    if (pool.enableCompliance && pool.complianceSqlStore) needSql(pool.complianceSqlStore, 'mgccomp', pool);
    if (pool.enableDisasterRecovery && pool.backupSqlStore) {
      todo.push(`Configure SQL Server log shipping of mgc from ${pool.sqlStore} to the backup store ${pool.backupSqlStore} (SQL Server Management Studio), for ${pool.fqdn}.`);
      if (pool.enableCompliance && pool.backupComplianceSqlStore) todo.push(`Configure log shipping of mgccomp from ${pool.complianceSqlStore} to ${pool.backupComplianceSqlStore}, for ${pool.fqdn}.`);
    }
    if (changed) todo.push(`Install the Persistent Chat components on ${pool.computers.join(', ')} with the Deployment Wizard (local configuration store, components, certificates, start services).`);
  }
  for (const c of changes.filter((x) => x.ObjectType === 'PersistentChatPool' && x.Change === 'Removed')) {
    todo.push(`Uninstall the Persistent Chat components from the computers of ${c.Identity}; its databases and files were kept.`);
  }

  const fromRevision = published?.revision ?? 0;
  const toRevision = fromRevision + 1;
  if (changes.length) {
    if (published) steps.push({ kind: 'BackupPublishedRevision', action: `Back up published revision ${fromRevision}`, target: 'repository' });
    steps.push({ kind: 'WritePublishedRevision', action: `Publish topology revision ${toRevision}`, target: 'repository' });
  }
  return {
    fromRevision,
    toRevision: changes.length ? toRevision : fromRevision,
    changes,
    steps,
    sqlProbes: [...sql.values()],
    fileProbes: [...files.values()],
    dnsNames: [...dns],
    todo,
  };
}
