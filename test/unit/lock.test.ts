// What a command is told when the repository is locked by another process.
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lockTimeoutMs, withLock } from '../../lib/topology/lock.js';
import { run } from '../support/cli.js';

test('a lock held by a live process, with no wait (the publish lock): said without "stayed locked for 0 ms"', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, '.publish.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), since: '2026-12-06T23:56:27.252Z' }));
  const e = await t.throwsAsync(withLock(dir, async () => undefined, { name: '.publish.lock', timeoutMs: 0 }));
  t.regex(e!.message, new RegExp(`is locked by process ${process.pid} on .* since 2026-12-06T23:56:27\\.252Z\\.$`));
  t.notRegex(e!.message, /0 ms/);
  const waited = await t.throwsAsync(withLock(dir, async () => undefined, { name: '.publish.lock', timeoutMs: 50 }));
  t.regex(waited!.message, /stayed locked for 50 ms\.$/);
});

test('PCHAT_LOCK_TIMEOUT_MS: a whole number of milliseconds from 0 to a day; unset or empty is 15 s', (t) => {
  t.is(lockTimeoutMs({}), 15_000);
  t.is(lockTimeoutMs({ PCHAT_LOCK_TIMEOUT_MS: '' }), 15_000);
  t.is(lockTimeoutMs({ PCHAT_LOCK_TIMEOUT_MS: '0' }), 0);
  t.is(lockTimeoutMs({ PCHAT_LOCK_TIMEOUT_MS: ' 400 ' }), 400);
  t.is(lockTimeoutMs({ PCHAT_LOCK_TIMEOUT_MS: '86400000' }), 86_400_000);
  for (const bad of ['abc', '-1', '1.5', '15s', '1e4', '0x10', '86400001', '99999999999999999999']) {
    const e = t.throws(() => lockTimeoutMs({ PCHAT_LOCK_TIMEOUT_MS: bad }), undefined, bad) as unknown as { exitCode: number; message: string; recommendedAction: string };
    t.is(e.exitCode, 2, bad);
    t.true(e.message.startsWith(`PCHAT_LOCK_TIMEOUT_MS='${bad}' is not a whole number of milliseconds from 0 to 86400000`), e.message);
    t.regex(e.recommendedAction, /from 0 \(do not wait\) to 86400000 \(24 hours\), or unset it for the default, 15000/);
  }
});

test('an invalid PCHAT_LOCK_TIMEOUT_MS is a usage error (exit 2) before anything is written, -WhatIf included', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const env = { PCHAT_REPOSITORY: dir };
  t.is((await run(['New-Topology', '-Force'], { env })).exitCode, 0);
  const draft = await readFile(path.join(dir, 'draft.json'));
  for (const args of [['New-Site', '-Name', 'Dublin'], ['New-Site', '-Name', 'Dublin', '-WhatIf']]) {
    const r = await run(args, { env: { ...env, PCHAT_LOCK_TIMEOUT_MS: '15s' } });
    t.is(r.exitCode, 2, args.join(' '));
    t.regex(r.stderr, /PCHAT_LOCK_TIMEOUT_MS='15s' is not a whole number of milliseconds from 0 to 86400000/);
    t.regex(r.stderr, /LockTimeoutInvalid,New-Site/);
    t.is(r.stdout, '');
  }
  t.deepEqual(await readFile(path.join(dir, 'draft.json')), draft, 'the draft is unchanged');
});
