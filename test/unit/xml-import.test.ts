// Importing real topology documents (lib/topology/xml): documents of our own (test/fixtures/xml) in both
// real forms, a Topology Builder .tbxml and a published Get-CsTopology -AsXml document, and small ones
// for the cases those lack. Expected values were read off the documents by hand. The two public samples
// are read as extras when a checkout has them beside it (../shared/samples).
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorRecord } from '../../lib/cmdlet/errors.js';
import { sqlStoreIdentity, fileStoreIdentity, type Topology } from '../../lib/topology/model.js';
import { decodeTopologyDocument, importTopologyDocument, type ImportResult } from '../../lib/topology/xml/index.js';

/** The text Import-Topology reads from these bytes (its warning, when there is one, is tested on its own). */
const decodeTopologyBytes = (bytes: Uint8Array): string => decodeTopologyDocument(bytes, 'the document').text;
import { applyMerge, planMerge } from '../../lib/topology/xml/merge.js';
import { projectRoot, samplesDir, samplesMissing } from '../support/cli.js';
import { skipSuite, titled } from '../support/skip.js';

const fixturesDir = path.join(projectRoot, 'test/fixtures/xml');
const bytesOf = (file: string) => readFileSync(file);
const importFile = (file: string, product?: 'Lync2013' | 'SkypeForBusiness2015'): ImportResult =>
  importTopologyDocument(decodeTopologyBytes(bytesOf(file)), path.basename(file), { product });
const sample = (name: string) => importFile(path.join(samplesDir, name));
const samplesSkip = skipSuite('xml-import: the public samples (extras)', samplesMissing, { optional: true });
const onSamples = (title: string, fn: (t: import('ava').ExecutionContext) => void) => (samplesSkip ? test.skip : test)(titled(title, samplesSkip), fn);
const fixture = (name: string, product?: 'Lync2013' | 'SkypeForBusiness2015') => importFile(path.join(fixturesDir, name), product);

function importError(text: string | Buffer, name: string): ErrorRecord {
  try {
    importTopologyDocument(typeof text === 'string' ? text : decodeTopologyBytes(text), name);
  } catch (e) {
    if (e instanceof ErrorRecord) return e;
    throw e;
  }
  throw new Error(`${name} was imported, an error was expected`);
}

const fqdns = (t: Topology) => t.occupiedNames.map((o) => o.fqdn);
const sqlIds = (t: Topology) => t.sqlStores.map(sqlStoreIdentity);
const fileIds = (t: Topology) => t.fileStores.map(fileStoreIdentity);

// ---- the two real forms, in documents of our own ----------------------------------------

test('tailspin.tbxml (Topology Builder, BOM): site, Enterprise pool, SQL store, two file stores, occupied names', (t) => {
  const r = fixture('tailspin.tbxml');
  t.is(r.form, 'TopologyBuilder');
  t.is(r.topology.product, 'SkypeForBusiness2015');
  t.deepEqual(r.topology.sites, [{ name: 'Tailspin', siteId: 1 }]);
  t.deepEqual(r.topology.frontEndPools, [
    {
      fqdn: 'lyncpool.tailspintoys.com',
      site: 'Tailspin',
      edition: 'Enterprise',
      product: 'SkypeForBusiness2015',
      backEndSqlStore: 'ts-sql01.tailspintoys.com', // its UserServices depends on the UserStore there (rule 18)
      computers: ['ts-fe01.tailspintoys.com', 'ts-fe02.tailspintoys.com', 'ts-fe03.tailspintoys.com', 'ts-fe04.tailspintoys.com'],
    },
  ]);
  t.deepEqual(sqlIds(r.topology), ['ts-sql01.tailspintoys.com'], 'the document writes TS-SQL01: names are lower-cased');
  t.falsy(r.topology.sqlStores[0]!.alwaysOn);
  t.deepEqual(fileIds(r.topology), ['\\\\ts-fs01.tailspintoys.com\\LyncShare', '\\\\ts-fs02.tailspintoys.com\\ArchiveShare']);
  t.deepEqual(fqdns(r.topology), [
    'edge-pool.tailspintoys.com',
    'ts-edge01.tailspintoys.com',
    'ts-edge02.tailspintoys.com',
    'ts-edge03.tailspintoys.com',
    'ts-oos01.tailspintoys.com',
    'ts-sql01.tailspintoys.com',
    'ts-fs01.tailspintoys.com',
    'ts-fs02.tailspintoys.com',
  ]);
  t.regex(r.topology.occupiedNames[0]!.role, /EdgeServer/);
  t.regex(r.topology.occupiedNames.find((o) => o.fqdn === 'ts-oos01.tailspintoys.com')!.role, /WacService/);
  t.deepEqual(r.unmodelledRoles, {
    ApplicationServer: 1,
    ApplicationStore: 1,
    ArchivingStore: 1,
    ConfServices: 1,
    EdgeServer: 1,
    ManagementServices: 1,
    MediationServer: 1,
    MonitoringStore: 1,
    WacService: 1,
    WebServices: 1,
  });
  t.deepEqual(r.warnings, []);
  t.deepEqual(r.topology.persistentChatPools, []);
});

