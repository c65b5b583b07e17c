// Defining stores, shared by New-SqlStore / New-FileStore and the inline "New" of New-PersistentChatPool
// (like the wizard's New button): an identical existing store is reused, a conflicting one refused.
import { ErrorRecord } from '../cmdlet/errors.js';
import {
  fileStoreIdentity,
  findFileStore,
  findSqlStore,
  normalizeFqdn,
  sqlStoreIdentity,
  type FileStore,
  type SqlStore,
  type Topology,
} from './model.js';
import { normalizeSqlInstance } from '../sql/names.js';

export function addSqlStore(t: Topology, s: SqlStore, opts: { reuse: boolean }): string {
  const store: SqlStore = { ...s, sqlServerFqdn: normalizeFqdn(s.sqlServerFqdn), sqlInstance: normalizeSqlInstance(s.sqlInstance) };
  for (const k of Object.keys(store) as (keyof SqlStore)[]) if (store[k] === undefined) delete store[k];
  const id = sqlStoreIdentity(store);
  const existing = findSqlStore(t, id);
  if (existing) {
    if (opts.reuse && (s.port === undefined || s.port === existing.port)) return id;
    throw new ErrorRecord({
      errorId: 'SqlStoreAlreadyExists',
      category: 'ResourceExists',
      target: id,
      message: opts.reuse ? `The SQL store '${id}' already exists with port ${existing.port ?? '(SQL Browser)'}, not ${s.port}.` : `The SQL store '${id}' already exists.`,
      recommendedAction: opts.reuse ? `Refer to it with -SqlStore ${id}, without -Port.` : `Refer to it by its identity ('${id}') where a store is asked for.`,
    });
  }
  t.sqlStores.push(store);
  return id;
}

export function addFileStore(t: Topology, f: FileStore, opts: { reuse: boolean }): string {
  const store: FileStore = f.path ? { path: f.path } : { fileServerFqdn: normalizeFqdn(f.fileServerFqdn ?? ''), share: f.share };
  const id = fileStoreIdentity(store);
  if (findFileStore(t, id)) {
    if (opts.reuse) return fileStoreIdentity(findFileStore(t, id)!);
    throw new ErrorRecord({ errorId: 'FileStoreAlreadyExists', category: 'ResourceExists', target: id, message: `The file store '${id}' already exists.`, recommendedAction: `Refer to it with -FileStore '${id}'.` });
  }
  t.fileStores.push(store);
  return id;
}
