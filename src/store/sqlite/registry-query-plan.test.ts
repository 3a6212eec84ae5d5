/**
 * The registry searches MLflow's client sends most (a registered model by name, with the
 * client's prompt clause; a model's versions by name; the versions of a run) are answered from
 * the registry's indexes: checked on SQLite's own query plans over a migrated database file.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileModelVersionSearch,
  compileRegisteredModelSearch,
  sqliteDialect,
  type CompiledSearch,
} from '../../query/index.js';
import {
  makeModelVersion,
  makeRegisteredModel,
  registryInserts,
} from '../../query/__tests__/registry-fixtures.js';
import { tempDir } from '../../testing/temp-dir.js';
import { migrate } from '../sql/migrator.js';
import { SqliteDriver } from './sqlite-driver.js';

const CLIENT_CLAUSE = "tag.`mlflow.prompt.is_prompt` != 'true'";

describe('registry query plans on SQLite', () => {
  let dir: ReturnType<typeof tempDir>;
  let driver: SqliteDriver;

  beforeAll(async () => {
    dir = tempDir();
    driver = SqliteDriver.open(join(dir.path, 'registry-plans.db'));
    await migrate(driver);
    const models = Array.from({ length: 20 }, (_, i) =>
      makeRegisteredModel({ name: `model_${i}`, created: i, tags: { team: 'core' } }),
    );
    const versions = models.flatMap((model, m) =>
      Array.from({ length: 10 }, (_, v) =>
        makeModelVersion({ name: model.name, version: v + 1, updated: v, runId: `run_${m}_${v}` }),
      ),
    );
    await driver.transaction(async (tx) => {
      for (const { sql, params } of registryInserts(models, versions)) await tx.run(sql, params);
    });
  });

  afterAll(async () => {
    await driver.close();
    dir.remove();
  });

  async function plan(compiled: CompiledSearch): Promise<string> {
    const rows = await driver.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${compiled.sql}`, compiled.params);
    return rows.map((r) => r.detail).join('\n');
  }

  it('lists registered models in name order from registered_models_name, with no sort', async () => {
    const steps = await plan(
      compileRegisteredModelSearch(sqliteDialect, { filter: CLIENT_CLAUSE, limit: 101 }),
    );
    expect(steps).toMatch(/SCAN m USING INDEX registered_models_name/);
    expect(steps).toMatch(/SEARCH p USING PRIMARY KEY \(model_seq=\? AND key=\?\)/);
    expect(steps).not.toMatch(/TEMP B-TREE/);
  });

  it('finds a registered model by name, or by a name prefix, from registered_models_name', async () => {
    for (const filter of [
      `name = 'model_3' AND ${CLIENT_CLAUSE}`,
      `name LIKE 'model_1%' AND ${CLIENT_CLAUSE}`,
    ]) {
      const steps = await plan(compileRegisteredModelSearch(sqliteDialect, { filter, limit: 101 }));
      expect(steps).toMatch(/SEARCH m USING (COVERING )?INDEX registered_models_name \(name/);
    }
  });

  it("reads a model's versions by name through registered_models_name and model_versions_number", async () => {
    const steps = await plan(
      compileModelVersionSearch(sqliteDialect, { filter: "name = 'model_3'", limit: 10001 }),
    );
    expect(steps).toMatch(/SEARCH m USING (COVERING )?INDEX registered_models_name \(name=\?\)/);
    expect(steps).toMatch(/SEARCH v USING INDEX model_versions_number \(model_seq=\?\)/);
  });

  it("finds a run's versions from model_versions_run", async () => {
    for (const filter of ["run_id = 'run_3_4'", "run_id IN ('run_3_4', 'run_5_5')"]) {
      const steps = await plan(compileModelVersionSearch(sqliteDialect, { filter, limit: 10001 }));
      expect(steps).toMatch(/SEARCH v USING INDEX model_versions_run \(run_id=\?\)/);
    }
  });
});
