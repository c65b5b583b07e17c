// Site affinity (domain.md 8, rule 23; wizard page 1.3): which pool is the default for each site.
// Conflicting claims are errors (rule 23; open question 6: this tool's choice); a site without a default of its own is a
// warning (rule 32), also when a default for all sites in another site would take its rooms.
import type { PersistentChatPool, Site } from '../model.js';
import { finding, indexed, isNewPool, poolTarget, redefinePool, type Finding, type RuleDefinition } from './common.js';

const clear = (pool: string) => `Set-PersistentChatPoolSiteAffinity -Identity ${pool} -Clear`;

/**
 * How to end a conflict of defaults between `current` (the pools that hold the flag) and `extra` (the ones that
 * also claim it): clear the extra ones, or, when the extra one is being defined, leave out the switch
 * or clear the current default first.
 */
function resolveDefaults(current: string[], extra: string[], parameter: string): string {
  const fresh = extra.find(isNewPool);
  if (!fresh) return extra.map(clear).join('; ');
  const others = [...current, ...extra].filter((x) => x !== fresh);
  return `Leave out -${parameter} (or give -${parameter}:false), or first clear the current default: ${others.map(clear).join('; ')}.`;
}

export const siteAffinityRule: RuleDefinition = {
  id: 23,
  title: 'At most one default pool per site and one for all sites; the default for all sites needs several sites',
  severity: 'Error, Warning',
  meaning: 'A site has at most one default pool and the topology at most one default for all sites (errors); the default for all sites with only one site is a warning.',
  check: indexed((t, ix) => {
    const out: Finding[] = [];
    const pools = t.persistentChatPools.map((p, i) => ({ p, target: poolTarget(p, i), site: p.site ? ix.site(p.site) : undefined }));
    let siteNames: string | undefined; // offered in the recommended action, joined once

    for (const { p, target, site } of pools) {
      if (site) continue;
      out.push(
        p.site && p.site.trim()
          ? finding(23, 'Error', target, `The pool's site '${p.site}' is not defined in the topology.`, `Define the site (New-Site -Name '${p.site}'), or remove the pool and define it again in one of the sites: ${(siteNames ??= t.sites.map((s) => s.name).join(', ') || '(none)')}.`)
          : finding(23, 'Error', target, 'The pool belongs to no site.', `${redefinePool(target, ' with -Site <site>')}.`),
      );
    }

    const forAll = pools.filter((x) => x.p.defaultForAllSites);
    for (const extra of forAll.slice(1)) {
      out.push(finding(23, 'Error', extra.target, `Both ${forAll[0]!.target} and ${extra.target} are the default pool for all sites; only one pool can be.`, resolveDefaults([forAll[0]!.target], [extra.target], 'DefaultForAllSites')));
    }
    if (t.sites.length <= 1) {
      for (const x of forAll) {
        out.push(finding(23, 'Warning', x.target, 'The pool is the default for all sites, but the topology has only one site; the option only applies when there are several.', `${clear(x.target)}, then Set-PersistentChatPoolSiteAffinity -Identity ${x.target} -DefaultForSite`));
      }
    }

    // The pools of each site, in document order (one pass, not a scan of every pool per site).
    const bySite = new Map<Site, { p: PersistentChatPool; target: string }[]>();
    for (const x of pools) {
      if (!x.site) continue;
      const list = bySite.get(x.site);
      if (list) list.push(x);
      else bySite.set(x.site, [x]);
    }
    for (const s of t.sites) {
      const here = bySite.get(s) ?? [];
      if (here.length === 0) continue;
      const defaults = here.filter((x) => x.p.defaultForSite);
      if (defaults.length > 1) {
        out.push(
          finding(23, 'Error', s.name, `${defaults.length} pools are the default for site ${s.name} (${defaults.map((x) => x.target).join(', ')}); a site has one default pool.`, resolveDefaults([defaults[0]!.target], defaults.slice(1).map((x) => x.target), 'DefaultForSite')),
        );
      }
    }
    return out;
  }),
};

export const siteDefaultRule: RuleDefinition = {
  id: 32,
  title: 'Every site that hosts Persistent Chat pools has a default pool',
  severity: 'Warning',
  meaning: "Room creation from a site goes to the site's default pool; without one it goes to the default for all sites, in another site, or nowhere.",
  check: indexed((t, ix) => {
    const out: Finding[] = [];
    const bySite = new Map<Site, string[]>();
    const defaulted = new Set<Site>();
    let forAll: { target: string; site?: Site } | undefined;
    t.persistentChatPools.forEach((p, i) => {
      const site = p.site ? ix.site(p.site) : undefined;
      const target = poolTarget(p, i);
      if (p.defaultForAllSites) forAll ??= { target, site };
      if (!site) return; // rule 23 reports a pool without a site
      if (p.defaultForSite || p.defaultForAllSites) defaulted.add(site);
      const list = bySite.get(site);
      if (list) list.push(target);
      else bySite.set(site, [target]);
    });
    for (const s of t.sites) {
      const here = bySite.get(s);
      if (!here || defaulted.has(s)) continue;
      const goes = forAll ? `room creation from it goes to ${forAll.target}, the default for all sites${forAll.site ? ` in site ${forAll.site.name}` : ''}` : 'room creation from this site has no pool to go to';
      out.push(
        finding(32, 'Warning', s.name, `Site ${s.name} has Persistent Chat pool${here.length > 1 ? 's' : ''} ${here.join(', ')} but no default pool; ${goes}.`, `Set-PersistentChatPoolSiteAffinity -Identity ${here[0]} -DefaultForSite${here.length > 1 ? ' (or another pool of the site)' : ''}`),
      );
    }
    return out;
  }),
};
