import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { validateTopology } from '../lib/topology/rules/index.js';
import { SETUP_POOL } from '../lib/help/example-setups.js';

export default {
  name: 'Test-Topology',
  synopsis: 'Checks the draft topology against the Persistent Chat rules, without touching the network.',
  description:
    'Runs every validation rule that needs no network (\'pchat help about_TopologyRules\' lists each with its number, severity and meaning) on the draft topology, or on a published revision with -Revision, and returns one record per finding. Errors block Publish-Topology; warnings do not. Exits 3 when any finding is an error, 0 otherwise. The environment (DNS, SQL, file share) is checked by Test-SqlStore, Test-FileStore and Publish-Topology.',
  parameters: [
    { name: 'Revision', type: 'int', validateRange: { min: 1, max: 2 ** 31 - 1 }, help: 'Check a published revision instead of the draft.' },
    { name: 'Quiet', type: 'switch', help: 'Prints nothing; only the exit code tells (0 clean or warnings only, 3 errors).' },
  ],
  outputType: 'TopologyFinding',
  outputs: [
    { name: 'Severity', description: 'Error (blocks publishing) or Warning.' },
    { name: 'Rule', description: "The rule number; 'pchat help about_TopologyRules' says what each means." },
    { name: 'Target', description: 'The object concerned (pool FQDN, store identity, site name).' },
    { name: 'Message', description: 'What is wrong.' },
    { name: 'RecommendedAction', description: 'What to do about it.' },
  ],
  failedWhen: (f: { Severity: string }) => f.Severity === 'Error',
  examples: [
    { title: 'Check the draft before publishing', code: 'pchat Test-Topology && pchat Publish-Topology -Force', remarks: 'Publish-Topology runs only when no rule reports an error (it checks the rules again itself).', setup: SETUP_POOL },
    { title: 'Only the errors', code: "pchat Test-Topology | jq -c 'select(.Severity==\"Error\")'", remarks: "Into a pipe the findings are JSON lines. 'pchat help about_TopologyRules' says what each rule number means." },
  ],
  async process(p: { Revision?: number }, ctx) {
    const repo = ctx.repository();
    const t = p.Revision !== undefined ? (await repo.readPublished(p.Revision))!.topology : (await repo.readDraft()).topology;
    const findings = validateTopology(t);
    const errors = findings.filter((f) => f.Severity === 'Error').length;
    ctx.writeHost(`Test-Topology: ${errors} error(s), ${findings.length - errors} warning(s)${errors ? ': publishing is blocked until the errors are fixed' : ''}.`);
    return findings;
  },
} satisfies CmdletDefinition;
