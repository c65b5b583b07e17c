// The SQL client's connection advice in each caller's terms: Test-SqlStore and Publish-Topology name
// their parameters, word for word as before the terms existed; the topology store names only its
// address's options and its own password sources.
import test from 'ava';
import type { ConnectFailure } from '../../lib/sql/connect.js';
import { explainConnectFailure } from '../../lib/sql/connect-failure.js';
import { ensureDatabase } from '../../lib/sql/databases.js';
import type { ErrorRecord } from '../../lib/cmdlet/errors.js';
import type { EncryptMode } from '../../lib/sql/types.js';
import { PARAMETER_TERMS } from '../../lib/probes/sql/terms.js';
import { addressTerms } from '../../lib/topology/sql/address.js';

const tls = (message: string): ConnectFailure => ({ code: 'ESOCKET', message, serverErrors: [], phase: 'SentTLSSSLNegotiation' });
const refused = (number: number, message: string): ConnectFailure => ({ code: 'ELOGIN', message, serverErrors: [{ number, state: 1, class: 14, message }], phase: 'SentLogin7WithStandardLogin' });

/** Each kind of failure, and Test-SqlStore's advice for it as it has always read. */
const cases: { what: string; f: ConnectFailure; mode?: EncryptMode; user?: string; parameters: string }[] = [
  {
    what: 'a refused SQL login (18456)',
    f: refused(18456, "Login failed for user 'pchatstore'."),
    parameters: 'Check the login name and its password (PCHAT_SQL_PASSWORD or -SqlCredentialFile), that the login exists and is enabled, and that the instance allows SQL Server authentication (mixed mode); for a Windows account give DOMAIN\\user.',
  },
  {
    what: 'a refused login without 18456 (18470, disabled)',
    f: refused(18470, "Login failed for user 'pchatstore'. Reason: The account is disabled."),
    parameters: 'Check the login name and its password (PCHAT_SQL_PASSWORD or -SqlCredentialFile), that the login exists and is enabled, and that the instance allows SQL Server authentication (mixed mode); for a Windows account give DOMAIN\\user.',
  },
  {
    what: 'a refused Windows login',
    f: refused(18456, "Login failed for user 'CONTOSO\\lyncadmin'."),
    user: 'CONTOSO\\lyncadmin',
    parameters: 'Check the Windows account name (DOMAIN\\user) and its password (PCHAT_SQL_PASSWORD or -SqlCredentialFile), and that the account has a SQL Server login on the instance.',
  },
  {
    what: 'an untrusted certificate',
    f: tls('self-signed certificate'),
    parameters: 'Give the instance a certificate trusted on this host whose name matches the server name, or pass -TrustServerCertificate to accept the certificate the server has.',
  },
  {
    what: 'an untrusted certificate, strict',
    f: tls('self-signed certificate'),
    mode: 'Strict',
    parameters: 'With -Encrypt Strict the certificate is always validated: give the instance a certificate trusted here whose name matches the server name, or use -Encrypt Mandatory.',
  },
  {
    what: 'only TLS 1.0',
    f: tls('unsupported protocol'),
    parameters: 'Install the TLS 1.2 update for this SQL Server build (Microsoft KB3135244: SQL Server 2008 R2 SP2, 2012 SP1 and 2014 have one), or, if the server does not force encryption, use -Encrypt Optional.',
  },
  {
    what: 'only TLS 1.0, optional',
    f: tls('unsupported protocol'),
    mode: 'Optional',
    parameters: 'Install the TLS 1.2 update for this SQL Server build (Microsoft KB3135244: SQL Server 2008 R2 SP2, 2012 SP1 and 2014 have one); the server forces encryption, so -Encrypt Optional cannot avoid TLS.',
  },
  {
    what: 'no TDS 8.0',
    f: { code: 'ESOCKET', message: 'socket hang up', serverErrors: [], phase: 'Connecting' },
    mode: 'Strict',
    parameters: '-Encrypt Strict needs SQL Server 2022 or later with a certificate; use -Encrypt Mandatory for older releases.',
  },
  {
    what: 'a silent server',
    f: { code: 'ETIMEOUT', message: 'timeout', serverErrors: [], phase: 'SentPrelogin' },
    parameters: 'Check that this port is the SQL Server instance (not another service or a hung server), and that no firewall or proxy holds the traffic; raise -TimeoutSeconds for a slow link.',
  },
];

