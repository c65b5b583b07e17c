// The DACL probe's public surface: one model, the parsers, access evaluation, the publish policy.
export * from './model.js';
export * from './masks.js';
export * from './sids.js';
export { parseSmbcacls, parseSmbcaclsAce, formatSmbcaclsAce, type SmbcaclsListing } from './smbcacls.js';
export { parseShowacls, type ListedEntry } from './smbclient-showacls.js';
export { parseSddl, formatSddl } from './sddl.js';
export { parseIcacls, parseIcaclsPermissions, type IcaclsListing } from './icacls.js';
export { effectiveAccess, NETWORK_LOGON_SIDS, type AccessOptions, type AccessResult } from './access.js';
export * from './policy.js';