test('published-topology.xml (published form): located site, pool with one server, AlwaysOn store, DFS file store', (t) => {
  const r = fixture('published-topology.xml');
  t.is(r.form, 'Published');
  t.is(r.topology.product, 'SkypeForBusiness2015');
  t.deepEqual(r.topology.sites, [{ name: 'Trondheim', siteId: 1, city: 'Trondheim', state: 'TRD', countryCode: 'NOR' }]);
  t.deepEqual(r.topology.frontEndPools, [
    { fqdn: 'sfbpool.corp.wingtiptoys.com', site: 'Trondheim', edition: 'Enterprise', product: 'SkypeForBusiness2015', computers: ['sfb-fe-01.corp.wingtiptoys.com'], backEndSqlStore: 'sql-ag01.corp.wingtiptoys.com' },
  ]);
  t.deepEqual(r.topology.sqlStores, [{ sqlServerFqdn: 'sql-ag01.corp.wingtiptoys.com', sqlInstance: null, alwaysOn: true, site: 'Trondheim' }]);
  t.deepEqual(fileIds(r.topology), ['\\\\corp.wingtiptoys.com\\sfbshare']);
  t.deepEqual(fqdns(r.topology), ['sql-ag01.corp.wingtiptoys.com', 'corp.wingtiptoys.com', 'oos-01.corp.wingtiptoys.com']);
  t.deepEqual(r.unmodelledRoles, { ApplicationServer: 1, ApplicationStore: 1, CentralMgmt: 1, CentralMgmtStore: 1, ConfServices: 1, WacService: 1, WebServices: 1 });
  t.deepEqual(r.warnings, []);
});

test('the byte-order mark and the encoding do not change the result (UTF-8 with/without BOM, UTF-16LE, UTF-16BE)', (t) => {
  const bytes = bytesOf(path.join(fixturesDir, 'tailspin.tbxml'));
  t.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the .tbxml has a UTF-8 BOM, as Topology Builder writes it');
  const text = decodeTopologyBytes(bytes);
  const expected = importTopologyDocument(text, 'tailspin.tbxml');
  const variants: Record<string, Buffer | string> = {
    'string with BOM': '\uFEFF' + text,
    'UTF-8 without BOM': Buffer.from(text, 'utf8'),
    'UTF-16LE with BOM': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    'UTF-16LE without BOM': Buffer.from(text, 'utf16le'),
    'UTF-16BE with BOM': Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]),
  };
  for (const [what, v] of Object.entries(variants)) {
    const r = importTopologyDocument(typeof v === 'string' ? v : decodeTopologyBytes(v), 'tailspin.tbxml');
    t.deepEqual(r, expected, what);
  }
  // A published document written by Windows PowerShell (`Get-CsTopology -AsXml > file`): UTF-16LE with BOM, CRLF.
  const published = readFileSync(path.join(fixturesDir, 'published-topology.xml'), 'utf8');
  const utf16 = bytesOf(path.join(fixturesDir, 'published-topology-utf16.xml'));
  t.deepEqual([...utf16.subarray(0, 2)], [0xff, 0xfe]);
  t.deepEqual(importTopologyDocument(decodeTopologyBytes(utf16), 'x'), importTopologyDocument(published, 'x'));
  // Unmarked UTF-16 whose first character is not '<' (a document without XML declaration may start with a line break).
  for (const [what, v] of Object.entries({
    'UTF-16LE without BOM, a line break first': Buffer.from('\r\n' + published, 'utf16le'),
    'UTF-16BE without BOM, a space first': Buffer.from(' ' + published, 'utf16le').swap16(),
  })) {
    t.deepEqual(importTopologyDocument(decodeTopologyBytes(v), 'x'), importTopologyDocument(published, 'x'), what);
  }
});

