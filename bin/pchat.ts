// The dispatcher: `pchat <Command> ...` and every per-command executable end here.
import { COMMANDS, resolveCommandName } from './registry.js';
import { ExitCode } from '../lib/cmdlet/errors.js';

async function listing(): Promise<string> {
  // commander formats the command list and suggests the nearest name for a typo.
  const { Command } = await import('commander');
  const program = new Command('pchat')
    .usage('<Command> [-Parameter value ...]')
    .option('-v, --version', 'show the name and version of pchat-topology')
    .description('Define, check and publish a Lync Server 2013 / Skype for Business Server Persistent Chat pool, PowerShell style.')
    .helpCommand('help <Command>', 'show the help of a command (also <Command> -?) or of an about_ topic');
  for (const [name, load] of Object.entries(COMMANDS)) program.command(name).description((await load()).default.synopsis);
  const { ABOUT_TOPICS } = await import('../lib/help/about.js');
  const topics = ABOUT_TOPICS.map((t) => `  ${t.name}`).join('\n');
  return `${program.helpInformation()}\nTopics (pchat help <Topic>; pchat help about_* says what each is about):\n${topics}\n\nRun \`pchat help <Command>\` for a command's parameters and examples.\n`;
}

/** `pchat help about_<Topic>` (also without the about_ prefix); undefined when `name` is no topic. */
async function aboutTopic(name: string): Promise<number | undefined> {
  const { ABOUT_TOPICS, findAboutTopic, similarTopics } = await import('../lib/help/about.js');
  // 'pchat help about_*' (or about): the topics, as Get-Help about_* lists them.
  if (/^about_?\*?$/i.test(name)) {
    const { wrapText } = await import('../lib/cmdlet/wrap.js');
    process.stdout.write(ABOUT_TOPICS.map((t) => `${t.name}\n${wrapText(t.synopsis)}\n`).join('\n'));
    return ExitCode.Success;
  }
  const topic = findAboutTopic(name) ?? findAboutTopic(`about_${name}`);
  if (topic) {
    process.stdout.write(await topic.text());
    return ExitCode.Success;
  }
  if (!/^about_/i.test(name)) return undefined;
  const near = similarTopics(name);
  const { printable } = await import('../lib/cmdlet/binding.js');
  process.stderr.write(`error: unknown help topic '${printable(name)}'${near.length ? ` (Did you mean ${near.join(' or ')}?)` : ''}\nRun 'pchat help' to list the topics.\n`);
  return ExitCode.Usage;
}

async function unknownCommand(name: string): Promise<number> {
  const { Command } = await import('commander');
  const program = new Command('pchat').exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: () => {} }).showSuggestionAfterError(true);
  program.option('-v, --version'); // so that a mistyped --version is offered it, as a command name is
  for (const n of Object.keys(COMMANDS)) program.command(n).action(() => {});
  try {
    program.parse([name], { from: 'user' });
  } catch {
    /* commander printed the error and its suggestion */
  }
  process.stderr.write(`Run 'pchat' to list the commands.\n`);
  return ExitCode.Usage;
}

/**
 * `pchat --version`, also `-Version` and `-v` in any case: the package's name and version. As pwsh
 * (and GNU tools) do, what follows it is ignored.
 */
async function version(): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  // dist/bin/pchat.js: the package.json two folders up is the one npm installed with it.
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  process.stdout.write(`${pkg.name} ${pkg.version}\n`);
  return ExitCode.Success;
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first !== undefined && /^--?v(ersion)?$/i.test(first)) return version();
  const isHelp = (s: string | undefined) => s !== undefined && ['help', 'get-help'].includes(s.toLowerCase());
  // `Get-Help` alone, `help help` and `help -?` ask for the list, as PowerShell's Get-Help alone shows how to get help.
  const asksForList = (s: string | undefined) => s === undefined || isHelp(s) || ['-?', '-h', '--help', '-help'].includes(s.toLowerCase());
  if (first === undefined || (asksForList(first) && (!isHelp(first) || asksForList(rest[0])))) {
    process.stdout.write(await listing());
    return ExitCode.Success;
  }
  if (isHelp(first)) {
    const name = resolveCommandName(rest[0]!);
    if (!name) return (await aboutTopic(rest[0]!)) ?? unknownCommand(rest[0]!);
    const { formatHelp } = await import('../lib/cmdlet/help.js');
    process.stdout.write(formatHelp((await COMMANDS[name]!()).default));
    return ExitCode.Success;
  }
  const name = resolveCommandName(first);
  if (!name) return unknownCommand(first);
  const [{ runCmdlet }, mod] = await Promise.all([import('../lib/cmdlet/run.js'), COMMANDS[name]!()]);
  return runCmdlet(mod.default, rest);
}

/** Entry point of the bin shims: sets the exit code instead of exiting, so logs flush. */
export function start(argv: string[]): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); // reader went away (| head)
  });
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`pchat: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = ExitCode.Error;
    },
  );
}
