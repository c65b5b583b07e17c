// Rules about which SQL stores a pool uses and how stores are defined
// (domain.md 8, rules 12-16; wizard pages 1.3-1.6).
import { sqlStoreIdentity, type PersistentChatPool } from '../model.js';
import {
  checkStoreRef,
  finding,
  indexed,
  isValidFqdn,
  newSqlStore,
  poolTarget,
  redefinePool,
  resolveStore,
  setPool,
  storeRefIdentity,
  STORE_ROLE_LABEL,
  STORE_ROLE_PARAMETER,
  type Finding,
  type RuleDefinition,
  type StoreRole,
} from './common.js';

const isSet = (ref: string | undefined): ref is string => !!ref && ref.trim() !== '';

/** Stores set on a pool for an option that is off: kept in the document, ignored at publish. */
function ignoredStores(rule: number, p: PersistentChatPool, i: number, roles: StoreRole[], option: string, enable: string): Finding[] {
  const set = roles.filter((r) => isSet(p[r]));
  if (set.length === 0) return [];
  const list = set.map((r) => `${STORE_ROLE_LABEL[r]} ${storeRefIdentity(p[r]!)}`).join(', ');
  return [finding(rule, 'Warning', poolTarget(p, i), `${option} is disabled, so the pool's ${list} ${set.length === 1 ? 'is' : 'are'} ignored.`, `Nothing, if they are meant to be unused; otherwise enable ${option.toLowerCase()}: ${setPool(poolTarget(p, i), enable)}`)];
}

/** A backup store must be another instance than the store it backs up (DR to the same instance is no DR). */
function sameAsPrimary(rule: number, p: PersistentChatPool, i: number, backup: StoreRole, primary: StoreRole): Finding[] {
  if (!isSet(p[backup]) || !isSet(p[primary])) return [];
  if (storeRefIdentity(p[backup]!) !== storeRefIdentity(p[primary]!)) return [];
  return [finding(rule, 'Error', poolTarget(p, i), `The pool's ${STORE_ROLE_LABEL[backup]} is the same instance as its ${STORE_ROLE_LABEL[primary]} (${storeRefIdentity(p[primary]!)}).`, `Use a SQL instance in the second data center: ${setPool(poolTarget(p, i), `-${STORE_ROLE_PARAMETER[backup]} <sqlServerFqdn>[\\<instance>]`)}`)];
}

export const complianceStoreRule: RuleDefinition = {
  id: 12,
  title: 'Compliance enabled needs a compliance SQL store; disabled ignores compliance stores',
  severity: 'Error',
  meaning: 'With -EnableCompliance the pool names a compliance SQL store (database mgccomp).',
  check: indexed((t) => {
    return t.persistentChatPools.flatMap((p, i) => {
      if (!p.enableCompliance) return ignoredStores(12, p, i, ['complianceSqlStore', 'backupComplianceSqlStore'], 'Compliance', '-EnableCompliance');
      const bad = checkStoreRef(t, 12, p, i, 'complianceSqlStore', ' although compliance is enabled');
      return bad ? [bad] : [];
    });
  }),
};

export const disasterRecoveryPoolTypeRule: RuleDefinition = {
  id: 13,
  title: 'Disaster recovery only for multiple-computer pools',
  severity: 'Error',
  meaning: 'Backup SQL stores (disaster recovery) need a multiple-computer pool.',
  check: (t) =>
    t.persistentChatPools.flatMap((p, i) =>
      p.enableDisasterRecovery && p.computerType === 'Single'
        ? [finding(13, 'Error', poolTarget(p, i), 'Disaster recovery (backup SQL stores) is enabled on a single-computer pool; only multiple-computer pools support it.', `Disable disaster recovery (${setPool(poolTarget(p, i), '-EnableDisasterRecovery:false')}). To keep it: ${redefinePool(poolTarget(p, i), ' as a multiple-computer pool (without -SingleComputer)')}.`)]
        : [],
    ),
};

