// Publish-Topology's engine: validate, prove the environment, then apply the plan's steps and write
// the new published revision last. Nothing changes before every check passed; an interruption leaves
// the previous published revision in force, and a second run completes the job (steps are idempotent).
import { ErrorRecord, ExitCode } from '../cmdlet/errors.js';
import { finishing } from '../cmdlet/children.js';
import type { Logger } from '../cmdlet/types.js';
import { dnsCheck } from '../probes/net.js';
import type { Credential } from '../credential.js';
import { mapBounded, type CheckRow } from '../probes/types.js';
import { currentUser, storedJson, type DraftDocument, type PublishedRevision, type TopologyRepository } from '../topology/repository.js';
import { validateTopology } from '../topology/rules/index.js';
import { formatFinding } from '../topology/edit.js';
import { summarizeChanges } from '../topology/diff.js';
import { planPublish, type PlanStep, type PublishPlan } from './plan.js';
import type { RequiredAce } from '../probes/dacl/policy.js';
import type { SmbBackend } from '../probes/smb/types.js';

export interface PublishOptions {
  /** The draft's store; its `folder` (the folder or the sqlserver:// address, never a password) names it in messages. */
  repository: TopologyRepository;
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
  /** -PolicyFile: the file store policy to prove and apply (policy.ts policyFileInForce decides between it, PCHAT_FILESTORE_POLICY and the built-in table). */
  policyFile?: string;
  /** The SMB backend for the steps (in-process tests inject faults here; the command line cannot). */
  smbBackend?: SmbBackend;
}

/** RolledBack: done, then undone because the step it forms one unit with failed (a folder whose DACL could not be set). */
export type StepStatus = 'Done' | 'AlreadyDone' | 'Failed' | 'NotRun' | 'RolledBack';

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
  /** What this run created and left in place (databases are never dropped), so an operator and the rerun know. */
  Created: string[];
  /** The file store policy the checks proved and the steps applied: 'Built-in', or the policy file's path. */
  Policy: string;
  RunId: string;
}

/** What interrupted the run, as the user did it: the signal's reason is set by the command runner. */
function interruption(o: PublishOptions): string {
  return o.signal?.reason === 'SIGTERM' ? 'SIGTERM' : 'Ctrl+C';
}

function interruptedExit(o: PublishOptions): (typeof ExitCode)[keyof typeof ExitCode] {
  return o.signal?.reason === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
}

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
async function runProbes(plan: PublishPlan, o: PublishOptions, policy: RequiredAce[] | undefined): Promise<CheckRow[]> {
  const jobs: (() => Promise<CheckRow[]>)[] = [];
  for (const name of plan.dnsNames) jobs.push(async () => [await dnsCheck(name, name, o.timeoutMs)]);
  if (plan.sqlProbes.length) {
    const { testSqlStore } = await import('../probes/sql/index.js');
    for (const s of plan.sqlProbes) {
      jobs.push(() =>
        testSqlStore(
          { server: s.server, instance: s.instance, port: s.port, credential: o.sqlCredential, encrypt: o.encrypt, trustServerCertificate: o.trustServerCertificate, connectTimeoutMs: o.timeoutMs, requestTimeoutMs: o.timeoutMs },
          s.expect, // its product: the pools' next hops' (storePlan)
          s.store,
        ),
      );
    }
  }
  if (plan.fileProbes.length) {
    const { testFileStore } = await import('../probes/smb/index.js');
    for (const f of plan.fileProbes) {
      jobs.push(() => testFileStore({ server: f.server, share: f.share, credential: o.smbCredential, timeoutMs: o.timeoutMs }, { published: false, policy, comparePolicy: false, setsPolicy: true, poolFolders: f.folders }, f.store));
    }
  }
  const results = await mapBounded(jobs, o.concurrency, (job) => job());
  const rows = results.flat();
  rows.forEach((r) => o.log.verbose(`${r.Status}: ${r.Target} - ${r.Check}: ${r.Details}`, { check: r }));
  return rows;
}

type Outcome = { status: StepStatus; details: string } | { error: string };

/**
 * The file store steps of one share, in two batches: every folder of the share in one session,
 * then their permissions (set concurrently, read before and after in one listing each). A folder and
 * its DACL are one unit: when the DACL cannot be set on a folder this run created (still empty), the
 * folder is removed again, so no folder stands with the share root's inherited ACL.
 */
