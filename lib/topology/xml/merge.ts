// Merging an imported topology into an existing draft: objects that are identical are skipped, new
// ones added, and objects with the same identity but other facts are conflicts. Only the facts a
// topology document states are compared (a store's mirror or port, defined by hand, is kept).
import {
  fileStoreIdentity,
  normalizeFqdn,
  sqlStoreIdentity,
  type FrontEndPool,
  type Site,
  type SqlStore,
  type Topology,
} from '../model.js';
import { differentProperties } from '../diff.js';

export interface MergeConflict {
  Kind: string;
  Identity: string;
  /** What differs, draft value first: `edition: draft Standard, imported Enterprise`. */
  Differences: string;
}

export interface MergePlan {
  added: string[];
  skipped: string[];
  conflicts: MergeConflict[];
}

export function isEmptyTopology(t: Topology): boolean {
  return !t.sites.length && !t.frontEndPools.length && !t.sqlStores.length && !t.fileStores.length && !t.persistentChatPools.length && !t.occupiedNames.length;
}

/** Every object of `t` as `Kind:identity`, the form Added/Skipped use. */
export function identitiesOf(t: Topology): string[] {
  return [
    ...t.sites.map((s) => `Site:${s.name}`),
    ...t.frontEndPools.map((p) => `FrontEndPool:${p.fqdn}`),
    ...t.sqlStores.map((s) => `SqlStore:${sqlStoreIdentity(s)}`),
    ...t.fileStores.map((f) => `FileStore:${fileStoreIdentity(f)}`),
    ...t.persistentChatPools.map((p) => `PersistentChatPool:${p.fqdn}`),
    ...t.occupiedNames.map((o) => `OccupiedName:${o.fqdn}`),
  ];
}

/**
 * `complete`: the document states every fact of its objects (this tool's own JSON), so a SQL store is
 * compared, and replaced when it wins, whole; Lync's XML states only some of them.
 */
export interface MergeOptions {
  complete?: boolean;
}

export function planMerge(draft: Topology, imported: Topology, opts: MergeOptions = {}): MergePlan {
  return merge(structuredClone(draft), imported, false, opts);
}

/** Merges `imported` into `draft` in place; on a conflict the imported object wins. */
export function applyMerge(draft: Topology, imported: Topology, opts: MergeOptions = {}): MergePlan {
  return merge(draft, imported, true, opts);
}

