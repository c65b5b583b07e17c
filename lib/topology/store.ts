// Which store a repository string names: `sqlserver://...` is a topology store on SQL Server, anything
// else a folder. The caller passes the credential source in (the topology layer asks no one).
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { Repository, type TopologyRepository } from './repository.js';
import { normalizeSqlInstance } from '../sql/names.js';
import { isStoreAddress, isSqlStoreAddress, parseSqlStoreAddress } from './sql/address.js';
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
 * path or a symbolic link to it are one folder); SQL Server stores by server, instance, port and database, whatever
 * the login, the options or the letter case (SQL Server's names are case-insensitive, and so is DNS).
 */
export async function sameRepository(a: string, b: string): Promise<boolean> {
  if (isStoreAddress(a) || isStoreAddress(b)) return storeKey(a) === storeKey(b);
  const where = (f: string) => realpath(f).catch(() => path.resolve(f));
  return (await where(a)) === (await where(b));
}

function storeKey(location: string): string {
  if (!isSqlStoreAddress(location)) return location;
  try {
    const a = parseSqlStoreAddress(location);
    const instance = normalizeSqlInstance(a.instance) ?? '';
    // The default instance listens on 1433 unless a port is given; a named one's port is the Browser's to say.
    const port = a.port ?? (instance ? '' : 1433);
    return `${a.server.toLowerCase().replace(/\.$/, '')}\\${instance}:${port}/${a.database.toLowerCase()}`;
  } catch {
    return location; // an invalid address is refused when it is opened
  }
}
