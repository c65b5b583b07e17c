// The run's log (lib/cmdlet/log.ts): redaction copies and never mutates, scrubs secrets at any depth and
// inside strings; -LogFile writes JSON lines with the run id through winston and has them on disk when
// the process ends.
import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogSink, redact, redactString } from '../../lib/cmdlet/log.js';

const SECRET = 'S3cr3t!pw';
const logModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lib/cmdlet/log.js');

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-log-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('redact copies: the caller\'s object is untouched', (t) => {
  const config = { server: 'sql01.contoso.com', authentication: { type: 'default', options: { userName: 'svc', password: SECRET } }, options: { port: 1433 } };
  const before = structuredClone(config);
  const copy = redact(config) as typeof config;
  t.deepEqual(config, before, 'the original still has its password (an mssql config logged before connecting must still work)');
  t.not(copy, config);
  t.not(copy.authentication, config.authentication);
  t.is(copy.authentication.options.password, '[REDACTED]');
  t.is(copy.authentication.options.userName, 'svc');
  t.is(copy.options.port, 1433, 'other values are kept as they are');
});

test('redact: secret keys at any depth, in objects and arrays', (t) => {
  const value = {
    password: SECRET,
    Pwd: SECRET,
    nested: { list: [{ ClientSecret: SECRET }, { deeper: { AccessToken: SECRET } }] },
    ConnectionString: `Server=sql01;User Id=svc;Password=${SECRET}`,
    Authorization: `Basic ${SECRET}`,
    credential: { user: 'svc', secret: SECRET },
    count: 3,
    enabled: true,
    nothing: null,
  };
  const out = redact(value);
  t.false(JSON.stringify(out).includes(SECRET), JSON.stringify(out));
  t.like(out as object, { count: 3, enabled: true, nothing: null });
});

test('redact: a secret below the depth limit is still gone', (t) => {
  let deep: Record<string, unknown> = { note: `token for later: password=${SECRET}` };
  for (let i = 0; i < 20; i++) deep = { child: deep };
  t.false(JSON.stringify(redact(deep)).includes(SECRET));
});

test('redact: registered secrets are scrubbed from any string value, under any key', (t) => {
  const out = redact({ message: `login failed for svc with ${SECRET} at sql01`, args: ['-U', `svc%${SECRET}`] }, [SECRET]);
  t.false(JSON.stringify(out).includes(SECRET));
  t.regex(JSON.stringify(out), /login failed for svc with \[REDACTED\] at sql01/);
});

test('redactString: connection strings, SMB URLs and registered secrets', (t) => {
  t.is(redactString(`Server=sql01;Password=${SECRET};Database=mgc`), 'Server=sql01;Password=[REDACTED];Database=mgc');
  t.is(redactString(`Server=sql01;pwd = ${SECRET}`), 'Server=sql01;pwd=[REDACTED]');
  t.is(redactString(`smb://CONTOSO%5Csvc:${SECRET}@fs01.contoso.com/pchat`), 'smb://CONTOSO%5Csvc:[REDACTED]@fs01.contoso.com/pchat');
  t.is(redactString(`smbclient -U svc%${SECRET} //fs01/pchat`, [SECRET]), 'smbclient -U svc%[REDACTED] //fs01/pchat');
  t.is(redactString('nothing secret here'), 'nothing secret here');
  // An address already masked keeps the rest of its message; an unmasked one loses it, not the secret.
  t.is(redactString('holds a password (sqlserver://sa@sql01/t?password=***&encrypt=strict); it is refused'), 'holds a password (sqlserver://sa@sql01/t?password=***&encrypt=strict); it is refused');
  t.is(redactString(`(sqlserver://sa@sql01/t?pwd=***${SECRET}); refused`), '(sqlserver://sa@sql01/t?pwd=[REDACTED]; refused');
});

test('LogSink: console lines carry PowerShell prefixes, only at the asked level, secrets scrubbed', (t) => {
  let stderr = '';
  const log = new LogSink({ commandName: 'Test-SqlStore', runId: 'r1', verbose: true, debug: false, stderr: (s) => void (stderr += s) });
  log.addSecret(SECRET);
  log.warning(`login as svc/${SECRET} was slow`);
  log.verbose('connecting');
  log.debug('tds packet 1');
  log.info('not for the console');
  t.is(stderr, 'WARNING: login as svc/[REDACTED] was slow\nVERBOSE: connecting\n');
});