function merge(d: Topology, imp: Topology, apply: boolean, opts: MergeOptions): MergePlan {
  const plan: MergePlan = { added: [], skipped: [], conflicts: [] };
  const conflict = (Kind: string, Identity: string, diffs: string[]) => plan.conflicts.push({ Kind, Identity, Differences: diffs.join('; ') });

  if (!isEmptyTopology(d) && d.product !== imp.product) {
    conflict('Topology', 'Product', [`product: draft ${d.product}, imported ${imp.product}`]);
  }
  // A draft pool without a product of its own runs the draft's product: say so before that changes.
  if (d.product !== imp.product) for (const p of d.frontEndPools) p.product ??= d.product;
  d.product = apply || isEmptyTopology(d) ? imp.product : d.product;

  for (const s of imp.sites) {
    const byName = d.sites.find((x) => x.name.toLowerCase() === s.name.toLowerCase());
    const byId = d.sites.find((x) => x.siteId === s.siteId);
    const id = `Site:${s.name}`;
    if (byName) {
      const diffs = siteDiffs(byName, s);
      if (!diffs.length) plan.skipped.push(id);
      else {
        if (byId && byId !== byName) diffs.push(`SiteId ${s.siteId} is also the draft's site '${byId.name}'`);
        conflict('Site', s.name, diffs);
        // Two sites with one SiteId after this are refused by the repository's integrity check.
        if (apply) Object.assign(byName, s);
      }
    } else if (byId) {
      // Same SiteId, other name: the document renamed the site. Imported wins: rename, keeping references.
      conflict('Site', s.name, [`SiteId ${s.siteId}: draft name '${byId.name}', imported name '${s.name}'`, ...siteDiffs(byId, s, false)]);
      if (apply) {
        renameSite(d, byId, s.name);
        Object.assign(byId, s);
      }
    } else {
      plan.added.push(id);
      d.sites.push({ ...s });
    }
  }

  for (const p of imp.frontEndPools) {
    const id = `FrontEndPool:${p.fqdn}`;
    const existing = d.frontEndPools.find((x) => normalizeFqdn(x.fqdn) === p.fqdn);
    const occupied = d.occupiedNames.find((o) => normalizeFqdn(o.fqdn) === p.fqdn);
    if (existing) {
      const diffs = poolDiffs({ ...existing, product: existing.product ?? d.product }, { ...p, product: p.product ?? imp.product });
      if (!diffs.length) {
        plan.skipped.push(id);
        if (!existing.backEndSqlStore && p.backEndSqlStore) existing.backEndSqlStore = p.backEndSqlStore;
      }
      else {
        conflict('FrontEndPool', p.fqdn, diffs);
        if (apply) Object.assign(existing, structuredClone({ ...p, product: p.product ?? imp.product }));
      }
    } else if (occupied) {
      conflict('FrontEndPool', p.fqdn, [`the draft has ${p.fqdn} as an occupied name (${occupied.role}), the document as a Front End pool`]);
      if (apply) {
        d.occupiedNames.splice(d.occupiedNames.indexOf(occupied), 1);
        d.frontEndPools.push(structuredClone({ ...p, product: p.product ?? imp.product }));
      }
    } else {
      plan.added.push(id);
      d.frontEndPools.push(structuredClone({ ...p, product: p.product ?? imp.product }));
    }
  }

  for (const s of imp.sqlStores) {
    const key = sqlStoreIdentity(s);
    const id = `SqlStore:${key}`;
    const existing = d.sqlStores.find((x) => sqlStoreIdentity(x) === key);
    if (!existing) {
      plan.added.push(id);
      d.sqlStores.push({ ...s });
      continue;
    }
    const diffs = opts.complete ? fieldDiffs(existing, s) : sqlDiffs(existing, s);
    if (!diffs.length) {
      plan.skipped.push(id);
      continue;
    }
    conflict('SqlStore', key, diffs);
    if (apply && opts.complete) d.sqlStores[d.sqlStores.indexOf(existing)] = { ...s };
    else if (apply) {
      // Only the facts the document states; mirror, witness, port, platform stay as defined.
      if (s.alwaysOn) existing.alwaysOn = true;
      else delete existing.alwaysOn;
      if (s.site) existing.site = s.site;
    }
  }

  for (const f of imp.fileStores) {
    const key = fileStoreIdentity(f);
    const id = `FileStore:${key}`;
    if (d.fileStores.some((x) => fileStoreIdentity(x).toLowerCase() === key.toLowerCase())) plan.skipped.push(id);
    else {
      plan.added.push(id);
      d.fileStores.push({ ...f });
    }
  }

  // Only this tool's JSON holds Persistent Chat pools (Import-Topology reads none from Lync's XML).
  for (const p of imp.persistentChatPools) {
    const fqdn = normalizeFqdn(p.fqdn);
    const id = `PersistentChatPool:${fqdn}`;
    const existing = d.persistentChatPools.find((x) => normalizeFqdn(x.fqdn) === fqdn);
    if (!existing) {
      plan.added.push(id);
      d.persistentChatPools.push(structuredClone(p));
      continue;
    }
    const diffs = fieldDiffs(existing, p);
    if (!diffs.length) plan.skipped.push(id);
    else {
      conflict('PersistentChatPool', fqdn, diffs);
      if (apply) d.persistentChatPools[d.persistentChatPools.indexOf(existing)] = structuredClone(p);
    }
  }

  // An occupied name only says "this FQDN is taken": one the draft already uses in any way is skipped.
  const used = namesInUse(d);
  for (const o of imp.occupiedNames) {
    const id = `OccupiedName:${o.fqdn}`;
    if (used.has(o.fqdn)) plan.skipped.push(id);
    else {
      used.add(o.fqdn);
      plan.added.push(id);
      d.occupiedNames.push({ ...o });
    }
  }
  return plan;
}

