// Which store a repository string names: `sqlserver://...` is a topology store on SQL Server, anything
// else a folder. The caller passes the credential source in (the topology layer asks no one).
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { Repository, type TopologyRepository } from './repository.js';
import { isStoreAddress, parseSqlStoreAddress } from './sql/address.js';
import { SqlRepository, type SqlRepositoryOptions } from './sql-repository.js';

export type { TopologyRepository } from './repository.js';

export type StoreOptions = Partial<SqlRepositoryOptions>;

/** Throws RepositoryPasswordInAddress / RepositoryAddressInvalid (exit 2) for a bad sqlserver:// address. */
export function openRepository(location: string, opts: StoreOptions = {}): TopologyRepository {
  if (!isStoreAddress(location)) return new Repository(location);
  const addr = parseSqlStoreAddress(location);
  return new SqlRepository(addr, {
    ...opts,
    credential: opts.credential ?? ((userName) => Promise.reject(new Error(`no password source for ${userName}`))),
  });
}

/**
 * Whether two repository strings name the same store: folders by where they really are (`r`, `./r/`, an absolute
 * path or a symbolic link to it are one folder), addresses as written.
 */
export async function sameRepository(a: string, b: string): Promise<boolean> {
  if (isStoreAddress(a) || isStoreAddress(b)) return a === b;
  const where = (f: string) => realpath(f).catch(() => path.resolve(f));
  return (await where(a)) === (await where(b));
}
