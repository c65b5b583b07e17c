// Rules about a pool's own definition (domain.md 8, rules 1-4, 6, 7, 10, 11; wizard pages 1.1-1.3).
import { DEFAULT_PCHAT_PORT, normalizeFqdn, type PersistentChatPool, type Topology } from '../model.js';
import { fqdnProblem, shown } from '../../cmdlet/validators.js';
import { finding, indexed, isSeCollocated, isValidFqdn, plural, poolTarget, redefinePool, setPool, type Finding, type RuleDefinition } from './common.js';

const COMPUTER_TYPES = ['Single', 'Multiple'];
const MAX_COMPUTERS = 8;
const MAX_ACTIVE_COMPUTERS = 4;

function eachPool(t: Topology, fn: (p: PersistentChatPool, target: string, i: number) => Finding[]): Finding[] {
  return t.persistentChatPools.flatMap((p, i) => fn(p, poolTarget(p, i), i));
}

export const poolFqdnRule: RuleDefinition = {
  id: 1,
  title: 'Pool FQDN is present and is a valid FQDN',
  severity: 'Error',
  meaning: "The pool's FQDN is a DNS name of at least two labels (letters, digits, hyphens; at most 63 characters a label, 253 in all), never an IP address.",
  check: (t) =>
    eachPool(t, (p, target) => {
      if (!p.fqdn || !p.fqdn.trim()) return [finding(1, 'Error', target, 'The pool has no FQDN.', 'Define the pool with a fully qualified domain name registered in DNS (New-PersistentChatPool -Fqdn pchat.contoso.com ...).')];
      if (!isValidFqdn(p.fqdn)) {
        return [finding(1, 'Error', target, `'${shown(p.fqdn)}' is not a valid FQDN: ${fqdnProblem(normalizeFqdn(p.fqdn)) ?? 'DNS labels of letters, digits and hyphens, at least two labels, at most 253 characters'}.`, `${redefinePool(target, ' with a valid FQDN (New-PersistentChatPool -Fqdn pchat.contoso.com ...)')}.`)];
      }
      return [];
    }),
};

export const computerTypeRule: RuleDefinition = {
  id: 2,
  title: "Pool type is 'Single' or 'Multiple'",
  severity: 'Error',
  meaning: 'A pool is a single-computer pool or a multiple-computer pool, nothing else.',
  check: (t) =>
    eachPool(t, (p, target) =>
      COMPUTER_TYPES.includes(p.computerType)
        ? []
        : [finding(2, 'Error', target, `The pool type '${String(p.computerType)}' is neither 'Single' nor 'Multiple'.`, `${redefinePool(target, ' with New-PersistentChatPool: a multiple-computer pool (recommended) or, with -SingleComputer, a single-computer one')}.`)],
    ),
};

export const singleComputerRule: RuleDefinition = {
  id: 3,
  title: 'A single-computer pool has exactly one computer, named like the pool',
  severity: 'Error',
  meaning: "A single-computer pool's one computer has the pool's FQDN.",
  check: (t) =>
    eachPool(t, (p, target) => {
      if (p.computerType !== 'Single') return [];
      const computers = p.computers ?? [];
      if (computers.length !== 1 || normalizeFqdn(computers[0]!) !== normalizeFqdn(p.fqdn ?? '')) {
        return [
          finding(3, 'Error', target, `A single-computer pool must have exactly one computer whose FQDN is the pool FQDN; it has ${computers.length ? computers.map(normalizeFqdn).join(', ') : 'none'}.`, `${redefinePool(target, `: with -SingleComputer its one computer is ${target}; for several servers leave out -SingleComputer and list them with -Computer`)}.`),
        ];
      }
      return [];
    }),
};

export const multipleComputersRule: RuleDefinition = {
  id: 4,
  title: 'A multiple-computer pool has at least one computer; each is a valid FQDN, unique within the pool',
  severity: 'Error',
  meaning: "A multiple-computer pool lists its computers by their own FQDNs, each once, none with the pool's FQDN.",
  check: indexed((t, ix) =>
    eachPool(t, (p, target) => {
      if (p.computerType !== 'Multiple') return [];
      const computers = p.computers ?? [];
      if (computers.length === 0) return [finding(4, 'Error', target, 'The multiple-computer pool has no computers.', setPool(target, '-Computer <computerFqdn>[,<computerFqdn>...]'))];
      const out: Finding[] = [];
      const seen = new Set<string>();
      // The list to give back to Set-PersistentChatPool once the bad entries are gone.
      const own = normalizeFqdn(p.fqdn ?? '');
      const good = [...new Set(computers.filter((c) => isValidFqdn(c)).map(normalizeFqdn))].filter((c) => c !== own);
      const fix = setPool(target, `-Computer ${good.length ? good.join(',') : '<computerFqdn>[,<computerFqdn>...]'}`);
      for (const c of computers) {
        const n = typeof c === 'string' ? normalizeFqdn(c) : '';
        if (!isValidFqdn(c)) out.push(finding(4, 'Error', target, `Computer '${shown(String(c))}' is not a valid FQDN${typeof c === 'string' && fqdnProblem(normalizeFqdn(c)) ? `: ${fqdnProblem(normalizeFqdn(c))}` : ''}.`, `Give the computer's fully qualified DNS host name (e.g. pchat01.contoso.com), or leave it out: ${fix}`));
        else if (seen.has(n)) out.push(finding(4, 'Error', target, `Computer ${n} is listed more than once.`, `List it once: ${fix}`));
        else if (p.fqdn && n === normalizeFqdn(p.fqdn) && !ix.isSeCollocated(p)) {
          // (On a Standard Edition server, rule 8 says why the pool must be single-computer.)
          out.push(finding(4, 'Error', target, `Computer ${n} has the pool's own FQDN; a multiple-computer pool's FQDN is a name of its own, registered in DNS for the pool.`, computers.length === 1
                ? // One computer named as the pool: most likely a single-computer pool meant, which has its own switch.
                  `For a pool of this one computer, define a single-computer pool (-SingleComputer, without -Computer). For a multiple-computer pool, list the computers by their own host names (${fix}) and register the pool FQDN in DNS for the pool.`
                : `List the computers by their own host names (${fix}) and register the pool FQDN in DNS for the pool.`));
        }
        seen.add(n);
      }
      return out;
    }),
  ),
};

