// The SQL Server probe (issue 4): Test-SqlStore's checks, which Publish-Topology runs too. Connecting,
// and creating the databases, is the SQL client's (lib/sql/).
export { testSqlStore } from './probe.js';
export { SQL_CHECK, type SqlTarget, type SqlStoreExpectation, type EncryptMode, type ProbeOptions } from './types.js';
