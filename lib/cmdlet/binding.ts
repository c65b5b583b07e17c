// PowerShell-style argument binding, driven by the command's declarative parameters.
// commander cannot do this (no multi-letter single-dash options, no case-insensitive names,
// no unique-prefix matching: shared/docs/conventions.md section 4), so the binder owns it.
import { similar } from './did-you-mean.js';
import { shown } from './validators.js';
import { usageError, type ErrorRecord } from './errors.js';
import type { CmdletDefinition, ParameterDefinition } from './types.js';
import { commonParameters, HELP_PARAMETER } from './common.js';
import { CONTROL_CHARACTERS, escapeControl } from './format.js';

export interface BoundArguments {
  values: Record<string, unknown>;
  /** PascalCase names of the parameters given on the command line. */
  bound: Set<string>;
  help: boolean;
}

const TRUE_WORDS = new Set(['true', '$true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '$false', '0', 'no']);

/** Every parameter the command accepts: its own, then the common ones, then -? / -Help. */
export function allParameters(def: CmdletDefinition): ParameterDefinition[] {
  return [...def.parameters, ...commonParameters(def), HELP_PARAMETER];
}

/** `--enable-compliance`, `-EnableCompliance`, `-enablecompliance` all become `enablecompliance`. */
function key(name: string): string {
  return name.replace(/-/g, '').toLowerCase();
}

export function resolveParameter(def: CmdletDefinition, written: string): ParameterDefinition {
  const params = allParameters(def);
  const k = key(written);
  const exact = params.find((p) => key(p.name) === k || (p.aliases ?? []).some((a) => key(a) === k));
  if (exact) return exact;
  const matching = params.filter((p) => [p.name, ...(p.aliases ?? [])].some((n) => key(n).startsWith(k)));
  const firm = matching.filter((p) => !p.yieldsPrefix);
  const candidates = firm.length ? firm : matching;
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    throw usageError(
      'AmbiguousParameter',
      `Parameter cannot be processed because the parameter name '${written}' is ambiguous. Possible matches include: ${candidates.map((p) => '-' + p.name).join(' ')}.`,
      written,
      'Type more of the parameter name.',
    );
  }
  const near = params.filter((p) => similar(k, key(p.name))).map((p) => '-' + p.name);
  throw usageError(
    'NamedParameterNotFound',
    `A parameter cannot be found that matches parameter name '${written}'.${near.length ? ` Did you mean ${near.join(' or ')}?` : ''}`,
    written,
    `Run '${def.name} -?' to list its parameters.`,
  );
}

/** `tok` is `-Name` (or `--name`, `-Name:value`) with a full parameter name or alias of the command, not a prefix. */
function namesParameter(def: CmdletDefinition, tok: string): boolean {
  if (!/^--?[A-Za-z]/.test(tok)) return false;
  const k = key(tok.replace(/[:=].*$/s, ''));
  return allParameters(def).some((p) => [p.name, ...(p.aliases ?? [])].some((n) => key(n) === k));
}

const POSIX_ASSIGN = /^--[A-Za-z][A-Za-z0-9_-]*=/;
const DASH_ASSIGN = /^-[A-Za-z][A-Za-z0-9_]*=/;

/** `-Name=Redmond` (the GNU habit with one dash) names a parameter of the command: it binds as -Name:Redmond. */
function isDashAssign(def: CmdletDefinition, tok: string): boolean {
  if (!DASH_ASSIGN.test(tok)) return false;
  try {
    resolveParameter(def, tok.slice(0, tok.indexOf('=')));
    return true;
  } catch {
    return false; // '-a=b' naming no parameter stays a value
  }
}

function isParameterToken(tok: string): boolean {
  if (tok === '-?' || tok === '--') return true;
  // A negative number is a value, not a parameter. `--name=value` is the POSIX form of `-Name:value`
  // (without this it became a positional value, e.g. a site named '--name=Lab').
  return /^--?[A-Za-z?][A-Za-z0-9_?-]*(:.*)?$/s.test(tok) || POSIX_ASSIGN.test(tok);
}

/** `s` with every control character written as \uXXXX, for a value quoted in a message. */
export const printable = (s: string): string => escapeControl(s, false);

/** Converts one raw value (from argv or a piped object) to the parameter's type, then validates it. */
export function convertValue(def: CmdletDefinition, p: ParameterDefinition, raw: unknown): unknown {
  const fail = (msg: string, action = ''): ErrorRecord =>
    usageError('ParameterArgumentValidationError', `Cannot validate argument on parameter '${p.name}'. ${msg}`, p.name, action || `Run '${def.name} -?' for the parameter's help.`);
  // Every value of every parameter (names, FQDNs, paths, switches...), before anything echoes it in a message.
  for (const s of Array.isArray(raw) ? raw : [raw]) {
    if (typeof s === 'string' && CONTROL_CHARACTERS.test(s)) {
      // A user name is not repeated: it may carry a password ('user%password').
      throw fail(`The argument ${p.type === 'credential' ? '' : `'${shown(printable(s))}' `}contains a control character (such as a tab, a line break or a terminal escape sequence), which names and values cannot hold.`, `Give -${p.name} without control characters.`);
    }
  }
  switch (p.type) {
    case 'switch': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).toLowerCase();
      if (TRUE_WORDS.has(s)) return true;
      if (FALSE_WORDS.has(s)) return false;
      throw fail(`'${shown(String(raw))}' is not a switch value; use -${p.name} or -${p.name}:false.`);
    }
    case 'int': {
      const s = String(raw).trim();
      if (!/^[+-]?\d+$/.test(s)) throw fail(`Cannot convert value '${shown(String(raw))}' to an integer.`);
      const n = Number(s);
      if (p.validateRange && (n < p.validateRange.min || n > p.validateRange.max)) {
        throw fail(`The ${n} argument is outside the range ${p.validateRange.min} to ${p.validateRange.max}.`);
      }
      return n;
    }
    case 'string[]': {
      const items = Array.isArray(raw) ? raw.map(String) : splitList(String(raw));
      if (items.some((s) => s === '')) throw fail('The argument contains an empty item.', `Separate values with commas and no empty items: -${p.name} a,b.`);
      items.forEach((s) => checkString(p, s, fail));
      return items;
    }
    case 'enum': {
      const s = String(raw);
      const hit = (p.validateSet ?? []).find((v) => v.toLowerCase() === s.toLowerCase());
      if (!hit) throw fail(`The argument '${shown(s)}' does not belong to the set "${(p.validateSet ?? []).join(',')}".`, `Use one of: ${(p.validateSet ?? []).join(', ')}.`);
      return hit;
    }
    case 'credential': {
      if (raw !== null && typeof raw === 'object') throw fail('Expected a single value, got a list or object.');
      const s = String(raw);
      // `user%password` (Samba's -U habit) puts the password in argv, and Samba's tools would use it: refused, and the value is not repeated.
      if (s.includes('%')) {
        throw fail(
          "The user name contains '%', as in 'user%password', which would put a password on the command line; the value is not shown.",
          'Give the user name alone, and the password in the environment variable the help names or in a -CredentialFile (mode 0600).',
        );
      }
      checkString(p, s, fail);
      return s;
    }
    default: {
      if (raw !== null && typeof raw === 'object') throw fail('Expected a single value, got a list or object.');
      const s = String(raw);
      checkString(p, s, fail);
      return s;
    }
  }
}

