// The shape check of repository files (lib/topology/shape.ts): every field of a document that uses every
// field of the model is replaced, one at a time, by a value of another type, and the check must name
// exactly that field; required fields are removed one at a time; ranges are checked at their edges.
import test from 'ava';
import { shapeProblem } from '../../lib/topology/shape.js';
import { syntheticTopology } from '../support/topology-builder.js';

/** A draft with every field of the model, optional ones included. */
function fullDraft(): any {
  return {
    schemaVersion: 1,
    revision: 3,
    basedOnPublishedRevision: 0,
    modifiedAt: '2024-05-01T10:00:00.000Z',
    modifiedBy: 'admin@host',
    topology: {
      product: 'Lync2013',
      sites: [{ name: 'Redmond', siteId: 1, city: 'Redmond', state: 'WA', countryCode: 'US' }],
      frontEndPools: [{ fqdn: 'fepool.contoso.com', site: 'Redmond', edition: 'Enterprise', computers: ['fe01.contoso.com'], backEndSqlStore: 'sqlbe.contoso.com' }],
      sqlStores: [
        { sqlServerFqdn: 'sql01.contoso.com', sqlInstance: 'PCHAT', port: 1433, mirror: 'sql02.contoso.com', witness: 'sql03.contoso.com', mirroringPort: 5022, alwaysOn: false, version: '13.0', edition: 'Enterprise', site: 'Redmond' },
      ],
      fileStores: [{ fileServerFqdn: 'fs01.contoso.com', share: 'pchat', path: 'D:\\PChat' }],
      persistentChatPools: [
        {
          fqdn: 'pchat.contoso.com', site: 'Redmond', computerType: 'Multiple', computers: ['pc01.contoso.com'], displayName: 'Chat', port: 5041, instance: 1,
          enableCompliance: true, enableDisasterRecovery: true, defaultForSite: true, defaultForAllSites: false, sqlStore: 'sql01.contoso.com\\PCHAT',
          complianceSqlStore: 'sql01.contoso.com\\PCHAT', backupSqlStore: 'sql01.contoso.com\\PCHAT', backupComplianceSqlStore: 'sql01.contoso.com\\PCHAT',
          fileStore: '\\\\fs01.contoso.com\\pchat', nextHopPool: 'fepool.contoso.com',
        },
      ],
      occupiedNames: [{ fqdn: 'edge.contoso.com', role: 'EdgeServer' }],
    },
  };
}

function fullPublished(): any {
  const { topology } = fullDraft();
  return { schemaVersion: 1, revision: 2, publishedAt: 'x', publishedBy: 'y', summary: 's', changes: ['Added Site Redmond'], runId: 'r', draftRevision: 3, topology };
}

/** The optional fields of the model, as <list>.<field>. */
const OPTIONAL = new Set([
  'sites.city', 'sites.state', 'sites.countryCode', 'frontEndPools.backEndSqlStore',
  ...['sqlInstance', 'port', 'mirror', 'witness', 'mirroringPort', 'alwaysOn', 'version', 'edition', 'site'].map((f) => `sqlStores.${f}`),
  'fileStores.fileServerFqdn', 'fileStores.share', 'fileStores.path',
  'persistentChatPools.complianceSqlStore', 'persistentChatPools.backupSqlStore', 'persistentChatPools.backupComplianceSqlStore',
]);
const optional = (at: string) => OPTIONAL.has(/(\w+)\[\d+\]\.(\w+)$/.exec(at)?.slice(1).join('.') ?? '');