test('a document in Windows-1252 (Set-Content of Windows PowerShell, no BOM, CRLF) keeps its accented names, with a warning; UTF-8 has none', (t) => {
  const bytes = bytesOf(path.join(fixturesDir, 'ansi-windows-1252.xml'));
  t.true(bytes.includes(0xfc), "the fixture holds 'ü' as the single byte 0xFC");
  const decoded = decodeTopologyDocument(bytes, 'ansi-windows-1252.xml');
  t.regex(decoded.warning ?? '', /'ansi-windows-1252\.xml' is not valid UTF-8; it was read as Windows-1252/);
  const r = importTopologyDocument(decoded.text, 'ansi-windows-1252.xml');
  t.deepEqual(r.topology.sites, [
    { name: 'Zürich Süd', siteId: 1, city: 'Zürich', state: 'ZH', countryCode: 'CH' },
    { name: 'Genève', siteId: 2, city: 'Genève', countryCode: 'CH' },
  ]);
  const utf8 = decodeTopologyDocument(Buffer.from(decoded.text, 'utf8'), 'x');
  t.is(utf8.warning, undefined);
  t.is(utf8.text, decoded.text);
});

test('a bare <PartialTopology>, cut out of a .tbxml, reads like the whole file', (t) => {
  const text = decodeTopologyBytes(bytesOf(path.join(fixturesDir, 'tailspin.tbxml')));
  const partial = text.slice(text.indexOf('<PartialTopology'), text.indexOf('</PartialTopology>') + '</PartialTopology>'.length);
  t.deepEqual(importTopologyDocument(partial, 'partial.xml'), importTopologyDocument(text, 'tailspin.tbxml'));
});

// ---- the public samples, when they are beside the repository (extras) -------------------

onSamples('contoso.tbxml (Topology Builder, BOM): site, Enterprise pool, SQL store, two file stores, occupied names', (t) => {
  const r = sample('contoso.tbxml');
  t.is(r.form, 'TopologyBuilder');
  t.deepEqual(r.topology.sites, [{ name: 'Contoso', siteId: 1 }]);
  t.deepEqual(r.topology.frontEndPools.map((p) => [p.fqdn, p.edition, p.backEndSqlStore, p.computers.length]), [['frontendpool.contoso.com', 'Enterprise', 'xsql1.contoso.com', 4]]);
  t.deepEqual(sqlIds(r.topology), ['xsql1.contoso.com']);
  t.deepEqual(fileIds(r.topology), ['\\\\xfile1.contoso.com\\Data1', '\\\\xfile2.contoso.com\\Data2']);
  t.is(r.topology.occupiedNames.length, 8);
  t.deepEqual(r.warnings, []);
});

onSamples('default-topology.xml (published form): located site, pool with one server, AlwaysOn store, DFS file store', (t) => {
  const r = sample('default-topology.xml');
  t.is(r.form, 'Published');
  t.deepEqual(r.topology.sites, [{ name: 'Tenant', siteId: 1, city: 'Voronezh', state: 'VRN', countryCode: 'RUS' }]);
  t.deepEqual(r.topology.sqlStores, [{ sqlServerFqdn: 'srv-sql-01.tenant.rlevchenko.com', sqlInstance: null, alwaysOn: true, site: 'Tenant' }]);
  t.deepEqual(fileIds(r.topology), ['\\\\tenant.rlevchenko.com\\skype']);
  t.deepEqual(r.warnings, []);
});

onSamples('either public sample cut anywhere is reported as malformed with a position', (t) => {
  for (const name of ['contoso.tbxml', 'default-topology.xml']) {
    const text = decodeTopologyBytes(bytesOf(path.join(samplesDir, name)));
    for (let i = 1; i <= 8; i++) t.is(importError(text.slice(0, Math.floor((text.lastIndexOf('</') * i) / 8)), name).errorId, 'TopologyDocumentMalformed');
  }
});

