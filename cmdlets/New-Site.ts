import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { ErrorRecord } from '../lib/cmdlet/errors.js';
import { findSite } from '../lib/topology/model.js';
import { changeTopology } from '../lib/topology/edit.js';
import { siteView } from '../lib/topology/views.js';

export default {
  name: 'New-Site',
  synopsis: 'Adds a central site to the draft topology.',
  description: 'Adds a central site. Its SiteId (the number in service ids and file store folder names such as 1-PersistentChatService-1) is one more than the highest SiteId of the topology unless given.',
  parameters: [
    // -Identity: the name New-CsSite gives it, which a Lync administrator types first.
    { name: 'Name', type: 'string', mandatory: true, position: 0, aliases: ['Identity'], validatePattern: { regex: /^(?!\s)[^\\/:*?"<>|]{1,64}(?<!\s)$/, description: 'a site name (1-64 characters, no space at either end)' }, help: 'The site name (its identity).' },
    { name: 'SiteId', type: 'int', validateRange: { min: 1, max: 65535 }, help: 'The site number. Default: one more than the highest in the topology (1 in an empty one).' },
    { name: 'City', type: 'string', help: 'Location: city.' },
    { name: 'State', type: 'string', help: 'Location: state or region.' },
    { name: 'CountryCode', type: 'string', validatePattern: { regex: /^[A-Za-z]{2}$/, description: 'a two-letter country code' }, help: 'Location: ISO country code (US, DE, ...).' },
  ],
  supportsShouldProcess: true,
  confirmImpact: 'Low',
  outputType: 'Site',
  outputs: [
    { name: 'Name', description: 'The site name.' },
    { name: 'SiteId', description: 'The site number.' },
    { name: 'City, State, CountryCode', description: 'Its location.' },
  ],
  examples: [{ title: 'A site in Redmond', code: 'pchat New-Site -Name Redmond -City Redmond -State WA -CountryCode US', remarks: 'Gets SiteId 1 in an empty topology.', setup: 'pchat New-Topology' }],
  async process(p: { Name: string; SiteId?: number; City?: string; State?: string; CountryCode?: string }, ctx) {
    const r = await changeTopology(ctx, p.Name, 'Add site', (t) => {
      if (findSite(t, p.Name)) throw exists('SiteAlreadyExists', p.Name, `The site '${p.Name}' already exists.`);
      const siteId = p.SiteId ?? Math.max(0, ...t.sites.map((s) => s.siteId)) + 1;
      const clash = t.sites.find((s) => s.siteId === siteId);
      if (clash) throw exists('SiteIdInUse', String(siteId), `SiteId ${siteId} is already used by site '${clash.name}'.`);
      const created = { name: p.Name, siteId, city: p.City, state: p.State, countryCode: p.CountryCode?.toUpperCase() };
      t.sites.push(created);
      return siteView(created);
    });
    return r?.result;
  },
} satisfies CmdletDefinition;

function exists(errorId: string, target: string, message: string) {
  return new ErrorRecord({ errorId, category: 'ResourceExists', target, message, recommendedAction: "List what exists with 'pchat Get-Topology', and choose another name or number." });
}
