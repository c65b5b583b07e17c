// T-SQL tokenizer for the TDS test peer (test support only, never shipped): words, [quoted] and
// "quoted" names, N'strings', numbers, @variables, @@system names and punctuation; comments skipped.
import { SqlError } from './values.js';

export interface Tok {
  kind: 'id' | 'qid' | 'str' | 'num' | 'var' | 'sys' | 'punct' | 'eof';
  text: string;
  up: string;
}

export function tokenize(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const push = (kind: Tok['kind'], text: string) => out.push({ kind, text, up: text.toUpperCase() });
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) { i++; continue; }
    if (sql.startsWith('--', i)) { const e = sql.indexOf('\n', i); i = e < 0 ? sql.length : e + 1; continue; }
    if (sql.startsWith('/*', i)) { const e = sql.indexOf('*/', i + 2); i = e < 0 ? sql.length : e + 2; continue; }
    const open = ch === "'" ? 1 : (ch === 'N' || ch === 'n') && sql[i + 1] === "'" ? 2 : ch === '[' || ch === '"' ? 1 : 0;
    if (open) {
      const kind = ch === '[' || ch === '"' ? 'qid' : 'str';
      const close = ch === '[' ? ']' : ch === '"' ? '"' : "'";
      // The closing character doubled stands for itself ('it''s', [a]]b], "a""b").
      let j = i + open;
      let s = '';
      for (;;) {
        if (j >= sql.length) throw new SqlError(105, `Unclosed quotation mark after the character string '${s}'.`, 15);
        if (sql[j] === close) {
          if (sql[j + 1] === close) { s += close; j += 2; continue; }
          break;
        }
        s += sql[j++];
      }
      push(kind, s);
      i = j + 1;
      continue;
    }
    let m: RegExpExecArray | null;
    const rest = sql.slice(i);
    if ((m = /^@@[A-Za-z_]\w*/.exec(rest))) { push('sys', m[0]); i += m[0].length; continue; }
    if ((m = /^@[A-Za-z_#@$][\w#@$]*/.exec(rest))) { push('var', m[0]); i += m[0].length; continue; }
    if ((m = /^\d+(\.\d+)?/.exec(rest))) { push('num', m[0]); i += m[0].length; continue; }
    if ((m = /^[A-Za-z_#][\w#$@]*/.exec(rest))) { push('id', m[0]); i += m[0].length; continue; }
    if ((m = /^(<>|!=|<=|>=|[(),;.*=<>+-])/.exec(rest))) { push('punct', m[0]); i += m[0].length; continue; }
    throw new SqlError(102, `Incorrect syntax near '${ch}'.`, 15);
  }
  out.push({ kind: 'eof', text: '', up: '' });
  return out;
}
