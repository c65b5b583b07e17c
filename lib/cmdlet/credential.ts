// Credentials without secrets on argv: the password comes from an environment variable,
// a credential file (owner-only permissions), or a prompt on a terminal.
import { readFile, stat } from 'node:fs/promises';
import { ErrorRecord } from './errors.js';
import type { CmdletContext } from './types.js';
import type { Credential } from '../credential.js';

/** Where the passwords come from in the environment; children never inherit them (run-tool.ts). */
export const PASSWORD_VARIABLES = { smb: 'PCHAT_SMB_PASSWORD', sql: 'PCHAT_SQL_PASSWORD', repository: 'PCHAT_REPOSITORY_PASSWORD' } as const;

export interface CredentialSource {
  /** The user name given with -Credential/-SqlCredential (`user`, `DOMAIN\user`, `user@realm`). */
  userName?: string;
  /** Environment variable that holds the password (PCHAT_SMB_PASSWORD, PCHAT_SQL_PASSWORD). */
  envVar: string;
  /** A file whose first line is the password (mode 0600 or stricter on POSIX). */
  file?: string;
  /** The parameter that gives `file`, for messages (default -CredentialFile, the SMB one; the SQL one is -SqlCredentialFile). */
  fileParameter?: string;
  /** What the credential is for, for messages and the prompt. */
  target: string;
}

/** The two kinds of account, as every command names them: -Credential (file stores) and -SqlCredential. */
const KINDS = {
  smb: { envVar: PASSWORD_VARIABLES.smb, fileParameter: '-CredentialFile', target: 'the file stores' },
  sql: { envVar: PASSWORD_VARIABLES.sql, fileParameter: '-SqlCredentialFile', target: 'the SQL stores' },
} as const;

/** Where the password of a file store (smb) or SQL (sql) account comes from; resolved later by resolveCredential. */
export function credentialSource(kind: keyof typeof KINDS, userName: string | undefined, file: string | undefined): CredentialSource {
  return { userName, file, ...KINDS[kind] };
}

/** The file store (smb) or SQL (sql) account of a command: undefined without a user name (the current identity). */
export function credentialFor(ctx: CmdletContext, kind: keyof typeof KINDS, userName: string | undefined, file: string | undefined): Promise<Credential | undefined> {
  return resolveCredential(ctx, credentialSource(kind, userName, file));
}

/** Returns undefined when no user name was given (integrated / anonymous authentication). */
export async function resolveCredential(ctx: CmdletContext, src: CredentialSource): Promise<Credential | undefined> {
  const cred = await findCredential(ctx, src);
  if (cred) ctx.registerSecret?.(cred.password);
  return cred;
}

async function findCredential(ctx: CmdletContext, src: CredentialSource): Promise<Credential | undefined> {
  if (!src.userName) return undefined;
  if (src.file) return { userName: src.userName, password: await readCredentialFile(src.file, src.fileParameter ?? '-CredentialFile') };
  const fromEnv = process.env[src.envVar];
  if (fromEnv !== undefined && fromEnv !== '') return { userName: src.userName, password: fromEnv };
  if (!ctx.interactive) {
    throw new ErrorRecord({
      errorId: 'CredentialPasswordMissing',
      category: 'AuthenticationError',
      target: src.target,
      message: `No password for '${src.userName}': ${src.envVar} is not set, no ${src.fileParameter ?? '-CredentialFile'} was given, and there is no terminal to ask on.`,
      recommendedAction: `Set ${src.envVar} in the job's environment, or pass ${src.fileParameter ?? '-CredentialFile'} <file> (mode 0600) whose first line is the password.`,
    });
  }
  return { userName: src.userName, password: await ctx.readSecret(`Password for ${src.userName} (${src.target}): `, src.target) };
}

/** What stat() of a credential file says, in words (the rest keep Node's own message). */
const CREDENTIAL_FILE_FAULT: Record<string, string> = {
  ENOENT: 'there is no such file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'this account may not read it or a folder on its path',
  EPERM: 'this account may not read it or a folder on its path',
  ELOOP: 'the path has a loop of symbolic links',
};

async function readCredentialFile(file: string, parameter: string): Promise<string> {
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    throw new ErrorRecord({
      errorId: 'CredentialFileNotFound',
      category: 'ObjectNotFound',
      target: file,
      message: `Cannot read the credential file '${file}': ${CREDENTIAL_FILE_FAULT[(e as NodeJS.ErrnoException).code ?? ''] ?? (e as Error).message}.`,
      recommendedAction: `Check the path given with ${parameter}.`,
      exitCode: 2,
    });
  }
  if (!info.isFile()) {
    throw new ErrorRecord({
      errorId: 'CredentialFileNotAFile',
      category: 'InvalidArgument',
      target: file,
      message: `The credential file '${file}' is not a regular file.`,
      recommendedAction: `Give ${parameter} the path of a file (mode 0600) whose first line is the password.`,
      exitCode: 2,
    });
  }
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new ErrorRecord({
      errorId: 'CredentialFileTooOpen',
      category: 'SecurityError',
      target: file,
      message: `The credential file '${file}' can be read by other users (mode ${(info.mode & 0o777).toString(8)}).`,
      recommendedAction: `Run: chmod 600 '${file}'`,
      exitCode: 2,
    });
  }
  const password = (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? '';
  // An empty password would still be tried, and count as a failed logon against the account's lockout.
  if (password === '') {
    throw new ErrorRecord({
      errorId: 'CredentialFileEmpty',
      category: 'InvalidArgument',
      target: file,
      message: `The credential file '${file}' has no password on its first line.`,
      recommendedAction: 'Write the password on the first line of the file (mode 0600).',
      exitCode: 2,
    });
  }
  return password;
}
