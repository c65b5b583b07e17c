import type { CmdletContext, CmdletDefinition } from '../lib/cmdlet/types.js';
import { CHECK_ROWS, checkRowOutputs, probeInOrder, probeRun, QUIET_PARAMETER, takeProbeRun, throttleParameter, timeoutParameter, type ProbeRun } from '../lib/probes/check-command.js';
import { ErrorRecord, usageError } from '../lib/cmdlet/errors.js';
import { SHARE_NAME, SHARE_NAME_REGEX } from '../lib/cmdlet/validators.js';
import { credentialSource, resolveCredential } from '../lib/cmdlet/credential.js';
import { findFileStore, findPersistentChatPool, isUncFileStore, normalizeFqdn, parseUncPath, persistentChatFolderName, type Topology } from '../lib/topology/model.js';
// Types only: the SMB probe loads when probing starts.
import type { FileStoreTestOptions, SmbTarget } from '../lib/probes/smb/types.js';
import { POLICY_FILE_PARAMETER } from '../lib/probes/dacl/policy-file.js';
import { SETUP_POOL } from '../lib/help/example-setups.js';

interface Params {
  Path?: string[];
  FileServerFqdn?: string;
  Share?: string;
  PoolFqdn?: string[];
  FileStore?: string[];
  Credential?: string;
  CredentialFile?: string;
  PolicyFile?: string;
  TimeoutSeconds: number;
  ThrottleLimit: number;
  Quiet?: boolean;
}

interface Job {
  label: string;
  target: Omit<SmbTarget, 'credential' | 'timeoutMs'>;
  opts: Omit<FileStoreTestOptions, 'policy'>;
}

type Options = Pick<Params, 'TimeoutSeconds' | 'ThrottleLimit' | 'PolicyFile'>;

interface Extra {
  seen: Set<string>;
  draft?: Topology;
  published?: Topology | null;
}

type RunState = ProbeRun<Job, Options> & Extra;

const nonEmpty = (v?: string) => (v && v.trim() ? v.trim() : undefined);

async function draftTopology(ctx: CmdletContext, state: RunState): Promise<Topology> {
  if (state.draft) return state.draft;
  const repo = ctx.repository();
  if (!(await repo.exists())) {
    throw (await import('../lib/topology/not-found.js')).repositoryNotFound(ctx.repositoryPath, { what: 'pool', instead: 'Give -Path \\\\server\\share (or -FileServerFqdn and -Share) to test a share directly' });
  }
  state.draft = (await repo.readDraft()).topology;
  state.published = (await repo.readPublished())?.topology ?? null;
  return state.draft;
}

function addJob(state: RunState, server: string, share: string, folder: string, opts: Job['opts']) {
  const label = `\\\\${server}\\${share}${folder ? '\\' + folder : ''}`;
  const key = `${label.toLowerCase()}|${opts.published ? 1 : 0}`;
  if (state.seen.has(key)) return;
  state.seen.add(key);
  state.jobs.push({ label, target: { server, share, ...(folder ? { folder } : {}) }, opts });
}

