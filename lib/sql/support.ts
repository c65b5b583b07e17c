// Which SQL Server platforms each product supports for Persistent Chat stores: the one table
// (domain.md 2.2, rule 30), used by Test-Topology's rules and by the SQL probe; here, below both.

/** The products the table knows; the topology's Product must be one of them (passing it checks that). */
export type SqlPlatformProduct = 'Lync2013' | 'SkypeForBusiness2015';

export interface SqlVersion {
  major: number;
  minor: number;
  name: string;
}

/** Release names by (major, minor) of SERVERPROPERTY('ProductVersion'). */
const RELEASES: SqlVersion[] = [
  { major: 9, minor: 0, name: 'SQL Server 2005' },
  { major: 10, minor: 0, name: 'SQL Server 2008' },
  { major: 10, minor: 50, name: 'SQL Server 2008 R2' },
  { major: 11, minor: 0, name: 'SQL Server 2012' },
  { major: 12, minor: 0, name: 'SQL Server 2014' },
  { major: 13, minor: 0, name: 'SQL Server 2016' },
  { major: 14, minor: 0, name: 'SQL Server 2017' },
  { major: 15, minor: 0, name: 'SQL Server 2019' },
  { major: 16, minor: 0, name: 'SQL Server 2022' },
  { major: 17, minor: 0, name: 'SQL Server 2025' },
];

/** The supported releases per product (domain.md 2.2: Lync 2013 D database-software-support; SfB 2015 adds 2014 with CU6). */
export const SUPPORTED_SQL: Record<SqlPlatformProduct, { releases: string[]; note: string }> = {
  Lync2013: { releases: ['SQL Server 2008 R2', 'SQL Server 2012'], note: 'Lync Server 2013 supports SQL Server 2008 R2 and 2012, Standard or Enterprise, 64-bit' },
  SkypeForBusiness2015: {
    releases: ['SQL Server 2008 R2', 'SQL Server 2012', 'SQL Server 2014'],
    note: 'Skype for Business Server 2015 supports SQL Server 2008 R2, 2012 and 2014 (2014 needs CU6 or later), Standard or Enterprise, 64-bit',
  },
};

export function parseSqlVersion(productVersion: string): SqlVersion | undefined {
  const m = /^(\d+)\.(\d+)/.exec(productVersion.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const exact = RELEASES.find((r) => r.major === major && r.minor === minor);
  const sameMajor = RELEASES.filter((r) => r.major === major && r.minor <= minor).pop();
  return { major, minor, name: exact?.name ?? sameMajor?.name ?? `SQL Server ${major}.${minor}` };
}

export type PlatformVerdict = { status: 'Passed' | 'Warning' | 'Failed'; details: string; recommendedAction: string };

/**
 * Judges a SQL Server platform for a Persistent Chat store.
 * Older than the product's oldest supported release: Failed. Newer than its newest: Warning (this tool's
 * documented choice: Microsoft has added newer releases in cumulative updates, so publishing is not blocked,
 * but the administrator is told that it is outside the documented table). Express: Failed unless the pool is
 * collocated with a Standard Edition server. 32-bit, Web, Workgroup and Business Intelligence: Failed.
 */
export function evaluateSqlPlatform(input: {
  product: SqlPlatformProduct;
  productVersion: string;
  edition: string;
  allowExpress?: boolean;
}): PlatformVerdict {
  const support = SUPPORTED_SQL[input.product];
  const v = parseSqlVersion(input.productVersion);
  const edition = input.edition ?? '';
  if (!v) {
    return { status: 'Failed', details: `unrecognised product version '${input.productVersion}'`, recommendedAction: 'Check SERVERPROPERTY(\'ProductVersion\') on the instance.' };
  }
  const supported = support.releases.map((name) => RELEASES.find((r) => r.name === name)!);
  const oldest = supported[0]!;
  const newest = supported[supported.length - 1]!;
  const cmp = (a: { major: number; minor: number }, b: { major: number; minor: number }) => a.major - b.major || a.minor - b.minor;
  const what = `${v.name} (${input.productVersion}), ${edition}`;
  const problems: string[] = [];
  if (/express/i.test(edition) && !input.allowExpress) problems.push('Express edition is supported only for a pool collocated with a Standard Edition server');
  // Business Intelligence (2012, 2014) is EngineEdition 2 like Standard, but not a supported edition.
  if (/\b(web|workgroup|business intelligence)\b/i.test(edition)) problems.push('Web, Workgroup and Business Intelligence editions are not supported');
  if (/32-bit|\(x86\)|\bIntel X86\b/i.test(edition)) problems.push('32-bit SQL Server is not supported');
  if (cmp(v, oldest) < 0) {
    problems.push(`${v.name} is older than ${oldest.name}`);
  }
  if (problems.length) {
    return { status: 'Failed', details: `${what}: ${problems.join('; ')}. ${support.note}.`, recommendedAction: `Use a supported SQL Server instance: ${support.releases.join(', ')}, Standard or Enterprise, 64-bit.` };
  }
  if (cmp(v, newest) > 0) {
    return {
      status: 'Warning',
      details: `${what} is newer than the releases documented for ${input.product} (${support.releases.join(', ')}).`,
      recommendedAction: 'Confirm that the installed cumulative update of the product supports this SQL Server release before publishing.',
    };
  }
  return { status: 'Passed', details: `${what} is supported for ${input.product}`, recommendedAction: '' };
}
