import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { FQDN } from '../lib/cmdlet/validators.js';
import { findPersistentChatPool, normalizeFqdn } from '../lib/topology/model.js';
import { changeTopology } from '../lib/topology/edit.js';
import { persistentChatPoolNotFound } from '../lib/topology/not-found.js';
import { SETUP_POOL } from '../lib/help/example-setups.js';

export default {
  name: 'Remove-PersistentChatPool',
  synopsis: 'Removes a Persistent Chat pool from the draft topology.',
  description: 'Removes the pool from the draft (its stores stay defined). Nothing changes in the deployment until Publish-Topology. ConfirmImpact is High: on a terminal it asks; in a script add -Force or -Confirm:false.',
  parameters: [{ name: 'Identity', type: 'string', mandatory: true, position: 0, ...FQDN, valueFromPipelineByPropertyName: true, pipelineProperties: ['Fqdn'], help: 'The pool FQDN.' }],
  supportsShouldProcess: true,
  confirmImpact: 'High',
  outputType: 'None',
  outputs: [],
  examples: [
    { title: 'Remove a pool in a script', code: 'pchat Remove-PersistentChatPool -Identity pchatpool.contoso.com -Force', remarks: 'Without a terminal, -Force (or -Confirm:false) is required.', setup: SETUP_POOL },
    {
      title: 'Remove every pool of a site',
      code: 'pchat Get-PersistentChatPool -Site Lab | pchat Remove-PersistentChatPool -Confirm:false',
      remarks: 'Each piped pool binds to -Identity by its Fqdn.',
      setup: "pchat New-Site -Name Lab && pchat New-PersistentChatPool -Fqdn labchat.contoso.com -Site Lab -SingleComputer -DisplayName Lab -NextHopPool fepool.contoso.com -SqlServerFqdn sqllab.contoso.com -FileServerFqdn fs01.contoso.com -FileShare lab",
    },
  ],
  async process(p: { Identity: string }, ctx) {
    const fqdn = normalizeFqdn(p.Identity);
    // A missing pool is reported before any confirmation is asked for (changeTopology checks first).
    const r = await changeTopology(ctx, fqdn, 'Remove Persistent Chat pool', (t) => {
      if (!findPersistentChatPool(t, fqdn)) throw persistentChatPoolNotFound(fqdn, t);
      t.persistentChatPools = t.persistentChatPools.filter((x) => x.fqdn !== fqdn);
    });
    if (r) ctx.writeVerbose(`Removed ${fqdn} (draft revision ${r.draft.revision}).`);
  },
} satisfies CmdletDefinition;
