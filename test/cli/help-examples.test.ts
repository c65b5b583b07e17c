// Every example of every command's help, run as a reader would paste it into a shell: in a scratch
// folder, against a scratch repository, after the example's stated set-up and the same command's earlier
// examples. Commands that need a server (Test-SqlStore, Test-FileStore, Publish-Topology, Copy-Topology) are bound
// exactly as they would be and go no further, so no example resolves a name or opens a connection.
// Also: the about_ topics, as 'pchat help' lists and shows them.
import test from 'ava';
import { execa } from 'execa';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { COMMANDS } from '../../bin/registry.js';
import { projectRoot, run } from '../support/cli.js';

const SERVER_COMMANDS = ['Test-SqlStore', 'Test-FileStore', 'Publish-Topology', 'Copy-Topology'];
/** Files the examples read, as the deployment would give them (their remarks say where they come from). */
const GIVEN_FILES: Record<string, string> = {
  'topology.xml': 'test/fixtures/xml/standard-edition.xml',
  'Contoso.tbxml': 'test/fixtures/xml/alwayson.tbxml',
};

interface Scratch {
  env: Record<string, string>;
  cwd: string;
  failures: string;
}

/** A scratch HOME, working folder and repository, with `pchat` (and every Verb-Noun) on PATH. */
async function scratch(t: { teardown(fn: () => Promise<void>): void }): Promise<Scratch> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pchat-examples-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const bin = path.join(root, 'bin');
  const home = path.join(root, 'home');
  const cwd = path.join(root, 'work');
  await Promise.all([mkdir(bin), mkdir(home), mkdir(cwd)]);
  const bindOnly = path.join(projectRoot, 'dist/test/support/bind-only.js');
  const servers = SERVER_COMMANDS.map((c) => c.toLowerCase()).join('|');
  // Server commands are only bound while an example runs (PCHAT_EXAMPLE_BIND_ONLY); a set-up runs them for real.
  const pchat = `#!/bin/sh
case "$(printf %s "$1" | tr A-Z a-z)" in
  ${servers}) if [ -n "$PCHAT_EXAMPLE_BIND_ONLY" ]; then exec node '${bindOnly}' "$@"; fi ;;
esac
exec '${path.join(projectRoot, 'bin/pchat')}' "$@"
`;
  await writeFile(path.join(bin, 'pchat'), pchat);
  await chmod(path.join(bin, 'pchat'), 0o755);
  for (const name of Object.keys(COMMANDS)) {
    await writeFile(path.join(bin, name), `#!/bin/sh\nexec '${path.join(bin, 'pchat')}' ${name} "$@"\n`);
    await chmod(path.join(bin, name), 0o755);
  }
  for (const [file, from] of Object.entries(GIVEN_FILES)) await copyFile(path.join(projectRoot, from), path.join(cwd, file));
  const failures = path.join(root, 'bind-failures.txt');
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: home,
    PCHAT_REPOSITORY: path.join(root, 'repo'),
    PCHAT_EXAMPLE_FAILURES: failures,
    // Nothing from the developer's environment may make an example pass or fail.
    PCHAT_SQL_PASSWORD: '',
    PCHAT_SMB_PASSWORD: '',
    PCHAT_FILESTORE_POLICY: '',
    PCHAT_LOG_FILE: '',
    XDG_DATA_HOME: path.join(home, '.local/share'),
    COLUMNS: '80',
  };
  return { env, cwd, failures };
}

async function shell(s: Scratch, script: string, bindOnly: boolean) {
  // sh -e: a failing command before ';' fails the example too. A pipeline's status is its last command's,
  // as in any shell (diff a b | less succeeds); a pchat that fails earlier in it shows an error record.
  return execa('sh', ['-e', '-c', script], {
    cwd: s.cwd,
    env: { ...s.env, ...(bindOnly ? { PCHAT_EXAMPLE_BIND_ONLY: '1' } : {}) },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  });
}

