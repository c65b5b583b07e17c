// Every statement the SQL Server store sends, in one place (the TDS test peer answers exactly these).
// T-SQL for SQL Server 2008 R2 onward: no CREATE OR ALTER, JSON functions, STRING_AGG or SEQUENCE;
// documents are this tool's JSON in nvarchar(max); values always as parameters.

/** The schema this version writes and understands; a store stamped higher is refused. */
export const STORE_SCHEMA_VERSION = 1;

export const SQL = {
  /** What the database is: a store (its schema version), empty, or something else (user objects). */
  probe: `IF OBJECT_ID(N'dbo.PchatTopologyStore', N'U') IS NULL
  SELECT CAST(NULL AS int) AS schemaVersion, (SELECT COUNT(*) FROM sys.objects WHERE is_ms_shipped = 0) AS userObjects;
ELSE
  SELECT schemaVersion, 0 AS userObjects FROM dbo.PchatTopologyStore WHERE id = 1;`,

  /** The tables and the stamp, all or nothing. Needs db_owner (or CREATE TABLE and ALTER on dbo). */
  createSchema: `SET XACT_ABORT ON;
BEGIN TRANSACTION;
CREATE TABLE dbo.PchatTopologyStore (id tinyint NOT NULL CONSTRAINT PK_PchatTopologyStore PRIMARY KEY CHECK (id = 1), schemaVersion int NOT NULL, createdAt datetime2 NOT NULL, createdByLogin nvarchar(256) NOT NULL, createdByHost nvarchar(256) NOT NULL);
CREATE TABLE dbo.PchatDraft (id tinyint NOT NULL CONSTRAINT PK_PchatDraft PRIMARY KEY CHECK (id = 1), revision int NOT NULL, basedOnPublishedRevision int NOT NULL, document nvarchar(max) NOT NULL, changedAt datetime2 NOT NULL, changedByLogin nvarchar(256) NOT NULL, changedByHost nvarchar(256) NOT NULL);
CREATE TABLE dbo.PchatDraftHistory (revision int NOT NULL CONSTRAINT PK_PchatDraftHistory PRIMARY KEY, basedOnPublishedRevision int NOT NULL, document nvarchar(max) NOT NULL, changedAt datetime2 NOT NULL, changedByLogin nvarchar(256) NOT NULL, changedByHost nvarchar(256) NOT NULL);
CREATE TABLE dbo.PchatPublished (revision int NOT NULL CONSTRAINT PK_PchatPublished PRIMARY KEY, document nvarchar(max) NOT NULL, publishedAt datetime2 NOT NULL, publishedByLogin nvarchar(256) NOT NULL, publishedByHost nvarchar(256) NOT NULL);
CREATE TABLE dbo.PchatBackup (name nvarchar(200) NOT NULL CONSTRAINT PK_PchatBackup PRIMARY KEY, content nvarchar(max) NOT NULL, writtenAt datetime2 NOT NULL, writtenByLogin nvarchar(256) NOT NULL, writtenByHost nvarchar(256) NOT NULL);
CREATE TABLE dbo.PchatPublishLock (id tinyint NOT NULL CONSTRAINT PK_PchatPublishLock PRIMARY KEY CHECK (id = 1), holderLogin nvarchar(256) NULL, holderHost nvarchar(256) NULL, holderProcess int NULL, since datetime2 NULL);
INSERT INTO dbo.PchatPublishLock (id) VALUES (1);
INSERT INTO dbo.PchatTopologyStore (id, schemaVersion, createdAt, createdByLogin, createdByHost) VALUES (1, @schemaVersion, SYSUTCDATETIME(), SUSER_SNAME(), @host);
COMMIT TRANSACTION;`,

  readDraft: `SELECT revision, basedOnPublishedRevision, document FROM dbo.PchatDraft WHERE id = 1;`,

  /** The first draft; a concurrent first draft makes this fail with 2627 (then the writer reads again). */
  insertDraft: `INSERT INTO dbo.PchatDraft (id, revision, basedOnPublishedRevision, document, changedAt, changedByLogin, changedByHost) VALUES (1, @revision, @based, @document, SYSUTCDATETIME(), SUSER_SNAME(), @host);`,

  /**
   * The read-modify-write's write: only if the draft is still the revision read; the replaced draft
   * goes to the history in the same statement (one transaction). 0 rows: someone else wrote first.
   */
  updateDraft: `UPDATE dbo.PchatDraft SET revision = @revision, basedOnPublishedRevision = @based, document = @document, changedAt = SYSUTCDATETIME(), changedByLogin = SUSER_SNAME(), changedByHost = @host
OUTPUT deleted.revision, deleted.basedOnPublishedRevision, deleted.document, deleted.changedAt, deleted.changedByLogin, deleted.changedByHost INTO dbo.PchatDraftHistory (revision, basedOnPublishedRevision, document, changedAt, changedByLogin, changedByHost)
WHERE id = 1 AND revision = @read;
SELECT @@ROWCOUNT AS updated;`,

  /** After a publish: a column of its own, so that it never races a writer's document. */
  rebaseDraft: `UPDATE dbo.PchatDraft SET basedOnPublishedRevision = @based WHERE id = 1;`,

  listHistory: `SELECT revision, basedOnPublishedRevision, document FROM dbo.PchatDraftHistory ORDER BY revision;`,
  insertHistory: `INSERT INTO dbo.PchatDraftHistory (revision, basedOnPublishedRevision, document, changedAt, changedByLogin, changedByHost) VALUES (@revision, @based, @document, SYSUTCDATETIME(), SUSER_SNAME(), @host);`,

  listPublished: `SELECT revision FROM dbo.PchatPublished ORDER BY revision;`,
  readPublished: `SELECT revision, document FROM dbo.PchatPublished WHERE revision = @revision;`,
  readLatestPublished: `SELECT TOP (1) revision, document FROM dbo.PchatPublished ORDER BY revision DESC;`,
  /** Never an UPDATE: a published revision is written once; 2627 when that number is taken. */
  insertPublished: `INSERT INTO dbo.PchatPublished (revision, document, publishedAt, publishedByLogin, publishedByHost) VALUES (@revision, @document, SYSUTCDATETIME(), SUSER_SNAME(), @host);`,

  listBackups: `SELECT name, content FROM dbo.PchatBackup ORDER BY name;`,
  insertBackup: `INSERT INTO dbo.PchatBackup (name, content, writtenAt, writtenByLogin, writtenByHost) VALUES (@name, @content, SYSUTCDATETIME(), SUSER_SNAME(), @host);`,

  /** Copy-Topology -Force into a store: what the source does not have must not stay behind. */
  clearStore: `SET XACT_ABORT ON;
BEGIN TRANSACTION;
DELETE FROM dbo.PchatDraft;
DELETE FROM dbo.PchatDraftHistory;
DELETE FROM dbo.PchatPublished;
DELETE FROM dbo.PchatBackup;
COMMIT TRANSACTION;`,

  countRows: `SELECT (SELECT COUNT(*) FROM dbo.PchatDraft) + (SELECT COUNT(*) FROM dbo.PchatDraftHistory) + (SELECT COUNT(*) FROM dbo.PchatPublished) + (SELECT COUNT(*) FROM dbo.PchatBackup) AS total;`,

  /**
   * The publish lock: owned by the session, so SQL Server releases it when the connection ends, however
   * the process ended. Tried without waiting; the caller retries until its own deadline.
   */
  getPublishLock: `DECLARE @result int;
EXEC @result = sp_getapplock @Resource = N'pchat-topology/publish', @LockMode = N'Exclusive', @LockOwner = N'Session', @LockTimeout = 0, @DbPrincipal = N'public';
SELECT @result AS result;`,
  releasePublishLock: `EXEC sp_releaseapplock @Resource = N'pchat-topology/publish', @LockOwner = N'Session', @DbPrincipal = N'public';`,
  /** Who holds it, written by the holder once it has the lock (readable without VIEW SERVER STATE). */
  writePublishLockHolder: `UPDATE dbo.PchatPublishLock SET holderLogin = SUSER_SNAME(), holderHost = @host, holderProcess = @process, since = SYSUTCDATETIME() WHERE id = 1;`,
  readPublishLockHolder: `SELECT holderLogin, holderHost, holderProcess, since FROM dbo.PchatPublishLock WHERE id = 1;`,
} as const;

export type StoreStatement = keyof typeof SQL;
