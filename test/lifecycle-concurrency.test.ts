import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from '../src/index.js';
import { tempDir } from '../src/testing/temp-dir.js';

const worker = fileURLToPath(new URL('./fixtures/agent-worker.mjs', import.meta.url));
const CLOCK = Date.UTC(2026, 10, 26, 10, 15, 0);

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function all(count: number, args: string[]) {
  const results = await Promise.all(Array.from({ length: count }, () => run(args)));
  for (const result of results) {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }
  return results.map((r) => JSON.parse(r.stdout) as unknown[]);
}

describe('the lifecycle across processes', () => {
  let dir: ReturnType<typeof tempDir>;
  let uri: string;
  beforeEach(() => {
    dir = tempDir();
    uri = `sqlite:///${join(dir.path, 'race.db')}`;
  });
  afterEach(() => dir.remove());

  it('ensureExperiments from several processes at once: one experiment per path, no error', async () => {
    const reports = (await all(6, [uri, 'ensure', String(CLOCK)])) as {
      path: string;
      outcome: string;
      experimentId: string;
    }[][];
    const created = reports.flat().filter((e) => e.outcome === 'created');
    expect(created.map((e) => e.path).sort()).toEqual([
      '/Shared/race_agent/deployment',
      '/Shared/race_agent/development',
      '/Shared/race_agent/evaluation',
    ]);
    expect(new Set(reports.flat().map((e) => `${e.path}=${e.experimentId}`)).size).toBe(3);
    const client = await TrackingClient.open(uri);
    try {
      const found = await client.searchExperiments({
        filter: "name LIKE '/Shared/race_agent/%'",
        viewType: 'ALL',
      });
      expect(found.items).toHaveLength(3);
    } finally {
      await client.close();
    }
  });

  it('runs started in the same second by several processes get unique names: base, _2, _3, ...', async () => {
    await all(1, [uri, 'ensure', String(CLOCK)]);
    const names = (await all(5, [uri, 'dev', String(CLOCK), '3'])).flat() as string[];
    expect(names).toHaveLength(15);
    // Unique, all of the convention's family; under contention a suffix may be skipped.
    expect(new Set(names).size).toBe(15);
    for (const name of names) expect(name).toMatch(/^dev_20261126_101500(_([2-9]|[1-9]\d+))?$/);
    expect(names).toContain('dev_20261126_101500');
    const client = await TrackingClient.open(uri);
    try {
      const experiment = await client.getExperimentByName('/Shared/race_agent/development');
      const stored = (await client.searchRuns({ experimentIds: [experiment!.experiment_id] })).items.map(
        (r) => r.info.run_name,
      );
      expect(stored.sort()).toEqual([...names].sort());
    } finally {
      await client.close();
    }
  });
});
