import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import type { ContractBackend } from './tracking-client.contract.js';
import { expectError } from './tracking-client.contract.js';
import type { TrackingClient } from './tracking-client.js';

const MODEL_ID = /^m-[0-9a-f]{32}$/;

/** Waits until the clock has moved on, so that models created one after the other differ in creation time. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * The logged-model calls of the TrackingClient contract (MLflow 3's `create_logged_model`,
 * `get_logged_model`, `finalize_logged_model`, tags, params, `log_metric(model_id=...)`,
 * `log_outputs`, `log_inputs(models=...)`, `search_logged_models`, the model's files). Every
 * backend must pass it unchanged.
 */
export function describeLoggedModelsContract(
  backendName: string,
  open: () => Promise<ContractBackend>,
  options: { artifacts?: boolean } = {},
): void {
  describe(`TrackingClient logged models contract: ${backendName}`, () => {
    let backend: ContractBackend;
    let client: TrackingClient;
    let experimentId: string;
    let runId: string;

    beforeEach(async () => {
      backend = await open();
      client = backend.client;
      experimentId = await client.createExperiment('/Shared/agent/development');
      runId = (await client.createRun(experimentId, { runName: 'dev_1' })).info.run_id;
    });
    afterEach(async () => {
      await backend.cleanup();
    });

    it('creates a PENDING model with its id, artifact location, type, source run, params and tags, and reads it back', async () => {
      const experiment = await client.getExperiment(experimentId);
      const model = await client.createLoggedModel(experimentId, {
        name: 'health_monitor_agent',
        modelType: 'agent',
        sourceRunId: runId,
        params: { threshold: 90 },
        tags: { flow: 'f1', 'mlflow.user': 'root' },
      });
      const id = model.info.model_id;
      expect(id).toMatch(MODEL_ID);
      expect(model.info).toEqual({
        model_id: id,
        experiment_id: experimentId,
        name: 'health_monitor_agent',
        creation_timestamp_ms: expect.any(Number) as number,
        last_updated_timestamp_ms: model.info.creation_timestamp_ms,
        artifact_uri: `${experiment.artifact_location}/models/${id}/artifacts`,
        status: 'LOGGED_MODEL_PENDING',
        model_type: 'agent',
        source_run_id: runId,
        tags: [
          { key: 'flow', value: 'f1' },
          { key: 'mlflow.user', value: 'root' },
        ],
      });
      expect(model.data).toEqual({ params: [{ key: 'threshold', value: '90' }] });
      expect(await client.getLoggedModel(id)).toEqual(model);
    });

    it('names a model it is not given a name for, and keeps an empty type and source run', async () => {
      const model = await client.createLoggedModel(experimentId);
      expect(model.info.name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
      expect(model.info.model_type).toBe('');
      expect(model.info.source_run_id).toBe('');
      expect(model.data).toEqual({});
      const other = await client.createLoggedModel(experimentId, { sourceRunId: '123' });
      expect(other.info.source_run_id).toBe('123');
    });

    it('refuses a model in an unknown or deleted experiment, a bad name and a bad tag', async () => {
      await expectError(
        client.createLoggedModel('999'),
        'RESOURCE_DOES_NOT_EXIST',
        'No Experiment with id=999 exists',
      );
      const gone = await client.createExperiment('/Shared/agent/gone');
      await client.deleteExperiment(gone);
      await expectError(
        client.createLoggedModel(gone),
        'INVALID_PARAMETER_VALUE',
        "must be in the 'active' state",
      );
      await expectError(
        client.createLoggedModel(experimentId, { name: 'a/b' }),
        'INVALID_PARAMETER_VALUE',
        'Invalid model name',
      );
      await expectError(
        client.createLoggedModel(experimentId, { tags: { 'bad!key': 'x' } }),
        'INVALID_PARAMETER_VALUE',
        'Names may only contain alphanumerics',
      );
      expect((await client.searchLoggedModels({ experimentIds: [experimentId, gone] })).items).toEqual([]);
    });

    it('finalizes a model READY or FAILED, which moves its last update time, and refuses another status', async () => {
      const model = await client.createLoggedModel(experimentId, { name: 'agent' });
      await nextMillisecond();
      const ready = await client.finalizeLoggedModel(model.info.model_id, 'READY');
      expect(ready.info.status).toBe('LOGGED_MODEL_READY');
      expect(ready.info.last_updated_timestamp_ms).toBeGreaterThan(model.info.last_updated_timestamp_ms);
      expect(await client.getLoggedModel(model.info.model_id)).toEqual(ready);
      const failed = await client.finalizeLoggedModel(model.info.model_id, 'LOGGED_MODEL_UPLOAD_FAILED');
      expect(failed.info.status).toBe('LOGGED_MODEL_UPLOAD_FAILED');
      await expectError(
        client.finalizeLoggedModel(model.info.model_id, 'LOGGED_MODEL_STATUS_UNSPECIFIED'),
        'INVALID_PARAMETER_VALUE',
        'Invalid model status',
      );
    });

    it('sets, overwrites and deletes tags, and says when a tag to delete is not there', async () => {
      const { info } = await client.createLoggedModel(experimentId);
      await client.setLoggedModelTags(info.model_id, { tag1: 'value1', tag2: 'value2' });
      await client.setLoggedModelTags(info.model_id, [{ key: 'tag1', value: 'value3' }]);
      expect((await client.getLoggedModel(info.model_id)).info.tags).toEqual([
        { key: 'tag1', value: 'value3' },
        { key: 'tag2', value: 'value2' },
      ]);
      await client.deleteLoggedModelTag(info.model_id, 'tag1');
      expect((await client.getLoggedModel(info.model_id)).info.tags).toEqual([
        { key: 'tag2', value: 'value2' },
      ]);
      await expectError(
        client.deleteLoggedModelTag(info.model_id, 'tag1'),
        'RESOURCE_DOES_NOT_EXIST',
        `No tag with key 'tag1' found for model with ID '${info.model_id}'.`,
      );
      // Tags do not move the last update time, as in MLflow.
      expect((await client.getLoggedModel(info.model_id)).info.last_updated_timestamp_ms).toBe(
        info.last_updated_timestamp_ms,
      );
    });

    it('logs params once: the same value again is accepted, another is refused', async () => {
      const { info } = await client.createLoggedModel(experimentId, { params: { a: '1' } });
      await client.logModelParams(info.model_id, { b: 'x', a: '1' });
      expect((await client.getLoggedModel(info.model_id)).data.params).toEqual([
        { key: 'a', value: '1' },
        { key: 'b', value: 'x' },
      ]);
      await expectError(
        client.logModelParams(info.model_id, { a: '2' }),
        'INVALID_PARAMETER_VALUE',
        'Changing param values is not allowed',
      );
    });

    it('deletes a model: it leaves searches and reads, deleting it again changes nothing, and an unknown id is not found', async () => {
      const { info } = await client.createLoggedModel(experimentId);
      await client.deleteLoggedModel(info.model_id);
      await expectError(
        client.getLoggedModel(info.model_id),
        'RESOURCE_DOES_NOT_EXIST',
        `Logged model with ID '${info.model_id}' not found.`,
      );
      expect((await client.searchLoggedModels({ experimentIds: [experimentId] })).items).toEqual([]);
      await client.deleteLoggedModel(info.model_id);
      const unknown = 'm-00000000000000000000000000000000';
      // One call at a time: a refusal must not arrive before anything awaits it.
      for (const call of [
        () => client.getLoggedModel(unknown),
        () => client.deleteLoggedModel(unknown),
        () => client.finalizeLoggedModel(unknown, 'READY'),
        () => client.setLoggedModelTags(unknown, { a: 'b' }),
        () => client.deleteLoggedModelTag(unknown, 'a'),
        () => client.logModelParams(unknown, { a: 'b' }),
        () => client.finalizeLoggedModel(info.model_id, 'READY'),
      ]) {
        await expectError(call(), 'RESOURCE_DOES_NOT_EXIST', 'not found');
      }
    });

    it('keeps a metric logged with a model id on the run and on the model, with its run, model and dataset', async () => {
      const { info } = await client.createLoggedModel(experimentId, { sourceRunId: runId });
      await client.logMetric(runId, 'accuracy', 0.5, {
        timestamp: 123456789,
        step: 1,
        modelId: info.model_id,
        datasetName: 'name',
        datasetDigest: 'digest',
      });
      await client.logBatch(runId, {
        metrics: [
          { key: 'accuracy', value: 0.93, timestamp: 123456790, step: 2, modelId: info.model_id },
          { key: 'latency', value: Number.NaN, timestamp: 123456790 },
        ],
      });
      const model = await client.getLoggedModel(info.model_id);
      expect(model.data.metrics).toEqual([
        {
          key: 'accuracy',
          value: 0.5,
          timestamp: 123456789,
          step: 1,
          dataset_name: 'name',
          dataset_digest: 'digest',
          model_id: info.model_id,
          run_id: runId,
        },
        {
          key: 'accuracy',
          value: 0.93,
          timestamp: 123456790,
          step: 2,
          model_id: info.model_id,
          run_id: runId,
        },
      ]);
      const run = await client.getRun(runId);
      expect(run.data.metrics).toEqual([
        { key: 'accuracy', value: 0.93, timestamp: 123456790, step: 2 },
        { key: 'latency', value: Number.NaN, timestamp: 123456790, step: 0 },
      ]);
      expect(await client.getMetricHistory(runId, 'accuracy')).toEqual([
        { key: 'accuracy', value: 0.5, timestamp: 123456789, step: 1 },
        { key: 'accuracy', value: 0.93, timestamp: 123456790, step: 2 },
      ]);
    });

    it('refuses a metric for a model that does not exist, and writes nothing of it', async () => {
      await expectError(
        client.logMetric(runId, 'accuracy', 1, { modelId: 'm-00000000000000000000000000000000' }),
        'RESOURCE_DOES_NOT_EXIST',
        "Logged model with ID 'm-00000000000000000000000000000000' not found.",
      );
      expect((await client.getRun(runId)).data.metrics).toBeUndefined();
    });

    it("lists a run's output and input models in the run MLflow's get answers, not in searches", async () => {
      const produced = await client.createLoggedModel(experimentId, { sourceRunId: runId });
      const used = await client.createLoggedModel(experimentId);
      expect((await client.getRun(runId)).outputs).toEqual({});
      await client.logOutputs(runId, [{ model_id: produced.info.model_id, step: 1 }]);
      await client.logOutputs(runId, [{ model_id: produced.info.model_id, step: 1 }]);
      await client.logInputs(runId, [], [{ model_id: used.info.model_id }]);
      const run = await client.getRun(runId);
      expect(run.outputs).toEqual({ model_outputs: [{ model_id: produced.info.model_id, step: 1 }] });
      expect(run.inputs).toEqual({ model_inputs: [{ model_id: used.info.model_id }] });
      const [found] = (await client.searchRuns({ experimentIds: [experimentId] })).items;
      expect(found?.outputs).toBeUndefined();
      expect(found?.inputs).toEqual({});
      await expectError(
        client.logOutputs(runId, [{ model_id: 'm-00000000000000000000000000000000', step: 0 }]),
        'RESOURCE_DOES_NOT_EXIST',
        'not found',
      );
    });

    it('searches models newest first, by name, attributes, tags, params and metrics on datasets, and orders them', async () => {
      const a = await client.createLoggedModel(experimentId, {
        name: 'agent',
        modelType: 'agent',
        tags: { stage: 'candidate' },
      });
      await nextMillisecond();
      const b = await client.createLoggedModel(experimentId, { name: 'agent', params: { prompt: 'v3' } });
      await nextMillisecond();
      const c = await client.createLoggedModel(experimentId, { name: 'other' });
      await client.finalizeLoggedModel(b.info.model_id, 'READY');
      await client.logMetric(runId, 'accuracy', 0.93, {
        modelId: a.info.model_id,
        datasetName: 'golden',
        timestamp: 1,
      });
      await client.logMetric(runId, 'accuracy', 0.85, {
        modelId: b.info.model_id,
        datasetName: 'golden',
        timestamp: 1,
      });
      await client.logMetric(runId, 'accuracy', 0.99, {
        modelId: b.info.model_id,
        datasetName: 'other',
        timestamp: 2,
      });
      const search = async (
        options: Omit<Parameters<TrackingClient['searchLoggedModels']>[0], 'experimentIds'>,
      ) =>
        (await client.searchLoggedModels({ experimentIds: [experimentId], ...options })).items.map(
          (m) => m.info.model_id,
        );
      const [ida, idb, idc] = [a.info.model_id, b.info.model_id, c.info.model_id];

      expect(await search({})).toEqual([idc, idb, ida]);
      expect(await search({ filter: "name = 'agent'" })).toEqual([idb, ida]);
      expect(await search({ filter: "name LIKE 'ag%' AND model_type = ''" })).toEqual([idb]);
      expect(await search({ filter: "status = 'READY'" })).toEqual([idb]);
      expect(await search({ filter: `creation_time > ${a.info.creation_timestamp_ms}` })).toEqual([idc, idb]);
      expect(await search({ filter: "tags.stage = 'candidate'" })).toEqual([ida]);
      expect(await search({ filter: "params.prompt = 'v3'" })).toEqual([idb]);
      expect(await search({ filter: 'metrics.accuracy > 0.9' })).toEqual([idb, ida]);
      expect(
        await search({ filter: 'metrics.accuracy > 0.9', datasets: [{ datasetName: 'golden' }] }),
      ).toEqual([ida]);
      expect(await search({ datasets: [{ datasetName: 'other' }] })).toEqual([idb]);
      expect(await search({ orderBy: [{ fieldName: 'metrics.accuracy', ascending: false }] })).toEqual([
        idb,
        ida,
        idc,
      ]);
      expect(
        await search({
          orderBy: [{ fieldName: 'metrics.accuracy', ascending: false, datasetName: 'golden' }],
        }),
      ).toEqual([ida, idb, idc]);
      expect(await search({ orderBy: [{ fieldName: 'creation_timestamp', ascending: true }] })).toEqual([
        ida,
        idb,
        idc,
      ]);
      expect(await search({ orderBy: [{ fieldName: 'name' }] })).toEqual([idb, ida, idc]);
    });

    it('pages through a search with tokens and async iterators', async () => {
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        created.unshift((await client.createLoggedModel(experimentId, { name: `m${i}` })).info.model_id);
        await nextMillisecond();
      }
      const first = await client.searchLoggedModels({ experimentIds: experimentId, maxResults: 2 });
      expect(first.items.map((m) => m.info.model_id)).toEqual(created.slice(0, 2));
      expect(first.nextPageToken).toBeDefined();
      const pages: string[][] = [];
      for await (const page of client.searchLoggedModelsPages({
        experimentIds: [experimentId],
        maxResults: 2,
      })) {
        pages.push(page.items.map((m) => m.info.model_id));
      }
      expect(pages).toEqual([created.slice(0, 2), created.slice(2, 4), created.slice(4)]);
      const all: string[] = [];
      for await (const model of client.iterateLoggedModels({
        experimentIds: [experimentId],
        maxResults: 3,
      })) {
        all.push(model.info.model_id);
      }
      expect(all).toEqual(created);
    });

    it("refuses a filter, an order and a page token it cannot read, with MLflow's code", async () => {
      const search = (options: Omit<Parameters<TrackingClient['searchLoggedModels']>[0], 'experimentIds'>) =>
        client.searchLoggedModels({ experimentIds: [experimentId], ...options });
      await expectError(
        search({ filter: "artifact_location = 'x'" }),
        'INVALID_PARAMETER_VALUE',
        "Invalid attribute key 'artifact_location'",
      );
      await expectError(
        search({ filter: "metrics.a = 'x'" }),
        'INVALID_PARAMETER_VALUE',
        'Expected numeric value type for metric',
      );
      await expectError(
        search({ filter: "name IN ('a')" }),
        'INVALID_PARAMETER_VALUE',
        "Invalid comparator 'IN'",
      );
      await expectError(
        search({ filter: "run.name = 'a'" }),
        'INVALID_PARAMETER_VALUE',
        "Invalid entity type 'run'",
      );
      await expectError(
        search({ orderBy: [{ fieldName: 'params.a' }] }),
        'INVALID_PARAMETER_VALUE',
        'Only metrics are supported',
      );
      await expectError(
        search({ orderBy: [{ fieldName: 'name DESC' }] }),
        'INVALID_PARAMETER_VALUE',
        'Invalid order by field name',
      );
      await expectError(
        search({ datasets: [{ datasetName: '' }] }),
        'INVALID_PARAMETER_VALUE',
        '`dataset_name` in the `datasets` clause must be specified.',
      );
      await expectError(search({ pageToken: 'garbage' }), 'INVALID_PARAMETER_VALUE', /page token/i);
      const page = await search({ maxResults: 1 });
      expect(page.items).toEqual([]);
    });

    it.skipIf(options.artifacts === false)(
      "keeps a model's files below its artifact location, lists and downloads them",
      async () => {
        const local = tempDir();
        try {
          const { info } = await client.createLoggedModel(experimentId, { name: 'agent' });
          const folder = join(local.path, 'model');
          mkdirSync(join(folder, 'code'), { recursive: true });
          const mlmodel = `model_id: ${info.model_id}\n`;
          writeFileSync(join(folder, 'MLmodel'), mlmodel);
          writeFileSync(join(folder, 'code', 'agent.py'), 'print("hi")\n');
          await client.logModelArtifacts(info.model_id, folder);
          writeFileSync(join(local.path, 'requirements.txt'), 'mlflow==3.3.1');
          await client.logModelArtifact(info.model_id, join(local.path, 'requirements.txt'));
          expect(await client.listLoggedModelArtifacts(info.model_id)).toEqual({
            rootUri: info.artifact_uri,
            files: [
              { path: 'MLmodel', is_dir: false, file_size: Buffer.byteLength(mlmodel) },
              { path: 'code', is_dir: true },
              { path: 'requirements.txt', is_dir: false, file_size: 13 },
            ],
          });
          expect((await client.listLoggedModelArtifacts(info.model_id, 'code')).files).toEqual([
            { path: 'code/agent.py', is_dir: false, file_size: 12 },
          ]);
          const downloaded = await client.downloadLoggedModelArtifacts(info.model_id, undefined, local.path);
          expect(readFileSync(join(downloaded, 'MLmodel'), 'utf8')).toBe(mlmodel);
          expect(readFileSync(join(downloaded, 'code', 'agent.py'), 'utf8')).toBe('print("hi")\n');
          await client.deleteLoggedModel(info.model_id);
          await expectError(
            client.listLoggedModelArtifacts(info.model_id),
            'RESOURCE_DOES_NOT_EXIST',
            'not found',
          );
        } finally {
          local.remove();
        }
      },
    );
  });
}