/** Tools beyond POSIX that examples pipe into; an example that needs a missing one is skipped, saying so. */
const EXTRA_TOOLS = ['jq', 'less'];
const missingTools = Promise.all(EXTRA_TOOLS.map(async (tool) => ((await execa('sh', ['-c', `command -v ${tool}`], { reject: false })).exitCode === 0 ? undefined : tool))).then((r) => r.filter((x): x is string => !!x));

for (const [name, load] of Object.entries(COMMANDS)) {
  test(`${name}: every help example runs as written`, async (t) => {
    const def = (await load()).default;
    t.true(def.examples.length > 0);
    const s = await scratch(t);
    const missing = await missingTools;
    for (const [i, ex] of def.examples.entries()) {
      const label = `${name} example ${i + 1} (${ex.title})`;
      const needs = missing.filter((tool) => new RegExp(`\\| *${tool}\\b`).test(ex.code));
      if (needs.length) {
        t.log(`${label} not run: it pipes into ${needs.join(', ')}, which is not installed here`);
        continue;
      }
      if (ex.setup) {
        const setup = await shell(s, ex.setup, false);
        t.is(setup.exitCode, 0, `${label}, set-up: ${ex.setup}\n${setup.stderr}`);
      }
      const r = await shell(s, ex.code, true);
      t.is(r.exitCode, 0, `${label}: ${ex.code}\n${r.stdout}\n${r.stderr}`);
      // A clean example: no error record, and nothing it is warned about.
      t.notRegex(String(r.stderr), /FullyQualifiedErrorId|^WARNING:/m, `${label}: ${ex.code}\n${r.stderr}`);
      const failed = await readFile(s.failures, 'utf8').catch(() => '');
      t.is(failed, '', label);
    }
  });
}

