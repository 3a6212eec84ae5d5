import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAgentrackError } from '../../errors.js';
import { openRestStore } from '../rest/rest-store.js';
import { openSqliteStore } from '../sqlite/index.js';
import type { TrackingStore } from '../tracking-store.js';
import { tempDir } from '../../testing/temp-dir.js';

let dir: { path: string; remove: () => void };
let store: TrackingStore;

beforeAll(async () => {
  dir = tempDir('agentrack-count-runs-');
  store = await openSqliteStore(join(dir.path, 'agentrack.db'));
});
afterAll(async () => {
  await store.close();
  dir.remove();
});

describe('countRuns', () => {
  it("counts an experiment's active runs only, and no other experiment's", async () => {
    const a = await store.createExperiment({ name: 'count-a' });
    const b = await store.createExperiment({ name: 'count-b' });
    expect(await store.countRuns(a)).toBe(0);
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await store.createRun({ experimentId: a, startTime: i }));
    await store.createRun({ experimentId: b, startTime: 0 });
    await store.deleteRun(runs[0]?.info.run_id as string);
    expect(await store.countRuns(a)).toBe(4);
    expect(await store.countRuns(b)).toBe(1);
    await store.restoreRun(runs[0]?.info.run_id as string);
    expect(await store.countRuns(a)).toBe(5);
  });

  it('refuses an unknown experiment as the other reads of one do', async () => {
    const error = await store.countRuns('424242').catch((e: unknown) => e);
    expect(isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')).toBe(true);
    const invalid = await store.countRuns('not-an-id').catch((e: unknown) => e);
    expect(isAgentrackError(invalid, 'INVALID_PARAMETER_VALUE')).toBe(true);
  });

  it('is NOT_IMPLEMENTED over REST, which has no count', async () => {
    const rest = await openRestStore('http://127.0.0.1:9', { env: {}, maxRetries: 0 });
    try {
      const error = await rest.countRuns('1').catch((e: unknown) => e);
      expect(isAgentrackError(error, 'NOT_IMPLEMENTED')).toBe(true);
    } finally {
      await rest.close();
    }
  });
});
