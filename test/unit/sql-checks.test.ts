// The SQL probe's verdicts, one rule at a time (no network).
import test from 'ava';
import {
  alwaysOnVerdict,
  connectFailureVerdicts,
  createRightVerdict,
  encryptionVerdict,
  otherPoolsVerdict,
  poolDatabasesVerdict,
  versionVerdict,
} from '../../lib/probes/sql/checks.js';
import type { ServerFacts } from '../../lib/probes/sql/queries.js';
import { describeAuthentication } from '../../lib/sql/connect.js';
import type { CheckStatus } from '../../lib/probes/types.js';

function facts(over: Partial<ServerFacts> = {}): ServerFacts {
  return {
    productVersion: '11.0.7001.0',
    productLevel: 'SP4',
    edition: 'Enterprise Edition (64-bit)',
    engineEdition: 3,
    hadrEnabled: false,
    serverName: 'SQL01\\PCHAT',
    instanceName: 'PCHAT',
    collation: 'SQL_Latin1_General_CP1_CI_AS',
    versionText: 'Microsoft SQL Server 2012 (SP4) - 11.0.7001.0 (X64)',
    loginName: 'CONTOSO\\pchat',
    isSysadmin: false,
    isDbcreator: false,
    hasCreateAnyDatabase: false,
    hasCreateDatabase: false,
    seesAllDatabases: true,
    is32Bit: false,
    ...over,
  };
}

const versionCases: [string, Partial<ServerFacts>, 'Lync2013' | 'SkypeForBusiness2015', boolean, CheckStatus, RegExp][] = [
  ['2008 R2 Standard under Lync 2013', { productVersion: '10.50.6000.34', edition: 'Standard Edition (64-bit)', engineEdition: 2 }, 'Lync2013', false, 'Passed', /SQL Server 2008 R2/],
  ['2008 (not R2)', { productVersion: '10.0.6000.29' }, 'SkypeForBusiness2015', false, 'Failed', /SQL Server 2008 is older than SQL Server 2008 R2/],
  ['2014 under Lync 2013', { productVersion: '12.0.6024.0' }, 'Lync2013', false, 'Warning', /newer than the releases documented for Lync2013/],
  ['2014 under SfB 2015', { productVersion: '12.0.6024.0' }, 'SkypeForBusiness2015', false, 'Passed', /SQL Server 2014/],
  ['Express by EngineEdition although the edition string says otherwise', { edition: 'Standard Edition (64-bit)', engineEdition: 4 }, 'SkypeForBusiness2015', false, 'Failed', /Express engine/],
  ['Express allowed for an SE-collocated pool', { edition: 'Express Edition (64-bit)', engineEdition: 4 }, 'SkypeForBusiness2015', true, 'Passed', /Express/],
  ['Web edition', { edition: 'Web Edition (64-bit)', engineEdition: 2 }, 'SkypeForBusiness2015', false, 'Failed', /Web, Workgroup and Business Intelligence/],
  ['Business Intelligence edition (EngineEdition 2, as Standard)', { productVersion: '12.0.6024.0', edition: 'Business Intelligence Edition (64-bit)', engineEdition: 2 }, 'SkypeForBusiness2015', false, 'Failed', /Business Intelligence editions are not supported/],
  ['Azure SQL Database', { productVersion: '12.0.2000.8', edition: 'SQL Azure', engineEdition: 5 }, 'SkypeForBusiness2015', false, 'Failed', /Azure SQL Database/],
  ['an unreadable version', { productVersion: '' }, 'SkypeForBusiness2015', false, 'Failed', /unrecognised product version/],
];
for (const [title, over, product, allowExpress, status, details] of versionCases) {
  test(`version: ${title}`, (t) => {
    const v = versionVerdict(facts(over), { product, allowExpress });
    t.is(v.Status, status);
    t.regex(v.Details, details);
  });
}

test('AlwaysOn: enabled warns, disabled and NULL (before 2012) pass', (t) => {
  t.is(alwaysOnVerdict(facts({ hadrEnabled: true })).Status, 'Warning');
  t.is(alwaysOnVerdict(facts({ hadrEnabled: false })).Status, 'Passed');
  t.regex(alwaysOnVerdict(facts({ hadrEnabled: null })).Details, /NULL before SQL Server 2012/);
});