/** Computers a change adds to a pool (compared by normalized FQDN). */
export function addedComputers(before: PersistentChatPool, after: PersistentChatPool): string[] {
  const had = new Set((before.computers ?? []).map(normalizeFqdn));
  return (after.computers ?? []).map(normalizeFqdn).filter((c) => !had.has(c));
}

export const singleNeverGrowsRule: RuleDefinition = {
  id: 6,
  title: 'A single-computer pool is never grown; it is removed and defined again',
  severity: 'Error',
  meaning: 'Adding computers to a single-computer pool is refused: remove the pool and define a multiple-computer one.',
  // Only a change can break this rule: the document alone does not say what a pool was before.
  check: () => [],
  checkChange(t, before, after) {
    // An SE-collocated pool is refused by rule 8, which says why.
    if (before.computerType !== 'Single' || isSeCollocated(t, before)) return [];
    const added = addedComputers(before, after);
    if (after.computerType === 'Single' && added.length === 0) return [];
    const what = added.length ? `add ${added.join(', ')} to` : 'turn into a multiple-computer pool';
    return [
      finding(6, 'Error', normalizeFqdn(before.fqdn), `The change would ${what} the single-computer pool ${normalizeFqdn(before.fqdn)}; a single-computer pool can never receive more computers.`, `Remove the pool (Remove-PersistentChatPool -Identity ${normalizeFqdn(before.fqdn)}) and define it again as a multiple-computer pool with New-PersistentChatPool.`),
    ];
  },
};

export const computerCountRule: RuleDefinition = {
  id: 7,
  title: 'At most 8 computers per pool, at most 4 active',
  severity: 'Error, Warning',
  meaning: 'More than 8 computers is an error; more than 4 without disaster recovery is a warning, since at most 4 can be active.',
  check: (t) =>
    eachPool(t, (p, target) => {
      const n = (p.computers ?? []).length;
      if (n > MAX_COMPUTERS) {
        return [finding(7, 'Error', target, `The pool has ${n} computers; a Persistent Chat pool holds at most ${MAX_COMPUTERS}.`, `Remove ${plural(n - MAX_COMPUTERS, 'computer')} (${setPool(target, `-Computer <at most ${MAX_COMPUTERS} computers>`)}), or define a second pool.`)];
      }
      if (n > MAX_ACTIVE_COMPUTERS && !p.enableDisasterRecovery) {
        return [
          finding(7, 'Warning', target, `The pool has ${n} computers but at most ${MAX_ACTIVE_COMPUTERS} can be active; without disaster recovery the other ${n - MAX_ACTIVE_COMPUTERS} have no standby role.`, `Keep at most ${MAX_ACTIVE_COMPUTERS} computers, or let the others stand by in a second data center: ${setPool(target, '-EnableDisasterRecovery -BackupSqlStore <sqlServerFqdn>[\\<instance>]')}`),
        ];
      }
      return [];
    }),
};

export const displayNameRule: RuleDefinition = {
  id: 10,
  title: 'Display name is not empty',
  severity: 'Error',
  meaning: 'Clients show the display name to tell the rooms of different pools apart.',
  check: (t) =>
    eachPool(t, (p, target) =>
      typeof p.displayName === 'string' && p.displayName.trim()
        ? []
        : [finding(10, 'Error', target, 'The pool has no display name.', `${setPool(target, "-DisplayName '<name>'")}; clients use it to tell the rooms of different pools apart.`)],
    ),
};

export const portRule: RuleDefinition = {
  id: 11,
  title: 'Port is an integer from 1 to 65535 (default 5041)',
  severity: 'Error',
  meaning: 'The port the Front End servers reach the pool on.',
  check: (t) =>
    eachPool(t, (p, target) => {
      if (p.port === undefined || p.port === null) return [finding(11, 'Error', target, 'The pool has no Persistent Chat port.', setPool(target, `-Port ${DEFAULT_PCHAT_PORT}`))];
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
        return [finding(11, 'Error', target, `The Persistent Chat port ${String(p.port)} is not an integer from 1 to 65535.`, `${setPool(target, `-Port ${DEFAULT_PCHAT_PORT}`)} (the default), or another port from 1 to 65535.`)];
      }
      return [];
    }),
};
