// The JSON shape of the repository's files: every field of the model (model.ts) and of the draft and
// published documents, with its type and, for numbers, its range. The repository checks it when it reads a
// file, so a hand edit with a wrong type is refused as corrupt, naming the field, instead of crashing a
// command later (computers.filter is not a function) or being shown and written back as if it were valid.
// Unknown fields are left alone.
//
// Why not a JSON Schema validator (ajv 8, the usual choice): every command reads the draft at start, and
// on this machine importing ajv took 59-73 ms and compiling a schema of this size 84-106 ms, in every new
// process; the compiled checks below cost about 3.5 ms in all.
import { FRONT_END_PRODUCTS, PRODUCTS } from './model.js';

type Shape =
  | { kind: 'string' | 'boolean' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'nullable'; of: Shape }
  | { kind: 'list'; of: Shape }
  | { kind: 'object'; fields: [name: string, shape: Shape, optional: boolean][] };

const MAX_INT32 = 2 ** 31 - 1;
const str: Shape = { kind: 'string' };
const bool: Shape = { kind: 'boolean' };
const int = (min: number, max: number): Shape => ({ kind: 'int', min, max });
const oneOf = (values: readonly string[]): Shape => ({ kind: 'enum', values });
const list = (of: Shape): Shape => ({ kind: 'list', of });
const port = int(1, 65535);
const revision = int(1, MAX_INT32);
/** Fields whose name ends in `?` may be absent (they are never null unless the shape says so). */
const obj = (fields: Record<string, Shape>): Shape => ({
  kind: 'object',
  fields: Object.entries(fields).map(([k, s]) => [k.replace(/\?$/, ''), s, k.endsWith('?')]),
});

const TOPOLOGY = obj({
  product: oneOf(PRODUCTS),
  sites: list(obj({ name: str, siteId: int(0, Number.MAX_SAFE_INTEGER), 'city?': str, 'state?': str, 'countryCode?': str })),
  frontEndPools: list(obj({ fqdn: str, site: str, edition: oneOf(['Enterprise', 'Standard']), computers: list(str), 'backEndSqlStore?': str, 'product?': oneOf(FRONT_END_PRODUCTS) })),
  sqlStores: list(
    obj({
      sqlServerFqdn: str,
      'sqlInstance?': { kind: 'nullable', of: str },
      'port?': port,
      'mirror?': str,
      'witness?': str,
      'mirroringPort?': port,
      'alwaysOn?': bool,
      'version?': str,
      'edition?': str,
      'site?': str,
    }),
  ),
  fileStores: list(obj({ 'fileServerFqdn?': str, 'share?': str, 'path?': str })),
  persistentChatPools: list(
    obj({
      fqdn: str,
      site: str,
      computerType: oneOf(['Single', 'Multiple']),
      computers: list(str),
      displayName: str,
      port,
      instance: int(1, MAX_INT32),
      enableCompliance: bool,
      enableDisasterRecovery: bool,
      defaultForSite: bool,
      defaultForAllSites: bool,
      sqlStore: str,
      'complianceSqlStore?': str,
      'backupSqlStore?': str,
      'backupComplianceSqlStore?': str,
      fileStore: str,
      nextHopPool: str,
    }),
  ),
  occupiedNames: list(obj({ fqdn: str, role: str })),
});

const schemaVersion = int(1, MAX_INT32);

const DRAFT = obj({ schemaVersion, revision, basedOnPublishedRevision: int(0, MAX_INT32), modifiedAt: str, modifiedBy: str, topology: TOPOLOGY });

const PUBLISHED = obj({
  schemaVersion,
  revision,
  publishedAt: str,
  publishedBy: str,
  summary: str,
  changes: list(str),
  runId: str,
  draftRevision: revision,
  topology: TOPOLOGY,
});

/** Export-Topology's document (Import-Topology reads it back): the topology, with what it was. */
const EXPORT = obj({ schemaVersion, kind: oneOf(['Draft', 'Published']), revision: int(0, MAX_INT32), topology: TOPOLOGY });

