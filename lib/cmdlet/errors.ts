// Error records in PowerShell's shape (errorId, category, target, recommended action)
// and the exit-code table every command shares.

/** Names and numbers copied from System.Management.Automation.ErrorCategory. */
export const ErrorCategory = {
  NotSpecified: 0,
  OpenError: 1,
  CloseError: 2,
  DeviceError: 3,
  DeadlockDetected: 4,
  InvalidArgument: 5,
  InvalidData: 6,
  InvalidOperation: 7,
  InvalidResult: 8,
  InvalidType: 9,
  MetadataError: 10,
  NotImplemented: 11,
  NotInstalled: 12,
  ObjectNotFound: 13,
  OperationStopped: 14,
  OperationTimeout: 15,
  SyntaxError: 16,
  ParserError: 17,
  PermissionDenied: 18,
  ResourceBusy: 19,
  ResourceExists: 20,
  ResourceUnavailable: 21,
  ReadError: 22,
  WriteError: 23,
  FromStdErr: 24,
  SecurityError: 25,
  ProtocolError: 26,
  ConnectionError: 27,
  AuthenticationError: 28,
  LimitsExceeded: 29,
  QuotaExceeded: 30,
  NotEnabled: 31,
} as const;
export type ErrorCategoryName = keyof typeof ErrorCategory;

/** The documented exit codes (README "Exit codes"). */
export const ExitCode = {
  Success: 0,
  Error: 1,
  Usage: 2,
  TestFailed: 3,
  ConfirmationRequired: 4,
  RepositoryBusy: 5,
  Interrupted: 130,
  Terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorRecordInit {
  errorId: string;
  category: ErrorCategoryName;
  target?: string;
  message: string;
  recommendedAction?: string;
  cause?: unknown;
  /** Exit code when this error ends the command (default 1). */
  exitCode?: ExitCodeValue;
  /** The command was given nothing to work on: after an empty pipeline that is nothing to do, not an error. */
  noInput?: boolean;
  /**
   * Thrown, this record still ends the work on the current object, but it is about that object alone
   * (the pool a command works on not found): PowerShell writes such an error as a non-terminating one
   * (Get-CsPool -Identity <missing>), so -ErrorAction governs it. Every other thrown record is terminating
   * and is printed whatever -ErrorAction says.
   */
  nonTerminating?: boolean;
}

/** An error record; thrown, it is a terminating error (unless marked nonTerminating); passed to ctx.writeError, a non-terminating one. */
export class ErrorRecord extends Error {
  readonly errorId: string;
  readonly category: ErrorCategoryName;
  readonly target: string;
  readonly recommendedAction: string;
  readonly exitCode: ExitCodeValue;
  readonly noInput: boolean;
  readonly nonTerminating: boolean;

  constructor(init: ErrorRecordInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ErrorRecord';
    if (/[^A-Za-z0-9]/.test(init.errorId)) throw new TypeError(`errorId must be a bare identifier: ${init.errorId}`);
    this.errorId = init.errorId;
    this.category = init.category;
    this.target = init.target ?? '';
    this.recommendedAction = init.recommendedAction ?? '';
    this.exitCode = init.exitCode ?? ExitCode.Error;
    this.noInput = init.noInput ?? false;
    this.nonTerminating = init.nonTerminating ?? false;
  }

  fullyQualifiedErrorId(commandName: string): string {
    return `${this.errorId},${commandName}`;
  }

  toJSON(commandName = ''): Record<string, unknown> {
    return {
      ErrorId: this.errorId,
      FullyQualifiedErrorId: commandName ? this.fullyQualifiedErrorId(commandName) : this.errorId,
      Category: this.category,
      Target: this.target,
      Message: this.message,
      RecommendedAction: this.recommendedAction,
    };
  }
}

/** A usage error (exit 2): binding, validation, unknown parameter. */
export function usageError(errorId: string, message: string, target = '', recommendedAction = '', opts: { noInput?: boolean } = {}): ErrorRecord {
  return new ErrorRecord({ errorId, category: 'InvalidArgument', message, target, recommendedAction, exitCode: ExitCode.Usage, ...opts });
}

export function isErrorRecord(e: unknown): e is ErrorRecord {
  return e instanceof ErrorRecord;
}