test('example set-ups paste into a POSIX shell too: no backslash outside single quotes', async (t) => {
  for (const [name, load] of Object.entries(COMMANDS)) {
    for (const ex of (await load()).default.examples) if (ex.setup) t.false(ex.setup.replace(/'[^']*'/g, "''").includes('\\'), `${name}: ${ex.setup}`);
  }
});

test('the example runner fails an example whose server command does not bind, even behind || echo', async (t) => {
  const s = await scratch(t);
  const r = await shell(s, "pchat Test-SqlStore -SqlServerFqdn sql01.contoso.com -NoSuchParameter x -Quiet || echo 'not ready'", true);
  t.is(r.exitCode, 0);
  t.regex(await readFile(s.failures, 'utf8'), /NoSuchParameter/);
});

// ---- about_ topics ----------------------------------------------------------------------------

const TOPICS = ['about_TopologyRules', 'about_FileStorePolicy', 'about_ExitCodes', 'about_Repository', 'about_Credentials'];

test("'pchat help' lists the about_ topics, and each shows as a page of at most 80 columns", async (t) => {
  const list = await run(['help']);
  t.is(list.exitCode, 0);
  for (const topic of TOPICS) t.regex(list.stdout, new RegExp(`^\\s+${topic}$`, 'm'));
  const pages = await Promise.all(TOPICS.map((topic) => run(['help', topic])));
  pages.forEach((r, i) => {
    t.is(r.exitCode, 0, r.stderr);
    t.regex(r.stdout, new RegExp(`^TOPIC\\n {4}${TOPICS[i]}\\n`), TOPICS[i]!);
    t.deepEqual(r.stdout.split('\n').filter((l) => l.length > 80), [], TOPICS[i]!);
  });
  // 'pchat help about_*' lists them with what each is about.
  const all = await run(['help', 'about_*']);
  t.is(all.exitCode, 0);
  for (const topic of TOPICS) t.regex(all.stdout, new RegExp(`^${topic}\\n {4}\\S`, 'm'));
  // Case and the about_ prefix do not matter, as for Get-Help.
  const lower = await run(['help', 'topologyrules']);
  t.is(lower.stdout, pages[0]!.stdout);
});

test('about_TopologyRules gives every rule a Test-Topology finding can name its severity and meaning', async (t) => {
  const { RULES } = await import('../../lib/topology/rules/index.js');
  const r = await run(['help', 'about_TopologyRules']);
  for (const rule of RULES) t.regex(r.stdout, new RegExp(`^ {4}Rule ${rule.id} \\((Error|Warning|Error, Warning)\\): \\S`, 'm'), `rule ${rule.id}`);
  t.regex(r.stdout, /^ {4}Rule 18 \(Error\): A SQL instance holds at most one back-end/m);
});

test('about_FileStorePolicy shows the table publish applies; about_ExitCodes every exit code', async (t) => {
  const { PUBLISH_POLICY } = await import('../../lib/probes/dacl/policy.js');
  const policy = await run(['help', 'about_FileStorePolicy']);
  for (const ace of PUBLISH_POLICY) t.regex(policy.stdout, new RegExp(`^ {4}${ace.principal.replace(/\\/g, '\\\\')}.* ${ace.access}$`, 'm'));
  const codes = await run(['help', 'about_ExitCodes']);
  for (const code of [0, 1, 2, 3, 4, 5, 130, 143]) t.regex(codes.stdout, new RegExp(`^ {4}${code} +\\S`, 'm'), `exit ${code}`);
});

test('about_Repository tells an admin moving to SQL Server the address, where its password comes from, and how it behaves', async (t) => {
  const r = await run(['help', 'about_Repository']);
  const text = r.stdout.replace(/\s+/g, ' ');
  t.regex(text, /sqlserver:\/\/login@host\[\\instance\]\[:port\]\/database/);
  t.regex(text, /-RepositoryCredentialFile .* PCHAT_REPOSITORY_PASSWORD/);
  t.regex(text, /sp_getapplock/);
  t.regex(text, /Copy-Topology/);
  t.regex((await run(['help', 'about_Credentials'])).stdout.replace(/\s+/g, ' '), /-RepositoryCredentialFile/);
  // The Repository property of what New-/Get-/Import-Topology return is not always a folder.
  for (const name of ['New-Topology', 'Get-Topology', 'Import-Topology']) t.regex((await run([name, '-?'])).stdout.replace(/\s+/g, ' '), /Repository The repository: its folder, or its sqlserver:\/\/ address/, name);
});

test('an unknown help topic is a usage error (exit 2) with Did you mean', async (t) => {
  const r = await run(['help', 'about_TopolgyRules']);
  t.is(r.exitCode, 2);
  t.is(r.stdout, '');
  t.regex(r.stderr, /unknown help topic 'about_TopolgyRules' \(Did you mean about_TopologyRules\?\)/);
  const none = await run(['help', 'about_Nothing']);
  t.is(none.exitCode, 2);
  t.regex(none.stderr, /Run 'pchat help' to list the topics/);
});

test('command help fits 80 columns; a long example continues with \\ and reads back as the example as written', async (t) => {
  const { formatHelp } = await import('../../lib/cmdlet/help.js');
  for (const [name, load] of Object.entries(COMMANDS)) {
    const def = (await load()).default;
    const lines = formatHelp(def).split('\n');
    // Over 80 only where one word (a quoted address) is longer than any line could hold.
    const long = lines.filter((l) => l.length > 80 && !/\S{60,}/.test(l));
    t.deepEqual(long, [], name);
    const text = lines.join('\n');
    for (const e of def.examples) {
      for (const line of [...e.code.split('\n'), ...(e.setup?.split(' && ') ?? [])]) {
        const words = line.trim().split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
        t.regex(text, new RegExp(`\\$ ${words.join('(?: | \\\\\\n {8})')}(?:\\n|$)`), `${name}: ${line}`);
      }
    }
  }
});
