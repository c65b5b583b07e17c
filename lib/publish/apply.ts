// Publish-Topology's engine: validate, prove the environment, then apply the plan's steps and write
// the new published revision last. Nothing changes before every check passed; an interruption leaves
// the previous published revision in force, and a second run completes the job (steps are idempotent).
import { ErrorRecord, ExitCode } from '../cmdlet/errors.js';
import type { Logger } from '../cmdlet/types.js';
import { dnsCheck } from '../probes/net.js';
import { mapBounded, type CheckRow, type Credential } from '../probes/types.js';
import { withLock } from '../topology/lock.js';
import { currentUser, Repository, type DraftDocument, type PublishedRevision } from '../topology/repository.js';
import { validateTopology } from '../topology/rules/index.js';
import { formatFinding } from '../topology/edit.js';
import { summarizeChanges } from '../topology/diff.js';
import { planPublish, type PlanStep, type PublishPlan } from './plan.js';

export interface PublishOptions {
  repositoryPath: string;
  runId: string;
  log: Logger;
  skipDatabase?: boolean;
  smbCredential?: Credential;
  sqlCredential?: Credential;
  encrypt?: 'Mandatory' | 'Optional' | 'Strict';
  trustServerCertificate?: boolean;
  timeoutMs: number;
  concurrency: number;
  /** Publish although another revision was published after the draft was based (reviewed by the user). */
  rebase?: boolean;
  /** -WhatIf: validate and run the read-only probes, then stop. */
  whatIf: boolean;
  /** Asked once before the first change (ShouldProcess, ConfirmImpact High). */
  confirm: (target: string, action: string) => Promise<boolean>;
  /** Ctrl+C: no further step starts and no revision is written. */
  signal?: AbortSignal;
  /** Prints the plan as What if lines. */
  showPlan: (step: PlanStep) => Promise<void>;
}

export type StepStatus = 'Done' | 'AlreadyDone' | 'Failed' | 'NotRun';

export interface StepResult {
  Step: string;
  Target: string;
  Status: StepStatus;
  Details: string;
  DurationMs: number;
}

export interface PublishResult {
  Status: 'Published' | 'UpToDate' | 'WhatIf' | 'Declined' | 'Failed';
  Revision: number;
  PreviousRevision: number;
  Summary: string;
  Steps: StepResult[];
  Warnings: string[];
  Checks: CheckRow[];
  ToDo: string[];
  RunId: string;
}

const PUBLISH_LOCK = '.publish.lock';

function refusal(errorId: string, message: string, target: string, recommendedAction: string, exitCode: (typeof ExitCode)[keyof typeof ExitCode] = ExitCode.TestFailed): ErrorRecord {
  return new ErrorRecord({ errorId, category: 'InvalidOperation', target, message, recommendedAction, exitCode });
}

function staleBase(draft: DraftDocument, latest: PublishedRevision | undefined): ErrorRecord | undefined {
  const latestNumber = latest?.revision ?? 0;
  if (latestNumber === draft.basedOnPublishedRevision) return undefined;
  return refusal(
    'TopologyPublishedConcurrently',
    `Revision ${latestNumber} was published by ${latest?.publishedBy ?? 'someone'} at ${latest?.publishedAt ?? '?'} after this draft was based on revision ${draft.basedOnPublishedRevision}. Publishing now would overwrite that change.`,
    String(latestNumber),
    `Review the difference (pchat Compare-Topology -ReferenceRevision ${latestNumber}), bring the draft up to date, then run Publish-Topology -Rebase to publish the draft over it.`,
    ExitCode.Error,
  );
}

