// Puts an imported topology into the repository's draft: into a new or empty draft, replacing a
// draft (-Force), or merged into it (-Merge). The plan is made first (for -WhatIf and for refusing
// early) and made again under the repository lock, so a concurrent change is never overwritten.
import { ErrorRecord } from '../../cmdlet/errors.js';
import type { Topology } from '../model.js';
import type { DraftDocument, TopologyRepository } from '../repository.js';
import { validateTopology, type Finding } from '../rules/index.js';
import { applyMerge, identitiesOf, isEmptyTopology, planMerge, type MergeConflict, type MergePlan } from './merge.js';

export type ImportMode = 'New' | 'Replace' | 'Merge';

export interface ImportPlan extends MergePlan {
  mode: ImportMode;
  /** Persistent Chat pools a replace discards. */
  discardedPools: string[];
}

export interface ImportOptions {
  merge: boolean;
  force: boolean;
  /** For messages: the document's name. */
  sourceName: string;
  /** The document states every fact of its objects (this tool's JSON): see MergeOptions. */
  complete?: boolean;
}

export function planImport(current: Topology | undefined, imported: Topology, opts: ImportOptions, repositoryPath: string): ImportPlan {
  if (!current || isEmptyTopology(current)) {
    return { mode: 'New', added: identitiesOf(imported), skipped: [], conflicts: [], discardedPools: [] };
  }
  if (opts.merge) return { mode: 'Merge', ...planMerge(current, imported, opts), discardedPools: [] };
  if (!opts.force) throw draftNotEmpty(current, repositoryPath);
  const kept = new Set(imported.persistentChatPools.map((p) => p.fqdn.toLowerCase()));
  const discardedPools = current.persistentChatPools.map((p) => p.fqdn).filter((f) => !kept.has(f.toLowerCase()));
  return { mode: 'Replace', added: identitiesOf(imported), skipped: [], conflicts: [], discardedPools };
}

export interface ImportWritten {
  plan: ImportPlan;
  draft: DraftDocument;
  /** Rule findings the import introduced (the document is the deployment's truth, so they do not block it). */
  newFindings: Finding[];
  /** False when the draft already was the document (Repository.update then writes nothing). */
  written: boolean;
}

export async function writeImport(repo: TopologyRepository, imported: Topology, opts: ImportOptions): Promise<ImportWritten> {
  let plan: ImportPlan | undefined;
  let newFindings: Finding[] = [];
  const { draft, changed } = await repo.updateReporting(
    (t) => {
      const before = structuredClone(t);
      const again = planImport(t, imported, opts, repo.folder);
      if (again.mode === 'Merge' && again.conflicts.length && !opts.force) throw mergeConflict(again.conflicts, opts.sourceName, repo.folder);
      if (again.mode === 'Merge') applyMerge(t, imported, opts);
      else Object.assign(t, structuredClone(imported));
      plan = again;
      const old = new Set(validateTopology(before).map(findingKey));
      newFindings = validateTopology(t).filter((f) => !old.has(findingKey(f)));
    },
    { create: true, product: imported.product },
  );
  return { plan: plan!, draft, newFindings, written: changed };
}

const findingKey = (f: Finding) => `${f.Rule}|${f.Target}|${f.Message}`;

export function draftNotEmpty(current: Topology, repositoryPath: string): ErrorRecord {
  const counts = [
    `${current.sites.length} site(s)`,
    `${current.frontEndPools.length} Front End pool(s)`,
    `${current.persistentChatPools.length} Persistent Chat pool(s)`,
  ].join(', ');
  return new ErrorRecord({
    errorId: 'TopologyDraftNotEmpty',
    category: 'ResourceExists',
    target: repositoryPath,
    message: `The repository '${repositoryPath}' already holds a draft topology (${counts}); nothing was imported.`,
    recommendedAction:
      'Add -Merge to add the document\'s objects to the draft (identical ones are skipped), or -Force to replace the draft (the old one is kept in the draft history), or give another -Repository.',
  });
}

export function mergeConflict(conflicts: MergeConflict[], sourceName: string, repositoryPath: string): ErrorRecord {
  const shown = conflicts.slice(0, 20).map((c) => `${c.Kind} ${c.Identity} (${c.Differences})`);
  if (conflicts.length > shown.length) shown.push(`and ${conflicts.length - shown.length} more`);
  return new ErrorRecord({
    errorId: 'TopologyMergeConflict',
    category: 'ResourceExists',
    target: repositoryPath,
    message: `Merging '${sourceName}' into the draft found ${conflicts.length} conflict(s); nothing was written: ${shown.join('; ')}.`,
    recommendedAction: 'Review the Conflicts of the output; run again with -Force to let the document win, or change the draft first.',
  });
}
