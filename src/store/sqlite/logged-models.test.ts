/**
 * The embedded store's logged models (MLflow 3) where SQLite itself is involved: the schema
 * migrations that add them, what permanent deletion removes with runs and experiments, and
 * the indexes their searches are answered from.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileLoggedModelSearch, sqliteDialect } from '../../query/index.js';
import { tempDir } from '../../testing/temp-dir.js';
import { migrate } from '../sql/migrator.js';
import { MIGRATIONS } from '../sql/schema.js';
import type { SqlTrackingStore } from '../sql/sql-store.js';
import { SqliteDriver } from './sqlite-driver.js';
import { openSqliteStore } from './sqlite-store.js';

function count(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('logged models on SQLite', () => {
  let dir: ReturnType<typeof tempDir>;
  let path: string;
  let store: SqlTrackingStore;
  beforeEach(async () => {
    dir = tempDir('agentrack-logged-models-');
    path = join(dir.path, 'a.db');
    store = await openSqliteStore(path);
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('upgrades a database of schema version 6 to the logged-model tables, keeping what it held', async () => {
    const old = join(dir.path, 'v6.db');
    const driver = SqliteDriver.open(old);
    await migrate(
      driver,
      MIGRATIONS.filter((m) => m.version <= 6),
    );
    await driver.run(
      `INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES ('/Shared/x', 'mlflow-artifacts:/1', 1, 1)`,
    );
    await driver.close();
    const upgraded = await openSqliteStore(old);
    try {
      const experiment = await upgraded.getExperimentByName('/Shared/x');
      const model = await upgraded.createLoggedModel({
        experimentId: experiment!.experiment_id,
        name: 'agent',
      });
      expect(model.info.artifact_uri).toBe(`mlflow-artifacts:/1/models/${model.info.model_id}/artifacts`);
    } finally {
      await upgraded.close();
    }
    const db = new Database(old, { readonly: true });
    const versions = db.prepare(`SELECT version FROM agentrack_schema ORDER BY version`).all() as {
      version: number;
    }[];
    db.close();
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it("removes a run's model metrics and links with the run, and an experiment's models with the experiment", async () => {
    const experimentId = await store.createExperiment({ name: 'x' });
    const run = await store.createRun({ experimentId });
    const runId = run.info.run_id;
    const model = await store.createLoggedModel({
      experimentId,
      sourceRunId: runId,
      tags: [{ key: 't', value: 'v' }],
    });
    const modelId = model.info.model_id;
    await store.logLoggedModelParams(modelId, [{ key: 'p', value: '1' }]);
    await store.logMetric(runId, { key: 'accuracy', value: 0.9, timestamp: 1, step: 0, model_id: modelId });
    await store.logOutputs(runId, [{ model_id: modelId, step: 0 }]);
    await store.logInputs(runId, { models: [{ model_id: modelId }] });

    await store.deleteRun(runId);
    await store.hardDeleteRun(runId);
    expect(count(path, 'logged_model_metrics')).toBe(0);
    expect(count(path, 'run_logged_models')).toBe(0);
    // The model stays: it is its experiment's, and still names the run it came from.
    expect((await store.getLoggedModel(modelId)).info.source_run_id).toBe(runId);
    expect((await store.getLoggedModel(modelId)).data.metrics).toBeUndefined();

    await store.deleteExperiment(experimentId);
    await store.hardDeleteExperiment(experimentId);
    for (const table of ['logged_models', 'logged_model_tags', 'logged_model_params']) {
      expect([table, count(path, table)]).toEqual([table, 0]);
    }
  });

  it('answers the default search from the logged_models_latest index and a name search from logged_models_name', () => {
    const db = new Database(path, { readonly: true });
    try {
      const plan = (options: Parameters<typeof compileLoggedModelSearch>[1]) => {
        const compiled = compileLoggedModelSearch(sqliteDialect, options);
        const rows = db.prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`).all(...compiled.params) as {
          detail: string;
        }[];
        return rows.map((r) => r.detail).join('\n');
      };
      expect(plan({ experimentIds: ['1'], limit: 101 })).toMatch(/USING INDEX logged_models_latest/);
      expect(plan({ experimentIds: ['1'], filter: "name = 'agent'", limit: 3 })).toMatch(
        /USING INDEX logged_models_(name|latest)/,
      );
    } finally {
      db.close();
    }
  });
});
