// T-SQL evaluator for the TDS test peer (test support only, never shipped): answers a parsed SELECT
// from the peer's facts, the session's login and database, and sys.databases.
import type { Socket } from 'node:net';
import type { PeerLogin } from './options.js';
import type { TdsPeer } from './peer.js';
import type { Cond, Expr, SelectItem, Stmt } from './tsql-parser.js';
import { FUNCTIONS } from './tsql-parser.js';
import { SqlError, compare, convert, eqName, int, nv, unwrap, variant, type ResultSet, type SqlType, type Val } from './values.js';

const FIXED_SERVER_ROLES = ['sysadmin', 'serveradmin', 'setupadmin', 'securityadmin', 'processadmin', 'dbcreator', 'diskadmin', 'bulkadmin', 'public'];
const SERVER_PERMISSIONS = ['CREATE ANY DATABASE', 'VIEW SERVER STATE', 'VIEW ANY DATABASE', 'ALTER ANY LOGIN', 'CONNECT SQL', 'ALTER ANY DATABASE', 'CONTROL SERVER'];

/** What a statement sees of its session. */
export interface QueryContext {
  readonly peer: TdsPeer;
  readonly login: PeerLogin;
  readonly database: string;
  readonly inTransaction: boolean;
  readonly spid: number;
  readonly authScheme: 'SQL' | 'NTLM';
  readonly socket: Socket;
}

/** Server permissions implied by a broader one (SQL Server's permission hierarchy, the part the probes ask about). */
const IMPLIED_BY: Record<string, string[]> = {
  'CREATE ANY DATABASE': ['ALTER ANY DATABASE'],
  'VIEW ANY DATABASE': ['ALTER ANY DATABASE'],
};

/**
 * Whether the login holds a server permission: 1, 0, or null for a permission it does not know.
 * VIEW ANY DATABASE comes from public unless the peer revoked it (viewAnyDatabaseRevoked).
 */
export function hasPerm(l: PeerLogin, permission: string, viewAnyDatabaseRevoked = false): number | null {
  if (!SERVER_PERMISSIONS.includes(permission)) return null;
  const roles = (l.roles ?? []).map((r) => r.toLowerCase());
  if (roles.includes('sysadmin')) return 1;
  if (permission === 'CREATE ANY DATABASE' && roles.includes('dbcreator')) return 1;
  if (permission === 'CONNECT SQL' || (permission === 'VIEW ANY DATABASE' && !viewAnyDatabaseRevoked)) return 1;
  const held = (l.permissions ?? []).map((p) => p.toUpperCase());
  return [permission, 'CONTROL SERVER', ...(IMPLIED_BY[permission] ?? [])].some((p) => held.includes(p)) ? 1 : 0;
}

/** CREATE DATABASE in master: granted there, or implied by CREATE ANY DATABASE (what CREATE DATABASE checks). */
export function mayCreateDatabase(l: PeerLogin): boolean {
  return hasPerm(l, 'CREATE ANY DATABASE') === 1 || (l.masterPermissions ?? []).some((p) => p.toUpperCase() === 'CREATE DATABASE');
}

/**
 * Whether sys.databases and DB_ID show a database to the login: master and tempdb always; others with
 * VIEW ANY DATABASE, ALTER ANY DATABASE or CREATE DATABASE in master (sys.databases, "Permissions").
 */
export function seesDatabase(l: PeerLogin, name: string, viewAnyDatabaseRevoked: boolean): boolean {
  return ['master', 'tempdb'].includes(name.toLowerCase()) || hasPerm(l, 'VIEW ANY DATABASE', viewAnyDatabaseRevoked) === 1 || mayCreateDatabase(l);
}

export class Evaluator {
  constructor(private readonly ctx: QueryContext) {}

  private sees(database: string): boolean {
    return seesDatabase(this.ctx.login, database, this.ctx.peer.viewAnyDatabaseRevoked);
  }