// ---- our own documents ----------------------------------------------------------------

test('a Lync 2013 Standard Edition server with its rtc instance (published form, no BOM)', (t) => {
  const r = fixture('standard-edition.xml');
  t.is(r.form, 'Published');
  t.is(r.topology.product, 'Lync2013');
  t.deepEqual(r.topology.frontEndPools, [{ fqdn: 'lync-se01.litwareinc.com', site: 'Redmond', edition: 'Standard', product: 'Lync2013', computers: ['lync-se01.litwareinc.com'], backEndSqlStore: 'lync-se01.litwareinc.com\\RTC' }]);
  t.deepEqual(r.topology.sqlStores, [{ sqlServerFqdn: 'lync-se01.litwareinc.com', sqlInstance: 'RTC', site: 'Redmond' }]);
  t.deepEqual(fileIds(r.topology), ['\\\\lync-se01.litwareinc.com\\LyncShare']);
  t.deepEqual(r.topology.occupiedNames, [], 'the SE server is a Front End pool, not an occupied name');
  t.deepEqual(r.unmodelledRoles, { WebServices: 1 });
  t.deepEqual(r.warnings, []);
});

test('a Skype for Business Server 2019 Standard Edition server (.tbxml with BOM, empty <Machine>, braced GUIDs): imported, with a warning', (t) => {
  const r = fixture('standard-edition-2019.tbxml');
  t.is(r.form, 'TopologyBuilder');
  t.deepEqual(r.topology.frontEndPools, [{ fqdn: 'sfb-se.fabrikam.com', site: 'Fabrikam', edition: 'Standard', product: 'SkypeForBusiness2019', computers: ['sfb-se.fabrikam.com'], backEndSqlStore: 'sfb-se.fabrikam.com\\RTC' }], 'the server stays a 2019 one');
  t.deepEqual(sqlIds(r.topology), ['sfb-se.fabrikam.com\\RTC']);
  t.deepEqual(fileIds(r.topology), ['\\\\sfb-se.fabrikam.com\\csshare']);
  t.is(r.topology.product, 'SkypeForBusiness2015');
  t.is(r.warnings.length, 1);
  t.regex(r.warnings[0]!, /2019.*does not support Persistent Chat/);

  const overridden = fixture('standard-edition-2019.tbxml', 'Lync2013');
  t.is(overridden.topology.product, 'Lync2013', '-Product wins over ServiceVersion');
  t.regex(overridden.warnings.join(' '), /2019/, 'the document is still SfB 2019: the warning stays');
  t.is(overridden.topology.frontEndPools[0]!.product, 'SkypeForBusiness2019', '-Product does not hide that the server has no Persistent Chat');
});

test('a Skype for Business Server 2019 document (published form): its pool is recorded as SkypeForBusiness2019, with the warning', (t) => {
  const r = fixture('sfb2019.xml');
  t.deepEqual(r.topology.frontEndPools.map((p) => [p.fqdn, p.product]), [['fe2019.contoso.com', 'SkypeForBusiness2019']]);
  t.is(r.topology.product, 'SkypeForBusiness2015', "the topology's product is one with Persistent Chat: the default of New-FrontEndPool");
  t.regex(r.warnings.join(' '), /Skype for Business Server 2019 .*does not support Persistent Chat/);
});

test('a mixed 2015/2019 document: each pool keeps its product, the topology is SkypeForBusiness2015', (t) => {
  const r = fixture('mixed-2015-2019.xml');
  t.deepEqual(r.topology.frontEndPools.map((p) => [p.fqdn, p.product]), [
    ['fe2015.contoso.com', 'SkypeForBusiness2015'],
    ['fe2019.contoso.com', 'SkypeForBusiness2019'],
  ]);
  t.is(r.topology.product, 'SkypeForBusiness2015');
  t.regex(r.warnings.join(' '), /2019 pools .*recorded as SkypeForBusiness2019/);
});

