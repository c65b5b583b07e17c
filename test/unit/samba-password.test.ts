// A password Samba's tools cannot read from their pipe is refused, never handed over in their environment.
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

test.serial('a password over 120 bytes or with a line break is refused (exit 2) and no Samba tool starts', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pchat-fake-samba-'));
  const marker = path.join(dir, 'started');
  // A stand-in smbclient that only records that it was started, and with which environment.
  await writeFile(path.join(dir, 'smbclient'), `#!/bin/sh\nenv > '${marker}'\nexit 1\n`, { mode: 0o755 });
  const saved = process.env.PCHAT_SAMBA_BINDIR;
  process.env.PCHAT_SAMBA_BINDIR = dir;
  try {
    const { runSambaTool } = await import('../../lib/probes/smb/samba-exec.js');
    for (const [i, password] of ['x'.repeat(121), 'first\nsecond'].entries()) {
      const target = { server: `fake${i}.pchat.test`, share: 'pchat', credential: { userName: 'CONTOSO\\admin', password }, timeoutMs: 2000 };
      const e = await t.throwsAsync(runSambaTool('smbclient', target, ['-c', 'ls']));
      t.is((e as unknown as { errorId: string }).errorId, 'SmbPasswordNotPipeable');
      t.is((e as unknown as { exitCode: number }).exitCode, 2);
      t.false(e!.message.includes(password), 'the message repeats the password');
    }
    await t.throwsAsync(readFile(marker), undefined, 'a Samba tool was started with the password');
  } finally {
    if (saved === undefined) delete process.env.PCHAT_SAMBA_BINDIR;
    else process.env.PCHAT_SAMBA_BINDIR = saved;
    await rm(dir, { recursive: true, force: true });
  }
});