function checkString(p: ParameterDefinition, s: string, fail: (m: string, a?: string) => ErrorRecord): void {
  if (p.mandatory && s.trim() === '') throw fail('The argument is null or empty.');
  if (p.validatePattern && !p.validatePattern.regex.test(s)) {
    const why = p.validatePattern.explain?.(s);
    throw fail(`The argument '${shown(s)}' is not ${p.validatePattern.description}${why ? `: ${why}` : ''}.`);
  }
  if (p.validateSet && !p.validateSet.some((v) => v.toLowerCase() === s.toLowerCase())) {
    throw fail(`The argument '${shown(s)}' does not belong to the set "${p.validateSet.join(',')}".`);
  }
}

/** `a,b , c` -> [a, b, c]. Commas inside quotes were already handled by the shell. */
function splitList(s: string): string[] {
  return s.split(',').map((x) => x.trim());
}

export function bindArguments(def: CmdletDefinition, argv: readonly string[]): BoundArguments {
  // As in PowerShell, -? anywhere (before '--') asks for help, even next to a value that would be refused.
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).includes('-?')) return { values: {}, bound: new Set(), help: true };
  const values: Record<string, unknown> = {};
  const bound = new Set<string>();
  const positional: string[] = [];
  let help = false;
  let onlyPositional = false;

  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    const dashAssign = !onlyPositional && isDashAssign(def, tok);
    if (onlyPositional || !(isParameterToken(tok) || dashAssign)) {
      positional.push(tok);
      continue;
    }
    if (tok === '--') {
      onlyPositional = true;
      continue;
    }
    const body = tok.replace(/^--?/, '');
    const colon = POSIX_ASSIGN.test(tok) || dashAssign ? body.indexOf('=') : body.indexOf(':');
    const written = colon >= 0 ? body.slice(0, colon) : body;
    const inline = colon >= 0 ? body.slice(colon + 1) : undefined;
    const p = resolveParameter(def, '-' + written);
    if (p === HELP_PARAMETER) {
      help = true;
      continue;
    }
    if (inline === '') {
      throw usageError(
        'ParameterValueEmpty',
        `The value after '-${written}:' is empty. In bash or sh an unquoted $false or $true expands to nothing.`,
        p.name,
        `Write -${p.name}:false (or quote it: '-${p.name}:$false').`,
      );
    }
    if (bound.has(p.name)) {
      throw usageError('ParameterAlreadyBound', `Cannot bind parameter '${p.name}' because it is specified more than once.`, p.name, `Give -${p.name} once${p.type === 'string[]' ? ', with its values separated by commas' : ''}.`);
    }
    let raw: unknown;
    if (p.type === 'switch') {
      raw = inline ?? true;
    } else if (inline !== undefined) {
      raw = inline;
    } else {
      // The next token is taken verbatim ('-Chat' is a display name), unless it is one of the command's parameter names
      // in full: `-Name $SITE -WhatIf` with $SITE empty in sh must not create a site named '-WhatIf' for real.
      if (i + 1 >= argv.length || namesParameter(def, argv[i + 1]!)) {
        throw usageError('MissingArgument', `Missing an argument for parameter '${p.name}'. Specify a value of type ${typeName(p)} and try again.`, p.name, `Write -${p.name} <value>.`);
      }
      raw = argv[++i];
    }
    // PowerShell's `-Computer a, b` is one list; a shell splits it at the space into 'a,' and 'b' (or 'a' and ',b').
    if (p.type === 'string[]' && typeof raw === 'string') {
      while (i + 1 < argv.length && (raw.endsWith(',') || argv[i + 1]!.startsWith(',')) && !isParameterToken(argv[i + 1]!)) raw += argv[++i];
    }
    values[p.name] = convertValue(def, p, raw);
    bound.add(p.name);
  }

  const slots = def.parameters.filter((p) => p.position !== undefined && p.type !== 'switch').sort((a, b) => a.position! - b.position!);
  for (const tok of positional) {
    const slot = slots.find((p) => !bound.has(p.name));
    if (!slot) {
      throw usageError('PositionalParameterNotFound', `A positional parameter cannot be found that accepts argument '${printable(tok)}'.`, printable(tok), `Name the parameter (run '${def.name} -?').`);
    }
    values[slot.name] = convertValue(def, slot, tok);
    bound.add(slot.name);
  }
  return { values, bound, help };
}

