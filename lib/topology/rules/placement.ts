// Rules about where a pool sits among the other servers of the topology
// (domain.md 8, rules 5, 8, 9, 21, 22; wizard pages 1.1, 1.8; domain.md 2.1).
import { normalizeFqdn, type PersistentChatPool, type Topology } from '../model.js';
import { closestNames } from '../../cmdlet/did-you-mean.js';
import { shown } from '../../cmdlet/validators.js';
import { addedComputers } from './pool.js';
import {
  enterpriseFrontEndServers,
  finding,
  indexed,
  isSeCollocated,
  isValidFqdn,
  poolTarget,
  redefinePool,
  standardEditionServers,
  setPool,
  type Finding,
  type RuleDefinition,
} from './common.js';

/** The pool's computers that pass `keep`, as a -Computer value (a placeholder when none is left). */
function others(p: PersistentChatPool, keep: (computer: string) => boolean): string {
  const left = [...new Set((p.computers ?? []).map(normalizeFqdn))].filter(keep);
  return left.length ? left.join(',') : '<computerFqdn>';
}

function namesOf(p: PersistentChatPool): string[] {
  const names = [p.fqdn, ...(p.computers ?? [])].filter((n): n is string => typeof n === 'string' && n.trim() !== '').map(normalizeFqdn);
  return [...new Set(names)];
}

/** Who else uses each FQDN: Enterprise Front End pools, SQL hosts, file servers, other known clusters. */
function otherOwners(t: Topology): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  const add = (fqdn: string | undefined, owner: string) => {
    if (!fqdn) return;
    const n = normalizeFqdn(fqdn);
    const list = owners.get(n) ?? [];
    if (!list.includes(owner)) list.push(owner);
    owners.set(n, list);
  };
  for (const fe of t.frontEndPools) {
    if (fe.edition !== 'Enterprise') continue;
    add(fe.fqdn, `Front End pool ${normalizeFqdn(fe.fqdn)}`);
  }
  for (const s of t.sqlStores) add(s.sqlServerFqdn, 'a SQL Server host');
  for (const f of t.fileStores) add(f.fileServerFqdn, 'a file server');
  for (const o of t.occupiedNames) add(o.fqdn, `another cluster of the deployment (${o.role})`);
  return owners;
}

export const uniqueNamesRule: RuleDefinition = {
  id: 5,
  title: 'Pool and computer FQDNs are not used by another pool or cluster',
  severity: 'Error',
  meaning: "No other pool, server or cluster of the deployment uses the pool's FQDN or the FQDN of one of its computers.",
  check(t) {
    const owners = otherOwners(t);
    // Standard Edition servers are judged by rule 8 (collocation), Enterprise Front End servers as computers by rule 9.
    const se = standardEditionServers(t);
    const eeServers = enterpriseFrontEndServers(t);
    // The pools before the current one that use each name (as their targets), in document order (one pass, not a scan per pool).
    const earlierPools = new Map<string, string[]>();
    const out: Finding[] = [];
    t.persistentChatPools.forEach((p, i) => {
      const target = poolTarget(p, i);
      const computers = new Set((p.computers ?? []).map(normalizeFqdn));
      const names = namesOf(p);
      for (const name of names) {
        if (se.has(name)) continue;
        const users = [...(owners.get(name) ?? [])];
        const fe = eeServers.get(name);
        if (fe && !computers.has(name)) users.push(`a server of Front End pool ${fe}`);
        // Another Persistent Chat pool: reported once, on the later of the two.
        for (const q of earlierPools.get(name) ?? []) users.push(q.startsWith('Persistent Chat pool') ? q : `Persistent Chat pool ${q}`);
        if (users.length === 0) continue;
        const isPoolName = name === normalizeFqdn(p.fqdn ?? '');
        const rest = [...computers].filter((c) => c !== name);
        const action = isPoolName
          ? `${redefinePool(target, ' with an FQDN that no other pool, server or cluster uses')}.`
          : `Use a dedicated computer instead of ${name}: ${setPool(target, `-Computer ${[...rest, '<computerFqdn>'].join(',')}`)}`;
        out.push(finding(5, 'Error', target, `${isPoolName ? 'The pool FQDN' : 'Computer'} ${name} is already used by ${users.join(' and ')}.`, action));
      }
      for (const name of names) {
        const list = earlierPools.get(name);
        if (list) list.push(target);
        else earlierPools.set(name, [target]);
      }
    });
    return out;
  },
};

