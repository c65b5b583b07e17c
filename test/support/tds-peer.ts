// TEST DOUBLE of Microsoft SQL Server. Never shipped: it lives in test/support only.
//
// A wire-level TDS 7.4 peer that the real mssql/tedious client talks to, so the SQL probe is
// exercised end to end without a SQL Server (none can be installed here; shared/docs/lab-sql.md).
// It implements PRELOGIN (with TLS-in-TDS and TDS 8.0 "strict" TLS), LOGIN7 for SQL logins and
// NTLMv2 (the proof is verified against the configured password; a wrong one is 18456, a disabled
// login with the right one 18470, a database the login cannot open 4060 then 18456), SQL batch,
// RPC sp_executesql, transaction-manager requests and ATTENTION, and a small T-SQL evaluator: SELECT lists over
// SERVERPROPERTY, CONNECTIONPROPERTY, SUSER_SNAME, IS_SRVROLEMEMBER, HAS_PERMS_BY_NAME, DB_ID,
// CONVERT/CAST, ISNULL, @@VERSION and parameters; SELECT ... FROM sys.databases [WHERE ...];
// CREATE DATABASE (262 without the right, 1801 when it exists, 226 inside a transaction); USE.
// The topology store's statements (lib/topology/sql/statements.ts), recognised by their exact text,
// over tables the peer keeps per database (tds/store.ts): probe, createSchema, readDraft, insertDraft,
// updateDraft (only WHERE revision = @read; the old row to the history), rebaseDraft, listHistory,
// insertHistory, listPublished, readPublished, readLatestPublished, insertPublished (2627 when taken),
// listBackups, insertBackup, clearStore, countRows, getPublishLock/releasePublishLock (sp_getapplock
// owned by the session, released when its connection drops), writePublishLockHolder,
// readPublishLockHolder.
// Statements it does not know fail with an error instead of a canned answer.
//
// The code lives in test/support/tds/ (peer.ts is the main module); this file re-exports it so
// that tests and benchmarks keep importing test/support/tds-peer.js.
export * from './tds/peer.js';
