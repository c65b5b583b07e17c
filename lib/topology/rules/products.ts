// Which product a Persistent Chat pool runs beside: its next hop's. Skype for Business Server 2019 has no
// Persistent Chat, so a pool routed through a 2019 pool cannot work (issue 13: mixed 2015/2019 deployments keep
// Persistent Chat on the 2015 side).
import { frontEndProduct, hasPersistentChat, normalizeFqdn, PRODUCT_NAME } from '../model.js';
import { finding, indexed, poolTarget, setPool, type Finding, type RuleDefinition } from './common.js';

export const nextHopProductRule: RuleDefinition = {
  id: 31,
  title: 'The next hop runs Lync Server 2013 or Skype for Business Server 2015',
  severity: 'Error',
  meaning: "Skype for Business Server 2019 and Lync Server 2010 (Group Chat) have no Persistent Chat: a pool's next hop is a Lync Server 2013 or Skype for Business Server 2015 pool, whose product also chooses the SQL support table (rule 30).",
  check: indexed((t, ix) => {
    const out: Finding[] = [];
    let candidates: string | undefined; // the pools offered in the recommended action, joined once
    t.persistentChatPools.forEach((p, i) => {
      const hop = typeof p.nextHopPool === 'string' && p.nextHopPool.trim() ? ix.frontEndPool(p.nextHopPool) : undefined;
      if (!hop) return; // rule 21 reports a missing or unknown next hop
      const product = frontEndProduct(t, hop);
      if (hasPersistentChat(product)) return;
      const target = poolTarget(p, i);
      candidates ??= t.frontEndPools.filter((f) => hasPersistentChat(frontEndProduct(t, f))).map((f) => `${normalizeFqdn(f.fqdn)} (${PRODUCT_NAME[frontEndProduct(t, f)]})`).join(', ');
      out.push(
        finding(
          31,
          'Error',
          target,
          `The next-hop pool ${normalizeFqdn(hop.fqdn)} runs ${PRODUCT_NAME[product]}, which has no Persistent Chat; a Persistent Chat pool's next hop must be a Lync Server 2013 or Skype for Business Server 2015 pool.`,
          candidates
            ? `${setPool(target, '-NextHopPool <pool>')} with one of: ${candidates}.`
            : 'Add the Skype for Business Server 2015 (or Lync Server 2013) Front End pool that will route to it (New-FrontEndPool -Product SkypeForBusiness2015 ...) and make it the next hop; in a mixed 2015/2019 deployment Persistent Chat stays on the 2015 side.',
        ),
      );
    });
    return out;
  }),
};