export const standardEditionRule: RuleDefinition = {
  id: 8,
  title: 'A pool on a Standard Edition server is named like it and never grows',
  severity: 'Error',
  meaning: "Persistent Chat on a Standard Edition server is a single-computer pool with the server's FQDN, and it never receives more computers.",
  check: indexed((t, ix) => {
    const se = standardEditionServers(t);
    const out: Finding[] = [];
    t.persistentChatPools.forEach((p, i) => {
      const target = poolTarget(p, i);
      if (ix.isSeCollocated(p)) {
        if (p.computerType === 'Multiple') {
          out.push(finding(8, 'Error', target, `The pool is collocated with Standard Edition server ${target}, so it must be a single-computer pool.`, `${redefinePool(target, ' with -SingleComputer, or as a multiple-computer pool with an FQDN of its own on dedicated computers')}.`));
        }
        return;
      }
      for (const c of (p.computers ?? []).map(normalizeFqdn)) {
        if (!se.has(c)) continue;
        out.push(
          finding(8, 'Error', target, `Computer ${c} is a Standard Edition server; Persistent Chat on a Standard Edition server must use that server's FQDN as the pool FQDN.`, `Remove ${c} from this pool (${setPool(target, `-Computer ${others(p, (x) => x !== c)}`)}); to run Persistent Chat on ${c}, define a single-computer pool: New-PersistentChatPool -Fqdn ${c} -SingleComputer ...`),
        );
      }
    });
    return out;
  }),
  checkChange(t, before, after) {
    if (!isSeCollocated(t, before)) return [];
    const added = addedComputers(before, after);
    if (added.length === 0 && after.computerType === before.computerType) return [];
    const fqdn = normalizeFqdn(before.fqdn);
    const what = added.length ? `add ${added.join(', ')} to` : 'turn into a multiple-computer pool';
    return [
      finding(8, 'Error', fqdn, `The change would ${what} the pool collocated with Standard Edition server ${fqdn}; such a pool can never receive more computers.`, `Keep this pool as it is, and define a separate multiple-computer pool on dedicated computers with New-PersistentChatPool.`),
    ];
  },
};

export const notOnEnterpriseFrontEndRule: RuleDefinition = {
  id: 9,
  title: 'A pool computer is not an Enterprise Edition Front End server',
  severity: 'Error',
  meaning: 'Persistent Chat cannot be collocated with an Enterprise Edition Front End server.',
  check(t) {
    const ee = enterpriseFrontEndServers(t);
    const out: Finding[] = [];
    t.persistentChatPools.forEach((p, i) => {
      for (const c of new Set((p.computers ?? []).map(normalizeFqdn))) {
        const fe = ee.get(c);
        if (!fe) continue;
        out.push(
          finding(9, 'Error', poolTarget(p, i), `Computer ${c} is a server of Enterprise Edition Front End pool ${fe}; Persistent Chat cannot be collocated with an Enterprise Edition Front End.`, `Use dedicated computers for Persistent Chat: ${setPool(poolTarget(p, i), `-Computer ${others(p, (x) => !ee.has(x))}`)}`),
        );
      }
    });
    return out;
  },
};

// There is no command that removes a Front End pool: a bad one came from a document (or an older version).
const REDEFINE_FRONT_END =
  'Name it by the FQDN registered in DNS (e.g. fepool.contoso.com): correct it in the topology document and import that again (Import-Topology -Path <file> -Force replaces the draft), or start the draft again (New-Topology -Force) and define the pool with New-FrontEndPool.';