/** Every value of `doc` with its JSON path and its parent, depth first. */
function* leaves(v: any, at = ''): Generator<{ at: string; parent: any; key: string | number; value: unknown }> {
  const entries: [string | number, any][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  for (const [k, x] of entries) {
    const p = typeof k === 'number' ? `${at}[${k}]` : at ? `${at}.${k}` : k;
    yield { at: p, parent: v, key: k, value: x };
    if (x && typeof x === 'object') yield* leaves(x, p);
  }
}

/** A value of another JSON type than `v`. */
const otherType = (v: unknown): unknown => (typeof v === 'string' ? 5 : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? 'true' : Array.isArray(v) ? 'a,b' : []);

for (const [kind, build] of [['draft', fullDraft], ['published', fullPublished]] as const) {
  test(`${kind}: the complete document fits; sqlInstance may be null; optional fields may be absent`, (t) => {
    t.is(shapeProblem(kind, build()), undefined);
    const d = build();
    d.topology.sqlStores[0].sqlInstance = null;
    t.is(shapeProblem(kind, d), undefined);
    for (const { parent, key } of [...leaves(d)].filter((l) => optional(l.at)).reverse()) delete parent[key];
    t.is(shapeProblem(kind, d), undefined);
  });

  test(`${kind}: every field with a value of another type is named by its JSON path`, (t) => {
    const paths = [...leaves(build())].map((l) => l.at);
    t.true(paths.length > 60);
    for (const at of paths) {
      const d = build();
      const leaf = [...leaves(d)].find((l) => l.at === at)!;
      leaf.parent[leaf.key] = otherType(leaf.value);
      const problem = shapeProblem(kind, d);
      t.truthy(problem, `${at} = ${JSON.stringify(leaf.parent[leaf.key])} was accepted`);
      t.true(problem!.startsWith(`'${at}' must be `), `${at}: ${problem}`);
    }
  });

  test(`${kind}: every required field, removed, is named as missing`, (t) => {
    for (const { at, key } of [...leaves(build())].filter((l) => typeof l.key === 'string' && !optional(l.at))) {
      const d = build();
      const leaf = [...leaves(d)].find((l) => l.at === at)!;
      delete leaf.parent[key];
      t.regex(shapeProblem(kind, d) ?? 'accepted', new RegExp(`^'${at.replace(/[.[\]]/g, '\\$&')}' is missing \\(it must be `), at);
    }
  });
}

const edges = test.macro({
  exec(t, set: (d: any, v: unknown) => void, accepted: unknown[], refused: unknown[], at: string) {
    for (const v of accepted) {
      const d = fullDraft();
      set(d, v);
      t.is(shapeProblem('draft', d), undefined, `${JSON.stringify(v)} is accepted`);
    }
    for (const v of refused) {
      const d = fullDraft();
      set(d, v);
      t.regex(shapeProblem('draft', d) ?? 'accepted', new RegExp(`^'${at.replace(/[.[\]]/g, '\\$&')}' must be a whole number from`), `${JSON.stringify(v)} is refused`);
    }
  },
  title: (what = '') => `ranges: ${what}`,
});

test('a pool port', edges, (d, v) => (d.topology.persistentChatPools[0].port = v), [1, 5041, 65535], [0, 65536, -1, 5041.5, '5041'], 'topology.persistentChatPools[0].port');
test('a SQL store port', edges, (d, v) => (d.topology.sqlStores[0].port = v), [1, 65535], [0, 70000], 'topology.sqlStores[0].port');
test('a mirroring port', edges, (d, v) => (d.topology.sqlStores[0].mirroringPort = v), [5022], [0, 65536], 'topology.sqlStores[0].mirroringPort');
test('the draft revision', edges, (d, v) => (d.revision = v), [1, 2 ** 31 - 1], [0, -5, 1.5, 2 ** 31], 'revision');
test('the published revision the draft is based on', edges, (d, v) => (d.basedOnPublishedRevision = v), [0, 7], [-1, 0.5], 'basedOnPublishedRevision');
test('a site id', edges, (d, v) => (d.topology.sites[0].siteId = v), [0, 1, 65535], [-1, 1.5], 'topology.sites[0].siteId');

test('the message says what was found, and a value that is not an object at all is the document', (t) => {
  const d = fullDraft();
  d.topology.persistentChatPools[0].computers = 'pc01.contoso.com';
  t.is(shapeProblem('draft', d), `'topology.persistentChatPools[0].computers' must be a list of strings without control characters, not the string "pc01.contoso.com"`);
  d.topology.persistentChatPools[0].computers = ['pc01.contoso.com', null];
  t.is(shapeProblem('draft', d), `'topology.persistentChatPools[0].computers[1]' must be a string without control characters, not null`);
  d.topology.product = 'Lync2010';
  t.is(shapeProblem('draft', d), `'topology.product' must be one of "Lync2013", "SkypeForBusiness2015", not the string "Lync2010"`);
  t.is(shapeProblem('draft', []), 'the document must be an object, not a list');
});

test('a string with a control character (a terminal escape, a line break) does not fit, and the message shows it escaped', (t) => {
  const d = fullDraft();
  d.topology.persistentChatPools[0].displayName = 'a\u001b[31mRED';
  t.is(shapeProblem('draft', d), `'topology.persistentChatPools[0].displayName' must be a string without control characters, not the string "a\\u001b[31mRED"`);
  d.topology.persistentChatPools[0].displayName = 'Redmond chat';
  d.topology.sites[0].name = 'Red\nmond';
  t.regex(shapeProblem('draft', d) ?? '', /^'topology\.sites\[0\]\.name' must be a string without control characters/);
  d.topology.sites[0].name = 'Redmond — Zürich';
  t.is(shapeProblem('draft', d), undefined, 'other Unicode is fine');
});

test('unknown fields are left alone', (t) => {
  const d = fullDraft();
  d.comment = 'edited by hand';
  d.topology.persistentChatPools[0].note = 5;
  t.is(shapeProblem('draft', d), undefined);
});

test('a synthetic topology of 200 sites and 2,000 pools fits, and a wrong type in its last pool is found', (t) => {
  const d = { ...fullDraft(), topology: JSON.parse(JSON.stringify(syntheticTopology(200, 10))) };
  t.is(shapeProblem('draft', d), undefined);
  d.topology.persistentChatPools[1999].enableCompliance = 'no';
  t.regex(shapeProblem('draft', d)!, /^'topology\.persistentChatPools\[1999\]\.enableCompliance' must be true or false/);
});
