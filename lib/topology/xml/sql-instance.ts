// The AlwaysOn facts of a <SqlInstance>, read the same way in both forms: any AlwaysOn* attribute
// with a value marks an availability group (SfB 2015 writes AlwaysOnPrimaryNodeFqdn); attributes
// ending in Fqdn name the replica hosts.
import type { XmlElement } from './parse.js';

export function alwaysOnFacts(el: XmlElement): { alwaysOn: boolean; nodes: string[] } {
  let alwaysOn = false;
  const nodes: string[] = [];
  for (const [name, value] of el.attrs) {
    if (!name.startsWith('alwayson')) continue;
    const v = value.trim();
    if (v === '' || v.toLowerCase() === 'false') continue;
    alwaysOn = true;
    if (name.endsWith('fqdn')) nodes.push(v);
  }
  return { alwaysOn, nodes };
}
