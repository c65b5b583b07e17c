import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { fileStoreIdentity, sqlStoreIdentity } from '../lib/topology/model.js';
import { SETUP_TOPOLOGY } from '../lib/help/example-setups.js';

export default {
  name: 'Get-Topology',
  synopsis: 'Shows the draft topology, or a published revision.',
  description:
    'Returns one object that summarises the draft topology (or, with -Revision, a published revision): its revision, the published revision it is based on, and the identities of its sites, Front End pools, SQL stores, file stores and Persistent Chat pools. Use Export-Topology for the full document and Get-PersistentChatPool for pool details.',
  parameters: [{ name: 'Revision', type: 'int', position: 0, validateRange: { min: 1, max: 2 ** 31 - 1 }, help: 'A published revision number (see Get-TopologyRevision). Default: the draft.' }],
  outputType: 'TopologySummary',
  outputs: [
    { name: 'Repository', description: 'The repository: its folder, or its sqlserver:// address.' },
    { name: 'Kind', description: 'Draft or Published.' },
    { name: 'Revision', description: 'The draft revision, or the published revision number.' },
    { name: 'BasedOnPublishedRevision', description: 'For the draft: the published revision it started from (0: none).' },
    { name: 'Product', description: 'Lync2013 or SkypeForBusiness2015.' },
    { name: 'ModifiedAt, ModifiedBy', description: 'When and by whom it was last changed (published: when and who published).' },
    { name: 'Sites, FrontEndPools, SqlStores, FileStores, PersistentChatPools', description: 'Identities of the objects.' },
  ],
  examples: [
    { title: 'The draft', code: 'pchat Get-Topology', remarks: 'Summarises the draft in the default repository.', setup: SETUP_TOPOLOGY },
    { title: 'A published revision, as JSON', code: 'pchat Get-Topology -Revision 1 -OutputFormat Json', remarks: 'Shows what was published as revision 1 (Get-TopologyRevision lists them).', setup: 'pchat Publish-Topology -Force' },
  ],
  async process(p: { Revision?: number }, ctx) {
    const repo = ctx.repository();
    let meta: { Kind: string; Revision: number; BasedOnPublishedRevision: number | null; ModifiedAt: string; ModifiedBy: string };
    let t;
    if (p.Revision !== undefined) {
      const rev = (await repo.readPublished(p.Revision))!;
      t = rev.topology;
      meta = { Kind: 'Published', Revision: rev.revision, BasedOnPublishedRevision: null, ModifiedAt: rev.publishedAt, ModifiedBy: rev.publishedBy };
    } else {
      const d = await repo.readDraft();
      t = d.topology;
      meta = { Kind: 'Draft', Revision: d.revision, BasedOnPublishedRevision: d.basedOnPublishedRevision, ModifiedAt: d.modifiedAt, ModifiedBy: d.modifiedBy };
    }
    return {
      Repository: ctx.repositoryPath,
      ...meta,
      Product: t.product,
      Sites: t.sites.map((s) => s.name),
      FrontEndPools: t.frontEndPools.map((f) => f.fqdn),
      SqlStores: t.sqlStores.map(sqlStoreIdentity),
      FileStores: t.fileStores.map(fileStoreIdentity),
      PersistentChatPools: t.persistentChatPools.map((x) => x.fqdn),
    };
  },
} satisfies CmdletDefinition;
