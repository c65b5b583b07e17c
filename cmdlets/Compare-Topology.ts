import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { compareTopologies } from '../lib/topology/diff.js';
import { SETUP_PUBLISHED } from '../lib/help/example-setups.js';

export default {
  name: 'Compare-Topology',
  synopsis: 'Shows what differs between two published revisions, or between the draft and a published revision.',
  description: 'Compares object by object (sites, Front End pools, SQL stores, file stores, Persistent Chat pools) and returns one object per difference. By default the reference is the latest published revision and the difference is the draft: exactly what Publish-Topology would publish.',
  parameters: [
    { name: 'ReferenceRevision', type: 'int', position: 0, validateRange: { min: 0, max: 2 ** 31 - 1 }, help: 'The published revision to compare from (default: the latest; 0: nothing published).' },
    { name: 'DifferenceRevision', type: 'int', position: 1, validateRange: { min: 1, max: 2 ** 31 - 1 }, help: 'The published revision to compare to (default: the draft).' },
  ],
  outputType: 'TopologyChange',
  outputs: [
    { name: 'ObjectType', description: 'Site, FrontEndPool, SqlStore, FileStore, PersistentChatPool, OccupiedName or Product.' },
    { name: 'Identity', description: 'The object.' },
    { name: 'Change', description: 'Added, Removed or Changed.' },
    { name: 'Details', description: 'For Changed: property: old -> new.' },
  ],
  examples: [
    { title: 'What would be published', code: 'pchat Compare-Topology', remarks: 'The draft against the latest published revision (here: the site Dublin was added).', setup: SETUP_PUBLISHED },
    { title: 'Between two revisions', code: 'pchat Compare-Topology -ReferenceRevision 1 -DifferenceRevision 2', remarks: 'What publishing revision 2 changed.', setup: 'pchat Publish-Topology -Force' },
  ],
  async process(p: { ReferenceRevision?: number; DifferenceRevision?: number }, ctx) {
    const repo = ctx.repository();
    const ref = p.ReferenceRevision === 0 ? undefined : await repo.readPublished(p.ReferenceRevision);
    const diff = p.DifferenceRevision !== undefined ? (await repo.readPublished(p.DifferenceRevision))!.topology : (await repo.readDraft()).topology;
    return compareTopologies(ref?.topology, diff);
  },
} satisfies CmdletDefinition;
