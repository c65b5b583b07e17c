// Table and List output on a terminal: what a person reads at 80, 120 and 200 columns, and what a value may do
// to the terminal that shows it. The objects are recorded command output (test/fixtures/format/objects.json);
// the expected text is in test/fixtures/format/golden (PCHAT_UPDATE_GOLDEN=1 rewrites it after a deliberate change).
import test from 'ava';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createRenderer, renderList, renderTable, textWidth, type OutputFormat, type RenderOptions } from '../../lib/cmdlet/format.js';
import { viewFor, withView } from '../../lib/cmdlet/views.js';
import { projectRoot } from '../support/cli.js';

const fixtures = path.join(projectRoot, 'test/fixtures/format');
const recorded: Record<string, any[]> = JSON.parse(readFileSync(path.join(fixtures, 'objects.json'), 'utf8'));

/** What the runtime writes for these objects, as one string. */
function render(format: OutputFormat, objects: unknown[], opts: RenderOptions): string {
  let text = '';
  const r = createRenderer(format, (s) => (text += s), opts);
  objects.forEach((o) => r.write(o));
  r.end();
  return text;
}

const WIDTHS = [80, 120, 200];
const golden: [OutputFormat, string][] = [
  ['Table', 'FileStoreCheck'],
  ['Table', 'TopologyFinding'],
  ['Table', 'PersistentChatPool'],
  ['Table', 'PublishResult'],
  ['List', 'PersistentChatPool'],
  ['List', 'PublishResult'],
];

