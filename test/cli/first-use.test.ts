// What an administrator trying the tool for the first time runs: help in PowerShell's words, wrong input, copies.
import test, { type ExecutionContext } from 'ava';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot, run } from '../support/cli.js';
import { skipSuite, titled } from '../support/skip.js';
import { hasScript, onTerminal } from '../support/terminal.js';

// Skipped where util-linux `script` (which gives the command a terminal) is missing, and said so in the
// summary: a test that passes without running would read as proof.
const noTerminal = hasScript ? undefined : skipSuite('cli/first-use: commands on a terminal', "util-linux 'script' (which gives the command a terminal) is not installed", { optional: true });
const terminalTest = (title: string, fn: (t: ExecutionContext) => Promise<void>) => (noTerminal ? test.skip : test)(titled(title, noTerminal), fn);

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pchat-first-use-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A repository with site Redmond, Front End pool fepool and Persistent Chat pool pchatpool.contoso.com in it. */
async function repoWithPool(t: ExecutionContext): Promise<string> {
  const repo = path.join(await tempDir(t), 'r');
  const chain = [
    ['New-Topology'], ['New-Site', 'Redmond'], ['New-FrontEndPool', '-Fqdn', 'fepool.contoso.com', '-Site', 'Redmond', '-Computer', 'fe01.contoso.com'],
    ['New-PersistentChatPool', '-Fqdn', 'pchatpool.contoso.com', '-Site', 'Redmond', '-Computer', 'pchat01.contoso.com', '-DisplayName', 'Chat', '-NextHopPool', 'fepool.contoso.com', '-SqlServerFqdn', 'sql01.contoso.com', '-FileServerFqdn', 'fs01.contoso.com', '-FileShare', 'pchat'],
  ];
  for (const args of chain) {
    const r = await run([...args, '-Repository', repo]);
    t.is(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  return repo;
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

test('Copy-Topology -Force onto the source written another way (./r/, absolute, a link) is refused and leaves it whole', async (t) => {
  const dir = await tempDir(t);
  const repo = path.join(dir, 'r');
  for (const args of [['New-Topology'], ['New-Site', 'Redmond']]) t.is((await run([...args, '-Repository', repo])).exitCode, 0);
  await symlink(repo, path.join(dir, 'link'));
  const before = await readFile(path.join(repo, 'draft.json'), 'utf8');
  for (const dest of ['./r/', repo + '/', path.join(dir, 'link')]) {
    const r = await run(['Copy-Topology', '-Repository', 'r', '-Destination', dest, '-Force'], { cwd: dir });
    t.is(r.exitCode, 2, `${dest}: ${r.stderr}`);
    t.regex(r.stderr, /CopyOntoItself,Copy-Topology/, dest);
    t.is(r.stdout, '');
  }
  t.is(await readFile(path.join(repo, 'draft.json'), 'utf8'), before);
  t.deepEqual((await readdir(path.join(repo, 'history'))).sort(), ['draft-1.json']);
});

test('-Name $SITE -WhatIf with $SITE empty in sh: a usage error, not a site named -WhatIf written for real', async (t) => {
  const repo = path.join(await tempDir(t), 'r');
  t.is((await run(['New-Topology', '-Repository', repo])).exitCode, 0);
  // What `pchat New-Site -Name $SITE -WhatIf` passes when sh expands an empty, unquoted $SITE to nothing.
  const r = await run(['New-Site', '-Name', '-WhatIf', '-Repository', repo]);
  t.is(r.exitCode, 2, r.stderr);
  t.regex(r.stderr, /Missing an argument for parameter 'Name'/);
  t.regex(r.stderr, /MissingArgument,New-Site/);
  t.deepEqual((await run(['Get-Topology', '-Repository', repo])).objects[0].Sites, []);
});

test('New-Site refuses a name with a space at either end (a CSV field \'Redmond \' is not a second Redmond)', async (t) => {
  const repo = path.join(await tempDir(t), 'r');
  for (const args of [['New-Topology'], ['New-Site', 'Redmond']]) t.is((await run([...args, '-Repository', repo])).exitCode, 0);
  for (const name of ['Redmond ', ' Redmond', 'Dublin\u00a0']) {
    const r = await run(['New-Site', '-Name', name, '-Repository', repo]);
    t.is(r.exitCode, 2, JSON.stringify(name));
    t.regex(r.stderr, /Cannot validate argument on parameter 'Name'.*no space at either end/);
  }
  t.is((await run(['New-Site', '-Name', 'North Dublin', '-Repository', repo])).exitCode, 0, 'a space inside is fine');
  t.deepEqual((await run(['Get-Topology', '-Repository', repo])).objects[0].Sites, ['Redmond', 'North Dublin']);
});

test('Compare-Topology at 80 columns: a changed list reads "a, b, c" and wraps between names, never inside an FQDN', async (t) => {
  const repo = path.join(await tempDir(t), 'r');
  for (const args of [['New-Topology'], ['New-Site', 'Redmond'], ['New-FrontEndPool', '-Fqdn', 'fepool.contoso.com', '-Site', 'Redmond', '-Computer', 'fe01.contoso.com'], ['Publish-Topology', '-Force']]) {
    const r = await run([...args, '-Repository', repo]);
    t.is(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const doc = JSON.parse((await run(['Export-Topology', '-Repository', repo])).stdout);
  doc.topology.frontEndPools[0].computers.push('fe02.contoso.com', 'fe03.contoso.com');
  t.is((await run(['Import-Topology', '-Path', '-', '-Force', '-Repository', repo], { input: JSON.stringify(doc) })).exitCode, 0);
  const json = await run(['Compare-Topology', '-Repository', repo]);
  t.deepEqual(json.objects[0].Details, ['computers: fe01.contoso.com -> fe01.contoso.com, fe02.contoso.com, fe03.contoso.com']);
  const table = await run(['Compare-Topology', '-Repository', repo, '-OutputFormat', 'Table'], { env: { COLUMNS: '80' } });
  t.is(table.exitCode, 0, table.stderr);
  for (const fqdn of ['fe01.contoso.com', 'fe02.contoso.com', 'fe03.contoso.com']) t.true(table.stdout.includes(fqdn), `${fqdn} whole in:\n${table.stdout}`);
  t.true(table.stdout.split('\n').every((l) => l.length <= 80), table.stdout);
});

test('-Repository "$REPO" with $REPO unset, or -LogFile "": a usage error, not the current folder or no log at all', async (t) => {
  const dir = await tempDir(t);
  for (const [name, value] of [['-Repository', ''], ['-Repository', ' '], ['-LogFile', ''], ['-RepositoryCredentialFile', '']] as const) {
    const r = await run(['New-Topology', name, value], { cwd: dir });
    t.is(r.exitCode, 2, `${name} '${value}': ${r.stderr}`);
    t.regex(r.stderr, new RegExp(`Cannot validate argument on parameter '${name.slice(1)}'`));
    t.notRegex(r.stderr, /Create one with 'pchat New-Topology'/);
  }
  t.deepEqual(await readdir(dir), [], 'nothing written in the current folder');
});

test('Get-PersistentChatPool -Site "" is a usage error, not every pool (a script\'s empty $SITE piped into Remove -Force)', async (t) => {
  const repo = await repoWithPool(t);
  const r = await run(['Get-PersistentChatPool', '-Site', '', '-Repository', repo]);
  t.is(r.exitCode, 2, r.stderr);
  t.is(r.stdout, '');
  t.regex(r.stderr, /Cannot validate argument on parameter 'Site'/);
  t.is((await run(['Get-PersistentChatPool', '-Site', 'redmond', '-Repository', repo])).objects.length, 1);
});

terminalTest('Get-... | Remove-PersistentChatPool at a terminal: the refusal says the input is a pipe, not that there is no terminal', async (t) => {
  const repo = await repoWithPool(t);
  const pchat = path.join(projectRoot, 'bin', 'pchat');
  const r = await onTerminal(['sh', '-c', `"$0" Get-PersistentChatPool | "$0" Remove-PersistentChatPool; echo "exit=$?"`, pchat], { env: { PCHAT_REPOSITORY: repo, COLUMNS: '200' }, prompt: /exit=\d+/, keys: '' });
  t.regex(r.screen, /exit=4/);
  t.regex(r.screen, /cannot ask: its input is a pipe or a file, not the terminal/);
  t.regex(r.screen, /Add -Force \(or -Confirm:false\) to Remove-PersistentChatPool after the pipe/);
  t.notRegex(r.screen, /no terminal to ask on/);
  t.is((await run(['Get-PersistentChatPool', '-Repository', repo])).objects.length, 1, 'nothing removed');
});

test('Publish-Topology -OutputFormat List shows Status first, as its table and its help do, not after RunId', async (t) => {
  const repo = path.join(await tempDir(t), 'r');
  for (const args of [['New-Topology'], ['New-Site', 'Redmond'], ['New-FrontEndPool', '-Fqdn', 'fepool.contoso.com', '-Site', 'Redmond', '-Computer', 'fe01.contoso.com']]) {
    t.is((await run([...args, '-Repository', repo])).exitCode, 0);
  }
  const r = await run(['Publish-Topology', '-WhatIf', '-OutputFormat', 'List', '-Repository', repo]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^\s*Status +: WhatIf\n/);
});

test('Copy-Topology to a destination that cannot be used advises fixing -Destination, not -Repository', async (t) => {
  const dir = await tempDir(t);
  const repo = path.join(dir, 'r');
  t.is((await run(['New-Topology', '-Repository', repo])).exitCode, 0);
  await writeFile(path.join(dir, 'a-file'), 'x');
  const r = await run(['Copy-Topology', '-Repository', repo, '-Destination', path.join(dir, 'a-file')]);
  t.is(r.exitCode, 1, r.stderr);
  t.regex(r.stderr, /RepositoryNotAccessible,Copy-Topology/);
  t.regex(r.stderr, /RecommendedAction +: Point -Destination at a folder/);
  t.notRegex(r.stderr, /-Repository/);
});

test('-Computer a, b as PowerShell writes it (the shell splits it after the comma) sets both computers', async (t) => {
  const repo = path.join(await tempDir(t), 'r');
  for (const args of [['New-Topology'], ['New-Site', 'Redmond']]) t.is((await run([...args, '-Repository', repo])).exitCode, 0);
  const r = await run(['New-FrontEndPool', '-Fqdn', 'fepool.contoso.com', '-Computer', 'fe01.contoso.com,', 'fe02.contoso.com', '-Site', 'Redmond', '-Repository', repo]);
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(r.objects[0].Computers, ['fe01.contoso.com', 'fe02.contoso.com']);
});

terminalTest('Ctrl+D at a confirmation prompt answers nothing: exit 4, not "Interrupted (Ctrl+C)" and exit 130; nothing removed', async (t) => {
  const repo = await repoWithPool(t);
  const pchat = path.join(projectRoot, 'bin', 'pchat');
  const r = await onTerminal([pchat, 'Remove-PersistentChatPool', 'pchatpool.contoso.com'], { env: { PCHAT_REPOSITORY: repo, COLUMNS: '200' }, prompt: /\[L\] No to All[^\n]*\(default is "Y"\):/, keys: '\x04' });
  t.true(r.prompted, r.screen);
  t.is(r.exitCode, 4, r.screen);
  t.regex(r.screen, /The input ended \(Ctrl\+D\) at the confirmation prompt; nothing was confirmed/);
  t.notRegex(r.screen, /Interrupted/);
  t.is((await run(['Get-PersistentChatPool', '-Repository', repo])).objects.length, 1, 'nothing removed');
});

terminalTest('Ctrl+D after a typed character, then Ctrl+C, at a confirmation prompt: an interruption (exit 130), not the end of input', async (t) => {
  const repo = await repoWithPool(t);
  const pchat = path.join(projectRoot, 'bin', 'pchat');
  // On a line that holds 'n', Ctrl+D ends nothing (as in a shell); the Ctrl+C that follows closes the prompt.
  const r = await onTerminal([pchat, 'Remove-PersistentChatPool', 'pchatpool.contoso.com'], { env: { PCHAT_REPOSITORY: repo, COLUMNS: '200' }, prompt: /\[L\] No to All[^\n]*\(default is "Y"\):/, keys: 'n\x04\x03' });
  t.true(r.prompted, r.screen);
  t.is(r.exitCode, 130, r.screen);
  t.regex(r.screen, /Interrupted \(Ctrl\+C\) at the confirmation prompt/);
  t.notRegex(r.screen, /input ended/);
  t.is((await run(['Get-PersistentChatPool', '-Repository', repo])).objects.length, 1, 'nothing removed');
});

test('the help shows -Property wildcards quoted: an unquoted * becomes the current folder\'s file names in a shell', async (t) => {
  const help = (await run(['help', 'Get-TopologyRevision'])).stdout.replace(/\s+/g, ' ');
  t.regex(help, /-Property '\*'/);
  t.notRegex(help, /-Property \*/);
  // What the help shows works from a folder full of files.
  const dir = await tempDir(t);
  for (const f of ['a.json', 'b.json']) await writeFile(path.join(dir, f), '');
  t.is((await run(['New-Topology', '-Repository', 'r'], { cwd: dir })).exitCode, 0);
  const r = await run(['Get-Topology', '-Repository', 'r', '-Property', '*', '-OutputFormat', 'List'], { cwd: dir });
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^Kind +: Draft$/m);
});

test('New-Site -Identity, as New-CsSite names the site, is -Name', async (t) => {
  const repo = path.join(await tempDir(t), 'r');
  t.is((await run(['New-Topology', '-Repository', repo])).exitCode, 0);
  const r = await run(['New-Site', '-Identity', 'Redmond', '-City', 'Redmond', '-Repository', repo]);
  t.is(r.exitCode, 0, r.stderr);
  t.like(r.objects[0], { Name: 'Redmond', City: 'Redmond' });
  t.regex((await run(['help', 'New-Site'])).stdout, /Aliases +Identity/);
});

test('about_FileStorePolicy says the access its table gives the CMS replicators (Read & execute), not Read', async (t) => {
  const text = (await run(['help', 'about_FileStorePolicy'])).stdout.replace(/\s+/g, ' ');
  t.regex(text, /RTCUniversalConfigReplicator ReadAndExecute/);
  t.notRegex(text, /plus Read for/);
  t.regex(text, /plus Read & execute for the CMS replicators/);
});

test('New-Site -Name=Redmond (one dash, GNU style) names the site Redmond, not "-Name=Redmond"', async (t) => {
  const repo = path.join(await tempDir(t), 'r');
  t.is((await run(['New-Topology', '-Repository', repo])).exitCode, 0);
  const r = await run(['New-Site', '-Name=Redmond', '-City=Redmond', '-Repository', repo]);
  t.is(r.exitCode, 0, r.stderr);
  t.like(r.objects[0], { Name: 'Redmond', City: 'Redmond' });
});

terminalTest('Ctrl+D at a password prompt gives up (exit 1) instead of trying to log on with the character as the password', async (t) => {
  const pchat = path.join(projectRoot, 'bin', 'pchat');
  const r = await onTerminal([pchat, 'Get-Topology', '-Repository', 'sqlserver://pchatadmin@sql01.contoso.com/PchatTopology'], {
    env: { PCHAT_REPOSITORY_PASSWORD: undefined, COLUMNS: '200' },
    prompt: /Password for pchatadmin[^\n]*: /,
    keys: '\x04',
  });
  t.true(r.prompted, r.screen);
  t.is(r.exitCode, 1, r.screen);
  t.regex(r.screen, /The input ended \(Ctrl\+D\) at the password prompt; no password was given, and no logon was tried/);
  t.notRegex(r.screen, /Cannot reach|RepositoryUnreachable|RepositoryLoginFailed/);
});

test('Get-PersistentChatPool <pool> -Site <another site> returns nothing (with a warning), not the pool of the other site', async (t) => {
  const repo = path.join(await tempDir(t), 'r');
  const chain = [
    ['New-Topology'], ['New-Site', 'Redmond'], ['New-Site', 'Dublin'], ['New-FrontEndPool', '-Fqdn', 'fepool.contoso.com', '-Site', 'Redmond', '-Computer', 'fe01.contoso.com'],
    ['New-PersistentChatPool', '-Fqdn', 'pchatpool.contoso.com', '-Site', 'Redmond', '-Computer', 'pchat01.contoso.com', '-DisplayName', 'Chat', '-NextHopPool', 'fepool.contoso.com', '-SqlServerFqdn', 'sql01.contoso.com', '-FileServerFqdn', 'fs01.contoso.com', '-FileShare', 'pchat'],
  ];
  for (const args of chain) t.is((await run([...args, '-Repository', repo])).exitCode, 0, args.join(' '));
  const other = await run(['Get-PersistentChatPool', 'pchatpool.contoso.com', '-Site', 'Dublin', '-Repository', repo]);
  t.is(other.exitCode, 0, other.stderr);
  t.is(other.stdout, '');
  t.regex(other.stderr, /WARNING: pchatpool\.contoso\.com is in site Redmond, not Dublin/);
  t.is((await run(['Get-PersistentChatPool', 'pchatpool.contoso.com', '-Site', 'Nowhere', '-Repository', repo])).exitCode, 3);
  t.is((await run(['Get-PersistentChatPool', 'pchatpool.contoso.com', '-Site', 'redmond', '-Repository', repo])).objects.length, 1);
});

terminalTest('Import-Topology -Path - on a terminal advises a shell redirection, not PowerShell\'s Get-Content', async (t) => {
  const repo = path.join(await tempDir(t), 'r');
  const r = await onTerminal([path.join(projectRoot, 'bin', 'pchat'), 'Import-Topology', '-Path', '-', '-Repository', repo], { env: { COLUMNS: '200' }, prompt: /RecommendedAction[^\n]*\n/, keys: '' });
  t.is(r.exitCode, 2, r.screen);
  t.regex(r.screen, /TopologyInputMissing,Import-Topology/);
  t.regex(r.screen, /pchat Import-Topology -Path - < topology\.xml/);
  t.notRegex(r.screen, /Get-Content/);
});

test('a piped object without the bound property: the advice names the properties in words ("Identity or Fqdn")', async (t) => {
  const repo = path.join(await tempDir(t), 'r');
  t.is((await run(['New-Topology', '-Repository', repo])).exitCode, 0);
  const r = await run(['Remove-PersistentChatPool', '-Force', '-Repository', repo], { input: '{"Name":"x"}\n' });
  t.is(r.exitCode, 2, r.stderr);
  t.regex(r.stderr, /RecommendedAction +: Add -Identity <String> or pipe objects with a property named Identity or Fqdn\.\n/);
});

test('Export-Topology -Path - -WhatIf writes the document to stdout, as Export-Topology -WhatIf without -Path does', async (t) => {
  const repo = path.join(await tempDir(t), 'r');
  for (const args of [['New-Topology'], ['New-Site', 'Redmond']]) t.is((await run([...args, '-Repository', repo])).exitCode, 0);
  const plain = await run(['Export-Topology', '-WhatIf', '-Repository', repo]);
  const dash = await run(['Export-Topology', '-Path', '-', '-WhatIf', '-Repository', repo]);
  t.is(dash.exitCode, 0, dash.stderr);
  t.notRegex(dash.stderr, /What if:/);
  t.deepEqual(JSON.parse(dash.stdout), JSON.parse(plain.stdout));
});
