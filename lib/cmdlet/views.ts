// Default views: which few properties a table shows for each output type (PowerShell's format.ps1xml views).
// Keyed by the command's `outputType`, so a command names its view by declaring what it returns. Views are
// tolerant: a property an object lacks is a blank cell; a type with no view gets the generic one (every property).
// JSON output never passes through here and keeps every property.

export interface Column {
  /** The property read from the object (case-insensitive). */
  property: string;
  /** The header, when it is not the property name (PascalCase for lower-case JSON properties). */
  label?: string;
  /** How an array in this cell is shown: its length ("3"), not its items. */
  count?: boolean;
}

/** Rows whose recommended action is printed in full under the table (a preflight is run for those). */
export interface ActionNotes {
  /** The rows are the items of this array property of each object (Publish-Topology's Checks), not the objects. */
  from?: string;
  status: string;
  /** Status values whose rows are listed. */
  when: readonly string[];
  /** Which row the action belongs to: `{Property}` is replaced by the row's value. */
  label: string;
  action: string;
}

export interface View {
  columns: readonly (string | Column)[];
  /** Shown once as a heading over the consecutive rows that share its value, instead of as a column. */
  groupBy?: string;
  notes?: ActionNotes;
  /** Array properties printed in full under the table (a column can only count them): Publish-Topology's ToDo. */
  lists?: readonly string[];
}

const CHECK_ROWS: View = {
  // One target has a dozen checks: its path as a heading leaves each row the width for its Details.
  columns: ['Target', 'Check', 'Status', 'Details'],
  groupBy: 'Target',
  notes: { status: 'Status', when: ['Failed', 'Warning'], label: '{Check} on {Target}', action: 'RecommendedAction' },
};

const POOL: View = { columns: ['Fqdn', 'Site', 'Computers', 'DefaultForSite', 'SqlStore', 'FileStore'] };

const VIEWS: Record<string, View> = {
  FileStoreCheck: CHECK_ROWS,
  SqlStoreCheck: CHECK_ROWS,
  CheckRow: CHECK_ROWS,
  TopologyFinding: {
    columns: ['Severity', 'Rule', 'Target', 'Message'],
    notes: { status: 'Severity', when: ['Error', 'Warning'], label: 'rule {Rule} on {Target}', action: 'RecommendedAction' },
  },
  PublishResult: {
    columns: ['Status', 'Revision', 'PreviousRevision', 'Summary', 'Steps', { property: 'ToDo', count: true }],
    notes: { from: 'Checks', status: 'Status', when: ['Failed', 'Warning'], label: '{Check} on {Target}', action: 'RecommendedAction' },
    lists: ['ToDo'],
  },
  PersistentChatPool: POOL,
  TopologySummary: { columns: ['Kind', 'Revision', 'Product', 'Sites', 'PersistentChatPools', 'ModifiedAt'] },
  TopologyRevision: { columns: ['Revision', 'PublishedAt', 'PublishedBy', 'Summary'] },
  TopologyChange: { columns: ['ObjectType', 'Identity', 'Change', 'Details'] },
  TopologyExport: {
    columns: [
      { property: 'kind', label: 'Kind' },
      { property: 'revision', label: 'Revision' },
      { property: 'schemaVersion', label: 'SchemaVersion' },
      { property: 'modifiedAt', label: 'ModifiedAt' },
      { property: 'publishedAt', label: 'PublishedAt' },
    ],
  },
  TopologyImportSummary: {
    columns: ['Form', 'Product', 'Mode', { property: 'Added', count: true }, { property: 'Conflicts', count: true }, 'Written'],
  },
  TopologyDraft: { columns: ['Repository', 'Revision', 'Product'] },
  Site: { columns: ['Name', 'SiteId', 'City', 'State', 'CountryCode'] },
  // Product: each Front End pool's own (issue 13); blank until the pool records one.
  FrontEndPool: { columns: ['Fqdn', 'Site', 'Edition', 'Product', 'Computers', 'BackEndSqlStore'] },
  SqlStore: { columns: ['Identity', 'SqlServerFqdn', 'SqlInstance', 'Port', 'Mirror', 'AlwaysOn'] },
  FileStore: { columns: ['Identity', 'FileServerFqdn', 'Share', 'Path'] },
  SiteAffinityChange: { columns: ['Fqdn', 'Site', 'DefaultForSite', 'DefaultForAllSites', 'Changes'] },
};

/** Names an object's view when it differs from its command's (a command that writes two kinds of object). */
const VIEW_TAG = Symbol('pchat.view');

/** `obj` tagged with the view it is shown in; the tag is not enumerable, so JSON output and spreads never see it. */
export function withView<T extends object>(obj: T, outputType: string): T {
  Object.defineProperty(obj, VIEW_TAG, { value: outputType, enumerable: false });
  return obj;
}

/**
 * The view one object is shown in: its tag; else the command's view when the object has all its columns; else the
 * first view it has all the columns of (check rows from any command); else the command's view when it has some of
 * them (an older or newer object: the missing ones are blank); else none (every property).
 */
export function viewOf(obj: object, commandView: View | undefined): View | undefined {
  const tag = (obj as { [VIEW_TAG]?: string })[VIEW_TAG];
  if (tag) return viewFor(tag);
  const keys = new Set(Object.keys(obj).map((k) => k.toLowerCase()));
  const has = (c: string | Column) => keys.has((typeof c === 'string' ? c : c.property).toLowerCase());
  if (commandView?.columns.every(has)) return commandView;
  return Object.values(VIEWS).find((v) => v.columns.every(has)) ?? (commandView?.columns.some(has) ? commandView : undefined);
}

/**
 * The view for a command's output type ("PersistentChatPool (with -PassThru)" names PersistentChatPool).
 * `columns` (the command's older `defaultDisplay`) serves a type with no view; undefined: the generic view.
 */
export function viewFor(outputType: string | undefined, columns?: readonly string[]): View | undefined {
  const name = outputType?.match(/^\w+/)?.[0];
  return (name && VIEWS[name]) || (columns?.length ? { columns } : undefined);
}
