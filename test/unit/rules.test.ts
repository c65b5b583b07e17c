import test, { type ExecutionContext } from 'ava';
import { adviseForNewPool, RULE_REGISTRY, RULES, validatePoolChange, validateTopology, type Finding, type Severity } from '../../lib/topology/rules.js';
import type { Topology } from '../../lib/topology/model.js';
import { addDublinPool, addSeCollocatedPool, basePool, EE_POOL, FILE_STORE, pool, POOL, SE_SERVER, STORE, store, topology } from '../support/topology-builder.js';

type Expected = { Severity: Severity; Target: string };

/** The variant is valid: no rule reports anything. */
function clean(t: ExecutionContext, topo: Topology) {
  t.deepEqual(validateTopology(topo), []);
}

/** Rule `rule` reports exactly `expected` (severity and target), each with a message and an action. */
function reports(t: ExecutionContext, topo: Topology, rule: number, expected: Expected[]): Finding[] {
  const found = validateTopology(topo).filter((f) => f.Rule === rule);
  t.deepEqual(found.map(({ Severity, Target }) => ({ Severity, Target })), expected);
  for (const f of found) {
    t.true(f.Message.length > 0, 'a finding says what is wrong');
    t.true(f.RecommendedAction.length > 0, 'a finding says what to do');
  }
  return found;
}

const rulesReported = (topo: Topology) => [...new Set(validateTopology(topo).map((f) => f.Rule))];

test('the base topology validates clean', (t) => {
  clean(t, topology());
});

test('RULES ids are unique and cover 1-23, 26, 29, 30, 31 and 32', (t) => {
  const ids = RULES.map((r) => r.id);
  t.is(new Set(ids).size, ids.length);
  const expected = [...Array.from({ length: 23 }, (_, i) => i + 1), 26, 29, 30, 31, 32];
  t.deepEqual([...ids].sort((a, b) => a - b), expected);
  for (const r of RULES) t.true(r.title.length > 0, `rule ${r.id} has a title`);
});

test('the rule registry lists every rule once, in number order, with its severity, title and meaning', (t) => {
  t.deepEqual(RULE_REGISTRY.map((r) => r.number), [...RULES.map((r) => r.id)].sort((a, b) => a - b));
  for (const r of RULE_REGISTRY) {
    t.true(['Error', 'Warning', 'Error, Warning'].includes(r.severity), `rule ${r.number}: ${r.severity}`);
    t.true(r.title.length > 0 && r.meaning.length > 0, `rule ${r.number} says what it means`);
  }
  // A finding's severity is one its registry entry lists.
  const sample = [...validateTopology(topology((x) => (pool(x).defaultForSite = false))), ...validateTopology(topology((x) => (pool(x).port = 0)))];
  for (const f of sample) t.true(RULE_REGISTRY.find((r) => r.number === f.Rule)!.severity.includes(f.Severity), `rule ${f.Rule}`);
});

// ---- rule 1: pool FQDN ----------------------------------------------------------

test('rule 1 passes: an FQDN in mixed case with a trailing dot', (t) => {
  clean(t, topology((x) => (pool(x).fqdn = 'PChat.Contoso.com.')));
});

test('rule 1 fails: an invalid FQDN', (t) => {
  reports(t, topology((x) => (pool(x).fqdn = 'pchat_01.contoso.com')), 1, [{ Severity: 'Error', Target: 'pchat_01.contoso.com' }]);
  reports(t, topology((x) => (pool(x).fqdn = 'pchat')), 1, [{ Severity: 'Error', Target: 'pchat' }]);
  reports(t, topology((x) => (pool(x).fqdn = '10.0.0.5')), 1, [{ Severity: 'Error', Target: '10.0.0.5' }]);
});

test('rule 1 fails: no FQDN; the pool is named by its position and display name', (t) => {
  reports(t, topology((x) => (pool(x).fqdn = '')), 1, [{ Severity: 'Error', Target: 'Persistent Chat pool #1 (Redmond chat)' }]);
});

// ---- rule 2: pool type ----------------------------------------------------------

test('rule 2 passes: a valid single-computer pool', (t) => {
  clean(t, topology((x) => Object.assign(pool(x), { computerType: 'Single', computers: [POOL] })));
});

test('rule 2 fails: a pool type other than Single or Multiple', (t) => {
  reports(t, topology((x) => (pool(x).computerType = 'single' as never)), 2, [{ Severity: 'Error', Target: POOL }]);
});

// ---- rule 3: single-computer pool -----------------------------------------------

test('rule 3 passes: the one computer of a single-computer pool is the pool FQDN (case-insensitively)', (t) => {
  clean(t, topology((x) => Object.assign(pool(x), { computerType: 'Single', computers: ['PCHAT.contoso.com'] })));
});

test('rule 3 fails: a single-computer pool whose computer is not the pool, or with two computers', (t) => {
  reports(t, topology((x) => Object.assign(pool(x), { computerType: 'Single', computers: ['pc01.contoso.com'] })), 3, [{ Severity: 'Error', Target: POOL }]);
  reports(t, topology((x) => Object.assign(pool(x), { computerType: 'Single', computers: [POOL, 'pc01.contoso.com'] })), 3, [{ Severity: 'Error', Target: POOL }]);
});

// ---- rule 4: multiple-computer pool ---------------------------------------------

