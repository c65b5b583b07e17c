import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { exportDocument, resolveExportTarget, writeExport } from '../lib/topology/xml/export-json.js';
import { SETUP_PUBLISHED } from '../lib/help/example-setups.js';

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
    'With -Path the document is pretty-printed so that two exports diff well, and a file is written atomically (a reader sees the old file or the new one, never half of one); without -Path the document is one JSON object on stdout (on a terminal a short summary is shown: redirect stdout or add -OutputFormat Json). ' +
    "-Path - writes the pretty-printed document to stdout (also on a terminal). A symbolic link is followed: the file it leads to is replaced, or created when the link dangles, and the link stays a link. A character device or named pipe (/dev/null, /dev/stdout, a FIFO) or a Unix socket is written to as it is, never replaced; a block device or a folder is refused. " +
    "Json is the only format: writing Lync's own topology XML (for Publish-CsTopology) is out of scope until a real topology document containing a Persistent Chat pool is available to check the element names against. Import-Topology reads this JSON back (a restore), as well as Lync's XML.",
  parameters: [
    { name: 'Format', type: 'enum', validateSet: ['Json'], default: 'Json', help: "The output format. Only Json: Lync's topology XML is not written (see the description)." },
    { name: 'Revision', type: 'int', validateRange: { min: 1, max: 2 ** 31 - 1 }, help: 'A published revision number. Default: the draft.' },
    { name: 'Path', type: 'string', position: 0, help: "The file to write: replaced atomically, its folder must exist; a symbolic link is followed (a dangling link's target is created); a device, named pipe or socket (/dev/null, /dev/stdout) is written in place, never replaced. '-' is stdout (pretty-printed). Default: one JSON object on stdout." },
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
  notes: ['With -Path (other than -Path - or /dev/stdout) nothing is written to stdout.', 'Exit 2: -Path is empty, a folder or a block device.'],
  examples: [
    { title: 'Back up the draft', code: 'pchat Export-Topology -Path draft-backup.json', remarks: 'Writes the draft as pretty-printed JSON; Import-Topology draft-backup.json -Force restores it.', setup: SETUP_PUBLISHED },
    { title: 'A published revision to stdout', code: 'pchat Export-Topology -Revision 1 > rev1.json', remarks: 'One JSON object on stdout, redirected to a file.' },
    { title: 'The pretty-printed document on stdout', code: 'pchat Export-Topology -Path - | less', remarks: "-Path - is stdout, as for Import-Topology (where it is stdin)." },
    { title: 'Review what changed since a publish', code: 'pchat Export-Topology -Revision 1 -Path a.json && pchat Export-Topology -Path b.json && diff a.json b.json | less', remarks: 'Both files use the same layout, so a plain diff shows the change (Compare-Topology lists it object by object).' },
  ],
  async process(p: Params, ctx) {
    // Where -Path leads is decided first: a usage error (an empty path, a folder) before the repository is read.
    const target = p.Path === undefined ? undefined : await resolveExportTarget(p.Path);
    const doc = await exportDocument(ctx.repository(), p.Revision);
    if (!target) return doc;
    const what = doc.kind === 'Draft' ? `the draft (revision ${doc.revision})` : `published revision ${doc.revision}`;
    const where = target.kind === 'stdout' ? 'stdout' : target.given;
    // stdout changes nothing, as without -Path: -WhatIf still shows the document (`-Path - -WhatIf > f` is not empty).
    if (target.kind !== 'stdout' && !(await ctx.shouldProcess(where, `Write ${what} as JSON`))) return;
    if (target.kind === 'inPlace' && !target.openFile) ctx.writeVerbose(`${target.file} is not a regular file: writing to it in place (a named pipe waits for its reader).`);
    const bytes = await writeExport(target, doc);
    ctx.writeVerbose(`Wrote ${what} to ${where} (${bytes} bytes).`);
  },
} satisfies CmdletDefinition;