  select(s: Extract<Stmt, { kind: 'select' }>, params: Map<string, Val>): ResultSet {
    let table: { columns: { name: string; type: SqlType }[]; rows: Record<string, Val>[] } | undefined;
    if (s.from) {
      const name = s.from.toLowerCase();
      if (name !== 'sys.databases' && name !== 'master.sys.databases') throw new SqlError(208, `Invalid object name '${s.from}'.`);
      table = {
        columns: [
          { name: 'name', type: 'nvarchar' },
          { name: 'database_id', type: 'int' },
          { name: 'state_desc', type: 'nvarchar' },
          { name: 'collation_name', type: 'nvarchar' },
          { name: 'is_read_only', type: 'bit' },
        ],
        rows: this.ctx.peer.databases.flatMap((d, i) => (this.sees(d) ? [{
          name: nv(d),
          database_id: int(i + 1),
          state_desc: nv('ONLINE'),
          collation_name: nv(this.ctx.peer.facts.collation),
          is_read_only: { type: 'bit', value: false } as Val,
        }] : [])),
      };
    }
    const items: SelectItem[] = s.items.flatMap((it) =>
      it.e.k === 'star' ? (table ? table.columns.map((c) => ({ e: { k: 'col', name: c.name } as Expr })) : (() => { throw new SqlError(263, 'Must specify table to select from.'); })()) : [it],
    );
    const columns = items.map((it) => {
      let name = it.alias ?? '';
      if (it.alias === undefined && it.e.k === 'col') {
        const n = it.e.name;
        name = table?.columns.find((c) => eqName(c.name, n))?.name ?? n;
      }
      return { name, type: this.typeOf(it.e, table?.columns, params) };
    });
    let rows: Record<string, Val>[] = table ? table.rows : [{}];
    if (s.where) rows = rows.filter((r) => this.test(s.where!, r, params, !!table) === true);
    if (s.orderBy && table) {
      const col = s.orderBy.col;
      rows = [...rows].sort((a, b) => {
        const x = this.colValue(col, a, true).value;
        const y = this.colValue(col, b, true).value;
        const c = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y, 'en', { sensitivity: 'base' }) : Number(x) - Number(y);
        return s.orderBy!.desc ? -c : c;
      });
    }
    if (s.top !== undefined) rows = rows.slice(0, s.top);
    return { columns, rows: rows.map((r) => items.map((it, i) => this.coerce(this.eval(it.e, r, params, !!table), columns[i]!.type))) };
  }

  private coerce(v: Val, type: SqlType): Val {
    if (type === 'variant') return v.type === 'variant' ? v : variant(v);
    return convert(unwrap(v), type);
  }

  private typeOf(e: Expr, cols: { name: string; type: SqlType }[] | undefined, params: Map<string, Val>): SqlType {
    switch (e.k) {
      case 'lit': return e.v.type;
      case 'col': {
        const c = cols?.find((x) => eqName(x.name, e.name));
        if (!c) throw new SqlError(207, `Invalid column name '${e.name}'.`);
        return c.type;
      }
      case 'var': {
        const v = params.get(e.name);
        if (!v) throw new SqlError(137, `Must declare the scalar variable "${e.name}".`, 15, 2);
        return v.type;
      }
      case 'sys': return e.name === '@@SPID' || e.name === '@@TRANCOUNT' ? 'int' : 'nvarchar';
      case 'conv': this.typeOf(e.e, cols, params); return e.to;
      case 'fn': {
        for (const a of e.args) this.typeOf(a, cols, params);
        if (e.name === 'ISNULL' || e.name === 'COALESCE') return this.typeOf(e.args[0]!, cols, params);
        return FUNCTIONS[e.name]!.type;
      }
      case 'star': return 'nvarchar';
    }
  }

  private colValue(name: string, row: Record<string, Val>, hasTable: boolean): Val {
    const key = Object.keys(row).find((k) => eqName(k, name));
    if (!hasTable || key === undefined) throw new SqlError(207, `Invalid column name '${name}'.`);
    return row[key]!;
  }

  private test(c: Cond, row: Record<string, Val>, params: Map<string, Val>, hasTable: boolean): boolean | null {
    const ev = (e: Expr) => unwrap(this.eval(e, row, params, hasTable));
    switch (c.k) {
      case 'and': { const a = this.test(c.a, row, params, hasTable); const b = this.test(c.b, row, params, hasTable); return a === false || b === false ? false : a === null || b === null ? null : true; }
      case 'or': { const a = this.test(c.a, row, params, hasTable); const b = this.test(c.b, row, params, hasTable); return a === true || b === true ? true : a === null || b === null ? null : false; }
      case 'not': { const a = this.test(c.c, row, params, hasTable); return a === null ? null : !a; }
      case 'isnull': { const v = ev(c.e); return c.not ? v.value !== null : v.value === null; }
      case 'in': {
        const v = ev(c.e);
        if (v.value === null) return null;
        const hit = c.list.some((x) => compare(v, ev(x)) === 0);
        return c.not ? !hit : hit;
      }
      case 'cmp': {
        const r = compare(ev(c.l), ev(c.r));
        if (r === null) return null;
        switch (c.op) {
          case '=': return r === 0;
          case '<>': case '!=': return r !== 0;
          case '<': return r < 0;
          case '>': return r > 0;
          case '<=': return r <= 0;
          default: return r >= 0;
        }
      }
    }
  }

  private eval(e: Expr, row: Record<string, Val>, params: Map<string, Val>, hasTable: boolean): Val {
    switch (e.k) {
      case 'lit': return e.v;
      case 'col': return this.colValue(e.name, row, hasTable);
      case 'var': {
        const v = params.get(e.name);
        if (!v) throw new SqlError(137, `Must declare the scalar variable "${e.name}".`, 15, 2);
        return v;
      }
      case 'sys':
        switch (e.name) {
          case '@@VERSION': return nv(this.ctx.peer.versionText);
          case '@@SPID': return int(this.ctx.spid);
          case '@@TRANCOUNT': return int(this.ctx.inTransaction ? 1 : 0);
          default: return nv(this.ctx.peer.serverName);
        }
      case 'conv': return convert(unwrap(this.eval(e.e, row, params, hasTable)), e.to);
      case 'star': return nv(null);
      case 'fn': {
        const args = e.args.map((a) => this.eval(a, row, params, hasTable));
        const str = (i: number) => { const v = unwrap(args[i]!); return v.value === null ? null : String(v.value); };
        switch (e.name) {
          case 'SERVERPROPERTY': return variant(this.serverProperty(str(0) ?? ''));
          case 'CONNECTIONPROPERTY': return variant(this.connectionProperty(str(0) ?? ''));
          case 'SUSER_SNAME': case 'SUSER_NAME': case 'ORIGINAL_LOGIN': return nv(this.ctx.login.name);
          case 'IS_SRVROLEMEMBER': {
            const role = (str(0) ?? '').toLowerCase();
            if (this.ctx.peer.quirks.nullRoleMembership || !FIXED_SERVER_ROLES.includes(role)) return int(null);
            if (args.length > 1 && str(1) !== null && !eqName(str(1)!, this.ctx.login.name)) return int(null);
            return int(role === 'public' || (this.ctx.login.roles ?? []).some((r) => r.toLowerCase() === role) ? 1 : 0);
          }
          case 'HAS_PERMS_BY_NAME': {
            const perm = (str(2) ?? '').toUpperCase();
            if (str(0) === null && str(1) === null) return int(hasPerm(this.ctx.login, perm, this.ctx.peer.viewAnyDatabaseRevoked));
            // The one database-level question the probes ask: CREATE DATABASE in master.
            if (eqName(str(0) ?? '', 'master') && (str(1) ?? '').toUpperCase() === 'DATABASE' && perm === 'CREATE DATABASE') return int(mayCreateDatabase(this.ctx.login) ? 1 : 0);
            return int(null);
          }
          case 'DB_ID': {
            if (args.length === 0) return int(this.ctx.peer.databases.findIndex((d) => eqName(d, this.ctx.database)) + 1);
            const n = str(0);
            const i = n === null ? -1 : this.ctx.peer.databases.findIndex((d) => eqName(d, n));
            return int(i < 0 || !this.sees(this.ctx.peer.databases[i]!) ? null : i + 1);
          }
          case 'DB_NAME': {
            if (args.length === 0) return nv(this.ctx.database);
            const v = unwrap(args[0]!);
            return nv(v.value === null ? null : this.ctx.peer.databases[Number(v.value) - 1] ?? null);
          }
          case 'ISNULL': return unwrap(args[0]!).value === null ? args[1]! : args[0]!;
          case 'COALESCE': return args.find((a) => unwrap(a).value !== null) ?? args[0]!;
          default: throw new SqlError(195, `'${e.name}' is not a recognized built-in function name.`, 15, 10);
        }
      }
    }
  }

  private serverProperty(name: string): Val {
    const f = this.ctx.peer.facts;
    const [major, minor, build] = this.ctx.peer.versionParts;
    const q = this.ctx.peer.quirks;
    switch (name.toLowerCase()) {
      case 'productversion': return nv(f.productVersion);
      case 'productlevel': return nv(f.productLevel);
      case 'edition': return nv(f.edition);
      case 'engineedition': return int(f.engineEdition);
      case 'ishadrenabled': return major >= 11 ? int(f.hadrEnabled ? 1 : 0) : int(null);
      case 'hadrmanagerstatus': return major >= 11 ? int(f.hadrEnabled ? 1 : null) : int(null);
      case 'collation': return nv(q.lowerCaseCollation ? f.collation.toLowerCase() : f.collation);
      case 'instancename': return nv(f.instanceName ?? (q.emptyNames ? '' : null));
      case 'machinename': return nv(q.emptyNames ? '' : f.machineName);
      case 'servername': return nv(this.ctx.peer.serverName);
      case 'productmajorversion': return major >= 11 ? nv(String(major)) : nv(null);
      case 'productminorversion': return major >= 11 ? nv(String(minor)) : nv(null);
      case 'productbuild': return major >= 11 ? nv(String(build)) : nv(null);
      case 'isclustered': return int(0);
      case 'isintegratedsecurityonly': return int(0);
      default: return nv(null);
    }
  }

  private connectionProperty(name: string): Val {
    if (this.ctx.peer.quirks.nullConnectionProperties) return nv(null);
    switch (name.toLowerCase()) {
      case 'net_transport': case 'physical_net_transport': return nv('TCP');
      case 'protocol_type': return nv('TSQL');
      case 'auth_scheme': return nv(this.ctx.authScheme);
      case 'local_net_address': return nv(this.ctx.socket.localAddress ?? null);
      case 'local_tcp_port': return int(this.ctx.socket.localPort ?? null);
      case 'client_net_address': return nv(this.ctx.socket.remoteAddress ?? null);
      default: return nv(null);
    }
  }
}
