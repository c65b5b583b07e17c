// Who made a user, group or process: the test run. npm test (test/support/run-tests.sh) gives the whole
// run one PCHAT_TEST_RUN_ID and removes what carries it at the end (test/support/cleanup-run.ts); a test
// file run on its own (npx ava <file>) gets an id of its own and removes its accounts when it exits.
// Other clones on this machine run the same tests at the same time: a run only ever touches its own names.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';

/** What every user and group made by the tests starts with, before the run's id. */
export const ACCOUNT_PREFIX = 'pctest';

const inherited = process.env.PCHAT_TEST_RUN_ID;
const valid = (id: string | undefined): id is string => !!id && /^[a-z0-9]{5}$/.test(id);

/** A fresh run id: 5 characters of [a-z0-9], so that `pctest<id>-<role>` stays within Samba's 20-character account names. */
export function newRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

export const RUN_ID = valid(inherited) ? inherited : newRunId();

/** The Unix user or group name for `role` (at most 6 characters) in this run. */
export function testAccountName(role: string): string {
  if (!/^[a-z]{1,6}$/.test(role)) throw new Error(`test account role '${role}': 1-6 lower-case letters`);
  return `${ACCOUNT_PREFIX}${RUN_ID}-${role}`;
}

function names(db: 'passwd' | 'group', runId: string): string[] {
  const r = spawnSync('getent', [db], { encoding: 'utf8' });
  const mine = `${ACCOUNT_PREFIX}${runId}-`;
  return (r.stdout ?? '').split('\n').map((l) => l.split(':')[0]!).filter((n) => n.startsWith(mine));
}

/** Removes the users and groups of run `runId` (and with them their memberships); says what could not be removed. */
export function removeRunAccounts(runId = RUN_ID): string[] {
  if (!valid(runId)) return [];
  const problems: string[] = [];
  // userdel also removes the user's own group (USERGROUPS_ENAB); retried while another run holds /etc/passwd's lock.
  const del = (cmd: string, name: string, ...opts: string[]) => {
    for (let i = 0; i < 100; i++) {
      const r = spawnSync(cmd, [...opts, name], { encoding: 'utf8' });
      if (r.status === 0 || r.status === 6) return; // 6: no such user/group (already gone)
      if (r.status !== 10 && !/lock/i.test(r.stderr ?? '')) return void problems.push(`${cmd} ${name}: ${(r.stderr ?? '').trim()}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    problems.push(`${cmd} ${name}: /etc/passwd stayed locked`);
  };
  // -f: a test file run on its own removes its accounts in its exit handler, which may run before the
  // fixture's own one has killed the smbd processes serving as those users.
  for (const u of names('passwd', runId)) del('userdel', u, '-f');
  for (const g of names('group', runId)) del('groupdel', g);
  return problems;
}

let registered = false;
/** Called before the first account is made: a test file run on its own removes its accounts at exit. */
export function removeAccountsAtExit(): void {
  if (registered || valid(inherited)) return;
  registered = true;
  process.on('exit', () => {
    for (const p of removeRunAccounts()) console.error(p);
  });
}
