// The repository a command works on (-Repository, PCHAT_REPOSITORY or the per-user folder), opened once
// per run: a SQL Server store keeps one connection for the whole run, closed when the run ends.
import { PASSWORD_VARIABLES, resolveCredential } from './credential.js';
import type { CmdletContext } from './types.js';
import type { TopologyRepository } from '../topology/repository.js';
import { isStoreAddress } from '../topology/sql/address.js';

export interface RepositoryHandle {
  get(ctx: CmdletContext): TopologyRepository;
  close(): Promise<void>;
}

export function repositoryHandle(location: string, credentialFile: string | undefined): RepositoryHandle {
  let opened: Promise<TopologyRepository> | undefined;
  let proxy: TopologyRepository | undefined;
  return {
    get(ctx) {
      // The stores' modules load at the first call, not at start-up: a command that never touches the
      // repository never loads them, and the SQL Server store's only on a sqlserver:// address.
      const open = () =>
        (opened ??= isStoreAddress(location)
          ? import('../topology/store.js').then(({ openRepository }) =>
              openRepository(location, {
                credential: async (userName) => (await resolveCredential(ctx, { userName, envVar: PASSWORD_VARIABLES.repository, file: credentialFile, fileParameter: '-RepositoryCredentialFile', target: location }))!,
                log: ctx.log,
              }),
            )
          : import('../topology/repository.js').then(({ Repository }) => new Repository(location)));
      proxy ??= new Proxy({} as TopologyRepository, {
        get: (_, name) => {
          if (name === 'folder') return location;
          if (typeof name !== 'string' || name === 'then') return undefined;
          return (...args: unknown[]) => open().then((r) => Reflect.apply(r[name as keyof TopologyRepository] as (...a: unknown[]) => unknown, r, args));
        },
      });
      return proxy;
    },
    async close() {
      await (await opened?.catch(() => undefined))?.close().catch(() => {});
    },
  };
}
