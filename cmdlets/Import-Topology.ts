import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { PRODUCTS, type Product } from '../lib/topology/model.js';
import { formatFinding } from '../lib/topology/edit.js';
import { decodeTopologyDocument, importTopologyDocument, type ImportResult } from '../lib/topology/xml/index.js';
import { readDocumentInput } from '../lib/topology/xml/input.js';
import { mergeConflict, planImport, writeImport, type ImportPlan } from '../lib/topology/xml/import-draft.js';

interface Params {
  Path: string;
  Merge?: boolean;
  Force?: boolean;
  Product?: Product;
}

function summary(source: string, ctx: { repositoryPath: string }, r: ImportResult, plan: ImportPlan, written: boolean, revision: number | null) {
  const t = r.topology;
  return {
    Path: source,
    Repository: ctx.repositoryPath,
    Form: r.form,
    Product: t.product,
    Mode: plan.mode,
    Sites: t.sites.length,
    FrontEndPools: t.frontEndPools.length,
    SqlStores: t.sqlStores.length,
    FileStores: t.fileStores.length,
    PersistentChatPools: t.persistentChatPools.length,
    OccupiedNames: t.occupiedNames.length,
    Added: plan.added,
    Skipped: plan.skipped,
    Conflicts: plan.conflicts,
    UnmodelledRoles: r.unmodelledRoles,
    Warnings: r.warnings,
    Written: written,
    Revision: revision,
  };
}

function describe(source: string, r: ImportResult, plan: ImportPlan): string {
  const t = r.topology;
  const pools = t.persistentChatPools.length ? `, ${t.persistentChatPools.length} Persistent Chat pool(s)` : '';
  const what = `${t.sites.length} site(s), ${t.frontEndPools.length} Front End pool(s), ${t.sqlStores.length} SQL store(s), ${t.fileStores.length} file store(s)${pools}, ${t.occupiedNames.length} occupied name(s)`;
  if (plan.mode === 'Merge') {
    return `Merge '${source}' into the draft (${plan.added.length} added, ${plan.skipped.length} identical skipped, ${plan.conflicts.length} conflict(s) won by the document)`;
  }
  return `${plan.mode === 'Replace' ? 'Replace the draft with' : 'Import'} '${source}' (${r.form} form: ${what})`;
}

