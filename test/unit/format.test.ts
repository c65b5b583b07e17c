// Table and List output on a terminal: what a value may do to the terminal that shows it.
import test from 'ava';
import { cell } from '../../lib/cmdlet/format.js';

test('a cell shows control characters escaped, so a value cannot rewrite the terminal; line breaks and tabs stay', (t) => {
  t.is(cell('a\u001b[31mred\u001b]0;title\u0007'), 'a\\u001B[31mred\\u001B]0;title\\u0007');
  t.is(cell('\u009b2J'), '\\u009B2J', 'the one-byte CSI too');
  t.is(cell('line\nnext\tcol'), 'line\nnext\tcol');
  t.is(cell(['ok', 'x\u001by']), '{ok, x\\u001By}');
});
