import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { openSqliteStore as OpenSqliteStore } from '../../src/store/sqlite/index.js';

/** What the benchmark needs to know about the runs {@link seedRuns} wrote. */
export interface SeededRuns {
  experimentId: string;
  /** The run a search for the latest `tags.run_type = 'evaluation'` must answer. */
  latestEvaluationRunId: string;
  /** Up to {@link SAMPLE_SIZE} run ids spread over the whole table, for random reads. */
  sampleRunIds: string[];
  seconds: number;
}

// The store of the build the server runs, so both agree on the schema version.
const STORE_MODULE = new URL('../../../dist/store/sqlite/index.js', import.meta.url);
const SAMPLE_SIZE = 100_000;
const TRANSACTION_RUNS = 50_000;
const FIRST_START_TIME = 1_700_000_000_000;
const RUN_TYPES = ['development', 'evaluation', 'deployment'] as const;
const ENVIRONMENTS = { development: 'dev', evaluation: 'staging', deployment: 'production' } as const;

/** The ten tags of the `i`-th seeded run, in the proportions of a real agent's history. */
function tagsOf(i: number): [string, string][] {
  const type = RUN_TYPES[i % 3] as (typeof RUN_TYPES)[number];
  return [
    ['agent_name', 'bench_agent'],
    ['run_type', type],
    ['environment', ENVIRONMENTS[type]],
    ['version', `1.${i % 50}.0`],
    ['model_version', String(i % 200)],
    ['deployment_status', i % 7 === 0 ? 'rolled_back' : 'success'],
    ['deployment_candidate', i % 2 === 0 ? 'true' : 'false'],
    ['team', `team_${i % 10}`],
    ['dataset', `ds_${i % 100}`],
    ['seed', String(i)],
  ];
}

/**
 * Writes `count` finished runs with ten tags each (plus `mlflow.runName`) into a new
 * experiment of the SQLite store at `dbPath`, straight into its tables as the store's
 * createRun lays them out: creating a million runs through HTTP would take most of an hour.
 * The built store (`dist/`, as the server) is opened once first, so it migrates the schema itself.
 */
export async function seedRuns(dbPath: string, count: number): Promise<SeededRuns> {
  if (!existsSync(STORE_MODULE))
    throw new Error(`${STORE_MODULE.pathname} not found: run \`npm run build\` first`);
  const { openSqliteStore } = (await import(STORE_MODULE.href)) as {
    openSqliteStore: typeof OpenSqliteStore;
  };
  const store = await openSqliteStore(dbPath);
  let experimentId: string;
  let artifactLocation: string;
  try {
    experimentId = await store.createExperiment({ name: '/Shared/bench/search' });
    artifactLocation = (await store.getExperiment(experimentId)).artifact_location;
  } finally {
    await store.close();
  }

  const started = performance.now();
  const db = new Database(dbPath);
  try {
    // Only the load is made cheaper: rows, indexes and journal mode end up as the store leaves them.
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    const firstSeq =
      Number((db.prepare('SELECT COALESCE(MAX(run_seq), 0) AS n FROM runs').get() as { n: number }).n) + 1;
    const insertRun = db.prepare(
      `INSERT INTO runs (run_seq, run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
       VALUES (?, ?, ?, ?, 'bench', 'FINISHED', ?, ?, 'active', ?)`,
    );
    const insertTag = db.prepare('INSERT INTO tags (run_seq, key, value) VALUES (?, ?, ?)');
    const sampleEvery = Math.max(1, Math.floor(count / SAMPLE_SIZE));
    const sampleRunIds: string[] = [];
    let latestEvaluationRunId = '';
    const writeRange = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const seq = firstSeq + i;
        const runId = randomUUID().replaceAll('-', '');
        const name = `run_${i}`;
        const startTime = FIRST_START_TIME + i * 1000;
        insertRun.run(
          seq,
          runId,
          Number(experimentId),
          name,
          startTime,
          startTime + 500,
          `${artifactLocation}/${runId}/artifacts`,
        );
        for (const [key, value] of tagsOf(i)) insertTag.run(seq, key, value);
        insertTag.run(seq, 'mlflow.runName', name);
        if (i % sampleEvery === 0 && sampleRunIds.length < SAMPLE_SIZE) sampleRunIds.push(runId);
        if (RUN_TYPES[i % 3] === 'evaluation') latestEvaluationRunId = runId;
      }
    });
    for (let from = 0; from < count; from += TRANSACTION_RUNS) {
      writeRange(from, Math.min(count, from + TRANSACTION_RUNS));
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    if (!latestEvaluationRunId) throw new Error(`no evaluation run among ${count} seeded runs`);
    return {
      experimentId,
      latestEvaluationRunId,
      sampleRunIds,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    db.close();
  }
}
