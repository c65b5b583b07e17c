// Every publish step kind names the checks that prove its preconditions, and the file store and SQL
// ones are rows the Test-* commands really print: a new step kind without them fails here.
import test from 'ava';
import { STEP_KINDS } from '../../lib/publish/plan.js';
import { STEP_PRECONDITIONS, probeChecksOf } from '../../lib/publish/preconditions.js';
import { CHECK } from '../../lib/probes/smb/filestore-test.js';
import { SQL_CHECK } from '../../lib/probes/sql/types.js';

test('every step kind has checks that cover its preconditions', (t) => {
  for (const kind of STEP_KINDS) {
    const p = STEP_PRECONDITIONS[kind];
    t.truthy(p, `${kind} has no preconditions`);
    t.true(p.checks.length > 0, `${kind} names no check`);
    t.true(p.needs.length > 0);
  }
  t.deepEqual(Object.keys(STEP_PRECONDITIONS).sort(), [...STEP_KINDS].sort());
});

test('the environment steps are covered by rows of Test-FileStore and Test-SqlStore', (t) => {
  const rows = new Set<string>([...Object.values(CHECK), ...Object.values(SQL_CHECK)]);
  for (const kind of ['CreateFolder', 'SetFolderPermissions', 'CreateDatabase'] as const) {
    for (const c of STEP_PRECONDITIONS[kind].checks) t.true(rows.has(c), `${kind}: '${c}' is no check row`);
    t.true(probeChecksOf(kind).length > 0);
  }
  t.true(STEP_PRECONDITIONS.SetFolderPermissions.checks.includes(CHECK.principals));
  t.true(STEP_PRECONDITIONS.CreateFolder.checks.includes(CHECK.poolFolders));
  t.true(STEP_PRECONDITIONS.CreateDatabase.checks.includes(SQL_CHECK.CreateRight));
});
