// The "no such object" error records, worded once for every command. A reference the topology does not
// have (a site, a SQL or file store, a Front End pool) refuses the change with exit 3, as a topology rule
// does; the object a command itself works on (-Identity, -PoolFqdn) not found is ObjectNotFound, exit 1.
// Each offers the topology's closest names first ("Did you mean"), and says when the value looks like a
// shell ate its backslashes.
import { closestNames } from '../cmdlet/did-you-mean.js';
import { ErrorRecord, ExitCode } from '../cmdlet/errors.js';
import { shown } from '../cmdlet/validators.js';
import { fileStoreIdentity, normalizeFqdn, sqlStoreIdentity, type Topology } from './model.js';
import { isSqlStoreAddress } from './sql/address.js';

/** ` Did you mean 'a' or 'b'?`, or nothing. */
function didYouMean(names: string[]): string {
  return names.length ? ` Did you mean ${names.map((n) => `'${n}'`).join(' or ')}?` : '';
}

/** Quoted for a shell: single quotes keep backslashes (and `'` is written as '\''); a value too long to echo is a placeholder. */
const quoted = (s: string) => (s.length > 80 ? '<name>' : `'${s.replace(/'/g, `'\\''`)}'`);

function reference(init: { errorId: string; target: string; message: string; recommendedAction: string }): ErrorRecord {
  return new ErrorRecord({ ...init, target: shown(init.target), category: 'ObjectNotFound', exitCode: ExitCode.TestFailed });
}

export function siteNotFound(name: string, t?: Topology, parameter = 'Site'): ErrorRecord {
  const near = t ? closestNames(name, t.sites.map((s) => s.name)) : [];
  const create = `add the site first (pchat New-Site -Name ${quoted(name)})`;
  return reference({
    errorId: 'SiteNotFound',
    target: name,
    message: `The site '${shown(name)}' does not exist in the topology.${didYouMean(near)}`,
    recommendedAction: near.length
      ? `Give -${parameter} ${quoted(near[0]!)}${near.length > 1 ? ' (or another of the names above)' : ''}; if '${shown(name)}' is a new site, ${create}.`
      : `Give one of the topology's sites (${t?.sites.length ? t.sites.map((s) => s.name).slice(0, 10).join(', ') : "'pchat Get-Topology' lists them"}), or ${create}.`,
  });
}

/**
 * A store or server name run together with what followed a backslash the shell removed: the known name it
 * starts with and the rest (`sql01.contoso.comPCHAT` → sql01.contoso.com, PCHAT), or undefined.
 */
function runTogether(value: string, hosts: readonly string[]): { host: string; rest: string } | undefined {
  const v = value.replace(/^[\\/]+/, '').toLowerCase();
  const host = [...hosts].sort((a, b) => b.length - a.length).find((h) => v.startsWith(h) && v.length > h.length && !/[\\/.]/.test(v[h.length]!));
  return host ? { host, rest: value.replace(/^[\\/]+/, '').slice(host.length) } : undefined;
}

const ATE = 'an unquoted shell word loses its backslashes';

/**
 * A server's name given where a store is wanted (`sql01.contoso.com` for its named instance, `fs01.contoso.com`
 * for its share): every store on that server, since edit distance would offer only the shortest of them.
 */
function storesOfServer(value: string, stores: { server: string; identity: string }[]): string[] {
  const v = normalizeFqdn(value.replace(/^[\\/]+/, ''));
  return /[\\/]/.test(v) ? [] : stores.filter((s) => normalizeFqdn(s.server) === v).map((s) => s.identity).sort();
}

/** `'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`. */
const all = (names: string[]) => names.map((n) => `'${n}'`).join(', ').replace(/, ([^,]*)$/, ' and $1');

/** The message's hint and the action for a server named instead of its stores. */
function serverHint(value: string, onServer: string[], parameter: string, part: string): { hint: string; action: string } {
  return {
    hint: ` '${shown(value)}' is a server; its ${onServer.length > 1 ? 'stores are' : 'store is'} ${all(onServer)}.`,
    action: `Give the store with its ${part}: -${parameter} ${onServer.map(quoted).join(' or ')}.`,
  };
}

