// The repository a command works on (-Repository, PCHAT_REPOSITORY or the per-user folder), opened once
// per run: a SQL Server store keeps one connection for the whole run, closed when the run ends.
import { PASSWORD_VARIABLES, resolveCredential } from './credential.js';
import type { CmdletContext } from './types.js';
import { openRepository, type TopologyRepository } from '../topology/store.js';

export interface RepositoryHandle {
  get(ctx: CmdletContext): TopologyRepository;
  close(): Promise<void>;
}

export function repositoryHandle(location: string, credentialFile: string | undefined): RepositoryHandle {
  let repo: TopologyRepository | undefined;
  return {
    get(ctx) {
      if (repo) return repo;
      repo = openRepository(location, {
        credential: async (userName) => (await resolveCredential(ctx, { userName, envVar: PASSWORD_VARIABLES.repository, file: credentialFile, fileParameter: '-RepositoryCredentialFile', target: location }))!,
        log: ctx.log,
      });
      return repo;
    },
    async close() {
      await repo?.close().catch(() => {});
    },
  };
}
