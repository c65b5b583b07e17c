// Picks the SMB backend: the operating system on Windows, Samba's tools elsewhere;
// PCHAT_SMB_BACKEND=samba|windows overrides (e.g. Samba's tools under WSL or Cygwin).
import { ErrorRecord } from '../../cmdlet/errors.js';
import type { SmbBackend } from './types.js';

export const BACKEND_ENV_VAR = 'PCHAT_SMB_BACKEND';

export function backendName(env = process.env, platform = process.platform): 'samba' | 'windows' {
  const forced = env[BACKEND_ENV_VAR]?.trim().toLowerCase();
  if (forced === 'samba' || forced === 'windows') return forced;
  if (forced) {
    throw new ErrorRecord({
      errorId: 'SmbBackendUnknown',
      category: 'InvalidArgument',
      target: BACKEND_ENV_VAR,
      message: `${BACKEND_ENV_VAR}='${forced}' names no SMB backend.`,
      recommendedAction: `Set ${BACKEND_ENV_VAR} to 'samba' or 'windows', or unset it.`,
      exitCode: 2,
    });
  }
  return platform === 'win32' ? 'windows' : 'samba';
}

export async function selectBackend(): Promise<SmbBackend> {
  return backendName() === 'windows' ? (await import('./windows-backend.js')).windowsBackend : (await import('./samba-backend.js')).sambaBackend;
}
