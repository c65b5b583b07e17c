// The about_ topics of 'pchat help about_<Topic>': the concepts that several commands share, written
// from the same tables the code runs on (the rules, the file store policy, the exit codes), so they
// cannot drift from it. Each topic loads what it needs only when it is asked for.
import { EXIT_CODE_HELP } from '../cmdlet/exit-codes.js';
import { wrapText } from '../cmdlet/wrap.js';
import { closestNames } from '../cmdlet/did-you-mean.js';

export interface AboutTopic {
  name: string;
  synopsis: string;
  text(): Promise<string>;
}

const wrap = wrapText;

/** A topic page as Get-Help prints one; a section body given as [text, hanging] keeps a hanging indent. */
type Body = string | [text: string, hanging: string] | { pre: string };
const render = (body: Body): string =>
  typeof body === 'string' ? wrap(body) : Array.isArray(body) ? wrap(body[0], 80, '    ', body[1]) : body.pre.split('\n').map((l) => `    ${l}`).join('\n');
const page = (name: string, synopsis: string, sections: [string, Body][]): string =>
  [
    'TOPIC',
    `    ${name}`,
    '',
    'SHORT DESCRIPTION',
    wrap(synopsis),
    '',
    ...sections.flatMap(([title, body]) => [title, render(body), '']),
  ].join('\n');

