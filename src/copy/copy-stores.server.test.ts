import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { TrackingClient } from '../client/tracking-client.js';
import { startServer, type RunningServer } from '../server/serve.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { closedPort } from '../testing/closed-port.js';
import { seedCopySourceAt, type SeededCopySource } from '../testing/seed-copy-source.js';
import { tempDir } from '../testing/temp-dir.js';
import { copyStores, verifyStores, type CopyStep } from './copy-stores.js';
import { COPY_SOURCE_TAG } from './rest-copy-target.js';
import type { VerifyRow } from './verify.js';

function differing(rows: readonly VerifyRow[] | undefined): VerifyRow[] {
  expect(rows).toBeDefined();
  return (rows ?? []).filter((row) => !row.equal);
}

function countOf(rows: readonly VerifyRow[] | undefined, kind: VerifyRow['kind']): number {
  return rows?.find((row) => row.kind === kind)?.to.count ?? -1;
}

/** An agentrack server on loopback over a new SQLite file, serving artifacts from a folder beside it. */
async function serve(dir: string, name: string): Promise<RunningServer> {
  const store = await openSqliteStore(join(dir, `${name}.db`));
  return startServer({
    store,
    port: 0,
    logger: false,
    artifactDestination: new LocalArtifactRepository(join(dir, `${name}-artifacts`)),
  });
}

