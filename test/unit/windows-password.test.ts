// The Windows backend hands the file store password to PowerShell on its stdin, never in its argv or
// environment, where any process of the same user (and process-auditing tools) can read it.
import test from 'ava';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { windowsBackend } from '../../lib/probes/smb/windows-backend.js';

test.serial('New-SmbMapping gets the password on stdin; no powershell.exe sees it in argv or environment', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pchat-fake-powershell-'));
  // A stand-in powershell.exe that records each call (argv, environment, stdin) and answers with an SDDL.
  await writeFile(
    path.join(dir, 'powershell.exe'),
    `#!/bin/sh
n=$(ls '${dir}' | grep -c '^call-')
out='${dir}'/call-$n
for a in "$@"; do printf '%s\\n' "$a"; done > "$out.argv"
env > "$out.env"
cat > "$out.stdin"
echo 'O:BAG:BAD:P(A;OICI;FA;;;BA)'
`,
    { mode: 0o755 },
  );
  const savedPath = process.env.PATH;
  process.env.PATH = `${dir}${path.delimiter}${savedPath ?? ''}`;
  t.teardown(async () => {
    process.env.PATH = savedPath;
    await rm(dir, { recursive: true, force: true });
  });
  // Not ASCII, with characters a shell or PowerShell would interpret: it must arrive byte for byte.
  const password = 'Pässwörd $env:X "q" `n;1';
  const target = { server: 'fs01.pchat.test', share: 'pchat', credential: { userName: 'CONTOSO\\lyncadmin', password }, timeoutMs: 10_000 };
  const read = await windowsBackend.readSecurity(target, '');
  t.true(read.ok, JSON.stringify(read.failure));

  const calls = (await readdir(dir)).filter((f) => f.endsWith('.argv')).map((f) => f.slice(0, -'.argv'.length)).sort();
  t.is(calls.length, 2, 'one PowerShell maps the share, one reads the DACL');
  const encoded = Buffer.from(password, 'utf8').toString('base64');
  let mapping = 0;
  for (const call of calls) {
    const [argv, env, stdin] = await Promise.all(['argv', 'env', 'stdin'].map((ext) => readFile(path.join(dir, `${call}.${ext}`), 'utf8')));
    for (const [where, text] of [['argv', argv], ['environment', env]] as const) {
      t.false(text!.includes(password), `the password is in a child's ${where}`);
      t.false(text!.includes(encoded), `the password (base64) is in a child's ${where}`);
    }
    // powershell.exe -Command reads stdin itself, as pipeline input, when the script names $input: the
    // script's own [Console]::In.ReadLine() would then race the host for the line.
    t.notRegex(argv!, /\$input\b/i);
    if (argv!.includes('New-SmbMapping')) {
      mapping++;
      // One line, base64 of the UTF-8 bytes: the console's code page cannot mangle it.
      t.is(Buffer.from(stdin!.trim(), 'base64').toString('utf8'), password);
      t.regex(env!, /^PCHAT_USER=CONTOSO\\lyncadmin$/m);
    } else t.is(stdin, '', 'a call without a password gets no input');
  }
  t.is(mapping, 1);
});
