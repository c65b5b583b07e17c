import type { CmdletContext, CmdletDefinition } from '../lib/cmdlet/types.js';
import { CHECK_ROWS, checkRowOutputs, probeInOrder, probeRun, QUIET_PARAMETER, takeProbeRun, throttleParameter, timeoutParameter, type ProbeRun } from '../lib/probes/check-command.js';
import { ErrorRecord, usageError } from '../lib/cmdlet/errors.js';
import { credentialSource, resolveCredential } from '../lib/cmdlet/credential.js';
import { PORT, SQL_INSTANCE } from '../lib/cmdlet/validators.js';
import {
  PRODUCTS,
  findPersistentChatPool,
  findSqlStore,
  normalizeFqdn,
  sqlStoreIdentity,
  type Product,
  type Topology,
} from '../lib/topology/model.js';
import { persistentChatPoolNotFound, sqlStoreNotFound } from '../lib/topology/not-found.js';
import { poolStorePlans, storePlan, type StorePlan } from '../lib/topology/placement.js';
// Types only: the probe module (and mssql with it) is loaded when the probing starts.
import type { EncryptMode, SqlStoreExpectation, SqlTarget } from '../lib/probes/sql/types.js';
import { SETUP_POOL } from '../lib/help/example-setups.js';

interface Params {
  SqlServerFqdn?: string;
  SqlInstance?: string;
  Port?: number;
  SqlStore?: string[];
  PoolFqdn?: string[];
  SqlCredential?: string;
  SqlCredentialFile?: string;
  Encrypt: EncryptMode;
  TrustServerCertificate?: boolean;
  TimeoutSeconds: number;
  Product?: Product;
  ThrottleLimit: number;
  Quiet?: boolean;
}

// ---- the command ---------------------------------------------------------------------------

interface Job {
  label: string;
  target: Omit<SqlTarget, 'credential' | 'encrypt' | 'trustServerCertificate' | 'connectTimeoutMs' | 'requestTimeoutMs'>;
  expect: SqlStoreExpectation;
}

type Options = Pick<Params, 'Encrypt' | 'TrustServerCertificate' | 'TimeoutSeconds' | 'ThrottleLimit'>;

interface Extra {
  topology?: Topology | null;
  /** The published topology in force (null: none), for the databases an earlier publish created. */
  published?: Topology | null;
}

// process() runs once per piped object and gathers the stores; end() probes them all (the run kit).
type RunState = ProbeRun<Job, Options> & Extra;

async function loadTopology(ctx: CmdletContext, state: RunState, required: boolean): Promise<Topology | null> {
  if (state.topology !== undefined) return state.topology;
  const repo = ctx.repository();
  if (!(await repo.exists())) {
    if (required) {
      throw (await import('../lib/topology/not-found.js')).repositoryNotFound(ctx.repositoryPath, { what: 'store or pool', instead: 'Give -SqlServerFqdn (and -SqlInstance or -Port) to test an instance directly' });
    }
    state.topology = null;
    return null;
  }
  try {
    state.topology = (await repo.readDraft()).topology;
    // The revision in force: databases an earlier publish created are expected where it put them.
    state.published = (await repo.readPublished())?.topology ?? null;
  } catch (e) {
    if (required) throw e;
    ctx.writeWarning(`The topology in '${ctx.repositoryPath}' could not be read (${(e as Error).message}); testing without it.`);
    state.topology = null;
  }
  return state.topology;
}

