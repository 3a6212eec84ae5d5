/**
 * Lifecycle benchmark: prints figures, asserts nothing.
 *
 *   npm run bench:lifecycle                      # 100,000 runs
 *   BENCH_AUDIT_RUNS=20000 npm run bench:lifecycle
 *
 * Builds an agent with BENCH_AUDIT_RUNS runs spread over its three experiments (1% of them
 * breaking a rule), then times the audit of the whole checklist, a dry-run fix, and the
 * lifecycle's own run start/end (name claim, tags, gate).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TrackingClient } from '../../src/client/tracking-client.js';
import { Agent } from '../../src/lifecycle/agent.js';
import { RUN_TYPES, TAGS } from '../../src/lifecycle/conventions.js';
import { formatRunName } from '../../src/lifecycle/naming.js';

const RUNS = Number(process.env.BENCH_AUDIT_RUNS ?? 100_000);
const START = Date.UTC(2026, 0, 1);
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-lifecycle-'));
  console.log(`agentrack lifecycle benchmark (node ${process.version}, ${new Date().toISOString()})`);
  try {
    const client = await TrackingClient.open(`sqlite:///${join(dir, 'audit.db')}`);
    const agent = await Agent.open({ config: { agent: 'bench_agent', version: '1.0.0' }, client });
    const experiments = await agent.ensureExperiments();

    let started = performance.now();
    for (let i = 0; i < RUNS; i++) {
      const runType = RUN_TYPES[i % 3] as (typeof RUN_TYPES)[number];
      const broken = i % 100 === 0;
      const time = START + i * 1000;
      const tags: Record<string, string> = {
        [TAGS.agentName]: 'bench_agent',
        [TAGS.runType]: runType,
        [TAGS.environment]: agent.config.environments[runType],
        [TAGS.version]: '1.0.0',
      };
      if (runType === 'evaluation') tags[TAGS.deploymentCandidate] = 'false';
      if (runType === 'deployment')
        Object.assign(tags, { [TAGS.modelVersion]: String(i), [TAGS.deploymentStatus]: 'success' });
      if (broken) delete tags[TAGS.environment];
      await client.createRun(experiments[i % 3]!.experimentId, {
        runName: broken ? `run_${i}` : formatRunName(runType, new Date(time)),
        startTime: time,
        tags,
      });
    }
    console.log(
      `setup: ${fmt(RUNS)} runs in 3 experiments (1% breaking a rule): ${fmt((performance.now() - started) / 1000, 1)} s`,
    );

    let progressCalls = 0;
    started = performance.now();
    const report = await agent.audit({ onProgress: () => progressCalls++ });
    const auditSeconds = (performance.now() - started) / 1000;
    const failures = report.items
      .filter((item) => item.status === 'fail')
      .map((item) => `${item.id} (${item.problemCount})`);
    console.log(
      `audit of ${fmt(report.runsAudited)} runs: ${fmt(auditSeconds, 2)} s (${fmt(report.runsAudited / auditSeconds)} runs/s), ${progressCalls} progress updates, failing: ${failures.join(', ')}`,
    );

    started = performance.now();
    const dryRun = await agent.audit({ fix: true, dryRun: true });
    console.log(
      `audit --fix --dry-run: ${fmt((performance.now() - started) / 1000, 2)} s, ${fmt(dryRun.changes.length)} changes proposed`,
    );

    started = performance.now();
    const lifecycleRuns = 200;
    for (let i = 0; i < lifecycleRuns; i++) {
      await agent.evaluation(async (run) => run.logMetrics({ accuracy: 0.9 }), {
        thresholds: ['accuracy >= 0.8'],
      });
    }
    const perRun = (performance.now() - started) / lifecycleRuns;
    console.log(
      `scoped evaluation run (unique name claim, tags, one metric, gate, end) in an experiment of ${fmt(RUNS / 3)} runs: ${fmt(perRun, 2)} ms each`,
    );
    console.log(`peak RSS: ${fmt(process.resourceUsage().maxRSS / 1024)} MB`);
    await agent.close();
    await client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