export default {
  name: 'Test-FileStore',
  synopsis: "Proves a Persistent Chat file store: the share, the account's rights, and the folder's DACL against what publish sets.",
  description: [
    'Connects to each file store share the way Publish-Topology will and reports one row per check: name resolution; TCP 445; authentication; the share exists; the pool folder exists (a warning before the first publish, which creates it); a write, rename, read-back and delete of a uniquely named probe file (always removed, even when a step fails); the DACL is readable; the effective rights of the account (Modify is needed to run; Full control or WRITE_DAC to publish, because publish sets the folder\'s DACL); the ACEs publish sets (a warning before the first publish, a failure when a published pool\'s folder has drifted); and dangerous ACEs (Everyone, Authenticated Users, Domain Users and similar groups with write access fail, with read access warn).',
    'Effective rights are the maximum access the file server itself reports for the account (SMB2 maximal access, as smbcacls -x shows it), which includes every group the account is in; the DACL is also evaluated in Windows\' order (explicit deny before allow, inherited after explicit) for the SIDs this host knows, to show which ACEs apply. When a check fails, the checks that depend on it are Skipped with the reason.',
    'The ACEs publish sets are one table (the publish policy): Modify for RTCHSUniversalServices, RTCComponentUniversalServices and RTCUniversalServerAdmins, Full control for the file server\'s Administrators, Read & execute for RTCUniversalConfigReplicator, inherited by subfolders and files. Microsoft does not document Topology Builder\'s exact ACEs; override the table with -PolicyFile or PCHAT_FILESTORE_POLICY (a JSON array of { "principal", "access", "sid"?, "inheritance"? }; -PolicyFile wins), and give Publish-Topology the same, so that it applies the table this command proved.',
    'Targets: -Path \\\\server\\share[\\folder], -FileServerFqdn with -Share, -FileStore (a \\\\server\\share of the topology), -PoolFqdn (the pool\'s file store and its <SiteId>-PersistentChatService-<Instance> folder; drift fails when the pool is published), or piped objects with those properties. Several targets are probed concurrently, at most -ThrottleLimit at once.',
    'The password of -Credential comes from PCHAT_SMB_PASSWORD, from -CredentialFile (mode 0600, first line), or from a prompt on a terminal; never from the command line, and it is handed to Samba\'s smbclient/smbcacls on a pipe, never on their command line or in their environment (a password of more than 120 bytes or with a line break, which Samba cannot read from the pipe, is refused with exit 2). Without -Credential the current identity is used (a Kerberos ticket on Linux, the logon session on Windows). On Linux and macOS Samba\'s client tools must be installed (apt-get install smbclient).',
  ].join('\n\n'),
  parameters: [
    { name: 'Path', type: 'string[]', position: 0, valueFromPipelineByPropertyName: true, aliases: ['UncPath'], help: 'The share, or a folder in it, as \\\\server\\share[\\folder] (or //server/share/folder); comma-separated for several.' },
    { name: 'FileServerFqdn', type: 'string', valueFromPipelineByPropertyName: true, aliases: ['ComputerName'], help: 'The file server; with -Share.' },
    { name: 'Share', type: 'string', ...SHARE_NAME, valueFromPipelineByPropertyName: true, aliases: ['FileShare'], help: 'The share name on -FileServerFqdn.' },
    { name: 'FileStore', type: 'string[]', valueFromPipelineByPropertyName: true, pipelineProperties: ['Identity'], help: 'File stores of the topology by identity (\\\\server\\share), comma-separated.' },
    { name: 'PoolFqdn', type: 'string[]', valueFromPipelineByPropertyName: true, pipelineProperties: ['Fqdn'], help: "Persistent Chat pools of the topology: each pool's file store and folder are tested." },
    { name: 'Credential', type: 'credential', help: 'The account (DOMAIN\\user or user@realm) to test with; the password comes from PCHAT_SMB_PASSWORD, -CredentialFile or a prompt.' },
    { name: 'CredentialFile', type: 'string', help: 'A file (mode 0600) whose first line is the password of -Credential.' },
    POLICY_FILE_PARAMETER,
    timeoutParameter('Bounds each step: name resolution, the TCP check, each call to the file server. A server that accepts and then says nothing fails within it.'),
    throttleParameter('targets'),
    QUIET_PARAMETER,
  ],
  outputType: 'FileStoreCheck',
  outputs: checkRowOutputs('The share or folder: \\\\server\\share[\\folder].', 'Name resolution, TCP reachability, Authentication, Share exists, Folder exists (a file in its place fails), Write/read/rename/delete, Policy principals (the policy groups resolve to SIDs on the file server; on a pool folder), DACL readable, Effective rights, Rights to publish, Publish policy ACEs, Dangerous ACEs.'),
  ...CHECK_ROWS,
  examples: [
    {
      title: 'A pool\'s file store, before publishing',
      code: "PCHAT_SMB_PASSWORD=... pchat Test-FileStore -PoolFqdn pchatpool.contoso.com -Credential 'CONTOSO\\lyncadmin'",
      remarks: "Tests \\\\<file server>\\<share>\\1-PersistentChatService-1: missing folder and ACEs only warn until the pool is published.",
      setup: SETUP_POOL,
    },
    {
      title: 'A share directly, password from a credential file',
      code: "pchat Test-FileStore -Path '\\\\fs01.contoso.com\\pchat' -Credential 'CONTOSO\\lyncadmin' -CredentialFile ~/.pchat-smb",
      remarks: 'The credential file holds the password on its first line and must be mode 0600.',
    },
    {
      title: 'In a scheduled job: only the exit code',
      code: "pchat Test-FileStore -FileServerFqdn fs01.contoso.com -Share pchat -Credential 'CONTOSO\\lyncadmin' -Quiet < /dev/null || echo 'file store not ready'",
      remarks: 'Exit code 3 when a check failed; warnings do not fail.',
    },
    {
      title: 'Every pool of the topology, only what is not fine',
      code: "pchat Get-PersistentChatPool | pchat Test-FileStore -Credential 'CONTOSO\\lyncadmin' | jq -c 'select(.Status != \"Passed\")'",
      remarks: 'Piped pool objects bind by Fqdn; piped file stores by Identity or FileServerFqdn/Share.',
    },
    {
      title: 'With your own ACE table',
      code: "pchat Test-FileStore -Path '\\\\fs01\\pchat\\1-PersistentChatService-1' -Credential 'CONTOSO\\lyncadmin' -PolicyFile ./filestore-policy.json",
      remarks: 'The file is a JSON array such as [{ "principal": "RTCHSUniversalServices", "access": "Modify" }, { "principal": "BUILTIN\\\\Administrators", "sid": "S-1-5-32-544", "access": "FullControl" }]; \'pchat help about_FileStorePolicy\' shows the built-in table.',
    },
  ],
  async process(p: Params, ctx: CmdletContext) {
    const state: RunState = probeRun<Job, Options, Extra>(ctx.runId, () => ({ seen: new Set() }));
    state.options = { TimeoutSeconds: p.TimeoutSeconds, ThrottleLimit: p.ThrottleLimit, PolicyFile: p.PolicyFile };
    state.credentialSource ??= credentialSource('smb', p.Credential, p.CredentialFile);

    const localStore = (what: string) =>
      ctx.writeError(
        new ErrorRecord({
          errorId: 'FileStoreNotUnc',
          category: 'InvalidArgument',
          target: what,
          message: `'${what}' is a local path, not a \\\\server\\share: there is no share to test over SMB.`,
          recommendedAction: 'A local file store (single-computer pool) is checked on the Persistent Chat server itself; give a UNC path to test a share.',
        }),
      );
    const addUnc = (unc: string, opts: Job['opts'] = {}) => {
      const u = parseUncPath(unc);
      if (!u && /^(\\\\|\/\/)/.test(unc.trim())) throw usageError('IncompleteUncPath', `'${unc}' names no share: a UNC path is \\\\server\\share[\\folder].`, unc, "Add the share, quoted in the shell: -Path '\\\\server\\share'.");
      if (!u) return localStore(unc);
      if (!SHARE_NAME_REGEX.test(u.share)) throw usageError('InvalidShareName', `'${u.share}' in '${unc}' is not ${SHARE_NAME.validatePattern!.description}.`, unc, "Give the path as the file server publishes it, quoted in the shell: -Path '\\\\server\\share'.");
      addJob(state, u.fileServerFqdn, u.share, u.folder, opts);
    };

    // A piped pool object also carries FileStore: the pool (with its folder) wins.
    const pools = (p.PoolFqdn ?? []).map(nonEmpty).filter((x): x is string => !!x);
    if (pools.length) {
      const t = await draftTopology(ctx, state);
      for (const fqdn of pools) {
        const pool = findPersistentChatPool(t, fqdn);
        if (!pool) throw (await import('../lib/topology/not-found.js')).persistentChatPoolNotFound(normalizeFqdn(fqdn), t);
        const store = findFileStore(t, pool.fileStore);
        if (!store || !isUncFileStore(store)) {
          localStore(store?.path ?? pool.fileStore);
          continue;
        }
        const published = !!state.published && !!findPersistentChatPool(state.published, pool.fqdn);
        ctx.writeVerbose(`${pool.fqdn}: file store \\\\${store.fileServerFqdn}\\${store.share}, folder ${persistentChatFolderName(t, pool)}, ${published ? 'published' : 'not published yet'}.`);
        addJob(state, normalizeFqdn(store.fileServerFqdn!), store.share!, persistentChatFolderName(t, pool), { published });
      }
      return [];
    }
    const paths = (p.Path ?? []).map(nonEmpty).filter((x): x is string => !!x);
    if (paths.length) {
      for (const unc of paths) addUnc(unc);
      return [];
    }
    const server = nonEmpty(p.FileServerFqdn);
    const share = nonEmpty(p.Share);
    if (server || share) {
      if (!server || !share) throw usageError('IncompleteShare', 'Give both -FileServerFqdn and -Share.', server ?? share ?? '', "Or give -Path \\\\server\\share.");
      addJob(state, normalizeFqdn(server), share, '', {});
      return [];
    }
    const stores = (p.FileStore ?? []).map(nonEmpty).filter((x): x is string => !!x);
    if (stores.length) {
      for (const id of stores) addUnc(id);
      return [];
    }
    throw usageError(
      'NoFileStoreGiven',
      'Give the file store to test: -Path \\\\server\\share[\\folder], -FileServerFqdn <fqdn> -Share <name>, -FileStore <identity>, -PoolFqdn <pool fqdn>, or pipe objects with those properties.',
      'Test-FileStore',
      "Run 'pchat Test-FileStore -?' for examples.",
      { noInput: true },
    );
  },
  async *end(ctx: CmdletContext) {
    const state = takeProbeRun<Job, Options, Extra>(ctx.runId);
    if (!state) return;
    const o = state.options;
    const credential = state.credentialSource && (await resolveCredential(ctx, state.credentialSource));
    // The policy is read before any probe (a broken file is refused first), while the probe loads.
    const [{ testFileStore }, policy] = await Promise.all([
      import('../lib/probes/smb/index.js'),
      import('../lib/probes/dacl/policy.js').then((m) => {
        const file = m.policyFileInForce(o.PolicyFile);
        ctx.writeVerbose(`Checking against ${m.describePolicy(file)}.`);
        return m.loadPolicy(file);
      }),
    ]);
    const timeoutMs = o.TimeoutSeconds * 1000;
    yield* probeInOrder(ctx, state.jobs, o.ThrottleLimit, (job) => testFileStore({ ...job.target, credential, timeoutMs }, { ...job.opts, policy }, job.label));
  },
} satisfies CmdletDefinition<Params>;
