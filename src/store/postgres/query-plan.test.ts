/**
 * The queries users run most are answered from indexes on PostgreSQL too: checked on the
 * planner's own choices (EXPLAIN) over tens of thousands of rows with real statistics
 * (ANALYZE), as `src/store/sqlite/query-plan.test.ts` checks SQLite's. Sequential scans stay
 * enabled: an index the planner declines with real statistics is the failure looked for. The
 * statements are the store's own, recorded as it runs them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, freshSchema } from '../../testing/postgres.js';
import { recordingDriver, type RecordedStatement } from '../../testing/recording-driver.js';
import { SqlTrackingStore } from '../sql/sql-store.js';
import { postgresDialect } from './postgres-dialect.js';
import { PostgresDriver } from './postgres-driver.js';
import { openPostgresStore } from './postgres-store.js';

/** One node of an EXPLAIN (FORMAT JSON) plan, as far as these tests look. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, as `<node type> <relation> <index>`. */
function steps(node: PlanNode): string[] {
  const own = [node['Node Type'], node['Relation Name'], node['Index Name']].filter(Boolean).join(' ');
  return [own, ...(node.Plans ?? []).flatMap(steps)];
}

/** The tables that hold many rows here: none of them may be read whole. */
const BIG_TABLES = [
  'runs',
  'tags',
  'metrics',
  'latest_metrics',
  'trace_info',
  'registered_models',
  'registered_model_aliases',
  'model_versions',
  'trace_tags',
];

function seqScans(plan: readonly string[]): string[] {
  return plan.filter((step) => BIG_TABLES.some((table) => step === `Seq Scan ${table}`));
}

const RUNS = 40_000;
const EXPERIMENTS = 4;

