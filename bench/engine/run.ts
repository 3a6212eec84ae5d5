/**
 * Engine benchmark: prints figures, asserts nothing.
 *
 *   npm run bench:engine                         # full size: 1,000,000 runs
 *   BENCH_RUNS=100000 npm run bench:engine       # smaller
 *
 * 1. Ingest: log-batch calls of 1000 metrics into 100 runs, metric rows per second, against
 *    the raw ceiling (better-sqlite3, one prepared statement, one transaction, same table).
 * 2. Search at scale: BENCH_RUNS runs with 10 tags and one metric each, then
 *    - the latest run where tags.run_type = 'evaluation' (order by start_time DESC, max 1),
 *    - a metric filter ordered by that metric, max 1000,
 *    with p50 and p99 latencies, in-process.
 * 3. Peak RSS of the whole process.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { MIGRATIONS } from '../../src/store/sql/schema.js';
import type { Metric } from '../../src/entities/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1_000_000);
const INGEST_RUNS = 100;
const INGEST_BATCHES_PER_RUN = Number(process.env.BENCH_BATCHES_PER_RUN ?? 10);
const BATCH = 1000;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 1000);

const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-'));
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function makeBatch(batchIndex: number): Metric[] {
  return Array.from({ length: BATCH }, (_, i) => ({
    key: `metric_${i % 20}`,
    value: Math.sin(batchIndex * BATCH + i),
    timestamp: 1_700_000_000_000 + batchIndex,
    step: batchIndex * 50 + Math.floor(i / 20),
  }));
}

async function ingest(): Promise<number> {
  const store = await openSqliteStore(join(dir, 'ingest.db'));
  const experimentId = await store.createExperiment({ name: '/Shared/bench/ingest' });
  const runIds: string[] = [];
  for (let r = 0; r < INGEST_RUNS; r++)
    runIds.push((await store.createRun({ experimentId, startTime: r })).info.run_id);
  const batches = Array.from({ length: INGEST_BATCHES_PER_RUN }, (_, b) => makeBatch(b));
  const started = performance.now();
  for (let b = 0; b < INGEST_BATCHES_PER_RUN; b++) {
    for (const runId of runIds) await store.logBatch(runId, { metrics: batches[b] as Metric[] });
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return (INGEST_RUNS * INGEST_BATCHES_PER_RUN * BATCH) / seconds;
}

function rawCeiling(): number {
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const create = MIGRATIONS[0]?.statements.sqlite.find((s) => s.startsWith('CREATE TABLE metrics'));
  if (!create) throw new Error('metrics table not found in the schema');
  db.exec(create);
  const insert = db.prepare(
    'INSERT INTO metrics (run_seq, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const batches = Array.from({ length: INGEST_BATCHES_PER_RUN }, (_, b) => makeBatch(b));
  const started = performance.now();
  db.transaction(() => {
    for (let b = 0; b < INGEST_BATCHES_PER_RUN; b++) {
      for (let run = 1; run <= INGEST_RUNS; run++) {
        for (const m of batches[b] as Metric[]) insert.run(run, m.key, m.step, m.timestamp, m.value, 0);
      }
    }
  })();
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return (INGEST_RUNS * INGEST_BATCHES_PER_RUN * BATCH) / seconds;
}

const RUN_TYPES = ['development', 'evaluation', 'deployment'] as const;
const ENVIRONMENTS = { development: 'dev', evaluation: 'staging', deployment: 'production' } as const;

async function searchAtScale(): Promise<void> {
  const store = await openSqliteStore(join(dir, 'scale.db'));
  const experimentId = await store.createExperiment({ name: '/Shared/bench/scale' });
  let started = performance.now();
  let last = started;
  for (let i = 0; i < RUNS; i++) {
    const type = RUN_TYPES[i % 3] as (typeof RUN_TYPES)[number];
    const run = await store.createRun({
      experimentId,
      runName: `run_${i}`,
      startTime: 1_700_000_000_000 + i * 1000,
      userId: 'bench',
      tags: [
        { key: 'agent_name', value: 'bench_agent' },
        { key: 'run_type', value: type },
        { key: 'environment', value: ENVIRONMENTS[type] },
        { key: 'version', value: `1.${i % 50}.0` },
        { key: 'model_version', value: String(i % 200) },
        { key: 'deployment_status', value: i % 7 === 0 ? 'rolled_back' : 'success' },
        { key: 'deployment_candidate', value: i % 2 === 0 ? 'true' : 'false' },
        { key: 'team', value: `team_${i % 10}` },
        { key: 'dataset', value: `ds_${i % 100}` },
        { key: 'seed', value: String(i) },
      ],
    });
    await store.logMetric(run.info.run_id, {
      key: 'accuracy',
      value: ((i * 7919) % 10_007) / 10_007,
      timestamp: i,
      step: 0,
    });
    if ((i + 1) % 100_000 === 0) {
      const now = performance.now();
      console.log(`  ${fmt(i + 1)} runs, last 100k in ${fmt((now - last) / 1000, 1)} s`);
      last = now;
    }
  }
  const loadSeconds = (performance.now() - started) / 1000;
  console.log(
    `create ${fmt(RUNS)} runs (10 tags + 1 metric each, one createRun and one logMetric per run): ${fmt(loadSeconds, 1)} s (${fmt(RUNS / loadSeconds)} runs/s)`,
  );

  const latest = {
    experimentIds: [experimentId],
    filter: "tags.run_type = 'evaluation'",
    orderBy: ['start_time DESC'],
    maxResults: 1,
  };
  const first = await store.searchRuns(latest);
  if (first.items[0]?.data.tags?.find((t) => t.key === 'run_type')?.value !== 'evaluation')
    throw new Error('wrong result');
  const timings: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    started = performance.now();
    await store.searchRuns(latest);
    timings.push(performance.now() - started);
  }
  timings.sort((a, b) => a - b);
  console.log(
    `latest run where tags.run_type = 'evaluation' (max_results 1) over ${fmt(RUNS)} runs: p50 ${fmt(percentile(timings, 50), 3)} ms, p99 ${fmt(percentile(timings, 99), 3)} ms (${QUERIES} queries)`,
  );

  const byMetric = {
    experimentIds: [experimentId],
    filter: 'metrics.accuracy > 0.5',
    orderBy: ['metrics.accuracy DESC'],
    maxResults: 1000,
  };
  const metricTimings: number[] = [];
  const metricQueries = Math.max(5, Math.floor(QUERIES / 20));
  for (let q = 0; q < metricQueries; q++) {
    started = performance.now();
    const page = await store.searchRuns(byMetric);
    metricTimings.push(performance.now() - started);
    if (page.items.length !== Math.min(1000, RUNS)) {
      // Half the runs match; small benchmark sizes may have fewer than 1000.
      if (RUNS >= 4000) throw new Error(`metric query returned ${page.items.length} runs`);
    }
  }
  metricTimings.sort((a, b) => a - b);
  console.log(
    `metrics.accuracy > 0.5 order by metrics.accuracy DESC (max_results 1000): p50 ${fmt(percentile(metricTimings, 50), 1)} ms, p99 ${fmt(percentile(metricTimings, 99), 1)} ms (${metricQueries} queries)`,
  );
  await store.close();
}

async function main(): Promise<void> {
  console.log(`agentrack engine benchmark (node ${process.version}, ${new Date().toISOString()})`);
  try {
    const ours = await ingest();
    const raw = rawCeiling();
    console.log(
      `ingest: ${INGEST_RUNS * INGEST_BATCHES_PER_RUN} log-batch calls of ${BATCH} metrics into ${INGEST_RUNS} runs: ${fmt(ours)} metric rows/s`,
    );
    console.log(
      `raw ceiling (better-sqlite3, one prepared INSERT, one transaction, same table): ${fmt(raw)} rows/s`,
    );
    console.log(`ingest ratio agentrack / raw: ${fmt(ours / raw, 2)} (target >= 0.50)`);
    await searchAtScale();
    const peakMb = process.resourceUsage().maxRSS / 1024;
    console.log(`peak RSS: ${fmt(peakMb)} MB (target < 300 MB)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
