import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { ErrorRecord } from '../lib/cmdlet/errors.js';
import { FQDN } from '../lib/cmdlet/validators.js';
import { findFrontEndPool, findSite, findSqlStore, FRONT_END_PRODUCTS, normalizeFqdn, sqlStoreIdentity, type Edition, type FrontEndPool, type FrontEndProduct } from '../lib/topology/model.js';
import { changeTopology } from '../lib/topology/edit.js';
import { frontEndPoolView } from '../lib/topology/views.js';
import { siteNotFound, sqlStoreNotFound } from '../lib/topology/not-found.js';

export default {
  name: 'New-FrontEndPool',
  synopsis: 'Adds a Front End pool (Enterprise Edition) or a Standard Edition server to the draft topology.',
  description:
    'Adds the Front End pool or Standard Edition server that a Persistent Chat pool needs as its next hop (a topology needs one before a Persistent Chat pool can be added). A Standard Edition server is a single computer whose FQDN is the pool FQDN. To take them from the real deployment instead, use Import-Topology.',
  parameters: [
    { name: 'Fqdn', type: 'string', mandatory: true, position: 0, ...FQDN, help: 'The pool FQDN (Standard Edition: the server FQDN).' },
    { name: 'Site', type: 'string', mandatory: true, help: 'The site name.' },
    { name: 'Edition', type: 'enum', validateSet: ['Enterprise', 'Standard'], default: 'Enterprise', help: 'Enterprise (a pool of servers) or Standard (one server).' },
    { name: 'Computer', type: 'string[]', ...FQDN, help: 'The Front End servers of an Enterprise pool (comma-separated FQDNs). Standard Edition: the server itself.' },
    { name: 'Product', type: 'enum', validateSet: FRONT_END_PRODUCTS, help: "What the pool runs (default: the topology's product). SkypeForBusiness2019 and Lync2010 have no Persistent Chat: such a pool cannot be a Persistent Chat pool's next hop (rule 31)." },
    { name: 'BackEndSqlStore', type: 'string', help: "The SQL store holding the pool's back-end (user store) databases, as New-SqlStore named it (sql01.contoso.com or sql01.contoso.com\\INSTANCE). An instance holds at most one back-end (rule 18); a Persistent Chat pool may put its mgc database there too." },
  ],
  supportsShouldProcess: true,
  confirmImpact: 'Low',
  outputType: 'FrontEndPool',
  outputs: [
    { name: 'Fqdn', description: 'The pool FQDN.' },
    { name: 'Site', description: 'Its site.' },
    { name: 'Edition', description: 'Enterprise or Standard.' },
    { name: 'Product', description: 'What it runs: Lync2013, SkypeForBusiness2015, SkypeForBusiness2019 or Lync2010.' },
    { name: 'Computers', description: 'Its servers.' },
    { name: 'BackEndSqlStore', description: 'The SQL store of its back-end databases, or empty when not given.' },
  ],
  examples: [
    { title: 'An Enterprise pool', code: 'pchat New-FrontEndPool -Fqdn fepool.contoso.com -Site Redmond -Computer fe01.contoso.com,fe02.contoso.com', remarks: 'A Persistent Chat pool names it as its -NextHopPool.', setup: 'pchat New-Topology && pchat New-Site -Name Redmond' },
    { title: 'A Skype for Business Server 2019 pool beside a 2015 one', code: 'pchat New-FrontEndPool -Fqdn fe2019.contoso.com -Site Redmond -Computer fe2019a.contoso.com -Product SkypeForBusiness2019', remarks: 'Recorded for what it is: a Persistent Chat pool naming it as -NextHopPool is refused (rule 31); its next hop must be a 2015 (or 2013) pool.' },
    { title: 'A Standard Edition server', code: 'pchat New-FrontEndPool -Fqdn se01.contoso.com -Site Redmond -Edition Standard', remarks: 'Its computer is se01.contoso.com.' },
    { title: 'An Enterprise pool and its back-end store', code: 'pchat New-SqlStore -SqlServerFqdn sqlbe.contoso.com -SqlInstance BE && pchat New-FrontEndPool -Fqdn fepool2.contoso.com -Site Redmond -Computer fe11.contoso.com -BackEndSqlStore \'sqlbe.contoso.com\\BE\'', remarks: 'Quote the identity: a shell would eat the backslash. A second Front End pool on that instance is then refused (rule 18).' },
  ],
  async process(p: { Fqdn: string; Site: string; Edition: Edition; Product?: FrontEndProduct; Computer?: string[]; BackEndSqlStore?: string }, ctx) {
    const fqdn = normalizeFqdn(p.Fqdn);
    const computers = (p.Edition === 'Standard' ? p.Computer ?? [fqdn] : p.Computer ?? []).map(normalizeFqdn);
    if (p.Edition === 'Standard' && (computers.length !== 1 || computers[0] !== fqdn)) {
      throw new ErrorRecord({ errorId: 'StandardEditionComputerMismatch', category: 'InvalidArgument', target: fqdn, message: `A Standard Edition server is one computer whose FQDN is the pool FQDN; got ${computers.join(', ')}.`, recommendedAction: `Omit -Computer, or give -Computer ${fqdn}.`, exitCode: 2 });
    }
    const r = await changeTopology(ctx, fqdn, `Add ${p.Edition} Edition Front End pool`, (t) => {
      if (!findSite(t, p.Site)) throw siteNotFound(p.Site, t);
      if (findFrontEndPool(t, fqdn)) throw new ErrorRecord({ errorId: 'FrontEndPoolAlreadyExists', category: 'ResourceExists', target: fqdn, message: `The Front End pool '${fqdn}' already exists.`, recommendedAction: 'Choose another FQDN.' });
      // Said here, from this command's side: rule 5 would report it on the Persistent Chat pool, with advice about
      // that pool. A Standard Edition server may host a collocated pool (rule 8 judges that).
      for (const name of p.Edition === 'Standard' ? [] : [fqdn, ...computers]) {
        const pc = t.persistentChatPools.find((x) => normalizeFqdn(x.fqdn) === name || x.computers.some((c) => normalizeFqdn(c) === name));
        if (pc) {
          const what = normalizeFqdn(pc.fqdn) === name ? `the FQDN of Persistent Chat pool '${pc.fqdn}'` : `a computer of Persistent Chat pool '${pc.fqdn}'`;
          throw new ErrorRecord({ errorId: 'FqdnInUse', category: 'ResourceExists', target: name, message: `${name} is already ${what}; a Front End pool and its servers need names of their own.`, recommendedAction: name === fqdn ? 'Give the Front End pool another -Fqdn.' : 'Give -Computer names that no Persistent Chat pool uses.' });
        }
      }
      let backEnd: string | undefined;
      if (p.BackEndSqlStore?.trim()) {
        const store = findSqlStore(t, p.BackEndSqlStore.trim());
        if (!store) throw sqlStoreNotFound(p.BackEndSqlStore.trim(), { inline: false, parameter: 'BackEndSqlStore' }, t);
        backEnd = sqlStoreIdentity(store);
      }
      const created: FrontEndPool = { fqdn, site: findSite(t, p.Site)!.name, edition: p.Edition, product: p.Product ?? t.product, computers, ...(backEnd ? { backEndSqlStore: backEnd } : {}) };
      t.frontEndPools.push(created);
      return frontEndPoolView(t, created);
    });
    return r?.result;
  },
} satisfies CmdletDefinition;
