// T-SQL values for the TDS test peer (test support only, never shipped): typed values, their
// conversions and comparisons, result sets, and the SqlError a statement fails with.

export type BaseType = 'int' | 'bigint' | 'bit' | 'nvarchar';
/** nvarcharmax: nvarchar(max), sent as a PLP stream (the topology store's documents). */
export type SqlType = BaseType | 'variant' | 'nvarcharmax';
export interface Val {
  type: SqlType;
  value: number | bigint | boolean | string | null;
  /** For sql_variant: the type of the value inside. */
  base?: BaseType;
}
export const NULL_OF = (type: SqlType): Val => ({ type, value: null });
export const nv = (s: string | null): Val => ({ type: 'nvarchar', value: s });
export const int = (n: number | null): Val => ({ type: 'int', value: n });
export const variant = (v: Val): Val => (v.value === null ? { type: 'variant', value: null } : { type: 'variant', value: v.value, base: v.type as BaseType });
export const unwrap = (v: Val): Val => (v.type === 'variant' ? (v.value === null ? NULL_OF('nvarchar') : { type: v.base!, value: v.value }) : v);

export interface ResultSet {
  columns: { name: string; type: SqlType }[];
  rows: Val[][];
}

export const eqName = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

export class SqlError extends Error {
  /** Errors SQL Server sends before this one for the same statement (the cause, then "... failed"). */
  preceding: SqlError[] = [];
  constructor(readonly number: number, message: string, readonly cls = 16, readonly state = 1) {
    super(message);
  }
}

export function convert(v: Val, to: SqlType): Val {
  if (to === 'variant') return variant(v);
  if (to === 'nvarcharmax') return convert(v, 'nvarchar');
  if (v.value === null) return NULL_OF(to);
  switch (to) {
    case 'nvarchar':
      return nv(typeof v.value === 'boolean' ? (v.value ? '1' : '0') : String(v.value));
    case 'int':
    case 'bigint': {
      if (typeof v.value === 'boolean') return { type: to, value: v.value ? 1 : 0 };
      const s = String(v.value).trim();
      if (!/^-?\d+$/.test(s)) throw new SqlError(245, `Conversion failed when converting the nvarchar value '${s}' to data type ${to}.`);
      return { type: to, value: Number(s) };
    }
    case 'bit':
      return { type: 'bit', value: Number(v.value) !== 0 };
  }
}

export function compare(a: Val, b: Val): number | null {
  if (a.value === null || b.value === null) return null;
  if (typeof a.value === 'string' || typeof b.value === 'string') {
    return String(a.value).localeCompare(String(b.value), 'en', { sensitivity: 'base' }); // CI_AS collation
  }
  return Number(a.value) - Number(b.value);
}
