import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../errors.js';
import type { DatasetInput, Run } from '../entities/index.js';
import { describeLoggedModelsContract } from './logged-models.contract.js';
import { describeRunArtifactsContract } from './run-artifacts.contract.js';
import type { TrackingClient } from './tracking-client.js';

/** A fresh, empty backend for one test, and how to dispose of it. */
export interface ContractBackend {
  client: TrackingClient;
  cleanup: () => Promise<void>;
}

/** Asserts that `promise` rejects with an agentrack error of `code` whose message contains `fragment`. */
export async function expectError(
  promise: Promise<unknown>,
  code: ErrorCode,
  fragment?: string | RegExp,
): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeDefined();
  const e = caught as { code?: unknown; message?: unknown; name?: unknown };
  expect(e.name).toBe('AgentrackError');
  expect(e.code).toBe(code);
  if (fragment !== undefined) expect(String(e.message)).toMatch(fragment);
}

const ids = (runs: readonly Run[]) => runs.map((r) => r.info.run_id);

/** A dataset input as MLflow's `mlflow.log_input(dataset, context)` sends it. */
function datasetInput(
  name: string,
  digest: string,
  context?: string,
  source = `/data/${name}`,
): DatasetInput {
  const dataset = { name, digest, source_type: 'local', source: `{"uri": "${source}"}` };
  return context === undefined
    ? { dataset }
    : { tags: [{ key: 'mlflow.data.context', value: context }], dataset };
}

/** What a backend of the contract can do; every capability is on unless turned off. */
export interface ContractCapabilities {
  /**
   * The client reaches the artifacts of runs in experiments with the default artifact location
   * (`mlflow-artifacts:` URIs): off for a backend whose artifact service the client cannot use
   * yet, which skips {@link describeRunArtifactsContract} there (and says so in the report).
   */
  artifacts?: boolean;
}

/**
 * The TrackingClient contract: every backend (SQLite, PostgreSQL, REST) must pass it unchanged.
 * `open` returns a client on a fresh, empty store.
 */