test('a Lync Server 2010 to 2013 migration: the 2010 pool is recorded as Lync2010 (no Persistent Chat), even under -Product; the topology is Lync2013', (t) => {
  const r = fixture('coexist-2010-2013.xml');
  t.deepEqual(r.topology.frontEndPools.map((p) => [p.fqdn, p.product]), [
    ['ls2010pool.fabrikam.com', 'Lync2010'],
    ['ls2013pool.fabrikam.com', 'Lync2013'],
  ]);
  t.is(r.topology.product, 'Lync2013');
  t.is(r.unmodelledRoles.MonitoringServer, 1, "Lync Server 2010's separate Monitoring Server is counted");
  t.true(fqdns(r.topology).includes('ls2010mon.fabrikam.com'));
  const overridden = fixture('coexist-2010-2013.xml', 'SkypeForBusiness2015');
  t.deepEqual(overridden.topology.frontEndPools.map((p) => p.product), ['Lync2010', 'SkypeForBusiness2015']);
});

test('several sites: two central sites with their pools, a named instance, an AlwaysOn listener, a Director and a branch site', (t) => {
  const r = fixture('multi-site.xml');
  t.deepEqual(r.topology.sites, [
    { name: 'Seattle', siteId: 1, city: 'Seattle', state: 'WA', countryCode: 'US' },
    { name: 'Dublin', siteId: 2, city: 'Dublin', countryCode: 'IE' },
  ]);
  t.deepEqual(
    r.topology.frontEndPools.map((p) => [p.fqdn, p.site, p.edition, p.product, p.computers.join(',')]),
    [
      ['sea-pool.contoso.com', 'Seattle', 'Enterprise', 'SkypeForBusiness2015', 'sea-fe1.contoso.com,sea-fe2.contoso.com,sea-fe3.contoso.com'],
      ['dub-pool.contoso.com', 'Dublin', 'Enterprise', 'Lync2013', 'dub-fe1.contoso.com,dub-fe2.contoso.com'],
    ],
  );
  t.deepEqual(sqlIds(r.topology), ['sea-sql.contoso.com', 'sea-sql.contoso.com\\PCHAT', 'dub-sqlag.contoso.com']);
  t.deepEqual(r.topology.sqlStores.map((s) => !!s.alwaysOn), [false, false, true]);
  t.deepEqual(fileIds(r.topology), ['\\\\sea-fs.contoso.com\\SeaShare', '\\\\dub-fs.contoso.com\\DubShare']);
  const roles = Object.fromEntries(r.topology.occupiedNames.map((o) => [o.fqdn, o.role]));
  t.deepEqual(Object.keys(roles).sort(), [
    'dub-fs.contoso.com',
    'dub-sql1.contoso.com',
    'dub-sqlag.contoso.com',
    'sea-dir.contoso.com',
    'sea-dir1.contoso.com',
    'sea-fs.contoso.com',
    'sea-sql.contoso.com',
    'tac-sba.contoso.com',
  ]);
  t.is(roles['sea-dir.contoso.com'], 'Director');
  t.regex(roles['dub-sql1.contoso.com']!, /AlwaysOn node of dub-sqlag\.contoso\.com/);
  t.regex(roles['tac-sba.contoso.com']!, /Registrar/);
  t.deepEqual(r.unmodelledRoles, { MediationServer: 1, Registrar: 2 }, 'the Director and branch Registrars are not Front End pools');
  t.is(r.topology.product, 'SkypeForBusiness2015');
  t.true(r.warnings.some((w) => /branch site.*Tacoma/.test(w)));
  t.true(r.warnings.some((w) => /mixes service versions 6, 7/.test(w)));
});

test('namespace prefixes, sections and attributes in another order; an existing Persistent Chat server is counted and named, not imported', (t) => {
  const r = fixture('prefixed.xml');
  t.is(r.form, 'Published');
  t.deepEqual(r.topology.sites, [{ name: 'Frankfurt', siteId: 5, city: 'Frankfurt', state: 'Hessen', countryCode: 'DE' }]);
  t.deepEqual(r.topology.frontEndPools.map((p) => p.fqdn), ['pool01.northwind.local']);
  t.deepEqual(sqlIds(r.topology), ['be01.northwind.local\\LYNCBE']);
  t.deepEqual(fileIds(r.topology), ['\\\\fs01.northwind.local\\share$']);
  t.deepEqual(r.unmodelledRoles, { PersistentChatService: 1, PersistentChatStore: 1 });
  t.false(fqdns(r.topology).includes('pchat01.northwind.local'), 'left free for the pool to be defined again');
  t.regex(r.warnings.join(' '), /Persistent Chat pool\(s\) pchat01\.northwind\.local \(computers pchat01\.northwind\.local, site Frankfurt\)/);
});

