// What changed between two topologies, object by object (Compare-Topology, the publish plan and
// the summary of a published revision).
import { fileStoreIdentity, frontEndProduct, sqlStoreIdentity, type Topology } from './model.js';

export type ChangeKind = 'Added' | 'Removed' | 'Changed';

export interface TopologyChange {
  ObjectType: 'Site' | 'FrontEndPool' | 'SqlStore' | 'FileStore' | 'PersistentChatPool' | 'OccupiedName' | 'Product';
  Identity: string;
  Change: ChangeKind;
  /** For Changed: `property: old -> new` per differing property. */
  Details: string[];
}

const show = (v: unknown) => (v === undefined || v === null || v === '' ? '(none)' : Array.isArray(v) ? v.join(', ') : String(v));

/** The properties whose values differ (absent and null alike), sorted; Import-Topology's merge uses it too. */
export function differentProperties(a: object, b: object): string[] {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  return keys.filter((k) => JSON.stringify(x[k] ?? null) !== JSON.stringify(y[k] ?? null));
}

function propertyChanges(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return differentProperties(a, b).map((k) => `${k}: ${show(a[k])} -> ${show(b[k])}`);
}

function compareList<T extends object>(type: TopologyChange['ObjectType'], before: T[], after: T[], id: (x: T) => string): TopologyChange[] {
  const out: TopologyChange[] = [];
  const old = new Map(before.map((x) => [id(x).toLowerCase(), x]));
  const now = new Map(after.map((x) => [id(x).toLowerCase(), x]));
  for (const [k, x] of now) {
    const o = old.get(k);
    if (!o) out.push({ ObjectType: type, Identity: id(x), Change: 'Added', Details: [] });
    else {
      const d = propertyChanges(o as Record<string, unknown>, x as Record<string, unknown>);
      if (d.length) out.push({ ObjectType: type, Identity: id(x), Change: 'Changed', Details: d });
    }
  }
  for (const [k, o] of old) if (!now.has(k)) out.push({ ObjectType: type, Identity: id(o), Change: 'Removed', Details: [] });
  return out;
}

/** The changes that turn `before` (undefined: nothing published yet) into `after`. */
export function compareTopologies(before: Topology | undefined, after: Topology): TopologyChange[] {
  const b: Topology = before ?? { ...after, sites: [], frontEndPools: [], sqlStores: [], fileStores: [], persistentChatPools: [], occupiedNames: [] };
  const out: TopologyChange[] = [];
  if (before && before.product !== after.product) out.push({ ObjectType: 'Product', Identity: 'Product', Change: 'Changed', Details: [`Product: ${before.product} -> ${after.product}`] });
  out.push(
    ...compareList('Site', b.sites, after.sites, (s) => s.name),
    // A pool's product as it runs: a revision written before pools had one runs the topology's product.
    ...compareList('FrontEndPool', b.frontEndPools.map((p) => ({ ...p, product: frontEndProduct(b, p) })), after.frontEndPools.map((p) => ({ ...p, product: frontEndProduct(after, p) })), (p) => p.fqdn),
    ...compareList('SqlStore', b.sqlStores, after.sqlStores, sqlStoreIdentity),
    ...compareList('FileStore', b.fileStores, after.fileStores, fileStoreIdentity),
    ...compareList('PersistentChatPool', b.persistentChatPools, after.persistentChatPools, (p) => p.fqdn),
    ...compareList('OccupiedName', b.occupiedNames, after.occupiedNames, (n) => n.fqdn),
  );
  return out;
}

export function summarizeChanges(changes: TopologyChange[]): string {
  if (!changes.length) return 'no change';
  const count = (c: ChangeKind) => changes.filter((x) => x.Change === c).length;
  const pools = changes.filter((c) => c.ObjectType === 'PersistentChatPool').map((c) => `${c.Change.toLowerCase()} ${c.Identity}`);
  return `${count('Added')} added, ${count('Changed')} changed, ${count('Removed')} removed${pools.length ? `; Persistent Chat: ${pools.join(', ')}` : ''}`;
}
