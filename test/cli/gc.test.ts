import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/entities/index.js';
import { TrackingClient } from '../../src/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, lines } from './helpers.js';

describe('agentrack gc', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: string;
  let client: TrackingClient;
  let experimentId: string;
  let active: Run;
  let deleted: Run;
  const gc = (...args: string[]) =>
    agentrack(['gc', '--backend-store-uri', `sqlite:///${db}`, ...args], { cwd: dir.path });
  /** Where the artifact service beside the database keeps a run's file. */
  const artifactOf = (run: Run) =>
    join(dir.path, 'team-artifacts', run.info.experiment_id, run.info.run_id, 'artifacts', 'notes.txt');

  beforeEach(async () => {
    dir = tempDir('agentrack-cli-gc-');
    db = join(dir.path, 'team.db');
    client = await TrackingClient.open(`sqlite:///${db}`);
    experimentId = await client.createExperiment('/Shared/gc_agent/development');
    active = await client.createRun(experimentId, { runName: 'dev_20261101_090000' });
    deleted = await client.createRun(experimentId, { runName: 'dev_20261101_100000' });
    await client.logMetric(deleted.info.run_id, 'loss', 0.5);
    for (const run of [active, deleted]) {
      mkdirSync(join(artifactOf(run), '..'), { recursive: true });
      writeFileSync(artifactOf(run), 'notes');
    }
    await client.deleteRun(deleted.info.run_id);
  });
  afterEach(async () => {
    await client.close();
    dir.remove();
  });

  it('prints what --dry-run would remove, and removes nothing', async () => {
    const result = gc('--dry-run');
    expect(result.stderr).toBe('');
    expect(lines(result.stdout)).toEqual([
      `would remove run dev_20261101_100000 (${deleted.info.run_id}) of experiment ${experimentId} and its artifacts at ${deleted.info.artifact_uri}`,
      'would remove 1 run (dry run: nothing was removed)',
    ]);
    expect(result.code).toBe(0);
    expect((await client.getRun(deleted.info.run_id)).info.lifecycle_stage).toBe('deleted');
    expect(existsSync(artifactOf(deleted))).toBe(true);
  });

  it('removes deleted runs and experiments with their artifacts beside the database', async () => {
    const retired = await client.createExperiment('/Shared/gc_agent/retired');
    await client.deleteExperiment(retired);
    const result = gc();
    expect(lines(result.stdout)).toEqual([
      `removed run dev_20261101_100000 (${deleted.info.run_id}) of experiment ${experimentId} and its artifacts at ${deleted.info.artifact_uri}`,
      `removed experiment /Shared/gc_agent/retired (${retired})`,
      'removed 1 run and 1 experiment',
    ]);
    expect(result.code).toBe(0);
    await expect(client.getRun(deleted.info.run_id)).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    await expect(client.getExperiment(retired)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    expect(readdirSync(join(dir.path, 'team-artifacts', experimentId))).toEqual([active.info.run_id]);
    expect((await client.getRun(active.info.run_id)).info.lifecycle_stage).toBe('active');

    expect(lines(gc().stdout)).toEqual(['nothing to remove: no runs or experiments deleted']);
  });

  it('takes the destination from --artifacts-destination, and reports as JSON', async () => {
    const elsewhere = join(dir.path, 'elsewhere');
    const file = join(elsewhere, experimentId, deleted.info.run_id, 'artifacts', 'notes.txt');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, 'notes');
    const result = gc('--artifacts-destination', elsewhere, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      dry_run: false,
      runs: [
        {
          run_id: deleted.info.run_id,
          run_name: 'dev_20261101_100000',
          experiment_id: experimentId,
          artifact_uri: deleted.info.artifact_uri,
          artifacts: 'removed',
        },
      ],
      experiments: [],
    });
    expect(existsSync(file)).toBe(false);
    // The default destination was not the one used.
    expect(existsSync(artifactOf(deleted))).toBe(true);
  });

  it('keeps what was deleted more recently than --older-than', async () => {
    const result = gc('--older-than', '1d');
    expect(lines(result.stdout)).toEqual([
      'nothing to remove: no runs or experiments deleted more than 1d ago',
    ]);
    expect((await client.getRun(deleted.info.run_id)).info.lifecycle_stage).toBe('deleted');
  });

  it('refuses a named run that is not deleted, removing nothing', async () => {
    const result = gc('--run-ids', `${deleted.info.run_id},${active.info.run_id}`);
    expect(result.stderr).toMatch(`Run ${active.info.run_id} is not in the deleted lifecycle stage`);
    expect(result.code).toBe(1);
    expect((await client.getRun(deleted.info.run_id)).info.lifecycle_stage).toBe('deleted');
    expect(existsSync(artifactOf(deleted))).toBe(true);
  });

  it.each([
    [['--older-than', '3 days'], /^error: --older-than: Could not parse any time information from '3 days'/m],
    [['--run-ids', ','], /^error: --run-ids: expected a comma-separated list of ids/m],
    [['--artifacts-destination', 'gs://b/x'], /^error: --artifacts-destination: Unsupported artifact URI/m],
    [
      ['--backend-store-uri', 'http://127.0.0.1:5000'],
      /^error: agentrack gc works on a database, and 'http:\/\/127.0.0.1:5000' is a tracking server: MLflow's REST API cannot remove runs permanently/m,
    ],
  ])('%j is a usage error', (args, message) => {
    const result = gc(...args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });

  it('creates no database where there is none', () => {
    const missing = join(dir.path, 'none', 'x.db');
    const result = agentrack(['gc', '--backend-store-uri', `sqlite:///${missing}`], { cwd: dir.path });
    expect(result.stderr).toMatch(`no agentrack database at ${missing}`);
    expect(result.code).toBe(1);
    expect(existsSync(join(dir.path, 'none'))).toBe(false);
  });
});