async function applyShareSteps(
  steps: PlanStep[],
  o: PublishOptions,
  policy: RequiredAce[] | undefined,
  record: (step: PlanStep, r: Outcome, ms: number) => boolean,
  mayStart: (step: PlanStep) => boolean,
): Promise<void> {
  const { ensureFolders, applyPolicies, resolvePolicyPrincipals, removeFolder, selectBackend } = await import('../probes/smb/index.js');
  const backend = o.smbBackend ?? (await selectBackend());
  const f = steps[0]!.file!;
  const target = { server: f.server, share: f.share, credential: o.smbCredential, timeoutMs: o.timeoutMs };
  const creates = steps.filter((s) => s.kind === 'CreateFolder');
  const perms = steps.filter((s) => s.kind === 'SetFolderPermissions');
  const created = new Set<string>();
  let start = performance.now();
  if (creates.length) {
    // The policy's group names are looked up while the folders are created: setting the DACLs then sends SIDs.
    const [r] = await Promise.all([ensureFolders(target, creates.map((s) => s.file!.folder), backend), perms.length ? resolvePolicyPrincipals(target, policy, backend) : undefined]);
    const ms = Math.round(performance.now() - start);
    let ok = true;
    for (const s of creates) {
      const x = r.get(s.file!.folder)!;
      if (x === 'created') created.add(s.file!.folder);
      ok = record(s, typeof x === 'string' ? (x === 'created' ? { status: 'Done', details: `created ${s.file!.folder}` } : { status: 'AlreadyDone', details: `${s.file!.folder} exists` }) : { error: x.message }, ms) && ok;
    }
    if (!ok) return;
  }
  // Ctrl+C between the two: the folders just created would stand with the inherited ACL, so their
  // permissions are set all the same (one short batch); nothing new starts after it.
  if (!perms.length || (!created.size && !mayStart(perms[0]!))) return;
  start = performance.now();
  // A call that throws fails every folder of the batch: those this run created are undone all the same.
  const r = await applyPolicies(target, perms.map((s) => ({ folder: s.file!.folder, justCreated: created.has(s.file!.folder) })), policy, backend).catch(
    (e: unknown) => new Map(perms.map((s) => [s.file!.folder, { message: e instanceof Error ? e.message : String(e) }])),
  );
  const ms = Math.round(performance.now() - start);
  for (const s of perms) {
    const folder = s.file!.folder;
    const x = r.get(folder)!;
    if (typeof x === 'string') {
      record(s, x === 'changed' ? { status: 'Done', details: 'permissions set to the policy' } : { status: 'AlreadyDone', details: 'permissions already match the policy' }, ms);
      continue;
    }
    if (!created.has(folder)) {
      record(s, { error: x.message }, ms);
      continue;
    }
    const undo = await removeFolder(target, folder, backend).then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    const createStep = creates.find((c) => c.file!.folder === folder)!;
    if (undo === undefined) {
      record(createStep, { status: 'RolledBack', details: `created ${folder}, then removed it again: its permissions could not be set` }, 0);
      record(s, { error: `${x.message} The empty folder ${folder} this run created was removed again.` }, ms);
    } else {
      record(s, { error: `${x.message} The folder ${folder} this run created could not be removed again (${undo}): it has the share root's inherited permissions until Publish-Topology runs again or it is removed by hand.` }, ms);
    }
  }
}

async function applyDatabaseStep(step: PlanStep, o: PublishOptions): Promise<{ status: StepStatus; details: string }> {
  const [{ ensureDatabase }, { PARAMETER_TERMS }] = await Promise.all([import('../sql/databases.js'), import('../probes/sql/terms.js')]);
  const s = step.sql!;
  const r = await ensureDatabase(
    { server: s.server, instance: s.instance, port: s.port, credential: o.sqlCredential, encrypt: o.encrypt, trustServerCertificate: o.trustServerCertificate, connectTimeoutMs: o.timeoutMs, requestTimeoutMs: Math.max(o.timeoutMs, 120_000) },
    s.database,
    { terms: PARAMETER_TERMS },
  );
  return r === 'created' ? { status: 'Done', details: `created ${s.database}` } : { status: 'AlreadyDone', details: `${s.database} exists; reused (never dropped or overwritten)` };
}

export async function publishTopology(o: PublishOptions): Promise<PublishResult> {
  const repo = o.repository;
  // No repository: say so (RepositoryNotFound) rather than fail creating the publish lock in a missing folder.
  await repo.readDraft();
  // -WhatIf changes nothing, so it takes no lock: a monitoring job's dry run never blocks the real publish,
  // and works for an account that may only read the repository.
  if (o.whatIf) return publishLocked(repo, o);
  // One publish at a time per repository: a second one gets exit 5 (see withPublishLock of each store).
  return repo.withPublishLock(() => publishLocked(repo, o)).catch((e) => {
    if (e instanceof ErrorRecord && e.errorId === 'RepositoryLocked') {
      throw refusal('PublishInProgress', `Another Publish-Topology is running on '${o.repository.folder}'. ${e.message}`, o.repository.folder, 'Wait for it to finish, then run Publish-Topology again (it will find the work done).', ExitCode.RepositoryBusy);
    }
    throw e;
  });
}

