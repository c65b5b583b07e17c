// Reusable parameter validations (generic network names and numbers, nothing product-specific).
import { domainToASCII } from 'node:url';
import type { ParameterDefinition } from './types.js';

/** A value as a message quotes it: cut to about 80 characters (a 5,000-character value is not echoed whole). */
export function shown(value: string, max = 80): string {
  const chars = [...value];
  return chars.length <= max ? value : `${chars.slice(0, max - 3).join('')}... (${chars.length} characters)`;
}

/**
 * RFC 1123 host names with at least two labels, e.g. pchat01.contoso.com (253 characters at most). An IP
 * address is not one: the last label (the top-level domain) is never all digits. The topology rules judge
 * FQDNs with this same expression, so what binding refuses and what Test-Topology reports agree.
 */
export const FQDN_REGEX = /^(?=.{3,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+(?<!\.\d+)\.?$/;

/** What makes `name` no FQDN, in words ("label 2 ... is 64 characters long"); undefined when it is one. */
export function fqdnProblem(name: string): string | undefined {
  if (FQDN_REGEX.test(name)) return undefined;
  const n = name.replace(/\.$/, '');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(n) || (n.includes(':') && /^[0-9A-Fa-f:.[\]]+$/.test(n))) return 'it is an IP address; give the DNS name';
  const bad = [...n].find((c) => c > '\x7f');
  if (bad !== undefined) {
    const ascii = domainToASCII(n);
    return ascii && FQDN_REGEX.test(ascii)
      ? `it holds the non-ASCII character '${bad}'; DNS holds its IDNA (punycode) form: ${shown(ascii)}`
      : `it holds the non-ASCII character '${bad}', and has no valid IDNA (xn--) form`;
  }
  if (n.length > 253) return `it is ${n.length} characters long; an FQDN has at most 253`;
  const labels = n.split('.');
  if (labels.length < 2) return 'it is a single label; an FQDN has at least two (e.g. pchat01.contoso.com)';
  for (const [i, label] of labels.entries()) {
    const which = `label ${i + 1} ('${shown(label, 24)}')`;
    if (label === '') return `label ${i + 1} is empty (two dots in a row, or a leading dot)`;
    if (label.length > 63) return `${which} is ${label.length} characters long; a DNS label has at most 63`;
    const c = [...label].find((x) => !/[A-Za-z0-9-]/.test(x));
    if (c !== undefined) return `${which} holds '${c === ' ' ? 'a space' : c}', which a DNS name cannot (letters, digits and hyphens only${c === '_' ? '; an underscore is allowed in some DNS records, never in a host name' : ''})`;
    if (label.startsWith('-') || label.endsWith('-')) return `${which} ${label.startsWith('-') ? 'starts' : 'ends'} with a hyphen`;
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) return 'its last label is all digits, as in an IP address; a top-level domain never is';
  return undefined;
}

export const FQDN: Pick<ParameterDefinition, 'validatePattern'> = {
  validatePattern: { regex: FQDN_REGEX, description: 'a fully qualified domain name (e.g. pchat01.contoso.com; not an IP address)', explain: fqdnProblem },
};

/**
 * An FQDN parameter whose instance or share has a parameter of its own: `sql01.contoso.com\PCHAT` (the form a
 * store is named by, and Test-SqlStore takes) is told to give the host to `-<own>` and `PCHAT` to `-<part>`.
 */
export function fqdnWithPart(own: string, part: string): Pick<ParameterDefinition, 'validatePattern'> {
  return {
    validatePattern: {
      ...FQDN.validatePattern!,
      explain: (v) => {
        const m = /^\\{0,2}([^\\]+)\\([^\\]+)$/.exec(v);
        return m && FQDN_REGEX.test(m[1]!) ? `the part after the backslash has a parameter of its own: -${own} ${shown(m[1]!)} -${part} '${shown(m[2]!, 40)}'` : fqdnProblem(v);
      },
    },
  };
}

/** `D:PChat` for `D:\PChat`: the shell ate the backslash after the drive letter. */
export const LOCAL_PATH: Pick<ParameterDefinition, 'validatePattern'> = {
  validatePattern: {
    regex: /^[A-Za-z]:\\/,
    description: 'an absolute local Windows path (e.g. D:\\PChatFiles)',
    explain: (v) => (/^[A-Za-z]:[^\\/]/.test(v) ? `the backslash after '${v.slice(0, 2)}' is missing: an unquoted shell word loses its backslashes; quote the value: '${v.slice(0, 2)}\\${shown(v.slice(2))}'` : undefined),
  },
};

export const PORT: Pick<ParameterDefinition, 'validateRange'> = { validateRange: { min: 1, max: 65535 } };

/** A SQL Server instance name: letters, digits, _ $ #, at most 16 characters (SQL Server's own rule). */
export const SQL_INSTANCE: Pick<ParameterDefinition, 'validatePattern'> = {
  validatePattern: { regex: /^[A-Za-z_][A-Za-z0-9_$#]{0,15}$/, description: 'a SQL Server instance name (letters, digits, _ $ #; at most 16 characters)' },
};

/**
 * A share name as Windows allows it: none of " \ / [ ] : | < > + = ; , ? * nor control characters,
 * at most 80 characters. The SMB probe relies on it too: share names go into smbclient's commands.
 */
export const SHARE_NAME_REGEX = /^[^"\\/[\]:|<>+=;,?*\x00-\x1f]{1,80}$/;

export const SHARE_NAME: Pick<ParameterDefinition, 'validatePattern'> = {
  validatePattern: { regex: SHARE_NAME_REGEX, description: 'a share name (none of " \\ / [ ] : | < > + = ; , ? *)' },
};
