// The SQL probe's pure parts: names and quoting, queries and their tolerant reading, the SQL Browser
// answer, and the connection config handed to mssql.
import test from 'ava';
import { isValidDatabaseName, quoteName, uniqueNames, validateDatabaseName } from '../../lib/sql/names.js';
import { SERVER_FACTS_SQL, databasesQuery, parseServerFacts } from '../../lib/probes/sql/queries.js';
import { describeInstances, findInstance, parseBrowserResponse } from '../../lib/sql/browser.js';
import { buildConfig, encryptOption, normalizeTarget, splitUserName } from '../../lib/sql/connect.js';
import { ErrorRecord } from '../../lib/cmdlet/errors.js';
import { encodeSsrpResponse } from '../support/ssrp.js';

test('database names: regular identifiers only; quoting doubles ]', (t) => {
  for (const ok of ['mgc', 'mgccomp', 'MGC_2', '_x']) t.true(isValidDatabaseName(ok), ok);
  for (const bad of ['', '1mgc', 'mgc;drop', 'a b', '#tmp', '@v', 'x]', 'a'.repeat(125)]) t.false(isValidDatabaseName(bad), bad);
  t.is(quoteName('mgc'), '[mgc]');
  t.is(quoteName('a]b'), '[a]]b]');
  const e = t.throws(() => validateDatabaseName('x;y'), { instanceOf: ErrorRecord });
  t.is(e.errorId, 'InvalidDatabaseName');
  t.is(e.exitCode, 2);
  t.deepEqual(uniqueNames(['mgc', 'MGC', 'mgccomp']), ['mgc', 'mgccomp']);
});

test('the database query passes every name as a parameter, none inside the text', (t) => {
  const q = databasesQuery(['mgc', "o'hare]"]);
  t.is(q.text, 'SELECT name FROM sys.databases WHERE name IN (@db0, @db1);');
  t.deepEqual(q.params, [{ name: 'db0', value: 'mgc' }, { name: 'db1', value: "o'hare]" }]);
  t.false(q.text.includes('mgc'));
});

test('the facts query uses only what SQL Server 2005 already has, and converts sql_variant', (t) => {
  for (const f of ['SERVERPROPERTY', 'IS_SRVROLEMEMBER', 'HAS_PERMS_BY_NAME', 'SUSER_SNAME', '@@VERSION']) t.true(SERVER_FACTS_SQL.includes(f), f);
  t.false(/CONNECTIONPROPERTY|sys\.dm_/.test(SERVER_FACTS_SQL), 'no 2008+ function, no VIEW SERVER STATE view');
  for (const m of SERVER_FACTS_SQL.matchAll(/SERVERPROPERTY\('(\w+)'\)/g)) {
    t.regex(SERVER_FACTS_SQL, new RegExp(`CONVERT\\((nvarchar\\(128\\)|int), SERVERPROPERTY\\('${m[1]}'\\)\\)`), `${m[1]} is converted`);
  }
});

test('server facts: NULL and 0 are no, NULL HADR is unknown, empty instance is the default one, names any case', (t) => {
  const f = parseServerFacts({
    productversion: ' 10.50.6000.34 ',
    Edition: 'Standard Edition (64-bit)',
    EngineEdition: 2,
    IsHadrEnabled: null,
    InstanceName: '',
    VersionText: 'Microsoft SQL Server 2008 R2 (SP3) - 10.50.6000.34 (X64)',
    LoginName: 'sa',
    IsSysadmin: null,
    IsDbcreator: 0,
    HasCreateAnyDatabase: true,
  });
  t.is(f.productVersion, '10.50.6000.34');
  t.is(f.hadrEnabled, null);
  t.is(f.instanceName, null);
  t.false(f.isSysadmin);
  t.false(f.isDbcreator);
  t.true(f.hasCreateAnyDatabase);
  t.false(f.is32Bit);
  t.true(parseServerFacts({ VersionText: 'Microsoft SQL Server 2008 R2 (RTM) - 10.50.1600.1 (Intel X86) \n\tApr  2 2010' }).is32Bit);
  t.is(parseServerFacts({ IsHadrEnabled: 1 }).hadrEnabled, true);
});

