/**
 * Engine benchmark: prints figures, asserts nothing.
 *
 *   npm run bench:engine                         # full size: 1,000,000 runs
 *   BENCH_RUNS=100000 npm run bench:engine       # smaller
 *   BENCH_POSTGRES=0 npm run bench:engine        # SQLite only
 *   BENCH_POSTGRES_URL=postgresql://user:pw@host:5432/postgres npm run bench:engine
 *
 * Each figure is measured in-process on the SQLite store and on the PostgreSQL store (a
 * database of its own on the server bench/postgres.ts finds or starts), and printed at the end
 * in a table with a column per backend:
 * 1. Ingest: log-batch calls of 1000 metrics into 100 runs, metric rows per second; on SQLite
 *    against the raw ceiling (better-sqlite3, one prepared statement, one transaction, same table).
 * 2. Search at scale: BENCH_RUNS runs with 10 tags and one metric each, then
 *    - the latest run where tags.run_type = 'evaluation' (order by start_time DESC, max 1),
 *    - a metric filter ordered by that metric, max 1000,
 *    with p50 and p99 latencies (BENCH_QUERIES queries, a twentieth of them for the metric
 *    filter). SQLite is seeded through createRun and logMetric, one run at a time (that time is
 *    a figure); PostgreSQL through the SQL import surface `agentrack copy` writes with (the same
 *    runs, 1000 per transaction, 4 transactions in flight), then ANALYZE, each timed on its own line.
 * 3. Peak RSS of the whole process (both backends).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { MIGRATIONS } from '../../src/store/sql/schema.js';
import type { SqlTrackingStore } from '../../src/store/sql/sql-store.js';
import type { RunRecord } from '../../src/store/import-records.js';
import type { TrackingStore } from '../../src/store/tracking-store.js';
import type { Metric, RunTag } from '../../src/entities/index.js';
import { benchPostgres, type BenchPostgres } from '../postgres.js';
import { printSideBySide, type SideBySideRow } from '../side-by-side.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1_000_000);
const INGEST_RUNS = 100;
const INGEST_BATCHES_PER_RUN = Number(process.env.BENCH_BATCHES_PER_RUN ?? 10);
const BATCH = 1000;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 1000);
const IMPORT_BATCH = 1000;
const IMPORT_CONCURRENCY = 4;
const FIRST_START_TIME = 1_700_000_000_000;

const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-'));
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The figures of one backend, for the table at the end. */
interface BackendFigures {
  ingestRowsPerSecond: number;
  /** How the search's runs were written, and in how long. */
  seed: { how: string; seconds: number };
  latest: { p50: number; p99: number };
  metric: { p50: number; p99: number };
}

function makeBatch(batchIndex: number): Metric[] {
  return Array.from({ length: BATCH }, (_, i) => ({
    key: `metric_${i % 20}`,
    value: Math.sin(batchIndex * BATCH + i),
    timestamp: 1_700_000_000_000 + batchIndex,
    step: batchIndex * 50 + Math.floor(i / 20),
  }));
}

