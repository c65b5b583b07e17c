import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { ErrorRecord } from '../lib/cmdlet/errors.js';
import { PRODUCTS, type Product } from '../lib/topology/model.js';
import { changeTopology } from '../lib/topology/edit.js';

export default {
  name: 'New-Topology',
  synopsis: 'Creates an empty draft topology in the repository.',
  description:
    'Creates the repository folder (if needed) and an empty draft topology for the given product. Refuses when the repository already holds a draft, unless -Force replaces it (the replaced draft stays in the repository history). To start from the deployment\'s real topology, use Import-Topology instead.',
  parameters: [
    { name: 'Product', type: 'enum', validateSet: PRODUCTS, default: 'SkypeForBusiness2015', help: 'The server product whose rules apply (SQL Server support, etc.).' },
    { name: 'Force', type: 'switch', help: 'Replaces an existing draft (and does not ask for confirmation).' },
  ],
  supportsShouldProcess: true,
  confirmImpact: 'Low',
  outputType: 'TopologyDraft',
  outputs: [
    { name: 'Repository', description: 'The repository: its folder, or its sqlserver:// address.' },
    { name: 'Revision', description: 'The draft revision number.' },
    { name: 'Product', description: 'The product.' },
  ],
  examples: [
    { title: 'Start a topology for Skype for Business Server 2015', code: 'pchat New-Topology -Repository ~/pchat/contoso', remarks: 'Creates ~/pchat/contoso/draft.json (and the folders it needs).' },
    { title: 'Lync Server 2013, in the default repository', code: 'pchat New-Topology -Product Lync2013', remarks: 'The default repository is $PCHAT_REPOSITORY, else ~/.local/share/pchat-topology (Linux). Refused when it already holds a draft, unless -Force.' },
  ],
  async process(p: { Product: Product; Force?: boolean }, ctx) {
    const repo = ctx.repository();
    const exists = await repo.exists();
    if (exists && !p.Force) {
      throw new ErrorRecord({
        errorId: 'TopologyAlreadyExists',
        category: 'ResourceExists',
        target: ctx.repositoryPath,
        message: `The repository '${ctx.repositoryPath}' already holds a draft topology.`,
        recommendedAction: 'Use it as it is, give another -Repository, or add -Force to replace it (the old draft is kept in the draft history).',
      });
    }
    const r = await changeTopology(ctx, ctx.repositoryPath, exists ? 'Replace the draft topology' : 'Create a new topology', () => {}, { create: true, replace: true, product: p.Product });
    return r && { Repository: ctx.repositoryPath, Revision: r.draft.revision, Product: r.draft.topology.product };
  },
} satisfies CmdletDefinition;
