// The "no such object" error records, worded once for every command.
import { ErrorRecord } from '../cmdlet/errors.js';

export function siteNotFound(name: string): ErrorRecord {
  return new ErrorRecord({ errorId: 'SiteNotFound', category: 'ObjectNotFound', target: name, message: `The site '${name}' does not exist in the topology.`, recommendedAction: `Add it first (pchat New-Site -Name ${name}), or list the sites with 'pchat Get-Topology'.` });
}

export function sqlStoreNotFound(identity: string, opts: { inline?: boolean } = { inline: true }): ErrorRecord {
  const define = 'Define it first (pchat New-SqlStore -SqlServerFqdn <fqdn> [-SqlInstance <name>])';
  return new ErrorRecord({ errorId: 'SqlStoreNotFound', category: 'ObjectNotFound', target: identity, message: `The SQL store '${identity}' does not exist in the topology.`, recommendedAction: opts.inline ? `${define}, or give -SqlServerFqdn/-SqlInstance to define it inline.` : `${define}, or list the stores with 'pchat Get-Topology'.` });
}

/** `inline`: the command also takes -FileServerFqdn/-FileShare (New-PersistentChatPool does, Set-PersistentChatPool not). */
export function fileStoreNotFound(identity: string, opts: { inline?: boolean } = { inline: true }): ErrorRecord {
  const define = 'Define it first (pchat New-FileStore -FileServerFqdn <fqdn> -FileShare <share>)';
  return new ErrorRecord({ errorId: 'FileStoreNotFound', category: 'ObjectNotFound', target: identity, message: `The file store '${identity}' does not exist in the topology.`, recommendedAction: opts.inline ? `${define}, or give -FileServerFqdn/-FileShare to define it inline.` : `${define}, or list the stores with 'pchat Get-Topology'.` });
}

export function frontEndPoolNotFound(fqdn: string): ErrorRecord {
  return new ErrorRecord({ errorId: 'FrontEndPoolNotFound', category: 'ObjectNotFound', target: fqdn, message: `'${fqdn}' is not a Front End pool or Standard Edition server of the topology.`, recommendedAction: 'Define it with New-FrontEndPool, or import the deployment with Import-Topology.' });
}

export function persistentChatPoolNotFound(fqdn: string): ErrorRecord {
  return new ErrorRecord({ errorId: 'PersistentChatPoolNotFound', category: 'ObjectNotFound', target: fqdn, message: `There is no Persistent Chat pool '${fqdn}' in the topology.`, recommendedAction: "List the pools with 'pchat Get-PersistentChatPool'." });
}

/**
 * No topology in the repository folder. `lookup` says what the command wanted to look up there and how
 * to do without the repository (Test-SqlStore, Test-FileStore); one errorId either way.
 */
export function repositoryNotFound(folder: string, lookup?: { what: string; instead: string }): ErrorRecord {
  return new ErrorRecord({
    errorId: 'RepositoryNotFound',
    category: 'ObjectNotFound',
    target: folder,
    message: lookup ? `There is no topology in '${folder}' to look the ${lookup.what} up in.` : `There is no topology in '${folder}'.`,
    recommendedAction: lookup
      ? `${lookup.instead}, or point -Repository (or PCHAT_REPOSITORY) at the topology.`
      : "Create one with 'pchat New-Topology' or 'pchat Import-Topology -Path <file>', or point -Repository (or PCHAT_REPOSITORY) at the right folder.",
  });
}