test('the right to create databases: any of sysadmin, dbcreator, CREATE ANY DATABASE, CREATE DATABASE in master', (t) => {
  const e = { databases: ['mgc'] };
  t.is(createRightVerdict(facts({ isSysadmin: true }), e, []).Status, 'Passed');
  t.is(createRightVerdict(facts({ isDbcreator: true }), e, []).Status, 'Passed');
  t.is(createRightVerdict(facts({ hasCreateAnyDatabase: true, hasCreateDatabase: true }), e, []).Status, 'Passed');
  t.notRegex(createRightVerdict(facts({ hasCreateAnyDatabase: true, hasCreateDatabase: true }), e, []).Details, /in master/);
  const master = createRightVerdict(facts({ hasCreateDatabase: true }), e, []);
  t.is(master.Status, 'Passed');
  t.regex(master.Details, /CREATE DATABASE permission in master/);
  const none = createRightVerdict(facts(), e, []);
  t.is(none.Status, 'Failed');
  t.regex(none.Details, /CONTOSO\\pchat is neither/);
  t.regex(none.RecommendedAction, /sp_addsrvrolemember 'CONTOSO\\pchat', 'dbcreator'/);
  t.regex(none.RecommendedAction, /gets in through a Windows group, add that group's login/);
});

test('the commands the create-right advice gives quote the login name as QUOTENAME would', (t) => {
  const odd = createRightVerdict(facts({ loginName: "o'brien]x" }), { databases: ['mgc'] }, []);
  t.regex(odd.RecommendedAction, /ADD MEMBER \[o'brien\]\]x\];/);
  t.regex(odd.RecommendedAction, /sp_addsrvrolemember 'o''brien]x', 'dbcreator'/);
  t.notRegex(odd.RecommendedAction, /Windows group/, 'a SQL login has no group to go through');
});

test('a login that cannot see every database: absence is a Warning, not a pass', (t) => {
  const hidden = poolDatabasesVerdict({ databases: ['mgc', 'mgccomp'] }, ['master', 'tempdb'], false);
  t.is(hidden.Status, 'Warning');
  t.regex(hidden.Details, /mgc, mgccomp do not show in sys\.databases, which does not prove they are missing: .*VIEW ANY DATABASE/);
  t.is(poolDatabasesVerdict({ databases: ['mgc'] }, ['master', 'mgc'], false).Status, 'Warning', 'present: the usual reuse warning');
  const noRight = createRightVerdict(facts({ seesAllDatabases: false }), { databases: ['mgc'] }, []);
  t.is(noRight.Status, 'Failed');
  t.regex(noRight.Details, /Whether it exists is not known/);
  t.notRegex(createRightVerdict(facts(), { databases: ['mgc'] }, []).Details, /not known/);
});

test('no right is only a Warning when nothing is left to create or nothing is to be created', (t) => {
  t.is(createRightVerdict(facts(), { databases: ['mgc', 'mgccomp'] }, ['MGC', 'mgccomp']).Status, 'Warning');
  t.is(createRightVerdict(facts(), { databases: ['mgc', 'mgccomp'] }, ['mgc']).Status, 'Failed');
  t.regex(createRightVerdict(facts(), { databases: ['mgc', 'mgccomp'] }, ['mgc']).Details, /cannot create mgccomp\.$/);
  t.is(createRightVerdict(facts(), { databases: ['mgc'], needCreate: false }, []).Status, 'Warning');
});

test('pool databases an earlier publish of this pool created pass; one that was not, next to them, still warns', (t) => {
  const mine = poolDatabasesVerdict({ databases: ['mgc', 'mgccomp'], publishedDatabases: ['mgc', 'mgccomp'] }, ['MGC', 'mgccomp']);
  t.is(mine.Status, 'Passed');
  t.regex(mine.Details, /^mgc, mgccomp exist, created by an earlier publish of this pool/);
  t.is(poolDatabasesVerdict({ databases: ['mgc', 'mgccomp'], publishedDatabases: ['mgc'] }, ['mgc', 'mgccomp']).Status, 'Warning', 'mgccomp is new to this store');
});

test('pool databases: absent passes, present warns, present and claimed by another pool fails', (t) => {
  t.is(poolDatabasesVerdict({ databases: ['mgc'] }, ['master', 'tempdb']).Status, 'Passed');
  const present = poolDatabasesVerdict({ databases: ['mgc', 'mgc'] }, ['MGC']);
  t.is(present.Status, 'Warning');
  t.regex(present.Details, /^mgc already exists on this instance; publishing keeps and reuses it/);
  const claimed = poolDatabasesVerdict({ databases: ['mgc'], otherPoolsDatabases: ['mgc'], otherPools: ['b.contoso.com'] }, ['mgc']);
  t.is(claimed.Status, 'Failed');
  t.regex(claimed.Details, /belongs to another Persistent Chat pool of the topology \(b\.contoso\.com\)/);
});

test('rule 18: unknown without a topology, a shared name fails whether or not it exists yet, another role passes', (t) => {
  t.is(otherPoolsVerdict({ databases: ['mgc'] }, []).Status, 'Skipped');
  t.is(otherPoolsVerdict({ databases: ['mgc'], otherPoolsDatabases: [] }, []).Status, 'Passed');
  const planned = otherPoolsVerdict({ databases: ['mgc'], otherPoolsDatabases: ['mgc'], otherPools: ['b.contoso.com'] }, []);
  t.is(planned.Status, 'Failed');
  t.notRegex(planned.Details, /already exist/);
  t.regex(otherPoolsVerdict({ databases: ['mgc'], otherPoolsDatabases: ['MGC'] }, ['mgc']).Details, /MGC already exists here/);
  t.is(otherPoolsVerdict({ databases: ['mgc'], otherPoolsDatabases: ['mgccomp'] }, ['mgccomp']).Status, 'Passed');
});

test('encryption: Mandatory without TLS fails, Optional accepts it, TLS passes and says how the certificate was treated', (t) => {
  const tls = { protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384', strict: false };
  t.is(encryptionVerdict('Mandatory', undefined, false).Status, 'Failed');
  t.is(encryptionVerdict('Optional', undefined, false).Status, 'Passed');
  t.regex(encryptionVerdict('Mandatory', tls, true).Details, /not validated \(-TrustServerCertificate\)/);
  t.regex(encryptionVerdict('Mandatory', tls, false).Details, /server certificate validated/);
  t.regex(encryptionVerdict('Strict', { ...tls, strict: true }, true).Details, /TDS 8\.0 strict TLS .* server certificate validated/);
});

test('connect failures: 18456 is a login failure with the authentication tried; Encryption is then Skipped', (t) => {
  const v = connectFailureVerdicts(
    { code: 'ELOGIN', message: "Login failed for user 'sa'.", serverErrors: [{ number: 18456, state: 1, class: 14, message: "Login failed for user 'sa'." }], phase: 'SentLogin7WithStandardLogin' },
    { mode: 'Mandatory', userName: 'sa', connectTimeoutMs: 15000, endpoint: 'sql01:1433' },
  );
  t.is(v.login.Status, 'Failed');
  t.regex(v.login.Details, /\(error 18456, state 1\)\. Tried SQL Server authentication as 'sa'\./);
  t.is(v.encryption.Status, 'Skipped');
  const db = connectFailureVerdicts(
    { code: 'ELOGIN', message: 'x', serverErrors: [{ number: 4060, state: 1, class: 11, message: 'Cannot open database "master" requested by the login. The login failed.' }, { number: 18456, state: 1, class: 14, message: "Login failed for user 'CONTOSO\\x'." }], phase: '' },
    { mode: 'Mandatory', userName: 'CONTOSO\\x', connectTimeoutMs: 15000, endpoint: 'e' },
  );
  t.regex(db.login.Details, /error 4060, state 1; error 18456, state 1/);
  t.regex(db.login.Details, /NTLM/);
  t.regex(db.login.RecommendedAction, /DOMAIN\\user/);
});

test('connect failures: certificate problems are Encryption failures and the login is Skipped', (t) => {
  const v = connectFailureVerdicts({ code: 'ESOCKET', message: 'self-signed certificate', serverErrors: [], phase: 'SentTLSSSLNegotiation' }, { mode: 'Mandatory', userName: 'sa', connectTimeoutMs: 1, endpoint: 'e' });
  t.is(v.encryption.Status, 'Failed');
  t.is(v.login.Status, 'Skipped');
  t.regex(v.encryption.RecommendedAction, /-TrustServerCertificate/);
});

test('connect failures: a timeout names the phase that got no answer', (t) => {
  const ctx = { mode: 'Mandatory' as const, userName: 'sa', connectTimeoutMs: 2000, endpoint: 'sql01:1433' };
  t.regex(connectFailureVerdicts({ code: 'ETIMEOUT', message: 'x', serverErrors: [], phase: 'SentPrelogin' }, ctx).login.Details, /no answer to the pre-login handshake within 2000 ms/);
  t.regex(connectFailureVerdicts({ code: 'ETIMEOUT', message: 'x', serverErrors: [], phase: 'SentLogin7WithNTLMLogin' }, ctx).login.Details, /to the NTLM login/);
  t.regex(connectFailureVerdicts({ code: 'ETIMEOUT', message: 'x', serverErrors: [], phase: 'SentTLSSSLNegotiation' }, ctx).login.Details, /to the TLS handshake/);
});

test('authentication is described from the user name form', (t) => {
  t.is(describeAuthentication('sa'), "SQL Server authentication as 'sa'");
  t.is(describeAuthentication('CONTOSO\\lyncadmin'), "Windows authentication (NTLM) as 'CONTOSO\\lyncadmin'");
  t.is(describeAuthentication('lyncadmin@contoso.com'), "Windows authentication (NTLM) as 'lyncadmin@contoso.com'");
});
