import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactRepository } from '../../src/artifacts/index.js';
import { TrackingClient } from '../../src/client/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { closedPort } from '../../src/testing/closed-port.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { send, type RawAnswer } from './artifact-harness.js';

// MLflow's own tests of artifacts over its tracking server, ported one for one and named after
// them: tests/tracking/test_rest_tracking.py and tests/tracking/test_mlflow_artifacts.py in
// mlflow/mlflow. Each runs against a real agentrack server on 127.0.0.1 with a real SQLite file,
// set up as MLflow's fixture sets up `mlflow server`. Where MLflow's test calls `requests`, the
// same requests are sent here; where it calls MLflow's client, agentrack's TrackingClient over
// REST makes the calls MLflow's client makes (runs/get, then the artifact service, or the run's
// local folder for a file: root). The assertions are MLflow's.

/** A server as a fixture of MLflow's tests starts it, and a client on it. */
interface Fixture {
  url: string;
  port: number;
  tmp: string;
  client: TrackingClient;
  close(): Promise<void>;
}

async function startFixture(options: {
  root: (tmp: string, port: number) => string;
  destination?: (tmp: string) => string;
}): Promise<Fixture> {
  const dir = tempDir('agentrack-mlflow-tests-');
  const port = await closedPort();
  const store = await openSqliteStore(join(dir.path, 'mlruns.db'), {
    defaultArtifactRoot: options.root(dir.path, port),
  });
  const destination = options.destination?.(dir.path);
  const server: RunningServer = await startServer({
    store,
    port,
    logger: false,
    ...(destination ? { artifactDestination: new LocalArtifactRepository(destination) } : {}),
  });
  const client = await TrackingClient.open(server.url);
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

function get(fixture: Fixture, path: string, query: Record<string, string> = {}, headers = {}) {
  const qs = new URLSearchParams(query).toString();
  return send(fixture.port, { method: 'GET', path: qs ? `${path}?${qs}` : path, headers });
}

function post(fixture: Fixture, path: string, query: Record<string, string>, data?: string) {
  const qs = new URLSearchParams(query).toString();
  return send(fixture.port, {
    method: 'POST',
    path: qs ? `${path}?${qs}` : path,
    // requests sends Content-Length: 0 for a POST without data.
    ...(data !== undefined ? { body: data } : { headers: { 'content-length': '0' } }),
  });
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A header parameter as Python's `cgi.parse_header` reads it. */
function headerParam(value: string | undefined, name: string): string | undefined {
  for (const part of (value ?? '').split(';').slice(1)) {
    const [key, ...rest] = part.trim().split('=');
    if (key?.toLowerCase() === name) return rest.join('=').replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

describe('tests/tracking/test_rest_tracking.py', () => {
  // mlflow_client: a tracking server over a database, its default artifact root a local folder
  // (`tmp_path.as_uri()`), serving no proxied artifacts.
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await startFixture({ root: (tmp) => pathToFileURL(tmp).href });
  });
  afterEach(async () => {
    await fixture?.close();
  });

  it('test_create_get_search_experiment', async () => {
    const client = fixture.client;
    const experimentId = await client.createExperiment('My Experiment', {
      artifactLocation: 'my_location',
      tags: { key1: 'val1', key2: 'val2' },
    });
    const exp = await client.getExperiment(experimentId);
    expect(exp.name).toBe('My Experiment');
    expect(exp.artifact_location).toBe(join(process.cwd(), 'my_location'));
    expect(exp.tags).toHaveLength(2);
    const tags = Object.fromEntries((exp.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags.key1).toBe('val1');
    expect(tags.key2).toBe('val2');

    const names = async (options = {}) =>
      new Set((await client.searchExperiments(options)).items.map((e) => e.name));
    expect(await names()).toEqual(new Set(['My Experiment', 'Default']));
    await client.deleteExperiment(experimentId);
    expect(await names()).toEqual(new Set(['Default']));
    expect(await names({ viewType: 'ACTIVE_ONLY' })).toEqual(new Set(['Default']));
    expect(await names({ viewType: 'DELETED_ONLY' })).toEqual(new Set(['My Experiment']));
    expect(await names({ viewType: 'ALL' })).toEqual(new Set(['My Experiment', 'Default']));
    const activePaginated = await client.searchExperiments({ maxResults: 1 });
    expect(new Set(activePaginated.items.map((e) => e.name))).toEqual(new Set(['Default']));
    expect(activePaginated.nextPageToken).toBeUndefined();

    const allPaginated = await client.searchExperiments({ maxResults: 1, viewType: 'ALL' });
    const firstPageNames = new Set(allPaginated.items.map((e) => e.name));
    const allSecondPage = await client.searchExperiments({
      maxResults: 1,
      viewType: 'ALL',
      ...(allPaginated.nextPageToken ? { pageToken: allPaginated.nextPageToken } : {}),
    });
    const secondPageNames = new Set(allSecondPage.items.map((e) => e.name));
    expect(firstPageNames.size).toBe(1);
    expect(secondPageNames.size).toBe(1);
    expect(new Set([...firstPageNames, ...secondPageNames])).toEqual(new Set(['Default', 'My Experiment']));
  });

  it('test_path_validation', async () => {
    const experimentId = await fixture.client.createExperiment('tags validation');
    const runId = (await fixture.client.createRun(experimentId)).info.run_id;
    const invalidPath = '../path';
    // MLflow's message is exactly "Invalid path"; agentrack's starts so and says why.
    const assertResponse = (res: RawAnswer) => {
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({
        error_code: 'INVALID_PARAMETER_VALUE',
        message: expect.stringMatching(/^Invalid path/),
      });
    };
    assertResponse(
      await get(fixture, '/api/2.0/mlflow/artifacts/list', { run_id: runId, path: invalidPath }),
    );
    assertResponse(await get(fixture, '/get-artifact', { run_id: runId, path: invalidPath }));
    // MLflow's test asks for `//model-versions/get-artifact`, which its server redirects to
    // `/model-versions/get-artifact` (werkzeug merges slashes) and `requests` follows; agentrack
    // merges no slashes (an empty segment is refused in artifact paths), so the path is sent merged.
    assertResponse(
      await get(fixture, '/model-versions/get-artifact', { name: 'model', version: '1', path: invalidPath }),
    );
  });

  it('test_artifacts', async () => {
    const client = fixture.client;
    const experimentId = await client.createExperiment('Art In Fact');
    const experimentInfo = await client.getExperiment(experimentId);
    expect(experimentInfo.artifact_location.startsWith(pathToFileURL(fixture.tmp).href)).toBe(true);
    const artifactPath = new URL(experimentInfo.artifact_location).pathname;
    expect(posix.basename(artifactPath)).toBe(experimentId);

    const createdRun = await client.createRun(experimentId);
    expect(createdRun.info.artifact_uri.startsWith(experimentInfo.artifact_location)).toBe(true);
    const runId = createdRun.info.run_id;
    const srcDir = join(fixture.tmp, 'test_artifacts_src');
    mkdirSync(srcDir);
    const srcFile = join(srcDir, 'my.file');
    writeFileSync(srcFile, 'Hello, World!');
    await client.logArtifact(runId, srcFile);
    await client.logArtifacts(runId, srcDir, 'dir');

    const rootArtifactsList = await client.listArtifacts(runId);
    expect(new Set(rootArtifactsList.map((a) => a.path))).toEqual(new Set(['my.file', 'dir']));

    const dirArtifactsList = await client.listArtifacts(runId, 'dir');
    expect(new Set(dirArtifactsList.map((a) => a.path))).toEqual(new Set(['dir/my.file']));

    // MLflow's test downloads artifact_path="." (the root); agentrack's client names the root by no path.
    const allArtifacts = await client.downloadArtifacts(runId);
    expect(read(`${allArtifacts}/my.file`)).toBe('Hello, World!');
    expect(read(`${allArtifacts}/dir/my.file`)).toBe('Hello, World!');

    const dirArtifacts = await client.downloadArtifacts(runId, 'dir');
    expect(read(`${dirArtifacts}/my.file`)).toBe('Hello, World!');
  });

  it('test_upload_artifact_handler_rejects_invalid_requests', async () => {
    const assertResponse = (res: RawAnswer, messagePart: string) => {
      expect(res.status).toBe(400);
      const json = res.json<{ error_code?: string; message?: string }>();
      expect(json.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(json.message ?? '').toContain(messagePart);
    };
    const experimentId = await fixture.client.createExperiment('upload_artifacts_test');
    const createdRun = await fixture.client.createRun(experimentId);
    const url = '/ajax-api/2.0/mlflow/upload-artifact';
    const runUuid = createdRun.info.run_id;

    assertResponse(await post(fixture, url, {}), 'Request must specify run_uuid.');
    assertResponse(await post(fixture, url, { run_uuid: runUuid }), 'Request must specify path.');
    assertResponse(await post(fixture, url, { run_uuid: runUuid, path: '' }), 'Request must specify path.');
    assertResponse(await post(fixture, url, { run_uuid: runUuid, path: '../test.txt' }), 'Invalid path');
    assertResponse(
      await post(fixture, url, { run_uuid: runUuid, path: 'test.txt' }),
      'Request must specify data.',
    );
  });

  it('test_upload_artifact_handler', async () => {
    const experimentId = await fixture.client.createExperiment('upload_artifacts_test');
    const createdRun = await fixture.client.createRun(experimentId);

    const uploaded = await post(
      fixture,
      '/ajax-api/2.0/mlflow/upload-artifact',
      { run_uuid: createdRun.info.run_id, path: 'test.txt' },
      'hello world',
    );
    expect(uploaded.status).toBe(200);

    const response = await get(fixture, '/get-artifact', {
      run_uuid: createdRun.info.run_id,
      path: 'test.txt',
    });
    expect(response.status).toBe(200);
    expect(response.body.toString('utf8')).toBe('hello world');
  });
});

describe('tests/tracking/test_mlflow_artifacts.py', () => {
  // artifacts_server: `mlflow server --backend-store-uri sqlite:///... --default-artifact-root
  // http://<host>:<port>/api/2.0/mlflow-artifacts/artifacts --artifacts-destination <tmp>/mlartifacts`,
  // one server for the whole module.
  let fixture: Fixture;
  let defaultArtifactRoot: string;
  let artifactsDestination: string;
  let tmpCount = 0;
  beforeAll(async () => {
    fixture = await startFixture({
      root: (_tmp, port) => `http://127.0.0.1:${port}/api/2.0/mlflow-artifacts/artifacts`,
      destination: (tmp) => join(tmp, 'mlartifacts'),
    });
    defaultArtifactRoot = `${fixture.url}/api/2.0/mlflow-artifacts/artifacts`;
    artifactsDestination = join(fixture.tmp, 'mlartifacts');
  });
  afterAll(async () => {
    await fixture?.close();
  });

  /** A fresh folder, as pytest's `tmp_path`. */
  function tmpPath(): string {
    const path = join(fixture.tmp, `tmp_path_${++tmpCount}`);
    mkdirSync(path);
    return path;
  }
  /** `path` of the artifact service, below the server, from a URL of it. */
  function servicePath(url: string): string {
    return url.slice(fixture.url.length);
  }
  async function uploadFile(path: string, url: string): Promise<void> {
    const res = await send(fixture.port, { method: 'PUT', path: servicePath(url), body: readFileSync(path) });
    expect(res.status).toBe(200);
  }
  async function downloadFile(url: string, localPath: string, headers: Record<string, string> = {}) {
    const res = await send(fixture.port, { method: 'GET', path: servicePath(url), headers });
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-type']).toBeDefined();
    expect(res.headers['content-disposition']).toBeDefined();
    writeFileSync(localPath, res.body);
    return res;
  }
  /** `mlflow.start_run()` with no experiment set: a run of the Default experiment. */
  async function startRun(experimentId = '0') {
    return (await fixture.client.createRun(experimentId)).info;
  }

  it('test_mlflow_artifacts_rest_apis', async () => {
    const tmp = tmpPath();
    const fileA = join(tmp, 'a.txt');
    writeFileSync(fileA, '0');
    await uploadFile(fileA, `${defaultArtifactRoot}/a.txt`);
    expect(read(join(artifactsDestination, 'a.txt'))).toBe('0');

    const fileB = join(tmp, 'b.txt');
    writeFileSync(fileB, '1');
    await uploadFile(fileB, `${defaultArtifactRoot}/dir/b.txt`);
    expect(read(join(artifactsDestination, 'dir', 'b.txt'))).toBe('1');

    const localDir = join(tmp, 'folder');
    mkdirSync(localDir);
    const localPathA = join(localDir, 'a.txt');
    await downloadFile(`${defaultArtifactRoot}/a.txt`, localPathA);
    expect(read(localPathA)).toBe('0');

    const localPathB = join(localDir, 'b.txt');
    await downloadFile(`${defaultArtifactRoot}/dir/b.txt`, localPathB);
    expect(read(localPathB)).toBe('1');

    const listing = await get(fixture, servicePath(defaultArtifactRoot));
    expect(listing.json()).toEqual({
      files: [
        { path: 'a.txt', is_dir: false, file_size: 1 },
        { path: 'dir', is_dir: true },
      ],
    });
    const dir = await get(fixture, servicePath(defaultArtifactRoot), { path: 'dir' });
    expect(dir.json()).toEqual({ files: [{ path: 'b.txt', is_dir: false, file_size: 1 }] });
  });

  it('test_log_artifact', async () => {
    const file = join(tmpPath(), 'a.txt');
    writeFileSync(file, '0');

    let run = await startRun();
    await fixture.client.logArtifact(run.run_id, file);
    const experimentId = '0';
    let runArtifactRoot = join(artifactsDestination, experimentId, run.run_id, 'artifacts');
    expect(read(join(runArtifactRoot, 'a.txt'))).toBe('0');

    run = await startRun();
    await fixture.client.logArtifact(run.run_id, file, 'artifact_path');
    runArtifactRoot = join(artifactsDestination, experimentId, run.run_id, 'artifacts');
    expect(read(join(runArtifactRoot, 'artifact_path', 'a.txt'))).toBe('0');
  });

  it('test_log_artifacts', async () => {
    const tmp = tmpPath();
    writeFileSync(join(tmp, 'a.txt'), '0');
    mkdirSync(join(tmp, 'dir'));
    writeFileSync(join(tmp, 'dir', 'b.txt'), '1');
    const client = fixture.client;

    let run = await startRun();
    await client.logArtifacts(run.run_id, tmp);
    expect((await client.listArtifacts(run.run_id)).map((a) => a.path).sort()).toEqual(['a.txt', 'dir']);
    expect((await client.listArtifacts(run.run_id, 'dir')).map((a) => a.path)).toEqual(['dir/b.txt']);

    run = await startRun();
    await client.logArtifacts(run.run_id, tmp, 'artifact_path');
    expect((await client.listArtifacts(run.run_id)).map((a) => a.path)).toEqual(['artifact_path']);
    expect((await client.listArtifacts(run.run_id, 'artifact_path')).map((a) => a.path).sort()).toEqual([
      'artifact_path/a.txt',
      'artifact_path/dir',
    ]);
    expect((await client.listArtifacts(run.run_id, 'artifact_path/dir')).map((a) => a.path)).toEqual([
      'artifact_path/dir/b.txt',
    ]);
  });

  it('test_list_artifacts', async () => {
    const tmp = tmpPath();
    const a = join(tmp, 'a.txt');
    writeFileSync(a, '0');
    const b = join(tmp, 'b.txt');
    writeFileSync(b, '1');
    const client = fixture.client;
    const run = await startRun();
    expect(await client.listArtifacts(run.run_id)).toEqual([]);
    await client.logArtifact(run.run_id, a);
    await client.logArtifact(run.run_id, b, 'dir');

    expect((await client.listArtifacts(run.run_id)).map((x) => x.path).sort()).toEqual(['a.txt', 'dir']);
    expect((await client.listArtifacts(run.run_id, 'dir')).map((x) => x.path)).toEqual(['dir/b.txt']);
  });

  it('test_download_artifacts', async () => {
    const tmp = tmpPath();
    const a = join(tmp, 'a.txt');
    writeFileSync(a, '0');
    const b = join(tmp, 'b.txt');
    writeFileSync(b, '1');
    const run = await startRun();
    await fixture.client.logArtifact(run.run_id, a);
    await fixture.client.logArtifact(run.run_id, b, 'dir');

    let destPath = await fixture.client.downloadArtifacts(run.run_id, '');
    expect(readdirSync(destPath).sort()).toEqual(['a.txt', 'dir']);
    expect(read(join(destPath, 'a.txt'))).toBe('0');
    destPath = await fixture.client.downloadArtifacts(run.run_id, 'dir');
    expect(readdirSync(destPath)).toEqual(['b.txt']);
    expect(read(join(destPath, 'b.txt'))).toBe('1');
  });

  it('test_rest_tracking_api_list_artifacts_with_proxied_artifacts', async () => {
    const listArtifactsViaRestApi = async (runId: string, path?: string) => {
      const res = await get(
        fixture,
        '/api/2.0/mlflow/artifacts/list',
        path ? { run_id: runId, path } : { run_id: runId },
      );
      expect(res.status).toBe(200);
      return res.json<{ files?: unknown; root_uri?: string }>();
    };
    const tmp = tmpPath();
    writeFileSync(join(tmp, 'a.txt'), '0');
    writeFileSync(join(tmp, 'b.txt'), '1');
    const experimentId = await fixture.client.createExperiment('rest_list_api_test');
    const run = await startRun(experimentId);
    await fixture.client.logArtifact(run.run_id, join(tmp, 'a.txt'));
    await fixture.client.logArtifact(run.run_id, join(tmp, 'b.txt'), 'dir');

    const listArtifactsResponse = await listArtifactsViaRestApi(run.run_id);
    expect(listArtifactsResponse.files).toEqual([
      { path: 'a.txt', is_dir: false, file_size: 1 },
      { path: 'dir', is_dir: true },
    ]);
    expect(listArtifactsResponse.root_uri).toBe(run.artifact_uri);

    const nestedListArtifactsResponse = await listArtifactsViaRestApi(run.run_id, 'dir');
    expect(nestedListArtifactsResponse.files).toEqual([{ path: 'dir/b.txt', is_dir: false, file_size: 1 }]);
    expect(nestedListArtifactsResponse.root_uri).toBe(run.artifact_uri);
  });

  it('test_rest_get_artifact_api_proxied_with_artifacts', async () => {
    const file = join(tmpPath(), 'a.txt');
    writeFileSync(file, 'abcdefg');
    const experimentId = await fixture.client.createExperiment('rest_get_artifact_api_test');
    const run = await startRun(experimentId);
    await fixture.client.logArtifact(run.run_id, file);

    const res = await get(fixture, '/get-artifact', { run_id: run.run_id, path: 'a.txt' });
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe('abcdefg');
  });

  it.each([
    ['a.txt', 'text/plain'],
    ['b.pkl', 'application/octet-stream'],
    ['c.png', 'image/png'],
    ['d.pdf', 'application/pdf'],
    ['MLmodel', 'text/plain'],
    ['mlproject', 'text/plain'],
  ])('test_mime_type_for_download_artifacts_api[%s-%s]', async (filename, expectedMimeType) => {
    const testFile = join(tmpPath(), filename);
    writeFileSync(testFile, '');
    await uploadFile(testFile, `${defaultArtifactRoot}/dir/${filename}`);
    const downloadResponse = await downloadFile(`${defaultArtifactRoot}/dir/${filename}`, testFile);
    expect(headerParam(downloadResponse.headers['content-disposition'], 'filename')).toBe(filename);
    expect(downloadResponse.headers['content-type']).toBe(expectedMimeType);

    const run = await startRun();
    await fixture.client.logArtifact(run.run_id, testFile);
    const artifactResponse = await get(fixture, '/get-artifact', { run_id: run.run_id, path: filename });
    expect(artifactResponse.status).toBe(200);
    expect(headerParam(artifactResponse.headers['content-disposition'], 'filename')).toBe(filename);
    expect(artifactResponse.headers['content-type']).toBe(expectedMimeType);
    expect(artifactResponse.headers['x-content-type-options']).toBe('nosniff');
  });

  it('test_rest_get_artifact_api_log_image', async () => {
    // mlflow.log_image(image, key="dog", step=20, timestamp=100) encodes a numpy array with PIL
    // (Python only) and uploads the picture and its compressed copy under images/, named after
    // the key, step and timestamp: those uploads are sent here, with PNG and WebP bytes.
    const run = await startRun();
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    const webp = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');
    const stem = `dog+step+20+timestamp+100+${randomUUID()}`;
    const root = run.artifact_uri;
    for (const [name, bytes] of [
      [`${stem}.png`, png],
      [`${stem}+compressed.webp`, webp],
    ] as const) {
      const res = await send(fixture.port, {
        method: 'PUT',
        path: servicePath(`${root}/images/${name}`),
        body: bytes,
      });
      expect(res.status).toBe(200);
    }

    const artifactListResponse = await get(fixture, '/ajax-api/2.0/mlflow/artifacts/list', {
      path: 'images',
      run_id: run.run_id,
    });
    expect(artifactListResponse.status).toBe(200);
    const files = artifactListResponse.json<{ files: { path: string }[] }>().files;
    expect(files).toHaveLength(2);
    for (const file of files) {
      const getArtifactResponse = await get(fixture, '/get-artifact', {
        run_id: run.run_id,
        path: file.path,
      });
      expect(getArtifactResponse.status).toBe(200);
      expect(getArtifactResponse.headers['content-disposition']).toContain(
        'attachment; filename=dog+step+20+timestamp+100',
      );
      // MLflow decodes the PNG and compares its pixels with the array logged: here, the bytes.
      if (file.path.endsWith('png')) expect(getArtifactResponse.body.equals(png)).toBe(true);
    }
  });

  it('test_rest_get_model_version_artifact_api_proxied_artifact_root', async () => {
    const url = fixture.url;
    // MLflow registers the destination's root, `mlflow-artifacts:`, straight into its database,
    // past its server's source checks; agentrack's registry checks sources wherever they come
    // from and refuses a URI without an absolute path, so the file is in a folder of the root.
    mkdirSync(join(artifactsDestination, 'models'), { recursive: true });
    writeFileSync(join(artifactsDestination, 'models', 'a.txt'), 'abcdefg');

    const name = 'GetModelVersionTest';
    // MlflowClient(artifacts_server.backend_store_uri): the server's database itself.
    const backend = await openSqliteStore(join(fixture.tmp, 'mlruns.db'));
    try {
      await backend.registry.createRegisteredModel({ name });
      // An artifact root with scheme http, https, or mlflow-artifacts is a proxied artifact root
      await backend.registry.createModelVersion({ name, source: 'mlflow-artifacts:/models', runId: '1' });
    } finally {
      await backend.close();
    }

    const getModelVersionArtifactResponse = await get(
      fixture,
      servicePath(`${url}/model-versions/get-artifact`),
      {
        name,
        version: '1',
        path: 'a.txt',
      },
    );
    expect(getModelVersionArtifactResponse.status).toBe(200);
    expect(getModelVersionArtifactResponse.body.toString('utf8')).toBe('abcdefg');
  });

  it.each([
    ['b.pkl', 'text/html', 'application/octet-stream'],
    ['c.png', 'text/html', 'image/png'],
    ['d.pdf', 'text/html', 'application/pdf'],
  ])(
    'test_server_overrides_requested_mime_type[%s-%s-%s]',
    async (filename, requestedMimeType, respondedMimeType) => {
      const testFile = join(tmpPath(), filename);
      writeFileSync(testFile, '');
      await uploadFile(testFile, `${defaultArtifactRoot}/dir/${filename}`);
      const downloadResponse = await downloadFile(`${defaultArtifactRoot}/dir/${filename}`, testFile, {
        accept: requestedMimeType,
      });
      expect(headerParam(downloadResponse.headers['content-disposition'], 'filename')).toBe(filename);
      expect(downloadResponse.headers['content-type']).toBe(respondedMimeType);
    },
  );
});
