// testSqlStore: one row per check, in a fixed order. Each check is isolated: a failure is a Failed
// row, and the checks that depend on it are reported as Skipped with the reason, never left out.
import { dnsCheck, tcpCheck } from '../net.js';
import type { CheckRow } from '../types.js';
import { describeAuthentication, describeRequestError, normalizeTarget, openSession } from '../../sql/connect.js';
import { resolveEndpoint } from '../../sql/endpoint.js';
import { uniqueNames } from '../../sql/names.js';
import {
  alwaysOnVerdict,
  browserVerdict,
  connectFailureVerdicts,
  createRightVerdict,
  encryptionVerdict,
  instanceVerdict,
  otherPoolsVerdict,
  poolDatabasesVerdict,
  versionVerdict,
  type Verdict,
} from './checks.js';
import { SERVER_FACTS_SQL, databasesQuery, parseServerFacts, type ServerFacts } from './queries.js';
import { PARAMETER_TERMS } from './terms.js';
import { SQL_CHECK, type ProbeOptions, type SqlStoreExpectation, type SqlTarget } from './types.js';

const ORDER = [
  SQL_CHECK.NameResolution,
  SQL_CHECK.Browser,
  SQL_CHECK.Tcp,
  SQL_CHECK.Login,
  SQL_CHECK.Encryption,
  SQL_CHECK.Instance,
  SQL_CHECK.Version,
  SQL_CHECK.AlwaysOn,
  SQL_CHECK.CreateRight,
  SQL_CHECK.PoolDatabases,
  SQL_CHECK.OtherPools,
];

export async function testSqlStore(target: SqlTarget, expect: SqlStoreExpectation, label: string, opts: ProbeOptions = {}): Promise<CheckRow[]> {
  const t = normalizeTarget(target);
  const log = opts.log;
  const rows: CheckRow[] = [];
  const add = (check: string, v: Verdict, ms: number) => rows.push({ Target: label, Check: check, ...v, DurationMs: Math.round(ms) });
  /** Reports every check not reported yet as Skipped, with why. */
  const skipRest = (why: string) => {
    for (const check of ORDER) if (!rows.some((r) => r.Check === check)) add(check, { Status: 'Skipped', Details: `Not checked: ${why}.`, RecommendedAction: '' }, 0);
    return rows;
  };
  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const s = performance.now();
    const r = await fn();
    return [r, performance.now() - s];
  };

  const dns = await dnsCheck(label, t.server, t.connectTimeoutMs);
  rows.push(dns);
  if (dns.Status === 'Failed') return skipRest(`${t.server} does not resolve`);

  const [ep, epMs] = await timed(() => resolveEndpoint(t, PARAMETER_TERMS));
  add(SQL_CHECK.Browser, browserVerdict(ep, t.port), epMs);
  if (ep.port === undefined) return skipRest(`the TCP port of instance ${t.instance} is unknown`);
  const port = ep.port;
  const endpoint = `${t.server}:${port}`;

  const tcp = await tcpCheck(label, t.server, port, `SQL Server${t.instance ? ` (instance ${t.instance})` : ''}`, t.connectTimeoutMs);
  rows.push(tcp);
  if (tcp.Status === 'Failed') return skipRest(`${endpoint} is not reachable`);

  if (!t.credential) {
    add(SQL_CHECK.Login, {
      Status: 'Failed',
      Details: 'No credential was given; integrated Windows authentication (Kerberos) is not available from this tool.',
      RecommendedAction: PARAMETER_TERMS.credential,
    }, 0);
    return skipRest('no login');
  }
  log?.verbose(`${label}: connecting to ${endpoint} with ${describeAuthentication(t.credential.userName)}, -Encrypt ${t.encrypt}.`);
  const [opened, loginMs] = await timed(() => openSession(t, port, log));
  if (!opened.ok) {
    const v = connectFailureVerdicts(opened.failure, { mode: t.encrypt, userName: t.credential.userName, connectTimeoutMs: t.connectTimeoutMs, endpoint });
    add(SQL_CHECK.Login, v.login, v.login.Status === 'Skipped' ? 0 : loginMs);
    add(SQL_CHECK.Encryption, v.encryption, v.encryption.Status === 'Skipped' ? 0 : loginMs);
    return skipRest('no session with the server');
  }
  const session = opened.session;
  try {
    let facts: ServerFacts | undefined;
    let factsError = '';
    const [, factsMs] = await timed(async () => {
      try {
        const r = await session.query(SERVER_FACTS_SQL);
        facts = parseServerFacts(r[0] ?? {});
      } catch (e) {
        factsError = describeRequestError(e, t.requestTimeoutMs);
      }
    });
    const who = facts?.loginName || t.credential.userName;
    add(SQL_CHECK.Login, { Status: 'Passed', Details: `Logged in as ${who} (${describeAuthentication(t.credential.userName)})${facts?.serverName ? ` on ${facts.serverName}` : ''}.`, RecommendedAction: '' }, loginMs);
    add(SQL_CHECK.Encryption, encryptionVerdict(t.encrypt, session.tls, t.trustServerCertificate), 0);
    const factsFailed: Verdict = {
      Status: 'Failed',
      Details: `Could not read the server's properties: ${factsError}.`,
      RecommendedAction: 'Check that the login may run SELECT SERVERPROPERTY(...), IS_SRVROLEMEMBER and HAS_PERMS_BY_NAME (any login may), and that the server answers within the request timeout.',
    };
    add(SQL_CHECK.Instance, facts ? instanceVerdict(facts, t.instance, endpoint) : factsFailed, factsMs);

    const wanted = uniqueNames([...expect.databases, ...(expect.otherPoolsDatabases ?? [])]);
    let present: string[] | undefined;
    let dbError = '';
    const [, dbMs] = await timed(async () => {
      if (wanted.length === 0) return void (present = []);
      try {
        const q = databasesQuery(wanted);
        present = (await session.query(q.text, q.params)).map((r) => String(r.name ?? r.NAME ?? ''));
      } catch (e) {
        dbError = describeRequestError(e, t.requestTimeoutMs);
      }
    });

    const dbFailed: Verdict = {
      Status: 'Failed',
      Details: `Could not list the databases (sys.databases): ${dbError}.`,
      RecommendedAction: 'Check that the login has VIEW ANY DATABASE (granted to public by default).',
    };
    add(SQL_CHECK.Version, facts ? versionVerdict(facts, expect) : factsFailed, factsMs);
    add(SQL_CHECK.AlwaysOn, facts ? alwaysOnVerdict(facts) : factsFailed, factsMs);
    add(SQL_CHECK.CreateRight, facts ? createRightVerdict(facts, expect, present ?? []) : factsFailed, factsMs);
    add(SQL_CHECK.PoolDatabases, present ? poolDatabasesVerdict(expect, present, facts?.seesAllDatabases ?? true) : dbFailed, dbMs);
    add(SQL_CHECK.OtherPools, present ? otherPoolsVerdict(expect, present) : dbFailed, dbMs);
    return rows;
  } finally {
    await session.close();
  }
}