describe('query plans on PostgreSQL', () => {
  let driver: PostgresDriver;
  let runIds: string[];

  beforeAll(async () => {
    const db = await freshDatabase();
    const url = await freshSchema(db);
    const store = await openPostgresStore(url);
    for (let i = 1; i <= EXPERIMENTS; i++) await store.createExperiment({ name: `/Shared/plans/${i}` });
    await store.close();
    driver = PostgresDriver.open({ connectionString: url });
    const statements = [
      // Runs spread over the experiments, one in 40 deleted; three tags each.
      `INSERT INTO runs (run_uuid, experiment_id, name, status, start_time, lifecycle_stage, artifact_uri)
       SELECT md5(i::text), 1 + i % ${EXPERIMENTS}, 'run_' || i, 'FINISHED', i,
              CASE WHEN i % 40 = 0 THEN 'deleted' ELSE 'active' END, ''
       FROM generate_series(1, ${RUNS}) AS i`,
      `INSERT INTO tags (run_seq, key, value)
       SELECT run_seq, 'run_type', (ARRAY['development', 'evaluation', 'deployment'])[1 + run_seq % 3] FROM runs`,
      `INSERT INTO tags (run_seq, key, value) SELECT run_seq, 'mlflow.runName', name FROM runs`,
      `INSERT INTO tags (run_seq, key, value) SELECT run_seq, 'team', 'team_' || run_seq % 10 FROM runs`,
      `INSERT INTO params (run_seq, key, value) SELECT run_seq, 'lr', '0.01' FROM runs`,
      // A loss curve of 20 steps for every run of experiment 1.
      `INSERT INTO metrics (run_seq, key, timestamp, step, value, is_nan)
       SELECT run_seq, 'loss', s, s, s * 0.1, 0 FROM runs, generate_series(0, 19) AS s WHERE experiment_id = 1`,
      `INSERT INTO latest_metrics (run_seq, key, value, timestamp, step, is_nan)
       SELECT run_seq, 'loss', 1.9, 19, 19, 0 FROM runs WHERE experiment_id = 1`,
      `INSERT INTO trace_info (trace_id, experiment_id, request_time, state)
       SELECT 'tr-' || md5(i::text), 1 + i % ${EXPERIMENTS}, i, (ARRAY['OK', 'ERROR'])[1 + i % 2]
       FROM generate_series(1, ${RUNS}) AS i`,
      `INSERT INTO registered_models (name, creation_timestamp, last_updated_timestamp, last_version)
       SELECT 'agent' || i, i, i, 2 FROM generate_series(1, 10000) AS i`,
      `INSERT INTO model_versions (model_seq, version, creation_timestamp, last_updated_timestamp, source, storage_location, run_id)
       SELECT model_seq, v, v, v, 's3://b/m', 's3://b/m', md5((model_seq * 2 + v)::text)
       FROM registered_models, generate_series(1, 2) AS v`,
      `INSERT INTO trace_tags (trace_seq, key, value)
       SELECT trace_seq, 'env', (ARRAY['prod', 'staging', 'dev'])[1 + trace_seq % 3] FROM trace_info`,
      `INSERT INTO registered_model_aliases (model_seq, alias, version)
       SELECT model_seq, 'champion', 2 FROM registered_models`,
      'ANALYZE',
    ];
    await driver.transaction(async (tx) => {
      for (const statement of statements.slice(0, -1)) await tx.run(statement);
    });
    await driver.run(statements.at(-1) as string);
    const rows = await driver.all<{ run_uuid: string }>(
      `SELECT run_uuid FROM runs WHERE experiment_id = 1 ORDER BY run_seq LIMIT 5`,
    );
    runIds = rows.map((r) => r.run_uuid);
  }, 120_000);

  afterAll(() => driver.close());

  async function plan(statement: RecordedStatement): Promise<string[]> {
    const rows = await driver.all<{ 'QUERY PLAN': string }>(
      `EXPLAIN (FORMAT JSON) ${statement.sql}`,
      statement.params,
    );
    const [explained] = JSON.parse(rows[0]?.['QUERY PLAN'] ?? '[]') as { Plan: PlanNode }[];
    if (explained === undefined) throw new Error(`no plan for ${statement.sql}`);
    return steps(explained.Plan);
  }

  /** The statements `call` has the store read with, and their plans. */
  async function plansOf(call: (store: SqlTrackingStore) => Promise<unknown>): Promise<string[][]> {
    const seen: RecordedStatement[] = [];
    const store = new SqlTrackingStore(recordingDriver(driver, seen), postgresDialect);
    await call(store);
    const reads = seen.filter((statement) => statement.kind === 'read');
    expect(reads.length).toBeGreaterThan(0);
    return Promise.all(reads.map((statement) => plan(statement)));
  }

  it('finds the latest run of an experiment with a tag value by walking runs_latest, with no sort', async () => {
    const [search] = await plansOf((store) =>
      store.searchRuns({
        experimentIds: ['2'],
        filter: "tags.run_type = 'evaluation'",
        orderBy: ['start_time DESC'],
        maxResults: 1,
      }),
    );
    expect(search).toContainEqual(expect.stringMatching(/^Index (Only )?Scan (Backward )?runs runs_latest$/));
    expect(search).toContainEqual(expect.stringMatching(/^Index (Only )?Scan tags tags_(pkey|key_value)$/));
    expect(seqScans(search as string[])).toEqual([]);
    expect(search).not.toContainEqual(expect.stringMatching(/Sort/));
  });

  it("searches an experiment's runs newest first from runs_latest, and loads their data by primary key", async () => {
    const plans = await plansOf((store) => store.searchRuns({ experimentIds: ['3'], maxResults: 100 }));
    expect(plans[0]).toContainEqual(expect.stringMatching(/^Index Scan (Backward )?runs runs_latest$/));
    expect(plans[0]).not.toContainEqual(expect.stringMatching(/Sort/));
    for (const steps of plans) expect(seqScans(steps)).toEqual([]);
  });

  it('gets a run by its id from runs_uuid, its tags, params and latest metrics by primary key', async () => {
    const plans = await plansOf((store) => store.getRun(runIds[0] as string));
    expect(plans[0]).toEqual(['Index Scan runs runs_uuid']);
    expect(plans.flat()).toContainEqual(expect.stringMatching(/^Index (Only )?Scan tags tags_pkey$/));
    expect(plans.flat()).toContainEqual(expect.stringMatching(/^Index (Only )?Scan params params_pkey$/));
    expect(plans.flat()).toContainEqual(
      expect.stringMatching(/^Index (Only )?Scan latest_metrics latest_metrics_pkey$/),
    );
    for (const steps of plans) expect(seqScans(steps)).toEqual([]);
  });

  it("reads a metric's history from the metrics primary key", async () => {
    const plans = await plansOf((store) =>
      store.getMetricHistory(runIds[1] as string, 'loss', { maxResults: 10 }),
    );
    expect(plans).toHaveLength(1);
    expect(plans[0]).toContainEqual('Index Scan runs runs_uuid');
    // The planner may read the run's 20 values through a bitmap and sort them: what it never
    // reads is more than the one run's range of the primary key.
    expect(plans[0]).toContainEqual(
      expect.stringMatching(/^(Index (Only )?Scan metrics metrics_pkey|Bitmap Index Scan metrics_pkey)$/),
    );
    expect(seqScans(plans[0] as string[])).toEqual([]);
  });

  it('resolves a registry alias from the model name index and the aliases and versions primary keys', async () => {
    const plans = await plansOf((store) => store.registry.getModelVersionByAlias('agent777', 'champion'));
    const all = plans.flat();
    expect(plans[0]).toContainEqual('Index Scan registered_models registered_models_name');
    expect(plans[0]).toContainEqual(
      expect.stringMatching(/^Index (Only )?Scan registered_model_aliases registered_model_aliases_pkey$/),
    );
    expect(all).toContainEqual(expect.stringMatching(/^Index Scan model_versions model_versions_number$/));
    for (const steps of plans) expect(seqScans(steps)).toEqual([]);
  });

  it("searches an experiment's traces newest first from trace_info_latest", async () => {
    const plans = await plansOf((store) =>
      store.traces.searchTraces({ experimentIds: ['4'], maxResults: 100 }),
    );
    expect(plans[0]).toContainEqual(
      expect.stringMatching(/^Index Scan (Backward )?trace_info trace_info_(latest|state)$/),
    );
    expect(plans[0]).not.toContainEqual(expect.stringMatching(/Sort/));
    for (const steps of plans) expect(seqScans(steps)).toEqual([]);
  });

  it("searches an experiment's traces in a time window, by state, from the trace indexes", async () => {
    const plans = await plansOf((store) =>
      store.traces.searchTraces({
        experimentIds: ['1'],
        filter: "trace.status = 'ERROR' AND trace.timestamp_ms > 30000",
        maxResults: 50,
      }),
    );
    expect(plans[0]).toContainEqual(
      expect.stringMatching(/^Index Scan (Backward )?trace_info trace_info_(latest|state)$/),
    );
    for (const steps of plans) expect(seqScans(steps)).toEqual([]);
  });

  it('finds registered models by a name prefix from registered_models_name, under the binary LIKE', async () => {
    const plans = await plansOf((store) =>
      store.registry.searchRegisteredModels({ filter: "name LIKE 'agent123%'", maxResults: 100 }),
    );
    expect(plans[0]).toContainEqual(
      expect.stringMatching(/Scan( Backward)? registered_models registered_models_name$/),
    );
    for (const steps of plans) expect(seqScans(steps)).toEqual([]);
  });

  it('finds the versions of a run from model_versions_run', async () => {
    const plans = await plansOf((store) =>
      store.registry.searchModelVersions({ filter: `run_id = '${'0'.repeat(32)}'`, maxResults: 100 }),
    );
    expect(plans[0]).toContainEqual(expect.stringMatching(/Scan model_versions(_run| model_versions_run)$/));
    for (const steps of plans) expect(seqScans(steps)).toEqual([]);
  });

  it("finds an experiment's newest traces with a tag value without reading every trace", async () => {
    const plans = await plansOf((store) =>
      store.traces.searchTraces({ experimentIds: ['2'], filter: "tags.env = 'staging'", maxResults: 10 }),
    );
    expect(plans[0]).toContainEqual(
      expect.stringMatching(/^Index Scan (Backward )?trace_info trace_info_latest$/),
    );
    expect(plans[0]).toContainEqual(
      expect.stringMatching(/^Index (Only )?Scan trace_tags trace_tags_(pkey|key_value)$/),
    );
    for (const steps of plans) expect(seqScans(steps)).toEqual([]);
  });

  it('lists registered models in name order from registered_models_name, with no sort', async () => {
    const plans = await plansOf((store) => store.registry.searchRegisteredModels({ maxResults: 100 }));
    expect(plans[0]).toContainEqual('Index Scan registered_models registered_models_name');
    expect(plans[0]).not.toContainEqual(expect.stringMatching(/Sort/));
    for (const steps of plans) expect(seqScans(steps)).toEqual([]);
  });
});
