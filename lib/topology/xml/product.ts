// Which product a document describes, from the services' ServiceVersion:
// 6 Lync Server 2013, 7 Skype for Business Server 2015, 8 Skype for Business Server 2019
// (samples and domain.md 9.4; 5 is Lync Server 2010). The newest version of the Front End pools wins.
import type { Product } from '../model.js';

const KNOWN: Record<number, { product: Product; label: string }> = {
  6: { product: 'Lync2013', label: 'Lync Server 2013' },
  7: { product: 'SkypeForBusiness2015', label: 'Skype for Business Server 2015' },
  8: { product: 'SkypeForBusiness2015', label: 'Skype for Business Server 2019' },
};

export function productOf(versions: number[], override?: Product): { product: Product; warnings: string[] } {
  const warnings: string[] = [];
  const distinct = [...new Set(versions)].sort((a, b) => a - b);
  const newest = distinct[distinct.length - 1];
  if (distinct.includes(8)) {
    warnings.push(
      'The document is from Skype for Business Server 2019 (ServiceVersion 8), which does not support Persistent Chat; ' +
        'a Persistent Chat pool must run on Lync Server 2013 or Skype for Business Server 2015 servers.',
    );
  }
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
      `The document mixes service versions ${distinct.join(', ')}; the topology is treated as ${known.label} (${known.product}), the newest.`,
    );
  }
  return { product: known.product, warnings };
}
