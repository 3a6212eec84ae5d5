import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/index.js';
import { isAgentrackError } from '../../src/errors.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { closedPort } from '../../src/testing/closed-port.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { startAgentrack, within, type RunningCli } from '../cli/helpers.js';
import { send, type RawAnswer } from './artifact-harness.js';

// MLflow's own tests of the model registry over its tracking server, ported one for one and
// named after them: every test of tests/tracking/test_rest_tracking.py in mlflow/mlflow that
// calls the registry, but for those that query it through GraphQL (test_get_run_and_experiment_graphql,
// test_get_metric_history_bulk_interval_graphql, test_search_runs_graphql: agentrack serves no
// GraphQL) and test_logging_model_with_local_artifact_uri (xfail in MLflow: it logs a scikit-learn
// model through Python). test_path_validation is in mlflow-artifact-tests.test.ts, with the rest
// of it. Each runs against a real agentrack server on 127.0.0.1 over a real SQLite file, set up as
// MLflow's `mlflow_client` fixture sets up its server (a local default artifact root, no proxied
// artifacts). Where MLflow's test calls `requests`, the same requests are sent here; where it calls
// MLflow's client, agentrack's registry over REST makes the same calls. The assertions are MLflow's.

/** The server of MLflow's `mlflow_client` fixture, and a client on it. */
interface Fixture {
  url: string;
  port: number;
  client: TrackingClient;
  close(): Promise<void>;
}

async function startFixture(): Promise<Fixture> {
  const dir = tempDir('agentrack-mlflow-registry-');
  const store = await openSqliteStore(join(dir.path, 'sqlalchemy.db'), {
    defaultArtifactRoot: pathToFileURL(dir.path).href,
  });
  const server: RunningServer = await startServer({ store, port: await closedPort(), logger: false });
  const client = await TrackingClient.open(server.url, { env: {} });
  return {
    url: server.url,
    port: server.port,
    client,
    close: async () => {
      await client.close();
      await server.close();
      dir.remove();
    },
  };
}

