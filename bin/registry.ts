// The command list: names and lazy loaders, so a command imports only its own module.
import type { CmdletDefinition } from '../lib/cmdlet/types.js';

type Loader = () => Promise<{ default: CmdletDefinition }>;

export const COMMANDS: Record<string, Loader> = {
  'New-Topology': () => import('../cmdlets/New-Topology.js'),
  'Get-Topology': () => import('../cmdlets/Get-Topology.js'),
  'Test-Topology': () => import('../cmdlets/Test-Topology.js'),
  'Test-SqlStore': () => import('../cmdlets/Test-SqlStore.js'),
  'Test-FileStore': () => import('../cmdlets/Test-FileStore.js'),
  'New-Site': () => import('../cmdlets/New-Site.js'),
  'New-FrontEndPool': () => import('../cmdlets/New-FrontEndPool.js'),
  'New-SqlStore': () => import('../cmdlets/New-SqlStore.js'),
  'New-FileStore': () => import('../cmdlets/New-FileStore.js'),
  'New-PersistentChatPool': () => import('../cmdlets/New-PersistentChatPool.js'),
  'Get-PersistentChatPool': () => import('../cmdlets/Get-PersistentChatPool.js'),
  'Set-PersistentChatPool': () => import('../cmdlets/Set-PersistentChatPool.js'),
  'Remove-PersistentChatPool': () => import('../cmdlets/Remove-PersistentChatPool.js'),
  'Set-PersistentChatPoolSiteAffinity': () => import('../cmdlets/Set-PersistentChatPoolSiteAffinity.js'),
  'Publish-Topology': () => import('../cmdlets/Publish-Topology.js'),
  'Get-TopologyRevision': () => import('../cmdlets/Get-TopologyRevision.js'),
  'Compare-Topology': () => import('../cmdlets/Compare-Topology.js'),
  'Import-Topology': () => import('../cmdlets/Import-Topology.js'),
  'Export-Topology': () => import('../cmdlets/Export-Topology.js'),
  'Copy-Topology': () => import('../cmdlets/Copy-Topology.js'),
};

/** Resolves a command name case-insensitively (`get-topology` is `Get-Topology`). */
export function resolveCommandName(name: string): string | undefined {
  const n = name.toLowerCase();
  return Object.keys(COMMANDS).find((k) => k.toLowerCase() === n);
}
