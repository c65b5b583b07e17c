// Runs one command: bind argv (and piped objects), call process() once per input object,
// render what it returns, report errors as records, and settle the exit code.
import { fstatSync } from 'node:fs';
import { stopChildren } from './children.js';
import { ErrorRecord, ExitCode, isErrorRecord, type ExitCodeValue } from './errors.js';
import { bindArguments, bindPipelineObject, checkMandatory } from './binding.js';
import { createRenderer, terminalSafe, type OutputFormat } from './format.js';
import { viewFor } from './views.js';
import { LogSink } from './log.js';
import { defaultRepositoryPath } from './paths.js';
import { repositoryHandle } from './repository.js';
import { ShouldProcessState, type ConfirmIo } from './should-process.js';
import type { CmdletContext, CmdletDefinition } from './types.js';

/** How long a terminated command may take to clean up before it exits anyway. */
const TERM_GRACE_MS = 3000;

export interface Host {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stdoutIsTerminal: boolean;
  /** The terminal's width when stdout is one. */
  stdoutColumns?: number;
  interactive: boolean;
  /** stderr is a terminal: with stdin a pipe, someone is watching who cannot be asked. */
  stderrIsTerminal?: boolean;
  readStdin: () => Promise<string | undefined>;
  confirmIo?: ConfirmIo;
  readSecret?: (prompt: string) => Promise<string>;
  env: NodeJS.ProcessEnv;
}

export function processHost(): Host {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    stdoutIsTerminal: !!process.stdout.isTTY,
    stdoutColumns: process.stdout.isTTY ? process.stdout.columns : undefined,
    interactive: !!process.stdin.isTTY && !!process.stderr.isTTY,
    stderrIsTerminal: !!process.stderr.isTTY,
    readStdin: async () => (stdinCarriesData() ? readAll(process.stdin) : undefined),
    confirmIo: { ask: (q) => askLine(q) },
    readSecret: (q) => askSecret(q),
    env: process.env,
  };
}

/** Only a pipe or a redirected file is read; a terminal or /dev/null never is, so a job never waits on stdin. */
function stdinCarriesData(): boolean {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isFile() || st.isSocket();
  } catch {
    return false;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let s = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) s += chunk;
  return s;
}

/** Ctrl+C at a prompt ends the run as Ctrl+C does elsewhere (exit 130), not as a failure to report. */
function promptInterrupted(prompt: string): ErrorRecord {
  return new ErrorRecord({ errorId: 'PromptInterrupted', category: 'OperationStopped', target: `${prompt} prompt`, message: `Interrupted (Ctrl+C) at the ${prompt} prompt.`, exitCode: ExitCode.Interrupted });
}

async function askLine(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // readline rejects the question with an AbortError both for Ctrl+C and for the end of input (Ctrl+D on an empty
  // line): the key that closed the prompt tells them apart. Seen before readline's own handler, so that the line
  // is still the one the key was typed on: Ctrl+D after some characters closes nothing (a Ctrl+C after it is one).
  let ended: boolean | undefined;
  const onKey = (_: string, key?: { ctrl?: boolean; name?: string }) => {
    if (ended !== undefined || !key?.ctrl) return;
    if (key.name === 'c') ended = false;
    else if (key.name === 'd' && rl.line === '') ended = true;
  };
  process.stdin.prependListener('keypress', onKey);
  try {
    return await rl.question(question);
  } catch (e) {
    if ((e as { code?: string }).code === 'ABORT_ERR') {
      process.stderr.write('\n');
      if (!ended) throw promptInterrupted('confirmation');
      // Never taken as the default answer (Yes): the end of input answers nothing.
      throw new ErrorRecord({
        errorId: 'PromptInputEnded',
        category: 'OperationStopped',
        target: 'confirmation prompt',
        message: 'The input ended (Ctrl+D) at the confirmation prompt; nothing was confirmed.',
        recommendedAction: 'Answer Y or N, or add -Force (or -Confirm:false) to run without asking.',
        exitCode: ExitCode.ConfirmationRequired,
      });
    }
    throw e;
  } finally {
    process.stdin.off('keypress', onKey);
    rl.close();
  }
}