/** Every probe the plan needs, concurrently and bounded; each returns rows, never throws. */
async function runProbes(plan: PublishPlan, o: PublishOptions): Promise<CheckRow[]> {
  const jobs: (() => Promise<CheckRow[]>)[] = [];
  for (const name of plan.dnsNames) jobs.push(async () => [await dnsCheck(name, name, o.timeoutMs)]);
  if (plan.sqlProbes.length) {
    const { testSqlStore } = await import('../probes/sql/index.js');
    for (const s of plan.sqlProbes) {
      jobs.push(() =>
        testSqlStore(
          { server: s.server, instance: s.instance, port: s.port, credential: o.sqlCredential, encrypt: o.encrypt, trustServerCertificate: o.trustServerCertificate, connectTimeoutMs: o.timeoutMs, requestTimeoutMs: o.timeoutMs },
          { product: plan.product, ...s.expect },
          s.store,
        ),
      );
    }
  }
  if (plan.fileProbes.length) {
    const { testFileStore } = await import('../probes/smb/index.js');
    for (const f of plan.fileProbes) {
      jobs.push(() => testFileStore({ server: f.server, share: f.share, credential: o.smbCredential, timeoutMs: o.timeoutMs }, { published: false }, f.store));
    }
  }
  const results = await mapBounded(jobs, o.concurrency, (job) => job());
  const rows = results.flat();
  rows.forEach((r) => o.log.verbose(`${r.Status}: ${r.Target} - ${r.Check}: ${r.Details}`, { check: r }));
  return rows;
}

/** `created`: folders this run created (their permissions need no read before they are set). */
async function applyStep(step: PlanStep, o: PublishOptions, created: Set<string>): Promise<{ status: StepStatus; details: string }> {
  switch (step.kind) {
    case 'CreateFolder': {
      const { ensureFolder } = await import('../probes/smb/index.js');
      const f = step.file!;
      const r = await ensureFolder({ server: f.server, share: f.share, credential: o.smbCredential, timeoutMs: o.timeoutMs }, f.folder);
      if (r === 'created') created.add(step.target + '\\' + f.folder);
      return r === 'created' ? { status: 'Done', details: `created ${f.folder}` } : { status: 'AlreadyDone', details: `${f.folder} exists` };
    }
    case 'SetFolderPermissions': {
      const { applyPolicy } = await import('../probes/smb/index.js');
      const f = step.file!;
      const r = await applyPolicy({ server: f.server, share: f.share, credential: o.smbCredential, timeoutMs: o.timeoutMs }, f.folder, undefined, { justCreated: created.has(step.target) });
      return r === 'changed' ? { status: 'Done', details: 'permissions set to the policy' } : { status: 'AlreadyDone', details: 'permissions already match the policy' };
    }
    case 'CreateDatabase': {
      const { ensureDatabase } = await import('../probes/sql/index.js');
      const s = step.sql!;
      const r = await ensureDatabase(
        { server: s.server, instance: s.instance, port: s.port, credential: o.sqlCredential, encrypt: o.encrypt, trustServerCertificate: o.trustServerCertificate, connectTimeoutMs: o.timeoutMs, requestTimeoutMs: Math.max(o.timeoutMs, 120_000) },
        s.database,
      );
      return r === 'created' ? { status: 'Done', details: `created ${s.database}` } : { status: 'AlreadyDone', details: `${s.database} exists; reused (never dropped or overwritten)` };
    }
    default:
      throw new Error(`step ${step.kind} is applied by the publisher`);
  }
}

export async function publishTopology(o: PublishOptions): Promise<PublishResult> {
  const repo = new Repository(o.repositoryPath);
  // No repository: say so (RepositoryNotFound) rather than fail creating the publish lock in a missing folder.
  await repo.readDraft();
  // One publish at a time per repository; a second one is refused at once rather than queued.
  return withLock(o.repositoryPath, () => publishLocked(repo, o), { name: PUBLISH_LOCK, timeoutMs: 0 }).catch((e) => {
    if (e instanceof ErrorRecord && e.errorId === 'RepositoryLocked') {
      throw refusal('PublishInProgress', `Another Publish-Topology is running on '${o.repositoryPath}'. ${e.message}`, o.repositoryPath, 'Wait for it to finish, then run Publish-Topology again (it will find the work done).', ExitCode.RepositoryBusy);
    }
    throw e;
  });
}

