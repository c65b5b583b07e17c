// A change to the draft that must not make the topology worse: the repository's integrity check
// refuses broken references, and here the rules refuse any new error the change introduces.
// Errors that were already there (e.g. in an imported deployment) do not block unrelated changes.
import { ErrorRecord, ExitCode } from '../cmdlet/errors.js';
import type { Product, Topology } from './model.js';
import type { DraftDocument, TopologyRepository } from './repository.js';
import { adviseForNewPool, validateTopology, type Finding } from './rules/index.js';

/**
 * What a change needs from the command that makes it (structurally the cmdlet runtime's context, which
 * passes itself), so that the topology does not import the runtime.
 */
export interface EditContext {
  repository(): TopologyRepository;
  /** -WhatIf was given. */
  whatIf: boolean;
  /** shouldProcess will ask before the change. */
  needsConfirmation(): boolean;
  shouldProcess(target: string, action: string): Promise<boolean>;
  writeWarning(message: string): void;
}

const key = (f: Finding) => `${f.Rule}|${f.Target}|${f.Message}`;

export interface EditResult<R> {
  draft: DraftDocument;
  /** New warnings that concern the changed objects. */
  warnings: Finding[];
  /**
   * What `mutate` returned: a command builds its output there, from the topology that is checked and
   * then written, so nothing that can fail is left to do once the change is committed.
   */
  result: R;
  /** False when the change left the topology as it was (Repository.update then writes nothing). */
  changed: boolean;
}

export interface EditOptions {
  extraChecks?: (before: Topology, after: Topology) => Finding[];
  /** The Persistent Chat pool the change defines: a refusal advises New-PersistentChatPool's parameters, not commands on a pool that does not exist. */
  newPersistentChatPool?: string;
  /** For New-Topology: start from an empty topology (see Repository.update). */
  create?: boolean;
  replace?: boolean;
  product?: Product;
  /** Make the change and run every check on the draft as it is, and write nothing (-WhatIf). */
  dryRun?: boolean;
}

async function editTopology<R>(
  ctx: EditContext,
  mutate: (t: Topology, draft: DraftDocument) => R | Promise<R>,
  opts: EditOptions = {},
): Promise<EditResult<R>> {
  let warnings: Finding[] = [];
  let result!: R;
  const { draft, changed } = await ctx.repository().updateReporting(
    async (t, d) => {
      const before = structuredClone(t);
      result = await mutate(t, d);
      const old = new Set(validateTopology(before).map(key));
      const isNew = (f: Finding) => !old.has(key(f));
      const check = () => [...validateTopology(t), ...(opts.extraChecks?.(before, t) ?? [])].filter(isNew);
      const found = check();
      let errors = found.filter((f) => f.Severity === 'Error');
      if (errors.length && opts.newPersistentChatPool) {
        // The same errors, their advice worded for New-PersistentChatPool. Checked again only on this refusal
        // path: warnings are printed once the pool exists, so their advice stays about the pool.
        errors = adviseForNewPool(opts.newPersistentChatPool, check).filter((f) => f.Severity === 'Error');
      }
      if (errors.length) throw ruleViolation(errors);
      warnings = found.filter((f) => f.Severity === 'Warning');
    },
    { create: opts.create, replace: opts.replace, product: opts.product, dryRun: opts.dryRun },
  );
  return { draft, warnings, result, changed };
}

/**
 * A change of the draft under ShouldProcess: the one way every New-, Set- and Remove- command changes
 * the repository. Under -WhatIf the change and every check of the real run are made on an in-memory copy
 * of the draft, so a change the real run would refuse is refused the same way (same record, same exit code),
 * and only one that would succeed prints "What if:"; nothing is written and no lock is taken. A change that
 * will ask for confirmation is checked that way first too, so nobody is asked to confirm a refused change.
 * Returns undefined when the change was not made (-WhatIf, or declined); when the dry run shows that nothing
 * would change, its result, with no "What if:" line and no question.
 */
export async function changeTopology<R>(
  ctx: EditContext,
  target: string,
  action: string,
  mutate: (t: Topology, draft: DraftDocument) => R | Promise<R>,
  opts: EditOptions = {},
): Promise<EditResult<R> | undefined> {
  if (ctx.whatIf || ctx.needsConfirmation()) {
    const dry = await editTopology(ctx, mutate, { ...opts, dryRun: true });
    // The command reports it as the real run would, which writes nothing either.
    if (!dry.changed) return dry;
  }
  if (!(await ctx.shouldProcess(target, action))) return undefined;
  const r = await editTopology(ctx, mutate, opts);
  r.warnings.forEach((w) => ctx.writeWarning(`${w.Message} ${w.RecommendedAction}`));
  return r;
}

export function ruleViolation(errors: Finding[]): ErrorRecord {
  return new ErrorRecord({
    errorId: 'TopologyRuleViolation',
    category: 'InvalidOperation',
    target: errors[0]!.Target,
    message: `The change was refused; nothing was written. ${errors.map((e) => `Rule ${e.Rule} (${e.Target}): ${e.Message}`).join(' ')}`,
    recommendedAction: [...new Set(errors.map((e) => e.RecommendedAction).filter(Boolean))].join(' '),
    exitCode: ExitCode.TestFailed,
  });
}

export function formatFinding(f: Finding): string {
  return `Rule ${f.Rule} (${f.Target}): ${f.Message}${f.RecommendedAction ? ' ' + f.RecommendedAction : ''}`;
}