async function askSecret(question: string): Promise<string> {
  const stdin = process.stdin;
  // Raw mode before the prompt shows: a key typed the moment it appears would otherwise meet the terminal's
  // line mode, which echoes it, ends the input on Ctrl+D and kills the process on Ctrl+C.
  stdin.setRawMode?.(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let s = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        // Raw mode turns Ctrl+C into a byte, not SIGINT.
        if (ch === '\u0003') return finish(promptInterrupted('password'));
        // Ctrl+D is the end of input, as at any shell prompt: never part of a password (a failed logon counts
        // towards the account's lockout). On an empty line it gives up; after some characters it is ignored.
        if (ch === '\u0004') {
          if (s) continue;
          return finish(
            new ErrorRecord({
              errorId: 'PromptInputEnded',
              category: 'OperationStopped',
              target: 'password prompt',
              message: 'The input ended (Ctrl+D) at the password prompt; no password was given, and no logon was tried.',
              recommendedAction: 'Type the password and press Enter, or give it through the environment variable or credential file the command documents.',
            }),
          );
        }
        if (ch === '\u007f') s = s.slice(0, -1);
        else s += ch;
      }
    };
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(s);
    };
    stdin.on('data', onData);
  });
}

/** PowerShell's error view, on stderr. */
export function renderErrorRecord(e: ErrorRecord, commandName: string): string {
  const lines = [
    `${commandName} : ${e.message}`,
    `    + CategoryInfo          : ${e.category}: (${e.target}) [${commandName}], ErrorRecord`,
    `    + FullyQualifiedErrorId : ${e.fullyQualifiedErrorId(commandName)}`,
  ];
  if (e.recommendedAction) lines.push(`    + RecommendedAction     : ${e.recommendedAction}`);
  return lines.join('\n') + '\n';
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return !!x && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** Tables and lists wrap to the terminal, else to COLUMNS, else to 120 (a table forced into a pipe or file). */
function outputWidth(host: Host): number {
  const columns = Number.parseInt(host.env.COLUMNS ?? '', 10);
  return host.stdoutColumns || (columns > 0 ? columns : 120);
}

export async function runCmdlet(def: CmdletDefinition, argv: readonly string[], host: Host = processHost()): Promise<ExitCodeValue> {
  let exit: ExitCodeValue = ExitCode.Success;
  // The most serious outcome wins: 130 > 5 > 4 > 3 > 2 > 1 > 0.
  const raise = (code: ExitCodeValue) => {
    if (code > exit) exit = code;
  };

  // 1. Binding errors are usage errors, printed before anything runs (-ErrorAction does not apply to them).
  let args;
  try {
    args = bindArguments(def, argv);
  } catch (e) {
    if (!isErrorRecord(e)) throw e;
    // Binding errors quote what was typed: escaped, as everything the run writes to stderr is (below).
    host.stderr(terminalSafe(renderErrorRecord(e, def.name)));
    return e.exitCode;
  }
  if (args.help) {
    // Loaded only for help, like pipeline.js only for piped input: every module costs start time.
    const { formatHelp } = await import('./help.js');
    host.stdout(formatHelp(def));
    return ExitCode.Success;
  }

  const v = args.values;
  const runId = newRunId();
  // Everything on stderr (records, warnings, verbose, What if) quotes values that came from the user, a file or a
  // server: escaped once here, never raw.
  const stderr = (s: string) => host.stderr(terminalSafe(s));
  const log = new LogSink({
    commandName: def.name,
    runId,
    verbose: !!v.Verbose,
    debug: !!v.Debug,
    logFile: (v.LogFile as string | undefined) ?? (host.env.PCHAT_LOG_FILE || undefined),
    stderr,
  });
  const format = (v.OutputFormat as OutputFormat | undefined) ?? (host.stdoutIsTerminal ? 'Table' : 'Json');
  const errorAction = (v.ErrorAction as string | undefined) ?? 'Continue';
  // Ignore is SilentlyContinue here: a command line has no $Error list to keep the error out of.
  const silent = errorAction === 'SilentlyContinue' || errorAction === 'Ignore';
  const quiet = def.parameters.some((p) => p.name === 'Quiet') && v.Quiet === true;
  const properties = (v.Property as string[] | undefined)?.filter((name) => name.trim());
  if (properties?.length && format === 'Json') log.warning('-Property chooses what Table and List output show; JSON lines keep every property.');
  const renderer = createRenderer(format, host.stdout, { width: outputWidth(host), view: viewFor(def.outputType, def.defaultDisplay), properties, warn: (m) => log.warning(m) });
  const abort = new AbortController();
  // First Ctrl+C: the command stops at its next safe point (cancellation signal); a second one exits at once.
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(ExitCode.Interrupted);
    host.stderr('Stopping at the next safe point (Ctrl+C again to quit at once)...\n');
    // The reason names the interruption in the command's own message (Ctrl+C or SIGTERM).
    abort.abort('Ctrl+C');
    raise(ExitCode.Interrupted);
  };
  process.on('SIGINT', onSigint);
  // SIGTERM (a scheduler, `timeout`, systemd) reaches this process only: its tools are stopped here,
  // then the command ends as after Ctrl+C, cleaning up; a second SIGTERM exits at once.
  const onSigterm = () => {
    if (abort.signal.aborted) process.exit(ExitCode.Terminated);
    host.stderr('Terminated (SIGTERM): stopping running tools and cleaning up...\n');
    abort.abort('SIGTERM');
    raise(ExitCode.Terminated);
    stopChildren();
    // What no child holds (a SQL login waiting on a silent server) would wait for its own timeout: a
    // termination gets a short grace, then ends (the repository is only written whole, so nothing is half-done).
    setTimeout(() => {
      host.stderr(`Still running ${TERM_GRACE_MS / 1000} s after SIGTERM: exiting now.\n`);
      process.exit(ExitCode.Terminated);
    }, TERM_GRACE_MS).unref();
  };
  process.on('SIGTERM', onSigterm);
  // Node's own warnings (e.g. DEP0123 when TLS is given an IP address as server name) are about
  // libraries, not the user's infrastructure: to the debug stream and the log, not bare on stderr.
  process.removeAllListeners('warning');
  process.on('warning', (w) => log.debug(`Node.js ${w.name}${(w as { code?: string }).code ? ` ${(w as { code?: string }).code}` : ''}: ${w.message}`));

  const should = new ShouldProcessState({
    confirmImpact: def.confirmImpact ?? 'Medium',
    whatIf: !!v.WhatIf,
    confirm: args.bound.has('Confirm') ? (v.Confirm as boolean) : undefined,
    force: !!v.Force,
    interactive: host.interactive,
    inputNotTerminal: !host.interactive && !!host.stderrIsTerminal,
    io: host.confirmIo,
    stderr,
    log,
    commandName: def.name,
  });

  const writeRecord = (e: ErrorRecord) => {
    log.error(e.message, { errorId: e.errorId, category: e.category, target: e.target, fullyQualifiedErrorId: e.fullyQualifiedErrorId(def.name), recommendedAction: e.recommendedAction });
    const scrubbed = new ErrorRecord({ errorId: e.errorId, category: e.category, target: log.scrub(e.target), message: log.scrub(e.message), recommendedAction: log.scrub(e.recommendedAction), exitCode: e.exitCode });
    stderr(renderErrorRecord(scrubbed, def.name));
  };

  const repositoryPath = (v.Repository as string | undefined) ?? defaultRepositoryPath(host.env);
  const repository = repositoryHandle(repositoryPath, v.RepositoryCredentialFile as string | undefined);
  // A command's closing lines (its summary) come after its output: a table is printed only once complete.
  const hostLines: string[] = [];
  const baseCtx = (bound: Set<string>): CmdletContext => ({
    commandName: def.name,
    repositoryPath,
    // The context only lends the store its password sources (prompt, secret registry), the same in every context.
    repository: () => repository.get(baseCtx(bound)),
    runId,
    log,
    shouldProcess: (target, action) => should.shouldProcess(target, action),
    writeError: (e) => {
      if (errorAction === 'Stop') throw e;
      raise(ExitCode.Error);
      if (silent) log.error(e.message, { errorId: e.errorId, target: e.target });
      else writeRecord(e);
    },
    writeWarning: (m) => log.warning(m),
    writeVerbose: (m) => log.verbose(m),
    writeDebug: (m) => log.debug(m),
    writeHost: (m) => {
      log.info(m);
      if (!quiet) hostLines.push(log.scrub(m) + '\n');
    },
    readSecret: async (prompt, target) => {
      if (!host.interactive || !host.readSecret) {
        throw new ErrorRecord({ errorId: 'NoTerminalForPrompt', category: 'InvalidOperation', target, message: `A password is needed for ${target} and there is no terminal to ask on.`, recommendedAction: 'Provide the password through the environment variable or credential file the command documents.' });
      }
      const s = await host.readSecret(prompt);
      log.addSecret(s);
      return s;
    },
    whatIf: !!v.WhatIf,
    force: !!v.Force,
    needsConfirmation: () => should.needsConfirmation(),
    assertConfirmable: (target, action) => should.assertConfirmable(target, action),
    interactive: host.interactive,
    signal: abort.signal,
    bound,
    registerSecret: (s) => log.addSecret(s),
  });

  const emit = async (result: unknown) => {
    const push = (o: unknown) => {
      if (o === undefined) return;
      if (def.failedWhen?.(o)) raise(ExitCode.TestFailed);
      if (!quiet) renderer.write(o);
    };
    if (isAsyncIterable(result)) for await (const o of result) push(o);
    else if (Array.isArray(result)) result.forEach(push);
    else push(result);
  };

  log.verbose(`${def.name} started (run ${runId}).`);
  try {
    const { inputs, emptyPipe } = await pipelineInputs(def, host, args.bound);
    for (const input of inputs) {
      if (abort.signal.aborted) break;
      const values = { ...v };
      const bound = new Set(args.bound);
      try {
        if (input) {
          const piped = bindPipelineObject(def, input, args.bound);
          Object.assign(values, piped.values);
          piped.bound.forEach((n) => bound.add(n));
        }
        for (const p of def.parameters) if (values[p.name] === undefined && p.default !== undefined) values[p.name] = p.default;
        checkMandatory(def, values, bound);
        await emit(await def.process(values, baseCtx(bound)));
      } catch (e) {
        // `Get-X -Site Empty | Set-Y`: no objects came down the pipe, so there is nothing to do (PowerShell
        // runs the command zero times); said on stderr so that a job missing its input is not silent.
        if (emptyPipe && isErrorRecord(e) && e.noInput) {
          log.warning(`No objects came down the pipeline, and the command line gives nothing to work on: ${def.name} did nothing.`);
          continue;
        }
        // -ErrorAction governs non-terminating errors only, as in PowerShell: SilentlyContinue hides a thrown
        // record only when it is one object's error (the pool it works on not found, as Get-CsPool writes it),
        // for a single object too; the exit code stays. A terminating error (a missing repository, a refusal,
        // a usage error) is printed whatever -ErrorAction says: otherwise only an exit code would remain.
        if (isErrorRecord(e) && silent && e.nonTerminating) {
          raise(e.exitCode);
          log.error(e.message, { errorId: e.errorId, target: e.target });
          continue;
        }
        // A failure on one piped object does not stop the next ones (unless -ErrorAction Stop); it is printed.
        if (isErrorRecord(e) && input && inputs.length > 1 && errorAction !== 'Stop' && e.exitCode !== ExitCode.ConfirmationRequired) {
          raise(e.exitCode);
          writeRecord(e);
          continue;
        }
        throw e;
      }
    }
    if (def.end) await emit(await def.end(baseCtx(args.bound)));
    if (should.declined) raise(ExitCode.ConfirmationRequired);
  } catch (e) {
    if (isErrorRecord(e)) {
      writeRecord(e);
      raise(e.exitCode);
    } else {
      const err = e instanceof Error ? e : new Error(String(e));
      const rec = new ErrorRecord({ errorId: 'UnexpectedError', category: 'InvalidOperation', target: def.name, message: `Unexpected failure: ${err.message}`, recommendedAction: 'Rerun with -Debug and report the output if it persists.' });
      writeRecord(rec);
      log.debug(err.stack ?? err.message);
      raise(ExitCode.Error);
    }
  } finally {
    await repository.close();
    renderer.end();
    hostLines.forEach(stderr);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    await log.close();
  }
  return exit;
}

