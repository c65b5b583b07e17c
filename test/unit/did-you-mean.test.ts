// The one "Did you mean" distance, for parameters, commands and the topology's names.
import test from 'ava';
import { closestNames, editDistance, similar } from '../../lib/cmdlet/did-you-mean.js';
import { fqdnProblem, shown } from '../../lib/cmdlet/validators.js';

test('editDistance counts insertions, deletions and substitutions, and stops past its limit', (t) => {
  t.is(editDistance('Redmnod', 'Redmond'), 2);
  t.is(editDistance('', 'abc'), 3);
  t.is(editDistance('kitten', 'sitting'), 3);
  t.true(editDistance('a'.repeat(50), 'b'.repeat(50), 2) > 2);
  t.true(similar('fqdn', 'Fqdnn'.toLowerCase()));
});

test('closestNames: nearest first, case-insensitive, never the same name in another case, longer names allow more edits', (t) => {
  t.deepEqual(closestNames('Redmnod', ['Dublin', 'Redmond', 'Redmont']), ['Redmond'], 'Redmont is three edits away');
  t.deepEqual(closestNames('abcd', ['abxx', 'abcx']), ['abcx', 'abxx']);
  t.deepEqual(closestNames('redmond', ['Redmond']), []);
  t.deepEqual(closestNames('fepol.contoso.cm', ['fepool.contoso.com', 'sql01.contoso.com']), ['fepool.contoso.com']);
  t.deepEqual(closestNames('Tokyo', ['Redmond', 'Dublin']), []);
});

test('fqdnProblem says what is wrong, and nothing for a valid FQDN', (t) => {
  t.is(fqdnProblem('pchat01.contoso.com'), undefined);
  t.is(fqdnProblem('pchat01.contoso.com.'), undefined);
  t.regex(fqdnProblem(`${'x'.repeat(64)}.contoso.com`)!, /label 1 .* is 64 characters long/);
  t.regex(fqdnProblem('a.b-.com')!, /label 2 \('b-'\) ends with a hyphen/);
  t.regex(fqdnProblem('pc 1.contoso.com')!, /holds 'a space'/);
  t.regex(fqdnProblem('münchen.contoso.com')!, /xn--mnchen-3ya\.contoso\.com/);
  t.regex(fqdnProblem('host.123')!, /last label is all digits/);
});

test('shown cuts a long value to 80 characters and says how long it was', (t) => {
  t.is(shown('short'), 'short');
  t.is(shown('y'.repeat(80)), 'y'.repeat(80));
  t.is(shown('y'.repeat(81)), `${'y'.repeat(77)}... (81 characters)`);
});