export const ABOUT_TOPICS: AboutTopic[] = [
  {
    name: 'about_TopologyRules',
    synopsis: 'Every rule a finding or message cites as "Rule N": its number, severity and meaning.',
    async text() {
      const { ruleCatalog } = await import('../topology/rules/catalog.js');
      const rules = ruleCatalog()
        .map((r) => `Rule ${r.number} (${r.severity}): ${r.title}.\n      ${r.meaning}${r.checkedBy ? `\n      Checked by: ${r.checkedBy}.` : ''}`)
        .join('\n\n');
      return page(this.name, this.synopsis, [
        [
          'LONG DESCRIPTION',
          'Test-Topology runs every rule that needs no network on the draft (or a published revision) and returns one finding per problem: Severity, Rule, Target, Message, RecommendedAction. ' +
            'An Error blocks Publish-Topology and makes a New-/Set- command refuse the change that would cause it (exit 3); a Warning is reported and allowed. ' +
            'Rules without a "Checked by" line are rules of the document: Test-Topology and Publish-Topology check them, and so does the New-/Set- command whose change would break one. ' +
            'The rules follow Microsoft\'s documentation of the Topology Builder wizard ("Add Persistent Chat Server to the topology" for Lync Server 2013 and Skype for Business Server 2015) and its limits; Test-SqlStore, Test-FileStore and Publish-Topology check the environment rules.',
        ],
        ['RULES', [rules, '      ']],
      ]);
    },
  },
  {
    name: 'about_FileStorePolicy',
    synopsis: "The permissions Publish-Topology sets on a pool's file store folder, and how Test-FileStore checks them.",
    async text() {
      const { PUBLISH_POLICY, POLICY_ENV_VAR } = await import('../probes/dacl/policy.js');
      const table = PUBLISH_POLICY.map((a) => `${(a.principal + (a.sid ? ` (${a.sid})` : '')).padEnd(40)} ${a.access}`).join('\n');
      return page(this.name, this.synopsis, [
        [
          'LONG DESCRIPTION',
          'Publish-Topology creates the pool\'s folder <SiteId>-PersistentChatService-<Instance> in the file store share and sets exactly the ACEs below on it, inherited by subfolders and files and protected from the share root\'s inheritance; every publish sets them again, so drift is repaired.\n\n' +
            'Microsoft does not document the exact ACEs Topology Builder writes. This table is this tool\'s choice, following Microsoft\'s "Create a file share in Skype for Business Server 2015" (the file server\'s Administrators get Full control; RTCHSUniversalServices, RTCComponentUniversalServices and RTCUniversalServerAdmins get Change) plus Read & execute for the CMS replicators (RTCUniversalConfigReplicator).',
        ],
        ['THE ACES PUBLISH SETS', { pre: `${'Principal'.padEnd(40)} Access\n${table}` }],
        [
          'BEFORE PUBLISHING',
          'Create the share with Full control for the file server\'s Administrators as share permission. The account that publishes needs Full control (or WRITE_DAC) on the share\'s folder, or membership of the file server\'s Administrators, so that publish can set the folder\'s DACL ("Publish the updated topology in Lync Server 2013"). Test-FileStore checks all of this: the effective rights, "Rights to publish", the ACEs (a warning before the first publish, a failure when a published pool\'s folder has drifted) and dangerous ACEs (Everyone, Authenticated Users, Domain Users or similar with write access fail, with read access warn).',
        ],
        [
          'YOUR OWN TABLE',
          `Give Test-FileStore and Publish-Topology the same -PolicyFile <file>, or set ${POLICY_ENV_VAR} for both (-PolicyFile wins over it): a JSON array of { "principal", "access": "FullControl|Modify|ReadAndExecute|Read", "sid"?, "inheritance"? }. ` +
            'Publish-Topology checks that every group of that table resolves to a SID on the file server before it changes anything, sets exactly that table on each pool folder, and names the policy it applied in its What if lines and its result (Policy).',
        ],
      ]);
    },
  },
  {
    name: 'about_ExitCodes',
    synopsis: 'What the exit code of every command means, for scripts and scheduled jobs.',
    async text() {
      return page(this.name, this.synopsis, [
        // Each line is '<code padded to 5> <meaning>': the meaning wraps under itself.
        ['EXIT CODES', { pre: EXIT_CODE_HELP.map((l) => l.slice(0, 5) + wrap(l.slice(5), 76, ' '.repeat(5)).slice(5)).join('\n') }],
        [
          'NOTES',
          'Exit 1 is also set when a command wrote a non-terminating error and went on (with -ErrorAction SilentlyContinue too); a terminating error is printed whatever -ErrorAction says. ' +
            'Exit 3: a Test-* command with a Failed check or an Error finding; a New-/Set- change refused by a topology rule; Publish-Topology refused by its checks. ' +
            'Exit 4: a command whose ConfirmImpact is High (Remove-PersistentChatPool, Publish-Topology), or any command given -Confirm, needs an answer and there is no terminal; add -Force or -Confirm:false. Nothing ever waits for input in a scheduled job. ' +
            'Exit 5: the repository stayed locked by another process past the wait (15 s, or PCHAT_LOCK_TIMEOUT_MS), or another Publish-Topology is running on it. ' +
            'Exit 143: after SIGTERM the Samba tools a command runs are stopped and its temporary files removed; a second SIGTERM exits at once.',
        ],
      ]);
    },
  },
  {
    name: 'about_Repository',
    synopsis: 'Where the draft and the published revisions are kept, and how concurrent changes are made safe.',
    async text() {
      return page(this.name, this.synopsis, [
        [
          'WHERE',
          '-Repository <folder or sqlserver:// address>, else $PCHAT_REPOSITORY, else the per-user folder: $XDG_DATA_HOME/pchat-topology (~/.local/share/pchat-topology) on Linux, ~/Library/Application Support/pchat-topology on macOS, %LOCALAPPDATA%\\pchat-topology on Windows.',
        ],
        [
          'ON SQL SERVER',
          'A team can share one topology in a database on SQL Server 2008 R2 or later, as the Central Management Store is shared: give sqlserver://login@host[\\instance][:port]/database instead of a folder, optionally followed by ?encrypt=mandatory|optional|strict, &trustServerCertificate=true and &connectTimeout=<seconds> (encryption is mandatory by default, with the certificate checked; the login waits 15 s unless connectTimeout, 1 to 600, says otherwise); DOMAIN\\user@host is a Windows login over NTLM. Every command works the same on it. ' +
            'The login\'s password comes from -RepositoryCredentialFile (mode 0600, first line), else PCHAT_REPOSITORY_PASSWORD, else a prompt on a terminal; an address holding a password is refused (exit 2). ' +
            'New-Topology creates the database (the login needs CREATE DATABASE, e.g. dbcreator), or the tables in an empty database whose db_owner the login is; a database holding other objects is refused. ' +
            'A change is written only if the draft is still the revision it read, else made again on the new one, so writers on any host are all applied and none leaves a lock behind. Publish-Topology holds an application lock (sp_getapplock) that SQL Server releases when its connection ends, even if the process dies; a second publish waits, then exits 5 naming the holder. ' +
            'Copy-Topology -Destination copies everything (draft, history, published revisions, backups) from a folder to a store or back. Back the database up with the instance.',
        ],
        [
          'FILES',
          'draft.json: the draft (schemaVersion, revision, basedOnPublishedRevision, topology).\n' +
            'history/draft-<n>.json: every earlier draft revision.\n' +
            'published/000001.json, 000002.json, ...: the published revisions (who, when, what changed, the topology); never rewritten.\n' +
            'backups/Publish-Topology-Backup-<yyyy_MM_dd-HH_mm_ss>-rev<n>.json: written before each publish.',
        ],
        [
          'SAFE CHANGES',
          'Every change is a read-modify-write under an exclusive lock (.lock; a lock left by a dead process is taken over; the wait is bounded: 15 s or PCHAT_LOCK_TIMEOUT_MS, a whole number of milliseconds from 0 to 86400000, then exit 5; any other value is a usage error, exit 2), written atomically (temporary file, fsync, rename), so the draft is always the old or the new one. Concurrent writers queue and none is lost. ' +
            'A corrupt file (malformed JSON, a field of the wrong type) or one written by a newer version is refused with an error naming the file and field, and left as it is. A change that breaks the document\'s integrity or adds a topology-rule error is refused and nothing is written; a change that changes nothing writes nothing.',
        ],
        [
          'BACKUP AND RESTORE',
          'Export-Topology -Path backup.json writes the draft (or -Revision N, a published revision) as JSON; Import-Topology backup.json -Force reads it back as the draft (-Merge to add it to the draft instead). Get-TopologyRevision lists the published revisions; Compare-Topology shows what differs.',
        ],
      ]);
    },
  },
  {
    name: 'about_Credentials',
    synopsis: 'How the commands that log on to file servers and SQL Server get their passwords, without a secret on the command line.',
    async text() {
      return page(this.name, this.synopsis, [
        [
          'LONG DESCRIPTION',
          'A password is never taken on the command line, and never reaches a log, an error message, the repository, or the command line of a child process. ' +
            '-Credential <user> is the account for the file stores (Test-FileStore, Publish-Topology); -SqlCredential <login> the SQL Server login (Test-SqlStore, Publish-Topology): DOMAIN\\user (or user@realm) logs on with Windows authentication over NTLM, anything else as a SQL Server login. ' +
            'Without -Credential the file stores are reached as the current identity (a Kerberos ticket on Linux, the logon session on Windows).',
        ],
        [
          'WHERE THE PASSWORD COMES FROM',
          'In this order: a password file (-CredentialFile for -Credential, -SqlCredentialFile for -SqlCredential: a regular file of mode 0600 whose first line is the password; an empty one is refused rather than tried), else the environment variable (PCHAT_SMB_PASSWORD, PCHAT_SQL_PASSWORD), else a prompt on a terminal. With none of them and no terminal the command fails at once (exit 1) instead of waiting. ' +
            'Test-SqlStore -CredentialFile, its earlier name, still works. ' +
            'A topology store on SQL Server (about_Repository) takes its login\'s password the same way: -RepositoryCredentialFile, else PCHAT_REPOSITORY_PASSWORD, else the prompt; never in its address.',
        ],
        [
          'NOTES',
          'A user name with % (Samba\'s user%password form) is refused (exit 2) without being repeated. Samba\'s tools get the password on a pipe, never in their environment or command line: a password of more than 120 bytes or with a line break, which Samba cannot read from the pipe, is refused (exit 2). On Windows, PowerShell (New-SmbMapping) gets it on its standard input, whatever its length.',
        ],
      ]);
    },
  },
];

export function findAboutTopic(name: string): AboutTopic | undefined {
  const n = name.toLowerCase();
  return ABOUT_TOPICS.find((t) => t.name.toLowerCase() === n);
}

/** The topic names closest to a mistyped one, for "Did you mean" (the same distance as for commands and parameters). */
export function similarTopics(name: string): string[] {
  return closestNames(name, ABOUT_TOPICS.map((t) => t.name));
}