export function typeName(p: ParameterDefinition): string {
  switch (p.type) {
    case 'int':
      return 'Int32';
    case 'string[]':
      return 'String[]';
    case 'switch':
      return 'SwitchParameter';
    case 'credential':
      return 'String (user name)';
    case 'enum':
      return 'String';
    default:
      return 'String';
  }
}

/** Binds a piped object's properties (case-insensitive) to parameters that accept pipeline input by property name. */
export function bindPipelineObject(def: CmdletDefinition, obj: Record<string, unknown>, already: Set<string>): { values: Record<string, unknown>; bound: Set<string> } {
  const values: Record<string, unknown> = {};
  const bound = new Set<string>();
  const props = new Map(Object.entries(obj).map(([k, v]) => [k.toLowerCase(), v]));
  for (const p of def.parameters) {
    if (!p.valueFromPipelineByPropertyName || already.has(p.name)) continue;
    for (const name of [p.name, ...(p.aliases ?? []), ...(p.pipelineProperties ?? [])]) {
      const v = props.get(name.toLowerCase());
      if (v === undefined || v === null || v === '') continue;
      values[p.name] = convertValue(def, p, v);
      bound.add(p.name);
      break;
    }
  }
  return { values, bound };
}

/** Parameter-set resolution and mandatory checks, after argv and pipeline binding. */
export function checkMandatory(def: CmdletDefinition, values: Record<string, unknown>, bound: Set<string>): string | undefined {
  const sets = def.parameterSets?.map((s) => s.name) ?? [];
  let chosen: string | undefined;
  if (sets.length) {
    const consistent = sets.filter((set) => [...bound].every((n) => {
      const p = def.parameters.find((x) => x.name === n);
      return !p?.parameterSets || p.parameterSets.includes(set);
    }));
    if (consistent.length === 0) {
      const specific = [...bound].filter((n) => def.parameters.find((x) => x.name === n)?.parameterSets);
      throw usageError('AmbiguousParameterSet', `Parameter set cannot be resolved using the specified named parameters: ${specific.map((n) => '-' + n).join(', ')} cannot be used together.`, specific.join(','), `Run '${def.name} -?' to see which parameters go together.`);
    }
    // Prefer a set one of whose own parameters was given; else the first (default) set.
    chosen = consistent.find((set) => [...bound].some((n) => def.parameters.find((x) => x.name === n)?.parameterSets?.includes(set))) ?? consistent[0];
  }
  for (const p of def.parameters) {
    if (!p.mandatory) continue;
    if (p.parameterSets && chosen && !p.parameterSets.includes(chosen)) continue;
    if (values[p.name] === undefined) {
      throw usageError('MissingMandatoryParameter', `Cannot process command because of one or more missing mandatory parameters: ${p.name}.`, p.name, `Add -${p.name} <${typeName(p)}>${p.valueFromPipelineByPropertyName ? ' or pipe objects with a property named ' + [p.name, ...(p.pipelineProperties ?? [])].join(' or ') : ''}.`, { noInput: !!p.valueFromPipelineByPropertyName });
    }
  }
  return chosen;
}
