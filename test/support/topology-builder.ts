// A small, valid topology to tweak in tests: two sites, an Enterprise Front End pool, a Standard Edition
// server, SQL stores, a UNC file store and one multiple-computer Persistent Chat pool.
import type { FrontEndPool, PersistentChatPool, SqlStore, Topology } from '../../lib/topology/model.js';

export const POOL = 'pchat.contoso.com';
export const EE_POOL = 'pool01.contoso.com';
export const SE_SERVER = 'se01.contoso.com';
export const STORE = 'sql01.contoso.com\\PCHAT';
export const FILE_STORE = '\\\\fs01.contoso.com\\pchat';

export function basePool(): PersistentChatPool {
  return {
    fqdn: POOL,
    site: 'Redmond',
    computerType: 'Multiple',
    computers: ['pc01.contoso.com', 'pc02.contoso.com'],
    displayName: 'Redmond chat',
    port: 5041,
    instance: 1,
    enableCompliance: false,
    enableDisasterRecovery: false,
    defaultForSite: true,
    defaultForAllSites: false,
    sqlStore: STORE,
    fileStore: FILE_STORE,
    nextHopPool: EE_POOL,
  };
}

export function baseTopology(): Topology {
  const fe: FrontEndPool[] = [
    { fqdn: EE_POOL, site: 'Redmond', edition: 'Enterprise', computers: ['fe01.contoso.com', 'fe02.contoso.com'] },
    { fqdn: SE_SERVER, site: 'Dublin', edition: 'Standard', computers: [SE_SERVER] },
  ];
  const stores: SqlStore[] = [
    { sqlServerFqdn: 'sql01.contoso.com', sqlInstance: 'PCHAT' },
    { sqlServerFqdn: 'sql01.contoso.com', sqlInstance: 'COMP' },
    { sqlServerFqdn: 'sql02.contoso.com', sqlInstance: 'PCHAT' },
    { sqlServerFqdn: 'sql02.contoso.com', sqlInstance: 'COMP' },
    { sqlServerFqdn: 'sql03.contoso.com', sqlInstance: null },
    { sqlServerFqdn: 'sqlbe.contoso.com', sqlInstance: null, site: 'Redmond' },
  ];
  return {
    product: 'SkypeForBusiness2015',
    sites: [
      { name: 'Redmond', siteId: 1, city: 'Redmond', countryCode: 'US' },
      { name: 'Dublin', siteId: 2, city: 'Dublin', countryCode: 'IE' },
    ],
    frontEndPools: fe,
    sqlStores: stores,
    fileStores: [{ fileServerFqdn: 'fs01.contoso.com', share: 'pchat' }],
    persistentChatPools: [basePool()],
    occupiedNames: [{ fqdn: 'edge.contoso.com', role: 'EdgeServer' }],
  };
}

/** The base topology with `tweak` applied to a fresh copy. */
export function topology(tweak?: (t: Topology) => void): Topology {
  const t = baseTopology();
  tweak?.(t);
  return t;
}

/** The first (base) Persistent Chat pool of `t`. */
export function pool(t: Topology, index = 0): PersistentChatPool {
  return t.persistentChatPools[index]!;
}

/** Adds a second, valid pool in Dublin with its own computers and SQL instance; returns it for further tweaks. */
export function addDublinPool(t: Topology, overrides: Partial<PersistentChatPool> = {}): PersistentChatPool {
  const p: PersistentChatPool = {
    ...basePool(),
    fqdn: 'pchat-dub.contoso.com',
    site: 'Dublin',
    computers: ['pd01.contoso.com', 'pd02.contoso.com'],
    displayName: 'Dublin chat',
    instance: 1,
    sqlStore: 'sql02.contoso.com\\PCHAT',
    nextHopPool: SE_SERVER,
    ...overrides,
  };
  t.persistentChatPools.push(p);
  return p;
}

/** Adds a single-computer pool collocated with the Standard Edition server (databases in its local SQL Express). */
export function addSeCollocatedPool(t: Topology, overrides: Partial<PersistentChatPool> = {}): PersistentChatPool {
  t.sqlStores.push({ sqlServerFqdn: SE_SERVER, sqlInstance: 'RTC' });
  t.fileStores.push({ path: 'D:\\PersistentChatFiles' });
  return addDublinPool(t, {
    fqdn: SE_SERVER,
    computerType: 'Single',
    computers: [SE_SERVER],
    sqlStore: `${SE_SERVER}\\RTC`,
    fileStore: 'D:\\PersistentChatFiles',
    ...overrides,
  });
}

export function store(t: Topology, identity: string): SqlStore {
  const [host, inst] = identity.split('\\');
  const s = t.sqlStores.find((x) => x.sqlServerFqdn === host && (x.sqlInstance ?? null) === (inst ?? null));
  if (!s) throw new Error(`no store ${identity} in the test topology`);
  return s;
}

/** A large valid topology (tests and bench/startup.mjs): per site a Front End pool and a file server; per pool its own SQL store and computers. */
export function syntheticTopology(sites: number, poolsPerSite: number): Topology {
  const t: Topology = { product: 'SkypeForBusiness2015', sites: [], frontEndPools: [], sqlStores: [], fileStores: [], persistentChatPools: [], occupiedNames: [] };
  for (let s = 1; s <= sites; s++) {
    const dom = `site${s}.contoso.com`;
    t.sites.push({ name: `Site${s}`, siteId: s, city: `City ${s}`, countryCode: 'US' });
    t.frontEndPools.push({ fqdn: `fepool.${dom}`, site: `Site${s}`, edition: 'Enterprise', computers: [`fe1.${dom}`, `fe2.${dom}`] });
    t.fileStores.push({ fileServerFqdn: `fs.${dom}`, share: 'pchat' });
    for (let i = 1; i <= poolsPerSite; i++) {
      t.sqlStores.push({ sqlServerFqdn: `sql${i}.${dom}`, sqlInstance: 'PCHAT' });
      t.persistentChatPools.push({
        fqdn: `pchat${i}.${dom}`,
        site: `Site${s}`,
        computerType: 'Multiple',
        computers: [`pc${i}a.${dom}`, `pc${i}b.${dom}`],
        displayName: `Chat ${s}/${i}`,
        port: 5041,
        instance: i,
        enableCompliance: false,
        enableDisasterRecovery: false,
        defaultForSite: i === 1,
        defaultForAllSites: s === 1 && i === 1,
        sqlStore: `sql${i}.${dom}\\PCHAT`,
        fileStore: `\\\\fs.${dom}\\pchat`,
        nextHopPool: `fepool.${dom}`,
      });
    }
  }
  return t;
}

/** The smallest topology a Persistent Chat pool can be added to (site Redmond, a Front End pool, a file store): the repository tests' seed. */
export function seedPoolPrerequisites(t: Topology): void {
  t.sites.push({ name: 'Redmond', siteId: 1 });
  t.frontEndPools.push({ fqdn: 'fepool.contoso.com', site: 'Redmond', edition: 'Enterprise', computers: ['fe01.contoso.com'] });
  t.fileStores.push({ fileServerFqdn: 'fs01.contoso.com', share: 'pchat' });
}