for (const [format, type] of golden) {
  for (const width of WIDTHS) {
    test(`${format} of ${type} at ${width} columns reads as recorded`, (t) => {
      const text = render(format, recorded[type]!, { width, view: viewFor(type) });
      const file = path.join(fixtures, 'golden', `${type}.${format}.${width}.txt`);
      if (process.env.PCHAT_UPDATE_GOLDEN) {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      t.is(text, readFileSync(file, 'utf8'));
      for (const line of text.split('\n')) t.true(line.length <= width, `a line fits in ${width} columns: ${line}`);
      t.false(text.includes('{"'), 'no raw JSON');
    });
  }
}

/** The text with its wrapping undone: what was cut across lines reads whole again. */
const unwrapped = (s: string) => s.replace(/\s+/g, ' ');

test('under a table of checks, every Failed and Warning row\'s recommended action is printed in full, at every width', (t) => {
  const rows = recorded.FileStoreCheck!;
  const failed = rows.find((r) => r.Status === 'Failed')!;
  t.is(failed.RecommendedAction.length, 300);
  for (const width of WIDTHS) {
    const text = render('Table', rows, { width, view: viewFor('FileStoreCheck') });
    const notes = unwrapped(text.slice(text.indexOf('RecommendedAction')));
    for (const r of rows.filter((x) => x.Status === 'Failed' || x.Status === 'Warning')) {
      t.true(notes.includes(`${r.Status}: ${r.Check} on ${r.Target}`), `labelled at ${width}`);
      t.true(notes.includes(r.RecommendedAction), `in full at ${width}`);
    }
    t.false(notes.includes('Name resolution'), 'a Passed row has no entry');
  }
});

test('check rows: each target once as a heading over its checks, as PowerShell groups; a long Details wraps in its column', (t) => {
  const text = render('Table', recorded.FileStoreCheck!, { width: 80, view: viewFor('FileStoreCheck') });
  t.false(text.includes('...'), 'nothing is cut');
  const lines = text.split('\n');
  t.deepEqual(lines.filter((l) => l.includes('Target:')), ['   Target: \\\\fs01.pchat.test\\pchat\\1-PersistentChatService-1', '   Target: \\\\fs02.pchat.test\\chat\\2-PersistentChatService-1']);
  t.is(lines.filter((l) => /^Check +Status +Details$/.test(l)).length, 2, 'each group has its header');
  const details = lines.find((l) => l.startsWith('Check'))!.indexOf('Details');
  const row = lines.findIndex((l) => l.startsWith('Dangerous ACEs'));
  t.regex(lines[row + 1]!, new RegExp(`^ {${details}}\\S`), 'the continuation hangs in the Details column');
  const plain = render('Table', recorded.FileStoreCheck!, { width: 200, view: viewFor('FileStoreCheck'), properties: ['Target', 'Check'] });
  t.false(plain.includes('Target:'), '-Property shows plain columns');
});

test('findings: the Target stays whole while the Message wraps under itself', (t) => {
  const text = render('Table', recorded.TopologyFinding!, { width: 80, view: viewFor('TopologyFinding') });
  const lines = text.split('\n');
  const message = lines.find((l) => l.startsWith('Severity'))!.indexOf('Message');
  const row = lines.findIndex((l) => l.startsWith('Error'));
  t.regex(lines[row]!, /^Error +18 sql01\.pchat\.test\\PCHAT +The SQL instance/);
  t.regex(lines[row + 1]!, new RegExp(`^ {${message}}\\S`));
});

test('nested records in a cell are summarised: counted by status, never raw JSON', (t) => {
  const text = render('Table', recorded.PublishResult!, { width: 200, view: viewFor('PublishResult') });
  t.true(text.includes('2 Done, 1 AlreadyDone, 1 Failed, 1 NotRun'));
  t.regex(text, /^Status\s+Revision\s+PreviousRevision\s+Summary\s+Steps\s+ToDo$/m);
  t.true(unwrapped(text).includes('Warning: Dangerous ACEs on \\\\fs01.pchat.test\\pchat\\1-PersistentChatService-1'), "the publish checks' actions follow the table");
});

test("Publish-Topology's to-do list follows the table in full at 80 columns: the column only counts it", (t) => {
  const result = recorded.PublishResult![0];
  const text = render('Table', [result], { width: 80, view: viewFor('PublishResult') });
  const todo = text.slice(text.indexOf('\nToDo\n----\n'));
  t.true(todo.length > 1, 'a ToDo heading under the table');
  for (const item of result.ToDo as string[]) t.true(unwrapped(todo).includes(`- ${item}`), `listed in full: ${item}`);
  for (const line of text.split('\n')) t.true(line.length <= 80, line);
  t.false(render('Table', [result], { width: 80, view: viewFor('PublishResult'), properties: ['Status'] }).includes('ToDo'), '-Property shows only what it names');
});

test('-Property picks the columns, in its order, case-insensitively, with wildcards; an unknown name is a blank column', (t) => {
  const text = render('Table', recorded.PersistentChatPool!, { width: 200, view: viewFor('PersistentChatPool'), properties: ['displayname', 'fqdn', '*SqlStore', 'Nope'] });
  const [header, dashes, first] = text.trim().split('\n');
  t.is(header, 'DisplayName  Fqdn              SqlStore               ComplianceSqlStore     BackupSqlStore BackupComplianceSqlStore Nope');
  t.is(dashes, '-----------  ----              --------               ------------------     -------------- ------------------------ ----');
  t.is(first, 'Redmond chat pool01.pchat.test sql01.pchat.test\\PCHAT sql01.pchat.test\\PCHAT');
  t.false(text.includes('RecommendedAction'));
  const list = render('List', recorded.PersistentChatPool!.slice(0, 1), { width: 80, properties: ['Fqdn', 'Computers'] });
  t.is(list, '\nFqdn      : pool01.pchat.test\nComputers : chat01.pchat.test, chat02.pchat.test\n\n');
});

test('columns that do not fit at 80 are named in a warning, never dropped silently', (t) => {
  const warnings: string[] = [];
  const properties = ['Fqdn', '*Store*'];
  const text = render('Table', recorded.PersistentChatPool!, { width: 80, view: viewFor('PersistentChatPool'), properties, warn: (m) => warnings.push(m) });
  const header = text.trim().split('\n')[0]!;
  t.false(header.includes('FileStore'), 'this table is too wide for 80 columns');
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /removed: .*FileStore/);
  t.regex(warnings[0]!, /-OutputFormat List/);
  const wide: string[] = [];
  render('Table', recorded.PersistentChatPool!, { width: 400, view: viewFor('PersistentChatPool'), properties, warn: (m) => wide.push(m) });
  t.deepEqual(wide, [], 'nothing to say when every column fits');
});

test('a list has a blank line between records, nested records as indented sub-lists, long values hanging under themselves', (t) => {
  const text = render('List', recorded.PublishResult!, { width: 80 });
  t.regex(text, /^Steps +:\n {4}Step +: Create folder\n/m, 'a sub-list indented under its name');
  t.regex(text, /\n {4}DurationMs +: 40\n\n {4}Step +: Set folder permissions/, 'a blank line between nested records');
  const summary = text.split('\n').findIndex((l) => l.startsWith('Summary'));
  const indent = text.split('\n')[summary]!.indexOf(': ') + 2;
  t.regex(text.split('\n')[summary + 1]!, new RegExp(`^ {${indent}}\\S`), 'the continuation starts under the value');
  const pools = render('List', recorded.PersistentChatPool!, { width: 80 });
  t.regex(pools, /NextHopPool +: fepool\.pchat\.test\n\nFqdn +: pool02/, 'records are separated by one blank line');
});