/**
 * What a store reference that names no store gets, SQL or file: a value whose backslashes a shell ate
 * (`lost`, worked out by the caller), a bare server with its stores, or the nearest store names.
 * `inline`: the command also takes the store's own parameters (New-PersistentChatPool does, Set- not).
 */
function storeNotFound(o: {
  errorId: string;
  noun: string;
  identity: string;
  parameter: string;
  inline: boolean;
  inlineParameters: string;
  define: string;
  known: string[];
  onServer: string[];
  part: string;
  lost?: { hint: string; action: string };
}): ErrorRecord {
  const { identity, parameter, define } = o;
  let hint = '';
  let action = o.inline ? `${define}, or give ${o.inlineParameters} to define it inline.` : `${define}, or list the stores with 'pchat Get-Topology'.`;
  if (o.lost) {
    ({ hint, action } = o.lost);
  } else if (o.onServer.length) {
    ({ hint, action } = serverHint(identity, o.onServer, parameter, o.part));
  } else {
    const near = closestNames(identity, o.known);
    if (near.length) {
      hint = didYouMean(near);
      action = `Give -${parameter} ${quoted(near[0]!)}; if '${shown(identity)}' is a new store, ${define.charAt(0).toLowerCase()}${define.slice(1)}.`;
    }
  }
  return reference({ errorId: o.errorId, target: identity, message: `The ${o.noun} '${shown(identity)}' does not exist in the topology.${hint}`, recommendedAction: action });
}

/** Whether `meant` is one of the `known` store identities (Windows names ignore case). */
const isKnown = (known: string[], meant: string) => known.some((k) => k.toLowerCase() === meant.toLowerCase());

export function sqlStoreNotFound(identity: string, opts: { inline?: boolean; parameter?: string } = {}, t?: Topology): ErrorRecord {
  const parameter = opts.parameter ?? 'SqlStore';
  const known = t ? t.sqlStores.map(sqlStoreIdentity) : [];
  const glued = t ? runTogether(identity, [...new Set(t.sqlStores.map((s) => normalizeFqdn(s.sqlServerFqdn)))]) : undefined;
  const meant = glued && `${glued.host}\\${glued.rest.toUpperCase()}`;
  return storeNotFound({
    errorId: 'SqlStoreNotFound',
    noun: 'SQL store',
    identity,
    parameter,
    inline: opts.inline ?? true,
    inlineParameters: '-SqlServerFqdn/-SqlInstance',
    define: 'Define it first (pchat New-SqlStore -SqlServerFqdn <fqdn> [-SqlInstance <name>])',
    known,
    onServer: t ? storesOfServer(identity, t.sqlStores.map((s) => ({ server: s.sqlServerFqdn, identity: sqlStoreIdentity(s) }))) : [],
    part: 'instance',
    lost:
      glued && meant
        ? {
            hint: ` It looks like '${glued.host}' and '${shown(glued.rest)}' with the backslash between them lost: ${ATE}.`,
            action: `Quote the identity: -${parameter} ${quoted(meant)}${isKnown(known, meant) ? '' : ` (and define that store first if it is new: pchat New-SqlStore -SqlServerFqdn ${glued.host} -SqlInstance ${glued.rest})`}.`,
          }
        : undefined,
  });
}

/**
 * The UNC path an unquoted shell word became `value` from: `\server\share` (one backslash each) or
 * `server\share` gives `\\server\share`; undefined for anything else. Also for commands that take a UNC -Path.
 */
