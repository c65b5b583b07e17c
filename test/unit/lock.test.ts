// What a command is told when the repository is locked by another process.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withLock } from '../../lib/topology/lock.js';

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