test('SQL Browser answers: every record, TCP port optional, instance matched case-insensitively', (t) => {
  const buf = encodeSsrpResponse([
    { serverName: 'SQL01', instanceName: 'MSSQLSERVER', version: '11.0.7001.0', tcp: 1433 },
    { serverName: 'SQL01', instanceName: 'PCHAT', version: '11.0.7001.0', tcp: 50123, isClustered: true },
    { serverName: 'SQL01', instanceName: 'PIPES', version: '10.50.6000.34', np: '\\\\SQL01\\pipe\\MSSQL$PIPES\\sql\\query' },
  ]);
  const all = parseBrowserResponse(buf);
  t.is(all.length, 3);
  t.deepEqual(findInstance(all, 'pchat'), { serverName: 'SQL01', instanceName: 'PCHAT', isClustered: true, version: '11.0.7001.0', tcp: 50123, np: undefined });
  t.is(findInstance(all, 'PIPES')!.tcp, undefined);
  t.is(findInstance(all, 'NOPE'), undefined);
  t.is(describeInstances(all), 'MSSQLSERVER (TCP 1433, 11.0.7001.0), PCHAT (TCP 50123, 11.0.7001.0), PIPES (no TCP port, 10.50.6000.34)');
  t.deepEqual(parseBrowserResponse(Buffer.from([0x04, 0, 0])), [], 'not an SVR_RESP');
  t.deepEqual(parseBrowserResponse(Buffer.from([0x05, 0xff, 0xff, 0x41])), [], 'a length beyond the datagram');
});

test('user names: DOMAIN\\user and user@realm are NTLM, anything else a SQL login', (t) => {
  t.deepEqual(splitUserName('CONTOSO\\pchat'), { domain: 'CONTOSO', user: 'pchat' });
  t.deepEqual(splitUserName('pchat@contoso.com'), { domain: '', user: 'pchat@contoso.com' });
  t.deepEqual(splitUserName('sa'), { user: 'sa' });
});

test('mssql config: a new object each time, explicit port, no instanceName, master, the encrypt mode mapped', (t) => {
  const target = normalizeTarget({ server: 'sql01.contoso.com', instance: 'PCHAT', credential: { userName: 'CONTOSO\\pchat', password: 'pw' }, trustServerCertificate: true, connectTimeoutMs: 2000 });
  const a = buildConfig(target, 50123, encryptOption(target.encrypt));
  const b = buildConfig(target, 50123, encryptOption(target.encrypt));
  t.not(a, b);
  t.not(a.options, b.options, 'mssql mutates options: never shared');
  t.is(a.server, 'sql01.contoso.com');
  t.is(a.port, 50123);
  t.is(a.database, 'master');
  t.is(a.options!.instanceName, undefined);
  t.is(a.options!.encrypt, true);
  t.is(a.options!.trustServerCertificate, true);
  t.is(a.connectionTimeout, 2000);
  t.is(a.requestTimeout, 15000);
  t.is(a.domain, 'CONTOSO');
  t.is(a.user, 'pchat');
  const sqlLogin = buildConfig(normalizeTarget({ server: 'h', credential: { userName: 'sa', password: 'pw' } }), 1433, false);
  t.false('domain' in sqlLogin, 'a SQL login must not switch mssql to NTLM');
  t.is(encryptOption('Strict'), 'strict');
  t.is(encryptOption('Optional'), false);
  t.is(encryptOption('Optional', true), true);
});

test('targets: MSSQLSERVER and empty mean the default instance; defaults filled in', (t) => {
  t.is(normalizeTarget({ server: 'h', instance: 'MSSQLSERVER' }).instance, null);
  t.is(normalizeTarget({ server: 'h', instance: ' ' }).instance, null);
  const n = normalizeTarget({ server: ' h ' });
  t.is(n.server, 'h');
  t.is(n.encrypt, 'Mandatory');
  t.is(n.connectTimeoutMs, 15000);
});
