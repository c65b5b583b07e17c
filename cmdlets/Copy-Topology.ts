import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { ErrorRecord } from '../lib/cmdlet/errors.js';
import { PASSWORD_VARIABLES, resolveCredential } from '../lib/cmdlet/credential.js';
import { openRepository, sameRepository } from '../lib/topology/store.js';
import { REPOSITORY_PARAMETER } from '../lib/topology/not-found.js';

interface Params {
  Destination: string;
  DestinationCredentialFile?: string;
  Force?: boolean;
}

export default {
  name: 'Copy-Topology',
  synopsis: 'Copies the whole repository (draft, its history, published revisions, backups) into another one.',
  description:
    'Copies everything the current repository holds into a new or empty repository: the draft with its revision, every earlier draft revision, the published revisions and the backups Publish-Topology wrote. ' +
    'Either side may be a folder or a store on SQL Server (sqlserver://login@host[\\instance][:port]/database): this is how a team moves from a folder to a shared store, and back. ' +
    'A missing destination folder is created; a missing destination database is created as New-Topology creates it. A destination that already holds anything is refused unless -Force replaces its content. ' +
    'A copy into a store is one transaction: one that fails or is cut short leaves the store as it was. A copy into a folder cut short holds part of the copy and no draft; run it again with -Force to finish it. ' +
    'The password of a SQL Server destination comes from -DestinationCredentialFile, else PCHAT_REPOSITORY_PASSWORD, else a prompt on a terminal.',
  parameters: [
    { name: 'Destination', type: 'string', mandatory: true, position: 0, help: 'The repository to copy into: a folder, or sqlserver://login@host[\\instance][:port]/database.' },
    { name: 'DestinationCredentialFile', type: 'string', help: 'For a SQL Server destination: a file (mode 0600) whose first line is the password of the login in its address.' },
    { name: 'Force', type: 'switch', help: 'Replaces what the destination holds (and does not ask for confirmation).' },
  ],
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  outputType: 'TopologyCopy',
  outputs: [
    { name: 'Source', description: 'The repository copied from.' },
    { name: 'Destination', description: 'The repository copied into.' },
    { name: 'DraftRevision', description: 'The draft revision copied.' },
    { name: 'DraftHistory', description: 'How many earlier draft revisions were copied.' },
    { name: 'PublishedRevisions', description: 'How many published revisions were copied.' },
    { name: 'Backups', description: 'How many backups were copied.' },
  ],
  examples: [
    {
      title: 'Move a team from a folder to a shared store on SQL Server',
      code: "export PCHAT_REPOSITORY_PASSWORD   # the login's password, from the job's secret store\npchat Copy-Topology -Repository ~/pchat-topology -Destination 'sqlserver://pchatadmin@sql01.contoso.com\\PCHAT/PchatTopology'\nexport PCHAT_REPOSITORY='sqlserver://pchatadmin@sql01.contoso.com\\PCHAT/PchatTopology'",
      remarks: 'Afterwards every command works on the store; Export-Topology gives the same JSON on both sides.',
    },
    { title: 'Take a copy of the store into a folder', code: 'pchat Copy-Topology -Destination ~/pchat-copy', remarks: 'The folder is created when missing.' },
  ],
  async process(p: Params, ctx) {
    const source = ctx.repository();
    const snap = await source.snapshot();
    // Replacing a repository with itself first empties it: an interruption would lose what it held.
    if (await sameRepository(p.Destination, ctx.repositoryPath)) {
      throw new ErrorRecord({ errorId: 'CopyOntoItself', category: 'InvalidArgument', target: p.Destination, message: `The destination '${p.Destination}' is the repository being copied.`, recommendedAction: 'Give another -Destination.', exitCode: 2 });
    }
    const dest = openRepository(p.Destination, {
      credential: async (userName) => (await resolveCredential(ctx, { userName, envVar: PASSWORD_VARIABLES.repository, file: p.DestinationCredentialFile, fileParameter: '-DestinationCredentialFile', target: p.Destination }))!,
      credentialFile: '-DestinationCredentialFile',
      log: ctx.log,
    });
    try {
      if (!(await dest.isEmpty()) && !p.Force) {
        throw new ErrorRecord({
          errorId: 'DestinationNotEmpty',
          category: 'ResourceExists',
          target: p.Destination,
          message: `The destination '${p.Destination}' already holds a topology (or part of one); nothing was copied.`,
          recommendedAction: 'Give a new or empty destination, or add -Force to replace what it holds.',
        });
      }
      const what = `Copy draft revision ${snap.draft!.revision}, ${snap.history.length} earlier draft(s), ${snap.published.length} published revision(s) and ${snap.backups.length} backup(s) from '${ctx.repositoryPath}'`;
      if (!(await ctx.shouldProcess(p.Destination, what))) return;
      await dest.restore(snap);
      return { Source: ctx.repositoryPath, Destination: p.Destination, DraftRevision: snap.draft!.revision, DraftHistory: snap.history.length, PublishedRevisions: snap.published.length, Backups: snap.backups.length };
    } catch (e) {
      // The repository's own advice names -Repository; for the destination the parameter to fix is -Destination.
      if (e instanceof ErrorRecord && e.target === p.Destination && e.recommendedAction.includes(REPOSITORY_PARAMETER)) {
        throw new ErrorRecord({ ...e, message: e.message, recommendedAction: e.recommendedAction.replaceAll(REPOSITORY_PARAMETER, '-Destination'), cause: e });
      }
      throw e;
    } finally {
      await dest.close();
    }
  },
} satisfies CmdletDefinition;
