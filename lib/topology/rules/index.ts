// The validation rules that need no network (rules 1-23, 26, 29, 30 of the domain; 31 and 32 this tool's), as pure functions
// over a Topology. Test-Topology and Publish-Topology run the same list; errors block publishing, warnings do not.
import type { PersistentChatPool, Topology } from '../model.js';
import { withTopologyIndex, type Finding, type RuleDefinition } from './common.js';
import { fileServerNotEnterpriseFrontEndRule, fileStoreRule } from './files.js';
import { databaseNamesRule, mirroringPortRule, onePersistentChatDatabaseRule, sqlPlatformRule } from './instances.js';
import { frontEndFirstRule, nextHopRule, notOnEnterpriseFrontEndRule, standardEditionRule, uniqueNamesRule } from './placement.js';
import { computerCountRule, computerTypeRule, displayNameRule, multipleComputersRule, poolFqdnRule, portRule, singleComputerRule, singleNeverGrowsRule } from './pool.js';
import { nextHopProductRule } from './products.js';
import { siteAffinityRule, siteDefaultRule } from './sites.js';
import { backupStoresRule, complianceStoreRule, disasterRecoveryPoolTypeRule, mirroringRule, primaryStoreRule } from './stores.js';

export type { Finding, RuleDefinition, Severity } from './common.js';
export { adviseForNewPool } from './common.js';

const separateSeverities: RuleDefinition = {
  id: 29,
  title: 'Errors (publish refused) are reported apart from warnings (publish allowed)',
  severity: 'Error, Warning',
  meaning: 'Every error is listed before any warning; errors refuse a change or a publish, warnings do not.',
  // Not a property of the document: validateTopology honours it by listing every error before any warning.
  check: () => [],
};

export const RULES: RuleDefinition[] = [
  poolFqdnRule,
  computerTypeRule,
  singleComputerRule,
  multipleComputersRule,
  uniqueNamesRule,
  singleNeverGrowsRule,
  computerCountRule,
  standardEditionRule,
  notOnEnterpriseFrontEndRule,
  displayNameRule,
  portRule,
  complianceStoreRule,
  disasterRecoveryPoolTypeRule,
  backupStoresRule,
  primaryStoreRule,
  mirroringRule,
  mirroringPortRule,
  onePersistentChatDatabaseRule,
  fileStoreRule,
  fileServerNotEnterpriseFrontEndRule,
  nextHopRule,
  frontEndFirstRule,
  siteAffinityRule,
  databaseNamesRule,
  separateSeverities,
  sqlPlatformRule,
  nextHopProductRule,
  siteDefaultRule,
];

/** One entry per rule: its number, severity, title and meaning (about_TopologyRules lists them; "Rule N" in a message is looked up there). */
export interface RuleEntry {
  number: number;
  severity: RuleDefinition['severity'];
  title: string;
  meaning: string;
}

export const RULE_REGISTRY: readonly RuleEntry[] = RULES.map((r) => ({ number: r.id, severity: r.severity, title: r.title, meaning: r.meaning })).sort((a, b) => a.number - b.number);

/** Errors first, then warnings; within each, rule order and then document order (Array.prototype.sort is stable). */
function errorsFirst(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => (a.Severity === b.Severity ? 0 : a.Severity === 'Error' ? -1 : 1));
}

/** Every rule over the whole document. An empty result means the topology may be published. */
export function validateTopology(t: Topology): Finding[] {
  // One index of the document's identities for all the rules (built on first use, dropped at the end).
  return withTopologyIndex(t, () => errorsFirst(RULES.flatMap((r) => r.check(t))));
}

/**
 * Judges an edit of an existing pool (rules 6 and 8: a single-computer or Standard Edition collocated pool
 * never grows). Callers validate the edited document with validateTopology as well.
 */
export function validatePoolChange(t: Topology, before: PersistentChatPool, after: PersistentChatPool): Finding[] {
  return withTopologyIndex(t, () => errorsFirst(RULES.flatMap((r) => r.checkChange?.(t, before, after) ?? [])));
}
