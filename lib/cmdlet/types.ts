// The cmdlet contract (shared/docs/architecture.md): a command file exports one
// CmdletDefinition; the runtime binds argv/stdin to it, renders its output and maps
// its errors to exit codes. Nothing here knows about Lync.
import type { ErrorRecord } from './errors.js';
import type { TopologyRepository } from '../topology/repository.js';

export type ParameterType = 'string' | 'string[]' | 'int' | 'switch' | 'enum' | 'credential';

export interface ParameterDefinition {
  /** PascalCase, as PowerShell spells it (`Fqdn`, `EnableCompliance`). */
  name: string;
  type: ParameterType;
  help: string;
  mandatory?: boolean;
  /** Explicit position (0-based) for positional binding; switches are never positional. */
  position?: number;
  aliases?: string[];
  /** Binds from a piped object's property of the same name (or one of `pipelineProperties`). */
  valueFromPipelineByPropertyName?: boolean;
  /** Extra property names that bind this parameter from a piped object (`Fqdn` for `Identity`). */
  pipelineProperties?: string[];
  /** enum values, matched case-insensitively and canonicalised to this casing. */
  validateSet?: readonly string[];
  /** `explain`: what is wrong with a refused value, in words (which part, which character), when it can tell. */
  validatePattern?: { regex: RegExp; description: string; explain?: (value: string) => string | undefined };
  validateRange?: { min: number; max: number };
  /** Never logged or echoed. */
  secret?: boolean;
  /** Name of a parameter set this parameter belongs to (omitted: all sets). */
  parameterSets?: string[];
  default?: unknown;
  /** A prefix this name shares with another parameter binds the other one instead of being ambiguous. */
  yieldsPrefix?: boolean;
}

export interface Example {
  title: string;
  /** Runs as written in a POSIX shell; the help test runs it (commands that need a server: binding only). */
  code: string;
  remarks: string;
  /** What must have run first (beyond the command's earlier examples), as shell commands; help shows it. */
  setup?: string;
}

export interface OutputProperty {
  name: string;
  description: string;
}

export type ConfirmImpact = 'None' | 'Low' | 'Medium' | 'High';

export interface CmdletDefinition<P = Record<string, any>> {
  name: string;
  synopsis: string;
  description: string;
  examples: Example[];
  parameters: ParameterDefinition[];
  /** Parameter sets that need one of their parameters; used for help syntax and binding errors. */
  parameterSets?: { name: string; description?: string }[];
  outputType: string;
  outputs: OutputProperty[];
  /** Table columns for an output type that has no view in views.ts (default: every property). */
  defaultDisplay?: string[];
  supportsShouldProcess?: boolean;
  confirmImpact?: ConfirmImpact;
  /** When a Test-* command reports failures, the runtime exits 3. `failed(obj)` says which objects count. */
  failedWhen?: (obj: any) => boolean;
  /** Extra exit-code lines for help. */
  notes?: string[];
  /** Runs once per bound input object (once when nothing is piped). */
  process(params: P, ctx: CmdletContext): AsyncIterable<unknown> | Promise<unknown | unknown[] | void>;
  /** Runs once after every input object was processed (e.g. to check collective conditions). */
  end?(ctx: CmdletContext): AsyncIterable<unknown> | Promise<unknown | unknown[] | void>;
}

export interface Logger {
  verbose(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warning(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface CmdletContext {
  commandName: string;
  /** The topology repository (from -Repository, PCHAT_REPOSITORY or the per-user default): a folder or a sqlserver:// address. */
  repositoryPath: string;
  /** That repository, opened once per run (a SQL Server store connects at its first use). */
  repository(): TopologyRepository;
  /** A run id that correlates every log line of this invocation. */
  runId: string;
  log: Logger;
  /** ShouldProcess: false under -WhatIf (after printing the What if line) or when the user declines. */
  shouldProcess(target: string, action: string): Promise<boolean>;
  writeError(record: ErrorRecord): void;
  writeWarning(message: string): void;
  writeVerbose(message: string): void;
  writeDebug(message: string): void;
  /** A closing note for the person at the terminal (Write-Host), such as a summary: stderr after the output, never stdout; silent under -Quiet. */
  writeHost(message: string): void;
  /** Asks for a secret on a terminal; throws a terminating error when there is none. */
  readSecret(prompt: string, target: string): Promise<string>;
  whatIf: boolean;
  force: boolean;
  /** True when shouldProcess will ask before the change (or, with no terminal, refuse it with exit 4). */
  needsConfirmation(): boolean;
  /** Throws the ConfirmationRequired record (exit 4) now when shouldProcess(target, action) could not ask later. */
  assertConfirmable(target: string, action: string): void;
  /** True when stdin/stderr is a terminal (prompts allowed). */
  interactive: boolean;
  signal: AbortSignal;
  /** The parameters the user actually bound (PowerShell's $PSBoundParameters). */
  bound: Set<string>;
  /** Registers a secret (a password read at run time) so it is scrubbed from every message and log line. */
  registerSecret?(secret: string): void;
}
