// The SQL Server probe (issue 4): Test-SqlStore's checks and Publish-Topology's database steps.
export { testSqlStore } from './probe.js';
export { ensureDatabase, listDatabases } from './databases.js';
export { SQL_CHECK, type SqlTarget, type SqlStoreExpectation, type EncryptMode, type ProbeLog, type ProbeOptions } from './types.js';
