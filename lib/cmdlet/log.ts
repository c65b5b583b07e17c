// Streams 2-6 (error, warning, verbose, debug, information) on stderr with PowerShell's prefixes,
// and, with -LogFile, every event as a JSON line through winston (loaded only then).
import type { Logger } from './types.js';

export type Level = 'error' | 'warning' | 'info' | 'verbose' | 'debug';

const SECRET_KEY = /pass(word)?|pwd|secret|token|credential|authorization|connectionstring/i;

/** Copies (never mutates) a value with secrets replaced, at any depth. */
export function redact(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (depth > 8) return '[...]';
  if (typeof value === 'string') return redactString(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? '[REDACTED]' : redact(v, secrets, depth + 1);
    return out;
  }
  return value;
}

export function redactString(s: string, secrets: readonly string[] = []): string {
  // A value already masked as *** (an address refused for its password) is left, so the rest of the message stays.
  let r = s.replace(/\b(password|pwd)\s*=\s*(?!\*\*\*(?:[&);\s]|$))[^;]*/gi, '$1=[REDACTED]').replace(/(smb:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1[REDACTED]@');
  for (const secret of secrets) if (secret) r = r.split(secret).join('[REDACTED]');
  return r;
}

export interface LogSinkOptions {
  commandName: string;
  runId: string;
  verbose: boolean;
  debug: boolean;
  logFile?: string;
  stderr: (s: string) => void;
}

interface FileLogger {
  log(level: string, message: string, meta: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** The run's logger. Secrets registered with addSecret are scrubbed from every line it writes. */
export class LogSink implements Logger {
  private readonly secrets: string[] = [];
  private file?: Promise<FileLogger>;

  constructor(private readonly opts: LogSinkOptions) {
    // A job that asked for a log and cannot get one is told so, once, on stderr; the command still runs.
    if (opts.logFile) this.file = openFileLog(opts.logFile, opts.commandName, opts.runId, (e) => opts.stderr(`WARNING: Cannot write the log file '${opts.logFile}': ${e.message}\n`));
  }

  addSecret(secret: string): void {
    if (secret && !this.secrets.includes(secret)) this.secrets.push(secret);
  }

  scrub(s: string): string {
    return redactString(s, this.secrets);
  }

  private emit(level: Level, prefix: string, show: boolean, message: string, meta?: Record<string, unknown>): void {
    const text = this.scrub(message);
    if (show) this.opts.stderr(prefix ? `${prefix}${text}\n` : `${text}\n`);
    if (this.file) {
      const m = (redact(meta ?? {}, this.secrets) as Record<string, unknown>);
      void this.file.then((f) => f.log(level, text, m));
    }
  }

  error(message: string, meta?: Record<string, unknown>): void {
    // The console form of an error record is written by the runtime; this is the log line.
    this.emit('error', '', false, message, meta);
  }
  warning(message: string, meta?: Record<string, unknown>): void {
    this.emit('warning', 'WARNING: ', true, message, meta);
  }
  info(message: string, meta?: Record<string, unknown>): void {
    this.emit('info', '', false, message, meta);
  }
  verbose(message: string, meta?: Record<string, unknown>): void {
    this.emit('verbose', 'VERBOSE: ', this.opts.verbose || this.opts.debug, message, meta);
  }
  debug(message: string, meta?: Record<string, unknown>): void {
    this.emit('debug', 'DEBUG: ', this.opts.debug, message, meta);
  }

  /** Waits until the log file has everything (winston's File transport 'finish'). */
  async close(): Promise<void> {
    if (this.file) await (await this.file).close();
  }
}

async function openFileLog(filename: string, cmdlet: string, runId: string, onError: (e: Error) => void): Promise<FileLogger> {
  // winston reports a file it cannot open after the run has ended, or not at all: check first.
  try {
    const { mkdir, open } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await mkdir(dirname(filename), { recursive: true });
    await (await open(filename, 'a')).close();
  } catch (e) {
    onError(e as Error);
    return { log: () => {}, close: async () => {} };
  }
  const { createLogger, format, transports } = await import('winston');
  const file = new transports.File({ filename, level: 'debug' });
  const logger = createLogger({
    level: 'debug',
    levels: { error: 0, warning: 1, info: 2, verbose: 3, debug: 4 },
    defaultMeta: { cmdlet, runId },
    format: format.combine(format.timestamp(), format.json()),
    transports: [file],
    exitOnError: false,
  });
  let reported = false;
  logger.on('error', (e: Error) => {
    if (!reported) onError(e);
    reported = true;
  });
  // A SQL Server connection reports its last debug lines after it is closed, i.e. after the run ended
  // the log: those are dropped here rather than written to an ended stream ("write after end").
  let ended = false;
  return {
    log: (level, message, meta) => void (ended || logger.log(level, message, meta)),
    close: () =>
      new Promise<void>((resolve) => {
        if (ended) return resolve();
        ended = true;
        file.once('finish', () => resolve());
        logger.end();
      }),
  };
}
