// Which checks prove each publish step's preconditions. Publish-Topology runs them all before its
// first change (a Failed one refuses, exit 3), and Test-FileStore / Test-SqlStore show the same rows,
// so a preflight run tells what publish would refuse. A step kind with no entry does not compile.
import type { StepKind } from './plan.js';
import { CHECK } from '../probes/smb/filestore-test.js';
import { SQL_CHECK } from '../probes/sql/types.js';

export interface StepPreconditions {
  /** What the step needs to succeed. */
  needs: string;
  /** The check rows (Check column) that prove it, in Test-FileStore or Test-SqlStore. */
  checks: readonly string[];
}

const REACH_SHARE = [CHECK.dns, CHECK.tcp, CHECK.auth, CHECK.share] as const;
const REACH_SQL = [SQL_CHECK.NameResolution, SQL_CHECK.Browser, SQL_CHECK.Tcp, SQL_CHECK.Login, SQL_CHECK.Encryption] as const;

export const STEP_PRECONDITIONS: Readonly<Record<StepKind, StepPreconditions>> = {
  CreateFolder: {
    needs: 'the share answers the account, the account may create a folder in it, and no file stands where the pool folder goes',
    checks: [...REACH_SHARE, CHECK.poolFolders, CHECK.roundTrip, CHECK.publish],
  },
  SetFolderPermissions: {
    needs: 'every group of the file store policy resolves to a SID on the file server, and the account may write the folder\'s DACL (as its creator, or with WRITE_DAC)',
    checks: [...REACH_SHARE, CHECK.principals, CHECK.dacl, CHECK.publish],
  },
  CreateDatabase: {
    needs: 'the instance answers the login, runs a supported version and edition, and lets the login create databases',
    checks: [...REACH_SQL, SQL_CHECK.Version, SQL_CHECK.CreateRight],
  },
  BackupPublishedRevision: {
    needs: 'the repository is readable and no other publish runs',
    checks: ['Repository readable', 'Publish lock'],
  },
  WritePublishedRevision: {
    needs: 'no revision was published since the draft was based on the one in force, and the topology rules report no error',
    checks: ['Topology rules', 'Published revision unchanged', 'Publish lock'],
  },
};

/** The checks whose rows come from the file store and SQL probes (the repository's are refusals, not rows). */
export function probeChecksOf(kind: StepKind): string[] {
  const rows = new Set<string>([...Object.values(CHECK), ...Object.values(SQL_CHECK)]);
  return STEP_PRECONDITIONS[kind].checks.filter((c) => rows.has(c));
}
