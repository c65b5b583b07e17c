// Where Export-Topology -Path leads (lib/topology/xml/export-json.ts resolveExportTarget), decided
// without writing or opening anything. Everything is made in a private temp folder.
import test from 'ava';
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ErrorRecord, ExitCode } from '../../lib/cmdlet/errors.js';
import { resolveExportTarget } from '../../lib/topology/xml/export-json.js';
import { skipSuite } from '../support/skip.js';

async function work(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-export-target-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function refusal(t: { fail(m: string): void }, p: string): Promise<ErrorRecord> {
  const e = await resolveExportTarget(p).then(() => undefined, (x: unknown) => x);
  if (!(e instanceof ErrorRecord)) throw new Error(`expected an ErrorRecord for '${p}', got ${String(e)}`);
  return e;
}

test('regular, new and linked files are replaced atomically in their real folder; a dangling link leads to its target', async (t) => {
  const dir = await work(t);
  await mkdir(path.join(dir, 'real'));
  await writeFile(path.join(dir, 'real', 'old.json'), 'old');
  await symlink(path.join(dir, 'real', 'old.json'), path.join(dir, 'link'));
  await symlink('real/new.json', path.join(dir, 'dangling'));
  await symlink('dangling', path.join(dir, 'chain'));
  t.like(await resolveExportTarget(path.join(dir, 'real', 'old.json')), { kind: 'replace', file: path.join(dir, 'real', 'old.json') });
  t.like(await resolveExportTarget(path.join(dir, 'fresh.json')), { kind: 'replace', file: path.join(dir, 'fresh.json') });
  t.like(await resolveExportTarget(path.join(dir, 'link')), { kind: 'replace', file: path.join(dir, 'real', 'old.json') });
  t.like(await resolveExportTarget(path.join(dir, 'dangling')), { kind: 'replace', file: path.join(dir, 'real', 'new.json') });
  t.like(await resolveExportTarget(path.join(dir, 'chain')), { kind: 'replace', file: path.join(dir, 'real', 'new.json') });
  t.deepEqual((await readdir(dir)).sort(), ['chain', 'dangling', 'link', 'real'], 'nothing created');
});

test("'-' is stdout; '' is a usage error; a FIFO is written in place; a link loop is an error", async (t) => {
  const dir = await work(t);
  t.like(await resolveExportTarget('-'), { kind: 'stdout' });
  const empty = await refusal(t, '');
  t.is(empty.errorId, 'ExportPathEmpty');
  t.is(empty.exitCode, ExitCode.Usage);
  await execa('mkfifo', [path.join(dir, 'fifo')]);
  await symlink('fifo', path.join(dir, 'to-fifo'));
  t.like(await resolveExportTarget(path.join(dir, 'to-fifo')), { kind: 'inPlace', file: path.join(dir, 'fifo'), openFile: false });
  await symlink('b', path.join(dir, 'a'));
  await symlink('a', path.join(dir, 'b'));
  t.is((await refusal(t, path.join(dir, 'a'))).errorId, 'ExportFileNotWritten');
});

test('a block device is refused (exit 2), never opened', async (t) => {
  const dir = await work(t);
  const dev = path.join(dir, 'disk');
  // An unused loop-device number; the node is only looked at (lstat), never opened.
  const made = await execa('mknod', [dev, 'b', '7', '250']).then(() => true, () => false);
  if (!made) {
    t.log(skipSuite('unit/export-target: a block device', 'mknod is not permitted here, so there is no block device to check', { optional: true }));
    t.pass();
    return;
  }
  const e = await refusal(t, dev);
  t.is(e.errorId, 'ExportPathIsBlockDevice');
  t.is(e.exitCode, ExitCode.Usage);
});