async function publishLocked(repo: Repository, o: PublishOptions): Promise<PublishResult> {
  const draft = await repo.readDraft();
  const latest = await repo.readPublished();
  const stale = staleBase(draft, latest);
  if (stale && !o.rebase) throw stale;

  const findings = validateTopology(draft.topology);
  const errors = findings.filter((f) => f.Severity === 'Error');
  const warnings = findings.filter((f) => f.Severity === 'Warning').map(formatFinding);
  if (errors.length) {
    errors.forEach((f) => o.log.error(formatFinding(f), { rule: f.Rule, target: f.Target }));
    throw refusal('TopologyValidationFailed', `The topology has ${errors.length} error(s); nothing was changed. ${errors.map(formatFinding).join(' ')}`, errors[0]!.Target, 'Fix the errors (pchat Test-Topology lists them with what to do), then publish again.');
  }

  const plan = planPublish(draft.topology, latest, { skipDatabase: o.skipDatabase });
  o.log.info('plan', { steps: plan.steps.map((s) => `${s.action} @ ${s.target}`), todo: plan.todo, runId: o.runId });
  const checks = await runProbes(plan, o);
  const failed = checks.filter((c) => c.Status === 'Failed');
  checks.filter((c) => c.Status === 'Warning').forEach((c) => warnings.push(`${c.Target}: ${c.Check}: ${c.Details}`));
  const base: Omit<PublishResult, 'Status' | 'Steps'> = {
    Revision: plan.toRevision,
    PreviousRevision: plan.fromRevision,
    Summary: summarizeChanges(plan.changes),
    Warnings: warnings,
    Checks: checks,
    ToDo: plan.todo,
    RunId: o.runId,
  };
  const notRun = (): StepResult[] => plan.steps.map((s) => ({ Step: s.action, Target: s.target, Status: 'NotRun', Details: '', DurationMs: 0 }));
  if (failed.length) {
    throw refusal(
      'PublishPrecheckFailed',
      `${failed.length} environment check(s) failed; nothing was changed. ${failed.map((c) => `[${c.Target}] ${c.Check}: ${c.Details}`).join(' ')}`,
      failed[0]!.Target,
      [...new Set(failed.map((c) => c.RecommendedAction).filter(Boolean))].join(' '),
    );
  }
  if (o.signal?.aborted) {
    throw refusal('PublishInterrupted', 'Publishing was interrupted (Ctrl+C) before any change.', o.repositoryPath, 'Run Publish-Topology again when ready.', ExitCode.Interrupted);
  }
  if (o.whatIf) {
    for (const s of plan.steps) await o.showPlan(s);
    return { ...base, Status: 'WhatIf', Steps: notRun() };
  }
  const action = plan.changes.length ? `Publish topology revision ${plan.toRevision} (${plan.steps.length} steps)` : `Re-apply ${plan.steps.length} file store and database steps (no topology change)`;
  if (!(await o.confirm(o.repositoryPath, action))) return { ...base, Status: 'Declined', Steps: notRun() };

  const results = new Map<PlanStep, StepResult>();
  const envSteps = plan.steps.filter((s) => s.kind !== 'BackupPublishedRevision' && s.kind !== 'WritePublishedRevision');
  // Steps of one pool run in order (folder before its permissions); pools run concurrently, bounded.
  const groups = new Map<string, PlanStep[]>();
  for (const s of envSteps) groups.set(s.pool ?? '', [...(groups.get(s.pool ?? '') ?? []), s]);
  const byPool = [...groups.values()];
  let firstFailure: { step: PlanStep; error: string } | undefined;
  const created = new Set<string>();
  await mapBounded(byPool, o.concurrency, async (steps) => {
    for (const step of steps) {
      if (firstFailure) break;
      if (o.signal?.aborted) {
        firstFailure ??= { step, error: 'interrupted (Ctrl+C) before this step' };
        break;
      }
      const start = performance.now();
      try {
        const r = await applyStep(step, o, created);
        results.set(step, { Step: step.action, Target: step.target, Status: r.status, Details: r.details, DurationMs: Math.round(performance.now() - start) });
        o.log.info(`${r.status}: ${step.action} on ${step.target}`, { step: step.kind, target: step.target, status: r.status, runId: o.runId });
        o.log.verbose(`${step.action} on ${step.target}: ${r.details}`);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        results.set(step, { Step: step.action, Target: step.target, Status: 'Failed', Details: msg, DurationMs: Math.round(performance.now() - start) });
        o.log.error(`Failed: ${step.action} on ${step.target}: ${msg}`, { step: step.kind, target: step.target, runId: o.runId });
        firstFailure ??= { step, error: msg };
        break;
      }
    }
  });
  const stepResults = (): StepResult[] => plan.steps.map((s) => results.get(s) ?? { Step: s.action, Target: s.target, Status: 'NotRun', Details: '', DurationMs: 0 });
  if (firstFailure) {
    const e = refusal(
      'PublishStepFailed',
      `Publishing stopped at "${firstFailure.step.action}" on ${firstFailure.step.target}: ${firstFailure.error}. Published revision ${plan.fromRevision || '(none)'} is still the one in force.`,
      firstFailure.step.target,
      'Fix the cause, then run Publish-Topology again: finished steps are detected and not repeated.',
      ExitCode.Error,
    );
    (e as ErrorRecord & { result?: PublishResult }).result = { ...base, Status: 'Failed', Steps: stepResults() };
    throw e;
  }
  if (!plan.changes.length) return { ...base, Status: 'UpToDate', Steps: stepResults() };

  // Last: back up the revision in force, then write the new one (atomic; EEXIST if another publish won).
  await repo.withLock(async () => {
    const d2 = await repo.readDraft();
    const l2 = await repo.readPublished();
    const stale2 = staleBase(d2, l2);
    if (stale2 && !(o.rebase && l2?.revision === plan.fromRevision)) throw stale2;
    for (const step of plan.steps.filter((s) => s.kind === 'BackupPublishedRevision' || s.kind === 'WritePublishedRevision')) {
      const start = performance.now();
      if (step.kind === 'BackupPublishedRevision' && l2) {
        const name = `Publish-Topology-Backup-${stamp(new Date())}-rev${l2.revision}.json`;
        const file = await repo.writeBackup(name, JSON.stringify(l2, null, 1) + '\n');
        results.set(step, { Step: step.action, Target: file, Status: 'Done', Details: `backed up to ${file}`, DurationMs: Math.round(performance.now() - start) });
      } else if (step.kind === 'WritePublishedRevision') {
        const rev: PublishedRevision = {
          schemaVersion: draft.schemaVersion,
          revision: plan.toRevision,
          publishedAt: new Date().toISOString(),
          publishedBy: currentUser(),
          summary: base.Summary,
          changes: plan.changes.map((c) => `${c.Change} ${c.ObjectType} ${c.Identity}${c.Details.length ? ': ' + c.Details.join('; ') : ''}`),
          runId: o.runId,
          draftRevision: draft.revision,
          topology: draft.topology,
        };
        await repo.writePublished(rev);
        await repo.rebaseDraftLocked(plan.toRevision);
        results.set(step, { Step: step.action, Target: `revision ${plan.toRevision}`, Status: 'Done', Details: base.Summary, DurationMs: Math.round(performance.now() - start) });
        o.log.info(`Published revision ${plan.toRevision}`, { revision: plan.toRevision, runId: o.runId });
      }
    }
  });
  return { ...base, Status: 'Published', Steps: stepResults() };
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}_${p(d.getMonth() + 1)}_${p(d.getDate())}-${p(d.getHours())}_${p(d.getMinutes())}_${p(d.getSeconds())}`;
}
