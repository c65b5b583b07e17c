// Which product a document describes, from the services' ServiceVersion:
// 6 Lync Server 2013, 7 Skype for Business Server 2015, 8 Skype for Business Server 2019
// (samples), 5 Lync Server 2010. The topology's product is the newest of the Front End pools that has
// Persistent Chat; each pool also records its own (frontEndProductOf).
import type { FrontEndProduct, Product } from '../model.js';

const KNOWN: Record<number, { product: Product; label: string }> = {
  6: { product: 'Lync2013', label: 'Lync Server 2013' },
  7: { product: 'SkypeForBusiness2015', label: 'Skype for Business Server 2015' },
  8: { product: 'SkypeForBusiness2015', label: 'Skype for Business Server 2019' },
};

const FRONT_END_BY_VERSION: Record<number, FrontEndProduct> = { 5: 'Lync2010', 6: 'Lync2013', 7: 'SkypeForBusiness2015', 8: 'SkypeForBusiness2019' };

/** What one Front End pool runs, from its ServiceVersion; undefined for a version this tool does not know. */
export function frontEndProductOf(serviceVersion: number | undefined): FrontEndProduct | undefined {
  return FRONT_END_BY_VERSION[serviceVersion ?? -1];
}

export function productOf(versions: number[], override?: Product): { product: Product; warnings: string[] } {
  const warnings: string[] = [];
  const distinct = [...new Set(versions)].sort((a, b) => a - b);
  if (distinct.includes(8)) {
    warnings.push(
      distinct.some((v) => v === 6 || v === 7)
        ? 'The document has Skype for Business Server 2019 pools (ServiceVersion 8), which do not support Persistent Chat; ' +
            "they are recorded as SkypeForBusiness2019, and a Persistent Chat pool's next hop must be one of the Lync Server 2013 or Skype for Business Server 2015 pools."
        : 'The document is from Skype for Business Server 2019 (ServiceVersion 8), which does not support Persistent Chat; ' +
            'its pools are recorded as SkypeForBusiness2019, and a Persistent Chat pool must run beside a Lync Server 2013 or Skype for Business Server 2015 pool.',
    );
  }
  // The topology's product is the newest one with Persistent Chat: 2019 pools keep their own product.
  const withChat = distinct.filter((v) => v !== 8);
  const newest = withChat.length ? withChat[withChat.length - 1] : distinct[distinct.length - 1];
  if (override) return { product: override, warnings };

  if (newest === undefined) {
    warnings.push('The document states no ServiceVersion; assuming SkypeForBusiness2015 (use -Product to choose).');
    return { product: 'SkypeForBusiness2015', warnings };
  }
  const known = KNOWN[newest];
  if (!known) {
    const fallback: Product = newest < 6 ? 'Lync2013' : 'SkypeForBusiness2015';
    const what = newest < 6 ? 'an older product without Persistent Chat (Lync Server 2010 has Group Chat)' : 'a product this tool does not know';
    warnings.push(`ServiceVersion ${newest} is ${what}; assuming ${fallback} (use -Product to choose).`);
    return { product: fallback, warnings };
  }
  if (distinct.length > 1) {
    warnings.push(
      `The document mixes service versions ${distinct.join(', ')}; each Front End pool keeps its own product, and the topology's (the default of New-FrontEndPool) is ${known.product}.`,
    );
  }
  return { product: known.product, warnings };
}