test('a Lync Server 2010 Topology Builder file (OriginalSiteId, no SiteId): each pool stays in the site it is nested in', (t) => {
  const r = fixture('lync2010-original-ids.tbxml');
  t.deepEqual(r.topology.sites, [
    { name: 'Atlanta', siteId: 1, city: 'Atlanta', state: 'GA', countryCode: 'US' },
    { name: 'Dallas', siteId: 2 },
  ]);
  t.deepEqual(r.topology.frontEndPools.map((p) => [p.fqdn, p.site, p.product]), [
    ['atl-cs-001.litwareinc.com', 'Atlanta', 'Lync2010'],
    ['dal-cs-001.litwareinc.com', 'Dallas', 'Lync2010'],
  ]);
  t.deepEqual(r.topology.sqlStores, [{ sqlServerFqdn: 'atl-sql-001.litwareinc.com', sqlInstance: 'RTC', site: 'Atlanta' }]);
  t.true(fqdns(r.topology).includes('sav-sba-01.litwareinc.com'), 'the branch appliance');
  t.false(r.warnings.some((w) => /not in a central site|not a number/.test(w)), r.warnings.join('\n'));

  // Without any site number the sites are numbered in order, and the pools still land in their own sites.
  const bare = readFileSync(path.join(fixturesDir, 'lync2010-original-ids.tbxml'), 'utf8').replace(/ OriginalSiteId="\d+"/g, '');
  const n = importTopologyDocument(bare, 'bare.tbxml');
  t.deepEqual(n.topology.frontEndPools.map((p) => [p.fqdn, p.site]), [
    ['atl-cs-001.litwareinc.com', 'Atlanta'],
    ['dal-cs-001.litwareinc.com', 'Dallas'],
  ]);
  t.deepEqual(n.topology.sites.map((x) => [x.name, x.siteId]), [['Atlanta', 1], ['Dallas', 2]]);
  t.false(n.warnings.some((w) => /not in a central site/.test(w)), n.warnings.join('\n'));
});

test('markup a script or an editor leaves (CRLF, tabs, comments, processing instructions, CDATA, character references, single quotes) and unmodelled roles read as plain markup', (t) => {
  const r = fixture('quirks.xml');
  t.deepEqual(r.topology.sites, [{ name: 'R&D Campus', siteId: 4, city: 'Liège', countryCode: 'BE' }]);
  t.deepEqual(r.topology.frontEndPools, [{ fqdn: 'fe-pool.adatum.com', site: 'R&D Campus', edition: 'Enterprise', computers: ['fe01.adatum.com', 'fe02.adatum.com'], backEndSqlStore: 'sql01.adatum.com\\LYNC', product: 'SkypeForBusiness2015' }]);
  t.deepEqual(sqlIds(r.topology), ['sql01.adatum.com\\LYNC'], 'the commented-out dependency is not read');
  t.deepEqual(fileIds(r.topology), ['\\\\fs01.adatum.com\\Lync$']);
  t.deepEqual(r.unmodelledRoles, { ExternalServer: 1, PstnGateway: 1, VideoInteropServer: 1, WacService: 1 });
  t.deepEqual(fqdns(r.topology), ['sql01.adatum.com', 'fs01.adatum.com', 'trustedapps.adatum.com', 'app01.adatum.com', 'app02.adatum.com', '192.0.2.10', 'vis01.adatum.com', 'oos.adatum.com']);
  t.deepEqual(r.warnings, []);
});

test('AlwaysOn and a named instance in the Topology Builder form (no BOM)', (t) => {
  const r = fixture('alwayson.tbxml');
  t.deepEqual(r.topology.sqlStores, [
    { sqlServerFqdn: 'sqlag.adatum.com', sqlInstance: null, alwaysOn: true, site: 'HQ' },
    { sqlServerFqdn: 'sql2.adatum.com', sqlInstance: 'PCHAT', site: 'HQ' },
  ]);
  t.is(r.topology.frontEndPools[0]!.edition, 'Enterprise', 'its user store is on another cluster');
  t.true(fqdns(r.topology).includes('sql-n1.adatum.com'));
});