function namesInUse(t: Topology): Set<string> {
  const names = new Set<string>();
  for (const p of t.frontEndPools) [p.fqdn, ...p.computers].forEach((n) => names.add(normalizeFqdn(n)));
  for (const p of t.persistentChatPools) [p.fqdn, ...p.computers].forEach((n) => names.add(normalizeFqdn(n)));
  for (const o of t.occupiedNames) names.add(normalizeFqdn(o.fqdn));
  return names;
}

/** Renames a site and every reference to it. */
function renameSite(t: Topology, site: Site, name: string): void {
  const old = site.name.toLowerCase();
  for (const p of t.frontEndPools) if (p.site.toLowerCase() === old) p.site = name;
  for (const p of t.persistentChatPools) if (p.site.toLowerCase() === old) p.site = name;
  for (const s of t.sqlStores) if (s.site?.toLowerCase() === old) s.site = name;
  site.name = name;
}

function siteDiffs(draft: Site, imp: Site, withId = true): string[] {
  const out: string[] = [];
  if (withId && draft.siteId !== imp.siteId) out.push(`siteId: draft ${draft.siteId}, imported ${imp.siteId}`);
  for (const k of ['city', 'state', 'countryCode'] as const) {
    if ((draft[k] ?? '') !== (imp[k] ?? '')) out.push(`${k}: draft ${show(draft[k])}, imported ${show(imp[k])}`);
  }
  return out;
}

function poolDiffs(draft: FrontEndPool, imp: FrontEndPool): string[] {
  const out: string[] = [];
  if (draft.site.toLowerCase() !== imp.site.toLowerCase()) out.push(`site: draft ${draft.site}, imported ${imp.site}`);
  if (draft.edition !== imp.edition) out.push(`edition: draft ${draft.edition}, imported ${imp.edition}`);
  if (draft.product !== imp.product) out.push(`product: draft ${draft.product}, imported ${imp.product}`);
  const a = [...new Set(draft.computers.map(normalizeFqdn))].sort();
  const b = [...new Set(imp.computers.map(normalizeFqdn))].sort();
  if (a.join(',') !== b.join(',')) out.push(`computers: draft ${show(a.join(', '))}, imported ${show(b.join(', '))}`);
  // A back-end the draft never recorded is no conflict (it is filled in below); two different ones are.
  if (draft.backEndSqlStore && imp.backEndSqlStore && draft.backEndSqlStore.toLowerCase() !== imp.backEndSqlStore.toLowerCase()) {
    out.push(`back-end SQL store: draft ${draft.backEndSqlStore}, imported ${imp.backEndSqlStore}`);
  }
  return out;
}

function sqlDiffs(draft: SqlStore, imp: SqlStore): string[] {
  const out: string[] = [];
  if (!!draft.alwaysOn !== !!imp.alwaysOn) out.push(`alwaysOn: draft ${!!draft.alwaysOn}, imported ${!!imp.alwaysOn}`);
  if (draft.site && imp.site && draft.site.toLowerCase() !== imp.site.toLowerCase()) out.push(`site: draft ${draft.site}, imported ${imp.site}`);
  return out;
}

/** Every field that differs, for objects a document states whole. */
function fieldDiffs(draft: object, imp: object): string[] {
  const a = draft as Record<string, unknown>;
  const b = imp as Record<string, unknown>;
  const text = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Array.isArray(v) ? v.join(', ') : String(v));
  return differentProperties(a, b).map((k) => `${k}: draft ${show(text(a[k]))}, imported ${show(text(b[k]))}`);
}

function show(v: string | undefined): string {
  return v ? v : '(none)';
}
