import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/index.js';
import type { LoggedModel, Metric } from '../../src/entities/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { closedPort } from '../../src/testing/closed-port.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { send } from './artifact-harness.js';

// MLflow's own tests of logged models (MLflow 3) over its tracking server, ported one for one
// and named after them: every test of tests/tracking/test_rest_tracking.py in mlflow/mlflow
// that uses logged models, but for four that are not about this server's logged models:
// test_log_model and test_logging_model_with_local_artifact_uri (marked xfail in MLflow: they
// need MLflow 2's `runs/log-model` history and the model registry), and
// test_create_model_version_with_non_local_source and test_create_model_version_model_id
// (the model registry's `model-versions/create` with a logged model as source, ported with
// the registry's tests). Ported here:
//   test_log_metric_model, test_log_inputs_model, test_create_logged_model,
//   test_log_logged_model_params, test_finalize_logged_model, test_delete_logged_model,
//   test_set_logged_model_tags, test_delete_logged_model_tag, test_search_logged_models,
//   test_log_outputs, test_list_logged_model_artifacts, test_get_logged_model_artifact.
// Each runs against a real agentrack server on 127.0.0.1 over a real SQLite file, set up as
// MLflow's `mlflow_client` fixture sets up its server (default artifact root: a local folder).
// Where MLflow's test calls MLflow's client, agentrack's TrackingClient over REST makes the
// calls; where it calls `requests`, the same requests are sent. The assertions are MLflow's.

interface Fixture {
  url: string;
  port: number;
  tmp: string;
  client: TrackingClient;
  close(): Promise<void>;
}

async function startFixture(): Promise<Fixture> {
  const dir = tempDir('agentrack-mlflow-logged-model-tests-');
  const port = await closedPort();
  const store = await openSqliteStore(join(dir.path, 'mlruns.db'), {
    defaultArtifactRoot: pathToFileURL(dir.path).href,
  });
  const server: RunningServer = await startServer({ store, port, logger: false });
  const client = await TrackingClient.open(server.url, { env: {} });
  return {
    url: server.url,
    port: server.port,
    tmp: dir.path,
    client,
    close: async () => {
      await client.close();
      await server.close();
      dir.remove();
    },
  };
}

const tagsOf = (model: LoggedModel) =>
  Object.fromEntries((model.info.tags ?? []).map((t) => [t.key, t.value]));
const paramsOf = (model: LoggedModel) =>
  Object.fromEntries((model.data.params ?? []).map((p) => [p.key, p.value]));

/** Waits until the clock has moved on (MLflow's test sleeps 1 ms "to ensure different created time"). */
async function sleepMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * What `mlflow.pyfunc.log_model(name="model", python_model=Model())` does outside a run, as
 * MLflow 3.3.1's client does it (the recording's order): a logged model in the Default
 * experiment, its files below its artifact location (an MLmodel naming the model), finalized
 * READY. Resolves to the model's id.
 */
async function logPyfuncModel(fixture: Fixture): Promise<string> {
  const model = await fixture.client.createLoggedModel('0', { name: 'model' });
  const id = model.info.model_id;
  const local = join(fixture.tmp, `local-${id}`);
  mkdirSync(local);
  writeFileSync(
    join(local, 'MLmodel'),
    `artifact_path: ${model.info.artifact_uri}\nflavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n    python_model: python_model.pkl\nmodel_id: ${id}\nmodel_uuid: 0\n`,
  );
  writeFileSync(join(local, 'python_model.pkl'), Buffer.from([0x80, 0x05, 0x4e, 0x2e]));
  writeFileSync(join(local, 'requirements.txt'), 'mlflow==3.3.1');
  await fixture.client.logModelArtifacts(id, local);
  await fixture.client.finalizeLoggedModel(id, 'READY');
  return id;
}

