import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-dir.js';
import type { SqlTrackingStore } from '../sql/sql-store.js';
import { openSqliteStore } from './sqlite-store.js';

describe('the SQL store: permanent deletion', () => {
  let dir: ReturnType<typeof tempDir>;
  let path: string;
  let clock: number;
  let store: SqlTrackingStore;
  beforeEach(async () => {
    dir = tempDir('agentrack-hard-delete-');
    path = join(dir.path, 'a.db');
    clock = 1_000_000;
    store = await openSqliteStore(path, { now: () => clock });
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('lists deleted runs by deletion time, and with an age only those deleted long enough ago', async () => {
    const experimentId = await store.createExperiment({ name: 'x' });
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => store.createRun({ experimentId })));
    clock = 2_000_000;
    await store.deleteRun(b!.info.run_id);
    clock = 3_000_000;
    await store.deleteRun(a!.info.run_id);
    expect(await store.deletedRunIds()).toEqual([b!.info.run_id, a!.info.run_id]);
    expect(await store.deletedRunIds(1_000_000)).toEqual([b!.info.run_id]);
    expect(await store.deletedRunIds(5_000_000)).toEqual([]);
    // A deleted run without a deletion time is deleted, of no known age.
    const db = new Database(path);
    db.prepare(`UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = NULL WHERE run_uuid = ?`).run(
      c!.info.run_id,
    );
    db.close();
    expect(await store.deletedRunIds()).toContain(c!.info.run_id);
    expect(await store.deletedRunIds(1)).not.toContain(c!.info.run_id);
    await expect(store.deletedRunIds(-1)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });

  it('refuses to remove an active run or experiment, and a missing one is not found', async () => {
    const experimentId = await store.createExperiment({ name: 'x' });
    const run = await store.createRun({ experimentId });
    await expect(store.hardDeleteRun(run.info.run_id)).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining('not in the deleted lifecycle stage'),
    });
    await expect(store.hardDeleteExperiment(experimentId)).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining('not in the deleted lifecycle stage'),
    });
    await expect(store.hardDeleteRun('f'.repeat(32))).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    await expect(store.hardDeleteExperiment('42')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    expect((await store.getRun(run.info.run_id)).info.lifecycle_stage).toBe('active');
  });

  it('keeps a dataset another run still uses', async () => {
    const experimentId = await store.createExperiment({ name: 'x' });
    const dataset = { name: 'golden', digest: 'd1', source_type: 'local', source: '{}' };
    const [gone, stays] = await Promise.all([1, 2].map(() => store.createRun({ experimentId })));
    for (const run of [gone!, stays!]) await store.logInputs(run.info.run_id, { datasets: [{ dataset }] });
    await store.deleteRun(gone!.info.run_id);
    await store.hardDeleteRun(gone!.info.run_id);
    expect((await store.getRun(stays!.info.run_id)).inputs.dataset_inputs).toEqual([{ dataset }]);
    expect(await store.searchDatasets([experimentId])).toEqual([
      { experiment_id: experimentId, name: 'golden', digest: 'd1' },
    ]);
  });
});
