// Every rule a message can cite ("Rule 18"), with its severity and meaning, so that a user can look it up
// with 'pchat help about_TopologyRules'. The rules of the document state their own (RULE_REGISTRY); the
// rules the environment checks (Test-SqlStore, Test-FileStore, Publish-Topology) have no RuleDefinition
// and are kept here.
import { RULE_REGISTRY } from './index.js';

export type RuleSeverity = 'Error' | 'Warning' | 'Error, Warning';

export interface RuleEntry {
  number: number;
  severity: RuleSeverity;
  title: string;
  meaning: string;
  /** The commands that check it, for rules of the environment; empty for rules of the document. */
  checkedBy: string;
}

/** Rules the environment is checked against: no document rule, checked by the commands named. */
const ENVIRONMENT_RULES: RuleEntry[] = [
  {
    number: 24,
    severity: 'Error',
    title: 'Before publishing, names resolve and the stores are reachable',
    meaning: 'The pool and computer FQDNs and the file server resolve in DNS, the file share exists and is reachable, the SQL stores answer. Publish-Topology checks it before any change.',
    checkedBy: 'Publish-Topology, Test-FileStore, Test-SqlStore',
  },
  {
    number: 25,
    severity: 'Error',
    title: 'The publishing accounts have the rights publishing needs',
    meaning: "The file store account may change the pool folder's permissions (Full control or WRITE_DAC); the SQL login may create databases (sysadmin, dbcreator or CREATE DATABASE). Test-SqlStore and Test-FileStore report it before the change window.",
    checkedBy: 'Publish-Topology, Test-FileStore, Test-SqlStore',
  },
  {
    number: 27,
    severity: 'Error',
    title: 'Publishing keeps a backup of the topology it replaces',
    meaning: "Publish-Topology writes the draft's previous published revision to the repository's backups folder before it writes the new one.",
    checkedBy: 'Publish-Topology',
  },
  {
    number: 28,
    severity: 'Error',
    title: "Only Lync's published XML form can be published with Publish-CsTopology",
    meaning: "A Topology Builder .tbxml file cannot be given to Publish-CsTopology. This tool reads both forms (Import-Topology) and does not write Lync's XML, so it never reports this rule.",
    checkedBy: 'no command (informational)',
  },
];

/** Every rule, by number: those of the document (RULE_REGISTRY) and those of the environment. */
export function ruleCatalog(): RuleEntry[] {
  const fromRules = RULE_REGISTRY.map((r) => ({ ...r, checkedBy: '' }) satisfies RuleEntry);
  return [...fromRules, ...ENVIRONMENT_RULES].sort((a, b) => a.number - b.number);
}
