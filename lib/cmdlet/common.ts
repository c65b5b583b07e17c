// The common parameters the runtime supplies to every command (a command may not declare these names).
import type { CmdletDefinition, ParameterDefinition } from './types.js';

export const OUTPUT_FORMATS = ['Table', 'List', 'Json'] as const;
export const ERROR_ACTIONS = ['Stop', 'Continue', 'SilentlyContinue', 'Ignore'] as const;

/**
 * `-Repository "$REPO"` with $REPO unset is a mistake, not the current folder ("There is no topology in ''"
 * even from New-Topology), and `-LogFile ""` would silently log nothing: an empty or blank value is refused.
 */
const NOT_BLANK = (what: string): Pick<ParameterDefinition, 'validatePattern'> => ({ validatePattern: { regex: /\S/, description: what } });

const ALWAYS: ParameterDefinition[] = [
  { name: 'Verbose', type: 'switch', aliases: ['vb'], help: 'Writes what the command is doing to stderr (VERBOSE: lines).' },
  { name: 'Debug', type: 'switch', aliases: ['db'], help: 'Writes support details to stderr (DEBUG: lines); implies -Verbose.' },
  {
    name: 'ErrorAction',
    type: 'enum',
    aliases: ['ea'],
    validateSet: ERROR_ACTIONS,
    help: 'What a non-terminating error does (one object\'s error, such as the pool to work on not found). Stop: the first one ends the command. Continue (default): report it and go on. SilentlyContinue (or Ignore): go on without printing it; the exit code still says it happened. A terminating error (one that ends the command, such as a missing repository) is printed whatever -ErrorAction says.',
  },
  {
    name: 'OutputFormat',
    type: 'enum',
    aliases: ['of'],
    validateSet: OUTPUT_FORMATS,
    help: 'How objects are written to stdout. Default: Table on a terminal, Json (one object per line, every property) into a pipe or file. Table: the command\'s few columns sized to the terminal (else COLUMNS, else 120), long text wrapped in its cell. List: every property, one per line.',
  },
  {
    name: 'Property',
    type: 'string[]',
    // Added after scripts were written with short prefixes (-Pro for -Product): those keep binding as before.
    yieldsPrefix: true,
    help: 'The properties Table and List output show, in this order (e.g. -Property Fqdn,Site; wildcards allowed, quoted so that the shell does not expand them into file names: -Property \'*\'). Default: the command\'s own view (List: every property). JSON lines always keep every property.',
  },
  { name: 'LogFile', type: 'string', ...NOT_BLANK('a file name'), help: 'Appends a JSON-lines log of this run (every level, with a run id) to this file. Also PCHAT_LOG_FILE.' },
  {
    name: 'Repository',
    type: 'string',
    ...NOT_BLANK('a folder or a sqlserver:// address'),
    help: 'The topology repository: a folder, or a store on SQL Server (sqlserver://login@host[\\instance][:port]/database). Default: $PCHAT_REPOSITORY, else the per-user folder (pchat help about_Repository).',
  },
  {
    name: 'RepositoryCredentialFile',
    type: 'string',
    ...NOT_BLANK('a file name'),
    help: 'For a store on SQL Server: a file (mode 0600) whose first line is the password of the login in the address. Else PCHAT_REPOSITORY_PASSWORD, else a prompt on a terminal.',
  },
];

const SHOULD_PROCESS: ParameterDefinition[] = [
  { name: 'WhatIf', type: 'switch', aliases: ['wi'], help: 'Shows what would change, as "What if:" lines on stderr, and changes nothing.' },
  { name: 'Confirm', type: 'switch', aliases: ['cf'], help: 'Asks before each change (-Confirm:false never asks). With no terminal a needed confirmation fails at once (exit 4).' },
];

const FORCE: ParameterDefinition = {
  name: 'Force',
  type: 'switch',
  help: 'Does not ask for confirmation (unless -Confirm is given too); -WhatIf still wins.',
};

export const HELP_PARAMETER: ParameterDefinition = { name: 'Help', type: 'switch', aliases: ['?'], help: 'Shows this help.' };

/** The common parameters that apply to a command. -Force is added only when the command does not declare its own. */
export function commonParameters(def: CmdletDefinition): ParameterDefinition[] {
  const own = new Set(def.parameters.map((p) => p.name.toLowerCase()));
  const list = [...ALWAYS];
  if (def.supportsShouldProcess) {
    list.push(...SHOULD_PROCESS);
    if (!own.has('force')) list.push(FORCE);
  }
  return list;
}

export const COMMON_NAMES = new Set(
  [...ALWAYS, ...SHOULD_PROCESS, FORCE, HELP_PARAMETER].map((p) => p.name.toLowerCase()),
);
