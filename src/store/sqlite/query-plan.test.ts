/**
 * The queries users run most are answered from indexes: checked on SQLite's own query plans
 * (EXPLAIN QUERY PLAN) over a real database file, so a schema or compiler change that loses
 * an index fails here rather than only in the benchmark.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRunSearch, sqliteDialect } from '../../query/index.js';
import { tempDir } from '../../testing/temp-dir.js';
import { recordingDriver, type RecordedStatement } from '../../testing/recording-driver.js';
import { SqlTrackingStore } from '../sql/sql-store.js';
import { SqliteDriver } from './sqlite-driver.js';
import { openSqliteStore } from './sqlite-store.js';

describe('query plans on SQLite', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let path: string;
  let experimentId: string;
  let runIds: string[];

  beforeAll(async () => {
    dir = tempDir();
    path = join(dir.path, 'plans.db');
    const store = await openSqliteStore(path);
    experimentId = await store.createExperiment({ name: '/Shared/plans/evaluation' });
    runIds = [];
    for (let i = 0; i < 300; i++) {
      const run = await store.createRun({
        experimentId,
        startTime: i,
        tags: [{ key: 'run_type', value: ['development', 'evaluation', 'deployment'][i % 3] as string }],
      });
      runIds.push(run.info.run_id);
      await store.logMetric(run.info.run_id, { key: 'accuracy', value: i / 300, timestamp: i, step: 0 });
      await store.logBatch(run.info.run_id, {
        metrics: Array.from({ length: 20 }, (_, step) => ({ key: 'loss', value: step, timestamp: i, step })),
      });
      const dataset = { name: `set${i % 7}`, digest: `d${i % 3}`, source_type: 'local', source: '{}' };
      const tags = [{ key: 'mlflow.data.context', value: i % 2 ? 'eval' : 'training' }];
      await store.logInputs(run.info.run_id, { datasets: [{ dataset, tags }] });
    }
    await store.close();
    db = new Database(path, { readonly: true });
  });

  afterAll(() => {
    db.close();
    dir.remove();
  });

  function plan(sql: string, params: readonly unknown[]): string[] {
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
      (r) => r.detail,
    );
  }

  function runSearchPlan(
    filter: string,
    orderBy: string[],
    limit: number,
    viewType: 'ACTIVE_ONLY' | 'ALL' = 'ACTIVE_ONLY',
  ): string[] {
    const compiled = compileRunSearch(sqliteDialect, {
      experimentIds: [experimentId],
      viewType,
      filter,
      orderBy,
      limit,
    });
    return plan(compiled.sql, compiled.params);
  }

  it('finds the latest run of an experiment with a tag value by walking runs_latest, with no sort', () => {
    const steps = runSearchPlan("tags.run_type = 'evaluation'", ['start_time DESC'], 1);
    expect(steps[0]).toMatch(/SEARCH r USING INDEX runs_latest \(experiment_id=\? AND lifecycle_stage=\?\)/);
    expect(steps.join('\n')).toMatch(/USING (COVERING INDEX tags_key_value|PRIMARY KEY)/);
    expect(steps.join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('orders by a filtered metric from the latest-metrics index', () => {
    const steps = runSearchPlan('metrics.accuracy > 0.5', ['metrics.accuracy DESC'], 1000);
    expect(steps[0]).toMatch(/latest_metrics_key_value/);
    expect(steps.join('\n')).not.toMatch(/SCAN/);
  });

  it('finds runs by exact name within an experiment from runs_name (run-name claims)', () => {
    const steps = runSearchPlan("attributes.run_name = 'eval_pre_deploy_20261126_101500'", [], 100, 'ALL');
    expect(steps[0]).toMatch(/SEARCH r USING INDEX runs_name \(experiment_id=\? AND name=\?\)/);
  });

  it('checks dataset clauses on a run through its inputs by index, never by scanning', () => {
    for (const filter of ["datasets.name = 'golden'", "datasets.context = 'eval'"]) {
      const steps = runSearchPlan(filter, ['start_time DESC'], 1).join('\n');
      expect(steps).toMatch(/SEARCH f0 USING COVERING INDEX inputs_run_dataset \(run_seq=\?\)/);
      expect(steps).toMatch(
        /SEARCH f0(d USING INTEGER PRIMARY KEY|t USING PRIMARY KEY \(input_seq=\? AND name=\?\))/,
      );
      expect(steps).not.toMatch(/SCAN/);
    }
  });

  it('reads the history of one metric in order from the primary key', () => {
    const steps = plan(
      'SELECT * FROM metrics WHERE run_seq = ? AND key = ? ORDER BY timestamp, step, value, is_nan',
      [1, 'accuracy'],
    );
    expect(steps).toEqual(['SEARCH metrics USING PRIMARY KEY (run_seq=? AND key=?)']);
  });

  it("reads runs' latest metrics and tags by primary key", () => {
    expect(plan('SELECT * FROM latest_metrics WHERE run_seq IN (?, ?)', [1, 2])).toEqual([
      'SEARCH latest_metrics USING PRIMARY KEY (run_seq=?)',
    ]);
    expect(plan('SELECT * FROM tags WHERE run_seq IN (?, ?)', [1, 2])).toEqual([
      'SEARCH tags USING PRIMARY KEY (run_seq=?)',
    ]);
  });

  /** The statements `call` has the store read with, and their query plans. */
  async function plansOf(call: (store: SqlTrackingStore) => Promise<unknown>): Promise<string[][]> {
    const seen: RecordedStatement[] = [];
    const store = new SqlTrackingStore(recordingDriver(SqliteDriver.open(path), seen), sqliteDialect);
    try {
      await call(store);
    } finally {
      await store.close();
    }
    const reads = seen.filter((statement) => statement.kind === 'read');
    expect(reads.length).toBeGreaterThan(0);
    return reads.map((statement) => plan(statement.sql, statement.params));
  }

  it("reads one metric of several runs run by run from the runs' id index and the metrics primary key", async () => {
    const plans = await plansOf((store) => store.getMetricHistoryBulk(runIds.slice(0, 5), 'loss'));
    expect(plans).toHaveLength(5);
    for (const steps of plans) {
      expect(steps).toEqual([
        'SEARCH r USING COVERING INDEX runs_uuid (run_uuid=?)',
        'SEARCH m USING PRIMARY KEY (run_seq=? AND key=?)',
      ]);
    }
  });

  it("samples a metric's steps and reads their values from the metrics primary key, never by scanning", async () => {
    const plans = await plansOf((store) =>
      store.getMetricHistoryBulkInterval(runIds.slice(0, 3), 'loss', { maxResults: 5 }),
    );
    expect(plans).toHaveLength(6);
    for (const steps of plans) {
      expect(steps.slice(0, 2)).toEqual([
        'SEARCH r USING COVERING INDEX runs_uuid (run_uuid=?)',
        expect.stringMatching(/^SEARCH m USING PRIMARY KEY \(run_seq=\? AND key=\?\)$/),
      ]);
      // What is sorted is one run's values of one metric, never a table.
      expect(steps.join('\n')).not.toMatch(/SCAN/);
    }
  });

  it("finds the datasets of experiments from their index, their uses by dataset, and each use's context by key", async () => {
    const plans = await plansOf((store) => store.searchDatasets([experimentId, '0']));
    expect(plans).toHaveLength(1);
    const steps = (plans[0] as string[]).join('\n');
    expect(steps).toMatch(/SEARCH d USING (COVERING )?INDEX datasets_identity \(experiment_id=\?\)/);
    expect(steps).toMatch(/SEARCH i USING COVERING INDEX inputs_dataset \(dataset_seq=\?\)/);
    expect(steps).toMatch(/SEARCH t USING PRIMARY KEY \(input_seq=\? AND name=\?\)/);
    expect(steps).not.toMatch(/SCAN/);
  });
});