/** Every id the state file mapped, by kind: `[kind, source id, target id]`. */
function mappings(statePath: string): [string, string, string][] {
  return readFileSync(statePath, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"t":"map"'))
    .map((line) => JSON.parse(line) as { kind: string; id: string; to: string })
    .map((entry) => [entry.kind, entry.id, entry.to]);
}

describe('copyStores to and from an agentrack server over REST', () => {
  let dir: ReturnType<typeof tempDir>;
  let from = '';
  let seeded: SeededCopySource;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    dir = tempDir('agentrack-copy-rest-');
    from = `sqlite:///${join(dir.path, 'source.db')}`;
    seeded = await seedCopySourceAt(from);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    dir.remove();
  });

  async function server(name: string): Promise<RunningServer> {
    const running = await serve(dir.path, name);
    servers.push(running);
    return running;
  }

  it('copies every kind of object to a server, mapping ids in the state file; the verification sees only what the server had', async () => {
    const target = await server('full');
    // The server's experiment ids are then the source's plus one: every reference is rewritten.
    const occupied = await TrackingClient.open(target.url);
    await occupied.createExperiment('someone/else');
    await occupied.close();
    const statePath = join(dir.path, 'full.state');
    const result = await copyStores({ from, to: target.url, statePath });
    expect(differing(result.verification).map((row) => [row.kind, row.from.count, row.to.count])).toEqual([
      ['experiments', 4, 5],
    ]);
    expect(result.keepsIds).toBe(false);
    expect(countOf(result.verification, 'runs')).toBe(seeded.runIds.length);
    expect(countOf(result.verification, 'assessments')).toBe(5);
    expect(countOf(result.verification, 'artifact files')).toBe(8);

    const mapped = mappings(statePath);
    expect(mapped.filter(([kind]) => kind === 'experiment')).toContainEqual(['experiment', '1', '2']);
    const runs = new Map(mapped.filter(([kind]) => kind === 'run').map(([, id, to]) => [id, to]));
    expect(runs.size).toBe(seeded.runIds.length);
    const first = runs.get(seeded.runIds[0] as string) as string;
    expect(first).not.toBe(seeded.runIds[0]);
    const models = new Map(mapped.filter(([kind]) => kind === 'model').map(([, id, to]) => [id, to]));
    const modelId = models.get(seeded.modelId) as string;

    const client = await TrackingClient.open(target.url);
    try {
      const version = await client.registry.getModelVersion(seeded.registeredModel, '1');
      expect(version).toMatchObject({
        run_id: first,
        source: `runs:/${first}/model`,
        current_stage: 'Archived',
      });
      // Version 2 was deleted in the source: the source's 3 is the target's 2.
      const champion = await client.registry.getModelVersionByAlias(seeded.registeredModel, 'champion');
      expect(champion).toMatchObject({ version: '2', source: `models:/${modelId}` });
      const model = await client.getLoggedModel(modelId);
      expect(model.info.source_run_id).toBe(first);
      expect(model.info.tags?.some((t) => t.key === COPY_SOURCE_TAG)).toBe(false);
      const trace = await client.traces.getTraceInfo(seeded.traceIds[0] as string);
      expect(trace.trace_metadata?.['mlflow.sourceRun']).toBe(first);
      expect((await client.getRun(first)).data.tags?.some((t) => t.key === COPY_SOURCE_TAG)).toBe(false);
      expect((await client.getRun(runs.get(seeded.deletedRunId) as string)).info.lifecycle_stage).toBe(
        'deleted',
      );
    } finally {
      await client.close();
    }
    expect(differing(await verifyStores({ from, to: target.url, statePath })).map((row) => row.kind)).toEqual(
      ['experiments'],
    );
  });

  it('copies to a new server with every kind verified equal', async () => {
    const target = await server('clean');
    const result = await copyStores({ from, to: target.url, statePath: join(dir.path, 'clean.state') });
    expect(differing(result.verification)).toEqual([]);
    expect(countOf(result.verification, 'spans')).toBe(4);
  });

  it('continues after an interruption at each step, and right after creating an object, without duplicates', async () => {
    const points: [string, (step: CopyStep) => boolean][] = [
      ['after the first run', (step) => step.kind === 'runs' && step.created === undefined],
      ['after creating a run', (step) => step.created === 'run' && step.done >= 1],
      ['after creating a logged model', (step) => step.created === 'model'],
      ['after the first trace', (step) => step.kind === 'traces'],
      ['after creating a model version', (step) => step.created === 'version'],
      ['after a registered model', (step) => step.kind === 'registered models' && step.created === undefined],
    ];
    for (const [i, [what, when]] of points.entries()) {
      const target = await server(`resumed-${i}`);
      const statePath = join(dir.path, `resumed-${i}.state`);
      const stop = (step: CopyStep): void => {
        if (when(step)) throw new Error(`interrupted ${what}`);
      };
      await expect(
        copyStores({ from, to: target.url, statePath, onStep: stop, pageSize: 1 }),
      ).rejects.toThrow(`interrupted ${what}`);
      const resumed = await copyStores({ from, to: target.url, statePath });
      expect(differing(resumed.verification), what).toEqual([]);
      expect(countOf(resumed.verification, 'runs'), what).toBe(seeded.runIds.length);
      expect(countOf(resumed.verification, 'versions'), what).toBe(2);
    }
  });

  it('copies a server back into a new SQLite file, with the server ids', async () => {
    const source = await server('round-trip');
    await copyStores({ from, to: source.url, statePath: join(dir.path, 'round-trip.state') });
    const to = `sqlite:///${join(dir.path, 'back.db')}`;
    const back = await copyStores({ from: source.url, to });
    expect(differing(back.verification)).toEqual([]);
    expect(countOf(back.verification, 'metrics')).toBe(3 * 7 + 1 + 1);
  });

  it('refuses a server that already has an experiment of the same name, and one that is not there', async () => {
    const target = await server('taken');
    const client = await TrackingClient.open(target.url);
    await client.createExperiment('agents/support');
    await client.close();
    await expect(
      copyStores({ from, to: target.url, statePath: join(dir.path, 'taken.state') }),
    ).rejects.toThrow(/already has an experiment named 'agents\/support'/);
    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    await expect(
      copyStores({
        from,
        to: nowhere,
        statePath: join(dir.path, 'nowhere.state'),
        storeOptions: { maxRetries: 0 },
      }),
    ).rejects.toThrow(/Cannot reach/);
  });
});
