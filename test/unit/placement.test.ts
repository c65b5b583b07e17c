// Which databases Test-SqlStore expects on which store of the topology (domain.md 2.3, 5; rule 18).
import test from 'ava';
import { poolPlacements, poolStorePlans, storePlan } from '../../lib/topology/placement.js';
import { addDublinPool, addSeCollocatedPool, pool, topology, POOL, SE_SERVER } from '../support/topology-builder.js';

test('a pool with compliance and disaster recovery uses primary, compliance, backup stores and their mirrors', (t) => {
  const top = topology((x) => {
    x.sqlStores.push({ sqlServerFqdn: 'sqlm.contoso.com', sqlInstance: 'PCHAT' }, { sqlServerFqdn: 'sqlbk.contoso.com', sqlInstance: null }, { sqlServerFqdn: 'sqlbkm.contoso.com', sqlInstance: null });
    x.sqlStores.find((s) => s.sqlInstance === 'PCHAT' && s.sqlServerFqdn === 'sql01.contoso.com')!.mirror = 'sqlm.contoso.com\\PCHAT';
    x.sqlStores.find((s) => s.sqlServerFqdn === 'sqlbk.contoso.com')!.mirror = 'sqlbkm.contoso.com';
    Object.assign(pool(x), { enableCompliance: true, complianceSqlStore: 'sql01.contoso.com\\COMP', enableDisasterRecovery: true, backupSqlStore: 'sqlbk.contoso.com', backupComplianceSqlStore: 'sql02.contoso.com\\COMP' });
  });
  const placements = poolPlacements(top, pool(top)).map((p) => `${p.role}: ${p.store} ${p.database}`);
  t.deepEqual(placements, [
    'primary: sql01.contoso.com\\PCHAT mgc',
    'mirror of primary: sqlm.contoso.com\\PCHAT mgc',
    'compliance: sql01.contoso.com\\COMP mgccomp',
    'backup: sqlbk.contoso.com mgc',
    'mirror of backup: sqlbkm.contoso.com mgc',
    'backup compliance: sql02.contoso.com\\COMP mgccomp',
  ]);
  const plans = poolStorePlans(top, pool(top));
  t.deepEqual(plans.map((p) => p.identity), ['sql01.contoso.com\\PCHAT', 'sqlm.contoso.com\\PCHAT', 'sql01.contoso.com\\COMP', 'sqlbk.contoso.com', 'sqlbkm.contoso.com', 'sql02.contoso.com\\COMP']);
  t.deepEqual(plans.find((p) => p.identity === 'sql01.contoso.com\\COMP')!.expect.databases, ['mgccomp']);
  t.true(plans.every((p) => p.expect.otherPoolsDatabases!.length === 0));
});

test('compliance and DR stores are not used while the pool has them switched off', (t) => {
  const top = topology((x) => Object.assign(pool(x), { enableCompliance: false, complianceSqlStore: 'sql01.contoso.com\\COMP', enableDisasterRecovery: false, backupSqlStore: 'sql03.contoso.com' }));
  t.deepEqual(poolPlacements(top, pool(top)).map((p) => p.store), ['sql01.contoso.com\\PCHAT']);
});

test('primary and compliance on one instance: one store, both databases', (t) => {
  const top = topology((x) => Object.assign(pool(x), { enableCompliance: true, complianceSqlStore: 'SQL01.contoso.com\\pchat' }));
  const plans = poolStorePlans(top, pool(top));
  t.is(plans.length, 1);
  t.deepEqual(plans[0]!.expect.databases, ['mgc', 'mgccomp']);
  t.deepEqual(plans[0]!.roles, [`primary of ${POOL}`, `compliance of ${POOL}`]);
});

test('another pool on the same instance: its databases are "theirs" for this pool (rule 18)', (t) => {
  const top = topology((x) => addDublinPool(x, { sqlStore: 'sql01.contoso.com\\PCHAT' }));
  const mine = storePlan(top, 'sql01.contoso.com\\PCHAT', POOL);
  t.deepEqual(mine.expect.databases, ['mgc']);
  t.deepEqual(mine.expect.otherPoolsDatabases, ['mgc']);
  t.deepEqual(mine.expect.otherPools, ['pchat-dub.contoso.com']);
  const whole = storePlan(top, 'sql01.contoso.com\\PCHAT');
  t.deepEqual(whole.expect.otherPoolsDatabases, ['mgc'], 'by store: a name two pools place there is the conflict');
  t.deepEqual(whole.expect.otherPools, [POOL, 'pchat-dub.contoso.com']);
});

test('a store no pool uses is judged as a prospective Persistent Chat store', (t) => {
  const plan = storePlan(topology(), 'sql03.contoso.com');
  t.deepEqual(plan.expect.databases, ['mgc']);
  t.deepEqual(plan.expect.otherPoolsDatabases, []);
  t.false(plan.expect.allowExpress);
  t.deepEqual(plan.roles, []);
});

test('Express is allowed only where every pool on the store is collocated with a Standard Edition server', (t) => {
  const top = topology((x) => addSeCollocatedPool(x));
  t.true(storePlan(top, `${SE_SERVER}\\RTC`).expect.allowExpress);
  t.false(storePlan(top, 'sql01.contoso.com\\PCHAT').expect.allowExpress);
});

test("a store's SQL support table is its pools' next hops' product: Lync2013's when one of them runs beside Lync Server 2013", (t) => {
  const plan = (tweak: Parameters<typeof topology>[0]) => {
    const top = topology(tweak);
    return storePlan(top, 'sql01.contoso.com\\PCHAT').expect.product;
  };
  t.is(plan(() => {}), 'SkypeForBusiness2015', 'no product of its own: the topology\'s');
  t.is(plan((x) => { x.product = 'SkypeForBusiness2015'; x.frontEndPools[0]!.product = 'Lync2013'; }), 'Lync2013');
  t.is(plan((x) => { x.product = 'Lync2013'; x.frontEndPools[0]!.product = 'SkypeForBusiness2015'; }), 'SkypeForBusiness2015');
  t.is(plan((x) => { x.product = 'Lync2013'; x.frontEndPools[0]!.product = 'SkypeForBusiness2019'; }), 'Lync2013', 'a next hop without Persistent Chat (rule 31): the topology\'s');
  t.is(storePlan(topology((x) => (x.product = 'Lync2013')), 'sql03.contoso.com').expect.product, 'Lync2013', 'a store no pool uses yet: the topology\'s');
});
