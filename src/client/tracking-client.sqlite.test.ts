import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ArtifactInfo, PutArtifactOptions } from '../artifacts/artifact-repository.js';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { tempDir } from '../testing/temp-dir.js';
import { ARTIFACT_TRANSFER_CONCURRENCY } from './run-artifacts.js';
import { describeTrackingClientContract, expectError } from './tracking-client.contract.js';
import { TrackingClient } from './tracking-client.js';

describeTrackingClientContract('SQLite file', async () => {
  const dir = tempDir();
  const client = await TrackingClient.open(`sqlite:///${join(dir.path, 'contract.db')}`);
  return {
    client,
    cleanup: async () => {
      await client.close();
      dir.remove();
    },
  };
});

/** A local repository that records the uploads it receives and how many run at once. */
class RecordingRepository extends LocalArtifactRepository {
  readonly puts: Array<{ path: string; contentType: string | undefined }> = [];
  running = 0;
  mostAtOnce = 0;
  closed = false;

  override async put(path: string, body: Readable, options: PutArtifactOptions = {}): Promise<ArtifactInfo> {
    this.puts.push({ path, contentType: options.contentType });
    this.mostAtOnce = Math.max(this.mostAtOnce, ++this.running);
    try {
      return await super.put(path, body, options);
    } finally {
      this.running--;
    }
  }

  override async close(): Promise<void> {
    this.closed = true;
  }
}

describe('TrackingClient artifacts on the embedded store', () => {
  it('keeps proxied artifacts in the folder beside the database, where agentrack server serves them from', async () => {
    const dir = tempDir();
    try {
      const client = await TrackingClient.open(`sqlite:///${join(dir.path, 'team.db')}`);
      const experimentId = await client.createExperiment('/Shared/agent/development');
      const run = await client.createRun(experimentId);
      expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${run.info.run_id}/artifacts`);
      await client.logText(run.info.run_id, 'kept beside the database', 'notes/where.md');
      await client.close();
      const file = join(
        dir.path,
        'team-artifacts',
        experimentId,
        run.info.run_id,
        'artifacts',
        'notes',
        'where.md',
      );
      expect(readFileSync(file, 'utf8')).toBe('kept beside the database');
    } finally {
      dir.remove();
    }
  });

  it('keeps proxied artifacts in the artifacts destination given instead, as the servers on the database would', async () => {
    const dir = tempDir();
    try {
      const destination = join(dir.path, 'shared-artifacts');
      const client = await TrackingClient.open(`sqlite:///${join(dir.path, 'team.db')}`, {
        artifactsDestination: destination,
      });
      const run = await client.createRun('0');
      await client.logText(run.info.run_id, 'in the destination', 'notes/where.md');
      expect(await client.listArtifacts(run.info.run_id, 'notes')).toEqual([
        { path: 'notes/where.md', is_dir: false, file_size: 18 },
      ]);
      await client.close();
      const file = join(destination, '0', run.info.run_id, 'artifacts', 'notes', 'where.md');
      expect(readFileSync(file, 'utf8')).toBe('in the destination');
      expect(existsSync(join(dir.path, 'team-artifacts'))).toBe(false);
    } finally {
      dir.remove();
    }
  });

  it('refuses an artifacts destination of an unknown scheme', async () => {
    const dir = tempDir();
    try {
      await expectError(
        TrackingClient.open(`sqlite:///${join(dir.path, 'team.db')}`, { artifactsDestination: 'ftp://x/y' }),
        'INVALID_PARAMETER_VALUE',
      );
    } finally {
      dir.remove();
    }
  });

  it('keeps the artifacts of an in-memory database in a temporary folder of its own, removed on close', async () => {
    const tmp = tempDir();
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = tmp.path;
    const folders = () =>
      readdirSync(tmp.path).filter((name) => name.startsWith('agentrack-memory-artifacts-'));
    try {
      const client = await TrackingClient.open('sqlite:///:memory:');
      const other = await TrackingClient.open('sqlite:///:memory:');
      const run = await client.createRun('0');
      await client.logText(run.info.run_id, 'short-lived', 'a.txt');
      await other.logText((await other.createRun('0')).info.run_id, 'another', 'b.txt');
      expect(folders()).toHaveLength(2);
      const downloaded = await client.downloadArtifacts(run.info.run_id);
      expect(readFileSync(join(downloaded, 'a.txt'), 'utf8')).toBe('short-lived');
      await other.close();
      expect(folders()).toHaveLength(1);
      expect(await client.listArtifacts(run.info.run_id)).toEqual([
        { path: 'a.txt', is_dir: false, file_size: 11 },
      ]);
      await client.close();
      expect(folders()).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      tmp.remove();
    }
  });

  it('refuses artifact writes on a store opened for reading, and creates no artifacts folder', async () => {
    const dir = tempDir();
    try {
      const db = `sqlite:///${join(dir.path, 'ro.db')}`;
      const writer = await TrackingClient.open(db);
      const runId = (await writer.createRun('0')).info.run_id;
      await writer.close();
      const reader = await TrackingClient.open(db, { mode: 'read' });
      writeFileSync(join(dir.path, 'f.txt'), 'x');
      await expectError(reader.logArtifact(runId, join(dir.path, 'f.txt')), 'INVALID_STATE', 'reading only');
      await expectError(reader.logText(runId, 'x', 'x.txt'), 'INVALID_STATE', 'reading only');
      expect(await reader.listArtifacts(runId)).toEqual([]);
      await reader.close();
      expect(existsSync(join(dir.path, 'ro-artifacts'))).toBe(false);
    } finally {
      dir.remove();
    }
  });

  it('uses the proxied repository given, with MLflow’s content types, a few uploads at once, and never closes it', async () => {
    const dir = tempDir();
    try {
      const repository = new RecordingRepository(join(dir.path, 'given'));
      const client = await TrackingClient.open(`sqlite:///${join(dir.path, 'given.db')}`, {
        proxiedArtifacts: repository,
      });
      const run = await client.createRun('0');
      const folder = join(dir.path, 'many');
      mkdirSync(folder);
      for (let i = 0; i < 24; i++)
        writeFileSync(join(folder, `f${String(i).padStart(2, '0')}.bin`), Buffer.alloc(256 * 1024, i));
      await client.logArtifacts(run.info.run_id, folder);
      expect(repository.puts).toHaveLength(24);
      expect(repository.mostAtOnce).toBeGreaterThan(1);
      expect(repository.mostAtOnce).toBeLessThanOrEqual(ARTIFACT_TRANSFER_CONCURRENCY);
      await client.logDict(run.info.run_id, { a: 1 }, 'config.json');
      writeFileSync(join(dir.path, 'plot.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      await client.logArtifact(run.info.run_id, join(dir.path, 'plot.png'), 'plots');
      expect(repository.puts.slice(-2)).toEqual([
        { path: `0/${run.info.run_id}/artifacts/config.json`, contentType: 'text/plain' },
        { path: `0/${run.info.run_id}/artifacts/plots/plot.png`, contentType: 'image/png' },
      ]);
      expect(repository.puts[0]?.contentType).toBe('application/octet-stream');
      await client.close();
      expect(repository.closed).toBe(false);
      expect(existsSync(join(dir.path, 'given-artifacts'))).toBe(false);
    } finally {
      dir.remove();
    }
  });
});
