// A repository folder that cannot be used (missing, a file, no permission, read-only), as an error record
// that names the folder and what to do: it is the user's environment, not an unexpected failure.
import os from 'node:os';
import { ErrorRecord } from '../cmdlet/errors.js';
import { REPOSITORY_PARAMETER, repositoryNotFound } from './not-found.js';

const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);

/** The OS account whose permissions were refused (not currentUser(): that one also names the host). */
function account(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/**
 * `e` as the record a user can act on; anything that is not a file-system error (or already a record)
 * is returned as it is. `access` is what the command was doing with the folder.
 */
export function repositoryFolderError(folder: string, e: unknown, access: 'read' | 'write'): unknown {
  const err = e as NodeJS.ErrnoException;
  if (e instanceof ErrorRecord || !err?.code || !err.syscall) return e;
  // Only New-Topology and Import-Topology create the folder: for any other command a missing one holds no topology.
  if (err.code === 'ENOENT') return repositoryNotFound(folder);
  if (DENIED.has(err.code)) {
    const how = err.code === 'EROFS' ? 'is on a read-only file system' : `is not ${access === 'write' ? 'writable' : 'readable'} by this account (${account()})`;
    return new ErrorRecord({
      errorId: 'RepositoryNotAccessible',
      category: 'PermissionDenied',
      target: folder,
      message: `The topology repository folder '${folder}' ${how}: ${err.message}.${access === 'write' ? ' Nothing was written.' : ''}`,
      recommendedAction: `Run the command as an account that can ${access === 'write' ? 'write to' : 'read'} '${folder}' (and its history, published and backups folders), give this account that permission, or point ${REPOSITORY_PARAMETER} at another folder.`,
      cause: e,
    });
  }
  return new ErrorRecord({
    errorId: 'RepositoryNotAccessible',
    category: 'ResourceUnavailable',
    target: folder,
    message: `The topology repository folder '${folder}' cannot be used: ${err.message}.`,
    recommendedAction: `Point ${REPOSITORY_PARAMETER} at a folder this account can read and write, or fix that folder's permissions.`,
    cause: e,
  });
}