/**
 * One undefined entry means "run once with the command-line values". `emptyPipe`: stdin was a pipe or
 * file that held no object; the command still runs once with its command line (a scheduled job's stdin
 * is often an empty pipe), and only when that gives it nothing to work on is there nothing to do.
 */
async function pipelineInputs(def: CmdletDefinition, host: Host, bound: Set<string>): Promise<{ inputs: (Record<string, unknown> | undefined)[]; emptyPipe: boolean }> {
  if (!def.parameters.some((p) => p.valueFromPipelineByPropertyName && !bound.has(p.name))) return { inputs: [undefined], emptyPipe: false };
  const text = await host.readStdin();
  if (text === undefined) return { inputs: [undefined], emptyPipe: false };
  if (text.trim() === '') return { inputs: [undefined], emptyPipe: true };
  const { readPipelineInput } = await import('./pipeline.js');
  const objects = readPipelineInput(text);
  return objects.length ? { inputs: objects, emptyPipe: false } : { inputs: [undefined], emptyPipe: true };
}

/**
 * A version-4 UUID that correlates the log lines of one run. It is not a secret, so Math.random is enough,
 * and node:crypto (about 6 ms of every start) is not loaded by commands that do not need it.
 */
function newRunId(): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(Math.random() * 4)]!;
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
