// Table and List output on a terminal: what a value may do to the terminal that shows it.
import test from 'ava';
import { renderList, renderTable } from '../../lib/cmdlet/format.js';

test('a cell shows control characters escaped, so a value cannot rewrite the terminal', (t) => {
  const table = renderTable([{ Name: 'a\u001b[31mred\u001b]0;title\u0007', Csi: '\u009b2J', Lines: 'line\nnext\tcol' }], { width: 120 });
  t.true(table.includes('a\\u001B[31mred\\u001B]0;title\\u0007'));
  t.true(table.includes('\\u009B2J'), 'the one-byte CSI too');
  t.true(table.includes('line next col'), 'a cell is one line: its line breaks and tabs are spaces');
  t.false(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(table));
  const list = renderList({ Name: 'x\u001by', Items: ['ok', 'x\u001by'] }, { width: 80 });
  t.is(list, 'Name  : x\\u001By\nItems : ok, x\\u001By');
});