test('a type with no view shows every property; a missing property is a blank cell', (t) => {
  const text = renderTable([{ A: 1, B: 'x' }, { A: 22, C: true }], { width: 80 });
  t.is(text, ' A B C\n - - -\n 1 x\n22   True');
  t.is(renderTable([{ A: 1 }], { width: 80, properties: ['A', 'constructor', 'toString'] }), 'A constructor toString\n- ----------- --------\n1', 'only the object\'s own properties');
});

test('a cell shows control characters escaped, so a value cannot rewrite the terminal', (t) => {
  const table = renderTable([{ Name: 'a\u001b[31mred\u001b]0;title\u0007', Csi: '\u009b2J', Lines: 'line\nnext\tcol' }], { width: 120 });
  t.true(table.includes('a\\u001B[31mred\\u001B]0;title\\u0007'));
  t.true(table.includes('\\u009B2J'), 'the one-byte CSI too');
  t.true(table.includes('line next col'), 'a cell is one line: its line breaks and tabs are spaces');
  t.false(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(table));
  const list = renderList({ Name: 'x\u001by', Items: ['ok', 'x\u001by'] }, { width: 80 });
  t.is(list, 'Name  : x\\u001By\nItems : ok, x\\u001By');
});

test('a timestamp in a cell reads to the second and wraps between date and time; a list keeps it exact', (t) => {
  const summary = { Kind: 'Draft', Revision: 1, Product: 'SkypeForBusiness2015', Sites: ['Seattle', 'Dublin'], PersistentChatPools: [], ModifiedAt: '2026-12-06T22:42:27.326Z' };
  const text = renderTable([summary], { width: 80, view: viewFor('TopologySummary') });
  t.is(text.split('\n')[2], 'Draft        1 SkypeForBusiness2015 Seattle,                      2026-12-06');
  t.is(text.split('\n')[3], '                                    Dublin                        22:42:27Z');
  t.true(renderList(summary, { width: 80 }).includes('ModifiedAt          : 2026-12-06T22:42:27.326Z'));
});

test('objects of another kind start their own table: a tag names their view, else their shape does; JSON never shows the tag', (t) => {
  const check = recorded.FileStoreCheck!.find((r) => r.Status === 'Failed');
  const result = recorded.PublishResult![0];
  // Untagged check rows from a command whose view is the publish result: recognised by their columns.
  const text = render('Table', [check, result], { width: 120, view: viewFor('PublishResult') });
  t.regex(text, /^ {3}Target: .*\n\nCheck +Status +Details\n/m);
  t.regex(text, /^Status +Revision +PreviousRevision +Summary +Steps +ToDo$/m);
  const pool = withView({ ...recorded.PersistentChatPool![0] }, 'PersistentChatPool');
  const tagged = render('Table', [pool], { width: 200, view: viewFor('TopologyFinding') });
  t.regex(tagged, /^Fqdn +Site +Computers +DefaultForSite +SqlStore +FileStore$/m);
  t.is(render('Json', [pool], { width: 80 }), JSON.stringify(recorded.PersistentChatPool![0]) + '\n');
  t.deepEqual(Object.keys(pool), Object.keys(recorded.PersistentChatPool![0]));
});

test('wide characters take two columns: a site named in Japanese keeps the next column in line, and wraps within the width', (t) => {
  const text = renderTable([{ Name: '東京', City: 'Tōkyō', Notes: 'x' }, { Name: 'Redmond', City: 'Redmond', Notes: 'y' }], { width: 80 });
  t.is(text, 'Name    City    Notes\n----    ----    -----\n東京    Tōkyō   x\nRedmond Redmond y');
  const long = renderTable([{ Rule: 1, Message: '東京サイトには既定のパーシステント チャット プールがありません。'.repeat(3) }], { width: 40 });
  for (const line of long.split('\n')) t.true(textWidth(line) <= 40, line);
  t.is(textWidth('e\u0301'), 1, 'a combining accent takes no column');
});