/** `requests.post(url, json=body)`. */
function post(fixture: { port: number }, path: string, body: unknown): Promise<RawAnswer> {
  return send(fixture.port, {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const CREATE_VERSION = '/api/2.0/mlflow/model-versions/create';

/** A logged model as MLflow's client sees it (`create_logged_model`, `get_logged_model`). */
interface LoggedModelView {
  modelId: string;
  artifactLocation: string;
  modelUri: string;
  tags: Record<string, string>;
}

function loggedModelView(answer: RawAnswer): LoggedModelView {
  const info = answer.json<{
    model: { info: { model_id: string; artifact_uri: string; tags?: { key: string; value: string }[] } };
  }>().model.info;
  return {
    modelId: info.model_id,
    artifactLocation: info.artifact_uri,
    modelUri: `models:/${info.model_id}`,
    tags: Object.fromEntries((info.tags ?? []).map((t) => [t.key, t.value])),
  };
}

/** `mlflow_client.create_logged_model(experiment_id)`, as MLflow's client sends it. */
async function createLoggedModel(fixture: Fixture, experimentId: string) {
  const answer = await post(fixture, '/api/2.0/mlflow/logged-models', { experiment_id: experimentId });
  expect(answer.status).toBe(200);
  return loggedModelView(answer);
}

async function getLoggedModel(fixture: Fixture, modelId: string): Promise<LoggedModelView> {
  const answer = await send(fixture.port, {
    method: 'GET',
    path: `/api/2.0/mlflow/logged-models/${modelId}`,
  });
  expect(answer.status).toBe(200);
  return loggedModelView(answer);
}

describe('tests/tracking/test_rest_tracking.py', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await startFixture();
  });
  afterEach(async () => {
    await fixture?.close();
  });

  it('test_create_model_version_with_path_source', async () => {
    const name = 'model';
    await fixture.client.store.registry.createRegisteredModel({ name });
    const expId = await fixture.client.createExperiment('test');
    const run = await fixture.client.createRun(expId);

    let response = await post(fixture, CREATE_VERSION, {
      name,
      source: run.info.artifact_uri.slice('file://'.length),
      run_id: run.info.run_id,
    });
    expect(response.status).toBe(200);

    // run_id is not specified
    response = await post(fixture, CREATE_VERSION, {
      name,
      source: run.info.artifact_uri.slice('file://'.length),
    });
    expect(response.status).toBe(400);
    expect(response.json<{ message: string }>().message).toContain('To use a local path as a model version');

    // run_id is specified but source is not in the run's artifact directory
    response = await post(fixture, CREATE_VERSION, { name, source: '/tmp', run_id: run.info.run_id });
    expect(response.status).toBe(400);
    expect(response.json<{ message: string }>().message).toContain('To use a local path as a model version');
  });

  it('test_create_model_version_with_non_local_source', async () => {
    const name = 'model';
    await fixture.client.store.registry.createRegisteredModel({ name });
    const expId = await fixture.client.createExperiment('test');
    const run = await fixture.client.createRun(expId);
    const runId = run.info.run_id;
    const create = (source: string) => post(fixture, CREATE_VERSION, { name, source, run_id: runId });
    const message = (answer: RawAnswer) => answer.json<{ message: string }>().message;

    expect((await create(run.info.artifact_uri.slice('file://'.length))).status).toBe(200);

    // Test that remote uri's supplied as a source with absolute paths work fine
    expect((await create('mlflow-artifacts:/models')).status).toBe(200);
    // A single trailing slash
    expect((await create('mlflow-artifacts:/models/')).status).toBe(200);
    // Multiple trailing slashes
    expect((await create('mlflow-artifacts:/models///')).status).toBe(200);
    // Multiple slashes
    expect((await create('mlflow-artifacts:/models/foo///bar')).status).toBe(200);
    expect((await create('mlflow-artifacts://host:9000/models')).status).toBe(200);
    // Multiple dots
    expect((await create('mlflow-artifacts://host:9000/models/artifact/..../')).status).toBe(200);

    // Test that invalid remote uri's cannot be created
    for (const source of [
      'mlflow-artifacts://host:9000/models/../../../',
      'http://host:9000/models/../../../',
      'https://host/api/2.0/mlflow-artifacts/artifacts/../../../',
      's3a://my_bucket/api/2.0/mlflow-artifacts/artifacts/../../../',
      'ftp://host:8888/api/2.0/mlflow-artifacts/artifacts/../../../',
      'mlflow-artifacts://host:9000/models/..%2f..%2fartifacts',
      'mlflow-artifacts://host:9000/models/artifact%00',
    ]) {
      const response = await create(source);
      expect([source, response.status]).toEqual([source, 400]);
      expect(message(response)).toContain('If supplying a source as an http, https,');
    }

    const response = await create(`dbfs:/${runId}/artifacts/a%3f/../../../../../../../../../../`);
    expect(response.status).toBe(400);
    expect(message(response)).toContain('Invalid model version source');

    const model = await createLoggedModel(fixture, expId);
    expect(
      (await post(fixture, CREATE_VERSION, { name, source: model.artifactLocation, model_id: model.modelId }))
        .status,
    ).toBe(200);
    expect(
      (await post(fixture, CREATE_VERSION, { name, source: model.modelUri, model_id: model.modelId })).status,
    ).toBe(200);
    expect(
      (
        await post(fixture, CREATE_VERSION, {
          name,
          source: 'file:///path/to/model',
          model_id: model.modelId,
        })
      ).status,
    ).toBe(400);
  });

  it('test_create_model_version_with_file_uri', async () => {
    const name = 'test';
    await fixture.client.store.registry.createRegisteredModel({ name });
    const expId = await fixture.client.createExperiment('test');
    const run = await fixture.client.createRun(expId);
    const artifactUri = run.info.artifact_uri;
    expect(artifactUri.startsWith('file://')).toBe(true);
    for (const source of [
      artifactUri,
      `${artifactUri}/model`,
      `${artifactUri}/.`,
      `${artifactUri}/model/..`,
    ]) {
      const response = await post(fixture, CREATE_VERSION, { name, source, run_id: run.info.run_id });
      expect([source, response.status]).toEqual([source, 200]);
    }

    // run_id is not specified
    let response = await post(fixture, CREATE_VERSION, { name, source: artifactUri });
    expect(response.status).toBe(400);
    expect(response.json<{ message: string }>().message).toContain('To use a local path as a model version');

    // run_id is specified but source is not in the run's artifact directory
    response = await post(fixture, CREATE_VERSION, { name, source: 'file:///tmp' });
    expect(response.status).toBe(400);
    expect(response.json<{ message: string }>().message).toContain('To use a local path as a model version');

    response = await post(fixture, CREATE_VERSION, {
      name,
      source: 'file://123.456.789.123/path/to/source',
      run_id: run.info.run_id,
    });
    // MLflow answers 500 (its check raises without an error code, so INTERNAL_ERROR); a file URI
    // on another host is bad input, which agentrack answers 400 INVALID_PARAMETER_VALUE.
    expect([response.status, response.json<{ error_code: string }>().error_code]).toEqual([
      400,
      'INVALID_PARAMETER_VALUE',
    ]);
    expect(response.json<{ message: string }>().message).toContain('is not a valid remote uri');
  });

  it('test_create_model_version_model_id', async () => {
    const name = 'model';
    const registry = fixture.client.store.registry;
    await registry.createRegisteredModel({ name });
    const expId = await fixture.client.createExperiment('test');
    let model = await createLoggedModel(fixture, expId);
    await registry.createModelVersion({ name, source: model.artifactLocation, modelId: model.modelId });
    model = await getLoggedModel(fixture, model.modelId);
    expect(model.tags['mlflow.modelVersions']).toBe('[{"name": "model", "version": 1}]');
    await registry.createModelVersion({ name, source: model.artifactLocation, modelId: model.modelId });
    model = await getLoggedModel(fixture, model.modelId);
    expect(model.tags['mlflow.modelVersions']).toBe(
      '[{"name": "model", "version": 1}, {"name": "model", "version": 2}]',
    );
  });
});

