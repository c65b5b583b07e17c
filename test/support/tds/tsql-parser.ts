// T-SQL parser for the TDS test peer (test support only, never shipped): the statements it knows
// (SET, SELECT, CREATE DATABASE, USE) as a small syntax tree; anything else fails as SQL Server would.
import { SqlError, int, nv, NULL_OF, type SqlType, type Val } from './values.js';
import type { Tok } from './tsql-lexer.js';

export type Expr =
  | { k: 'lit'; v: Val }
  | { k: 'col'; name: string }
  | { k: 'var'; name: string }
  | { k: 'sys'; name: string }
  | { k: 'fn'; name: string; args: Expr[] }
  | { k: 'conv'; to: SqlType; e: Expr }
  | { k: 'star' };
export type Cond =
  | { k: 'cmp'; op: string; l: Expr; r: Expr }
  | { k: 'in'; e: Expr; list: Expr[]; not: boolean }
  | { k: 'isnull'; e: Expr; not: boolean }
  | { k: 'and' | 'or'; a: Cond; b: Cond }
  | { k: 'not'; c: Cond };
export interface SelectItem {
  e: Expr;
  alias?: string;
}
export type Stmt =
  | { kind: 'set'; text: string }
  | { kind: 'select'; top?: number; items: SelectItem[]; from?: string; where?: Cond; orderBy?: { col: string; desc: boolean } }
  | { kind: 'create-db'; name: string }
  | { kind: 'use'; name: string };

