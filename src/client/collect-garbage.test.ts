import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createArtifactLocator, type ArtifactLocator } from '../artifacts/artifact-locator.js';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import type { Run } from '../entities/index.js';
import { openRestStore } from '../store/rest/rest-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { closedPort } from '../testing/closed-port.js';
import { tempDir } from '../testing/temp-dir.js';
import { collectGarbage, type Removed } from './collect-garbage.js';
import { TrackingClient } from './tracking-client.js';

const DAY = 86_400_000;
const TABLES = [
  'runs',
  'tags',
  'params',
  'metrics',
  'latest_metrics',
  'inputs',
  'input_tags',
  'datasets',
] as const;

describe('collectGarbage', () => {
  let dir: ReturnType<typeof tempDir>;
  let database: string;
  let destination: string;
  let clock: number;
  let client: TrackingClient;
  let locator: ArtifactLocator;

  beforeEach(async () => {
    dir = tempDir('agentrack-gc-');
    database = join(dir.path, 'a.db');
    destination = join(dir.path, 'a-artifacts');
    clock = Date.UTC(2026, 10, 1);
    const now = () => clock;
    client = new TrackingClient(await openSqliteStore(database, { now }), { now });
    locator = createArtifactLocator({ proxied: new LocalArtifactRepository(destination) });
  });
  afterEach(async () => {
    await locator.close();
    await client.close();
    dir.remove();
  });

  /** A run with a param, a tag, two metric values, a dataset input and a file below its artifact URI. */
  async function fullRun(experimentId: string, dataset = 'golden'): Promise<Run> {
    const run = await client.createRun(experimentId, { runName: `r${clock}`, tags: { team: 'core' } });
    const id = run.info.run_id;
    await client.logParam(id, 'model', 'gpt');
    await client.logMetric(id, 'loss', 0.5, { step: 0 });
    await client.logMetric(id, 'loss', 0.25, { step: 1 });
    await client.logInputs(id, [
      {
        tags: [{ key: 'mlflow.data.context', value: 'eval' }],
        dataset: { name: dataset, digest: 'd1', source_type: 'local', source: '{}' },
      },
    ]);
    writeArtifact(run, 'notes.txt');
    clock += 1000;
    return run;
  }

  /** Writes a file where the run's artifact URI points, as the artifact service would store it. */
  function writeArtifact(run: Run, name: string): string {
    const uri = run.info.artifact_uri;
    const folder = uri.startsWith('mlflow-artifacts:/')
      ? join(destination, uri.slice('mlflow-artifacts:/'.length))
      : uri.replace(/^file:\/\//, '');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, name), 'x');
    return join(folder, name);
  }

  /** Rows left in each table that hangs off runs, read straight from the file. */
  function rowCounts(): Record<(typeof TABLES)[number], number> {
    const db = new Database(database, { readonly: true });
    try {
      return Object.fromEntries(
        TABLES.map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]),
      ) as Record<(typeof TABLES)[number], number>;
    } finally {
      db.close();
    }
  }

  it('removes every deleted run with all its records and artifacts, and leaves the others', async () => {
    const experimentId = await client.createExperiment('/Shared/gc/development');
    const kept = await fullRun(experimentId, 'kept');
    const gone = await fullRun(experimentId, 'gone');
    const before = rowCounts();
    await client.deleteRun(gone.info.run_id);

    const removed: Removed[] = [];
    const report = await collectGarbage(client, { artifacts: locator, onRemoved: (r) => removed.push(r) });

    expect(report.runs.map((r) => [r.run.run_id, r.artifacts])).toEqual([
      [gone.info.run_id, { status: 'removed' }],
    ]);
    expect(removed.map((r) => r.kind)).toEqual(['run']);
    await expect(client.getRun(gone.info.run_id)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    expect(rowCounts()).toEqual({
      runs: before.runs - 1,
      tags: before.tags - 2, // team and mlflow.runName
      params: before.params - 1,
      metrics: before.metrics - 2,
      latest_metrics: before.latest_metrics - 1,
      inputs: before.inputs - 1,
      input_tags: before.input_tags - 1,
      datasets: before.datasets - 1, // 'gone' was used by no other run
    });
    // The run's folder went; the experiment's other run kept its files.
    expect(readdirSync(join(destination, experimentId))).toEqual([kept.info.run_id]);
    expect((await client.getRun(kept.info.run_id)).data.params).toEqual([{ key: 'model', value: 'gpt' }]);
  });

  it('removes a deleted experiment with every run in it and their artifacts', async () => {
    const experimentId = await client.createExperiment('/Shared/gc/evaluation');
    await client.setExperimentTag(experimentId, 'owner', 'me');
    const first = await fullRun(experimentId);
    const second = await fullRun(experimentId);
    const other = await client.createExperiment('/Shared/gc/other');
    await fullRun(other);
    await client.deleteExperiment(experimentId);

    const report = await collectGarbage(client, { artifacts: locator });

    expect(report.runs.map((r) => r.run.run_id).sort()).toEqual(
      [first.info.run_id, second.info.run_id].sort(),
    );
    expect(report.experiments.map((e) => e.experiment_id)).toEqual([experimentId]);
    await expect(client.getExperiment(experimentId)).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    expect(await client.getExperimentByName('/Shared/gc/evaluation')).toBeNull();
    expect(rowCounts()).toMatchObject({ runs: 1, params: 1, inputs: 1, datasets: 1 });
    expect(readdirSync(destination)).toEqual([other]);
    // Its name is free again.
    expect(await client.createExperiment('/Shared/gc/evaluation')).not.toBe(experimentId);
  });

  it('with olderThan, removes only what was deleted at least that long ago', async () => {
    const experimentId = await client.createExperiment('/Shared/gc/aged');
    const old = await fullRun(experimentId);
    const recent = await fullRun(experimentId);
    const oldExperiment = await client.createExperiment('/Shared/gc/old');
    await client.deleteRun(old.info.run_id);
    await client.deleteExperiment(oldExperiment);
    clock += 3 * DAY;
    await client.deleteRun(recent.info.run_id);
    clock += DAY / 2;

    const report = await collectGarbage(client, { olderThan: '2d', artifacts: locator, now: () => clock });
    expect(report.runs.map((r) => r.run.run_id)).toEqual([old.info.run_id]);
    expect(report.experiments.map((e) => e.experiment_id)).toEqual([oldExperiment]);
    expect((await client.getRun(recent.info.run_id)).info.lifecycle_stage).toBe('deleted');

    // Named explicitly, a run deleted too recently is refused.
    await expect(
      collectGarbage(client, { olderThan: '1d', runIds: [recent.info.run_id], now: () => clock }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining('not older'),
    });
  });

  it('checks every named run and experiment before removing anything', async () => {
    const experimentId = await client.createExperiment('/Shared/gc/named');
    const deleted = await fullRun(experimentId);
    const active = await fullRun(experimentId);
    await client.deleteRun(deleted.info.run_id);
    const before = rowCounts();

    await expect(
      collectGarbage(client, { runIds: [deleted.info.run_id, active.info.run_id], artifacts: locator }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining(`Run ${active.info.run_id} is not in the deleted lifecycle stage`),
    });
    await expect(collectGarbage(client, { experimentIds: [experimentId] })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining(`Experiments ${experimentId} are not in the deleted lifecycle stage`),
    });
    await expect(collectGarbage(client, { runIds: ['0'.repeat(32)] })).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    expect(rowCounts()).toEqual(before);
    expect(existsSync(join(destination, experimentId, deleted.info.run_id, 'artifacts', 'notes.txt'))).toBe(
      true,
    );

    // Named alone, the deleted run goes and every other deleted experiment stays out of it.
    const report = await collectGarbage(client, {
      runIds: [deleted.info.run_id],
      experimentIds: [],
      artifacts: locator,
    });
    expect(report.runs.map((r) => r.run.run_id)).toEqual([deleted.info.run_id]);
  });

  it('in a dry run, reports what would go and removes nothing', async () => {
    const experimentId = await client.createExperiment('/Shared/gc/dry');
    const run = await fullRun(experimentId);
    await client.deleteExperiment(experimentId);
    const before = rowCounts();

    const report = await collectGarbage(client, { dryRun: true, artifacts: locator });
    expect(report).toMatchObject({
      dryRun: true,
      runs: [{ run: { run_id: run.info.run_id }, artifacts: { status: 'kept' } }],
      experiments: [{ experiment_id: experimentId }],
    });
    expect(rowCounts()).toEqual(before);
    expect(existsSync(join(destination, experimentId, run.info.run_id, 'artifacts', 'notes.txt'))).toBe(true);
  });

  it('removes the folder of a run whose experiment keeps its artifacts elsewhere, and skips a URI it cannot reach', async () => {
    const local = await client.createExperiment('/Shared/gc/local', {
      artifactLocation: join(dir.path, 'elsewhere'),
    });
    const unreachable = await client.createExperiment('/Shared/gc/gcs', {
      artifactLocation: 'gs://bucket/x',
    });
    const gone = await client.createRun(local);
    const stays = await client.createRun(local);
    writeArtifact(gone, 'a.txt');
    const kept = writeArtifact(stays, 'b.txt');
    const far = await client.createRun(unreachable);
    for (const run of [gone, far]) await client.deleteRun(run.info.run_id);

    const report = await collectGarbage(client, { artifacts: locator });
    expect(readdirSync(join(dir.path, 'elsewhere'))).toEqual([stays.info.run_id]);
    expect(existsSync(kept)).toBe(true);
    expect(report.runs.find((r) => r.run.run_id === far.info.run_id)?.artifacts).toEqual({
      status: 'skipped',
      reason: expect.stringContaining("Unsupported artifact URI 'gs://bucket/x"),
    });
    await expect(client.getRun(far.info.run_id)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('refuses a store that cannot remove anything permanently', async () => {
    const rest = new TrackingClient(await openRestStore(`http://127.0.0.1:${await closedPort()}`));
    try {
      await expect(collectGarbage(rest)).rejects.toMatchObject({
        code: 'INVALID_STATE',
        message: expect.stringContaining('A rest store cannot remove runs permanently'),
      });
    } finally {
      await rest.close();
    }
  });
});
