// Rules about the pool's file store (domain.md 8, rules 19, 20; wizard page 1.7).
import { fileStoreIdentity, isUncFileStore, normalizeFqdn, parseUncPath, type Topology } from '../model.js';
import { enterpriseFrontEndServers, finding, indexed, isValidFqdn, poolTarget, setPool, type Finding, type RuleDefinition } from './common.js';

// Windows share names: no \ / : * ? " < > |, at most 80 characters.
const SHARE_NAME = /^[^\\/:*?"<>|]{1,80}$/;
// A local file store lives on the Windows server itself: an absolute drive path.
const LOCAL_PATH = /^[A-Za-z]:\\/;

function fileStoreDefinitionProblems(t: Topology): Finding[] {
  const out: Finding[] = [];
  for (const f of t.fileStores) {
    const target = fileStoreIdentity(f);
    if (f.path) {
      if (!LOCAL_PATH.test(f.path)) out.push(finding(19, 'Error', target, `The local file store path '${f.path}' is not an absolute Windows path.`, 'Define the store with an absolute path on the Persistent Chat server (New-FileStore -Path D:\\PersistentChatFiles), or use a UNC share.'));
      continue;
    }
    if (!isValidFqdn(f.fileServerFqdn)) {
      out.push(finding(19, 'Error', target, `The file server '${String(f.fileServerFqdn ?? '')}' is not a valid FQDN.`, 'Define the store with the file server\'s fully qualified DNS name (New-FileStore -FileServerFqdn fs01.contoso.com -FileShare <share>).'));
    }
    if (!f.share || !SHARE_NAME.test(f.share)) {
      out.push(finding(19, 'Error', target, `The share name '${f.share ?? ''}' is not a valid Windows share name.`, 'Use the share\'s name: 1-80 characters, none of \\ / : * ? " < > |.'));
    }
  }
  return out;
}

export const fileStoreRule: RuleDefinition = {
  id: 19,
  title: 'File store is set; a multiple-computer pool uses a UNC share',
  severity: 'Error',
  meaning: 'Every pool has a file store; a multiple-computer pool a UNC share (\\\\server\\share), a single-computer pool may use a local path.',
  check: indexed((t, ix) => {
    const out = fileStoreDefinitionProblems(t);
    t.persistentChatPools.forEach((p, i) => {
      const target = poolTarget(p, i);
      if (!p.fileStore || !p.fileStore.trim()) {
        out.push(finding(19, 'Error', target, 'The pool has no file store.', `${setPool(target, '-FileStore \\\\<fileServerFqdn>\\<share>')}, naming a store defined with New-FileStore.`));
        return;
      }
      const store = ix.fileStore(p.fileStore);
      if (!store) {
        const unc = parseUncPath(p.fileStore);
        const id = unc ? fileStoreIdentity(unc) : p.fileStore;
        out.push(finding(19, 'Error', target, `The pool's file store ${id} is not defined in the topology.`, `Define it (${unc ? `New-FileStore -FileServerFqdn ${unc.fileServerFqdn} -FileShare ${unc.share}` : `New-FileStore -Path ${id}`}), or point the pool at a defined file store (${setPool(target, '-FileStore <store>')}).`));
      } else if (p.computerType === 'Multiple' && !isUncFileStore(store)) {
        out.push(finding(19, 'Error', target, `The multiple-computer pool uses the local path ${fileStoreIdentity(store)} as file store; every server of the pool must reach it, so it must be a UNC share.`, `${setPool(target, '-FileStore \\\\<fileServerFqdn>\\<share>')}, a share defined with New-FileStore -FileServerFqdn <fqdn> -FileShare <share>.`));
      }
    });
    return out;
  }),
};

export const fileServerNotEnterpriseFrontEndRule: RuleDefinition = {
  id: 20,
  title: 'The file server is not an Enterprise Edition Front End server',
  severity: 'Error',
  meaning: 'The file share cannot sit on a server of an Enterprise Edition Front End pool.',
  check(t) {
    const servers = enterpriseFrontEndServers(t);
    for (const fe of t.frontEndPools) if (fe.edition === 'Enterprise') servers.set(normalizeFqdn(fe.fqdn), normalizeFqdn(fe.fqdn));
    return t.fileStores.flatMap((f) => {
      const pool = isUncFileStore(f) ? servers.get(normalizeFqdn(f.fileServerFqdn!)) : undefined;
      if (!pool) return [];
      return [finding(20, 'Error', fileStoreIdentity(f), `The file server ${normalizeFqdn(f.fileServerFqdn!)} is ${normalizeFqdn(f.fileServerFqdn!) === pool ? 'the FQDN of' : 'a server of'} Enterprise Edition Front End pool ${pool}; a file store cannot sit on an Enterprise Edition Front End.`, 'Put the file share on a dedicated file server (a Standard Edition server is allowed) and point the pool at it.')];
    });
  },
};
