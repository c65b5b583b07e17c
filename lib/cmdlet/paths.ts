// The per-user default location of the topology repository (README "Repository").
import os from 'node:os';
import path from 'node:path';

export function defaultRepositoryPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PCHAT_REPOSITORY) return env.PCHAT_REPOSITORY;
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'pchat-topology');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'pchat-topology');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'pchat-topology');
}