describe('tests/tracking/test_rest_tracking.py: a server of its own', () => {
  let dir: ReturnType<typeof tempDir>;
  let cli: RunningCli | undefined;
  beforeEach(() => {
    dir = tempDir('agentrack-mlflow-registry-regex-');
  });
  afterEach(async () => {
    cli?.kill('SIGKILL');
    await cli?.done;
    dir.remove();
  });

  it('test_create_model_version_with_validation_regex', async () => {
    const port = await closedPort();
    cli = startAgentrack(
      ['server', '--port', String(port), '--backend-store-uri', `sqlite:///${join(dir.path, 'mlflow.db')}`],
      {
        cwd: dir.path,
        env: { MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: '^mlflow-artifacts:/.*$' },
      },
    );
    // Wait for the server to start
    await within(cli.waitForStderr('listening on'), 30_000, 'the server to listen');
    expect((await send(port, { method: 'GET', path: '/health' })).status).toBe(200);

    // Test that the validation regex works as expected
    const client = await TrackingClient.open(`http://localhost:${port}`, { env: {} });
    try {
      const name = 'test';
      await client.store.registry.createRegisteredModel({ name });
      // Invalid source
      const refused = await client.store.registry
        .createModelVersion({ name, source: 's3://path/to/model' })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(isAgentrackError(refused, 'INVALID_PARAMETER_VALUE')).toBe(true);
      expect(String((refused as Error).message)).toMatch(/Invalid model version source/);
      // Valid source
      const experimentId = await client.createExperiment('test');
      const run = await client.createRun(experimentId);
      expect(run.info.artifact_uri.startsWith('mlflow-artifacts:/')).toBe(true);
      await client.store.registry.createModelVersion({
        name,
        source: `${run.info.artifact_uri}/model`,
        runId: run.info.run_id,
      });
    } finally {
      await client.close();
    }
  });
});