test('-LogFile: JSON lines with run id, command and level; secrets scrubbed from messages and meta', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'run.log');
  const log = new LogSink({ commandName: 'Test-SqlStore', runId: 'run-42', verbose: false, debug: false, logFile: file, stderr: () => {} });
  log.addSecret(SECRET);
  const meta = { config: { server: 'sql01', password: SECRET }, note: `pw ${SECRET}` };
  log.info('connecting', meta);
  log.verbose(`using ${SECRET}`);
  log.debug('detail');
  log.warning('slow');
  log.error('failed', { errorId: 'SqlLoginFailed' });
  await log.close();
  t.is(meta.config.password, SECRET, 'the logged object was not changed');
  const text = await readFile(file, 'utf8');
  t.false(text.includes(SECRET), text);
  const lines = text.trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(lines.map((l) => l.level), ['info', 'verbose', 'debug', 'warning', 'error'], 'every level reaches the file, in order');
  for (const l of lines) {
    t.is(l.runId, 'run-42');
    t.is(l.cmdlet, 'Test-SqlStore');
    t.false(Number.isNaN(Date.parse(l.timestamp)), 'timestamped');
  }
  t.is(lines[0].config.server, 'sql01');
  t.is(lines[4].errorId, 'SqlLoginFailed');
});

test('-LogFile: every line is on disk when the process ends right after close()', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'job.log');
  const script = `
    const { LogSink } = await import(${JSON.stringify(logModule)});
    const log = new LogSink({ commandName: 'Publish-Topology', runId: 'job-1', verbose: false, debug: false, logFile: process.argv[1], stderr: () => {} });
    for (let i = 0; i < 2000; i++) log.verbose('step ' + i, { i, padding: 'x'.repeat(200) });
    await log.close();
    process.exit(0);`;
  const r = await execa(process.execPath, ['--input-type=module', '-e', script, file], { reject: false, timeout: 30_000 });
  t.is(r.exitCode, 0, r.stderr);
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  t.is(lines.length, 2000);
  t.is(JSON.parse(lines[1999]!).message, 'step 1999');
});

test('winston is loaded only when there is a log file', async (t) => {
  const dir = await tempDir(t);
  const script = `
    const { LogSink } = await import(${JSON.stringify(logModule)});
    const { createRequire } = await import('node:module');
    const file = process.argv[1] || undefined;
    const log = new LogSink({ commandName: 'Get-Topology', runId: 'x', verbose: false, debug: false, logFile: file, stderr: () => {} });
    log.info('hello'); log.warning('w');
    await log.close();
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/winston/'));
    process.stdout.write(String(loaded));`;
  const loaded = async (file: string) => {
    const r = await execa(process.execPath, ['--input-type=module', '-e', script, file], { reject: false, timeout: 30_000 });
    t.is(r.exitCode, 0, r.stderr);
    return r.stdout;
  };
  t.is(await loaded(''), 'false', 'without -LogFile');
  t.is(await loaded(path.join(dir, 'x.log')), 'true', 'with -LogFile (the check can see winston)');
});

test('-LogFile: a line that arrives after close() (a SQL connection closing) is dropped without a warning', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'job.log');
  let stderr = '';
  const log = new LogSink({ commandName: 'Get-Topology', runId: 'r', verbose: false, debug: false, logFile: file, stderr: (s) => void (stderr += s) });
  log.info('during');
  await log.close();
  log.debug('tedious: connection closed');
  await new Promise((r) => setTimeout(r, 200));
  t.is(stderr, '');
  t.deepEqual((await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).message), ['during']);
});

test('-LogFile that cannot be written: one warning on stderr, the run goes on', async (t) => {
  const dir = await tempDir(t);
  let stderr = '';
  const log = new LogSink({ commandName: 'Get-Topology', runId: 'r', verbose: false, debug: false, logFile: dir, stderr: (s) => void (stderr += s) });
  log.info('one');
  log.info('two');
  await log.close();
  t.regex(stderr, new RegExp(`^WARNING: Cannot write the log file '${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}': EISDIR`));
  t.is(stderr.split('\n').filter(Boolean).length, 1, 'reported once');
});
