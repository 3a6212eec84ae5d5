import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from '../src/index.js';
import { tempDir } from '../src/testing/temp-dir.js';

const writer = fileURLToPath(new URL('./fixtures/writer.mjs', import.meta.url));

function runWriter(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [writer, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('several processes on one SQLite file', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('migrates a new database once when processes open it at the same time, and loses no write', async () => {
    const uri = `sqlite:///${join(dir.path, 'shared.db')}`;
    const workers = 6;
    const runsEach = 25;
    const results = await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        runWriter([uri, '/Shared/multi/development', `w${w}`, String(runsEach), '200']),
      ),
    );
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }

    const client = await TrackingClient.open(uri);
    try {
      const experiment = await client.getExperimentByName('/Shared/multi/development');
      expect(experiment).not.toBeNull();
      const all = [];
      for await (const run of client.iterateRuns({
        experimentIds: [experiment!.experiment_id],
        maxResults: 50,
      })) {
        all.push(run);
      }
      expect(all).toHaveLength(workers * runsEach);
      for (const run of all) {
        expect(run.info.status).toBe('FINISHED');
        expect(run.data.tags).toContainEqual({ key: 'phase', value: 'written' });
        expect(run.data.metrics?.map((m) => m.key).sort()).toEqual(['accuracy', 'loss']);
      }
      const sample = all[0]!;
      expect(await client.getMetricHistory(sample.info.run_id, 'loss')).toHaveLength(200);
      const perWorker = await client.searchRuns({
        experimentIds: [experiment!.experiment_id],
        filter: "params.worker = 'w3'",
        maxResults: 1000,
      });
      expect(perWorker.items).toHaveLength(runsEach);
    } finally {
      await client.close();
    }
  });
});
