// Site affinity (domain.md 8, rule 23; wizard page 1.3): which pool is the default for each site.
// Conflicting claims are errors (open question 6: this tool's choice); a site without a default is a warning.
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
  title: 'At most one default pool per site and one for all sites; every site with a pool has a default',
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
      if (defaults.length === 0 && forAll.length === 0) {
        out.push(
          finding(23, 'Warning', s.name, `Site ${s.name} hosts Persistent Chat pool${here.length > 1 ? 's' : ''} ${here.map((x) => x.target).join(', ')} but has no default pool; room creation from this site has no pool to go to.`, `Set-PersistentChatPoolSiteAffinity -Identity ${here[0]!.target} -DefaultForSite${here.length > 1 ? ' (or another pool of the site)' : ''}`),
        );
      }
    }
    return out;
  }),
};
