// A change to the draft that must not make the topology worse: the repository's integrity check
// refuses broken references, and here the rules refuse any new error the change introduces.
// Errors that were already there (e.g. in an imported deployment) do not block unrelated changes.
import { ErrorRecord, ExitCode } from '../cmdlet/errors.js';
import type { Topology } from './model.js';
import { Repository, type DraftDocument } from './repository.js';
import { validateTopology, type Finding } from './rules/index.js';

const key = (f: Finding) => `${f.Rule}|${f.Target}|${f.Message}`;

export interface EditResult {
  draft: DraftDocument;
  /** New warnings that concern the changed objects. */
  warnings: Finding[];
}

export async function editTopology(
  repositoryPath: string,
  mutate: (t: Topology, draft: DraftDocument) => void | Promise<void>,
  opts: { extraChecks?: (before: Topology, after: Topology) => Finding[] } = {},
): Promise<EditResult> {
  let warnings: Finding[] = [];
  const draft = await new Repository(repositoryPath).update(async (t, d) => {
    const before = structuredClone(t);
    await mutate(t, d);
    const old = new Set(validateTopology(before).map(key));
    const found = [...validateTopology(t), ...(opts.extraChecks?.(before, t) ?? [])].filter((f) => !old.has(key(f)));
    const errors = found.filter((f) => f.Severity === 'Error');
    if (errors.length) throw ruleViolation(errors);
    warnings = found.filter((f) => f.Severity === 'Warning');
  });
  return { draft, warnings };
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