const HOST_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[?[0-9A-Fa-f:.]+\]?)(?:\\[A-Za-z_][A-Za-z0-9_$#]{0,15})?$/;

export default {
  name: 'Test-SqlStore',
  synopsis: 'Proves that a SQL Server store can hold a Persistent Chat pool\'s databases: instance, login, encryption, version, rights, databases.',
  description: [
    'Connects to each SQL Server store the way Publish-Topology will and reports one row per check: name resolution; the SQL Server Browser and the instance port (named instances without a fixed port; on a miss the instances the Browser reported are listed); TCP reachability; the login (a refusal shows error 18456 with its state and which authentication was tried); encryption negotiated as asked; the instance that answered (SERVERPROPERTY(\'InstanceName\')) against the one the store names, since a fixed port reaches whichever instance listens there; the version and edition against the product (Lync Server 2013: SQL Server 2008 R2 or 2012; Skype for Business Server 2015 adds 2014; Standard or Enterprise, 64-bit; Express only for a pool collocated with a Standard Edition server); AlwaysOn availability groups enabled (a warning: they are not supported for Persistent Chat databases); the right to create databases (sysadmin, dbcreator, CREATE ANY DATABASE or CREATE DATABASE granted in master); the pool\'s databases already present (a warning, or a failure when they belong to another pool of the topology; absent ones are a warning when the login cannot see every database); and a Persistent Chat database of another pool on the same instance (rule 18).',
    'A release newer than the product documents (for example SQL Server 2019 under Skype for Business Server 2015) is a Warning, not a failure: Microsoft has added releases in cumulative updates, so confirm the installed update supports it.',
    'When a check fails, the checks that depend on it are reported as Skipped with the reason. Nothing is changed on the server. Stores are given by -SqlServerFqdn (with -SqlInstance or -Port), by -SqlStore (stores of the topology), by -PoolFqdn (every store of the pool: primary, compliance, backup, backup compliance and their mirrors), or by piped objects with those properties; several stores are probed concurrently, at most -ThrottleLimit at a time.',
    'The password of -SqlCredential comes from PCHAT_SQL_PASSWORD, from -SqlCredentialFile (mode 0600, first line), or from a prompt on a terminal; never from the command line. DOMAIN\\user (or user@realm) logs in with Windows authentication over NTLM, anything else as a SQL Server login.',
  ].join('\n\n'),
  parameters: [
    { name: 'SqlServerFqdn', type: 'string', position: 0, valueFromPipelineByPropertyName: true, aliases: ['ComputerName'], validatePattern: { regex: HOST_PATTERN, description: 'a host FQDN or address, optionally with \\INSTANCE' }, help: 'The SQL Server host to test directly (host or host\\INSTANCE). Checked against the topology when it is a store of it.' },
    { name: 'SqlInstance', type: 'string', valueFromPipelineByPropertyName: true, ...SQL_INSTANCE, help: 'The named instance of -SqlServerFqdn (default instance when omitted).' },
    { name: 'Port', type: 'int', valueFromPipelineByPropertyName: true, ...PORT, help: 'A fixed TCP port for -SqlServerFqdn: no SQL Browser lookup.' },
    { name: 'SqlStore', type: 'string[]', valueFromPipelineByPropertyName: true, pipelineProperties: ['Identity'], help: 'Stores of the topology by identity (fqdn or fqdn\\INSTANCE), comma-separated.' },
    { name: 'PoolFqdn', type: 'string[]', valueFromPipelineByPropertyName: true, pipelineProperties: ['Fqdn'], help: 'Persistent Chat pools of the topology: every store each pool uses is tested.' },
    { name: 'SqlCredential', type: 'credential', help: 'The login: a SQL Server login, or DOMAIN\\user for Windows authentication (NTLM). The password comes from PCHAT_SQL_PASSWORD, -SqlCredentialFile or a prompt.' },
    { name: 'SqlCredentialFile', type: 'string', aliases: ['CredentialFile'], help: 'A file (mode 0600) whose first line is the password of -SqlCredential, as on Publish-Topology (-CredentialFile, its earlier name here, works too).' },
    { name: 'Encrypt', type: 'enum', validateSet: ['Mandatory', 'Optional', 'Strict'], default: 'Mandatory', help: 'Mandatory: TLS, and the Encryption check fails if the server cannot; Optional: TLS only when the server requires it (Force Encryption); Strict: TDS 8.0 (SQL Server 2022 and later), certificate always validated.' },
    { name: 'TrustServerCertificate', type: 'switch', help: 'Accept the server certificate without validating it (for instances with a self-signed certificate).' },
    timeoutParameter('Bounds each step: name resolution, the Browser query, the TCP check, the whole login, each query.'),
    { name: 'Product', type: 'enum', validateSet: PRODUCTS, help: 'The product whose SQL support table applies (default: the product of the next-hop pools of the pools that use the store, else the topology\'s, else SkypeForBusiness2015).' },
    throttleParameter('stores'),
    QUIET_PARAMETER,
  ],
  outputType: 'SqlStoreCheck',
  outputs: checkRowOutputs('The store: fqdn, fqdn\\INSTANCE, or host,port.', 'Name resolution, SQL Browser, TCP reachability, Login, Encryption, Version and edition, AlwaysOn, Create database permission, Pool databases, Other pool databases.'),
  ...CHECK_ROWS,
  examples: [
    {
      title: 'Every store of a pool, before publishing',
      code: "PCHAT_SQL_PASSWORD=... pchat Test-SqlStore -PoolFqdn pchatpool.contoso.com -SqlCredential 'CONTOSO\\lyncadmin'",
      remarks: 'Tests the primary store, the compliance store, the backup stores and their mirrors, concurrently.',
      setup: SETUP_POOL,
    },
    {
      title: 'A named instance, the password from a file',
      code: 'pchat Test-SqlStore -SqlServerFqdn sql01.contoso.com -SqlInstance PCHAT -SqlCredential pchatsql -SqlCredentialFile ~/.pchat-sql',
      remarks: 'The port comes from the SQL Server Browser (UDP 1434); give -Port when the instance has a fixed port.',
    },
    {
      title: 'In a scheduled job: only the exit code',
      code: "pchat Test-SqlStore -SqlStore 'sql01.contoso.com\\PCHAT' -SqlCredential pchatsql -Quiet < /dev/null || echo 'SQL store not ready'",
      remarks: 'Exit code 3 when a check failed. Warnings (AlwaysOn enabled, databases present) do not fail.',
    },
    {
      title: 'Stores from another command',
      code: "pchat Get-PersistentChatPool | pchat Test-SqlStore -SqlCredential pchatsql | jq -c 'select(.Status != \"Passed\")'",
      remarks: 'Piped pool objects bind by their Fqdn; piped store objects by Identity, or SqlServerFqdn/SqlInstance/Port.',
    },
    {
      title: 'A server with a self-signed certificate',
      code: 'pchat Test-SqlStore -SqlServerFqdn sql01.contoso.com -SqlCredential sa -TrustServerCertificate',
      remarks: 'Without -TrustServerCertificate the Encryption check fails on a certificate this host does not trust.',
    },
  ],
  async process(p: Params, ctx: CmdletContext) {
    const state: RunState = probeRun<Job, Options, Extra>(ctx.runId);
    state.options = { Encrypt: p.Encrypt, TrustServerCertificate: p.TrustServerCertificate, TimeoutSeconds: p.TimeoutSeconds, ThrottleLimit: p.ThrottleLimit };
    state.credentialSource ??= credentialSource('sql', p.SqlCredential, p.SqlCredentialFile);

    // A piped pool object also carries SqlStore and Port (its chat port): the widest target wins.
    const add = (_t: Topology | null, plans: StorePlan[]) => {
      for (const s of plans) {
        ctx.writeVerbose(`${s.identity}: ${s.roles.length ? s.roles.join(', ') : 'not used by a pool yet'}; expects ${s.expect.databases.join(', ')}.`);
        state.jobs.push({ label: s.identity, target: { server: s.server, instance: s.instance, port: s.port }, expect: { ...s.expect, product: p.Product ?? s.expect.product } });
      }
    };
    if (p.PoolFqdn?.length) {
      const t = (await loadTopology(ctx, state, true))!;
      for (const fqdn of p.PoolFqdn) {
        const pool = findPersistentChatPool(t, fqdn);
        if (!pool) throw persistentChatPoolNotFound(normalizeFqdn(fqdn), t);
        add(t, poolStorePlans(t, pool, state.published));
      }
      return [];
    }
    if (p.SqlStore?.length) {
      const t = (await loadTopology(ctx, state, true))!;
      for (const id of p.SqlStore) {
        if (!findSqlStore(t, id)) throw sqlStoreNotFound(id, {}, t);
        add(t, [storePlan(t, id, undefined, state.published)]);
      }
      return [];
    }
    if (p.SqlServerFqdn) {
      const [host, inlineInstance] = p.SqlServerFqdn.split('\\');
      if (inlineInstance && p.SqlInstance && inlineInstance.toUpperCase() !== p.SqlInstance.toUpperCase()) {
        throw usageError('ConflictingInstance', `-SqlServerFqdn names instance ${inlineInstance} and -SqlInstance names ${p.SqlInstance}.`, p.SqlServerFqdn, 'Give the instance once.');
      }
      const instance = (inlineInstance ?? p.SqlInstance) || null;
      const t = await loadTopology(ctx, state, false);
      const id = sqlStoreIdentity({ sqlServerFqdn: host!, sqlInstance: instance });
      if (t && findSqlStore(t, id)) {
        const plan = storePlan(t, id, undefined, state.published);
        add(t, [{ ...plan, port: p.Port ?? plan.port, identity: p.Port !== undefined ? `${plan.identity},${p.Port}` : plan.identity }]);
      } else {
        const product = p.Product ?? t?.product ?? 'SkypeForBusiness2015';
        state.jobs.push({
          label: `${id}${p.Port !== undefined ? `,${p.Port}` : ''}`,
          target: { server: host!, instance: instance ? instance.toUpperCase() : null, port: p.Port },
          expect: { product, databases: ['mgc', 'mgccomp'], needCreate: true },
        });
      }
      return [];
    }
    throw usageError(
      'NoSqlStoreGiven',
      'Give the store to test: -SqlServerFqdn <host> [-SqlInstance <name>] [-Port <n>], -SqlStore <identity>, -PoolFqdn <pool fqdn>, or pipe objects with those properties.',
      'Test-SqlStore',
      "Run 'pchat Test-SqlStore -?' for examples.",
      { noInput: true },
    );
  },
  async *end(ctx: CmdletContext) {
    const state = takeProbeRun<Job, Options, Extra>(ctx.runId);
    if (!state) return;
    const o = state.options;
    const credential = state.credentialSource && (await resolveCredential(ctx, state.credentialSource));
    const { testSqlStore } = await import('../lib/probes/sql/index.js');
    const timeoutMs = o.TimeoutSeconds * 1000;
    const target = { credential, encrypt: o.Encrypt, trustServerCertificate: o.TrustServerCertificate, connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs };
    yield* probeInOrder(ctx, state.jobs, o.ThrottleLimit, (job) => testSqlStore({ ...job.target, ...target }, job.expect, job.label, { log: ctx.log }));
  },
} satisfies CmdletDefinition<Params>;
