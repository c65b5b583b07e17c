import type { CmdletDefinition } from '../lib/cmdlet/types.js';
import { SETUP_PUBLISHED } from '../lib/help/example-setups.js';

export default {
  name: 'Get-TopologyRevision',
  synopsis: 'Lists the published revisions of the topology: number, when, who, what changed.',
  description: 'Returns one object per published revision, oldest first (or only -Revision N). Show a revision\'s content with Get-Topology -Revision N or Export-Topology -Revision N, and compare two with Compare-Topology.',
  parameters: [{ name: 'Revision', type: 'int', position: 0, validateRange: { min: 1, max: 2 ** 31 - 1 }, help: 'Only this revision.' }],
  outputType: 'TopologyRevision',
  outputs: [
    { name: 'Revision', description: 'The revision number.' },
    { name: 'PublishedAt', description: 'When (UTC, ISO 8601).' },
    { name: 'PublishedBy', description: 'Who (user@host).' },
    { name: 'Summary', description: 'What changed, in one line.' },
    { name: 'Changes', description: 'Each change.' },
    { name: 'RunId', description: 'The publish run (matches its -LogFile lines).' },
  ],
  examples: [
    { title: 'The history', code: 'pchat Get-TopologyRevision', remarks: 'Oldest first; empty before the first publish.', setup: SETUP_PUBLISHED },
    { title: 'The latest revision only', code: "pchat Get-TopologyRevision | tail -n 1 | jq .Summary", remarks: 'Into a pipe each revision is one JSON line.' },
  ],
  async process(p: { Revision?: number }, ctx) {
    const repo = ctx.repository();
    const numbers = p.Revision !== undefined ? [p.Revision] : await repo.listPublishedNumbers();
    // No revision yet is an empty list, but only in a repository: a mistyped path says there is none.
    if (!numbers.length) await repo.assertExists();
    const out = [];
    for (const n of numbers) {
      const r = (await repo.readPublished(n))!;
      out.push({ Revision: r.revision, PublishedAt: r.publishedAt, PublishedBy: r.publishedBy, Summary: r.summary, Changes: r.changes, RunId: r.runId });
    }
    return out;
  },
} satisfies CmdletDefinition;
