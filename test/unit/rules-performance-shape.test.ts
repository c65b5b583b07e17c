// The validation rules grow linearly with the topology (no timing here: the work is counted).
// Every read of an element of the topology's lists (sites, Front End pools, stores, pools) is counted
// through a Proxy; doubling the topology must about double the reads. A rule that scans a list per pool
// (a linear find per reference, or a comparison with every earlier pool) makes them quadruple.
import test from 'ava';
import type { Topology } from '../../lib/topology/model.js';
import { validatePoolChange, validateTopology } from '../../lib/topology/rules.js';
import { basePool, pool, syntheticTopology as synthetic, topology } from '../support/topology-builder.js';

/** Every pool refers to a store, file store, site and next hop that do not exist (each lookup misses). */
function dangling(t: Topology): Topology {
  t.persistentChatPools.forEach((p, i) => Object.assign(p, { sqlStore: `nosql${i}.contoso.com`, fileStore: `\\\\nofs${i}.contoso.com\\x`, site: `Nowhere${i}`, nextHopPool: `nohop${i}.contoso.com` }));
  return t;
}

/** Validates `t` and returns how many list elements the rules read. */
function reads(t: Topology): number {
  let n = 0;
  const counted = <T>(items: T[]): T[] =>
    new Proxy(items, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) n++;
        return Reflect.get(target, key, receiver);
      },
    });
  const watched: Topology = {
    ...t,
    sites: counted(t.sites),
    frontEndPools: counted(t.frontEndPools),
    sqlStores: counted(t.sqlStores),
    fileStores: counted(t.fileStores),
    persistentChatPools: counted(t.persistentChatPools),
    occupiedNames: counted(t.occupiedNames),
  };
  validateTopology(watched);
  return n;
}

function growth(build: (sites: number) => Topology): { ratio: number; small: number; large: number } {
  const small = reads(build(20));
  const large = reads(build(40));
  return { ratio: large / small, small, large };
}

test('a valid synthetic topology of 20 sites and 200 pools has no findings', (t) => {
  t.deepEqual(validateTopology(synthetic(20, 10)), []);
});

test('the work of validating a valid topology grows linearly with its size', (t) => {
  const g = growth((sites) => synthetic(sites, 10));
  t.true(g.ratio < 2.5, `doubling the topology multiplied the reads by ${g.ratio.toFixed(2)} (${g.small} → ${g.large})`);
});

test('the work of validating a topology whose references all dangle grows linearly too', (t) => {
  const g = growth((sites) => dangling(synthetic(sites, 10)));
  t.true(g.ratio < 2.5, `doubling the topology multiplied the reads by ${g.ratio.toFixed(2)} (${g.small} → ${g.large})`);
  t.true(validateTopology(dangling(synthetic(2, 2))).length > 0);
});

test('the work grows linearly with many pools in few sites', (t) => {
  const small = reads(synthetic(2, 100));
  const large = reads(synthetic(2, 200));
  t.true(large / small < 2.5, `doubling the pools multiplied the reads by ${(large / small).toFixed(2)} (${small} → ${large})`);
});

test('the lookups are not kept between validations: a topology changed in place is judged as it now is', (t) => {
  const topo = topology();
  t.deepEqual(validateTopology(topo), []);
  topo.sqlStores = topo.sqlStores.filter((s) => !(s.sqlServerFqdn === 'sql01.contoso.com' && s.sqlInstance === 'PCHAT'));
  t.deepEqual(validateTopology(topo).map((f) => f.Rule), [15]);
  topo.sqlStores.push({ sqlServerFqdn: 'sql01.contoso.com', sqlInstance: 'PCHAT' });
  pool(topo).site = 'Nowhere';
  t.deepEqual(validateTopology(topo).map((f) => f.Rule), [23]);
  pool(topo).site = 'Redmond';
  t.deepEqual(validateTopology(topo), []);
});

test('a pool change is judged with the topology as it is at the call', (t) => {
  const topo = topology();
  const before = basePool();
  const after = { ...basePool(), computers: [...basePool().computers, 'pc03.contoso.com'] };
  t.deepEqual(validatePoolChange(topo, before, after), []);
  before.computerType = 'Single';
  t.deepEqual(validatePoolChange(topo, before, after).map((f) => f.Rule), [6]);
});