/** What a shape expects, for the message. */
function expected(s: Shape): string {
  switch (s.kind) {
    case 'string':
      return 'a string without control characters';
    case 'boolean':
      return 'true or false';
    case 'int':
      return `a whole number from ${s.min} to ${s.max}`;
    case 'enum':
      return `one of ${s.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'nullable':
      return `${expected(s.of)} or null`;
    case 'list':
      return s.of.kind === 'object' ? 'a list' : s.of.kind === 'string' ? 'a list of strings without control characters' : `a list of ${expected(s.of).replace(/^an? /, '')}s`;
    case 'object':
      return 'an object';
  }
}

function found(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return `${typeof v === 'string' ? 'the string' : typeof v === 'number' ? 'the number' : ''} ${text.length > 40 ? text.slice(0, 37) + '...' : text}`.trim();
}

interface Failure {
  /** The path from the failing value up to the root, innermost first (built only on failure). */
  at: (string | number)[];
  problem: string;
}
type Checker = (v: unknown) => Failure | undefined;

const wrong = (s: Shape, v: unknown): Failure => ({ at: [], problem: `must be ${expected(s)}, not ${found(v)}` });
const missing = (name: string, s: Shape): Failure => ({ at: [name], problem: `is missing (it must be ${expected(s)})` });
const within = (key: string | number, f: Failure): Failure => {
  f.at.push(key);
  return f;
};

/**
 * Compiles shapes into one JavaScript function per object and list, with the type tests inline: the draft
 * is checked by every command, and a walk of closures (one call per value) took 10-15 ms for 2,000 pools
 * on a cold start; this takes about 2 ms, plus 1.5 ms to compile. The generated code only tests; the
 * messages are made by the helpers above, and only on failure.
 */
function compiler(): (s: Shape) => Checker {
  // r[3]: tabs, line breaks and escape sequences break names apart and rewrite the terminal that shows them (binding refuses them too).
  const refs: unknown[] = [wrong, missing, within, /[\x00-\x1f\x7f-\x9f]/];
  const ref = (x: unknown) => `r[${refs.push(x) - 1}]`;
  /** A JavaScript condition that is true when `x` fits `s`, for the shapes tested inline. */
  const test = (s: Shape, x: string): string | undefined => {
    switch (s.kind) {
      case 'string':
        return `(typeof ${x} === 'string' && !r[3].test(${x}))`;
      case 'boolean':
        return `(typeof ${x} === 'boolean')`;
      case 'int':
        return `(Number.isInteger(${x}) && ${x} >= ${s.min} && ${x} <= ${s.max})`;
      case 'enum':
        return `(${s.values.map((v) => `${x} === ${JSON.stringify(v)}`).join(' || ')})`;
      case 'nullable': {
        const of = test(s.of, x);
        return of && `(${x} === null || ${of})`;
      }
      default:
        return undefined;
    }
  };
  /** Statements that return a Failure when `x` does not fit `s` (key: where `x` is in its parent). */
  const stmt = (s: Shape, x: string, key: string): string => {
    const inline = test(s, x);
    if (inline) return `if (!${inline}) return r[2](${key}, r[0](${ref(s)}, ${x}));`;
    return `f = ${ref(fn(s))}(${x}); if (f) return r[2](${key}, f);`;
  };
  const done = new Map<Shape, Checker>(); // TOPOLOGY is in both documents: compiled once
  const fn = (s: Shape): Checker => {
    const known = done.get(s);
    if (known) return known;
    let body: string;
    if (s.kind === 'list') {
      body = `if (!Array.isArray(v)) return r[0](${ref(s)}, v); for (let i = 0; i < v.length; i++) { ${stmt(s.of, 'v[i]', 'i')} }`;
    } else if (s.kind === 'object') {
      body = `if (v === null || typeof v !== 'object' || Array.isArray(v)) return r[0](${ref(s)}, v);\n`;
      for (const [name, shape, optional] of s.fields) {
        const key = JSON.stringify(name);
        body += `x = v[${key}]; if (x === undefined) { ${optional ? '' : `return r[1](${key}, ${ref(shape)});`} } else { ${stmt(shape, 'x', key)} }\n`;
      }
    } else {
      body = `if (!${test(s, 'v')}) return r[0](${ref(s)}, v);`;
    }
    const check = new Function('r', `return function check(v) { let x, f;\n${body}\nreturn undefined; };`)(refs) as Checker;
    done.set(s, check);
    return check;
  };
  return fn;
}

/** `topology.persistentChatPools[0].computers` */
function jsonPath(at: (string | number)[]): string {
  let p = '';
  for (let i = at.length - 1; i >= 0; i--) p += typeof at[i] === 'number' ? `[${at[i]}]` : `${p ? '.' : ''}${at[i]}`;
  return p;
}

const compile = compiler();
/** Compiled on first use: a command that reads no repository file pays nothing at start. */
const checkers: { draft?: Checker; published?: Checker; export?: Checker } = {};
const SHAPES = { draft: DRAFT, published: PUBLISHED, export: EXPORT };

/** The first field of `doc` that does not fit, as "'<json path>' must be ..."; undefined when it fits. */
export function shapeProblem(kind: 'draft' | 'published' | 'export', doc: unknown): string | undefined {
  const f = (checkers[kind] ??= compile(SHAPES[kind]))(doc);
  if (!f) return undefined;
  return f.at.length ? `'${jsonPath(f.at)}' ${f.problem}` : `the document ${f.problem}`;
}
