import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { usageError } from '../lib/cmdlet/errors.js';
import { FQDN } from '../lib/cmdlet/validators.js';
import { findPersistentChatPool, normalizeFqdn } from '../lib/topology/model.js';
import { changeTopology } from '../lib/topology/edit.js';
import { persistentChatPoolNotFound } from '../lib/topology/not-found.js';
import { SETUP_POOL } from '../lib/help/example-setups.js';
import { makeDefault } from '../lib/topology/affinity.js';

interface Params {
  Identity: string;
  DefaultForSite?: boolean;
  DefaultForAllSites?: boolean;
  Clear?: boolean;
}

export default {
  name: 'Set-PersistentChatPoolSiteAffinity',
  synopsis: 'Makes a Persistent Chat pool the default of its site or of all sites, or clears its affinity.',
  description:
    'Clients route room creation and management to the default pool of the user\'s site. This command keeps at most one default per site and one default for all sites: making a pool the default takes the flag from the pool that had it, and the output says what changed (New-PersistentChatPool -DefaultForSite and -DefaultForAllSites do the same). Clearing the default of a site that still has pools warns: room creation from that site has no default pool to go to (rule 32). -DefaultForAllSites only takes effect in a topology with more than one site: with one site it is still set, and a warning (rule 23) says so.',
  parameters: [
    { name: 'Identity', type: 'string', mandatory: true, position: 0, ...FQDN, valueFromPipelineByPropertyName: true, pipelineProperties: ['Fqdn'], help: 'The pool FQDN (bound from a piped pool\'s Fqdn).' },
    { name: 'DefaultForSite', type: 'switch', parameterSets: ['Site'], help: 'Makes the pool the default of its site.' },
    { name: 'DefaultForAllSites', type: 'switch', parameterSets: ['AllSites'], help: 'Makes the pool the default for all sites.' },
    { name: 'Clear', type: 'switch', parameterSets: ['Clear'], help: 'Removes both defaults from the pool.' },
  ],
  parameterSets: [{ name: 'Site' }, { name: 'AllSites' }, { name: 'Clear' }],
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  outputType: 'SiteAffinityChange',
  outputs: [
    { name: 'Fqdn', description: 'The pool.' },
    { name: 'Site', description: 'Its site.' },
    { name: 'DefaultForSite, DefaultForAllSites', description: 'Its affinity after the change.' },
    { name: 'Changes', description: 'What changed, including flags taken from other pools.' },
  ],
  examples: [
    { title: 'Make a pool its site\'s default', code: 'pchat Set-PersistentChatPoolSiteAffinity -Identity pchatpool.contoso.com -DefaultForSite', remarks: 'The site\'s previous default loses the flag; Changes says so.', setup: SETUP_POOL },
    {
      title: 'The default for all sites, from a pipe',
      code: 'pchat Get-PersistentChatPool pchatpool.contoso.com | pchat Set-PersistentChatPoolSiteAffinity -DefaultForAllSites',
      remarks: 'Only in a topology with more than one site: with one, the site default already serves everyone.',
      setup: 'pchat New-Site -Name Dublin',
    },
  ],
  async process(p: Params, ctx) {
    if (!p.DefaultForSite && !p.DefaultForAllSites && !p.Clear) {
      throw usageError('MissingAffinityChoice', 'Say what to set: -DefaultForSite, -DefaultForAllSites or -Clear.', 'Identity', 'Add one of -DefaultForSite, -DefaultForAllSites, -Clear.');
    }
    const fqdn = normalizeFqdn(p.Identity);
    const action = p.Clear ? 'Clear site affinity' : p.DefaultForSite ? 'Make default for its site' : 'Make default for all sites';
    const r = await changeTopology(ctx, fqdn, action, (t) => {
      const changes: string[] = [];
      const pool = findPersistentChatPool(t, fqdn);
      if (!pool) throw persistentChatPoolNotFound(fqdn, t);
      if (p.DefaultForSite) {
        changes.push(...makeDefault(t, pool, 'site'));
      } else if (p.DefaultForAllSites) {
        changes.push(...makeDefault(t, pool, 'all'));
      } else {
        if (pool.defaultForSite) changes.push(`${fqdn} is no longer the default for site ${pool.site}`);
        if (pool.defaultForAllSites) changes.push(`${fqdn} is no longer the default for all sites`);
        pool.defaultForSite = false;
        pool.defaultForAllSites = false;
      }
      return { Fqdn: pool.fqdn, Site: pool.site, DefaultForSite: pool.defaultForSite, DefaultForAllSites: pool.defaultForAllSites, Changes: changes.length ? changes : ['nothing changed'] };
    });
    return r?.result;
  },
} satisfies CmdletDefinition;
