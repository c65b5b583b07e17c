import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { FQDN, fqdnWithPart, LOCAL_PATH, SHARE_NAME } from '../lib/cmdlet/validators.js';
import { findFileStore } from '../lib/topology/model.js';
import { changeTopology } from '../lib/topology/edit.js';
import { addFileStore } from '../lib/topology/stores.js';
import { fileStoreView } from '../lib/topology/views.js';

export default {
  name: 'New-FileStore',
  synopsis: 'Defines a file store: a share on a file server, or a local path for a single-computer pool.',
  description:
    'Defines the file store that keeps a copy of every file uploaded to chat rooms. A multiple-computer pool needs a UNC share (\\\\<FileServerFqdn>\\<FileShare>); a single-computer pool may use a local path. The share may be defined before it exists, but it must exist before publishing (check it with Test-FileStore).',
  parameters: [
    { name: 'FileServerFqdn', type: 'string', mandatory: true, ...fqdnWithPart('FileServerFqdn', 'FileShare'), parameterSets: ['Share'], help: 'The file server FQDN.' },
    { name: 'FileShare', type: 'string', mandatory: true, ...SHARE_NAME, parameterSets: ['Share'], help: 'The share name.' },
    { name: 'Path', type: 'string', mandatory: true, parameterSets: ['Local'], ...LOCAL_PATH, help: 'A local path on the Persistent Chat server (single-computer pools only).' },
  ],
  parameterSets: [{ name: 'Share' }, { name: 'Local' }],
  supportsShouldProcess: true,
  confirmImpact: 'Low',
  outputType: 'FileStore',
  outputs: [
    { name: 'Identity', description: '\\\\server\\share or the local path.' },
    { name: 'FileServerFqdn, Share, Path', description: 'Its parts.' },
  ],
  examples: [
    { title: 'A share', code: 'pchat New-FileStore -FileServerFqdn fs01.contoso.com -FileShare pchat', remarks: 'Identity: \\\\fs01.contoso.com\\pchat', setup: 'pchat New-Topology' },
    { title: 'A local folder for a single-computer pool', code: "pchat New-FileStore -Path 'D:\\PChatFiles'", remarks: 'A path on the Persistent Chat server itself; a multiple-computer pool needs a share.' },
  ],
  async process(p: { FileServerFqdn?: string; FileShare?: string; Path?: string }, ctx) {
    const store = p.Path ? { path: p.Path } : { fileServerFqdn: p.FileServerFqdn, share: p.FileShare };
    const r = await changeTopology(ctx, p.Path ?? `\\\\${p.FileServerFqdn}\\${p.FileShare}`, 'Add file store', (t) => fileStoreView(findFileStore(t, addFileStore(t, store, { reuse: false }))!));
    return r?.result;
  },
} satisfies CmdletDefinition;
