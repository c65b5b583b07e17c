// What the SQL probe takes: a target (where and how to connect) and an expectation (what the
// topology needs from that instance). Probes know nothing about the topology document itself.
import type { SqlOptions } from '../../sql/types.js';
import type { SqlPlatformProduct } from '../../sql/support.js';

// Where and how to connect is the SQL client's target; the probe takes it as it is.
export type { EncryptMode, SqlTarget } from '../../sql/types.js';

export interface SqlStoreExpectation {
  product: SqlPlatformProduct;
  /** Express is allowed only for a pool collocated with a Standard Edition server. */
  allowExpress?: boolean;
  /** The pool's databases on this instance, e.g. ['mgc'] or ['mgc', 'mgccomp']. */
  databases: string[];
  /** Publishing will create databases here (default true): the login needs the right to. */
  needCreate?: boolean;
  /** Names other pools of the topology place on this instance: finding them is a failure (rule 18). */
  otherPoolsDatabases?: string[];
  /** Those pools' FQDNs, for the messages. */
  otherPools?: string[];
  /** Of `databases`, those an earlier publish of this pool created here: finding them is expected. */
  publishedDatabases?: string[];
}

export type ProbeOptions = SqlOptions;

/** The check names, one row each, in the order they are reported. */
export const SQL_CHECK = {
  NameResolution: 'Name resolution',
  Browser: 'SQL Browser',
  Tcp: 'TCP reachability',
  Login: 'Login',
  Encryption: 'Encryption',
  Instance: 'Instance',
  Version: 'Version and edition',
  AlwaysOn: 'AlwaysOn',
  CreateRight: 'Create database permission',
  PoolDatabases: 'Pool databases',
  OtherPools: 'Other pool databases',
} as const;
