import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { Repository } from '../lib/topology/repository.js';
import { exportDocument, writeExportFile } from '../lib/topology/xml/export-json.js';

interface Params {
  Format: 'Json';
  Revision?: number;
  Path?: string;
}

export default {
  name: 'Export-Topology',
  synopsis: "Writes the draft topology, or a published revision, as the tool's own JSON (for backups and code review).",
  description:
    "Writes the whole topology document as JSON: schemaVersion, kind (Draft or Published), revision, who changed or published it and when, and the topology itself (sites, Front End pools, SQL stores, file stores, Persistent Chat pools, occupied names). " +
    'With -Path the file is written atomically (a reader sees the old file or the new one, never half of one) and pretty-printed so that two exports diff well; without -Path the document is one JSON object on stdout (on a terminal a short summary is shown: redirect stdout or add -OutputFormat Json). ' +
    "Json is the only format: writing Lync's own topology XML (for Publish-CsTopology) is out of scope until a real topology document containing a Persistent Chat pool is available to check the element names against. Import-Topology reads Lync's XML.",
  parameters: [
    { name: 'Format', type: 'enum', validateSet: ['Json'], default: 'Json', help: "The output format. Only Json: Lync's topology XML is not written (see the description)." },
    { name: 'Revision', type: 'int', validateRange: { min: 1, max: 2 ** 31 - 1 }, help: 'A published revision number. Default: the draft.' },
    { name: 'Path', type: 'string', position: 0, help: 'The file to write (replaced atomically; a symbolic link is followed; its folder must exist). Default: stdout.' },
  ],
  supportsShouldProcess: true,
  confirmImpact: 'Low',
  outputType: 'TopologyExport',
  outputs: [
    { name: 'schemaVersion', description: 'Version of this JSON layout.' },
    { name: 'kind', description: 'Draft or Published.' },
    { name: 'revision', description: 'The draft revision, or the published revision number.' },
    { name: 'basedOnPublishedRevision, modifiedAt, modifiedBy', description: 'Draft: the published revision it started from, when and by whom it was last changed.' },
    { name: 'publishedAt, publishedBy, summary', description: 'Published revision: when, by whom and what was published.' },
    { name: 'topology', description: 'The topology document.' },
  ],
  defaultDisplay: ['kind', 'revision', 'schemaVersion'],
  notes: ['With -Path nothing is written to stdout.'],
  examples: [
    { title: 'Back up the draft', code: 'pchat Export-Topology -Path draft-backup.json', remarks: 'Writes the draft as pretty-printed JSON.' },
    { title: 'A published revision to stdout', code: 'pchat Export-Topology -Revision 2 > rev2.json', remarks: 'One JSON object on stdout, redirected to a file.' },
    { title: 'Review what changed since a publish', code: 'pchat Export-Topology -Revision 2 -Path a.json; pchat Export-Topology -Path b.json; diff a.json b.json', remarks: 'Both files use the same layout, so a plain diff shows the change.' },
  ],
  async process(p: Params, ctx) {
    const doc = await exportDocument(new Repository(ctx.repositoryPath), p.Revision);
    if (p.Path === undefined) return doc;
    const what = doc.kind === 'Draft' ? `the draft (revision ${doc.revision})` : `published revision ${doc.revision}`;
    if (!(await ctx.shouldProcess(p.Path, `Write ${what} as JSON`))) return;
    const bytes = await writeExportFile(p.Path, doc);
    ctx.writeVerbose(`Wrote ${what} to ${p.Path} (${bytes} bytes).`);
  },
} satisfies CmdletDefinition;
