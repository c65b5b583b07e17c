import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { credentialFor } from '../lib/cmdlet/credential.js';
import type { PublishResult } from '../lib/publish/apply.js';
import { POLICY_FILE_PARAMETER } from '../lib/probes/dacl/policy-file.js';

interface Params {
  SkipDatabase?: boolean;
  Credential?: string;
  CredentialFile?: string;
  SqlCredential?: string;
  SqlCredentialFile?: string;
  Encrypt?: 'Mandatory' | 'Optional' | 'Strict';
  TrustServerCertificate?: boolean;
  TimeoutSeconds: number;
  ThrottleLimit: number;
  Rebase?: boolean;
  PolicyFile?: string;
}

export default {
  name: 'Publish-Topology',
  synopsis: 'Validates the draft, proves the environment, then publishes: file store folders and permissions, databases, a new published revision.',
  description: [
    'Does what Topology Builder\'s Publish Topology does for Persistent Chat pools, safely and resumably:',
    '1. runs every topology rule: errors refuse (exit 3), warnings are shown;',
    '2. runs, concurrently, every probe the plan needs: each SQL store (reachable, supported version and edition, allowed to create databases when one must be created), each file store (reachable, the account can create a folder and change permissions, every group of the file store policy resolves to a SID on the file server, and where a pool folder exists it is a folder), and DNS for the pools and computers; any failure refuses before anything changes (exit 3), listing each failure and what to do;',
    '3. refuses when another revision was published after the draft was based on the published one (optimistic concurrency; it says who and when), and when another Publish-Topology is running on the repository (exit 5);',
    '4. asks for confirmation (ConfirmImpact High) unless -Force or -Confirm:false; with no terminal it refuses at once (exit 4);',
    '5. for every pool: creates its folder <SiteId>-PersistentChatService-<Instance> in the file store and sets its permissions to the file store policy (re-applied on every publish, so drift is repaired; when they cannot be set, the folder this run created is removed again, so no folder stands with permissions publish did not set), then creates mgc on its SQL store and mgccomp on its compliance store when missing (an existing database is reused, never dropped or overwritten);',
    '6. last, backs up the published revision in force and writes the new one, with who, when and what changed.',
    'The file store policy is the built-in ACE table (pchat help about_FileStorePolicy), or the file given by -PolicyFile, else by PCHAT_FILESTORE_POLICY, exactly as Test-FileStore chooses it: the same table is checked in step 2 and set in step 5, and the What if lines and the result (Policy) name it. Give Test-FileStore the same -PolicyFile, so that the preflight proves what publish applies.',
    'An interruption (a killed process, a server that goes away) leaves the previous published revision in force; running the command again completes the job without repeating finished steps ("AlreadyDone"). -WhatIf runs steps 1-3 and prints the plan as What if lines. The result lists each step\'s status and a to-do list of what the tool does not do itself (installing the Persistent Chat components, mirroring, log shipping).',
  ].join('\n'),
  parameters: [
    { name: 'SkipDatabase', type: 'switch', help: 'Leaves database creation to a DBA (a warning and a to-do line per database). The SQL stores are then not probed at all: no database is created, so they do not gate the publish, and an unreachable SQL Server does not stop it.' },
    { name: 'Credential', type: 'credential', help: 'The account for the file stores (DOMAIN\\user); its password comes from PCHAT_SMB_PASSWORD, -CredentialFile, or a prompt on a terminal. Default: the current Kerberos/OS identity.' },
    { name: 'CredentialFile', type: 'string', help: 'A file (mode 0600) whose first line is the -Credential password.' },
    { name: 'SqlCredential', type: 'credential', help: 'A SQL login, or DOMAIN\\user for Windows authentication over NTLM; its password comes from PCHAT_SQL_PASSWORD, -SqlCredentialFile, or a prompt.' },
    { name: 'SqlCredentialFile', type: 'string', help: 'A file (mode 0600) whose first line is the -SqlCredential password.' },
    { name: 'Encrypt', type: 'enum', validateSet: ['Mandatory', 'Optional', 'Strict'], default: 'Mandatory', help: 'TLS for the SQL connections.' },
    { name: 'TrustServerCertificate', type: 'switch', help: 'Accepts a SQL Server certificate that does not chain to a trusted root.' },
    { name: 'TimeoutSeconds', type: 'int', validateRange: { min: 1, max: 3600 }, default: 15, help: 'Timeout of each probe and connection.' },
    { name: 'ThrottleLimit', type: 'int', validateRange: { min: 1, max: 64 }, default: 8, help: 'How many probes or pools are handled at once.' },
    POLICY_FILE_PARAMETER,
    { name: 'Rebase', type: 'switch', help: 'Publishes although another revision was published after this draft was based on the published one (after you reviewed it with Compare-Topology).' },
  ],
  supportsShouldProcess: true,
  confirmImpact: 'High',
  outputType: 'PublishResult',
  outputs: [
    { name: 'Status', description: 'Published, UpToDate (no topology change; steps re-applied), WhatIf, Declined or Failed.' },
    { name: 'Revision, PreviousRevision', description: 'The published revision in force after and before.' },
    { name: 'Summary', description: 'What changed.' },
    { name: 'Steps', description: 'Each step with Status Done, AlreadyDone, Failed, NotRun, or RolledBack (a folder created and removed again because its permissions could not be set).' },
    { name: 'Warnings', description: 'Rule and check warnings.' },
    { name: 'Checks', description: 'The environment checks that ran (as Test-SqlStore / Test-FileStore rows).' },
    { name: 'ToDo', description: 'What is left to do by hand.' },
    { name: 'Policy', description: "The file store policy checked and applied: Built-in, or the policy file's path; None when no pool of the publish has a file share." },
    { name: 'Created', description: 'What this run created and left in place (folders, databases; a database is never dropped), also when a later step failed.' },
    { name: 'RunId', description: 'Correlates the -LogFile lines of this run.' },
  ],
  examples: [
    { title: 'See what would happen', code: 'PCHAT_SQL_PASSWORD=... pchat Publish-Topology -SqlCredential pchatadmin -WhatIf', remarks: 'Validates, runs the read-only checks and prints the plan; changes nothing.' },
    { title: 'From a scheduled job', code: "pchat Publish-Topology -Credential 'CONTOSO\\lyncadmin' -SqlCredential 'CONTOSO\\lyncadmin' -Force -LogFile /var/log/pchat/publish.jsonl", remarks: 'Passwords from PCHAT_SMB_PASSWORD and PCHAT_SQL_PASSWORD; exit 0 published, 3 refused by its checks, 4 missing -Force.' },
    {
      title: 'With your own ACE table, proved first',
      code: "pchat Test-FileStore -PoolFqdn pchatpool.contoso.com -Credential 'CONTOSO\\lyncadmin' -PolicyFile ./filestore-policy.json -Quiet && pchat Publish-Topology -Credential 'CONTOSO\\lyncadmin' -SqlCredential 'CONTOSO\\lyncadmin' -PolicyFile ./filestore-policy.json -Force",
      remarks: 'The same file for both: publish checks its groups resolve on the file server, then sets exactly its ACEs on the pool folder; the result\'s Policy names the file.',
    },
    { title: 'Let a DBA create the databases', code: 'pchat Publish-Topology -SkipDatabase -Force', remarks: 'The to-do list says which Install-CsDatabase to run.' },
  ],
  async *process(p: Params, ctx) {
    // Refuse before the checks, not after them: a scheduled job without -Force must not wait for nothing.
    ctx.assertConfirmable(ctx.repositoryPath, 'Publish topology');
    const smbCredential = await credentialFor(ctx, 'smb', p.Credential, p.CredentialFile);
    const sqlCredential = await credentialFor(ctx, 'sql', p.SqlCredential, p.SqlCredentialFile);
    const { publishTopology } = await import('../lib/publish/apply.js');
    let result: PublishResult;
    try {
      result = await publishTopology({
        repository: ctx.repository(),
        runId: ctx.runId,
        log: ctx.log,
        skipDatabase: p.SkipDatabase,
        smbCredential,
        sqlCredential,
        encrypt: p.Encrypt,
        trustServerCertificate: p.TrustServerCertificate,
        timeoutMs: p.TimeoutSeconds * 1000,
        concurrency: p.ThrottleLimit,
        rebase: p.Rebase,
        policyFile: p.PolicyFile,
        whatIf: ctx.whatIf,
        signal: ctx.signal,
        confirm: (target, action) => ctx.shouldProcess(target, action),
        showPlan: async (s) => void (await ctx.shouldProcess(s.target, s.action)),
      });
    } catch (e) {
      const partial = (e as { result?: PublishResult }).result;
      if (partial) yield partial;
      throw e;
    }
    // Said when this run published without its databases; not after a decline, nor when nothing changed.
    if (p.SkipDatabase && result.Status === 'Published' && result.ToDo.some((t) => t.includes('Install-CsDatabase'))) {
      ctx.writeWarning('Databases were not created (-SkipDatabase); the to-do list says what a DBA must run.');
    }
    for (const w of result.Warnings) ctx.writeWarning(w);
    yield result;
  },
} satisfies CmdletDefinition;