test('rule 4 passes: one computer is enough for a multiple-computer pool', (t) => {
  clean(t, topology((x) => (pool(x).computers = ['pc01.contoso.com'])));
});

test('rule 4 fails: no computers, an invalid one, a duplicate, or the pool FQDN as computer', (t) => {
  reports(t, topology((x) => (pool(x).computers = [])), 4, [{ Severity: 'Error', Target: POOL }]);
  const [invalid] = reports(t, topology((x) => pool(x).computers.push('pc 03')), 4, [{ Severity: 'Error', Target: POOL }]);
  t.regex(invalid!.Message, /pc 03/);
  const [dup] = reports(t, topology((x) => pool(x).computers.push('PC01.contoso.com')), 4, [{ Severity: 'Error', Target: POOL }]);
  t.regex(dup!.Message, /pc01\.contoso\.com is listed more than once/);
  reports(t, topology((x) => pool(x).computers.push(POOL)), 4, [{ Severity: 'Error', Target: POOL }]);
});

// ---- rule 5: names used elsewhere -----------------------------------------------

test('rule 5 passes: a pool collocated with the Standard Edition server shares its name and its SQL host', (t) => {
  clean(t, topology((x) => addSeCollocatedPool(x)));
});

test('rule 5 fails: a computer that is a SQL Server host', (t) => {
  const [f] = reports(t, topology((x) => pool(x).computers.push('sql02.contoso.com')), 5, [{ Severity: 'Error', Target: POOL }]);
  t.regex(f!.Message, /sql02\.contoso\.com is already used by a SQL Server host/);
});

test('rule 5 fails: a pool FQDN used by another cluster or by the Enterprise Front End pool', (t) => {
  const [edge] = reports(t, topology((x) => (pool(x).fqdn = 'edge.contoso.com')), 5, [{ Severity: 'Error', Target: 'edge.contoso.com' }]);
  t.regex(edge!.Message, /EdgeServer/);
  reports(t, topology((x) => (pool(x).fqdn = EE_POOL)), 5, [{ Severity: 'Error', Target: EE_POOL }]);
  reports(t, topology((x) => (pool(x).fqdn = 'fs01.contoso.com')), 5, [{ Severity: 'Error', Target: 'fs01.contoso.com' }]);
});

