// The -PolicyFile parameter, declared once for Test-FileStore and Publish-Topology: the preflight and the
// publish take the same file the same way (policy.ts policyFileInForce decides which file is in force).
// Kept apart from policy.ts so that declaring the parameter loads nothing.
import type { ParameterDefinition } from '../../cmdlet/types.js';

export const POLICY_FILE_PARAMETER: ParameterDefinition = {
  name: 'PolicyFile',
  type: 'string',
  // `-PolicyFile "$POLICY"` with $POLICY unset is a mistake, not a request for the built-in table.
  validatePattern: { regex: /\S/, description: 'a file name' },
  help: 'A JSON file with the ACEs publish sets on each pool folder, instead of the built-in table; it wins over PCHAT_FILESTORE_POLICY. Give Test-FileStore and Publish-Topology the same file, so that the preflight proves what publish applies.',
};
