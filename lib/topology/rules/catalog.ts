// Every rule a message can cite ("Rule 18"), with its severity and meaning, so that a user can look it up
// with 'pchat help about_TopologyRules'. The rules of RULES (index.ts) give their number and title, and
// their severity and meaning when they state them; otherwise those are kept here, beside the rules the
// environment checks (Test-SqlStore, Test-FileStore, Publish-Topology), which have no RuleDefinition.
import { RULES } from './index.js';

export type RuleSeverity = 'Error' | 'Warning' | 'Error, Warning';

export interface RuleEntry {
  number: number;
  severity: RuleSeverity;
  title: string;
  meaning: string;
  /** The commands that check it, for rules of the environment; empty for rules of the document. */
  checkedBy: string;
}

/** Severity and meaning of the rules the document is checked against (RULES). */
const DOCUMENT_RULES: Record<number, { severity: RuleSeverity; meaning: string }> = {
  1: { severity: 'Error', meaning: 'A Persistent Chat pool needs an FQDN that is a valid DNS name (letters, digits and hyphens, at least two labels).' },
  2: { severity: 'Error', meaning: 'A pool is either a single-computer pool or a multiple-computer pool, as Topology Builder asks on its first page.' },
  3: { severity: 'Error', meaning: "A single-computer pool's one computer is the pool FQDN itself." },
  4: { severity: 'Error', meaning: 'A multiple-computer pool lists at least one computer; each is a valid FQDN and appears once.' },
  5: { severity: 'Error', meaning: 'A pool FQDN or computer FQDN is not already used by another pool, Front End pool or imported server of the topology.' },
  6: { severity: 'Error', meaning: 'Topology Builder cannot add computers to a single-computer pool: remove the pool and define it again as a multiple-computer pool.' },
  7: { severity: 'Error, Warning', meaning: 'A pool has at most 8 computers, of which at most 4 are active (Error above 8; Warning above 4 without disaster recovery, since the others have no standby role).' },
  8: { severity: 'Error', meaning: 'A pool collocated with a Standard Edition server has that server\'s FQDN, is single-computer and never grows.' },
  9: { severity: 'Error', meaning: 'A Persistent Chat computer is not also an Enterprise Edition Front End server.' },
  10: { severity: 'Error', meaning: 'A pool has a display name (custom clients show it to tell pools apart).' },
  11: { severity: 'Error', meaning: 'The Persistent Chat port is a whole number from 1 to 65535 (default 5041).' },
  12: { severity: 'Error, Warning', meaning: 'Compliance needs a compliance SQL store (Error); with compliance disabled, compliance stores that are set are ignored (Warning).' },
  13: { severity: 'Error', meaning: 'Disaster recovery (backup SQL stores) is only for multiple-computer pools.' },
  14: { severity: 'Error, Warning', meaning: 'Disaster recovery needs a backup SQL store other than the primary one, and a backup compliance store when compliance is on (Error); backup stores without disaster recovery are ignored (Warning).' },
  15: { severity: 'Error', meaning: 'A pool has a primary SQL store, defined in the topology: a server FQDN with the default or a named instance.' },
  16: { severity: 'Error', meaning: 'A mirror differs from its principal; a witness needs a mirror and differs from both.' },
  17: { severity: 'Error', meaning: 'SQL instances on one host use different mirroring endpoint ports (defaults 5022, witness 7022).' },
  18: { severity: 'Error', meaning: 'A SQL instance holds at most one Front End back-end (user store) database and one Persistent Chat (mgc) database; Test-SqlStore also looks for another pool\'s database on the instance.' },
  19: { severity: 'Error', meaning: 'A pool has a file store defined in the topology; a multiple-computer pool needs a UNC share (\\\\server\\share), only a single-computer pool may use a local path.' },
  20: { severity: 'Error', meaning: 'The file server is not an Enterprise Edition Front End server.' },
  21: { severity: 'Error', meaning: 'The next hop is a Front End pool or Standard Edition server of the topology, and its FQDNs are valid.' },
  22: { severity: 'Error', meaning: 'The topology has a Front End pool or Standard Edition server before any Persistent Chat pool.' },
  23: { severity: 'Error, Warning', meaning: 'A pool belongs to a defined site; at most one pool is the default of a site and one the default for all sites, which needs more than one site (Error); a site with pools but no default is a Warning.' },
  26: { severity: 'Error', meaning: 'The databases are named mgc (chat content) and mgccomp (compliance): one instance cannot hold two pools\' copies of either.' },
  29: { severity: 'Error, Warning', meaning: 'Findings are listed errors first: an Error refuses the change or the publish, a Warning does not.' },
  30: { severity: 'Error, Warning', meaning: 'The SQL Server release and edition support the product (Lync Server 2013: 2008 R2 or 2012; Skype for Business Server 2015 adds 2014; Standard or Enterprise, 64-bit; Express only for a pool collocated with a Standard Edition server); an older release is an Error, a newer one or AlwaysOn availability groups a Warning.' },
};

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

/** Every rule, by number. */
export function ruleCatalog(): RuleEntry[] {
  const fromRules = RULES.map((r) => {
    // A rule that states its own severity and meaning wins over the table above.
    const own = r as Partial<Pick<RuleEntry, 'severity' | 'meaning'>>;
    const known = DOCUMENT_RULES[r.id];
    return { number: r.id, title: r.title, severity: own.severity ?? known?.severity ?? 'Error', meaning: own.meaning ?? known?.meaning ?? r.title, checkedBy: '' } satisfies RuleEntry;
  });
  return [...fromRules, ...ENVIRONMENT_RULES].sort((a, b) => a.number - b.number);
}
