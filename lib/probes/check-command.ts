// What the Test-* commands that print check rows share: their output description, their exit-code
// rule and their common parameters (one place, so Test-SqlStore and Test-FileStore cannot drift apart).
import type { OutputProperty, ParameterDefinition } from '../cmdlet/types.js';
import type { CheckRow } from './types.js';

export function checkRowOutputs(target: string, checks: string): OutputProperty[] {
  return [
    { name: 'Target', description: target },
    { name: 'Check', description: checks },
    { name: 'Status', description: 'Passed, Warning, Failed, or Skipped (not applicable, or not checkable after an earlier failure: Details says which).' },
    { name: 'Details', description: 'What was found.' },
    { name: 'RecommendedAction', description: 'What to do when the check did not pass.' },
    { name: 'DurationMs', description: 'How long the check took.' },
  ];
}

export const CHECK_ROWS = {
  defaultDisplay: ['Target', 'Check', 'Status', 'Details'],
  failedWhen: (o: CheckRow) => o.Status === 'Failed',
  notes: ['Exit code 3 when any check failed; 0 when every check passed or only warned.'],
};

export function timeoutParameter(help: string): ParameterDefinition {
  return { name: 'TimeoutSeconds', type: 'int', validateRange: { min: 1, max: 600 }, default: 15, help };
}

export function throttleParameter(what: string): ParameterDefinition {
  return { name: 'ThrottleLimit', type: 'int', validateRange: { min: 1, max: 64 }, default: 8, help: `How many ${what} are probed at once.` };
}

export const QUIET_PARAMETER: ParameterDefinition = { name: 'Quiet', type: 'switch', help: 'Prints nothing; the exit code tells (0 no check failed, 3 a check failed).' };