async function publishLocked(repo: TopologyRepository, o: PublishOptions): Promise<PublishResult> {
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

  // The file store policy in force is decided once, as Test-FileStore decides it, and read once (only when
  // a file store is involved) for every probe and every step: what the checks prove is what the steps set.
  const policies = await import('../probes/dacl/policy.js');
  const policyFile = policies.policyFileInForce(o.policyFile);
  const plan = planPublish(draft.topology, latest, { skipDatabase: o.skipDatabase, policy: policies.describePolicy(policyFile), policyIsFile: !!policyFile });
  o.log.info('plan', { steps: plan.steps.map((s) => `${s.action} @ ${s.target}`), todo: plan.todo, runId: o.runId });
  const policy = plan.fileProbes.length ? await policies.loadPolicy(policyFile) : undefined;
  const checks = await runProbes(plan, o, policy);
  const failed = checks.filter((c) => c.Status === 'Failed');
  checks.filter((c) => c.Status === 'Warning').forEach((c) => warnings.push(`${c.Target}: ${c.Check}: ${c.Details}`));
  const base: Omit<PublishResult, 'Status' | 'Steps'> = {
    Revision: plan.toRevision,
    PreviousRevision: plan.fromRevision,
    Summary: summarizeChanges(plan.changes),
    Warnings: warnings,
    Checks: checks,
    ToDo: plan.todo,
    Created: [],
    // Which table publish set on the pool folders; none is set when the plan has no share.
    Policy: plan.fileProbes.length ? (policyFile ?? 'Built-in') : 'None',
    RunId: o.runId,
  };
  const notRun = (): StepResult[] => plan.steps.map((s) => ({ Step: s.action, Target: s.target, Status: 'NotRun', Details: '', DurationMs: 0 }));
  // An interruption during the checks stops their tools (SIGTERM kills them), so their failures say
  // nothing about the environment: report the interruption, not "check(s) failed".
  if (o.signal?.aborted) {
    throw refusal('PublishInterrupted', `Publishing was interrupted (${interruption(o)}) before any change.`, o.repository.folder, 'Run Publish-Topology again when ready.', interruptedExit(o));
  }
  if (failed.length) {
    throw refusal(
      'PublishPrecheckFailed',
      `${failed.length} environment check(s) failed; nothing was changed. ${failed.map((c) => `[${c.Target}] ${c.Check}: ${c.Details}`).join(' ')}`,
      failed[0]!.Target,
      [...new Set(failed.map((c) => c.RecommendedAction).filter(Boolean))].join(' '),
    );
  }
  if (o.whatIf) {
    for (const s of plan.steps) await o.showPlan(s);
    return { Status: 'WhatIf', ...base, Steps: notRun() };
  }
  const action = plan.changes.length ? `Publish topology revision ${plan.toRevision} (${plan.steps.length} steps)` : `Re-apply ${plan.steps.length} file store and database steps (no topology change)`;
  if (!(await o.confirm(o.repository.folder, action))) return { Status: 'Declined', ...base, Steps: notRun() };

  const results = new Map<PlanStep, StepResult>();
  let firstFailure: { step: PlanStep; error: string } | undefined;
  /** Records a step's outcome; false when it failed (and from then on no step starts). */
  const record = (step: PlanStep, r: Outcome, ms: number): boolean => {
    if ('error' in r) {
      results.set(step, { Step: step.action, Target: step.target, Status: 'Failed', Details: r.error, DurationMs: ms });
      o.log.error(`Failed: ${step.action} on ${step.target}: ${r.error}`, { step: step.kind, target: step.target, runId: o.runId });
      firstFailure ??= { step, error: r.error };
      return false;
    }
    results.set(step, { Step: step.action, Target: step.target, Status: r.status, Details: r.details, DurationMs: ms });
    o.log.info(`${r.status}: ${step.action} on ${step.target}`, { step: step.kind, target: step.target, status: r.status, runId: o.runId });
    o.log.verbose(`${step.action} on ${step.target}: ${r.details}`);
    return true;
  };
  /** Before a step (or a share's batch) starts: false after a failure or Ctrl+C. */
  const mayStart = (step: PlanStep): boolean => {
    if (firstFailure) return false;
    if (o.signal?.aborted) {
      firstFailure = { step, error: `interrupted (${interruption(o)}) before this step` };
      return false;
    }
    return true;
  };
  // Jobs, run concurrently and bounded: the file store steps of each share as one job (its folders
  // in one session, then their permissions), and the databases of each instance as one job, in turn:
  // CREATE DATABASE locks model, so two at once on one instance would fail (error 1807).
  // The file stores go first, the databases after them: a folder that fails is undone (the folder and
  // its DACL are one unit), a database never is, so a failure leaves the least behind.
  const envSteps = plan.steps.filter((s) => s.kind !== 'BackupPublishedRevision' && s.kind !== 'WritePublishedRevision');
  const shares = new Map<string, PlanStep[]>();
  const instances = new Map<string, PlanStep[]>();
  for (const s of envSteps) {
    const [group, key] = s.file
      ? [shares, `${s.file.server.toLowerCase()}\\${s.file.share.toLowerCase()}`]
      : [instances, `${s.sql!.server.toLowerCase()}\\${(s.sql!.instance ?? '').toLowerCase()},${s.sql!.port ?? ''}`];
    if (!group.has(key)) group.set(key, []);
    group.get(key)!.push(s);
  }
  await mapBounded([...shares.values()], o.concurrency, async (steps) => {
    if (!mayStart(steps[0]!)) return;
    // A share that gets new folders is one unit with their DACLs: SIGTERM lets it finish (or undo) within
    // its grace rather than kill the tools between the folder and its DACL.
    const share = () => applyShareSteps(steps, o, policy, record, mayStart);
    await (steps.some((s) => s.kind === 'CreateFolder') ? finishing(share) : share()).catch((e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      // The share's first unfinished step failed; the rest were not run.
      const step = steps.find((x) => !results.has(x));
      if (step) record(step, { error: msg }, 0);
    });
  });
  await mapBounded([...instances.values()], o.concurrency, async (steps) => {
    for (const s of steps) {
      if (!mayStart(s)) return;
      const start = performance.now();
      const r: Outcome = await applyDatabaseStep(s, o).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
      record(s, r, Math.round(performance.now() - start));
    }
  });
  // What this run created and left in place: the folders that stand, and databases (never dropped).
  base.Created = plan.steps
    .filter((s) => (s.kind === 'CreateFolder' || s.kind === 'CreateDatabase') && results.get(s)?.Status === 'Done')
    .map((s) => (s.file ? `folder \\\\${s.file.server}\\${s.file.share}\\${s.file.folder}` : `database ${s.sql!.database} on ${s.target}`));
  const stepResults = (): StepResult[] => plan.steps.map((s) => results.get(s) ?? { Step: s.action, Target: s.target, Status: 'NotRun', Details: '', DurationMs: 0 });
  if (firstFailure) {
    const e = refusal(
      'PublishStepFailed',
      `Publishing stopped at "${firstFailure.step.action}" on ${firstFailure.step.target}: ${firstFailure.error}${/[.!?]$/.test(firstFailure.error) ? '' : '.'} Published revision ${plan.fromRevision || '(none)'} is still the one in force.${base.Created.length ? ` Kept from this run: ${base.Created.join(', ')}.` : ''}`,
      firstFailure.step.target,
      'Fix the cause, then run Publish-Topology again: finished steps are detected and not repeated.',
      ExitCode.Error,
    );
    (e as ErrorRecord & { result?: PublishResult }).result = { Status: 'Failed', ...base, Steps: stepResults() };
    throw e;
  }
  // Ctrl+C after every step had started: they finished, but the revision in force must not change now.
  if (o.signal?.aborted) {
    const e = refusal(
      'PublishInterrupted',
      `Publishing was interrupted (${interruption(o)}) after its file store and database steps; ${plan.changes.length ? `revision ${plan.toRevision} was not written, and ` : ''}published revision ${plan.fromRevision || '(none)'} is still the one in force.`,
      o.repository.folder,
      'Run Publish-Topology again: finished steps are detected and not repeated, and the revision is then written.',
      interruptedExit(o),
    );
    (e as ErrorRecord & { result?: PublishResult }).result = { Status: 'Failed', ...base, Steps: stepResults() };
    throw e;
  }
  if (!plan.changes.length) return { Status: 'UpToDate', ...base, Steps: stepResults() };

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
        const file = await repo.writeBackup(name, storedJson(l2));
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
  return { Status: 'Published', ...base, Steps: stepResults() };
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}_${p(d.getMonth() + 1)}_${p(d.getDate())}-${p(d.getHours())}_${p(d.getMinutes())}_${p(d.getSeconds())}`;
}