/** Front End pools (the next hops) whose FQDN or computers are not FQDNs, like rule 15 for SQL stores and 19 for file stores. */
function frontEndDefinitionProblems(t: Topology): Finding[] {
  const out: Finding[] = [];
  t.frontEndPools.forEach((fe, i) => {
    const fqdn = typeof fe.fqdn === 'string' ? normalizeFqdn(fe.fqdn) : '';
    const target = fqdn || `Front End pool #${i + 1}`;
    if (!isValidFqdn(fe.fqdn)) out.push(finding(21, 'Error', target, `The Front End pool's FQDN '${String(fe.fqdn ?? '')}' is not a valid FQDN (DNS labels of letters, digits and hyphens, at least two labels; not an IP address).`, REDEFINE_FRONT_END));
    for (const c of new Set((fe.computers ?? []).map((x) => (typeof x === 'string' ? normalizeFqdn(x) : String(x))))) {
      // A Standard Edition server's computer is the pool FQDN itself, reported above.
      if (c !== fqdn && !isValidFqdn(c)) out.push(finding(21, 'Error', target, `Computer '${c}' of the Front End pool is not a valid FQDN.`, REDEFINE_FRONT_END));
    }
  });
  return out;
}

/** How many unknown next hops of one validation get "Did you mean" (each compares with every Front End pool). */
const MAX_SUGGESTIONS = 10;

export const nextHopRule: RuleDefinition = {
  id: 21,
  title: 'Next hop is a Front End pool or Standard Edition server of the topology; their FQDNs are valid',
  severity: 'Error',
  meaning: 'The next hop, which routes Persistent Chat traffic to the pool, is a Front End pool or Standard Edition server of the topology.',
  check: indexed((t, ix) => {
    const out = frontEndDefinitionProblems(t);
    let frontEnds: string | undefined; // the list offered in the recommended action, joined once
    let frontEndNames: string[] | undefined;
    let suggested = 0;
    t.persistentChatPools.forEach((p, i) => {
      const target = poolTarget(p, i);
      if (!p.nextHopPool || !p.nextHopPool.trim()) {
        out.push(finding(21, 'Error', target, 'The pool has no next-hop pool.', `${setPool(target, '-NextHopPool <frontEndPoolFqdn>')}, naming the Front End pool or Standard Edition server that routes Persistent Chat traffic to this pool.`));
      } else if (!isValidFqdn(p.nextHopPool)) {
        out.push(finding(21, 'Error', target, `The next-hop pool '${p.nextHopPool}' is not a valid FQDN.`, `${setPool(target, '-NextHopPool <frontEndPoolFqdn>')}, naming the Front End pool or Standard Edition server by its FQDN (e.g. fepool.contoso.com).`));
      } else if (!ix.frontEndPool(p.nextHopPool)) {
        const hop = normalizeFqdn(p.nextHopPool);
        // Suggestions go in the advice, never the message: edit.ts tells new findings from old ones by their
        // message. Only the first few dangling hops get them, so a document of thousands stays linear.
        const near = suggested++ < MAX_SUGGESTIONS ? closestNames(hop, (frontEndNames ??= t.frontEndPools.map((f) => normalizeFqdn(f.fqdn)))) : [];
        out.push(
          finding(
            21,
            'Error',
            target,
            `The next-hop pool ${shown(hop)} is not a Front End pool or Standard Edition server of the topology.`,
            near.length
              ? `Did you mean ${near.join(' or ')}? ${setPool(target, `-NextHopPool ${near[0]}`)}; if ${shown(hop)} is a pool the topology lacks, add it first (New-FrontEndPool, or Import-Topology from the deployment).`
              : t.frontEndPools.length
                ? `${setPool(target, '-NextHopPool <pool>')} with one of: ${(frontEnds ??= t.frontEndPools.map((f) => normalizeFqdn(f.fqdn)).join(', '))}.`
                : 'Add the Front End pool first (New-FrontEndPool), then make it the next hop.',
          ),
        );
      }
    });
    return out;
  }),
};

export const frontEndFirstRule: RuleDefinition = {
  id: 22,
  title: 'The topology holds a Front End pool or Standard Edition server before any Persistent Chat pool',
  severity: 'Error',
  meaning: 'Persistent Chat is added to a topology that already has a Front End pool or Standard Edition server.',
  check: (t) =>
    t.frontEndPools.length > 0
      ? []
      : t.persistentChatPools.map((p, i) =>
          finding(22, 'Error', poolTarget(p, i), 'The topology has no Front End pool or Standard Edition server; a Persistent Chat pool needs one.', 'Add the Front End pool or Standard Edition server (New-FrontEndPool, or Import-Topology from the deployment\'s topology document) before defining Persistent Chat pools.'),
        ),
};