export function lostUncBackslashes(value: string): string | undefined {
  const m = /^\\?([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\\([^\\/]+)$/.exec(value);
  return m && !value.startsWith('\\\\') ? `\\\\${m[1]}\\${m[2]}` : undefined;
}

/** `inline`: the command also takes -FileServerFqdn/-FileShare (New-PersistentChatPool does, Set-PersistentChatPool not). */
export function fileStoreNotFound(identity: string, opts: { inline?: boolean; parameter?: string } = {}, t?: Topology): ErrorRecord {
  const parameter = opts.parameter ?? 'FileStore';
  const known = t ? t.fileStores.map(fileStoreIdentity) : [];
  const servers = t ? t.fileStores.filter((f) => f.fileServerFqdn).map((f) => ({ server: f.fileServerFqdn!, identity: fileStoreIdentity(f) })) : [];
  const unc = lostUncBackslashes(identity);
  const glued = unc ? undefined : t ? runTogether(identity, [...new Set(servers.map((f) => normalizeFqdn(f.server)))]) : undefined;
  const meant = unc ?? (glued ? `\\\\${glued.host}\\${glued.rest}` : undefined);
  return storeNotFound({
    errorId: 'FileStoreNotFound',
    noun: 'file store',
    identity,
    parameter,
    inline: opts.inline ?? true,
    inlineParameters: '-FileServerFqdn/-FileShare',
    define: 'Define it first (pchat New-FileStore -FileServerFqdn <fqdn> -FileShare <share>)',
    known,
    onServer: storesOfServer(identity, servers),
    part: 'share',
    lost: meant
      ? {
          hint: unc
            ? ` A UNC path starts with two backslashes and separates the share with one: ${ATE}.`
            : ` It looks like '${glued!.host}' and '${shown(glued!.rest)}' with the backslashes of a UNC path lost: ${ATE}.`,
          action: `Quote the path: -${parameter} ${quoted(meant)}${isKnown(known, meant) ? '' : ' (and define that store first if it is new)'}.`,
        }
      : undefined,
  });
}

export function frontEndPoolNotFound(fqdn: string, t?: Topology): ErrorRecord {
  const near = t ? closestNames(fqdn, t.frontEndPools.map((f) => f.fqdn)) : [];
  return reference({
    errorId: 'FrontEndPoolNotFound',
    target: fqdn,
    message: `'${shown(fqdn)}' is not a Front End pool or Standard Edition server of the topology.${didYouMean(near)}`,
    recommendedAction: `${near.length ? `Give ${near[0]}; if it is a pool the topology lacks, define` : 'Define'} it with New-FrontEndPool, or import the deployment with Import-Topology.`,
  });
}

export function persistentChatPoolNotFound(fqdn: string, t?: Topology): ErrorRecord {
  const near = t ? closestNames(fqdn, t.persistentChatPools.map((p) => p.fqdn)) : [];
  return new ErrorRecord({
    errorId: 'PersistentChatPoolNotFound',
    category: 'ObjectNotFound',
    target: shown(fqdn),
    message: `There is no Persistent Chat pool '${shown(fqdn)}' in the topology.${didYouMean(near)}`,
    recommendedAction: near.length ? `Give ${near[0]}, or list the pools with 'pchat Get-PersistentChatPool'.` : "List the pools with 'pchat Get-PersistentChatPool'.",
    // As Get-CsPool -Identity <missing>: one object's error, which -ErrorAction SilentlyContinue hides.
    nonTerminating: true,
  });
}

/**
 * No topology in the repository folder. `lookup` says what the command wanted to look up there and how
 * to do without the repository (Test-SqlStore, Test-FileStore); one errorId either way.
 */
/** How repository advice names the place a command's repository comes from (Copy-Topology's destination says -Destination instead). */
export const REPOSITORY_PARAMETER = '-Repository (or PCHAT_REPOSITORY)';

export function repositoryNotFound(folder: string, lookup?: { what: string; instead: string }): ErrorRecord {
  return new ErrorRecord({
    errorId: 'RepositoryNotFound',
    category: 'ObjectNotFound',
    target: folder,
    message: lookup ? `There is no topology in '${folder}' to look the ${lookup.what} up in.` : `There is no topology in '${folder}'.`,
    recommendedAction: lookup
      ? `${lookup.instead}, or point ${REPOSITORY_PARAMETER} at the topology.`
      : `Create one with 'pchat New-Topology' or 'pchat Import-Topology -Path <file>', or point ${REPOSITORY_PARAMETER} at the right ${isSqlStoreAddress(folder) ? 'server and database' : 'folder'}.`,
  });
}