export default {
  name: 'Import-Topology',
  synopsis: "Starts the draft from the deployment's real topology document instead of retyping it, or restores an Export-Topology backup.",
  description:
    'Reads the topology that Lync Server 2013 / Skype for Business Server 2015 already has: the published form (Get-CsTopology -AsXml > topology.xml) or a Topology Builder file (.tbxml), UTF-8 or UTF-16, with or without a byte-order mark, or Windows-1252 (what Windows PowerShell\'s Set-Content writes: a document that is not valid UTF-8 is read so, with a warning). ' +
    "It also reads this tool's own JSON back (Export-Topology's document, of the draft or of a published revision): the restore path of a backup. That document holds the whole topology, Persistent Chat pools included, and is checked as strictly as a repository file: malformed JSON (named by line and column), a wrong field (named by its JSON path) or a newer schemaVersion is refused and nothing is written. " +
    'It imports the central sites (id, name, location), the Front End pools (clusters running UserServices/Registrar; a single-machine cluster whose user store is on its own SQL instance is a Standard Edition server), the SQL stores (every SQL instance, default or named, with the AlwaysOn flag so the rules can judge it), the file stores (\\\\<file server>\\<share>) and, as occupied names, every other server FQDN (Edge, Office Web Apps, SQL hosts, Directors...) so that no Persistent Chat pool reuses one. ' +
    'Roles the tool does not model (WebServices, EdgeServer, ...) are counted in UnmodelledRoles. A Persistent Chat pool the deployment already runs is not imported: a warning names its FQDN, computers and site, and those names are left free so that New-PersistentChatPool can define it again. ' +
    'Into an empty or new repository the document becomes the draft. A non-empty draft is refused unless -Merge (identical objects are skipped, new ones added; objects with the same identity but other facts are conflicts, and nothing is written unless -Force lets the document win) or -Force (the draft is replaced; the old one is kept in the draft history). The document\'s warnings are shown only when it is imported, not when it is refused. ' +
    'The same rules apply to both forms. The whole document is read and checked before the repository is touched: a malformed or unknown document, or one with a DTD (refused: no external entities, no entity expansion), is an error naming the line and column, and the repository stays byte-for-byte as it was.',
  parameters: [
    { name: 'Path', type: 'string', mandatory: true, position: 0, aliases: ['FileName'], help: "The topology document (.xml from Get-CsTopology -AsXml, .tbxml, or this tool's JSON from Export-Topology). '-' reads it from stdin." },
    { name: 'Merge', type: 'switch', help: 'Adds the document to the existing draft: identical objects are skipped, conflicting ones reported (nothing is written unless -Force).' },
    { name: 'Force', type: 'switch', help: 'With -Merge: the document wins every conflict. Without -Merge: replaces a non-empty draft. Also does not ask for confirmation.' },
    { name: 'Product', type: 'enum', validateSet: PRODUCTS, help: 'The product, when the one read from the document (ServiceVersion 6: Lync2013, 7: SkypeForBusiness2015; the newest of them) is not wanted. Each Front End pool keeps its own product (8: SkypeForBusiness2019 and 5: Lync2010, never overridden, since they have no Persistent Chat).' },
  ],
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  outputType: 'TopologyImportSummary',
  outputs: [
    { name: 'Path', description: "The document read ('stdin' for -Path -)." },
    { name: 'Repository', description: 'The repository: its folder, or its sqlserver:// address.' },
    { name: 'Form', description: "Published (Get-CsTopology -AsXml), TopologyBuilder (.tbxml) or Json (this tool's Export-Topology document)." },
    { name: 'Product', description: 'The product of the imported topology.' },
    { name: 'Mode', description: 'New (new or empty draft), Replace (-Force) or Merge.' },
    { name: 'Sites, FrontEndPools, SqlStores, FileStores, PersistentChatPools, OccupiedNames', description: 'How many of each the document holds (Persistent Chat pools: only in the Json form).' },
    { name: 'Added', description: 'Objects added to the draft, as Kind:identity (Site:Redmond, FrontEndPool:fepool.pchat.test, ...).' },
    { name: 'Skipped', description: 'With -Merge: objects already in the draft, identical.' },
    { name: 'Conflicts', description: 'With -Merge: objects whose identity is in the draft with other facts: Kind, Identity, Differences (draft value, then imported value).' },
    { name: 'UnmodelledRoles', description: 'Services whose role the tool does not model, counted by role name.' },
    { name: 'Warnings', description: 'What the import noticed (SfB Server 2019, branch sites, mixed versions, existing Persistent Chat services...).' },
    { name: 'Written', description: 'True when the draft was written (false under -WhatIf, when conflicts stopped it, when -Merge found nothing new, or when the draft already was the document).' },
    { name: 'Revision', description: 'The draft revision written; when nothing was written, the current one (null when there is no draft).' },
  ],
  notes: ['Exit 1 when the document cannot be read or imported, when a non-empty draft needs -Merge or -Force, or when -Merge found conflicts without -Force (the summary is still written to stdout).'],
  examples: [
    {
      title: 'Start from the published topology',
      code: 'pchat Import-Topology -Path topology.xml',
      remarks: 'topology.xml is what Get-CsTopology -AsXml > topology.xml wrote on a Front End server. Creates the draft from the deployment (in an empty repository); then define the Persistent Chat pool with New-PersistentChatPool.',
    },
    {
      title: 'A Topology Builder file, from stdin',
      code: 'cat Contoso.tbxml | pchat Import-Topology -Path - -Repository ~/pchat/contoso',
      remarks: 'Reads the .tbxml that Topology Builder saved (UTF-8 with BOM) from the pipe, into another repository.',
    },
    {
      title: 'Refresh the draft from the deployment',
      code: 'pchat Import-Topology topology.xml -Merge -WhatIf\npchat Import-Topology topology.xml -Merge -Force',
      remarks: 'The first shows what would be added, skipped and what conflicts; the second lets the document win the conflicts. Persistent Chat pools of the draft are kept.',
    },
    {
      title: 'Restore a backup written by Export-Topology',
      code: 'pchat Export-Topology -Path backup.json\npchat Import-Topology backup.json -Force',
      remarks: 'The JSON holds the whole draft, Persistent Chat pools included; -Force replaces the draft with it (the replaced draft is kept in the draft history), -Merge adds it instead.',
    },
  ],
  async process(p: Params, ctx) {
    // Read and check the whole document before the repository is touched.
    const input = await readDocumentInput(p.Path);
    const decoded = decodeTopologyDocument(input.bytes, input.sourceName);
    const imported = importTopologyDocument(decoded.text, input.sourceName, { product: p.Product });
    if (decoded.warning) imported.warnings.unshift(decoded.warning);
    if (imported.exported) ctx.writeVerbose(`'${input.sourceName}' is an Export-Topology document: ${imported.exported.kind === 'Draft' ? `the draft at revision ${imported.exported.revision}` : `published revision ${imported.exported.revision}`}.`);

    const repo = ctx.repository();
    const draft = (await repo.exists()) ? await repo.readDraft() : undefined;
    const current = draft?.topology;
    const opts = { merge: p.Merge === true, force: p.Force === true, sourceName: input.sourceName, complete: imported.form === 'Json' };
    const plan = planImport(current, imported.topology, opts, ctx.repositoryPath);
    if (plan.conflicts.length && !opts.force) {
      ctx.writeError(mergeConflict(plan.conflicts, input.sourceName, ctx.repositoryPath));
      return summary(input.sourceName, ctx, imported, plan, false, draft?.revision ?? null);
    }
    // Only now: a refused import says why, not what the document would have brought.
    for (const w of imported.warnings) ctx.writeWarning(w);
    if (plan.mode === 'Merge' && !plan.added.length && !plan.conflicts.length) {
      ctx.writeVerbose(`The draft already holds everything in '${input.sourceName}'; nothing to write.`);
      return summary(input.sourceName, ctx, imported, plan, false, draft?.revision ?? null);
    }
    if (plan.discardedPools.length) {
      ctx.writeWarning(`Replacing the draft discards its Persistent Chat pool(s) ${plan.discardedPools.join(', ')} (the old draft is kept in the draft history). Use -Merge to keep them.`);
    }
    if (!(await ctx.shouldProcess(ctx.repositoryPath, describe(input.sourceName, imported, plan)))) {
      return summary(input.sourceName, ctx, imported, plan, false, draft?.revision ?? null);
    }
    // Planned again under the lock: a conflict or content that appeared meanwhile ends it (nothing written).
    const done = await writeImport(repo, imported.topology, opts);
    for (const f of done.newFindings) ctx.writeWarning(`After the import: ${formatFinding(f)}`);
    if (!done.written) ctx.writeVerbose(`The draft already is '${input.sourceName}'; nothing was written (revision ${done.draft.revision}).`);
    return summary(input.sourceName, ctx, imported, done.plan, done.written, done.draft.revision);
  },
} satisfies CmdletDefinition;
