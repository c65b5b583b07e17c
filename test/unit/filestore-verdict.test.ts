// Test-FileStore's verdicts on a DACL the account cannot read: what it is told to do.
import test from 'ava';
import { appendVerdicts } from '../../lib/probes/smb/filestore-verdict.js';
import { CHECK } from '../../lib/probes/smb/filestore-test.js';
import { PUBLISH_POLICY } from '../../lib/probes/dacl/policy.js';

function verdicts(poolFolder: boolean) {
  const rows: { check: string; status: string; action: string }[] = [];
  const where = '\\\\fs01.pchat.test\\pchat\\1-PersistentChatService-1';
  appendVerdicts(
    {
      target: { server: 'fs01.pchat.test', share: 'pchat' },
      folder: '1-PersistentChatService-1',
      where,
      folderMissing: false,
      published: true,
      user: 'pchatnobody',
      policy: [...PUBLISH_POLICY],
      comparePolicy: true,
      sec: { ok: false, failure: { stage: 'access', status: 'NT_STATUS_ACCESS_DENIED', message: 'Failed to open \\1-PersistentChatService-1: NT_STATUS_ACCESS_DENIED' } },
      poolFolder,
    },
    (check, status, _details, action) => rows.push({ check, status, action: action ?? '' }),
  );
  return rows;
}

test('a pool folder whose DACL the account cannot read: no row advises a grant that the next publish removes', (t) => {
  const rows = verdicts(true).filter((r) => r.status !== 'Passed');
  t.deepEqual(rows.map((r) => r.check).sort(), [CHECK.dacl, CHECK.rights, CHECK.publish, CHECK.policy, CHECK.dangerous].sort());
  for (const r of rows) {
    t.notRegex(r.action, /Grant pchatnobody/, `${r.check} advises a grant publish would remove: ${r.action}`);
    t.regex(r.action, /publish policy \(.*(RTCUniversalConfigReplicator|Administrators)/, r.check);
  }
});

test('a folder that is not a pool folder: the account is told to get read access there', (t) => {
  const rows = verdicts(false).filter((r) => r.check === CHECK.policy || r.check === CHECK.dangerous);
  for (const r of rows) t.regex(r.action, /Grant pchatnobody .*Read/, r.check);
});
