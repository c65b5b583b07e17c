// Output renderers ("format right"): commands return objects; only here do they become text.
// Json: one object per line as soon as it exists, every property, untouched. List: one block per object.
// Table: buffered, so columns can be sized to their content; which columns is the output type's view (views.ts).
import { viewOf, type ActionNotes, type Column, type View } from './views.js';

export type OutputFormat = 'Table' | 'List' | 'Json';

export interface Renderer {
  write(obj: unknown): void;
  end(): void;
}

export interface RenderOptions {
  /** Columns of the terminal (or COLUMNS, or 120): tables and lists wrap to it. */
  width: number;
  /** The output type's default view; undefined: every property. */
  view?: View;
  /** -Property: the properties to show, in order (wildcards allowed), instead of the view's. */
  properties?: readonly string[];
  /** Where a table says that columns were left out (a WARNING: line on stderr), as Format-Table does. */
  warn?: (message: string) => void;
}

/** Below this a cell or value is not worth wrapping into: too few characters a line to read. */
const MIN_WRAP = 10;
/** Free text narrower than this reads worse than a long name broken over two lines. */
const MIN_PROSE = 24;

export function createRenderer(format: OutputFormat, out: (s: string) => void, opts: RenderOptions): Renderer {
  if (format === 'Json') {
    return { write: (o) => out(JSON.stringify(o) + '\n'), end: () => {} };
  }
  if (format === 'List') {
    let any = false;
    return {
      // PowerShell's list: a blank line before each record, so records never run together.
      write(o) {
        out('\n' + renderList(o, opts) + '\n');
        any = true;
      },
      end() {
        if (any) out('\n');
      },
    };
  }
  // Objects of another view start another table, as PowerShell starts a new table when the type changes.
  const runs: { view: View | undefined; rows: unknown[] }[] = [];
  return {
    write(o) {
      const view = isObject(o) ? viewOf(o, opts.view) : opts.view;
      const last = runs[runs.length - 1];
      if (last && last.view === view) last.rows.push(o);
      else runs.push({ view, rows: [o] });
    },
    end() {
      if (runs.length) out('\n' + runs.map((r) => renderTable(r.rows, { ...opts, view: r.view })).join('\n\n') + '\n\n');
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

type Bag = Record<string, unknown>;
const isObject = (v: unknown): v is Bag => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A property by name, case-insensitively (-Property fqdn finds Fqdn), as PowerShell finds members. */
function prop(o: Bag, name: string): unknown {
  if (Object.hasOwn(o, name)) return o[name];
  const k = Object.keys(o).find((key) => key.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : o[k];
}

/** One cell's text: scalars as PowerShell shows them, nested objects summarised, never raw JSON. */
export function summarise(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) {
    if (v.length && v.every(isObject)) return summariseRecords(v);
    return v.map(summarise).join(', ');
  }
  if (isObject(v)) {
    const name = identityOf(v);
    if (name !== undefined) return name;
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${isObject(x) || Array.isArray(x) ? countOf(x) : summarise(x)}`)
      .join('; ');
  }
  return String(v);
}

const STATUS_KEYS = ['Status', 'Severity', 'Change'];
const IDENTITY_KEYS = ['Identity', 'Name', 'Fqdn', 'Target', 'Kind'];

/** Records with a status are counted by it ("3 Done, 1 Failed"); named ones listed; others counted. */
function summariseRecords(items: Bag[]): string {
  for (const key of STATUS_KEYS) {
    const values = items.map((i) => prop(i, key));
    if (values.every((x) => typeof x === 'string')) {
      const counts = new Map<string, number>();
      for (const x of values as string[]) counts.set(x, (counts.get(x) ?? 0) + 1);
      return [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
    }
  }
  const names = items.map(identityOf);
  if (names.every((n) => n !== undefined)) return names.join(', ');
  return countOf(items);
}

function identityOf(o: Bag): string | undefined {
  for (const key of IDENTITY_KEYS) {
    const v = prop(o, key);
    if (typeof v === 'string' && v) return v;
  }
  return undefined;
}

function countOf(v: unknown[] | Bag): string {
  const n = Array.isArray(v) ? v.length : Object.keys(v).length;
  return `${n} ${Array.isArray(v) ? (n === 1 ? 'item' : 'items') : n === 1 ? 'property' : 'properties'}`;
}

/** A UTC timestamp as stored: a cell shows it to the second, with a space where it may wrap (date, then time). */
const ISO_TIME = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/;

/** A table cell is one logical line: its line breaks and tabs become spaces, its control characters escapes. */
function cellText(v: unknown, column?: Column): string {
  const text = column?.count && Array.isArray(v) ? String(v.length) : typeof v === 'string' && ISO_TIME.test(v) ? v.replace(ISO_TIME, '$1 $2Z') : summarise(v);
  return terminalSafe(text.replace(/\s*[\r\n]+\s*|\t/g, ' '));
}

/** Terminal columns a character takes: CJK and other wide characters two, combining marks and joiners none. */
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200B-\u200F\uFE00-\uFE0F]/u;
const NARROW = /^[\x20-\x7e]*$/;

/** The columns `s` takes on a terminal, so that a site named in Japanese does not push the next column out of line. */
export function textWidth(s: string): number {
  if (NARROW.test(s)) return s.length;
  let w = 0;
  for (const ch of s) w += ZERO_WIDTH.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return w;
}

const padEnd = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - textWidth(s)));
const padStart = (s: string, width: number) => ' '.repeat(Math.max(0, width - textWidth(s))) + s;

/** The longest start of `word` that fits in `width` columns (at least one character), as a string index. */
function fitIndex(word: string, width: number): number {
  if (NARROW.test(word)) return Math.max(1, Math.min(word.length, width));
  let w = 0;
  let i = 0;
  for (const ch of word) {
    const cw = ZERO_WIDTH.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
    if (w + cw > width && i > 0) break;
    w += cw;
    i += ch.length;
  }
  return i;
}

/** Characters after which a long name (a UNC path, an FQDN) breaks more readably than at any character. */
const BREAK_AFTER = new Set(['\\', '/', '.', '-', '_', ',', ':', ';', ' ']);

function breakPoint(word: string, width: number): number {
  const most = fitIndex(word, width);
  for (let i = most; i > most / 2; i--) if (BREAK_AFTER.has(word[i - 1]!)) return i;
  return most;
}

/** "1 NotRun" stays on one line: a count is joined to the word it counts before wrapping. */
function keepCountsWhole(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) out.push(/^\d+$/.test(words[i]!) && i + 1 < words.length ? `${words[i]} ${words[++i]}` : words[i]!);
  return out;
}

/** Word wrap to `width`; a word longer than a line is broken, at a separator when one is near. */
export function wrap(text: string, width: number): string[] {
  return wrapCounting(text, width).lines;
}

/** The wrapped lines, and how many words had to be broken: at a separator, or anywhere (worse to read). */
function wrapCounting(text: string, width: number): { lines: string[]; atSeparator: number; anywhere: number } {
  const w = Math.max(1, width);
  const lines: string[] = [];
  let atSeparator = 0;
  let anywhere = 0;
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    for (let word of keepCountsWhole(paragraph.split(/ +/))) {
      if (!word) continue;
      if (line && textWidth(line) + 1 + textWidth(word) <= w) {
        line += ' ' + word;
        continue;
      }
      if (line) lines.push(line);
      while (textWidth(word) > w) {
        const cut = breakPoint(word, w);
        if (BREAK_AFTER.has(word[cut - 1]!)) atSeparator++;
        else anywhere++;
        lines.push(word.slice(0, cut));
        word = word.slice(cut);
      }
      line = word;
    }
    lines.push(line);
  }
  return { lines, atSeparator, anywhere };
}

const wildcard = (pattern: string): RegExp =>
  new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');

/** The columns to show: -Property (in its order, names matched case-insensitively, wildcards expanded), the view, or every property. */
function columnsFor(objects: Bag[], opts: RenderOptions): Column[] {
  const keys = [...new Set(objects.flatMap((o) => Object.keys(o)))];
  if (opts.properties?.length) {
    const picked: Column[] = [];
    for (const p of opts.properties) {
      if (/[*?]/.test(p)) {
        const re = wildcard(p);
        picked.push(...keys.filter((k) => re.test(k)).map((k) => ({ property: k })));
      } else {
        // A property no object has is a blank column under the name typed, as Format-Table shows it.
        picked.push({ property: keys.find((k) => k.toLowerCase() === p.toLowerCase()) ?? p });
      }
    }
    return picked;
  }
  if (opts.view) return opts.view.columns.map((c) => (typeof c === 'string' ? { property: c } : c));
  return keys.map((k) => ({ property: k }));
}

/**
 * Column widths: each column as wide as its content; when the row is wider than the terminal, the widest
 * columns are narrowed to a common cap and wrap inside their cells. Free text (a column with spaces) gives way
 * first, down to MIN_PROSE, so names and paths stay whole while there is room; then every column shares the cap
 * (a path breaks at its separators); what cannot fit even then is left out from the right, as Format-Table does.
 */
function fitWidths(natural: number[], headers: string[], prose: boolean[], width: number, cells?: string[][]): number[] {
  const total = (ws: number[]) => ws.reduce((a, b) => a + b, 0) + ws.length - 1;
  if (total(natural) <= width) return natural;
  const floorOf = (i: number, least: number) => Math.min(natural[i]!, Math.max(textWidth(headers[i]!), least));
  const passes = [natural.map((n, i) => (prose[i] ? floorOf(i, MIN_PROSE) : n)), natural.map((_, i) => floorOf(i, MIN_WRAP))];
  for (const floors of passes) {
    const at = (cap: number) => natural.map((n, i) => Math.max(floors[i]!, Math.min(n, cap)));
    if (total(at(0)) > width) continue;
    let lo = 0;
    let hi = Math.max(...natural);
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (total(at(mid)) <= width) lo = mid;
      else hi = mid - 1;
    }
    const ws = at(lo);
    // The cap leaves up to one character per capped column unused: give it back, left to right.
    let spare = width - total(ws);
    for (let i = 0; i < ws.length && spare > 0; i++) {
      if (ws[i]! < natural[i]!) {
        ws[i]!++;
        spare--;
      }
    }
    // Balancing may narrow a column down to its header: its cost counts every line and broken word it makes.
    if (cells) balance(ws, natural, natural.map((n, i) => Math.min(n, textWidth(headers[i]!))), cells);
    return ws;
  }
  if (natural.length <= 1) return natural.map(() => width);
  return fitWidths(natural.slice(0, -1), headers.slice(0, -1), prose.slice(0, -1), width, cells);
}

/** Balancing wraps every cell per width tried: it judges on the first rows, as PowerShell sizes columns on the first objects. */
const BALANCE_ROWS = 40;

/**
 * An even cap can leave a name one character short of fitting in two lines ("...Service-" then "1") while a
 * neighbour has room to spare: move characters between wrapped columns while that makes the table shorter.
 */
function balance(ws: number[], natural: number[], floors: number[], allCells: string[][]): void {
  const cells = allCells.slice(0, BALANCE_ROWS);
  // Cost of a layout: its lines, plus each broken word (a name cut at a separator reads better than a word cut anywhere).
  const memo = new Map<string, { heights: number[]; breaks: number }>();
  const column = (i: number, w: number) => {
    const key = `${i}:${w}`;
    let c = memo.get(key);
    if (!c) {
      c = { heights: [], breaks: 0 };
      for (const row of cells) {
        const r = textWidth(row[i]!) <= w ? { lines: [row[i]!], atSeparator: 0, anywhere: 0 } : wrapCounting(row[i]!, w);
        c.heights.push(r.lines.length);
        c.breaks += 2 * r.atSeparator + 8 * r.anywhere;
      }
      memo.set(key, c);
    }
    return c;
  };
  const lines = () => {
    const cols = ws.map((w, i) => column(i, w));
    return cells.reduce((sum, _, r) => sum + Math.max(...cols.map((c) => c.heights[r]!)), 0) + cols.reduce((sum, c) => sum + c.breaks, 0);
  };
  let best = lines();
  for (let round = 0; round < 20; round++) {
    let bestWidths: number[] | undefined;
    const start = [...ws];
    // Widen one column by d, taking each character from the column that misses it least.
    for (let to = 0; to < ws.length; to++) {
      for (let d = 1; d <= 12 && start[to]! + d <= natural[to]!; d++) {
        ws.splice(0, ws.length, ...start);
        ws[to]! += d;
        let ok = true;
        for (let k = 0; k < d && ok; k++) {
          let pick = -1;
          let pickCost = Infinity;
          for (let from = 0; from < ws.length; from++) {
            if (from === to || ws[from]! <= floors[from]!) continue;
            ws[from]!--;
            const c = lines();
            ws[from]!++;
            if (c < pickCost) [pick, pickCost] = [from, c];
          }
          if (pick < 0) ok = false;
          else ws[pick]!--;
        }
        if (ok && lines() < best) [best, bestWidths] = [lines(), [...ws]];
      }
    }
    ws.splice(0, ws.length, ...(bestWidths ?? start));
    if (!bestWidths) return;
  }
}

export function renderTable(rows: unknown[], opts: RenderOptions): string {
  const objects = rows.filter(isObject);
  const parts: string[] = [];
  if (objects.length) {
    // A view's group property (a check's Target) is a heading over the rows that share it, as PowerShell's GroupBy
    // shows "Directory: ..." once: every row has the width for its own facts. -Property shows plain columns.
    const groupBy = opts.properties?.length ? undefined : opts.view?.groupBy;
    const cols = columnsFor(objects, opts).filter((c) => c.property !== groupBy);
    const headers = cols.map((c) => terminalSafe(c.label ?? c.property));
    const text = objects.map((o) => cols.map((c) => cellText(prop(o, c.property), c)));
    // Numbers align right, as PowerShell aligns them.
    const numeric = cols.map((c, i) => (c.count || objects.some((o) => typeof prop(o, c.property) === 'number')) && text.every((t) => t[i] === '' || /^-?\d+(\.\d+)?$/.test(t[i]!)));
    const natural = cols.map((_, i) => Math.max(textWidth(headers[i]!), ...text.map((t) => textWidth(t[i]!))));
    const prose = cols.map((_, i) => !numeric[i] && text.some((t) => t[i]!.includes(' ')));
    const widths = fitWidths(natural, headers, prose, opts.width, text);
    const shown = widths.length;
    if (shown < cols.length) {
      // Silently missing columns read as empty properties: say which, and how to see them.
      const left = headers.slice(shown);
      opts.warn?.(
        `${left.length} column(s) do not fit into the display (${opts.width} columns) and were removed: ${left.join(', ')}. ` +
          `-OutputFormat List shows every property, -Property fewer columns.`,
      );
    }
    const align = (s: string, i: number) => (numeric[i] ? padStart(s, widths[i]!) : padEnd(s, widths[i]!));
    const line = (cells: string[]) => cells.map(align).join(' ').trimEnd();
    const heading = [line(headers.slice(0, shown)), line(headers.slice(0, shown).map((h) => '-'.repeat(textWidth(h))))];
    const lines: string[] = [];
    let group: string | undefined;
    text.forEach((t, r) => {
      const g = groupBy === undefined ? '' : cellText(prop(objects[r]!, groupBy));
      if (r === 0 || g !== group) {
        if (groupBy !== undefined) {
          if (r) lines.push('');
          lines.push(...wrap(`${terminalSafe(groupBy)}: ${g}`, opts.width - 3).map((l) => '   ' + l), '');
        }
        if (r === 0 || groupBy !== undefined) lines.push(...heading);
        group = g;
      }
      const cells = t.slice(0, shown).map((s, i) => (textWidth(s) > widths[i]! ? wrap(s, widths[i]!) : [s]));
      const height = Math.max(...cells.map((c) => c.length));
      for (let k = 0; k < height; k++) lines.push(line(cells.map((c) => c[k] ?? '')));
    });
    parts.push(lines.join('\n'));
    const notes = opts.view?.notes && !opts.properties?.length ? renderNotes(objects, opts.view.notes, opts.width) : '';
    if (notes) parts.push(notes);
    if (!opts.properties?.length) for (const name of opts.view?.lists ?? []) {
      const list = renderItems(objects, name, opts.width);
      if (list) parts.push(list);
    }
  }
  const others = rows.filter((r) => !isObject(r)).map((r) => terminalSafe(summarise(r)));
  if (others.length) parts.push(others.join('\n'));
  return parts.join('\n\n');
}

/** Under the table, in full: the recommended action of every row whose status asks for one. */
function renderNotes(objects: Bag[], notes: ActionNotes, width: number): string {
  const items = objects.flatMap((o) => (notes.from ? ((prop(o, notes.from) as unknown[] | undefined) ?? []).filter(isObject) : [o]));
  const lines: string[] = [];
  for (const item of items) {
    const status = prop(item, notes.status);
    const action = prop(item, notes.action);
    if (typeof status !== 'string' || !notes.when.includes(status) || !action) continue;
    const label = notes.label.replace(/\{(\w+)\}/g, (_, name: string) => summarise(prop(item, name)));
    lines.push(...wrap(terminalSafe(`${status}: ${label}`), width));
    lines.push(...wrap(terminalSafe(summarise(action)), width - 4).map((l) => '    ' + l));
  }
  return lines.length ? ['RecommendedAction', '-----------------', ...lines].join('\n') : '';
}

/** Under the table, in full: the items of an array property of every object, one bulleted line each, wrapped. */
function renderItems(objects: Bag[], name: string, width: number): string {
  const items = objects.flatMap((o) => {
    const v = prop(o, name);
    return Array.isArray(v) ? v : [];
  });
  if (!items.length) return '';
  const lines = items.flatMap((item) => wrap(terminalSafe(summarise(item)), width - 2).map((l, i) => (i ? '  ' : '- ') + l));
  return [name, '-'.repeat(textWidth(name)), ...lines].join('\n');
}

/** One record as PowerShell's list: `Name : value`, long values wrapped under themselves, nested records as indented sub-lists. */
export function renderList(o: unknown, opts: RenderOptions): string {
  if (!isObject(o)) return terminalSafe(summarise(o));
  const entries: [string, unknown][] = opts.properties?.length ? columnsFor([o], opts).map((c) => [c.property, prop(o, c.property)]) : Object.entries(o);
  return listLines(entries, opts.width, 0).join('\n');
}

function listLines(entries: [string, unknown][], width: number, indent: number): string[] {
  const keyWidth = Math.max(0, ...entries.map(([k]) => textWidth(terminalSafe(k))));
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [k, v] of entries) {
    const head = `${pad}${padEnd(terminalSafe(k), keyWidth)} : `;
    const records = isObject(v) && Object.keys(v).length ? [v] : Array.isArray(v) && v.length && v.every(isObject) ? (v as Bag[]) : undefined;
    if (records) {
      lines.push(head.trimEnd());
      records.forEach((r, i) => {
        if (i) lines.push('');
        lines.push(...listLines(Object.entries(r), width, indent + 4));
      });
      continue;
    }
    const room = Math.max(MIN_WRAP * 2, width - textWidth(head));
    const text = terminalSafe(summarise(v));
    // A list of sentences (a to-do list, warnings) reads one item a line, not run together with commas.
    const items = Array.isArray(v) && textWidth(text) > room ? v.map((x) => terminalSafe(summarise(x))) : [text];
    const wrapped = text ? items.flatMap((item) => wrap(item, room)) : [''];
    lines.push((head + wrapped[0]).trimEnd(), ...wrapped.slice(1).map((l) => ' '.repeat(textWidth(head)) + l));
  }
  return lines;
}
