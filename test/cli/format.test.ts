// Table and List output through the real executables: a table forced into a pipe or file (what a person
// pastes into a ticket, or `less`) is sized to COLUMNS, else 120, and JSON lines stay every property.
import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../support/cli.js';

async function topology(t: ExecutionContext): Promise<(args: string[], env?: Record<string, string | undefined>) => ReturnType<typeof run>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-format-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const inRepo = (args: string[], env: Record<string, string | undefined> = {}) => run(args, { env: { PCHAT_REPOSITORY: path.join(dir, 'r'), COLUMNS: undefined, ...env } });
  for (const args of [
    ['New-Topology'],
    ['New-Site', '-Name', 'Redmond'],
    ['New-FrontEndPool', '-Fqdn', 'fepool.pchat.test', '-Site', 'Redmond', '-Computer', 'fe01.pchat.test'],
    // Five computers without disaster recovery: a Warning finding (rule 7) with a recommended action.
    ['New-PersistentChatPool', '-Fqdn', 'pool01.pchat.test', '-Site', 'Redmond', '-Computer', 'chat01.pchat.test,chat02.pchat.test,chat03.pchat.test,chat04.pchat.test,chat05.pchat.test',
      '-DisplayName', 'Redmond chat', '-NextHopPool', 'fepool.pchat.test', '-SqlServerFqdn', 'sql01.pchat.test', '-SqlInstance', 'PCHAT',
      '-FileServerFqdn', 'fs01.pchat.test', '-FileShare', 'pchat', '-DefaultForSite'],
  ]) {
    const r = await inRepo(args);
    t.is(r.exitCode, 0, r.stderr);
  }
  return inRepo;
}

const widest = (s: string) => Math.max(...s.split('\n').map((l) => l.length));

test('-OutputFormat Table into a pipe: 120 columns without COLUMNS, COLUMNS when set; every column of the view, nothing cut', async (t) => {
  const inRepo = await topology(t);
  const wide = await inRepo(['Get-PersistentChatPool', '-OutputFormat', 'Table']);
  t.is(wide.exitCode, 0, wide.stderr);
  t.regex(wide.stdout, /^Fqdn +Site +Computers +DefaultForSite +SqlStore +FileStore$/m);
  t.regex(wide.stdout, /^pool01\.pchat\.test +Redmond +chat01\.pchat\.test, +True +sql01\.pchat\.test\\PCHAT +\\\\fs01\.pchat\.test\\pchat\n +chat02\.pchat\.test,$/m, 'the computers wrap in their cell; the names and stores stay whole');
  t.true(widest(wide.stdout) <= 120 && widest(wide.stdout) > 80, `sized to 120 columns: ${widest(wide.stdout)}`);
  t.false(wide.stdout.includes('...'));

  const narrow = await inRepo(['Get-PersistentChatPool', '-OutputFormat', 'Table'], { COLUMNS: '80' });
  t.is(narrow.exitCode, 0, narrow.stderr);
  t.true(widest(narrow.stdout) <= 80, narrow.stdout);
  t.regex(narrow.stdout, /^Fqdn +Site +Computers +DefaultForSite +SqlStore +FileStore$/m, 'the same six columns, wrapped');
  for (const computer of ['chat01', 'chat02', 'chat03', 'chat04', 'chat05']) t.true(narrow.stdout.includes(`${computer}.pchat.test`), `${computer} shown whole`);
});

test('Test-Topology as a table: the findings, then each one\'s recommended action in full', async (t) => {
  const inRepo = await topology(t);
  const r = await inRepo(['Test-Topology', '-OutputFormat', 'Table'], { COLUMNS: '80' });
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^Severity +Rule +Target +Message$/m);
  t.regex(r.stdout, /^RecommendedAction\n-+\nWarning: rule 7 on pool01\.pchat\.test\n {4}Keep at most 4 computers/m);
  t.true(widest(r.stdout) <= 80);
});

test('-Property picks Table and List columns; JSON lines keep every property and say so; -Pro still means -Product', async (t) => {
  const inRepo = await topology(t);
  const table = await inRepo(['Get-PersistentChatPool', '-Property', 'fqdn,DisplayName', '-OutputFormat', 'Table']);
  t.is(table.stdout, '\nFqdn              DisplayName\n----              -----------\npool01.pchat.test Redmond chat\n\n');
  const list = await inRepo(['Get-PersistentChatPool', '-Property', 'Fqdn,Port', '-of', 'List']);
  t.is(list.stdout, '\nFqdn : pool01.pchat.test\nPort : 5041\n\n');
  const json = await inRepo(['Get-PersistentChatPool', '-Property', 'Fqdn']);
  t.is(json.exitCode, 0);
  t.true(Object.keys(json.objects[0]).length > 10, 'JSON is every property');
  t.regex(json.stderr, /^WARNING: -Property chooses what Table and List output show/m);
  const prefix = await inRepo(['New-Topology', '-Pro', 'Lync2013', '-Force']);
  t.is(prefix.exitCode, 0, prefix.stderr);
  t.is(prefix.objects[0].Product, 'Lync2013');
});
