// Database names: validated before use and quoted as QUOTENAME does; never concatenated raw into T-SQL.
// Instance names: one spelling, so that two ways of writing one instance compare equal.
import { ErrorRecord } from '../cmdlet/errors.js';

/** A regular SQL Server identifier not starting with @ or # (those mean variables and temp objects). */
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_@$#]{0,123}$/;

export function isValidDatabaseName(name: string): boolean {
  return DATABASE_NAME.test(name);
}

export function validateDatabaseName(name: string, target = ''): string {
  if (!isValidDatabaseName(name)) {
    throw new ErrorRecord({
      errorId: 'InvalidDatabaseName',
      category: 'InvalidArgument',
      target: target || name,
      message: `'${name}' is not a database name this tool creates: it must start with a letter or _ and contain only letters, digits, _ @ $ # (at most 124 characters).`,
      recommendedAction: 'Persistent Chat uses mgc and mgccomp; use one of those names.',
      exitCode: 2,
    });
  }
  return name;
}

/** QUOTENAME(name): [name] with ] doubled. */
export function quoteName(name: string): string {
  return `[${name.replace(/]/g, ']]')}]`;
}

/** Database names compare case-insensitively (the server collation is case-insensitive for Lync). */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Distinct names, first spelling kept. */
export function uniqueNames(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) if (!out.some((o) => sameName(o, n))) out.push(n);
  return out;
}

/**
 * The one spelling of an instance name: upper case, and null for the default instance, which SQL Server
 * also names MSSQLSERVER (so `sql01\MSSQLSERVER` and `sql01` are one store, never two).
 */
export function normalizeSqlInstance(instance: string | null | undefined): string | null {
  const inst = (instance ?? '').trim().toUpperCase();
  return inst === '' || inst === 'MSSQLSERVER' ? null : inst;
}
