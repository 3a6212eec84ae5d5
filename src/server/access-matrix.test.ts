/**
 * With `--auth`, every write endpoint outside the tracking table (the artifact service, run
 * artifacts, traces and assessments, and OTLP ingest), generated from the protocol tables,
 * sent by a valid user at what another user's `/Users/<user>/` experiment holds (its runs'
 * and logged models' artifact folders, its traces): 403 PERMISSION_DENIED, and nothing changes
 * in the store or the artifact folder. The owner sending the same request is not refused. The
 * registry's rule is the other one: registered models have no owner, so each of its writes
 * succeeds for any authenticated user (200). Reads are open to every authenticated user.
 * (`access-table.test.ts` does the same for the tracking API, logged models included.)
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { hashToken, parseUsers } from '../auth/index.js';
import { spansOf, traceInfoOf } from '../client/trace-client.contract.js';
import { TrackingClient } from '../client/tracking-client.js';
import { ARTIFACT_ENDPOINTS } from '../protocol/artifacts.js';
import { fillPath, type HttpMethod } from '../protocol/endpoint.js';
import { REGISTRY_ENDPOINTS } from '../protocol/model-registry.js';
import { RUN_ARTIFACT_ENDPOINTS } from '../protocol/run-artifacts.js';
import { TRACE_ENDPOINTS } from '../protocol/traces.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { tempDir } from '../testing/temp-dir.js';
import { workspaceAccessControl } from './access-control.js';
import { createApp } from './create-app.js';
import { OTLP_TRACES_PATH } from './plugins/otlp-traces-api.js';

const ME = { authorization: 'Bearer my-token' };
const OWNER = { authorization: 'Bearer their-token' };

let dir: ReturnType<typeof tempDir>;
let artifacts: string;
let store: TrackingStore;
let app: FastifyInstance;
let experimentId: string;
let runId: string;
let modelId: string;
let traceId: string;
let assessmentId: string;

beforeAll(async () => {
  dir = tempDir('agentrack-access-matrix-');
  artifacts = join(dir.path, 'artifacts');
  const database = join(dir.path, 'agentrack.db');
  store = await openSqliteStore(database);
  const users = parseUsers(
    JSON.stringify({
      users: [
        { user: 'me', token_sha256: hashToken('my-token') },
        { user: 'other', token_sha256: hashToken('their-token') },
      ],
    }),
    'users.json',
  );
  app = createApp({
    store,
    logger: false,
    artifactDestination: new LocalArtifactRepository(artifacts),
    ...workspaceAccessControl(store, users),
  });
  // The other user's experiment, with a run, a logged model and a trace, each with files.
  const client = await TrackingClient.open(`sqlite:///${database}`, { artifactsDestination: artifacts });
  experimentId = await client.createExperiment('/Users/other/theirs');
  runId = (await client.createRun(experimentId)).info.run_id;
  await client.logText(runId, 'run file', 'notes.txt');
  modelId = (await client.createLoggedModel(experimentId, { name: 'model' })).info.model_id;
  const info = traceInfoOf(experimentId);
  traceId = (await client.traces.logTrace({ info, spans: spansOf(info.trace_id) })).info.trace_id;
  assessmentId = (
    await client.traces.logAssessment({
      assessment_name: 'ok',
      trace_id: traceId,
      source: { source_type: 'HUMAN', source_id: 'other' },
      feedback: { value: true },
    })
  ).assessment_id;
  await client.close();
});
afterAll(async () => {
  await app.close();
  await store.close();
  dir.remove();
});

/** Every file below the artifact folder, with a hash of its bytes. */
function files(folder = artifacts): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of readdirSync(folder, { recursive: true }).map(String)) {
    const path = join(folder, name);
    if (statSync(path).isFile()) found[name] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return found;
}

/** Everything a refused write could change. */
async function snapshot(): Promise<unknown> {
  return {
    experiments: await store.searchExperiments({ viewType: 'ALL' }),
    run: await store.getRun(runId),
    model: await store.getLoggedModel(modelId),
    traces: await store.traces.searchTraces({ experimentIds: [experimentId] }),
    trace: await store.traces.getTraceInfo(traceId),
    spans: await store.traces.getSpans(traceId),
    files: files(),
  };
}

/** The folders of the other user's experiment that the artifact service's paths name. */
const FOLDERS = { 'a run': 0, 'a logged model': 0, 'a trace': 0 };
const artifactFolders = (): Record<string, string> => ({
  'a run': `${experimentId}/${runId}/artifacts`,
  'a logged model': `${experimentId}/models/${modelId}/artifacts`,
  'a trace': `${experimentId}/traces/${traceId}/artifacts`,
});

