#!/usr/bin/env node
// Foundation benchmark (issue 2), printed side by side in one run:
//   1. cold start: median of 20 runs of `bin/pchat Get-Topology` (small repository) against `node -e 0`;
//   2. a synthetic topology of 200 sites and 2,000 Persistent Chat pools: time to validate it
//      (validateTopology) and to save it (Repository.update: lock, integrity check, atomic write, history),
//      and the shape check every read of draft.json makes (shapeProblem, first run compiles it).
// Targets: cold start within 1.5x of bare node; 2,000 pools validated and saved in under 300 ms.
// Run `npx tsc -p .` first. Not a test: it prints figures.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Repository } from '../dist/lib/topology/repository.js';
import { validateTopology } from '../dist/lib/topology/rules/index.js';
import { shapeProblem } from '../dist/lib/topology/shape.js';
import { changeTopology } from '../dist/lib/topology/edit.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PCHAT = path.join(root, 'bin', 'pchat');
const STARTS = 20;
const SITES = 200;
const POOLS_PER_SITE = 10;
const SAVE_RUNS = 7;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;

function timeSpawn(cmd, args, env) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const dt = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return dt;
}

/** The same synthetic topology the rules' linearity test uses (compiled test support). */
export async function syntheticTopology(sites = SITES, poolsPerSite = POOLS_PER_SITE) {
  const { syntheticTopology: build } = await import('../dist/test/support/topology-builder.js');
  return build(sites, poolsPerSite);
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pchat-bench-'));
  try {
    // ---- 1. cold start ----
    const small = path.join(dir, 'small');
    const env = { ...process.env, PCHAT_REPOSITORY: small };
    spawnSync(PCHAT, ['New-Topology'], { env });
    spawnSync(PCHAT, ['New-Site', 'Redmond'], { env });
    timeSpawn(PCHAT, ['Get-Topology'], env); // warm the file cache once, for both
    timeSpawn(process.execPath, ['-e', '0'], env);
    const pchat = [];
    const bare = [];
    for (let i = 0; i < STARTS; i++) {
      // Interleaved, so that machine load affects both alike.
      bare.push(timeSpawn(process.execPath, ['-e', '0'], env));
      pchat.push(timeSpawn(PCHAT, ['Get-Topology'], env));
    }
    const ratio = median(pchat) / median(bare);

    // ---- 2. 200 sites, 2,000 pools ----
    const big = await syntheticTopology();
    const t0 = performance.now();
    const findings = validateTopology(big);
    const firstValidate = performance.now() - t0;
    if (findings.length) throw new Error(`the synthetic topology is not valid: ${findings.slice(0, 3).map((f) => `rule ${f.Rule} ${f.Target}: ${f.Message}`).join('; ')}`);
    const validateRuns = [];
    for (let i = 0; i < SAVE_RUNS; i++) {
      const a = performance.now();
      validateTopology(big);
      validateRuns.push(performance.now() - a);
    }

    const bigRepo = path.join(dir, 'big');
    const repo = new Repository(bigRepo);
    // What a New-/Set- command hands changeTopology, without the runtime around it (no prompt, no -WhatIf).
    const ctx = { whatIf: false, needsConfirmation: () => false, shouldProcess: async () => true, writeWarning() {}, repository: () => repo };
    await repo.update((t) => Object.assign(t, structuredClone(big)), { create: true });
    const saveRuns = [];
    const editRuns = [];
    for (let i = 0; i < SAVE_RUNS; i++) {
      const a = performance.now();
      await repo.update((t) => void (t.persistentChatPools[i].displayName = `renamed ${i}`));
      saveRuns.push(performance.now() - a);
      const b = performance.now();
      await changeTopology(ctx, 'pool', 'Set port', (t) => void (t.persistentChatPools[i].port = 5042));
      editRuns.push(performance.now() - b);
    }
    const d = await repo.readDraft();
    // In a fresh process: the first check of a command is a cold one (compile, no JIT yet).
    const shapeCold = Number(spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { readFileSync } from 'node:fs';
      import { shapeProblem } from ${JSON.stringify(path.join(root, 'dist/lib/topology/shape.js'))};
      const doc = JSON.parse(readFileSync(${JSON.stringify(repo.draftFile)}, 'utf8'));
      const a = performance.now();
      if (shapeProblem('draft', doc)) process.exit(1);
      process.stdout.write(String(performance.now() - a));`], { encoding: 'utf8' }).stdout);
    const shapeRuns = [];
    for (let i = 0; i < SAVE_RUNS; i++) {
      const a = performance.now();
      shapeProblem('draft', d);
      shapeRuns.push(performance.now() - a);
    }
    const total = median(validateRuns) + median(saveRuns);

    const rows = [
      ['cold start', `pchat Get-Topology ${ms(median(pchat))}`, `node -e 0 ${ms(median(bare))}`, `${ratio.toFixed(2)}x`, 'within 1.5x', ratio <= 1.5],
      [
        `validate ${d.topology.sites.length} sites, ${d.topology.persistentChatPools.length} pools`,
        `validateTopology ${ms(median(validateRuns))} (first ${ms(firstValidate)})`,
        `Repository.update ${ms(median(saveRuns))}`,
        `${ms(total)}`,
        'under 300 ms',
        total < 300,
      ],
    ];
    console.log(`node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, ${os.platform()}`);
    console.log(`median of ${STARTS} cold starts; median of ${SAVE_RUNS} validations and saves\n`);
    const head = ['measure', 'pchat', 'reference', 'result', 'target', ''];
    const table = [head, ...rows.map((r) => [...r.slice(0, 5), r[5] ? 'met' : 'MISSED'])];
    const w = head.map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
    for (const r of table) console.log(r.map((c, i) => String(c).padEnd(w[i])).join('  ').trimEnd());
    console.log(`\nshape check of draft.json (every read): ${ms(shapeCold)} in a fresh process, ${ms(median(shapeRuns))} warm`);
    console.log(`for reference: one command's change of this topology (changeTopology: validate before and after, integrity, save) ${ms(median(editRuns))}; draft.json ${(JSON.stringify(d).length / 1e6).toFixed(1)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