export const backupStoresRule: RuleDefinition = {
  id: 14,
  title: 'Disaster recovery needs backup stores other than the primary ones',
  severity: 'Error',
  meaning: 'With disaster recovery the pool names a backup SQL store (and a backup compliance store with compliance), each other than its primary.',
  check: indexed((t) => {
    return t.persistentChatPools.flatMap((p, i) => {
      if (!p.enableDisasterRecovery) {
        // A backup compliance store with compliance off is rule 12's to report.
        return ignoredStores(14, p, i, p.enableCompliance ? ['backupSqlStore', 'backupComplianceSqlStore'] : ['backupSqlStore'], 'Disaster recovery', '-EnableDisasterRecovery');
      }
      const out: Finding[] = [];
      const why = ' although disaster recovery is enabled';
      const backup = checkStoreRef(t, 14, p, i, 'backupSqlStore', why);
      out.push(...(backup ? [backup] : sameAsPrimary(14, p, i, 'backupSqlStore', 'sqlStore')));
      if (p.enableCompliance) {
        const comp = checkStoreRef(t, 14, p, i, 'backupComplianceSqlStore', `${why} with compliance`);
        out.push(...(comp ? [comp] : sameAsPrimary(14, p, i, 'backupComplianceSqlStore', 'complianceSqlStore')));
      }
      return out;
    });
  }),
};

// SQL Server instance names: at most 16 characters, a letter or underscore first, then letters, digits, _ or $.
const INSTANCE_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,15}$/;

export const primaryStoreRule: RuleDefinition = {
  id: 15,
  title: 'The primary SQL store is set; a store is an FQDN with the default or a named instance',
  severity: 'Error',
  meaning: 'Every pool names the SQL store of its mgc database, defined in the topology.',
  check: indexed((t) => {
    const out: Finding[] = [];
    for (const s of t.sqlStores) {
      const target = sqlStoreIdentity(s);
      if (!isValidFqdn(s.sqlServerFqdn)) {
        out.push(finding(15, 'Error', target, `The SQL store's server '${String(s.sqlServerFqdn)}' is not a valid FQDN.`, 'Define the store with the SQL Server host\'s fully qualified DNS name (New-SqlStore -SqlServerFqdn sql01.contoso.com ...).'));
      }
      const inst = s.sqlInstance;
      if (typeof inst === 'string' && inst !== '' && !INSTANCE_NAME.test(inst)) {
        out.push(finding(15, 'Error', target, `'${inst}' is not a valid SQL Server instance name (1-16 letters, digits, _ or $, starting with a letter or _).`, 'Use the default instance or the exact name of the named instance.'));
      }
      if (s.port !== undefined && s.port !== null && (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)) {
        out.push(finding(15, 'Error', target, `The SQL store's port ${String(s.port)} is not an integer from 1 to 65535.`, 'Set the instance\'s fixed TCP port, or clear it to locate the instance through SQL Server Browser.'));
      }
    }
    t.persistentChatPools.forEach((p, i) => {
      const bad = checkStoreRef(t, 15, p, i, 'sqlStore', '');
      if (bad) out.push(bad);
    });
    return out;
  }),
};

export const mirroringRule: RuleDefinition = {
  id: 16,
  title: 'A mirror differs from its principal; a witness needs a mirror and differs from both',
  severity: 'Error',
  meaning: 'SQL mirroring: the mirror is another instance; a witness only with a mirror, and on a third instance.',
  check: indexed((t) => {
    const out: Finding[] = [];
    for (const s of t.sqlStores) {
      const target = sqlStoreIdentity(s);
      const mirrorId = isSet(s.mirror) ? storeRefIdentity(s.mirror) : undefined;
      if (mirrorId) {
        if (!resolveStore(t, s.mirror)) {
          out.push(finding(16, 'Error', target, `The mirror ${mirrorId} of this store is not defined in the topology.`, `Define the mirror (${newSqlStore(mirrorId)}), or mirror to a store that is defined.`));
        } else if (mirrorId === target) {
          out.push(finding(16, 'Error', target, 'The store is its own mirror; a mirror must be another SQL instance than its principal.', 'Mirror the store to another SQL instance (New-SqlStore -MirrorSqlServerFqdn <fqdn> [-MirrorSqlInstance <name>]), or leave mirroring off.'));
        }
      }
      if (!isSet(s.witness)) continue;
      const witnessId = storeRefIdentity(s.witness);
      if (!mirrorId) {
        out.push(finding(16, 'Error', target, `The store has the witness ${witnessId} but no mirror; a witness only arbitrates between a principal and its mirror.`, 'Set a mirror for the store, or clear the witness.'));
      } else if (!resolveStore(t, s.witness)) {
        out.push(finding(16, 'Error', target, `The witness ${witnessId} of this store is not defined in the topology.`, `Define the witness (${newSqlStore(witnessId)}), or use a store that is defined as witness.`));
      } else if (witnessId === target || witnessId === mirrorId) {
        out.push(finding(16, 'Error', target, `The witness ${witnessId} is the ${witnessId === target ? 'principal' : 'mirror'} itself; the witness must be a third instance.`, 'Use a SQL instance other than the principal and the mirror as witness.'));
      }
    }
    return out;
  }),
};

