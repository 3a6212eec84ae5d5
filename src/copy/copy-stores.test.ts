import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../client/tracking-client.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { seedCopySourceAt, type SeededCopySource } from '../testing/seed-copy-source.js';
import { tempDir } from '../testing/temp-dir.js';
import { copyStores, verifyStores, type CopyStep } from './copy-stores.js';
import type { VerifyRow } from './verify.js';

/** The rows of a verification that differ, for a readable failure. */
function differing(rows: readonly VerifyRow[] | undefined): VerifyRow[] {
  expect(rows).toBeDefined();
  return (rows ?? []).filter((row) => !row.equal);
}

function countOf(rows: readonly VerifyRow[] | undefined, kind: VerifyRow['kind']): number {
  return rows?.find((row) => row.kind === kind)?.from.count ?? -1;
}

describe('copyStores between SQLite files', () => {
  let dir: ReturnType<typeof tempDir>;
  let from = '';
  let seeded: SeededCopySource;

  beforeAll(async () => {
    dir = tempDir('agentrack-copy-');
    from = `sqlite:///${join(dir.path, 'source.db')}`;
    seeded = await seedCopySourceAt(from);
  });
  afterAll(() => dir.remove());

  it('copies every kind of object, keeping ids, and verifies both sides equal', async () => {
    const to = `sqlite:///${join(dir.path, 'full.db')}`;
    const result = await copyStores({ from, to });
    expect(differing(result.verification)).toEqual([]);
    expect(result.keepsIds).toBe(true);
    expect(result.statePath).toBeUndefined();
    const rows = result.verification;
    expect(countOf(rows, 'experiments')).toBe(4);
    expect(countOf(rows, 'runs')).toBe(seeded.runIds.length);
    // 3 runs of 7 values, the deleted experiment's run 1, the model's metric on its run.
    expect(countOf(rows, 'metrics')).toBe(3 * 7 + 1 + 1);
    expect(countOf(rows, 'datasets')).toBe(3);
    expect(countOf(rows, 'artifact files')).toBe(3 * 2 + 1 + 1);
    expect(countOf(rows, 'logged models')).toBe(1);
    expect(countOf(rows, 'registered models')).toBe(2);
    expect(countOf(rows, 'versions')).toBe(2);
    expect(countOf(rows, 'aliases')).toBe(1);
    expect(countOf(rows, 'traces')).toBe(2);
    expect(countOf(rows, 'spans')).toBe(4);
    expect(countOf(rows, 'assessments')).toBe(5);

    const target = await TrackingClient.open(to, { mode: 'read' });
    try {
      const deleted = await target.getRun(seeded.deletedRunId);
      expect(deleted.info.lifecycle_stage).toBe('deleted');
      expect((await target.getExperiment(seeded.deletedExperimentId)).lifecycle_stage).toBe('deleted');
      const first = seeded.runIds[0] as string;
      const run = await target.getRun(first);
      expect(run.outputs?.model_outputs).toEqual([{ model_id: seeded.modelId, step: 1 }]);
      expect((await target.getMetricHistory(first, 'weird')).map((m) => m.value)).toEqual([Number.NaN, 0.5]);
      expect(await target.registry.getModelVersionByAlias(seeded.registeredModel, 'champion')).toMatchObject({
        version: '3',
        current_stage: 'Production',
      });
      const trace = await target.traces.getTrace(seeded.traceIds[0] as string);
      expect(trace.spans).toHaveLength(2);
      expect(trace.info.assessments?.map((a) => a.valid)).toEqual([false, true, true]);
    } finally {
      await target.close();
    }
  });

  it('continues an interrupted copy at every kind of step without duplicating anything', async () => {
    const kinds: CopyStep['kind'][] = ['experiments', 'runs', 'logged models', 'traces', 'registered models'];
    for (const [i, kind] of kinds.entries()) {
      const to = `sqlite:///${join(dir.path, `resumed-${i}.db`)}`;
      const stop = (step: CopyStep): void => {
        if (step.kind === kind) throw new Error(`interrupted after ${kind}`);
      };
      await expect(copyStores({ from, to, onStep: stop, pageSize: 1 })).rejects.toThrow(
        `interrupted after ${kind}`,
      );
      const resumed = await copyStores({ from, to });
      expect(differing(resumed.verification), `interrupted after ${kind}`).toEqual([]);
      expect(countOf(resumed.verification, 'runs')).toBe(seeded.runIds.length);
    }
  });

  it('copies again into a complete copy without writing anything, and verifies it alone', async () => {
    const to = `sqlite:///${join(dir.path, 'again.db')}`;
    await copyStores({ from, to, noVerify: true });
    const again = await copyStores({ from, to });
    expect(again.written).toEqual({
      experiments: 4,
      runs: 0,
      'logged models': 0,
      traces: 0,
      'registered models': 0,
      'artifact files': 0,
    });
    expect(differing(await verifyStores({ from, to }))).toEqual([]);
  });

  it('refuses the same store twice, and a target whose experiments have other names', async () => {
    await expect(copyStores({ from, to: from })).rejects.toThrow(/same store/);
    const to = join(dir.path, 'taken.db');
    const store = await openSqliteStore(to);
    await store.createExperiment({ name: 'someone else' });
    await store.close();
    await expect(copyStores({ from, to: `sqlite:///${to}` })).rejects.toThrow(
      /already has an experiment 1 named 'someone else'/,
    );
    expect(existsSync(join(dir.path, 'source.db'))).toBe(true);
  });
});