test('a hand-written document without namespace or optional parts is read, with a warning', (t) => {
  const doc = `<Topology>
  <Sites><CentralSite SiteId="3"><Name>Lab</Name></CentralSite></Sites>
  <Clusters><Cluster Fqdn="LAB-SE.lab.local."><ClusterId SiteId="3" Number="1"/><Machine Fqdn="lab-se.lab.local"/></Cluster></Clusters>
  <SqlInstances><SqlInstance><SqlInstanceId Name="rtc"><ClusterId SiteId="3" Number="1"/></SqlInstanceId></SqlInstance></SqlInstances>
  <Services>
    <Service ServiceVersion="7"><ServiceId SiteId="3" RoleName="UserServices" Instance="1"/><InstalledOn><ClusterId SiteId="3" Number="1"/></InstalledOn></Service>
    <Service><ServiceId SiteId="3" RoleName="UserStore" Instance="1"/><InstalledOn><SqlInstanceId Name="rtc"><ClusterId SiteId="3" Number="1"/></SqlInstanceId></InstalledOn></Service>
  </Services>
</Topology>`;
  const r = importTopologyDocument(doc, 'lab.xml');
  t.deepEqual(r.topology.sites, [{ name: 'Lab', siteId: 3 }]);
  t.deepEqual(r.topology.frontEndPools, [{ fqdn: 'lab-se.lab.local', site: 'Lab', edition: 'Standard', product: 'SkypeForBusiness2015', computers: ['lab-se.lab.local'] }], 'no DependsOn: the local user store decides');
  t.regex(r.warnings.join(' '), /no namespace/);
});

// ---- refused documents ----------------------------------------------------------------

test('a DTD is refused, with file, line and column', (t) => {
  const e = importError(bytesOf(path.join(fixturesDir, 'dtd.xml')), 'dtd.xml');
  t.is(e.errorId, 'TopologyDocumentDtdRefused');
  t.is(e.category, 'InvalidData');
  t.is(e.target, 'dtd.xml');
  t.regex(e.message, /'dtd\.xml'.*line 2, column 1/);
});

test('an external entity is refused before anything is read from it', (t) => {
  const e = importError(bytesOf(path.join(fixturesDir, 'external-entity.xml')), 'external-entity.xml');
  t.is(e.errorId, 'TopologyDocumentDtdRefused');
  t.notRegex(e.message, /root:|\/bin\//, 'no content of /etc/passwd leaks into the message');
});

test('an entity expansion bomb is refused at once', (t) => {
  const started = process.hrtime.bigint();
  const e = importError(bytesOf(path.join(fixturesDir, 'entity-bomb.xml')), 'entity-bomb.xml');
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.is(e.errorId, 'TopologyDocumentDtdRefused');
  t.true(ms < 3000, `took ${ms} ms`); // an expanded bomb takes minutes or exhausts memory
});

test('a truncated file is malformed, with the line and column where it ends', (t) => {
  const e = importError(bytesOf(path.join(fixturesDir, 'truncated.xml')), 'truncated.xml');
  t.is(e.errorId, 'TopologyDocumentMalformed');
  t.is(e.category, 'ParserError');
  t.regex(e.message, /'truncated\.xml'.*line 38, column \d+/);
});

test('either form cut anywhere is reported as malformed with a position, never as an import', (t) => {
  for (const name of ['tailspin.tbxml', 'published-topology.xml']) {
    const text = decodeTopologyBytes(bytesOf(path.join(fixturesDir, name)));
    const lastClose = text.lastIndexOf('</');
    for (let i = 1; i <= 24; i++) {
      const cut = Math.floor((lastClose * i) / 24);
      const e = importError(text.slice(0, cut), name);
      t.is(e.errorId, 'TopologyDocumentMalformed', `${name} cut at ${cut}`);
      t.regex(e.message, /line \d+, column \d+/);
    }
  }
});

test('a mismatched tag is reported at its line', (t) => {
  const doc = '<Topology xmlns="urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008">\n  <Sites>\n  </Site>\n</Topology>\n';
  const e = importError(doc, 'hand-edited.xml');
  t.is(e.errorId, 'TopologyDocumentMalformed');
  t.regex(e.message, /line 3, column \d+/);
});

test('an unknown root, or a <Topology> of another namespace, is not a topology document', (t) => {
  const unknown = importError(bytesOf(path.join(fixturesDir, 'unknown-root.xml')), 'unknown-root.xml');
  t.is(unknown.errorId, 'TopologyDocumentUnknown');
  t.regex(unknown.message, /<configuration>.*line 2, column 1/);
  const foreign = importError(bytesOf(path.join(fixturesDir, 'foreign-topology.xml')), 'foreign-topology.xml');
  t.is(foreign.errorId, 'TopologyDocumentUnknown');
  t.regex(foreign.message, /urn:example:network-inventory/);
});

test('a ZIP archive (the backup Export-CsConfiguration writes) is named as one, not as malformed XML', (t) => {
  // The local file header of a ZIP archive, then compressed bytes: decoded like any document that is not UTF-8.
  const zip = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'latin1'), Buffer.from([0x9c, 0xfe, 0x81, 0x00, 0xc3])]);
  const e = importError(zip, 'CsConfiguration.zip');
  t.is(e.errorId, 'TopologyDocumentUnknown');
  t.regex(e.message, /'CsConfiguration\.zip' is not a Lync Server \/ Skype for Business Server topology document: it is a ZIP archive, such as the configuration backup Export-CsConfiguration writes/);
  t.regex(e.recommendedAction ?? '', /Get-CsTopology -AsXml/);
});

