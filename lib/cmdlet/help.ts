// Get-Help style help, generated from the same definition that drives binding.
import type { CmdletDefinition, ParameterDefinition } from './types.js';
import { commonParameters } from './common.js';
import { typeName } from './binding.js';
import { EXIT_CODE_HELP } from './exit-codes.js';
import { wrapText } from './wrap.js';

function syntaxOf(p: ParameterDefinition): string {
  const name = p.position !== undefined ? `[-${p.name}]` : `-${p.name}`;
  const body = p.type === 'switch' ? name : `${name} <${p.validateSet ? p.validateSet.join(' | ') : typeName(p)}>`;
  return p.mandatory ? body : `[${body}]`;
}

/** Each parameter set's syntax as its elements (`New-Site`, `[-Name] <String>`, `[-SiteId <Int32>]`, ...). */
function syntaxParts(def: CmdletDefinition): string[][] {
  const common = commonParameters(def);
  const tail = [...common.filter((p) => ['WhatIf', 'Confirm', 'Force'].includes(p.name)).map((p) => `[-${p.name}]`), '[<CommonParameters>]'];
  const sets = def.parameterSets?.length ? def.parameterSets.map((s) => s.name) : [undefined];
  return sets.map((set) => {
    const ps = def.parameters.filter((p) => !set || !p.parameterSets || p.parameterSets.includes(set));
    const ordered = [...ps.filter((p) => p.position !== undefined).sort((a, b) => a.position! - b.position!), ...ps.filter((p) => p.position === undefined && p.mandatory), ...ps.filter((p) => p.position === undefined && !p.mandatory)];
    return [def.name, ...ordered.map(syntaxOf), ...tail];
  });
}

export function syntaxLines(def: CmdletDefinition): string[] {
  return syntaxParts(def).map((parts) => parts.join(' '));
}

/**
 * A syntax line wrapped between its elements, continuation lines indented 8. An element wider than a line
 * (a parameter with many accepted values) is itself broken after a ' | ', its rest indented 12.
 */
function wrapSyntax(parts: string[], width: number): string {
  const lines: string[] = [];
  let line = `    ${parts[0]}`;
  for (const part of parts.slice(1)) {
    if (line.length + 1 + part.length > width) {
      lines.push(line);
      line = `        ${part}`;
      if (line.length <= width) continue;
      while (line.length > width && line.lastIndexOf(' | ', width - 2) > 12) {
        const cut = line.lastIndexOf(' | ', width - 2) + 2;
        lines.push(line.slice(0, cut));
        line = `            ${line.slice(cut + 1)}`;
      }
      // The next element starts a line of its own, not after the broken one's tail.
      lines.push(line);
      line = '       ';
    } else line += ` ${part}`;
  }
  return [...lines, ...(line.trim() ? [line] : [])].join('\n');
}

/** `label` padded to `labelWidth`, then `text` wrapped under itself, the whole indented `n`. */
function labelled(label: string, text: string, n: number, labelWidth: number, width: number): string {
  const lead = ' '.repeat(n + labelWidth + 1);
  const body = wrapText(text, width, lead);
  // A label longer than its column (EnableDisasterRecovery) gets a line of its own.
  if (label.length > labelWidth) return `${wrapText(label, width, ' '.repeat(n))}${body ? `\n${body}` : ''}`;
  return `${' '.repeat(n)}${label.padEnd(labelWidth)} ${body.slice(lead.length)}`.trimEnd();
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text.split('\n').map((l) => (l ? pad + l : l)).join('\n');
}

/**
 * One shell command line as help shows it at `width` columns: `$ ` and the command, continued with ` \\` on
 * further lines (indented under it) where it is too long, so that it still pastes into a shell as one command.
 * It breaks only at spaces outside quotes, never between a parameter and its value nor after a pipe, && or
 * redirection; a comment stays whole.
 */