/** Log-batch calls of {@link BATCH} metrics into {@link INGEST_RUNS} new runs: metric rows per second. */
async function ingest(store: TrackingStore): Promise<number> {
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

/** The ten tags of the `i`-th run of the search at scale. */
function scaleTags(i: number): RunTag[] {
  const type = RUN_TYPES[i % 3] as (typeof RUN_TYPES)[number];
  return [
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
  ];
}

/** The one metric of the `i`-th run of the search at scale. */
function scaleMetric(i: number): Metric {
  return { key: 'accuracy', value: ((i * 7919) % 10_007) / 10_007, timestamp: i, step: 0 };
}

function progress(i: number, last: { at: number }): void {
  if ((i + 1) % 100_000 !== 0) return;
  const now = performance.now();
  console.log(`  ${fmt(i + 1)} runs, last 100k in ${fmt((now - last.at) / 1000, 1)} s`);
  last.at = now;
}

/** Seeds {@link RUNS} runs through the API, one createRun and one logMetric per run: the seconds taken. */
async function seedThroughApi(store: TrackingStore, experimentId: string): Promise<number> {
  const started = performance.now();
  const last = { at: started };
  for (let i = 0; i < RUNS; i++) {
    const run = await store.createRun({
      experimentId,
      runName: `run_${i}`,
      startTime: FIRST_START_TIME + i * 1000,
      userId: 'bench',
      tags: scaleTags(i),
    });
    await store.logMetric(run.info.run_id, scaleMetric(i));
    progress(i, last);
  }
  return (performance.now() - started) / 1000;
}

/**
 * Seeds the same {@link RUNS} runs as {@link seedThroughApi} (with the `mlflow.runName` tag
 * createRun adds) through the store's import surface, {@link IMPORT_BATCH} runs per
 * transaction, {@link IMPORT_CONCURRENCY} transactions in flight (as `agentrack copy` writes
 * to a SQL store): the seconds taken.
 */
async function seedThroughImport(store: SqlTrackingStore, experimentId: string): Promise<number> {
  const artifactLocation = (await store.getExperiment(experimentId)).artifact_location;
  const started = performance.now();
  const last = { at: started };
  const batches = Math.ceil(RUNS / IMPORT_BATCH);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < batches) {
      const first = next++ * IMPORT_BATCH;
      const records: RunRecord[] = [];
      for (let i = first; i < Math.min(RUNS, first + IMPORT_BATCH); i++) {
        const runId = `${i.toString(16).padStart(8, '0')}${'e'.repeat(24)}`;
        const runName = `run_${i}`;
        records.push({
          info: {
            run_id: runId,
            run_uuid: runId,
            experiment_id: experimentId,
            run_name: runName,
            user_id: 'bench',
            status: 'RUNNING',
            start_time: FIRST_START_TIME + i * 1000,
            artifact_uri: `${artifactLocation}/${runId}/artifacts`,
            lifecycle_stage: 'active',
          },
          params: [],
          tags: [...scaleTags(i), { key: 'mlflow.runName', value: runName }],
          metrics: [scaleMetric(i)],
          datasets: [],
        });
      }
      await store.importer.putRuns(records, { deletedTime: () => FIRST_START_TIME });
      done += records.length;
      progress(done - 1, last);
    }
  };
  await Promise.all(Array.from({ length: IMPORT_CONCURRENCY }, worker));
  return (performance.now() - started) / 1000;
}

/** The two searches over the seeded experiment: p50 and p99 of each. */
async function searchAtScale(
  store: TrackingStore,
  experimentId: string,
): Promise<Pick<BackendFigures, 'latest' | 'metric'>> {
  const latest = {
    experimentIds: [experimentId],
    filter: "tags.run_type = 'evaluation'",
    orderBy: ['start_time DESC'],
    maxResults: 1,
  };
  const first = await store.searchRuns(latest);
  let lastEvaluation = RUNS - 1;
  while (lastEvaluation % 3 !== 1) lastEvaluation--;
  if (
    first.items[0]?.data.tags?.find((t) => t.key === 'run_type')?.value !== 'evaluation' ||
    first.items[0]?.info.run_name !== `run_${lastEvaluation}`
  )
    throw new Error(`wrong result: ${JSON.stringify(first.items[0]?.info)}`);
  const timings: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const started = performance.now();
    await store.searchRuns(latest);
    timings.push(performance.now() - started);
  }
  timings.sort((a, b) => a - b);
  const latestFigures = { p50: percentile(timings, 50), p99: percentile(timings, 99) };
  console.log(
    `latest run where tags.run_type = 'evaluation' (max_results 1) over ${fmt(RUNS)} runs: p50 ${fmt(latestFigures.p50, 3)} ms, p99 ${fmt(latestFigures.p99, 3)} ms (${QUERIES} queries)`,
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
    const started = performance.now();
    const page = await store.searchRuns(byMetric);
    metricTimings.push(performance.now() - started);
    if (page.items.length !== Math.min(1000, RUNS)) {
      // Half the runs match; small benchmark sizes may have fewer than 1000.
      if (RUNS >= 4000) throw new Error(`metric query returned ${page.items.length} runs`);
    }
  }
  metricTimings.sort((a, b) => a - b);
  const metricFigures = { p50: percentile(metricTimings, 50), p99: percentile(metricTimings, 99) };
  console.log(
    `metrics.accuracy > 0.5 order by metrics.accuracy DESC (max_results 1000): p50 ${fmt(metricFigures.p50, 1)} ms, p99 ${fmt(metricFigures.p99, 1)} ms (${metricQueries} queries)`,
  );
  return { latest: latestFigures, metric: metricFigures };
}

