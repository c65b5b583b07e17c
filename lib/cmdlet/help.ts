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

export function syntaxLines(def: CmdletDefinition): string[] {
  const common = commonParameters(def);
  const tail = [
    ...common.filter((p) => ['WhatIf', 'Confirm', 'Force'].includes(p.name)).map((p) => `[-${p.name}]`),
    '[<CommonParameters>]',
  ].join(' ');
  const sets = def.parameterSets?.length ? def.parameterSets.map((s) => s.name) : [undefined];
  return sets.map((set) => {
    const ps = def.parameters.filter((p) => !set || !p.parameterSets || p.parameterSets.includes(set));
    const ordered = [...ps.filter((p) => p.position !== undefined).sort((a, b) => a.position! - b.position!), ...ps.filter((p) => p.position === undefined && p.mandatory), ...ps.filter((p) => p.position === undefined && !p.mandatory)];
    return `${def.name} ${ordered.map(syntaxOf).join(' ')} ${tail}`.replace(/\s+/g, ' ');
  });
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text.split('\n').map((l) => (l ? pad + l : l)).join('\n');
}

/** The help page at `width` columns: prose wraps; syntax lines and example code stay whole, to be copied. */
export function formatHelp(def: CmdletDefinition, program = 'pchat', width = 80): string {
  const prose = (text: string, n: number, hanging = '') => wrapText(text, width, ' '.repeat(n), hanging);
  const out: string[] = [];
  out.push('NAME', indent(def.name, 4), '', 'SYNOPSIS', prose(def.synopsis, 4), '', 'SYNTAX');
  for (const l of syntaxLines(def)) out.push(indent(l, 4), '');
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
    for (const [k, v] of facts) out.push(prose(`${k.padEnd(28)} ${v}`, 8, ' '.repeat(29)));
    out.push('');
  }
  out.push(indent('<CommonParameters>', 4));
  for (const p of commonParameters(def)) out.push(indent(`-${p.name}${p.type === 'switch' ? '' : ` <${p.validateSet ? p.validateSet.join(' | ') : typeName(p)}>`}`, 8), prose(p.help, 12));
  out.push('', 'OUTPUTS', indent(def.outputType, 4));
  for (const o of def.outputs) out.push(prose(`${o.name.padEnd(20)} ${o.description}`, 8, ' '.repeat(21)));
  out.push('', 'EXAMPLES');
  def.examples.forEach((e, i) => {
    const body = ` Example ${i + 1}: ${e.title} `;
    const dashes = width - 4 - body.length;
    const left = Math.max(3, Math.min(10, Math.floor(dashes / 2)));
    out.push(indent('-'.repeat(left) + body + '-'.repeat(Math.max(3, dashes - left)), 4), '');
    if (e.setup) out.push(indent(`# Set-up: ${e.setup}`, 4));
    out.push(...e.code.split('\n').map((l) => indent(`$ ${l}`, 4)), '', prose(e.remarks, 4), '');
  });
  out.push('NOTES', prose(`Run as '${program} ${def.name}' or '${def.name}'. Parameter names are case-insensitive and may be shortened to a unique prefix.`, 4));
  for (const n of def.notes ?? []) out.push(prose(n, 4));
  // Each exit code line is '<code padded to 5> <meaning>': the meaning wraps under itself.
  out.push('', 'EXIT CODES', ...EXIT_CODE_HELP.map((l) => indent(l.slice(0, 5) + wrapText(l.slice(5), width - 4, ' '.repeat(5)).slice(5), 4)), '');
  out.push('SEE ALSO', prose("pchat help about_ExitCodes, about_TopologyRules, about_Repository, about_Credentials, about_FileStorePolicy; 'pchat' lists the commands.", 4), '');
  return out.join('\n');
}
