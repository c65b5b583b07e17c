import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { FQDN } from '../lib/cmdlet/validators.js';
import { findPersistentChatPool, findSite, normalizeFqdn } from '../lib/topology/model.js';
import { persistentChatPoolNotFound, siteNotFound } from '../lib/topology/not-found.js';
import { persistentChatPoolView, POOL_OUTPUTS } from '../lib/topology/views.js';
import { SETUP_POOL } from '../lib/help/example-setups.js';

export default {
  name: 'Get-PersistentChatPool',
  synopsis: 'Lists the Persistent Chat pools of the draft topology.',
  description: 'Returns one object per Persistent Chat pool, all of them or the one named by -Identity, or those of a site (with both, the pool only when it is in that site). Into a pipe each pool is one JSON line, which the Set-/Remove-/Test- commands bind by its Fqdn.',
  parameters: [
    { name: 'Identity', type: 'string', position: 0, ...FQDN, help: 'The pool FQDN.' },
    // '-Site "$SITE"' with $SITE unset must not widen the filter to every pool (piped into Remove-PersistentChatPool -Force).
    { name: 'Site', type: 'string', validatePattern: { regex: /\S/, description: 'a site name' }, help: 'Only the pools of this site.' },
  ],
  outputType: 'PersistentChatPool',
  outputs: POOL_OUTPUTS,
  examples: [
    { title: 'Every pool', code: 'pchat Get-PersistentChatPool', remarks: 'A table on a terminal; one JSON line per pool into a pipe.', setup: SETUP_POOL },
    { title: 'Pools of a site into another command', code: 'pchat Get-PersistentChatPool -Site Redmond | pchat Set-PersistentChatPoolSiteAffinity -DefaultForSite', remarks: 'Piped objects bind to -Identity by their Fqdn property; the last one wins.' },
  ],
  async process(p: { Identity?: string; Site?: string }, ctx) {
    const t = (await ctx.repository().readDraft()).topology;
    if (p.Site && !findSite(t, p.Site)) throw siteNotFound(p.Site, t);
    const site = p.Site?.toLowerCase();
    if (p.Identity) {
      const pool = findPersistentChatPool(t, p.Identity);
      if (!pool) throw persistentChatPoolNotFound(normalizeFqdn(p.Identity), t);
      // Both filters hold, as -Site alone does: `Get-... $POOL -Site Dublin | Remove-... -Force` must not pass on a Redmond pool.
      if (site && pool.site.toLowerCase() !== site) {
        ctx.writeWarning(`${pool.fqdn} is in site ${pool.site}, not ${p.Site}: nothing was returned.`);
        return;
      }
      return persistentChatPoolView(t, pool);
    }
    return t.persistentChatPools.filter((x) => !site || x.site.toLowerCase() === site).map((x) => persistentChatPoolView(t, x));
  },
} satisfies CmdletDefinition;
