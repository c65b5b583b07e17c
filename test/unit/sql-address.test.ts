// Repository addresses: which one is a SQL Server store, what it means, and a password in it refused
// (exit 2) without being repeated.
import test from 'ava';
import { ErrorRecord } from '../../lib/cmdlet/errors.js';
import { isSqlStoreAddress, isStoreAddress, parseSqlStoreAddress } from '../../lib/topology/sql/address.js';

test('a folder is not a store address; sqlserver:// in any case is', (t) => {
  t.false(isSqlStoreAddress('/srv/pchat'));
  t.false(isSqlStoreAddress('sqlserver.d/topology'));
  t.true(isSqlStoreAddress('SQLServer://sa@sql01.pchat.test/t'));
});

test('login, host, named instance, port, database and options', (t) => {
  t.like(parseSqlStoreAddress('sqlserver://pchatadmin@sql01.pchat.test\\PCHAT:1533/PchatTopology?encrypt=strict&trustServerCertificate=true'), {
    userName: 'pchatadmin',
    server: 'sql01.pchat.test',
    instance: 'PCHAT',
    port: 1533,
    database: 'PchatTopology',
    encrypt: 'Strict',
    trustServerCertificate: true,
  });
  t.like(parseSqlStoreAddress('sqlserver://sa@sql01.pchat.test/t'), { instance: undefined, port: undefined, encrypt: 'Mandatory', trustServerCertificate: false, connectTimeoutSeconds: undefined });
});

test('connectTimeout is in seconds, as a connection string\'s Connect Timeout, from 1 to 600', (t) => {
  t.is(parseSqlStoreAddress('sqlserver://sa@sql01.pchat.test/t?connectTimeout=45').connectTimeoutSeconds, 45);
  t.like(parseSqlStoreAddress('sqlserver://sa@sql01.pchat.test/t?encrypt=optional&ConnectTimeout=1&trustServerCertificate=true'), { connectTimeoutSeconds: 1, encrypt: 'Optional', trustServerCertificate: true });
  t.is(parseSqlStoreAddress('sqlserver://sa@sql01.pchat.test/t?connectTimeout=600').connectTimeoutSeconds, 600);
});

test('DOMAIN\\user as typed and as %5C is a Windows login; the host may be followed by %5C instance too', (t) => {
  t.is(parseSqlStoreAddress('sqlserver://CONTOSO\\lyncadmin@sql01.pchat.test/t').userName, 'CONTOSO\\lyncadmin');
  t.is(parseSqlStoreAddress('sqlserver://CONTOSO%5Clyncadmin@sql01.pchat.test/t').userName, 'CONTOSO\\lyncadmin');
  t.is(parseSqlStoreAddress('sqlserver://sa@sql01.pchat.test%5CPCHAT/t').instance, 'PCHAT');
});

test('a password in the address is refused with exit 2, and the message never holds it', (t) => {
  const e = t.throws(() => parseSqlStoreAddress('sqlserver://sa:Sup3r-Secret@sql01.pchat.test/t')) as ErrorRecord;
  t.is(e.errorId, 'RepositoryPasswordInAddress');
  t.is(e.exitCode, 2);
  t.false(`${e.message} ${e.target} ${e.recommendedAction}`.includes('Sup3r-Secret'));
  t.regex(e.message, /sqlserver:\/\/sa:\*\*\*@sql01\.pchat\.test\/t/);
});

for (const [address, masked] of [
  ['sqlserver://sa:Sup3r/Secret@sql01.pchat.test/t', 'sqlserver://sa:***@sql01.pchat.test/t'],
  ['sqlserver://sa:Sup3r?Se@cret@sql01.pchat.test\\PCHAT:1533/t?encrypt=strict', 'sqlserver://sa:***@sql01.pchat.test\\PCHAT:1533/t?encrypt=strict'],
  ['sqlserver://sa@sql01.pchat.test/t?password=Sup3r-Secret', 'sqlserver://sa@sql01.pchat.test/t?password=***'],
  ['sqlserver://sa@sql01.pchat.test/t?trustServerCertificate=true&PWD=Sup3r-Secret', 'sqlserver://sa@sql01.pchat.test/t?trustServerCertificate=true&PWD=***'],
  ['sqlserver://sa@sql01.pchat.test/t?encrypt=optional&passwd=Sup3r&Secret=1', 'sqlserver://sa@sql01.pchat.test/t?encrypt=optional&passwd=***'],
] as const) {
  test(`a password anywhere in the address is refused and never repeated: ${masked}`, (t) => {
    const e = t.throws(() => parseSqlStoreAddress(address)) as ErrorRecord;
    t.is(e.errorId, 'RepositoryPasswordInAddress');
    t.is(e.exitCode, 2);
    const shown = `${e.message} ${e.target} ${e.recommendedAction}`;
    t.false(/Sup3r|Secret|Se@cret/.test(shown), shown);
    t.true(e.message.includes(`(${masked})`), e.message);
  });
}

test('another scheme is an address refused with exit 2, not a folder named after it, and its rest is not repeated', (t) => {
  t.false(isStoreAddress('/srv/pchat'));
  t.false(isStoreAddress('C:\\pchat'));
  for (const a of ['mssql://sa@sql01.pchat.test/t', 'SQLSERVER2://sa:Sup3r-Secret@sql01.pchat.test/t', 'smb://fs01.pchat.test/pchat']) {
    t.true(isStoreAddress(a));
    const e = t.throws(() => parseSqlStoreAddress(a)) as ErrorRecord;
    t.is(e.errorId, 'RepositoryAddressInvalid');
    t.is(e.exitCode, 2);
    t.regex(e.message, /neither a folder nor a SQL Server store/);
    t.false(`${e.message} ${e.target}`.includes('Sup3r'));
  }
});

for (const [bad, why] of [
  ['sqlserver://sa@sql01.pchat.test', /names no database/],
  ['sqlserver://sa@sql01.pchat.test/1abc', /not a database name/],
  ['sqlserver://sa@sql01 pchat/t', /is not host/],
  ['sqlserver://sa@sql01.pchat.test/t?encrypt=maybe', /not an option it knows/],
  ['sqlserver://sa@sql01.pchat.test:70000/t', /out of range/],
  ['sqlserver://sa@sql01.pchat.test/t?connectTimeout=0', /connectTimeout=0 is not a whole number of seconds from 1 to 600/],
  ['sqlserver://sa@sql01.pchat.test/t?connectTimeout=601', /from 1 to 600/],
  ['sqlserver://sa@sql01.pchat.test/t?connectTimeout=30000', /connectTimeout=30000 is not a whole number of seconds/],
  ['sqlserver://sa@sql01.pchat.test/t?connectTimeout=2.5', /from 1 to 600/],
  ['sqlserver://sa@sql01.pchat.test/t?connectTimeout=', /from 1 to 600/],
] as const) {
  test(`an invalid address is a usage error: ${bad}`, (t) => {
    const e = t.throws(() => parseSqlStoreAddress(bad)) as ErrorRecord;
    t.is(e.errorId, 'RepositoryAddressInvalid');
    t.is(e.exitCode, 2);
    t.regex(e.message, why);
  });
}
