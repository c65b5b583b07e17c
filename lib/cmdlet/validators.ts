// Reusable parameter validations (generic network names and numbers, nothing product-specific).
import type { ParameterDefinition } from './types.js';

/**
 * RFC 1123 host names with at least two labels, e.g. pchat01.contoso.com (253 characters at most). An IP
 * address is not one: the last label (the top-level domain) is never all digits. The topology rules judge
 * FQDNs with this same expression, so what binding refuses and what Test-Topology reports agree.
 */
export const FQDN_REGEX = /^(?=.{3,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+(?<!\.\d+)\.?$/;

export const FQDN: Pick<ParameterDefinition, 'validatePattern'> = {
  validatePattern: { regex: FQDN_REGEX, description: 'a fully qualified domain name (e.g. pchat01.contoso.com; not an IP address)' },
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