describe('tests/tracking/test_rest_tracking.py: logged models', () => {
  let fixture: Fixture;
  let client: TrackingClient;
  beforeEach(async () => {
    fixture = await startFixture();
    client = fixture.client;
  });
  afterEach(async () => {
    await fixture?.close();
  });

  it('test_log_metric_model', async () => {
    const experimentId = await client.createExperiment('metrics validation');
    const run = await client.createRun(experimentId);
    let model = await client.createLoggedModel(experimentId);
    await client.logMetric(run.info.run_id, 'metric', 0.5, {
      timestamp: 123456789,
      step: 1,
      datasetName: 'name',
      datasetDigest: 'digest',
      modelId: model.info.model_id,
    });
    model = await client.getLoggedModel(model.info.model_id);
    const expected: Metric & { run_id: string } = {
      key: 'metric',
      value: 0.5,
      timestamp: 123456789,
      step: 1,
      model_id: model.info.model_id,
      dataset_name: 'name',
      dataset_digest: 'digest',
      run_id: run.info.run_id,
    };
    expect(model.data.metrics).toEqual([expected]);
  });

  it('test_log_inputs_model', async () => {
    const experimentId = await client.createExperiment('log inputs test');
    let run = await client.createRun(experimentId);
    const model = await client.createLoggedModel(experimentId);
    const dataset = { name: 'name1', digest: 'digest1', source_type: 'source_type1', source: 'source1' };
    await client.logInputs(
      run.info.run_id,
      [{ dataset, tags: [{ key: 'mlflow.data.context', value: 'training' }] }],
      [{ model_id: model.info.model_id }],
    );
    run = await client.getRun(run.info.run_id);
    expect(run.inputs.model_inputs).toHaveLength(1);
  });

  it('test_create_logged_model', async () => {
    const expId = await client.createExperiment('create_logged_model');
    let model = await client.createLoggedModel(expId);
    let loaded = await client.getLoggedModel(model.info.model_id);
    expect(model.info.model_id).toBe(loaded.info.model_id);

    model = await client.createLoggedModel(expId, { name: 'my_model' });
    loaded = await client.getLoggedModel(model.info.model_id);
    expect(model.info.name).toBe('my_model');

    model = await client.createLoggedModel(expId, { modelType: 'LLM' });
    loaded = await client.getLoggedModel(model.info.model_id);
    expect(model.info.model_type).toBe('LLM');

    model = await client.createLoggedModel(expId, { sourceRunId: '123' });
    loaded = await client.getLoggedModel(model.info.model_id);
    expect(model.info.source_run_id).toBe('123');

    model = await client.createLoggedModel(expId, { params: { param: 'value' } });
    loaded = await client.getLoggedModel(model.info.model_id);
    expect(paramsOf(model)).toEqual({ param: 'value' });

    model = await client.createLoggedModel(expId, { tags: { tag: 'value' } });
    loaded = await client.getLoggedModel(model.info.model_id);
    expect(tagsOf(model)).toEqual({ tag: 'value' });
    expect(loaded).toEqual(model);
  });

  it('test_log_logged_model_params', async () => {
    const expId = await client.createExperiment('create_logged_model');
    const model = await client.createLoggedModel(expId);
    await client.logModelParams(model.info.model_id, { param: 'value' });
    const loaded = await client.getLoggedModel(model.info.model_id);
    expect(paramsOf(loaded)).toEqual({ param: 'value' });
  });

  it('test_finalize_logged_model', async () => {
    const expId = await client.createExperiment('create_logged_model');
    const model = await client.createLoggedModel(expId);
    let finalized = await client.finalizeLoggedModel(model.info.model_id, 'READY');
    expect(finalized.info.status).toBe('LOGGED_MODEL_READY');

    finalized = await client.finalizeLoggedModel(model.info.model_id, 'FAILED');
    expect(finalized.info.status).toBe('LOGGED_MODEL_UPLOAD_FAILED');
  });

  it('test_delete_logged_model', async () => {
    const expId = await client.createExperiment('delete_logged_model');
    const model = await client.createLoggedModel(expId);
    await client.deleteLoggedModel(model.info.model_id);
    await expect(client.getLoggedModel(model.info.model_id)).rejects.toThrow(/not found/);

    const models = await client.searchLoggedModels({ experimentIds: [expId] });
    expect(models.items).toHaveLength(0);
  });

  it('test_set_logged_model_tags', async () => {
    const expId = await client.createExperiment('create_logged_model');
    const model = await client.createLoggedModel(expId);
    await client.setLoggedModelTags(model.info.model_id, { tag1: 'value1', tag2: 'value2' });
    let loaded = await client.getLoggedModel(model.info.model_id);
    expect(tagsOf(loaded)).toEqual({ tag1: 'value1', tag2: 'value2' });

    await client.setLoggedModelTags(model.info.model_id, { tag1: 'value3' });
    loaded = await client.getLoggedModel(model.info.model_id);
    expect(tagsOf(loaded)).toEqual({ tag1: 'value3', tag2: 'value2' });
  });

  it('test_delete_logged_model_tag', async () => {
    const expId = await client.createExperiment('create_logged_model');
    const model = await client.createLoggedModel(expId);
    await client.setLoggedModelTags(model.info.model_id, { tag1: 'value1', tag2: 'value2' });
    await client.deleteLoggedModelTag(model.info.model_id, 'tag1');
    const loaded = await client.getLoggedModel(model.info.model_id);
    expect(tagsOf(loaded)).toEqual({ tag2: 'value2' });

    await expect(client.deleteLoggedModelTag(model.info.model_id, 'tag1')).rejects.toThrow(/No tag with key/);
  });

  it('test_search_logged_models', async () => {
    const expId = await client.createExperiment('create_logged_model');
    const model1 = await client.createLoggedModel(expId);
    await sleepMillisecond(); // to ensure different created time
    let models = await client.searchLoggedModels({ experimentIds: [expId] });
    expect(models.items.map((m) => m.info.name)).toEqual([model1.info.name]);

    // max_results
    const model2 = await client.createLoggedModel(expId);
    const page1 = await client.searchLoggedModels({ experimentIds: [expId], maxResults: 1 });
    expect(page1.items.map((m) => m.info.name)).toEqual([model2.info.name]);
    expect(page1.nextPageToken).toBeDefined();

    // pagination
    const page2 = await client.searchLoggedModels({
      experimentIds: [expId],
      maxResults: 1,
      ...(page1.nextPageToken ? { pageToken: page1.nextPageToken } : {}),
    });
    expect(page2.items.map((m) => m.info.name)).toEqual([model1.info.name]);
    expect(page2.nextPageToken).toBeUndefined();

    // filter_string
    models = await client.searchLoggedModels({
      experimentIds: [expId],
      filter: `name = '${model1.info.name}'`,
    });
    expect(models.items.map((m) => m.info.name)).toEqual([model1.info.name]);

    // datasets
    const run1 = await client.createRun(expId);
    await client.logMetric(run1.info.run_id, 'metric', 1, {
      datasetName: 'dataset',
      datasetDigest: '123',
      modelId: model1.info.model_id,
    });
    models = await client.searchLoggedModels({
      experimentIds: [expId],
      datasets: [{ datasetName: 'dataset', datasetDigest: '123' }],
    });
    expect(models.items.map((m) => m.info.name)).toEqual([model1.info.name]);

    // order_by
    models = await client.searchLoggedModels({
      experimentIds: [expId],
      orderBy: [{ fieldName: 'creation_timestamp', ascending: false }],
    });
    expect(models.items.map((m) => m.info.name)).toEqual([model2.info.name, model1.info.name]);
  });

  it('test_log_outputs', async () => {
    const expId = await client.createExperiment('log_outputs');
    let run = await client.createRun(expId);
    const model = await client.createLoggedModel(expId);
    const modelOutputs = [{ model_id: model.info.model_id, step: 1 }];
    await client.logOutputs(run.info.run_id, modelOutputs);
    run = await client.getRun(run.info.run_id);
    expect(run.outputs?.model_outputs).toEqual(modelOutputs);
  });

  it('test_list_logged_model_artifacts', async () => {
    const modelId = await logPyfuncModel(fixture);
    const resp = await send(fixture.port, {
      method: 'GET',
      path: `/ajax-api/2.0/mlflow/logged-models/${modelId}/artifacts/directories`,
    });
    expect(resp.status).toBe(200);
    const data = resp.json<{ files: { path: string }[] }>();
    const paths = data.files.map((f) => f.path);
    expect(paths).toContain('MLmodel');
  });

  it('test_get_logged_model_artifact', async () => {
    const modelId = await logPyfuncModel(fixture);
    const resp = await send(fixture.port, {
      method: 'GET',
      path: `/ajax-api/2.0/mlflow/logged-models/${modelId}/artifacts/files?${new URLSearchParams({ artifact_file_path: 'MLmodel' }).toString()}`,
    });
    expect(resp.status).toBe(200);
    expect(resp.body.toString('utf8')).toContain(modelId);
  });
});