export function describeTrackingClientContract(
  backendName: string,
  open: () => Promise<ContractBackend>,
  capabilities: ContractCapabilities = {},
): void {
  describeRunArtifactsContract(backendName, open, { skip: capabilities.artifacts === false });
  describeLoggedModelsContract(backendName, open, { artifacts: capabilities.artifacts !== false });
  describe(`TrackingClient contract: ${backendName}`, () => {
    let backend: ContractBackend;
    let client: TrackingClient;
    let clock = 1_700_000_000_000;
    const tick = () => ++clock;

    beforeEach(async () => {
      backend = await open();
      client = backend.client;
    });
    afterEach(async () => {
      await backend.cleanup();
    });

    describe('experiments', () => {
      it('has the Default experiment with id 0 from the start', async () => {
        const experiment = await client.getExperiment('0');
        expect(experiment.name).toBe('Default');
        expect(experiment.lifecycle_stage).toBe('active');
        expect(await client.getExperimentByName('Default')).toMatchObject({ experiment_id: '0' });
      });

      it('creates an experiment with MLflow shape and tags', async () => {
        const id = await client.createExperiment('/Shared/agent/development', { tags: { team: 'core' } });
        expect(id).toMatch(/^\d+$/);
        const experiment = await client.getExperiment(id);
        expect(experiment).toEqual({
          experiment_id: id,
          name: '/Shared/agent/development',
          artifact_location: expect.any(String),
          lifecycle_stage: 'active',
          last_update_time: expect.any(Number),
          creation_time: expect.any(Number),
          tags: [{ key: 'team', value: 'core' }],
        });
        expect(experiment.artifact_location.length).toBeGreaterThan(0);
      });

      it('omits tags when an experiment has none', async () => {
        const id = await client.createExperiment('/Shared/agent/no-tags');
        expect(await client.getExperiment(id)).not.toHaveProperty('tags');
      });

      it('refuses a duplicate name with "already exists", also when the holder is deleted', async () => {
        const id = await client.createExperiment('/Shared/agent/evaluation');
        await expectError(
          client.createExperiment('/Shared/agent/evaluation'),
          'RESOURCE_ALREADY_EXISTS',
          'already exists',
        );
        await client.deleteExperiment(id);
        await expectError(
          client.createExperiment('/Shared/agent/evaluation'),
          'RESOURCE_ALREADY_EXISTS',
          'already exists',
        );
      });

      it('reports missing experiments', async () => {
        await expectError(
          client.getExperiment('999'),
          'RESOURCE_DOES_NOT_EXIST',
          'No Experiment with id=999 exists',
        );
        expect(await client.getExperimentByName('/nope')).toBeNull();
      });

      it('rejects invalid names and ids naming the field', async () => {
        await expectError(client.createExperiment(''), 'INVALID_PARAMETER_VALUE', /name/);
        await expectError(client.createExperiment('x'.repeat(501)), 'INVALID_PARAMETER_VALUE', /name/);
        await expectError(client.getExperiment('abc'), 'INVALID_PARAMETER_VALUE', /abc/);
      });

      it('renames, refusing a taken name', async () => {
        const a = await client.createExperiment('/Shared/a');
        await client.createExperiment('/Shared/b');
        await client.renameExperiment(a, '/Shared/c');
        expect((await client.getExperiment(a)).name).toBe('/Shared/c');
        await expectError(
          client.renameExperiment(a, '/Shared/b'),
          'RESOURCE_ALREADY_EXISTS',
          'already exists',
        );
      });

      it('soft-deletes and restores, and get-by-name still finds a deleted experiment', async () => {
        const id = await client.createExperiment('/Shared/gone');
        await client.deleteExperiment(id);
        expect((await client.getExperiment(id)).lifecycle_stage).toBe('deleted');
        expect(await client.getExperimentByName('/Shared/gone')).toMatchObject({
          lifecycle_stage: 'deleted',
        });
        await client.restoreExperiment(id);
        expect((await client.getExperiment(id)).lifecycle_stage).toBe('active');
      });

      it("takes a deleted experiment's runs out of active searches and brings them back on restore", async () => {
        const id = await client.createExperiment('/Shared/lane');
        const run = await client.createRun(id, { runName: 'r1' });
        await client.deleteExperiment(id);
        expect((await client.searchRuns({ experimentIds: [id] })).items).toEqual([]);
        expect(ids((await client.searchRuns({ experimentIds: [id], runViewType: 'ALL' })).items)).toEqual([
          run.info.run_id,
        ]);
        await client.restoreExperiment(id);
        expect(ids((await client.searchRuns({ experimentIds: [id] })).items)).toEqual([run.info.run_id]);
      });

      it('sets, overwrites and deletes experiment tags', async () => {
        const id = await client.createExperiment('/Shared/tags');
        await client.setExperimentTag(id, 'owner', 'a');
        await client.setExperimentTag(id, 'owner', 'b');
        expect((await client.getExperiment(id)).tags).toEqual([{ key: 'owner', value: 'b' }]);
        await client.deleteExperimentTag(id, 'owner');
        expect(await client.getExperiment(id)).not.toHaveProperty('tags');
        await expectError(client.deleteExperimentTag(id, 'owner'), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('searches experiments by name, tag and view type, with order_by', async () => {
        const dev = await client.createExperiment('/Shared/bot/development', { tags: { lane: 'dev' } });
        const ev = await client.createExperiment('/Shared/bot/evaluation', { tags: { lane: 'eval' } });
        const other = await client.createExperiment('/Users/me/scratch');
        await client.deleteExperiment(other);
        const byName = await client.searchExperiments({
          filter: "name LIKE '/Shared/bot/%'",
          orderBy: ['name ASC'],
        });
        expect(byName.items.map((e) => e.experiment_id)).toEqual([dev, ev]);
        const byTag = await client.searchExperiments({ filter: "tags.lane = 'eval'" });
        expect(byTag.items.map((e) => e.experiment_id)).toEqual([ev]);
        const deleted = await client.searchExperiments({ viewType: 'DELETED_ONLY' });
        expect(deleted.items.map((e) => e.experiment_id)).toEqual([other]);
        const all = await client.searchExperiments({ viewType: 'ALL', maxResults: 50000 });
        expect(all.items.map((e) => e.experiment_id).sort()).toEqual(['0', dev, ev, other].sort());
      });

      it('pages experiments with opaque tokens, each experiment once', async () => {
        const created: string[] = ['0'];
        for (let i = 0; i < 7; i++) created.push(await client.createExperiment(`/Shared/page/${i}`));
        const seen: string[] = [];
        for await (const page of client.searchExperimentsPages({ maxResults: 3 })) {
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((e) => e.experiment_id));
        }
        expect(seen.sort()).toEqual(created.sort());
      });
    });

    describe('runs', () => {
      let experimentId: string;
      beforeEach(async () => {
        experimentId = await client.createExperiment('/Shared/agent/runs');
      });

      it('creates a run with MLflow shape and mirrors its name in mlflow.runName', async () => {
        const run = await client.createRun(experimentId, {
          runName: 'dev_20261126_101500',
          startTime: 1_700_000_000_000,
          userId: 'alice',
          tags: { run_type: 'development' },
        });
        expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/);
        expect(run).toEqual({
          info: {
            run_uuid: run.info.run_id,
            experiment_id: experimentId,
            run_name: 'dev_20261126_101500',
            user_id: 'alice',
            status: 'RUNNING',
            start_time: 1_700_000_000_000,
            artifact_uri: expect.stringContaining(run.info.run_id),
            lifecycle_stage: 'active',
            run_id: run.info.run_id,
          },
          data: {
            tags: expect.arrayContaining([
              { key: 'run_type', value: 'development' },
              { key: 'mlflow.runName', value: 'dev_20261126_101500' },
            ]),
          },
          inputs: {},
        });
        // As MLflow's, a read of one run also has its outputs (the logged models it produced).
        expect(await client.getRun(run.info.run_id)).toEqual({ ...run, outputs: {} });
      });

      it('generates a run name when none is given', async () => {
        const run = await client.createRun(experimentId);
        expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
        expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: run.info.run_name });
      });

      it('refuses runs in missing or deleted experiments', async () => {
        await expectError(
          client.createRun('999'),
          'RESOURCE_DOES_NOT_EXIST',
          'No Experiment with id=999 exists',
        );
        await client.deleteExperiment(experimentId);
        await expectError(
          client.createRun(experimentId),
          'INVALID_PARAMETER_VALUE',
          "must be in the 'active' state",
        );
      });

      it('reports a missing run', async () => {
        await expectError(
          client.getRun('00000000000000000000000000000000'),
          'RESOURCE_DOES_NOT_EXIST',
          'Run with id=00000000000000000000000000000000 not found',
        );
        // As MLflow's SQL store, a read looks any id up: one no run can have is not found.
        const long = 'a'.repeat(20_000);
        await expectError(client.getRun(long), 'RESOURCE_DOES_NOT_EXIST', `Run with id=${long} not found`);
        expect(await client.getMetricHistory(long, 'm')).toEqual([]);
      });

      it('updates status, name and end time; setTerminated finishes the run', async () => {
        const run = await client.createRun(experimentId, { runName: 'before' });
        const info = await client.updateRun(run.info.run_id, { name: 'after', status: 'SCHEDULED' });
        expect(info).toMatchObject({ run_name: 'after', status: 'SCHEDULED' });
        const renamed = await client.getRun(run.info.run_id);
        expect(renamed.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'after' });
        const ended = await client.setTerminated(run.info.run_id, 'FAILED', 1_800_000_000_000);
        expect(ended).toMatchObject({ status: 'FAILED', end_time: 1_800_000_000_000 });
        await expectError(
          client.updateRun(run.info.run_id, { status: 'DONE' as never }),
          'INVALID_PARAMETER_VALUE',
          /status/i,
        );
      });

      it('limits run names to the 8000 characters of the mlflow.runName tag, on create and rename', async () => {
        const atLimit = 'n'.repeat(8000);
        const run = await client.createRun(experimentId, { runName: atLimit });
        expect(run.info.run_name).toBe(atLimit);
        const tooLong = "'run_name' exceeds the maximum length of 8000 characters";
        await expectError(
          client.createRun(experimentId, { runName: `${atLimit}n` }),
          'INVALID_PARAMETER_VALUE',
          tooLong,
        );
        await expectError(
          client.updateRun(run.info.run_id, { name: `${atLimit}n` }),
          'INVALID_PARAMETER_VALUE',
          tooLong,
        );
        expect((await client.getRun(run.info.run_id)).info.run_name).toBe(atLimit);
        expect((await client.searchRuns({ experimentIds: [experimentId] })).items).toHaveLength(1);
      });

      it('renames a run when mlflow.runName is set as a tag', async () => {
        const run = await client.createRun(experimentId, { runName: 'first' });
        await client.setTag(run.info.run_id, 'mlflow.runName', 'second');
        expect((await client.getRun(run.info.run_id)).info.run_name).toBe('second');
      });

      it('keeps params write-once: the same value is accepted, a different one refused', async () => {
        const run = await client.createRun(experimentId);
        await client.logParam(run.info.run_id, 'lr', '0.01');
        await client.logParam(run.info.run_id, 'lr', 0.01);
        await expectError(
          client.logParam(run.info.run_id, 'lr', '0.02'),
          'INVALID_PARAMETER_VALUE',
          'Changing param values is not allowed',
        );
        await expectError(
          client.logBatch(run.info.run_id, { params: { lr: '0.03' } }),
          'INVALID_PARAMETER_VALUE',
          'Changing param values is not allowed',
        );
        expect((await client.getRun(run.info.run_id)).data.params).toEqual([{ key: 'lr', value: '0.01' }]);
      });

      it('overwrites tags and deletes them', async () => {
        const run = await client.createRun(experimentId, { runName: 'x' });
        await client.setTag(run.info.run_id, 'stage', 'a');
        await client.setTag(run.info.run_id, 'stage', 'b');
        let tags = (await client.getRun(run.info.run_id)).data.tags ?? [];
        expect(tags.filter((t) => t.key === 'stage')).toEqual([{ key: 'stage', value: 'b' }]);
        await client.deleteTag(run.info.run_id, 'stage');
        tags = (await client.getRun(run.info.run_id)).data.tags ?? [];
        expect(tags.find((t) => t.key === 'stage')).toBeUndefined();
        await expectError(client.deleteTag(run.info.run_id, 'stage'), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('appends metrics and keeps the latest by (step, timestamp, value)', async () => {
        const run = await client.createRun(experimentId);
        const id = run.info.run_id;
        await client.logMetric(id, 'loss', 0.9, { step: 2, timestamp: 100 });
        await client.logMetric(id, 'loss', 0.5, { step: 1, timestamp: 500 });
        await client.logMetric(id, 'loss', 0.7, { step: 2, timestamp: 50 });
        let latest = (await client.getRun(id)).data.metrics;
        expect(latest).toEqual([{ key: 'loss', value: 0.9, timestamp: 100, step: 2 }]);
        await client.logMetric(id, 'loss', 0.95, { step: 2, timestamp: 100 });
        latest = (await client.getRun(id)).data.metrics;
        expect(latest).toEqual([{ key: 'loss', value: 0.95, timestamp: 100, step: 2 }]);
        const history = await client.getMetricHistory(id, 'loss');
        expect(history.map((m) => m.value).sort()).toEqual([0.5, 0.7, 0.9, 0.95]);
        expect(await client.getMetricHistory(id, 'missing')).toEqual([]);
      });

      it('accepts NaN and ±Infinity and gives them back', async () => {
        const run = await client.createRun(experimentId);
        const id = run.info.run_id;
        await client.logBatch(id, {
          metrics: [
            { key: 'nan', value: Number.NaN, step: 0, timestamp: 1 },
            { key: 'pinf', value: Infinity, step: 0, timestamp: 1 },
            { key: 'ninf', value: -Infinity, step: 0, timestamp: 1 },
          ],
        });
        const metrics = Object.fromEntries(
          ((await client.getRun(id)).data.metrics ?? []).map((m) => [m.key, m.value]),
        );
        expect(metrics.nan).toBeNaN();
        expect(metrics.pinf).toBe(Infinity);
        expect(metrics.ninf).toBe(-Infinity);
        expect((await client.getMetricHistory(id, 'nan'))[0]?.value).toBeNaN();
      });

      it('returns the whole metric history across pages', async () => {
        const run = await client.createRun(experimentId);
        const metrics = Array.from({ length: 1000 }, (_, i) => ({
          key: 'm',
          value: i,
          step: i,
          timestamp: 1000 + i,
        }));
        for (let i = 0; i < 30; i++) {
          await client.logBatch(run.info.run_id, {
            metrics: metrics.map((m) => ({ ...m, step: m.step + i * 1000 })),
          });
        }
        const history = await client.getMetricHistory(run.info.run_id, 'm');
        expect(history).toHaveLength(30_000);
        expect(new Set(history.map((m) => m.step)).size).toBe(30_000);
      });

      it('enforces MLflow limits with INVALID_PARAMETER_VALUE naming the field', async () => {
        const id = (await client.createRun(experimentId)).info.run_id;
        const metric = (i: number) => ({ key: `m${i}`, value: i, step: 0, timestamp: 1 });
        await expectError(
          client.logBatch(id, { metrics: Array.from({ length: 1001 }, (_, i) => metric(i)) }),
          'INVALID_PARAMETER_VALUE',
          /metrics/,
        );
        await expectError(
          client.logBatch(id, {
            params: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, 'v'])),
          }),
          'INVALID_PARAMETER_VALUE',
          /params/,
        );
        await expectError(
          client.logBatch(id, {
            tags: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`t${i}`, 'v'])),
          }),
          'INVALID_PARAMETER_VALUE',
          /tags/,
        );
        await expectError(client.setTag(id, 'bad key!', 'v'), 'INVALID_PARAMETER_VALUE', /key/);
        await expectError(client.logParam(id, 'p', 'x'.repeat(6001)), 'INVALID_PARAMETER_VALUE', /6000/);
        await expectError(client.setTag(id, 't', 'x'.repeat(8001)), 'INVALID_PARAMETER_VALUE', /8000/);
        await expectError(client.logMetric(id, 'k'.repeat(251), 1), 'INVALID_PARAMETER_VALUE', /250/);
        // Nothing of a refused batch is written.
        expect((await client.getRun(id)).data.metrics).toBeUndefined();
      });

      it('soft-deletes and restores runs', async () => {
        const run = await client.createRun(experimentId, { runName: 'doomed' });
        const id = run.info.run_id;
        await client.deleteRun(id);
        expect((await client.getRun(id)).info.lifecycle_stage).toBe('deleted');
        await expectError(
          client.logMetric(id, 'm', 1),
          'INVALID_PARAMETER_VALUE',
          "must be in the 'active' state",
        );
        expect((await client.searchRuns({ experimentIds: [experimentId] })).items).toEqual([]);
        expect(
          ids(
            (await client.searchRuns({ experimentIds: [experimentId], runViewType: 'DELETED_ONLY' })).items,
          ),
        ).toEqual([id]);
        await client.restoreRun(id);
        expect(ids((await client.searchRuns({ experimentIds: [experimentId] })).items)).toEqual([id]);
      });

      it('searches runs with the mission queries', async () => {
        const mk = async (name: string, type: string, extra: Record<string, string> = {}) => {
          const run = await client.createRun(experimentId, {
            runName: name,
            startTime: tick(),
            tags: { run_type: type, ...extra },
          });
          return run.info.run_id;
        };
        const e1 = await mk('eval_1', 'evaluation');
        const d1 = await mk('deploy_1', 'deployment', { model_version: '3' });
        const e2 = await mk('eval_2', 'evaluation');
        const d2 = await mk('deploy_2', 'deployment', { model_version: '2' });
        await client.logMetric(e1, 'accuracy', 0.91);
        await client.logMetric(e2, 'accuracy', 0.85);

        const latest = await client.searchRuns({
          experimentIds: [experimentId],
          filter: "tags.run_type = 'evaluation'",
          orderBy: ['start_time DESC'],
          maxResults: 1,
        });
        expect(ids(latest.items)).toEqual([e2]);
        expect(latest.nextPageToken).toBeDefined();

        const v3 = await client.searchRuns({
          experimentIds: [experimentId],
          filter: "tags.model_version = '3'",
        });
        expect(ids(v3.items)).toEqual([d1]);
        expect(v3.nextPageToken).toBeUndefined();

        const good = await client.searchRuns({
          experimentIds: [experimentId],
          filter: 'metrics.accuracy > 0.9',
          orderBy: ['metrics.accuracy DESC'],
        });
        expect(ids(good.items)).toEqual([e1]);

        const byMetric = await client.searchRuns({
          experimentIds: [experimentId],
          orderBy: ['metrics.accuracy ASC'],
        });
        // Runs without the metric sort last.
        expect(ids(byMetric.items)).toEqual([e2, e1, d2, d1]);

        const byDefault = await client.searchRuns({ experimentIds: [experimentId] });
        expect(ids(byDefault.items)).toEqual([d2, e2, d1, e1]);

        const names = await client.searchRuns({
          experimentIds: [experimentId],
          filter: "run_name LIKE 'deploy_%'",
        });
        expect(ids(names.items).sort()).toEqual([d1, d2].sort());
      });

      it('matches NaN metrics only with != and sorts them after values, before missing', async () => {
        const mk = async (value?: number) => {
          const id = (await client.createRun(experimentId, { startTime: tick() })).info.run_id;
          if (value !== undefined) await client.logMetric(id, 'm', value);
          return id;
        };
        const nan = await mk(Number.NaN);
        const one = await mk(1);
        const two = await mk(2);
        const none = await mk();
        const search = async (filter: string, orderBy: string[]) =>
          ids((await client.searchRuns({ experimentIds: [experimentId], filter, orderBy })).items);
        expect(await search('metrics.m != 5', ['metrics.m ASC'])).toEqual([one, two, nan]);
        expect(await search('metrics.m != 5', ['metrics.m DESC'])).toEqual([two, one, nan]);
        expect(await search('metrics.m > 0', ['metrics.m DESC'])).toEqual([two, one]);
        expect(await search('', ['metrics.m ASC'])).toEqual([one, two, nan, none]);
      });

      it('treats quotes, wildcards and SQL in names, values and filters as plain data', async () => {
        const payload = `x'); DROP TABLE runs; --`;
        const odd = await client.createExperiment(`/Shared/${payload}`);
        expect((await client.getExperiment(odd)).name).toBe(`/Shared/${payload}`);
        const hit = (await client.createRun(experimentId, { runName: payload, tags: { note: payload } })).info
          .run_id;
        const pct = (await client.createRun(experimentId, { tags: { note: '100%_*?[' } })).info.run_id;
        await client.createRun(experimentId, { tags: { note: 'plain' } });
        const find = async (filter: string) =>
          ids((await client.searchRuns({ experimentIds: [experimentId], filter })).items);
        expect(await find(`tags.note = "${payload}"`)).toEqual([hit]);
        expect(await find(`run_name = "${payload}"`)).toEqual([hit]);
        expect(await find(`tags.note LIKE '100\\%%'`)).toEqual([]);
        expect(await find(`tags.note LIKE '100%_*?['`)).toEqual([pct]);
        expect(await find(`tags.note LIKE '%*?[%'`)).toEqual([pct]);
        expect(await find("tags.`x'; DROP TABLE tags; --` = 'a'")).toEqual([]);
        expect(
          (await client.searchExperiments({ filter: `name = "/Shared/${payload}"` })).items.map(
            (e) => e.experiment_id,
          ),
        ).toEqual([odd]);
        // Everything is still there.
        expect(await find('')).toHaveLength(3);
      });

      it('refuses a malformed filter or order_by with the offending token', async () => {
        await expectError(
          client.searchRuns({ experimentIds: [experimentId], filter: 'tags.run_type = evaluation' }),
          'INVALID_PARAMETER_VALUE',
          /evaluation/,
        );
        await expectError(
          client.searchRuns({ experimentIds: [experimentId], orderBy: ['foo.bar DESC'] }),
          'INVALID_PARAMETER_VALUE',
          /foo/,
        );
        await expectError(
          client.searchRuns({ experimentIds: [experimentId], pageToken: 'garbage' }),
          'INVALID_PARAMETER_VALUE',
          /page token/i,
        );
      });

      it('pages while runs are being created, neither skipping nor repeating a run', async () => {
        const before: string[] = [];
        for (let i = 0; i < 25; i++) {
          before.push((await client.createRun(experimentId, { startTime: 1_000 + (i % 5) })).info.run_id);
        }
        const seen: string[] = [];
        let inserted = 0;
        for await (const page of client.searchRunsPages({ experimentIds: [experimentId], maxResults: 4 })) {
          seen.push(...ids(page.items));
          // New runs land before, inside and after the pages already read.
          await client.createRun(experimentId, { startTime: 1_000 + (inserted++ % 7) });
        }
        const pre = seen.filter((id) => before.includes(id));
        expect(new Set(seen).size).toBe(seen.length);
        expect(pre.sort()).toEqual([...before].sort());
      });

      it('logs dataset inputs and returns them with the run, in get and search, as MLflow', async () => {
        const run = await client.createRun(experimentId, { runName: 'with-data' });
        expect(run.inputs).toEqual({});
        const id = run.info.run_id;
        const golden: DatasetInput = {
          tags: [
            { key: 'mlflow.data.context', value: 'eval' },
            { key: 'split', value: 'test' },
          ],
          dataset: {
            name: 'golden',
            digest: '5a1f0c2e',
            source_type: 'local',
            source: '{"uri": "data/golden.jsonl"}',
            schema: '{"mlflow_colspec": []}',
            profile: '{"num_rows": 120}',
          },
        };
        await client.logInputs(id, [golden, datasetInput('train', 'a1b2c3d4')]);
        const expected = { dataset_inputs: [golden, datasetInput('train', 'a1b2c3d4')] };
        expect((await client.getRun(id)).inputs).toEqual(expected);
        const found = await client.searchRuns({ experimentIds: [experimentId] });
        expect(found.items.map((r) => r.inputs)).toEqual([expected]);
        // Inputs logged later come after the earlier ones.
        await client.logInputs(id, [datasetInput('extra', 'ffff', 'training')]);
        expect((await client.getRun(id)).inputs.dataset_inputs?.map((d) => d.dataset.name)).toEqual([
          'golden',
          'train',
          'extra',
        ]);
      });

      it('does not duplicate a dataset logged again: the first logging of (name, digest) stays', async () => {
        const id = (await client.createRun(experimentId)).info.run_id;
        await client.logInputs(id, [datasetInput('golden', 'd1', 'eval')]);
        await client.logInputs(id, [datasetInput('golden', 'd1', 'eval')]);
        await client.logInputs(id, [
          datasetInput('golden', 'd1', 'training', 'elsewhere'),
          datasetInput('golden', 'd2', 'eval'),
          datasetInput('golden', 'd2', 'training'),
        ]);
        expect((await client.getRun(id)).inputs).toEqual({
          dataset_inputs: [datasetInput('golden', 'd1', 'eval'), datasetInput('golden', 'd2', 'eval')],
        });
        await client.logInputs(id, []);
        expect((await client.getRun(id)).inputs.dataset_inputs).toHaveLength(2);
        // An input tag key given twice keeps its last value.
        await client.logInputs(id, [
          {
            ...datasetInput('golden', 'd3'),
            tags: [
              { key: 'mlflow.data.context', value: 'eval' },
              { key: 'mlflow.data.context', value: 'training' },
            ],
          },
        ]);
        expect((await client.getRun(id)).inputs.dataset_inputs?.[2]).toEqual(
          datasetInput('golden', 'd3', 'training'),
        );
      });

      it('shares a dataset between the runs of an experiment, not across experiments', async () => {
        const other = await client.createExperiment('/Shared/agent/other');
        const a = (await client.createRun(experimentId)).info.run_id;
        const b = (await client.createRun(experimentId)).info.run_id;
        const c = (await client.createRun(other)).info.run_id;
        await client.logInputs(a, [datasetInput('golden', 'd1', 'eval', 'first')]);
        await client.logInputs(b, [datasetInput('golden', 'd1', 'training', 'second')]);
        await client.logInputs(c, [datasetInput('golden', 'd1', 'training', 'third')]);
        // Same experiment: the stored dataset is reused, and each run keeps its own context.
        expect((await client.getRun(b)).inputs).toEqual({
          dataset_inputs: [datasetInput('golden', 'd1', 'training', 'first')],
        });
        expect((await client.getRun(c)).inputs).toEqual({
          dataset_inputs: [datasetInput('golden', 'd1', 'training', 'third')],
        });
      });

      it('refuses invalid dataset inputs naming the field, and writes nothing of them', async () => {
        const id = (await client.createRun(experimentId)).info.run_id;
        const valid = datasetInput('ok', 'd1');
        await expectError(
          client.logInputs(id, [valid, { dataset: { ...valid.dataset, digest: 'd'.repeat(37) } }]),
          'INVALID_PARAMETER_VALUE',
          /datasets\[1\]\.dataset\.digest.*36/,
        );
        await expectError(
          client.logInputs(id, [{ dataset: { ...valid.dataset, name: '' } }]),
          'INVALID_PARAMETER_VALUE',
          /datasets\[0\]\.dataset\.name/,
        );
        await expectError(
          client.logInputs(id, [
            { ...valid, tags: [{ key: 'mlflow.data.context', value: 'x'.repeat(501) }] },
          ]),
          'INVALID_PARAMETER_VALUE',
          /datasets\[0\]\.tags\[0\]\.value.*500/,
        );
        expect((await client.getRun(id)).inputs).toEqual({});
      });

      it('refuses inputs of deleted and missing runs, like other run writes', async () => {
        const id = (await client.createRun(experimentId)).info.run_id;
        await client.deleteRun(id);
        await expectError(
          client.logInputs(id, [datasetInput('golden', 'd1')]),
          'INVALID_PARAMETER_VALUE',
          "must be in the 'active' state",
        );
        await expectError(
          client.logInputs('00000000000000000000000000000000', [datasetInput('golden', 'd1')]),
          'RESOURCE_DOES_NOT_EXIST',
          'Run with id=00000000000000000000000000000000 not found',
        );
        await client.restoreRun(id);
        expect((await client.getRun(id)).inputs).toEqual({});
      });

      it('searches runs by datasets.name, datasets.digest and datasets.context', async () => {
        const mk = async (...datasets: DatasetInput[]) => {
          const id = (await client.createRun(experimentId, { startTime: tick() })).info.run_id;
          if (datasets.length > 0) await client.logInputs(id, datasets);
          return id;
        };
        const trained = await mk(
          datasetInput('train_v1', 'a1', 'training'),
          datasetInput('golden', 'g1', 'eval'),
        );
        const evaluated = await mk(datasetInput('golden', 'g1', 'eval'));
        const newer = await mk(datasetInput('golden', 'g2', 'Eval'));
        const untagged = await mk(datasetInput('scratch', 's1'));
        const none = await mk();
        const find = async (filter: string) =>
          ids(
            (await client.searchRuns({ experimentIds: [experimentId], filter, orderBy: ['start_time'] }))
              .items,
          );
        expect(await find("datasets.name = 'golden'")).toEqual([trained, evaluated, newer]);
        expect(await find("datasets.name != 'golden'")).toEqual([trained, untagged]);
        expect(await find("datasets.name LIKE 'train%'")).toEqual([trained]);
        expect(await find("datasets.name ILIKE 'GOLD%'")).toEqual([trained, evaluated, newer]);
        expect(await find("datasets.digest IN ('g2', 's1')")).toEqual([newer, untagged]);
        expect(await find("datasets.digest NOT IN ('g1')")).toEqual([trained, newer, untagged]);
        expect(await find("datasets.context = 'eval'")).toEqual([trained, evaluated]);
        expect(await find("datasets.context ILIKE 'eval'")).toEqual([trained, evaluated, newer]);
        expect(await find("dataset.context != 'eval'")).toEqual([trained, newer]);
        expect(await find("datasets.name = 'golden' AND datasets.context = 'training'")).toEqual([trained]);
        expect(await find("datasets.name = 'golden' AND attributes.run_id != '" + trained + "'")).toEqual([
          evaluated,
          newer,
        ]);
        expect(await find('')).toContain(none);
        await expectError(
          client.searchRuns({ experimentIds: [experimentId], filter: "datasets.source = 'x'" }),
          'INVALID_PARAMETER_VALUE',
          /dataset key 'source'/,
        );
      });

      it('iterates every run of a search', async () => {
        for (let i = 0; i < 11; i++) await client.createRun(experimentId, { startTime: tick() });
        const all: string[] = [];
        for await (const run of client.iterateRuns({ experimentIds: experimentId, maxResults: 3 })) {
          all.push(run.info.run_id);
        }
        expect(all).toHaveLength(11);
        expect(new Set(all).size).toBe(11);
      });
    });

    describe('metric histories of several runs, and the datasets of experiments', () => {
      let experimentId: string;
      beforeEach(async () => {
        experimentId = await client.createExperiment('/Shared/agent/charts');
      });

      const newRun = async (experiment = experimentId) => (await client.createRun(experiment)).info.run_id;
      const values = (metrics: readonly { run_id: string; step: number; value: number }[]) =>
        metrics.map((m) => [m.run_id, m.step, m.value]);
      const many = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).padStart(32, '0'));

      it('reads one metric of several runs: by run id, then timestamp, step and value, each run once', async () => {
        const [first, second] = [await newRun(), await newRun()].sort();
        const a = first as string;
        const b = second as string;
        await client.logBatch(b, {
          metrics: [
            { key: 'loss', value: 0.4, step: 1, timestamp: 20 },
            { key: 'loss', value: Number.NaN, step: 0, timestamp: 10 },
            { key: 'other', value: 9, step: 0, timestamp: 10 },
          ],
        });
        await client.logBatch(a, {
          metrics: [
            { key: 'loss', value: 0.5, step: 2, timestamp: 30 },
            { key: 'loss', value: 0.9, step: 0, timestamp: 30 },
            { key: 'loss', value: 0.7, step: 1, timestamp: 5 },
          ],
        });
        const unknown = 'f'.repeat(32);
        const all = await client.getMetricHistoryBulk([b, unknown, a, b], 'loss');
        expect(all.map(({ value, ...rest }) => [rest, value])).toEqual([
          [{ key: 'loss', timestamp: 5, step: 1, run_id: a }, 0.7],
          [{ key: 'loss', timestamp: 30, step: 0, run_id: a }, 0.9],
          [{ key: 'loss', timestamp: 30, step: 2, run_id: a }, 0.5],
          [{ key: 'loss', timestamp: 10, step: 0, run_id: b }, Number.NaN],
          [{ key: 'loss', timestamp: 20, step: 1, run_id: b }, 0.4],
        ]);
        // At most maxResults values in all, in the same order.
        expect(values(await client.getMetricHistoryBulk([a, b], 'loss', { maxResults: 4 }))).toEqual(
          values(all.slice(0, 4)),
        );
        expect(await client.getMetricHistoryBulk(a, 'loss', { maxResults: 0 })).toEqual([]);
        // As in MLflow, an empty key is a key without values, not a missing one.
        expect(await client.getMetricHistoryBulk([a], '')).toEqual([]);
      });

      it('refuses a bulk history without runs, with too many, or without a key, as MLflow words it', async () => {
        const id = await newRun();
        await expectError(
          client.getMetricHistoryBulk([], 'loss'),
          'INVALID_PARAMETER_VALUE',
          'GetMetricHistoryBulk request must specify at least one run_id.',
        );
        expect(await client.getMetricHistoryBulk(many(100), 'loss')).toEqual([]);
        await expectError(
          client.getMetricHistoryBulk(many(101), 'loss'),
          'INVALID_PARAMETER_VALUE',
          'GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received 101 run_ids.',
        );
        await expectError(
          client.getMetricHistoryBulk([id], undefined as unknown as string),
          'INVALID_PARAMETER_VALUE',
          'GetMetricHistoryBulk request must specify a metric_key.',
        );
        await expectError(
          client.getMetricHistoryBulk([id], 'loss', { maxResults: -1 }),
          'INVALID_PARAMETER_VALUE',
          /max_results/,
        );
      });

      it('samples steps: every step when there are fewer than maxResults, per run in the order given', async () => {
        const a = await newRun();
        const b = await newRun();
        await client.logBatch(a, {
          metrics: [
            { key: 'loss', value: 3, step: 3, timestamp: 1 },
            { key: 'loss', value: 1, step: 1, timestamp: 2 },
            { key: 'loss', value: 1.5, step: 1, timestamp: 1 },
          ],
        });
        await client.logMetric(b, 'loss', 2, { step: 2, timestamp: 1 });
        const sampled = await client.getMetricHistoryBulkInterval([b, a], 'loss');
        expect(values(sampled)).toEqual([
          [b, 2, 2],
          [a, 1, 1.5],
          [a, 1, 1],
          [a, 3, 3],
        ]);
        expect(sampled[0]).toEqual({ key: 'loss', value: 2, timestamp: 1, step: 2, run_id: b });
        expect(await client.getMetricHistoryBulkInterval([a], 'nothing')).toEqual([]);
      });

      it('samples many steps to maxResults evenly, keeping the last step and each run’s first and last', async () => {
        const a = await newRun();
        const b = await newRun();
        await client.logBatch(a, {
          metrics: Array.from({ length: 1000 }, (_, step) => ({
            key: 'loss',
            value: step,
            step,
            timestamp: 1,
          })),
        });
        await client.logBatch(b, {
          metrics: [3, 501, 997].map((step) => ({ key: 'loss', value: -step, step, timestamp: 1 })),
        });
        const sampled = await client.getMetricHistoryBulkInterval([a, b], 'loss', { maxResults: 10 });
        const every100 = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900];
        expect(values(sampled)).toEqual([
          ...[...every100, 3, 997, 999].sort((x, y) => x - y).map((step) => [a, step, step]),
          [b, 3, -3],
          [b, 997, -997],
        ]);
        // A range: steps within it only, evenly spread, its last step kept.
        const zoomed = await client.getMetricHistoryBulkInterval([a], 'loss', {
          startStep: 100,
          endStep: 200,
          maxResults: 5,
        });
        expect(zoomed.map((m) => m.step)).toEqual([100, 120, 140, 160, 180, 200]);
        const narrow = await client.getMetricHistoryBulkInterval([b, a], 'loss', {
          startStep: 2,
          endStep: 4,
        });
        expect(values(narrow)).toEqual([
          [b, 3, -3],
          [a, 2, 2],
          [a, 3, 3],
          [a, 4, 4],
        ]);
      });

      it('samples from step 0 by default, as MLflow, so negative steps need a range', async () => {
        const id = await newRun();
        await client.logBatch(id, {
          metrics: [-5, -1, 2].map((step) => ({ key: 'loss', value: step, step, timestamp: 1 })),
        });
        expect((await client.getMetricHistoryBulkInterval(id, 'loss')).map((m) => m.step)).toEqual([2]);
        const ranged = await client.getMetricHistoryBulkInterval(id, 'loss', { startStep: -10, endStep: 10 });
        expect(ranged.map((m) => m.step)).toEqual([-5, -1, 2]);
      });

      it('refuses bad interval requests with MLflow’s messages', async () => {
        const id = await newRun();
        const refuse = (promise: Promise<unknown>, message: string) =>
          expectError(promise, 'INVALID_PARAMETER_VALUE', message);
        await refuse(
          client.getMetricHistoryBulkInterval([], 'loss'),
          "Missing value for required parameter 'run_ids'.",
        );
        await refuse(
          client.getMetricHistoryBulkInterval(many(101), 'loss'),
          'GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids.',
        );
        await refuse(
          client.getMetricHistoryBulkInterval([id], ''),
          "Missing value for required parameter 'metric_key'.",
        );
        await refuse(
          client.getMetricHistoryBulkInterval([id], 'loss', { startStep: 1 }),
          'If either start step or end step are specified, both must be specified.',
        );
        await refuse(
          client.getMetricHistoryBulkInterval([id], 'loss', { startStep: 5, endStep: 1 }),
          'end_step must be greater than start_step. Found start_step=5 and end_step=1.',
        );
        for (const maxResults of [0, 2501]) {
          await refuse(
            client.getMetricHistoryBulkInterval([id], 'loss', { maxResults }),
            'max_results must be between 1 and 2500.',
          );
        }
        expect(await client.getMetricHistoryBulkInterval([id], 'loss', { startStep: 1, endStep: 1 })).toEqual(
          [],
        );
      });

      it('lists the datasets of experiments, one per dataset and context, as MLflow', async () => {
        const other = await client.createExperiment('/Shared/agent/charts-other');
        const first = await newRun();
        const second = await newRun();
        await client.logInputs(first, [
          datasetInput('train', 't1', 'training'),
          datasetInput('golden', 'd1', 'eval'),
          datasetInput('scratch', 's1'),
        ]);
        await client.logInputs(second, [
          datasetInput('golden', 'd1', 'training'),
          datasetInput('golden', 'd1', 'eval'),
          datasetInput('golden', 'd0', 'eval'),
        ]);
        await client.logInputs(second, [datasetInput('train', 't1', 'training')]);
        await client.logInputs(await newRun(other), [datasetInput('elsewhere', 'e1', 'eval')]);
        const summary = (experiment: string, name: string, digest: string, context?: string) => ({
          experiment_id: experiment,
          name,
          digest,
          ...(context === undefined ? {} : { context }),
        });
        expect(await client.searchDatasets(experimentId)).toEqual([
          summary(experimentId, 'golden', 'd0', 'eval'),
          summary(experimentId, 'golden', 'd1', 'eval'),
          summary(experimentId, 'golden', 'd1', 'training'),
          summary(experimentId, 'scratch', 's1'),
          summary(experimentId, 'train', 't1', 'training'),
        ]);
        const both = await client.searchDatasets([other, experimentId]);
        expect(both.map((d) => d.experiment_id)).toEqual([...Array<string>(5).fill(experimentId), other]);
        expect(both.at(-1)).toEqual(summary(other, 'elsewhere', 'e1', 'eval'));
        expect(await client.searchDatasets(['0'])).toEqual([]);
      });

      it('refuses a dataset search without experiments or with more than 20', async () => {
        await expectError(
          client.searchDatasets([]),
          'INVALID_PARAMETER_VALUE',
          'SearchDatasets request must specify at least one experiment_id.',
        );
        await expectError(
          client.searchDatasets(Array.from({ length: 21 }, (_, i) => String(i))),
          'INVALID_PARAMETER_VALUE',
          'SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.',
        );
      });
    });

    it('fails with INVALID_STATE after close', async () => {
      await client.close();
      await expectError(client.getExperiment('0'), 'INVALID_STATE');
    });
  });
}