test('rule 5 fails: two pools share a computer; reported once, on the later pool', (t) => {
  const [f] = reports(t, topology((x) => addDublinPool(x, { computers: ['pd01.contoso.com', 'pc02.contoso.com'] })), 5, [{ Severity: 'Error', Target: 'pchat-dub.contoso.com' }]);
  t.regex(f!.Message, /pc02\.contoso\.com is already used by Persistent Chat pool pchat\.contoso\.com/);
  // An earlier pool with no FQDN (a hand-edited or partly imported document) is named by its place.
  const [g] = reports(t, topology((x) => { pool(x).fqdn = undefined as unknown as string; addDublinPool(x, { computers: ['pd01.contoso.com', 'pc02.contoso.com'] }); }), 5, [{ Severity: 'Error', Target: 'pchat-dub.contoso.com' }]);
  t.regex(g!.Message, /pc02\.contoso\.com is already used by Persistent Chat pool #1\b/);
});

// ---- rule 6: a single-computer pool never grows ----------------------------------

test('rule 6 passes: editing a single-computer pool without adding computers, or growing a multiple-computer pool', (t) => {
  const topo = topology((x) => Object.assign(pool(x), { computerType: 'Single', computers: [POOL] }));
  const before = pool(topo);
  t.deepEqual(validatePoolChange(topo, before, { ...before, displayName: 'Renamed', port: 5042 }), []);
  const multi = basePool();
  t.deepEqual(validatePoolChange(topology(), multi, { ...multi, computers: [...multi.computers, 'pc03.contoso.com'] }), []);
});

test('rule 6 fails: adding a computer to a single-computer pool, or turning it into a multiple-computer pool', (t) => {
  const topo = topology((x) => Object.assign(pool(x), { computerType: 'Single', computers: [POOL] }));
  const before = pool(topo);
  const grown = validatePoolChange(topo, before, { ...before, computerType: 'Multiple', computers: [POOL, 'pc02.contoso.com'] });
  t.deepEqual(grown.map(({ Rule, Severity, Target }) => ({ Rule, Severity, Target })), [{ Rule: 6, Severity: 'Error', Target: POOL }]);
  t.regex(grown[0]!.Message, /pc02\.contoso\.com/);
  t.regex(grown[0]!.RecommendedAction, /New-PersistentChatPool/);
  const retyped = validatePoolChange(topo, before, { ...before, computerType: 'Multiple' });
  t.deepEqual(retyped.map((f) => [f.Rule, f.Severity]), [[6, 'Error']]);
});

// ---- rule 7: computer count -------------------------------------------------------

const computers = (n: number) => Array.from({ length: n }, (_, i) => `pc${String(i + 1).padStart(2, '0')}.contoso.com`);
const withDisasterRecovery = (x: Topology) => Object.assign(pool(x), { enableDisasterRecovery: true, backupSqlStore: 'sql02.contoso.com\\PCHAT' });

test('rule 7 passes: 4 computers, or 8 with disaster recovery (standby servers)', (t) => {
  clean(t, topology((x) => (pool(x).computers = computers(4))));
  clean(t, topology((x) => { withDisasterRecovery(x); pool(x).computers = computers(8); }));
});

test('rule 7 fails: more than 8 computers is an error; more than 4 without disaster recovery a warning', (t) => {
  reports(t, topology((x) => { withDisasterRecovery(x); pool(x).computers = computers(9); }), 7, [{ Severity: 'Error', Target: POOL }]);
  reports(t, topology((x) => (pool(x).computers = computers(5))), 7, [{ Severity: 'Warning', Target: POOL }]);
});

// ---- rule 8: Standard Edition collocation -----------------------------------------

test('rule 8 passes: a single-computer pool on the Standard Edition server, edited without growing', (t) => {
  const topo = topology((x) => addSeCollocatedPool(x));
  clean(t, topo);
  const before = pool(topo, 1);
  t.deepEqual(validatePoolChange(topo, before, { ...before, displayName: 'Dublin SE chat' }), []);
});

test('rule 8 fails: growing a pool collocated with the Standard Edition server (reported by rule 8, not 6)', (t) => {
  const topo = topology((x) => addSeCollocatedPool(x));
  const before = pool(topo, 1);
  const found = validatePoolChange(topo, before, { ...before, computerType: 'Multiple', computers: [SE_SERVER, 'pd03.contoso.com'] });
  t.deepEqual(found.map(({ Rule, Severity, Target }) => ({ Rule, Severity, Target })), [{ Rule: 8, Severity: 'Error', Target: SE_SERVER }]);
});

test('rule 8 fails: a multiple-computer pool named like the SE server, or using the SE server as a computer', (t) => {
  reports(t, topology((x) => addSeCollocatedPool(x, { computerType: 'Multiple', computers: ['pd01.contoso.com'], fileStore: FILE_STORE })), 8, [{ Severity: 'Error', Target: SE_SERVER }]);
  const named = topology((x) => addSeCollocatedPool(x, { computerType: 'Multiple', fileStore: FILE_STORE }));
  t.deepEqual(rulesReported(named), [8], 'its computer being the pool FQDN is not reported again by rule 4');
  const topo = topology((x) => pool(x).computers.push(SE_SERVER));
  reports(t, topo, 8, [{ Severity: 'Error', Target: POOL }]);
  t.false(rulesReported(topo).includes(5), 'the SE server is rule 8\'s, not reported again as a name clash');
});

// ---- rule 9: not on an Enterprise Edition Front End --------------------------------

test('rule 9 passes: dedicated computers next to an Enterprise Edition Front End pool', (t) => {
  clean(t, topology((x) => (pool(x).computers = ['pc01.contoso.com', 'pc02.contoso.com', 'pc03.contoso.com'])));
});

test('rule 9 fails: a computer that is an Enterprise Edition Front End server (and only rule 9 says so)', (t) => {
  const topo = topology((x) => pool(x).computers.push('fe01.contoso.com'));
  const [f] = reports(t, topo, 9, [{ Severity: 'Error', Target: POOL }]);
  t.regex(f!.Message, /pool01\.contoso\.com/);
  t.deepEqual(rulesReported(topo), [9]);
});

// ---- rule 10: display name ----------------------------------------------------------

test('rule 10 passes: any non-empty display name', (t) => {
  clean(t, topology((x) => (pool(x).displayName = 'Chat – Redmond (€)')));
});

test('rule 10 fails: a blank display name', (t) => {
  reports(t, topology((x) => (pool(x).displayName = '   ')), 10, [{ Severity: 'Error', Target: POOL }]);
});

// ---- rule 11: port --------------------------------------------------------------------

test('rule 11 passes: ports 1 and 65535', (t) => {
  clean(t, topology((x) => (pool(x).port = 1)));
  clean(t, topology((x) => (pool(x).port = 65535)));
});

test('rule 11 fails: a missing, fractional or out-of-range port', (t) => {
  for (const port of [0, 65536, 5041.5, undefined]) {
    reports(t, topology((x) => (pool(x).port = port as number)), 11, [{ Severity: 'Error', Target: POOL }]);
  }
});

// ---- rule 12: compliance --------------------------------------------------------------

test('rule 12 passes: compliance with its own store, or on the instance holding mgc', (t) => {
  clean(t, topology((x) => Object.assign(pool(x), { enableCompliance: true, complianceSqlStore: 'sql01.contoso.com\\COMP' })));
  clean(t, topology((x) => Object.assign(pool(x), { enableCompliance: true, complianceSqlStore: STORE })));
});

test('rule 12 fails: compliance without a (defined) compliance store is an error', (t) => {
  reports(t, topology((x) => (pool(x).enableCompliance = true)), 12, [{ Severity: 'Error', Target: POOL }]);
  const [f] = reports(t, topology((x) => Object.assign(pool(x), { enableCompliance: true, complianceSqlStore: 'sql09.contoso.com\\comp' })), 12, [{ Severity: 'Error', Target: POOL }]);
  t.regex(f!.Message, /sql09\.contoso\.com\\COMP is not defined/);
});

test('rule 12 fails: compliance stores with compliance disabled are a warning (ignored)', (t) => {
  reports(t, topology((x) => Object.assign(pool(x), { complianceSqlStore: 'sql01.contoso.com\\COMP', backupComplianceSqlStore: 'sql02.contoso.com\\COMP' })), 12, [{ Severity: 'Warning', Target: POOL }]);
});

// ---- rule 13: DR only for multiple-computer pools ------------------------------------

test('rule 13 passes: disaster recovery on a multiple-computer pool', (t) => {
  clean(t, topology(withDisasterRecovery));
});

test('rule 13 fails: disaster recovery on a single-computer pool', (t) => {
  reports(t, topology((x) => { withDisasterRecovery(x); Object.assign(pool(x), { computerType: 'Single', computers: [POOL] }); }), 13, [{ Severity: 'Error', Target: POOL }]);
});

// ---- rule 14: backup stores -----------------------------------------------------------

const fullDisasterRecovery = (x: Topology) =>
  Object.assign(pool(x), {
    enableCompliance: true,
    complianceSqlStore: 'sql01.contoso.com\\COMP',
    enableDisasterRecovery: true,
    backupSqlStore: 'sql02.contoso.com\\PCHAT',
    backupComplianceSqlStore: 'sql02.contoso.com\\COMP',
  });

test('rule 14 passes: disaster recovery with compliance and all four stores distinct', (t) => {
  clean(t, topology(fullDisasterRecovery));
});

test('rule 14 fails: no backup store, or the backup store is the primary (only rule 14 says so)', (t) => {
  reports(t, topology((x) => (pool(x).enableDisasterRecovery = true)), 14, [{ Severity: 'Error', Target: POOL }]);
  const same = topology((x) => { withDisasterRecovery(x); pool(x).backupSqlStore = 'SQL01.contoso.com\\pchat'; });
  reports(t, same, 14, [{ Severity: 'Error', Target: POOL }]);
  t.deepEqual(rulesReported(same), [14]);
  const sameMirrored = topology((x) => { withDisasterRecovery(x); pool(x).backupSqlStore = STORE; store(x, STORE).mirror = 'sql02.contoso.com\\PCHAT'; });
  t.deepEqual(rulesReported(sameMirrored), [14], 'the two mirror copies that follow from it are not reported again');
});

test('rule 14 fails: disaster recovery with compliance needs a backup compliance store', (t) => {
  const [f] = reports(t, topology((x) => { fullDisasterRecovery(x); delete pool(x).backupComplianceSqlStore; }), 14, [{ Severity: 'Error', Target: POOL }]);
  t.regex(f!.Message, /backup compliance SQL store/);
});

test('rule 14 fails: a backup store with disaster recovery disabled is a warning (ignored)', (t) => {
  reports(t, topology((x) => (pool(x).backupSqlStore = 'sql02.contoso.com\\PCHAT')), 14, [{ Severity: 'Warning', Target: POOL }]);
});

// ---- rule 15: primary store, store definitions ------------------------------------------

test('rule 15 passes: a default instance referenced plainly or as MSSQLSERVER, with a fixed port', (t) => {
  clean(t, topology((x) => { pool(x).sqlStore = 'sql03.contoso.com'; store(x, 'sql03.contoso.com').port = 1433; }));
  clean(t, topology((x) => (pool(x).sqlStore = 'SQL03.contoso.com\\MSSQLSERVER')));
});

test('rule 15 fails: no SQL store, or one not defined', (t) => {
  reports(t, topology((x) => (pool(x).sqlStore = '')), 15, [{ Severity: 'Error', Target: POOL }]);
  reports(t, topology((x) => (pool(x).sqlStore = 'sql09.contoso.com\\PCHAT')), 15, [{ Severity: 'Error', Target: POOL }]);
});

test('rule 15 fails: a store with an invalid instance name, server or port is named by its identity', (t) => {
  reports(t, topology((x) => x.sqlStores.push({ sqlServerFqdn: 'sql04.contoso.com', sqlInstance: 'BAD-NAME' })), 15, [{ Severity: 'Error', Target: 'sql04.contoso.com\\BAD-NAME' }]);
  reports(t, topology((x) => x.sqlStores.push({ sqlServerFqdn: 'sql04', sqlInstance: 'PCHAT' })), 15, [{ Severity: 'Error', Target: 'sql04\\PCHAT' }]);
  reports(t, topology((x) => (store(x, STORE).port = 0)), 15, [{ Severity: 'Error', Target: STORE }]);
});

// ---- rule 16: mirroring ------------------------------------------------------------------

const mirrored = (x: Topology) => Object.assign(store(x, STORE), { mirror: 'sql02.contoso.com\\PCHAT', witness: 'sql03.contoso.com' });

test('rule 16 passes: a principal with its mirror and a witness on a third instance', (t) => {
  clean(t, topology(mirrored));
});

test('rule 16 fails: a store mirrored to itself or to an undefined store', (t) => {
  reports(t, topology((x) => (store(x, STORE).mirror = 'sql01.contoso.com\\pchat')), 16, [{ Severity: 'Error', Target: STORE }]);
  reports(t, topology((x) => (store(x, STORE).mirror = 'sql09.contoso.com\\PCHAT')), 16, [{ Severity: 'Error', Target: STORE }]);
});

test('rule 16 fails: a witness without mirroring, or the witness is the mirror', (t) => {
  reports(t, topology((x) => (store(x, STORE).witness = 'sql03.contoso.com')), 16, [{ Severity: 'Error', Target: STORE }]);
  reports(t, topology((x) => { mirrored(x); store(x, STORE).witness = 'sql02.contoso.com\\PCHAT'; }), 16, [{ Severity: 'Error', Target: STORE }]);
});

// ---- rule 17: mirroring ports --------------------------------------------------------------

const twoMirroredInstancesPerHost = (x: Topology) => {
  store(x, STORE).mirror = 'sql02.contoso.com\\PCHAT';
  store(x, 'sql01.contoso.com\\COMP').mirror = 'sql02.contoso.com\\COMP';
};

test('rule 17 passes: two mirrored instances per host with their own ports; a witness on 7022 next to a mirror on 5022', (t) => {
  clean(t, topology((x) => { twoMirroredInstancesPerHost(x); store(x, 'sql01.contoso.com\\COMP').mirroringPort = 5023; store(x, 'sql02.contoso.com\\COMP').mirroringPort = 5023; }));
  clean(t, topology((x) => Object.assign(store(x, STORE), { mirror: 'sql02.contoso.com\\PCHAT', witness: 'sql02.contoso.com\\COMP' })));
});

test('rule 17 fails: two mirrored instances on one host both on the default port 5022', (t) => {
  const found = reports(t, topology(twoMirroredInstancesPerHost), 17, [
    { Severity: 'Error', Target: 'sql01.contoso.com\\COMP' },
    { Severity: 'Error', Target: 'sql02.contoso.com\\COMP' },
  ]);
  t.regex(found[0]!.Message, /5022 is already used by sql01\.contoso\.com\\PCHAT/);
});

// ---- rule 18: one Persistent Chat database per instance -------------------------------------

test('rule 18 passes: two pools, each with its own instance', (t) => {
  clean(t, topology((x) => addDublinPool(x)));
});

test('rule 18 fails: two pools put mgc on the same instance (directly or as a backup)', (t) => {
  const shared = topology((x) => addDublinPool(x, { sqlStore: STORE }));
  const [f] = reports(t, shared, 18, [{ Severity: 'Error', Target: STORE }]);
  t.regex(f!.Message, /pchat\.contoso\.com.*pchat-dub\.contoso\.com/);
  t.deepEqual(rulesReported(shared), [18]);
  reports(t, topology((x) => addDublinPool(x, { sqlStore: 'sql03.contoso.com', enableDisasterRecovery: true, backupSqlStore: STORE })), 18, [{ Severity: 'Error', Target: STORE }]);
});

test('rule 18, back-end half: a Front End pool may share its back-end instance with a Persistent Chat pool, not with another Front End pool', (t) => {
  // One back-end and one mgc on sql01\\PCHAT: allowed.
  clean(t, topology((x) => (x.frontEndPools[0]!.backEndSqlStore = STORE)));
  // Two Front End back-ends on sqlbe: refused, on the instance, naming both pools.
  const two = topology((x) => {
    x.frontEndPools[0]!.backEndSqlStore = 'sqlbe.contoso.com';
    x.frontEndPools.push({ fqdn: 'pool02.contoso.com', site: 'Redmond', edition: 'Enterprise', computers: ['fe03.contoso.com'], backEndSqlStore: 'SQLBE.contoso.com' });
  });
  const [f] = reports(t, two, 18, [{ Severity: 'Error', Target: 'sqlbe.contoso.com' }]);
  t.regex(f!.Message, /back-end .*pool01\.contoso\.com, pool02\.contoso\.com/);
});

// ---- rule 19: file store -----------------------------------------------------------------------

test('rule 19 passes: a single-computer pool on a local path; a UNC share referenced with forward slashes', (t) => {
  clean(t, topology((x) => addSeCollocatedPool(x)));
  clean(t, topology((x) => (pool(x).fileStore = '//FS01.contoso.com/pchat')));
});

test('rule 19 fails: no file store, or one not defined', (t) => {
  reports(t, topology((x) => (pool(x).fileStore = '')), 19, [{ Severity: 'Error', Target: POOL }]);
  const [f] = reports(t, topology((x) => (pool(x).fileStore = '\\\\fs02.contoso.com\\chat')), 19, [{ Severity: 'Error', Target: POOL }]);
  t.regex(f!.Message, /\\\\fs02\.contoso\.com\\chat is not defined/);
});

test('rule 19 fails: a multiple-computer pool on a local path', (t) => {
  reports(t, topology((x) => { x.fileStores.push({ path: 'D:\\Chat' }); pool(x).fileStore = 'D:\\Chat'; }), 19, [{ Severity: 'Error', Target: POOL }]);
});

test('rule 19 fails: a file store with a relative path or an invalid share name is named by its identity', (t) => {
  reports(t, topology((x) => x.fileStores.push({ path: 'chatfiles' })), 19, [{ Severity: 'Error', Target: 'chatfiles' }]);
  reports(t, topology((x) => x.fileStores.push({ fileServerFqdn: 'fs01.contoso.com', share: 'a:b' })), 19, [{ Severity: 'Error', Target: '\\\\fs01.contoso.com\\a:b' }]);
});

// ---- rule 20: file server not an Enterprise Front End -----------------------------------------

test('rule 20 passes: a file share on the Standard Edition server', (t) => {
  clean(t, topology((x) => { x.fileStores.push({ fileServerFqdn: SE_SERVER, share: 'chat' }); pool(x).fileStore = `\\\\${SE_SERVER}\\chat`; }));
});

test('rule 20 fails: a file share on an Enterprise Edition Front End server or pool name', (t) => {
  reports(t, topology((x) => x.fileStores.push({ fileServerFqdn: 'FE01.contoso.com', share: 'chat' })), 20, [{ Severity: 'Error', Target: '\\\\fe01.contoso.com\\chat' }]);
  reports(t, topology((x) => x.fileStores.push({ fileServerFqdn: EE_POOL, share: 'chat' })), 20, [{ Severity: 'Error', Target: `\\\\${EE_POOL}\\chat` }]);
});

// ---- rule 21: next hop ---------------------------------------------------------------------------

test('rule 21 passes: a Standard Edition server as next hop', (t) => {
  clean(t, topology((x) => (pool(x).nextHopPool = SE_SERVER)));
});

test('rule 21 fails: no next hop, or one that is not a Front End pool', (t) => {
  reports(t, topology((x) => (pool(x).nextHopPool = '')), 21, [{ Severity: 'Error', Target: POOL }]);
  const [f] = reports(t, topology((x) => (pool(x).nextHopPool = 'edge.contoso.com')), 21, [{ Severity: 'Error', Target: POOL }]);
  t.regex(f!.RecommendedAction, /pool01\.contoso\.com, se01\.contoso\.com/);
});

test('rule 21 fails: a next hop, a Front End pool or a Front End server named by an IP address or a malformed name', (t) => {
  const [hop] = reports(t, topology((x) => { x.frontEndPools.push({ fqdn: '10.1.1.3', site: 'Redmond', edition: 'Enterprise', computers: ['fe09.contoso.com'] }); pool(x).nextHopPool = '10.1.1.3'; }), 21, [
    { Severity: 'Error', Target: '10.1.1.3' },
    { Severity: 'Error', Target: POOL },
  ]);
  t.regex(hop!.Message, /Front End pool's FQDN '10\.1\.1\.3' is not a valid FQDN/);
  const [computer] = reports(t, topology((x) => (x.frontEndPools[0]!.computers = ['fe01.contoso.com', '10.1.1.4'])), 21, [{ Severity: 'Error', Target: EE_POOL }]);
  t.regex(computer!.Message, /Computer '10\.1\.1\.4' of the Front End pool is not a valid FQDN/);
  // A Standard Edition server is its own computer: one finding, not two.
  reports(t, topology((x) => x.frontEndPools.push({ fqdn: 'pool fe..bad', site: 'Redmond', edition: 'Standard', computers: ['pool fe..bad'] })), 21, [{ Severity: 'Error', Target: 'pool fe..bad' }]);
});

// ---- rule 22: a Front End first ------------------------------------------------------------------

test('rule 22 passes: a Standard Edition server alone is enough', (t) => {
  clean(t, topology((x) => { x.frontEndPools = x.frontEndPools.filter((f) => f.edition === 'Standard'); pool(x).nextHopPool = SE_SERVER; }));
});

test('rule 22 fails: a Persistent Chat pool in a topology without Front End', (t) => {
  reports(t, topology((x) => (x.frontEndPools = [])), 22, [{ Severity: 'Error', Target: POOL }]);
});

// ---- rule 23: site affinity -------------------------------------------------------------------------

test('rule 23 passes: one default per site, or one default for all sites', (t) => {
  clean(t, topology((x) => addDublinPool(x)));
  const forAll = topology((x) => { pool(x).defaultForSite = false; pool(x).defaultForAllSites = true; addDublinPool(x, { defaultForSite: false }); });
  reports(t, forAll, 23, []);
});

test('rule 23 fails: two defaults for one site (an error on the site)', (t) => {
  const [f] = reports(t, topology((x) => addDublinPool(x, { site: 'Redmond' })), 23, [{ Severity: 'Error', Target: 'Redmond' }]);
  t.is(f!.RecommendedAction, 'Set-PersistentChatPoolSiteAffinity -Identity pchat-dub.contoso.com -Clear');
});

test('rule 23 fails: two defaults for all sites (an error on the second pool)', (t) => {
  reports(t, topology((x) => { pool(x).defaultForAllSites = true; addDublinPool(x, { defaultForAllSites: true }); }), 23, [{ Severity: 'Error', Target: 'pchat-dub.contoso.com' }]);
});

test('a pool New-PersistentChatPool is defining: the advice is about its parameters, never a command on the pool that does not exist', (t) => {
  const DUB = 'pchat-dub.contoso.com';
  const variants: [string, (x: Topology) => void][] = [
    ['a second default for a site', (x) => addDublinPool(x, { site: 'Redmond' })],
    ['a second default for all sites', (x) => { pool(x).defaultForAllSites = true; addDublinPool(x, { defaultForAllSites: true }); }],
    ['disaster recovery on a single-computer pool', (x) => addDublinPool(x, { computerType: 'Single', computers: [DUB], enableDisasterRecovery: true, backupSqlStore: STORE })],
    ['nine computers', (x) => addDublinPool(x, { computers: Array.from({ length: 9 }, (_, i) => `dub${i}.contoso.com`) })],
    ['an Enterprise Front End server as computer', (x) => addDublinPool(x, { computers: ['fe01.contoso.com'] })],
    ['a local file store', (x) => addDublinPool(x, { fileStore: 'D:\\PChat' })],
  ];
  for (const [what, change] of variants) {
    const topo = topology(change);
    const usual = validateTopology(topo).filter((f) => f.Severity === 'Error');
    t.true(usual.some((f) => f.RecommendedAction.includes(`-Identity ${DUB}`)), `${what}: a defined pool is fixed by commands on it`);
    const advised = adviseForNewPool(DUB, () => validateTopology(topo)).filter((f) => f.Severity === 'Error');
    t.deepEqual(advised.map((f) => f.Message), usual.map((f) => f.Message), `${what}: the same findings`);
    for (const f of advised) t.false(f.RecommendedAction.includes(`-Identity ${DUB}`), `${what}: ${f.RecommendedAction}`);
  }
  const [site] = adviseForNewPool(DUB, () => validateTopology(topology((x) => addDublinPool(x, { site: 'Redmond' })))).filter((f) => f.Rule === 23);
  t.is(site!.RecommendedAction, `Leave out -DefaultForSite (or give -DefaultForSite:false), or first clear the current default: Set-PersistentChatPoolSiteAffinity -Identity ${POOL} -Clear.`);
  const [ip] = adviseForNewPool('10.0.0.5', () => validateTopology(topology((x) => addDublinPool(x, { fqdn: '10.0.0.5' })))).filter((f) => f.Rule === 1);
  t.is(ip!.RecommendedAction, 'Define the pool with a valid FQDN (New-PersistentChatPool -Fqdn pchat.contoso.com ...).');
});

test('rule 23 fails: default for all sites with a single site is a warning', (t) => {
  reports(t, topology((x) => { x.sites = x.sites.slice(0, 1); x.frontEndPools = x.frontEndPools.slice(0, 1); pool(x).defaultForAllSites = true; }), 23, [{ Severity: 'Warning', Target: POOL }]);
});

// ---- rule 32: a site with pools has a default ---------------------------------------------------------

test('rule 32 passes: the site\'s pool is its default, or the default for all sites', (t) => {
  reports(t, topology(), 32, []);
  reports(t, topology((x) => { pool(x).defaultForSite = false; pool(x).defaultForAllSites = true; }), 32, []);
});

test('rule 32 fails: a site hosting a pool without a default is a warning on the site', (t) => {
  const [f] = reports(t, topology((x) => (pool(x).defaultForSite = false)), 32, [{ Severity: 'Warning', Target: 'Redmond' }]);
  t.is(f!.Message, `Site Redmond has Persistent Chat pool ${POOL} but no default pool; room creation from this site has no pool to go to.`);
  t.is(f!.RecommendedAction, `Set-PersistentChatPoolSiteAffinity -Identity ${POOL} -DefaultForSite`);
});

test('rule 32 fails: a site whose pools are not its default, while another site\'s pool is the default for all sites', (t) => {
  const [f] = reports(t, topology((x) => { pool(x).defaultForSite = false; pool(x).defaultForAllSites = true; addDublinPool(x, { defaultForSite: false }); }), 32, [{ Severity: 'Warning', Target: 'Dublin' }]);
  t.regex(f!.Message, new RegExp(`goes to ${POOL.replace(/\./g, '\\.')}, the default for all sites in site Redmond`));
});

// ---- rule 31: the next hop has Persistent Chat ---------------------------------------------------------

test('rule 31 passes: the next hop runs Skype for Business Server 2015, Lync Server 2013, or the topology\'s product', (t) => {
  reports(t, topology(), 31, []);
  reports(t, topology((x) => (x.frontEndPools[0]!.product = 'Lync2013')), 31, []);
  reports(t, topology((x) => (x.frontEndPools[0]!.product = 'SkypeForBusiness2015')), 31, []);
});

test('rule 31 fails: the next hop is a Skype for Business Server 2019 pool (an error naming its product)', (t) => {
  const [f] = reports(t, topology((x) => (x.frontEndPools[0]!.product = 'SkypeForBusiness2019')), 31, [{ Severity: 'Error', Target: POOL }]);
  t.regex(f!.Message, /runs Skype for Business Server 2019, which has no Persistent Chat/);
});

test('rule 30 judges a store by the product of its pool\'s next hop', (t) => {
  const sql2014 = (x: Topology) => Object.assign(store(x, STORE), { version: '12.0.4100.1', edition: 'Enterprise Edition (64-bit)' });
  reports(t, topology((x) => { sql2014(x); x.product = 'Lync2013'; x.frontEndPools[0]!.product = 'SkypeForBusiness2015'; }), 30, []);
  // SQL Server 2014 is newer than Lync Server 2013's table: a warning that names that product.
  const [f] = reports(t, topology((x) => { sql2014(x); x.frontEndPools[0]!.product = 'Lync2013'; }), 30, [{ Severity: 'Warning', Target: STORE }]);
  t.regex(f!.Message, /newer than the releases documented for Lync2013/);
});

test('rule 23 fails: a pool in an undefined site', (t) => {
  reports(t, topology((x) => (pool(x).site = 'Paris')), 23, [{ Severity: 'Error', Target: POOL }]);
});

// ---- rule 26: fixed database names --------------------------------------------------------------------

test('rule 26 passes: mgc and mgccomp of one pool on one instance', (t) => {
  clean(t, topology((x) => Object.assign(pool(x), { enableCompliance: true, complianceSqlStore: STORE })));
});

test('rule 26 fails: two pools put mgccomp on one instance', (t) => {
  const [f] = reports(
    t,
    topology((x) => {
      Object.assign(pool(x), { enableCompliance: true, complianceSqlStore: 'sql01.contoso.com\\COMP' });
      addDublinPool(x, { enableCompliance: true, complianceSqlStore: 'sql01.contoso.com\\COMP' });
    }),
    26,
    [{ Severity: 'Error', Target: 'sql01.contoso.com\\COMP' }],
  );
  t.regex(f!.Message, /more than one database named mgccomp \(compliance SQL store of pool pchat\.contoso\.com; compliance SQL store of pool pchat-dub\.contoso\.com\)/);
});

test('rule 26 fails: the primary store\'s mirror is also the backup store', (t) => {
  reports(t, topology((x) => { withDisasterRecovery(x); store(x, STORE).mirror = 'sql02.contoso.com\\PCHAT'; }), 26, [{ Severity: 'Error', Target: 'sql02.contoso.com\\PCHAT' }]);
});

// ---- rule 29: errors apart from warnings --------------------------------------------------------------

test('rule 29 passes: a topology with only warnings has no errors to block publishing', (t) => {
  const found = validateTopology(topology((x) => (pool(x).computers = computers(5))));
  t.deepEqual(found.map((f) => f.Severity), ['Warning']);
});

test('rule 29 fails: errors come before warnings even when the warning\'s rule comes first', (t) => {
  const found = validateTopology(topology((x) => { pool(x).computers = computers(5); pool(x).nextHopPool = ''; pool(x).port = 0; }));
  t.deepEqual(found.map((f) => [f.Severity, f.Rule]), [['Error', 11], ['Error', 21], ['Warning', 7]]);
});

// ---- rule 30: SQL platform ------------------------------------------------------------------------------

test('rule 30 passes: a supported platform, Express for the SE-collocated pool, AlwaysOn on an unused store', (t) => {
  clean(t, topology((x) => Object.assign(store(x, STORE), { version: '11.0.7001.0', edition: 'Enterprise Edition (64-bit)' })));
  clean(t, topology((x) => { addSeCollocatedPool(x); Object.assign(store(x, `${SE_SERVER}\\RTC`), { version: '11.0.7001.0', edition: 'Express Edition (64-bit)' }); }));
  clean(t, topology((x) => (store(x, 'sqlbe.contoso.com').alwaysOn = true)));
});

test('rule 30 warns: an AlwaysOn instance holding a pool database, or its mirror', (t) => {
  reports(t, topology((x) => (store(x, STORE).alwaysOn = true)), 30, [{ Severity: 'Warning', Target: STORE }]);
  reports(t, topology((x) => { store(x, STORE).mirror = 'sql02.contoso.com\\PCHAT'; store(x, 'sql02.contoso.com\\PCHAT').alwaysOn = true; }), 30, [{ Severity: 'Warning', Target: 'sql02.contoso.com\\PCHAT' }]);
});

test('rule 30 fails: too old a release, or Express for a pool not on a Standard Edition server', (t) => {
  reports(t, topology((x) => Object.assign(store(x, STORE), { version: '10.0.6000.29', edition: 'Enterprise Edition (64-bit)' })), 30, [{ Severity: 'Error', Target: STORE }]);
  reports(t, topology((x) => Object.assign(store(x, STORE), { version: '11.0.7001.0', edition: 'Express Edition (64-bit)' })), 30, [{ Severity: 'Error', Target: STORE }]);
});

test('rule 30 fails: a release newer than the product documents is a warning (SQL 2014 for Lync 2013)', (t) => {
  reports(t, topology((x) => { x.product = 'Lync2013'; Object.assign(store(x, STORE), { version: '12.0.6024.0', edition: 'Standard Edition (64-bit)' }); }), 30, [{ Severity: 'Warning', Target: STORE }]);
});

// ---- whole-document behaviour ----------------------------------------------------------------------------

test('validation is pure and stable: the same document gives the same findings and is not changed', (t) => {
  const topo = topology((x) => { pool(x).fqdn = 'bad_name'; pool(x).displayName = ''; addDublinPool(x, { sqlStore: STORE, site: 'Redmond' }); });
  const copy = structuredClone(topo);
  const first = validateTopology(topo);
  t.deepEqual(validateTopology(topo), first);
  t.deepEqual(topo, copy);
  t.deepEqual(first.map((f) => [f.Rule, f.Target]), [
    [1, 'bad_name'],
    [10, 'bad_name'],
    [18, STORE],
    [23, 'Redmond'],
  ]);
});

test('rules 1 and 4 say what makes a name no FQDN', (t) => {
  const [one] = reports(t, topology((x) => (pool(x).fqdn = 'pchat_01.contoso.com')), 1, [{ Severity: 'Error', Target: 'pchat_01.contoso.com' }]);
  t.regex(one!.Message, /label 1 \('pchat_01'\) holds '_'/);
  const [four] = reports(t, topology((x) => (pool(x).computers = ['pc01.contoso.com', `${'p'.repeat(64)}.contoso.com`])), 4, [{ Severity: 'Error', Target: POOL }]);
  t.regex(four!.Message, /is 64 characters long; a DNS label has at most 63/);
});
