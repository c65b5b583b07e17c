// Making a pool a default: the one way New-PersistentChatPool and Set-PersistentChatPoolSiteAffinity do it,
// so both keep one default per site and one for all sites by taking the flag from the pool that had it.
import type { PersistentChatPool, Topology } from './model.js';

/** Makes `pool` the default of its site (`site`) or of all sites (`all`); returns what changed, in words. */
export function makeDefault(t: Topology, pool: PersistentChatPool, scope: 'site' | 'all'): string[] {
  const changes: string[] = [];
  const flag = scope === 'site' ? 'defaultForSite' : 'defaultForAllSites';
  const what = scope === 'site' ? `the default for site ${pool.site}` : 'the default for all sites';
  for (const other of t.persistentChatPools) {
    if (other === pool || !other[flag] || (scope === 'site' && other.site.toLowerCase() !== pool.site.toLowerCase())) continue;
    other[flag] = false;
    changes.push(`${other.fqdn} is no longer ${what}`);
  }
  if (!pool[flag]) changes.push(`${pool.fqdn} is now ${what}`);
  pool[flag] = true;
  return changes;
}