/** Parameters every write endpoint of the trace table decodes, all naming the other user's trace. */
function traceParams(): Record<string, unknown> {
  return {
    trace: { trace_info: { ...traceInfoOf(experimentId), trace_id: 'tr-00000000000000000000000000000001' } },
    experiment_id: experimentId,
    timestamp_ms: 1_796_000_000_000,
    request_id: traceId,
    status: 'OK',
    key: 'k',
    value: 'v',
    max_timestamp_millis: 1_900_000_000_000,
    request_ids: [traceId],
    trace_ids: [traceId],
    run_id: runId,
    assessment: {
      assessment_name: 'mine',
      trace_id: traceId,
      source: { source_type: 'HUMAN', source_id: 'me' },
      feedback: { value: false },
    },
    update_mask: 'feedback',
  };
}

interface Case {
  label: string;
  method: HttpMethod;
  /** Built when the test runs: the ids exist only then. */
  url: () => string;
  body?: () => string | Buffer;
  headers?: Record<string, string>;
}

function cases(): Case[] {
  const all: Case[] = [];
  for (const endpoint of ARTIFACT_ENDPOINTS.filter((e) => e.write)) {
    for (const prefix of endpoint.prefixes) {
      for (const what of Object.keys(FOLDERS)) {
        const path = () =>
          `${artifactFolders()[what]}/${endpoint.path.startsWith('mpu/create') || endpoint.path.startsWith('mpu/complete') || endpoint.path.startsWith('mpu/abort') ? '' : 'x.bin'}`.replace(
            /\/$/,
            '',
          );
        const params = { path: 'x.bin', num_parts: 1, upload_id: 'u1', part_number: 1, parts: [] };
        const raw = endpoint.request.kind === 'raw';
        const query = raw ? '?part_number=1&upload_id=u1' : endpoint.method === 'DELETE' ? '' : '';
        all.push({
          label: `artifacts: ${endpoint.method} ${prefix}${endpoint.path} in ${what}`,
          method: endpoint.method,
          url: () =>
            `${prefix}${fillPath(endpoint.path, { artifact_path: path() })}${endpoint.path.startsWith('mpu/upload-part') ? query : ''}`,
          ...(raw
            ? {
                body: () => Buffer.from('not yours'),
                headers: { 'content-type': 'application/octet-stream' },
              }
            : endpoint.method === 'DELETE'
              ? {}
              : { body: () => JSON.stringify(params), headers: { 'content-type': 'application/json' } }),
        });
      }
    }
  }
  for (const endpoint of RUN_ARTIFACT_ENDPOINTS.filter((e) => e.write)) {
    for (const prefix of endpoint.prefixes) {
      all.push({
        label: `run artifacts: ${endpoint.method} ${prefix}${endpoint.path}`,
        method: endpoint.method,
        url: () => `${prefix}${endpoint.path}?run_uuid=${runId}&path=x.bin`,
        body: () => Buffer.from('not yours'),
        headers: { 'content-type': 'application/octet-stream' },
      });
    }
  }
  for (const endpoint of TRACE_ENDPOINTS.filter((e) => e.write)) {
    for (const prefix of endpoint.prefixes) {
      const url = () =>
        `${prefix}${fillPath(endpoint.path, { trace_id: traceId, assessment_id: assessmentId })}`;
      all.push({
        label: `traces: ${endpoint.method} ${prefix}${endpoint.path}`,
        method: endpoint.method,
        url: () =>
          endpoint.method === 'DELETE'
            ? `${url()}?${new URLSearchParams({ key: 'k', trace_id: traceId })}`
            : url(),
        ...(endpoint.method === 'DELETE'
          ? {}
          : { body: () => JSON.stringify(traceParams()), headers: { 'content-type': 'application/json' } }),
      });
    }
  }
  const otlp = {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                name: 'root',
                startTimeUnixNano: '1796000000000000000',
                endTimeUnixNano: '1796000001000000000',
              },
            ],
          },
        ],
      },
    ],
  };
  all.push({
    label: `otlp: POST ${OTLP_TRACES_PATH}`,
    method: 'POST',
    url: () => OTLP_TRACES_PATH,
    body: () => JSON.stringify(otlp),
    headers: { 'content-type': 'application/json', 'x-mlflow-experiment-id': '' },
  });
  return all;
}

const send = (c: Case, credentials: Record<string, string>) =>
  app.inject({
    method: c.method,
    url: c.url(),
    ...(c.body !== undefined ? { payload: c.body() } : {}),
    headers: {
      ...c.headers,
      ...(c.headers && 'x-mlflow-experiment-id' in c.headers
        ? { 'x-mlflow-experiment-id': experimentId }
        : {}),
      ...credentials,
    },
  });