test('a topology document without a central site is refused', (t) => {
  const e = importError('<Topology xmlns="urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008"><Sites/></Topology>', 'empty.xml');
  t.is(e.errorId, 'TopologyDocumentInvalid');
});

// ---- merging into a draft ----------------------------------------------------------------

test('merge: the same document again is all skipped; a changed pool is a conflict; the document wins only when applied', (t) => {
  const first = fixture('tailspin.tbxml').topology;
  const same = planMerge(first, fixture('tailspin.tbxml').topology);
  t.deepEqual(same.added, []);
  t.deepEqual(same.conflicts, []);
  t.is(same.skipped.length, 13);

  const draft = structuredClone(first);
  draft.frontEndPools[0]!.computers.pop();
  draft.sqlStores[0]!.mirror = 'mirror.tailspintoys.com';
  draft.sqlStores[0]!.alwaysOn = true;
  const plan = planMerge(draft, first);
  t.deepEqual(plan.conflicts.map((c) => `${c.Kind} ${c.Identity}`), ['FrontEndPool lyncpool.tailspintoys.com', 'SqlStore ts-sql01.tailspintoys.com']);
  t.regex(plan.conflicts[0]!.Differences, /computers: draft .*ts-fe03\.tailspintoys\.com, imported .*ts-fe04\.tailspintoys\.com/);
  t.is(draft.frontEndPools[0]!.computers.length, 3, 'planning changes nothing');

  applyMerge(draft, first);
  t.is(draft.frontEndPools[0]!.computers.length, 4);
  t.falsy(draft.sqlStores[0]!.alwaysOn);
  t.is(draft.sqlStores[0]!.mirror, 'mirror.tailspintoys.com', 'facts the document does not state are kept');
});

test('merge: two deployments add up; a SiteId used by another site name is a conflict, won by renaming the site', (t) => {
  const draft = fixture('standard-edition.xml').topology;
  const other = fixture('alwayson.tbxml').topology;
  const plan = planMerge(draft, other);
  t.deepEqual(plan.conflicts.map((c) => c.Identity), ['Product', 'HQ'], 'Lync 2013 draft, SfB 2015 document');
  t.regex(plan.conflicts[1]!.Differences, /SiteId 1: draft name 'Redmond', imported name 'HQ'/);
  applyMerge(draft, other);
  t.deepEqual(draft.sites.map((s) => s.name), ['HQ']);
  t.deepEqual(draft.frontEndPools.map((p) => `${p.fqdn}@${p.site}`), ['lync-se01.litwareinc.com@HQ', 'pool.adatum.com@HQ']);
});
