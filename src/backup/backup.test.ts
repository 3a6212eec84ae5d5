import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { TrackingClient } from '../client/tracking-client.js';
import { verifyStores } from '../copy/copy-stores.js';
import { startServer, type RunningServer } from '../server/serve.js';
import { openStore } from '../store/open-store.js';
import { tempDir } from '../testing/temp-dir.js';
import { backupDatabase, MANIFEST_FILE, readManifest, restoreDatabase } from './backup.js';

const METRICS_PER_BATCH = 20;

describe('backup and restore of the embedded database', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: string;
  let server: RunningServer;
  let client: TrackingClient;

  beforeEach(async () => {
    dir = tempDir('agentrack-backup-');
    db = join(dir.path, 'team.db');
    const uri = `sqlite:///${db}`;
    server = await startServer({
      store: await openStore(uri, { registryUri: uri }),
      host: '127.0.0.1',
      port: 0,
      logger: false,
      artifactDestination: new LocalArtifactRepository(join(dir.path, 'team-artifacts')),
    });
    client = await TrackingClient.open(server.url);
  });
  afterEach(async () => {
    await client.close();
    await server.close();
    dir.remove();
  });

  /** One writer's work: runs, each with a batch of metrics and an artifact, acknowledged in order. */
  async function writer(experimentId: string, w: number, acknowledged: string[], stop: () => boolean) {
    for (let i = 0; !stop(); i++) {
      const run = await client.createRun(experimentId, { runName: `w${w}_${i}` });
      const runId = run.info.run_id;
      await client.logBatch(runId, {
        metrics: Array.from({ length: METRICS_PER_BATCH }, (_, m) => ({
          key: `m${m}`,
          value: i,
          step: 0,
          timestamp: 1,
        })),
      });
      await client.logText(runId, `run ${w}/${i}`, 'notes.txt');
      acknowledged.push(runId);
    }
  }

  it('copies one snapshot while a server writes: what was acknowledged before is there, nothing half-written', async () => {
    const experimentId = await client.createExperiment('/Shared/backup_agent/development');
    const acknowledged: string[] = [];
    let stopped = false;
    const writers = Array.from({ length: 4 }, (_, w) => writer(experimentId, w, acknowledged, () => stopped));
    while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 10));
    const before = [...acknowledged];
    const result = await backupDatabase({ database: db, destination: join(dir.path, 'backup') });
    stopped = true;
    await Promise.all(writers);
    expect(acknowledged.length).toBeGreaterThan(before.length);

    const copy = await TrackingClient.open(`sqlite:///${join(dir.path, 'backup', 'team.db')}`, {
      mode: 'read',
    });
    try {
      for (const runId of before) {
        const run = await copy.getRun(runId);
        expect(run.data.metrics).toHaveLength(METRICS_PER_BATCH);
        expect(await copy.listArtifacts(runId)).toEqual([
          { path: 'notes.txt', is_dir: false, file_size: expect.any(Number) },
        ]);
      }
      // A run the snapshot caught between its calls has either all of its batch or none of it.
      const all = await copy.searchRuns({ experimentIds: [experimentId], maxResults: 1000 });
      for (const run of all.items) expect([0, METRICS_PER_BATCH]).toContain(run.data.metrics?.length ?? 0);
      expect(result.manifest.tallies.runs.count).toBe(all.items.length);
    } finally {
      await copy.close();
    }
    const check = new Database(join(dir.path, 'backup', 'team.db'), { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
    expect(existsSync(join(dir.path, 'backup', 'team.db.partial'))).toBe(false);
  });

  it('gives back the same data: a quiet backup equals its source, and a restore equals the backup', async () => {
    const experimentId = await client.createExperiment('/Shared/backup_agent/evaluation');
    await Promise.all(
      [0, 1].map((w) =>
        writer(
          experimentId,
          w,
          [],
          (() => {
            let n = 0;
            return () => n++ >= 5;
          })(),
        ),
      ),
    );
    const backup = join(dir.path, 'quiet');
    const { manifest, files } = await backupDatabase({ database: db, destination: backup });
    expect(files).toBe(10);
    expect(manifest.tallies['artifact files'].count).toBe(10);
    const same = await verifyStores({ from: `sqlite:///${db}`, to: `sqlite:///${join(backup, 'team.db')}` });
    expect(same.filter((row) => !row.equal)).toEqual([]);

    const restored = join(dir.path, 'restored', 'team.db');
    const result = await restoreDatabase({ backup, database: restored });
    expect(result.checked.every((row) => row.equal)).toBe(true);
    expect(result.verification.filter((row) => !row.equal)).toEqual([]);
    expect(result.files).toBe(10);
    const back = await verifyStores({ from: `sqlite:///${db}`, to: `sqlite:///${restored}` });
    expect(back.filter((row) => !row.equal)).toEqual([]);

    await expect(restoreDatabase({ backup, database: restored })).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('already exists'),
    });
  });

  it('refuses a backup that no longer matches its manifest, restoring nothing', async () => {
    const experimentId = await client.createExperiment('/Shared/backup_agent/deployment');
    await client.createRun(experimentId, { runName: 'deploy_20261204_010000' });
    const backup = join(dir.path, 'tampered');
    await backupDatabase({ database: db, destination: backup });
    const raw = new Database(join(backup, 'team.db'));
    raw.prepare(`UPDATE runs SET name = 'changed'`).run();
    raw.close();
    const restored = join(dir.path, 'nowhere.db');
    await expect(restoreDatabase({ backup, database: restored })).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('no longer matches its manifest (runs'),
    });
    expect(existsSync(restored)).toBe(false);
  });

  it('refuses a destination that is not empty and a folder that is no backup', async () => {
    const full = join(dir.path, 'full');
    await backupDatabase({ database: db, destination: full });
    await expect(backupDatabase({ database: db, destination: full })).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('is not empty'),
    });
    writeFileSync(join(full, MANIFEST_FILE), '{"format": "other"}');
    await expect(readManifest(full)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });
});