export function wrapShellLine(line: string, width: number, margin = 4): string[] {
  const first = `${' '.repeat(margin)}$ `;
  if (first.length + line.length <= width) return [first + line];
  // Words: runs separated by unquoted spaces; from an unquoted ' #' on, the comment is one word.
  const words: string[] = [];
  let word = '';
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (!quote && c === '#' && word === '') {
      word = line.slice(i);
      break;
    }
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ' ') {
      if (word) words.push(word);
      word = '';
      continue;
    }
    word += c;
  }
  if (word) words.push(word);
  // A parameter and its value stay together on one line, and so does a pipe, && or redirection with what follows it.
  const operator = /^(\|\|?|&&|;|\d?[<>]{1,2})$/;
  const units: string[] = [];
  for (const w of words) {
    const last = units[units.length - 1];
    const joins = last !== undefined && !/^(-\w|#)/.test(w) && !operator.test(w) && ((/^-\w/.test(last) && !last.includes(' ')) || operator.test(last.split(' ')[0]!));
    if (joins) units[units.length - 1] = `${last} ${w}`;
    else units.push(w);
  }
  const next = ' '.repeat(margin + 4);
  const lines: string[] = [];
  let current = first + units[0];
  for (const u of units.slice(1)) {
    // Room for ' \\' at the end of a continued line.
    // A word too long for any line (a long quoted address) gains nothing from a line of its own.
    if (current.length + 1 + u.length + 2 <= width || next.length + u.length > width) current += ` ${u}`;
    else {
      lines.push(`${current} \\`);
      current = next + u;
    }
  }
  lines.push(current);
  return lines;
}

/** The help page at `width` columns: prose and syntax wrap; example code wraps with ` \\` continuations, to be copied. */
export function formatHelp(def: CmdletDefinition, program = 'pchat', width = 80): string {
  const prose = (text: string, n: number, hanging = '') => wrapText(text, width, ' '.repeat(n), hanging);
  const out: string[] = [];
  out.push('NAME', indent(def.name, 4), '', 'SYNOPSIS', prose(def.synopsis, 4), '', 'SYNTAX');
  for (const parts of syntaxParts(def)) out.push(wrapSyntax(parts, width), '');
  out.push('DESCRIPTION', prose(def.description, 4), '', 'PARAMETERS');
  for (const p of def.parameters) {
    out.push(indent(`-${p.name} <${typeName(p)}>`, 4), prose(p.help, 8), '');
    const facts: [string, string][] = [
      ['Required?', String(!!p.mandatory)],
      ['Position?', p.position !== undefined ? String(p.position) : 'named'],
      ['Default value', p.default !== undefined ? String(p.default) : ''],
      ['Accept pipeline input?', p.valueFromPipelineByPropertyName ? `true (ByPropertyName: ${[p.name, ...(p.pipelineProperties ?? [])].join(', ')})` : 'false'],
    ];
    if (p.validateSet) facts.push(['Accepted values', p.validateSet.join(', ')]);
    if (p.validateRange) facts.push(['Range', `${p.validateRange.min}-${p.validateRange.max}`]);
    if (p.aliases?.length) facts.push(['Aliases', p.aliases.join(', ')]);
    if (p.secret) facts.push(['Secret', 'never logged or echoed']);
    for (const [k, v] of facts) out.push(labelled(k, v, 8, 28, width));
    out.push('');
  }
  out.push(indent('<CommonParameters>', 4));
  for (const p of commonParameters(def)) out.push(indent(`-${p.name}${p.type === 'switch' ? '' : ` <${p.validateSet ? p.validateSet.join(' | ') : typeName(p)}>`}`, 8), prose(p.help, 12));
  out.push('', 'OUTPUTS', indent(def.outputType, 4));
  for (const o of def.outputs) out.push(labelled(o.name, o.description, 8, 20, width));
  out.push('', 'EXAMPLES');
  def.examples.forEach((e, i) => {
    const body = ` Example ${i + 1}: ${e.title} `;
    const dashes = width - 4 - body.length;
    const left = Math.max(3, Math.min(10, Math.floor(dashes / 2)));
    out.push(indent('-'.repeat(left) + body + '-'.repeat(Math.max(3, dashes - left)), 4), '');
    // The set-up one command a line (it is run as one && chain), then the example itself.
    if (e.setup) out.push(indent('# Set-up, run first:', 4), ...e.setup.split(' && ').flatMap((l) => wrapShellLine(l, width)), indent('# The example:', 4));
    out.push(...e.code.split('\n').flatMap((l) => wrapShellLine(l, width)), '', prose(e.remarks, 4), '');
  });
  out.push('NOTES', prose(`Run as '${program} ${def.name}' or '${def.name}'. Parameter names are case-insensitive and may be shortened to a unique prefix.`, 4));
  for (const n of def.notes ?? []) out.push(prose(n, 4));
  // Each exit code line is '<code padded to 5> <meaning>': the meaning wraps under itself.
  out.push('', 'EXIT CODES', ...EXIT_CODE_HELP.map((l) => labelled(l.slice(0, 4), l.slice(5), 4, 4, width)), '');
  out.push('SEE ALSO', prose("pchat help about_ExitCodes, about_TopologyRules, about_Repository, about_Credentials, about_FileStorePolicy; 'pchat' lists the commands.", 4), '');
  return out.join('\n');
}