async function sqliteFigures(): Promise<BackendFigures> {
  console.log('SQLite:');
  const ingestStore = await openSqliteStore(join(dir, 'ingest.db'));
  let ours: number;
  try {
    ours = await ingest(ingestStore);
  } finally {
    await ingestStore.close();
  }
  const raw = rawCeiling();
  console.log(
    `ingest: ${INGEST_RUNS * INGEST_BATCHES_PER_RUN} log-batch calls of ${BATCH} metrics into ${INGEST_RUNS} runs: ${fmt(ours)} metric rows/s`,
  );
  console.log(
    `raw ceiling (better-sqlite3, one prepared INSERT, one transaction, same table): ${fmt(raw)} rows/s`,
  );
  console.log(`ingest ratio agentrack / raw: ${fmt(ours / raw, 2)} (target >= 0.50)`);

  const store = await openSqliteStore(join(dir, 'scale.db'));
  try {
    const experimentId = await store.createExperiment({ name: '/Shared/bench/scale' });
    const seconds = await seedThroughApi(store, experimentId);
    console.log(
      `create ${fmt(RUNS)} runs (10 tags + 1 metric each, one createRun and one logMetric per run): ${fmt(seconds, 1)} s (${fmt(RUNS / seconds)} runs/s)`,
    );
    const search = await searchAtScale(store, experimentId);
    return { ingestRowsPerSecond: ours, seed: { how: 'createRun + logMetric', seconds }, ...search };
  } finally {
    await store.close();
  }
}

async function postgresFigures(server: BenchPostgres): Promise<BackendFigures> {
  console.log('PostgreSQL:');
  const ingestDb = await server.createDatabase('agentrack_bench_ingest');
  let ours: number;
  try {
    const store = await openPostgresStore(ingestDb.url);
    try {
      ours = await ingest(store);
    } finally {
      await store.close();
    }
  } finally {
    await ingestDb.drop();
  }
  console.log(
    `ingest: ${INGEST_RUNS * INGEST_BATCHES_PER_RUN} log-batch calls of ${BATCH} metrics into ${INGEST_RUNS} runs: ${fmt(ours)} metric rows/s`,
  );

  const scaleDb = await server.createDatabase('agentrack_bench_scale');
  try {
    const store = await openPostgresStore(scaleDb.url);
    try {
      const experimentId = await store.createExperiment({ name: '/Shared/bench/scale' });
      const seconds = await seedThroughImport(store, experimentId);
      console.log(
        `seed ${fmt(RUNS)} runs (the same runs, through the SQL import surface, ${IMPORT_BATCH} per transaction, ${IMPORT_CONCURRENCY} in flight): ${fmt(seconds, 1)} s (${fmt(RUNS / seconds)} runs/s)`,
      );
      const analyzeStarted = performance.now();
      const client = new pg.Client({ connectionString: scaleDb.url });
      await client.connect();
      try {
        await client.query('ANALYZE');
      } finally {
        await client.end();
      }
      console.log(`ANALYZE after the seed: ${fmt((performance.now() - analyzeStarted) / 1000, 1)} s`);
      const search = await searchAtScale(store, experimentId);
      return { ingestRowsPerSecond: ours, seed: { how: 'SQL import surface', seconds }, ...search };
    } finally {
      await store.close();
    }
  } finally {
    await scaleDb.drop();
  }
}

/** The figures side by side, a column per backend. */
function printTable(columns: [string, BackendFigures][]): void {
  const rows: SideBySideRow<BackendFigures>[] = [
    ['ingest, metric rows/s (log-batch of 1000)', (f) => fmt(f.ingestRowsPerSecond)],
    [`seed ${fmt(RUNS)} runs, s`, (f) => `${fmt(f.seed.seconds, 1)} (${f.seed.how})`],
    ['latest by tag p50, ms', (f) => fmt(f.latest.p50, 3)],
    ['latest by tag p99, ms', (f) => fmt(f.latest.p99, 3)],
    ['metric filter p50, ms', (f) => fmt(f.metric.p50, 1)],
    ['metric filter p99, ms', (f) => fmt(f.metric.p99, 1)],
  ];
  printSideBySide(`side by side (${fmt(RUNS)} runs):`, rows, columns);
}

async function main(): Promise<void> {
  console.log(`agentrack engine benchmark (node ${process.version}, ${new Date().toISOString()})`);
  try {
    const columns: [string, BackendFigures][] = [['SQLite', await sqliteFigures()]];
    const server = await benchPostgres();
    if (server) {
      try {
        columns.push(['PostgreSQL', await postgresFigures(server)]);
      } finally {
        await server.stop();
      }
    }
    printTable(columns);
    const peakMb = process.resourceUsage().maxRSS / 1024;
    console.log(`peak RSS: ${fmt(peakMb)} MB (target < 300 MB)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