const explain = (c: (typeof cases)[number], terms = PARAMETER_TERMS) =>
  explainConnectFailure(c.f, { mode: c.mode ?? 'Mandatory', userName: c.user ?? 'pchatstore', connectTimeoutMs: 15_000, endpoint: 'sql01.pchat.test:1433', terms });

/** What a store user cannot give: Test-SqlStore's and Publish-Topology's parameters and password sources. */
const NOT_THE_STORES = /-SqlCredentialFile|PCHAT_SQL_PASSWORD|-TrustServerCertificate|-Encrypt |-Port\b|-TimeoutSeconds|-SqlCredential\b/;

for (const c of cases) {
  test(`${c.what}: Test-SqlStore's advice names its parameters, as it always has`, (t) => {
    t.is(explain(c).action, c.parameters);
  });
  test(`${c.what}: the store's advice names only the address's options and the store's password sources`, (t) => {
    const advice = explain(c, addressTerms()).action;
    t.notRegex(advice, NOT_THE_STORES, advice);
    t.not(advice, c.parameters, 'the store is told something of its own');
  });
}

test("the store's advice says what to write in the address, and where its password comes from", (t) => {
  const store = (what: string) => explain(cases.find((c) => c.what === what)!, addressTerms()).action;
  t.regex(store('a refused SQL login (18456)'), /login name in the address and its password \(PCHAT_REPOSITORY_PASSWORD, -RepositoryCredentialFile or the prompt\)/);
  t.regex(store('a refused SQL login (18456)'), /give DOMAIN\\user@host in the address\.$/);
  t.regex(store('a refused Windows login'), /Windows account name in the address \(DOMAIN\\user@host\)/);
  t.regex(store('an untrusted certificate'), /add trustServerCertificate=true to the address/);
  t.regex(store('an untrusted certificate, strict'), /With encrypt=strict .* use encrypt=mandatory in the address\.$/);
  t.regex(store('only TLS 1.0'), /use encrypt=optional in the address\.$/);
  t.regex(store('a silent server'), /raise connectTimeout=<seconds> in the address/);
});

test("Copy-Topology's destination store names its own password file", (t) => {
  const advice = explain(cases[0]!, addressTerms('-DestinationCredentialFile')).action;
  t.regex(advice, /PCHAT_REPOSITORY_PASSWORD, -DestinationCredentialFile or the prompt/);
});

test('a refused login is told from a failed connection', (t) => {
  t.true(explain(cases[0]!).refused);
  t.true(explain(cases[1]!).refused, '18470 refuses the credential too');
  t.false(explain(cases[3]!).refused);
  t.false(explain(cases.find((c) => c.what === 'a silent server')!).refused);
});

test('ensureDatabase without a credential says how to give one in the caller\'s terms, before connecting', async (t) => {
  const target = { server: '127.0.0.1', port: 9 };
  const publish = (await t.throwsAsync(ensureDatabase(target, 'mgc', { terms: PARAMETER_TERMS }))) as ErrorRecord;
  t.is(publish.errorId, 'SqlCredentialMissing');
  t.is(publish.recommendedAction, 'Give -SqlCredential <login> (or DOMAIN\\user) with the password in PCHAT_SQL_PASSWORD or a -SqlCredentialFile.');
  const store = (await t.throwsAsync(ensureDatabase(target, 'mgc', { terms: addressTerms() }))) as ErrorRecord;
  t.is(store.errorId, 'SqlCredentialMissing');
  t.notRegex(store.recommendedAction ?? '', NOT_THE_STORES);
  t.regex(store.recommendedAction ?? '', /Put the login in the address .* PCHAT_REPOSITORY_PASSWORD, a -RepositoryCredentialFile or at the prompt/);
});