// First: the owner's writes below change the experiment (they may delete its trace).
describe("reads of another user's experiment: open to every authenticated user", () => {
  it('serves its files, its artifact listings and its traces to a user who does not own it', async () => {
    const get = (url: string) => app.inject({ method: 'GET', url, headers: ME });
    const file = await get(
      `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/notes.txt`,
    );
    expect([file.statusCode, file.body]).toEqual([200, 'run file']);
    const listing = await get(`/api/2.0/mlflow/artifacts/list?run_id=${runId}`);
    expect([listing.statusCode, listing.json()]).toMatchObject([200, { files: [{ path: 'notes.txt' }] }]);
    const trace = await get(`/api/3.0/mlflow/traces/${traceId}`);
    expect([trace.statusCode, trace.json()]).toMatchObject([
      200,
      { trace: { trace_info: { trace_id: traceId } } },
    ]);
    const spans = await get(`/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${traceId}`);
    expect([spans.statusCode, JSON.parse(spans.body).spans.length]).toEqual([200, spansOf(traceId).length]);
    const search = await app.inject({
      method: 'POST',
      url: '/api/3.0/mlflow/traces/search',
      headers: { ...ME, 'content-type': 'application/json' },
      payload: JSON.stringify({
        locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }],
      }),
    });
    expect([search.statusCode, search.json().traces.length]).toEqual([200, 1]);
  });
});

describe("writes to another user's experiment, from the protocol tables", () => {
  it('covers every write endpoint of the artifact, run-artifact and trace tables, and OTLP', () => {
    const labels = cases().map((c) => c.label);
    const writes =
      ARTIFACT_ENDPOINTS.filter((e) => e.write).reduce((n, e) => n + e.prefixes.length * 3, 0) +
      RUN_ARTIFACT_ENDPOINTS.filter((e) => e.write).reduce((n, e) => n + e.prefixes.length, 0) +
      TRACE_ENDPOINTS.filter((e) => e.write).reduce((n, e) => n + e.prefixes.length, 0) +
      1;
    expect(labels).toHaveLength(writes);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it.each(cases().map((c) => [c.label, c] as const))(
    'refuses %s with 403, and nothing changes',
    async (_label, c) => {
      const before = await snapshot();
      const res = await send(c, ME);
      expect([res.statusCode, res.json()]).toEqual([
        403,
        {
          error_code: 'PERMISSION_DENIED',
          message: expect.stringContaining("User 'me' cannot write to the experiment '/Users/other/theirs'"),
        },
      ]);
      expect(await snapshot()).toEqual(before);
    },
  );

  it.each(cases().map((c) => [c.label, c] as const))(
    'lets the owner send %s (not 401 or 403)',
    async (_label, c) => {
      const res = await send(c, OWNER);
      expect([c.label, res.statusCode]).not.toEqual([c.label, 403]);
      expect([c.label, res.statusCode]).not.toEqual([c.label, 401]);
      // Multipart uploads need S3: a local destination answers 501, as MLflow's does.
      if (res.statusCode >= 500) {
        expect([res.statusCode, res.json<{ error_code: string }>().error_code]).toEqual([
          501,
          'NOT_IMPLEMENTED',
        ]);
        expect(c.label).toMatch(/\/mpu\//);
      }
    },
  );
});

describe('registered models: no owner, every authenticated user writes them', () => {
  const writes = REGISTRY_ENDPOINTS.filter((e) => e.write);

  it.each(
    writes.flatMap((e) =>
      e.prefixes.map((prefix, i) => [`${e.method} ${prefix}${e.path}`, prefix, e, i] as const),
    ),
  )('%s by a user who did not create the model: 200', async (label, prefix, endpoint, i) => {
    // A model of the other user's, with a version from their run, a tag and an alias.
    const name = `theirs-${endpoint.method}-${endpoint.path.replace(/\W/g, '-')}-${i}`;
    await store.registry.createRegisteredModel({ name, tags: [{ key: 'k', value: 'v' }] });
    await store.registry.createModelVersion({ name, source: `runs:/${runId}/model`, runId });
    await store.registry.setModelVersionTag(name, '1', { key: 'k', value: 'v' });
    await store.registry.setRegisteredModelAlias(name, 'champion', '1');
    const params: Record<string, unknown> = {
      name: endpoint.path === 'registered-models/create' ? `${name}-new` : name,
      new_name: `${name}-renamed`,
      description: 'mine now',
      version: '1',
      key: 'k',
      value: 'v2',
      stage: 'Staging',
      archive_existing_versions: false,
      alias: 'champion',
      source: `runs:/${runId}/model`,
      run_id: runId,
    };
    const res =
      endpoint.method === 'DELETE'
        ? await app.inject({
            method: 'DELETE',
            url: `${prefix}${endpoint.path}?${new URLSearchParams(params as Record<string, string>)}`,
            headers: ME,
          })
        : await app.inject({
            method: endpoint.method,
            url: `${prefix}${endpoint.path}`,
            payload: JSON.stringify(params),
            headers: { ...ME, 'content-type': 'application/json' },
          });
    expect([label, res.statusCode, res.body]).toEqual([label, 200, expect.any(String)]);
  });
});
