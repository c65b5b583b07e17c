// Reading Export-Topology's JSON back (Import-Topology's restore path) and merging a document that states
// every fact of its objects.
import test from 'ava';
import { readExportJson } from '../../lib/topology/xml/import-json.js';
import { planMerge } from '../../lib/topology/xml/merge.js';
import { emptyTopology, type Topology } from '../../lib/topology/model.js';
import { ErrorRecord } from '../../lib/cmdlet/errors.js';

function topology(): Topology {
  const t = emptyTopology('SkypeForBusiness2015');
  t.sites.push({ name: 'Redmond', siteId: 1 });
  t.frontEndPools.push({ fqdn: 'fepool.pchat.test', site: 'Redmond', edition: 'Enterprise', computers: ['fe01.pchat.test'] });
  t.sqlStores.push({ sqlServerFqdn: 'sql01.pchat.test', sqlInstance: 'PCHAT' });
  return t;
}

const doc = (t: Topology, extra: object = {}) => JSON.stringify({ schemaVersion: 1, kind: 'Draft', revision: 3, topology: t, ...extra }, null, 2);

test('an export is read back whole; -Product overrides its product', (t) => {
  const src = topology();
  t.deepEqual(readExportJson(doc(src), 'a.json').topology, src);
  t.is(readExportJson(doc(src), 'a.json', { product: 'Lync2013' }).topology.product, 'Lync2013');
  t.is(readExportJson('\uFEFF' + doc(src), 'a.json').kind, 'Draft');
});

test('malformed JSON names its line and column when the parser gives a position, and never quotes the text', (t) => {
  const e = t.throws(() => readExportJson('{\n  "schemaVersion": 1,\n  "kind": "Draft"\n  "x": 1}', 'a.json'), { instanceOf: ErrorRecord })!;
  t.is(e.errorId, 'TopologyDocumentMalformed');
  t.regex(e.message, /^'a\.json' is not well-formed JSON at line 4, column 3: /);
  const unquoted = t.throws(() => readExportJson('{"secret-looking": }', 'b.json'), { instanceOf: ErrorRecord })!;
  t.notRegex(unquoted.message, /secret-looking/);
});

test('a newer schemaVersion, another JSON document or a wrong field is refused, naming what', (t) => {
  const newer = t.throws(() => readExportJson(doc(topology(), { schemaVersion: 2 }), 'a.json'), { instanceOf: ErrorRecord })!;
  t.is(newer.errorId, 'TopologyDocumentTooNew');
  const other = t.throws(() => readExportJson('{"name": "x"}', 'a.json'), { instanceOf: ErrorRecord })!;
  t.regex(other.message, /not an Export-Topology document/);
  const wrong = t.throws(() => readExportJson(doc(topology(), { kind: 'Backup' }), 'a.json'), { instanceOf: ErrorRecord })!;
  t.regex(wrong.message, /'kind' must be one of "Draft", "Published"/);
});

test('merging a complete document compares a SQL store whole; Lync XML only the facts it states', (t) => {
  const draft = topology();
  const imported = topology();
  imported.sqlStores[0]!.port = 1533;
  t.deepEqual(planMerge(draft, imported).conflicts, []);
  t.deepEqual(planMerge(draft, imported, { complete: true }).conflicts, [{ Kind: 'SqlStore', Identity: 'sql01.pchat.test\\PCHAT', Differences: 'port: draft (none), imported 1533' }]);
});