const STATEMENT_STARTS = new Set(['SELECT', 'SET', 'CREATE', 'DROP', 'USE', 'DECLARE', 'IF', 'EXEC', 'EXECUTE', 'PRINT', 'ALTER', 'INSERT', 'UPDATE', 'DELETE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'GRANT', 'REVOKE', 'DENY', 'WAITFOR']);
const CLAUSE_WORDS = new Set(['FROM', 'WHERE', 'ORDER', 'GROUP', 'HAVING', 'UNION', 'INTO', 'OPTION']);

/** Functions the evaluator knows, with their result type; anything else is error 195 as on SQL Server. */
export const FUNCTIONS: Record<string, { type: SqlType; args: [number, number] }> = {
  SERVERPROPERTY: { type: 'variant', args: [1, 1] },
  CONNECTIONPROPERTY: { type: 'variant', args: [1, 1] },
  SUSER_SNAME: { type: 'nvarchar', args: [0, 1] },
  SUSER_NAME: { type: 'nvarchar', args: [0, 1] },
  ORIGINAL_LOGIN: { type: 'nvarchar', args: [0, 0] },
  IS_SRVROLEMEMBER: { type: 'int', args: [1, 2] },
  HAS_PERMS_BY_NAME: { type: 'int', args: [3, 5] },
  DB_ID: { type: 'int', args: [0, 1] },
  DB_NAME: { type: 'nvarchar', args: [0, 1] },
  ISNULL: { type: 'nvarchar', args: [2, 2] },
  COALESCE: { type: 'nvarchar', args: [1, 32] },
};

export class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}
  private peek(o = 0): Tok { return this.toks[Math.min(this.pos + o, this.toks.length - 1)]!; }
  private next(): Tok { return this.toks[Math.min(this.pos++, this.toks.length - 1)]!; }
  private isPunct(p: string, o = 0) { const t = this.peek(o); return t.kind === 'punct' && t.text === p; }
  private isWord(w: string, o = 0) { const t = this.peek(o); return t.kind === 'id' && t.up === w; }
  private fail(): never {
    const t = this.peek();
    throw new SqlError(102, `Incorrect syntax near '${t.kind === 'eof' ? 'end of batch' : t.text}'.`, 15);
  }
  private expectPunct(p: string) { if (!this.isPunct(p)) this.fail(); this.pos++; }
  private atStatementEnd(): boolean {
    const t = this.peek();
    return t.kind === 'eof' || (t.kind === 'punct' && t.text === ';') || (t.kind === 'id' && STATEMENT_STARTS.has(t.up));
  }

  parseBatch(): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      while (this.isPunct(';')) this.pos++;
      const t = this.peek();
      if (t.kind === 'eof') return out;
      if (t.kind !== 'id') this.fail();
      switch (t.up) {
        case 'SET': {
          const start = this.pos++;
          while (!this.atStatementEnd()) this.pos++;
          out.push({ kind: 'set', text: this.toks.slice(start, this.pos).map((x) => x.text).join(' ') });
          break;
        }
        case 'SELECT':
          out.push(this.parseSelect());
          break;
        case 'CREATE': {
          this.pos++;
          if (!this.isWord('DATABASE')) throw new SqlError(50000, `The TDS test peer does not implement CREATE ${this.peek().text}.`);
          this.pos++;
          const n = this.next();
          if (n.kind !== 'id' && n.kind !== 'qid') this.fail();
          while (!this.atStatementEnd()) this.pos++; // COLLATE, ON PRIMARY (...): accepted, ignored
          out.push({ kind: 'create-db', name: n.text });
          break;
        }
        case 'USE': {
          this.pos++;
          const n = this.next();
          if (n.kind !== 'id' && n.kind !== 'qid') this.fail();
          out.push({ kind: 'use', name: n.text });
          break;
        }
        default:
          throw new SqlError(50000, `The TDS test peer does not implement the ${t.up} statement.`);
      }
      if (!this.atStatementEnd()) this.fail();
    }
  }

  private parseSelect(): Stmt {
    this.pos++; // SELECT
    let top: number | undefined;
    if (this.isWord('TOP')) {
      this.pos++;
      const paren = this.isPunct('(');
      if (paren) this.pos++;
      const n = this.next();
      if (n.kind !== 'num') this.fail();
      top = Number(n.text);
      if (paren) this.expectPunct(')');
    }
    const items: SelectItem[] = [];
    do {
      if (items.length) this.pos++; // ','
      if (this.isPunct('*')) {
        this.pos++;
        items.push({ e: { k: 'star' } });
        continue;
      }
      const e = this.parseExpr();
      let alias: string | undefined;
      if (this.isWord('AS')) {
        this.pos++;
        const a = this.next();
        if (a.kind !== 'id' && a.kind !== 'qid' && a.kind !== 'str') this.fail();
        alias = a.text;
      } else {
        const a = this.peek();
        if ((a.kind === 'id' && !CLAUSE_WORDS.has(a.up) && !STATEMENT_STARTS.has(a.up)) || a.kind === 'qid') {
          this.pos++;
          alias = a.text;
        }
      }
      items.push({ e, alias });
    } while (this.isPunct(','));
    const stmt: Extract<Stmt, { kind: 'select' }> = { kind: 'select', top, items };
    if (this.isWord('FROM')) {
      this.pos++;
      const parts: string[] = [this.nameToken()];
      while (this.isPunct('.')) {
        this.pos++;
        parts.push(this.nameToken());
      }
      stmt.from = parts.join('.');
      // optional table alias
      const a = this.peek();
      if (a.kind === 'id' && !CLAUSE_WORDS.has(a.up) && !STATEMENT_STARTS.has(a.up)) this.pos++;
    }
    if (this.isWord('WHERE')) {
      this.pos++;
      stmt.where = this.parseOr();
    }
    if (this.isWord('ORDER')) {
      this.pos++;
      if (!this.isWord('BY')) this.fail();
      this.pos++;
      const col = this.nameToken();
      let desc = false;
      if (this.isWord('DESC')) { desc = true; this.pos++; } else if (this.isWord('ASC')) this.pos++;
      stmt.orderBy = { col, desc };
    }
    return stmt;
  }

  private nameToken(): string {
    const t = this.next();
    if (t.kind !== 'id' && t.kind !== 'qid') this.fail();
    return t.text;
  }

  private parseOr(): Cond {
    let c = this.parseAnd();
    while (this.isWord('OR')) { this.pos++; c = { k: 'or', a: c, b: this.parseAnd() }; }
    return c;
  }
  private parseAnd(): Cond {
    let c = this.parseNot();
    while (this.isWord('AND')) { this.pos++; c = { k: 'and', a: c, b: this.parseNot() }; }
    return c;
  }
  private parseNot(): Cond {
    if (this.isWord('NOT')) { this.pos++; return { k: 'not', c: this.parseNot() }; }
    if (this.isPunct('(') && this.looksLikeCondGroup()) {
      this.pos++;
      const c = this.parseOr();
      this.expectPunct(')');
      return c;
    }
    const l = this.parseExpr();
    if (this.isWord('IS')) {
      this.pos++;
      const not = this.isWord('NOT');
      if (not) this.pos++;
      if (!this.isWord('NULL')) this.fail();
      this.pos++;
      return { k: 'isnull', e: l, not };
    }
    let not = false;
    if (this.isWord('NOT')) { not = true; this.pos++; }
    if (this.isWord('IN')) {
      this.pos++;
      this.expectPunct('(');
      const list: Expr[] = [this.parseExpr()];
      while (this.isPunct(',')) { this.pos++; list.push(this.parseExpr()); }
      this.expectPunct(')');
      return { k: 'in', e: l, list, not };
    }
    if (not) this.fail();
    const op = this.peek();
    if (op.kind !== 'punct' || !['=', '<>', '!=', '<', '>', '<=', '>='].includes(op.text)) this.fail();
    this.pos++;
    return { k: 'cmp', op: op.text, l, r: this.parseExpr() };
  }
  private looksLikeCondGroup(): boolean {
    // "(a = b OR ...)" rather than "(expr) = x": scan to the matching ')' for a comparison word.
    let depth = 0;
    for (let i = this.pos; i < this.toks.length; i++) {
      const t = this.toks[i]!;
      if (t.kind === 'punct' && t.text === '(') depth++;
      else if (t.kind === 'punct' && t.text === ')') { depth--; if (depth === 0) return false; }
      else if (depth === 1 && ((t.kind === 'punct' && ['=', '<>', '!=', '<', '>', '<=', '>='].includes(t.text)) || (t.kind === 'id' && ['IN', 'IS', 'AND', 'OR'].includes(t.up)))) return true;
      if (t.kind === 'eof') return false;
    }
    return false;
  }

  private parseType(): SqlType {
    const t = this.next();
    if (t.kind !== 'id' && t.kind !== 'qid') this.fail();
    let type: SqlType;
    switch (t.up) {
      case 'NVARCHAR': case 'VARCHAR': case 'NCHAR': case 'CHAR': case 'SYSNAME': type = 'nvarchar'; break;
      case 'INT': case 'SMALLINT': case 'TINYINT': type = 'int'; break;
      case 'BIGINT': type = 'bigint'; break;
      case 'BIT': type = 'bit'; break;
      case 'SQL_VARIANT': type = 'variant'; break;
      default: throw new SqlError(243, `Type ${t.text} is not a defined system type.`);
    }
    if (this.isPunct('(')) {
      this.pos++;
      const n = this.next();
      if (n.kind !== 'num' && !(n.kind === 'id' && n.up === 'MAX')) this.fail();
      this.expectPunct(')');
    }
    return type;
  }

  parseExpr(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { k: 'lit', v: /\./.test(t.text) ? nv(t.text) : int(Number(t.text)) };
      case 'str':
        return { k: 'lit', v: nv(t.text) };
      case 'var':
        return { k: 'var', name: t.text.toLowerCase() };
      case 'sys':
        if (!['@@VERSION', '@@SPID', '@@SERVERNAME', '@@TRANCOUNT'].includes(t.up)) throw new SqlError(137, `Must declare the scalar variable "${t.text}".`, 15, 2);
        return { k: 'sys', name: t.up };
      case 'punct':
        if (t.text === '(') {
          const e = this.parseExpr();
          this.expectPunct(')');
          return e;
        }
        if (t.text === '-' && this.peek().kind === 'num') return { k: 'lit', v: int(-Number(this.next().text)) };
        this.pos--;
        return this.fail();
      case 'id':
      case 'qid': {
        if (t.kind === 'id' && t.up === 'NULL') return { k: 'lit', v: NULL_OF('int') };
        if (t.kind === 'id' && (t.up === 'SYSTEM_USER' || t.up === 'CURRENT_USER')) return { k: 'fn', name: 'SUSER_SNAME', args: [] };
        if (t.kind === 'id' && (t.up === 'CAST' || t.up === 'CONVERT') && this.isPunct('(')) {
          this.pos++;
          if (t.up === 'CAST') {
            const e = this.parseExpr();
            if (!this.isWord('AS')) this.fail();
            this.pos++;
            const to = this.parseType();
            this.expectPunct(')');
            return { k: 'conv', to, e };
          }
          const to = this.parseType();
          this.expectPunct(',');
          const e = this.parseExpr();
          if (this.isPunct(',')) { this.pos++; this.parseExpr(); } // style: ignored
          this.expectPunct(')');
          return { k: 'conv', to, e };
        }
        if (t.kind === 'id' && this.isPunct('(')) {
          const fn = FUNCTIONS[t.up];
          if (!fn) throw new SqlError(195, `'${t.text}' is not a recognized built-in function name.`, 15, 10);
          this.pos++;
          const args: Expr[] = [];
          if (!this.isPunct(')')) {
            args.push(this.parseExpr());
            while (this.isPunct(',')) { this.pos++; args.push(this.parseExpr()); }
          }
          this.expectPunct(')');
          if (args.length < fn.args[0] || args.length > fn.args[1]) {
            throw new SqlError(174, `The ${t.up.toLowerCase()} function requires ${fn.args[0]} argument(s).`, 15);
          }
          return { k: 'fn', name: t.up, args };
        }
        let name = t.text;
        while (this.isPunct('.')) { this.pos++; name = this.nameToken(); } // d.name -> name
        return { k: 'col', name };
      }
      default:
        this.pos--;
        this.fail();
    }
  }
}
