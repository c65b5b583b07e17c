// A Front End pool's product: its own, else (a revision written before pools had one) the topology's.
import test from 'ava';
import { compareTopologies } from '../../lib/topology/diff.js';
import { frontEndProduct, persistentChatProduct } from '../../lib/topology/model.js';
import { planMerge } from '../../lib/topology/xml/merge.js';
import { pool, topology } from '../support/topology-builder.js';

test('a pool without a product runs the topology\'s; a Persistent Chat pool takes its next hop\'s', (t) => {
  const old = topology((x) => (x.product = 'Lync2013'));
  t.is(frontEndProduct(old, old.frontEndPools[0]!), 'Lync2013');
  t.is(persistentChatProduct(old, pool(old)), 'Lync2013');
  const mixed = topology((x) => (x.frontEndPools[0]!.product = 'SkypeForBusiness2019'));
  t.is(persistentChatProduct(mixed, pool(mixed)), 'SkypeForBusiness2015', 'a 2019 next hop (rule 31) leaves the topology\'s product');
});

test('a revision written before pools had a product compares equal to the same draft with the product written out', (t) => {
  const before = topology();
  const after = topology((x) => x.frontEndPools.forEach((p) => (p.product = 'SkypeForBusiness2015')));
  t.deepEqual(compareTopologies(before, after), []);
  const upgraded = topology((x) => (x.frontEndPools[0]!.product = 'SkypeForBusiness2019'));
  t.deepEqual(compareTopologies(before, upgraded).map((c) => c.Details), [['product: SkypeForBusiness2015 -> SkypeForBusiness2019']]);
});

test('merging the same pools into a draft without products finds no conflict', (t) => {
  const draft = topology();
  const imported = topology((x) => x.frontEndPools.forEach((p) => (p.product = 'SkypeForBusiness2015')));
  t.deepEqual(planMerge(draft, imported).conflicts, []);
  const newer = topology((x) => (x.frontEndPools[0]!.product = 'SkypeForBusiness2019'));
  t.deepEqual(planMerge(draft, newer).conflicts.map((c) => c.Differences), ['product: draft SkypeForBusiness2015, imported SkypeForBusiness2019']);
});
