import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/index.js';
import { freshDatabase, freshSchema, type FreshDatabase } from '../../src/testing/postgres.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, lines } from './helpers.js';

describe('agentrack gc on PostgreSQL', () => {
  let db: FreshDatabase;
  let dir: ReturnType<typeof tempDir>;
  const clients: TrackingClient[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    dir = tempDir('agentrack-cli-gc-postgres-');
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    dir.remove();
  });

  /** A fresh schema with an active and a deleted run, each with a file in `destination`. */
  async function seeded(destination: string) {
    const url = await freshSchema(db);
    const client = await TrackingClient.open(url, { artifactsDestination: destination });
    clients.push(client);
    const experimentId = await client.createExperiment('/Shared/gc_agent/development');
    const active = await client.createRun(experimentId, { runName: 'dev_20261101_090000' });
    const deleted = await client.createRun(experimentId, { runName: 'dev_20261101_100000' });
    await client.logBatch(deleted.info.run_id, {
      metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 0 }],
      params: [{ key: 'lr', value: '0.1' }],
    });
    for (const run of [active, deleted]) {
      const file = join(destination, experimentId, run.info.run_id, 'artifacts', 'notes.txt');
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, 'notes');
    }
    await client.deleteRun(deleted.info.run_id);
    return { url, client, experimentId, active, deleted };
  }

  it('removes deleted runs and experiments, with their artifacts in --artifacts-destination', async () => {
    const destination = join(dir.path, 'removes');
    const { url, client, experimentId, active, deleted } = await seeded(destination);
    const retired = await client.createExperiment('/Shared/gc_agent/retired');
    await client.deleteExperiment(retired);
    const gc = (...args: string[]) =>
      agentrack(['gc', '--backend-store-uri', url, '--artifacts-destination', destination, ...args], {
        cwd: dir.path,
      });

    const dry = gc('--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(lines(dry.stdout).at(-1)).toBe(
      'would remove 1 run and 1 experiment (dry run: nothing was removed)',
    );
    expect((await client.getRun(deleted.info.run_id)).info.lifecycle_stage).toBe('deleted');

    const result = gc();
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stdout)).toEqual([
      `removed run dev_20261101_100000 (${deleted.info.run_id}) of experiment ${experimentId} and its artifacts at ${deleted.info.artifact_uri}`,
      `removed experiment /Shared/gc_agent/retired (${retired})`,
      'removed 1 run and 1 experiment',
    ]);
    await expect(client.getRun(deleted.info.run_id)).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    await expect(client.getExperiment(retired)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    expect(readdirSync(join(destination, experimentId))).toEqual([active.info.run_id]);
    expect((await client.getRun(active.info.run_id)).info.lifecycle_stage).toBe('active');
    expect(lines(gc().stdout)).toEqual(['nothing to remove: no runs or experiments deleted']);
  });

  it('refuses a PostgreSQL store without --artifacts-destination, removing nothing', async () => {
    const destination = join(dir.path, 'refuses');
    const { url, client, deleted } = await seeded(destination);
    const result = agentrack(['gc', '--backend-store-uri', url], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'is a PostgreSQL database, which has no folder beside it for artifacts: give --artifacts-destination <uri>',
    );
    expect(result.stderr).not.toContain(`${new URL(url).password}@`);
    expect((await client.getRun(deleted.info.run_id)).info.lifecycle_stage).toBe('deleted');
    expect(
      existsSync(
        join(destination, deleted.info.experiment_id, deleted.info.run_id, 'artifacts', 'notes.txt'),
      ),
    ).toBe(true);
  });
});
