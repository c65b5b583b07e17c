// Every publish step kind names the checks that prove its preconditions, and the file store and SQL
// ones are rows the Test-* commands really print: a new step kind without them fails here.
import test from 'ava';
import { STEP_KINDS, planPublish } from '../../lib/publish/plan.js';
import { describePolicy } from '../../lib/probes/dacl/policy.js';
import { pool, topology } from '../support/topology-builder.js';
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

test("a single-computer pool's local folder: the to-do names the policy publish would set, the built-in groups or the file's", (t) => {
  const local = topology((tp) => {
    const p = pool(tp);
    Object.assign(p, { fqdn: 'pchat01.contoso.com', computerType: 'Single', computers: ['pchat01.contoso.com'], fileStore: 'D:\\PChatFiles' });
  });
  const todo = (opts: Parameters<typeof planPublish>[2]) => planPublish(local, undefined, opts).todo.find((l) => /local folder/.test(l)) ?? '';
  t.regex(todo({}), /grant Modify to RTCHSUniversalServices, RTCComponentUniversalServices and RTCUniversalServerAdmins/);
  const custom = todo({ policy: describePolicy('/etc/pchat/policy.json'), policyIsFile: true });
  t.regex(custom, /give it the ACEs of the file store policy in '\/etc\/pchat\/policy\.json'/);
  t.notRegex(custom, /RTCHSUniversalServices/);
  t.is(planPublish(local, undefined, {}).fileProbes.length, 0, 'no share to set a policy on');
});
