// Output renderers ("format right"): commands return objects; only here do they become text.
// Json: one object per line as soon as it exists. List: one block per object. Table: buffered for column widths.

export type OutputFormat = 'Table' | 'List' | 'Json';

export interface Renderer {
  write(obj: unknown): void;
  end(): void;
}

export function createRenderer(format: OutputFormat, out: (s: string) => void, columns?: string[]): Renderer {
  if (format === 'Json') {
    return { write: (o) => out(JSON.stringify(o) + '\n'), end: () => {} };
  }
  if (format === 'List') {
    let first = true;
    return {
      write(o) {
        out((first ? '\n' : '') + renderList(o) + '\n');
        first = false;
      },
      end() {},
    };
  }
  const rows: unknown[] = [];
  return {
    write: (o) => rows.push(o),
    end() {
      if (rows.length) out('\n' + renderTable(rows, columns) + '\n\n');
    },
  };
}

/** C0 and C1 control characters and DEL: escape sequences among them rewrite the terminal that shows a value. */
export const CONTROL_CHARACTERS = /[\x00-\x1f\x7f-\x9f]/;
const CONTROL_ALL = new RegExp(CONTROL_CHARACTERS.source, 'g');
const CONTROL_BUT_LINES = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * `s` with its control characters written as \uXXXX, safe to show. `keepLines`: line breaks and tabs stay
 * (what a terminal shows as layout); for a value quoted inside a message they are escaped too.
 */
export function escapeControl(s: string, keepLines = true): string {
  return s.replace(keepLines ? CONTROL_BUT_LINES : CONTROL_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** For anything written to a terminal (cells, stderr): a value from a file or a server must not rewrite it. */
export const terminalSafe = (s: string): string => escapeControl(s);

export function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.length > 3 ? `{${v.slice(0, 3).map(cell).join(', ')}...}` : `{${v.map(cell).join(', ')}}`;
  if (typeof v === 'object') return JSON.stringify(v);
  return terminalSafe(String(v));
}

function renderList(o: unknown): string {
  if (o === null || typeof o !== 'object') return cell(o);
  const entries = Object.entries(o as Record<string, unknown>);
  const w = Math.max(...entries.map(([k]) => k.length), 0);
  return entries.map(([k, v]) => `${k.padEnd(w)} : ${Array.isArray(v) ? v.map(cell).join(', ') : cell(v)}`).join('\n');
}

function renderTable(rows: unknown[], columns?: string[]): string {
  if (rows.some((r) => r === null || typeof r !== 'object')) return rows.map(cell).join('\n');
  const cols = columns?.length ? columns : [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
  const max = Math.max(20, Math.floor((process.stdout.columns || 160) / Math.max(1, cols.length)) - 1);
  const text = rows.map((r) => cols.map((c) => truncate(cell((r as Record<string, unknown>)[c]), max)));
  const widths = cols.map((c, i) => Math.max(c.length, ...text.map((t) => t[i]!.length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join(' ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

function truncate(s: string, max: number): string {
  const one = s.replace(/\s*\n\s*/g, ' ');
  return one.length > max ? one.slice(0, max - 3) + '...' : one;
}
