// What an administrator trying the tool for the first time runs: help in PowerShell's words, wrong input, copies.
import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../support/cli.js';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-first-use-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('Get-Help alone, help help and help -? list the commands, as PowerShell\'s Get-Help alone explains help', async (t) => {
  for (const args of [['Get-Help'], ['get-help'], ['help', 'help'], ['help', 'Get-Help'], ['help', '-?']]) {
    const r = await run(args);
    t.is(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
    t.is(r.stderr, '', args.join(' '));
    t.regex(r.stdout, /^Usage: pchat <Command>/, args.join(' '));
    t.regex(r.stdout, /^\s+New-PersistentChatPool\s/m, args.join(' '));
  }
});
