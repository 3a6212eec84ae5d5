import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTraceData } from '../../src/protocol/trace-data.js';
import { startArtifactServer, type ArtifactServer, type RawAnswer } from './artifact-harness.js';

// MLflow's own tests of traces over its tracking server, ported one for one and named after them:
// the tracing tests of tests/tracking/test_rest_tracking.py in mlflow/mlflow (the MLflow 2 era
// ones stored for reading: test_start_and_end_trace, test_start_and_end_trace_non_string_name,
// test_search_traces, test_delete_traces, test_set_and_delete_trace_tag,
// test_get_trace_artifact_handler). Each runs against a real agentrack server on 127.0.0.1 over a
// real SQLite file, with the artifact service proxying a local folder (as `mlflow server` serves
// artifacts by default since 2.x). Where MLflow's test calls MLflow's client, the requests that
// client sends are sent here, bodies and all (the V2 trace API of the client the tests were
// written for: `POST /api/2.0/mlflow/traces`, `PATCH .../traces/<id>`, `GET .../traces/<id>/info`,
// `GET .../traces`, and the span data uploaded as `traces.json` to the trace's artifact location);
// where it calls `requests`, the same requests. The assertions are MLflow's.
//
// A second block holds MLflow 3's link-to-run and assessment flows, which the stored copy of the
// test file predates (so they are not one-for-one ports; only test_link_traces_to_run keeps an
// MLflow test's name): they drive MLflow 3.3's requests as test/fixtures/mlflow-wire/traces.jsonl
// recorded them, and assert what MLflow's client reads back.

interface Pair {
  key: string;
  value: string;
}

/** A V2 trace info as MLflow 2's client reads it. */
interface TraceInfoV2 {
  request_id: string;
  experiment_id: string;
  timestamp_ms: number;
  execution_time_ms?: number;
  status: string;
  request_metadata?: Pair[];
  tags?: Pair[];
}

/** A span in MLflow 2's `traces.json` layout (`Span.to_dict()`). */
interface SpanDictV2 {
  name: unknown;
  context: { span_id: string; trace_id: string };
  parent_id: string | null;
  start_time: number;
  end_time: number | null;
  status_code: string;
  status_message: string;
  attributes: Record<string, string>;
  events: unknown[];
}

const API2 = '/api/2.0/mlflow';
const API3 = '/api/3.0/mlflow';
const ARTIFACT_PREFIX = 'mlflow-artifacts:/';

function json(server: ArtifactServer, method: string, path: string, body?: unknown): Promise<RawAnswer> {
  return server.send({
    method,
    path,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

async function ok<T>(answer: Promise<RawAnswer>): Promise<T> {
  const done = await answer;
  expect(done.status, done.body.toString('utf8').slice(0, 400)).toBe(200);
  return done.json<T>();
}

function pairs(map: Record<string, string>): Pair[] {
  return Object.entries(map).map(([key, value]) => ({ key, value }));
}

function mapOf(list: Pair[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((p) => [p.key, p.value]));
}

function withoutSystemTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith('mlflow.')));
}

/** The artifact-service path of a trace's `traces.json`, from its `mlflow.artifactLocation` tag. */
function traceDataPath(artifactLocation: string): string {
  expect(artifactLocation.startsWith(ARTIFACT_PREFIX)).toBe(true);
  return `/api/2.0/mlflow-artifacts/artifacts/${artifactLocation.slice(ARTIFACT_PREFIX.length)}/traces.json`;
}

const hex = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}`;

/**
 * MLflow 2's `MlflowClient` trace calls over REST (`start_trace`, `start_span`, `end_span`,
 * `end_trace`, `search_traces`, `_tracking_client.start_trace/end_trace/get_trace_info`), as it
 * sends them. The spans of a trace are kept here until the trace ends, as the client keeps them.
 */
class Mlflow2Client {
  readonly #server: ArtifactServer;
  readonly #spans = new Map<string, SpanDictV2[]>();
  readonly #otelTraceIds = new Map<string, string>();
  #clock = Date.now();

  constructor(server: ArtifactServer) {
    this.#server = server;
  }

  /** Milliseconds that increase by 10 at each call: the clock of traces made one after the other. */
  tick(): number {
    this.#clock += 10;
    return this.#clock;
  }

  async createExperiment(name: string): Promise<string> {
    const answer = await ok<{ experiment_id: string }>(
      json(this.#server, 'POST', `${API2}/experiments/create`, { name }),
    );
    return answer.experiment_id;
  }

  /** `_tracking_client.start_trace(experiment_id, timestamp_ms, request_metadata, tags)`. */
  async startTraceInfo(
    experimentId: string,
    timestampMs: number,
    requestMetadata: Record<string, string>,
    tags: Record<string, string>,
  ): Promise<TraceInfoV2> {
    const body = { experiment_id: experimentId, timestamp_ms: timestampMs } as Record<string, unknown>;
    if (Object.keys(requestMetadata).length > 0) body.request_metadata = pairs(requestMetadata);
    if (Object.keys(tags).length > 0) body.tags = pairs(tags);
    const answer = await ok<{ trace_info: TraceInfoV2 }>(json(this.#server, 'POST', `${API2}/traces`, body));
    return answer.trace_info;
  }

  /** `_tracking_client.end_trace(request_id, timestamp_ms, status, request_metadata, tags)`. */
  async endTraceInfo(
    requestId: string,
    timestampMs: number,
    status: string,
    requestMetadata: Record<string, string>,
    tags: Record<string, string>,
  ): Promise<TraceInfoV2> {
    const answer = await ok<{ trace_info: TraceInfoV2 }>(
      json(this.#server, 'PATCH', `${API2}/traces/${requestId}`, {
        request_id: requestId,
        timestamp_ms: timestampMs,
        status,
        request_metadata: pairs(requestMetadata),
        tags: pairs(tags),
      }),
    );
    return answer.trace_info;
  }

  /** `_tracking_client.get_trace_info(request_id)`: the answer as is (404 for a missing trace). */
  getTraceInfoAnswer(requestId: string): Promise<RawAnswer> {
    return json(this.#server, 'GET', `${API2}/traces/${requestId}/info`);
  }

  /** `start_trace(name, experiment_id)`: the trace's info written, its root span kept open. */
  async startTrace(name: unknown, experimentId: string): Promise<{ requestId: string; span: SpanDictV2 }> {
    const startMs = this.tick();
    const info = await this.startTraceInfo(experimentId, startMs, {}, {});
    const otelTraceId = hex(16);
    this.#otelTraceIds.set(info.request_id, otelTraceId);
    const span: SpanDictV2 = {
      name,
      context: { span_id: hex(8), trace_id: otelTraceId },
      parent_id: null,
      start_time: startMs * 1_000_000,
      end_time: null,
      status_code: 'UNSET',
      status_message: '',
      attributes: {
        'mlflow.traceRequestId': JSON.stringify(info.request_id),
        'mlflow.spanType': '"UNKNOWN"',
      },
      events: [],
    };
    this.#spans.set(info.request_id, [span]);
    return { requestId: info.request_id, span };
  }

  /** `start_span(name, request_id, parent_id)`. */
  startSpan(name: unknown, requestId: string, parentId: string): SpanDictV2 {
    const span: SpanDictV2 = {
      name,
      context: { span_id: hex(8), trace_id: this.#otelTraceIds.get(requestId) as string },
      parent_id: parentId,
      start_time: this.tick() * 1_000_000,
      end_time: null,
      status_code: 'UNSET',
      status_message: '',
      attributes: {
        'mlflow.traceRequestId': JSON.stringify(requestId),
        'mlflow.spanType': '"UNKNOWN"',
      },
      events: [],
    };
    this.#spans.get(requestId)?.push(span);
    return span;
  }

  /** `end_span(request_id, span_id, status)`. */
  endSpan(span: SpanDictV2, status = 'OK'): void {
    span.end_time = this.tick() * 1_000_000;
    span.status_code = status;
  }

  /**
   * `end_trace(request_id, status)`: the root span ends, the trace info is ended with the
   * trace name (always a string) and the spans are uploaded as `traces.json` to the trace's
   * artifact location.
   */
  async endTrace(requestId: string, status = 'OK'): Promise<TraceInfoV2> {
    const spans = this.#spans.get(requestId) ?? [];
    const root = spans[0] as SpanDictV2;
    this.endSpan(root, status);
    const info = await this.endTraceInfo(
      requestId,
      Math.floor((root.end_time as number) / 1_000_000),
      status,
      { 'mlflow.traceInputs': '', 'mlflow.traceOutputs': '' },
      { 'mlflow.traceName': String(root.name) },
    );
    const location = mapOf(info.tags)['mlflow.artifactLocation'] as string;
    const upload = await this.#server.send({
      method: 'PUT',
      path: traceDataPath(location),
      headers: { 'content-type': 'application/octet-stream' },
      body: JSON.stringify({ spans, request: null, response: null }),
    });
    expect(upload.status, upload.body.toString('utf8')).toBe(200);
    return info;
  }

  /** `search_traces(...)`: one page of infos, each trace's spans read from its `traces.json`. */
  async searchTraces(options: {
    experimentIds: string[];
    filter?: string;
    maxResults?: number;
    orderBy?: string[];
    pageToken?: string;
  }): Promise<{ traces: { info: TraceInfoV2; spans: SpanDictV2[] }[]; token?: string }> {
    const query = new URLSearchParams();
    for (const id of options.experimentIds) query.append('experiment_ids', id);
    if (options.filter !== undefined) query.append('filter', options.filter);
    query.append('max_results', String(options.maxResults ?? 100));
    for (const key of options.orderBy ?? []) query.append('order_by', key);
    if (options.pageToken !== undefined) query.append('page_token', options.pageToken);
    const page = await ok<{ traces?: TraceInfoV2[]; next_page_token?: string }>(
      json(this.#server, 'GET', `${API2}/traces?${query.toString()}`),
    );
    const traces = [];
    for (const info of page.traces ?? []) {
      const location = mapOf(info.tags)['mlflow.artifactLocation'] as string;
      const data = await this.#server.send({ method: 'GET', path: traceDataPath(location) });
      expect(data.status).toBe(200);
      traces.push({ info, spans: data.json<{ spans: SpanDictV2[] }>().spans });
    }
    return { traces, ...(page.next_page_token ? { token: page.next_page_token } : {}) };
  }
}

describe('tests/tracking/test_rest_tracking.py', () => {
  let server: ArtifactServer;
  let client: Mlflow2Client;
  beforeEach(async () => {
    server = await startArtifactServer();
    client = new Mlflow2Client(server);
  });
  afterEach(async () => {
    await server?.close();
  });

  it('test_start_and_end_trace', async () => {
    const experimentId = await client.createExperiment('start end trace');

    let traceInfo = await client.startTraceInfo(
      experimentId,
      1000,
      { meta1: 'apple', meta2: 'grape' },
      { tag1: 'football', tag2: 'basketball' },
    );
    expect(traceInfo.request_id).toBeTruthy();
    expect(traceInfo.experiment_id).toBe(experimentId);
    expect(traceInfo.timestamp_ms).toBe(1000);
    expect(traceInfo.execution_time_ms ?? 0).toBe(0);
    expect(traceInfo.status).toBe('IN_PROGRESS');
    expect(mapOf(traceInfo.request_metadata)).toEqual({ meta1: 'apple', meta2: 'grape' });
    expect(withoutSystemTags(mapOf(traceInfo.tags))).toEqual({ tag1: 'football', tag2: 'basketball' });

    traceInfo = await client.endTraceInfo(
      traceInfo.request_id,
      3000,
      'OK',
      { meta1: 'orange', meta3: 'banana' },
      { tag1: 'soccer', tag3: 'tennis' },
    );
    expect(traceInfo.request_id).toBeTruthy();
    expect(traceInfo.experiment_id).toBe(experimentId);
    expect(traceInfo.timestamp_ms).toBe(1000);
    expect(traceInfo.execution_time_ms).toBe(2000);
    expect(traceInfo.status).toBe('OK');
    expect(mapOf(traceInfo.request_metadata)).toEqual({ meta1: 'orange', meta2: 'grape', meta3: 'banana' });
    expect(withoutSystemTags(mapOf(traceInfo.tags))).toEqual({
      tag1: 'soccer',
      tag2: 'basketball',
      tag3: 'tennis',
    });

    const fetched = await client.getTraceInfoAnswer(traceInfo.request_id);
    expect(fetched.status).toBe(200);
    const got = fetched.json<{ trace_info: TraceInfoV2 }>().trace_info;
    expect({ ...got, request_metadata: mapOf(got.request_metadata), tags: mapOf(got.tags) }).toEqual({
      ...traceInfo,
      request_metadata: mapOf(traceInfo.request_metadata),
      tags: mapOf(traceInfo.tags),
    });
  });

  it('test_start_and_end_trace_non_string_name', async () => {
    const expId = await client.createExperiment('non-string trace');

    const span = await client.startTrace(1234, expId);
    const childSpan = client.startSpan(null, span.requestId, span.span.context.span_id);
    client.endSpan(childSpan, 'OK');
    await client.endTrace(span.requestId, 'OK');

    const { traces } = await client.searchTraces({ experimentIds: [expId] });
    expect(traces).toHaveLength(1);
    const trace = traces[0]!;
    expect(mapOf(trace.info.tags)['mlflow.traceName']).toBe('1234');
    expect(trace.info.status).toBe('OK');
    expect(trace.spans).toHaveLength(2);
    expect(trace.spans[0]!.name).toBe(1234);
    expect(trace.spans[0]!.status_code).toBe('OK');
    expect(trace.spans[1]!.name).toBeNull();
    expect(trace.spans[1]!.status_code).toBe('OK');
  });

  it('test_search_traces', async () => {
    const experimentId = await client.createExperiment('search traces');

    const createTrace = async (name: string, status: string) => {
      const span = await client.startTrace(name, experimentId);
      await client.endTrace(span.requestId, status);
      return span.requestId;
    };
    const requestId1 = await createTrace('trace1', 'OK');
    const requestId2 = await createTrace('trace2', 'OK');
    const requestId3 = await createTrace('trace3', 'ERROR');
    const requestIds = (page: { traces: { info: TraceInfoV2 }[] }) =>
      page.traces.map((t) => t.info.request_id);

    let traces = await client.searchTraces({ experimentIds: [experimentId] });
    expect(requestIds(traces)).toEqual([requestId3, requestId2, requestId1]);
    expect(traces.token).toBeUndefined();

    traces = await client.searchTraces({
      experimentIds: [experimentId],
      filter: "status = 'OK'",
      orderBy: ['timestamp ASC'],
    });
    expect(requestIds(traces)).toEqual([requestId1, requestId2]);
    expect(traces.token).toBeUndefined();

    traces = await client.searchTraces({ experimentIds: [experimentId], maxResults: 2 });
    expect(requestIds(traces)).toEqual([requestId3, requestId2]);
    expect(traces.token).toBeDefined();
    traces = await client.searchTraces({
      experimentIds: [experimentId],
      ...(traces.token !== undefined ? { pageToken: traces.token } : {}),
    });
    expect(requestIds(traces)).toEqual([requestId1]);
    expect(traces.token).toBeUndefined();
  });

  it('test_delete_traces', async () => {
    const experimentId = await client.createExperiment('delete traces');
    const createTrace = async (name: string, status: string) => {
      const span = await client.startTrace(name, experimentId);
      await client.endTrace(span.requestId, status);
      return span.requestId;
    };
    const isTraceExists = async (requestId: string) => {
      const answer = await client.getTraceInfoAnswer(requestId);
      if (answer.status === 200) return true;
      expect(answer.json<{ error_code: string }>().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
      return false;
    };
    const deleteTraces = async (body: Record<string, unknown>) =>
      (
        await ok<{ traces_deleted: number }>(
          json(server, 'POST', `${API2}/traces/delete-traces`, { experiment_id: experimentId, ...body }),
        )
      ).traces_deleted;

    // Case 1: Delete all traces under experiment ID
    let requestId1 = await createTrace('trace1', 'OK');
    let requestId2 = await createTrace('trace2', 'OK');
    expect(await isTraceExists(requestId1)).toBe(true);
    expect(await isTraceExists(requestId2)).toBe(true);

    let deletedCount = await deleteTraces({ max_timestamp_millis: 1e15 });
    expect(deletedCount).toBe(2);
    expect(await isTraceExists(requestId1)).toBe(false);
    expect(await isTraceExists(requestId2)).toBe(false);

    // Case 2: Delete with max_traces limit
    requestId1 = await createTrace('trace1', 'OK');
    requestId2 = await createTrace('trace2', 'OK');
    deletedCount = await deleteTraces({ max_traces: 1, max_timestamp_millis: 1e15 });
    expect(deletedCount).toBe(1);
    // MLflow leaves which one is deleted unchecked (its file store deletes in no order); the
    // SQL store deletes the oldest first.
    expect(await isTraceExists(requestId1)).toBe(false);
    expect(await isTraceExists(requestId2)).toBe(true);

    // Case 3: Delete with explicit request ID
    requestId1 = await createTrace('trace1', 'OK');
    requestId2 = await createTrace('trace2', 'OK');
    deletedCount = await deleteTraces({ request_ids: [requestId1] });
    expect(deletedCount).toBe(1);
    expect(await isTraceExists(requestId1)).toBe(false);
    expect(await isTraceExists(requestId2)).toBe(true);
  });

  it('test_set_and_delete_trace_tag', async () => {
    const experimentId = await client.createExperiment('set delete tag');
    let traceInfo = await client.startTraceInfo(experimentId, 1000, {}, { tag1: 'red', tag2: 'blue' });

    // Validate set tag
    await ok(
      json(server, 'PATCH', `${API2}/traces/${traceInfo.request_id}/tags`, { key: 'tag1', value: 'green' }),
    );
    traceInfo = (await client.getTraceInfoAnswer(traceInfo.request_id)).json<{ trace_info: TraceInfoV2 }>()
      .trace_info;
    expect(mapOf(traceInfo.tags).tag1).toBe('green');

    // Validate delete tag
    await ok(json(server, 'DELETE', `${API2}/traces/${traceInfo.request_id}/tags`, { key: 'tag2' }));
    traceInfo = (await client.getTraceInfoAnswer(traceInfo.request_id)).json<{ trace_info: TraceInfoV2 }>()
      .trace_info;
    expect(mapOf(traceInfo.tags)).not.toHaveProperty('tag2');
  });

  it('test_get_trace_artifact_handler', async () => {
    const experimentId = await client.createExperiment('get trace artifact');

    const span = await client.startTrace('test', experimentId);
    const requestId = span.requestId;
    span.span.attributes.fruit = JSON.stringify('apple');
    await client.endTrace(requestId);

    const response = await server.send({
      method: 'GET',
      path: `/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${requestId}`,
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-disposition']).toBe('attachment; filename=traces.json');

    // Validate content: the span reads back as the one uploaded (MLflow compares the spans
    // as `TraceData.from_dict` reads them, whichever layout the file has).
    const traceData = parseTraceData(response.body.toString('utf8'), requestId);
    expect(traceData[0]).toEqual(
      parseTraceData(JSON.stringify({ spans: [span.span], request: null, response: null }), requestId)[0],
    );
  });
});

/** A V3 trace info as MLflow 3's client sends and reads it. */
interface TraceInfoV3 {
  trace_id: string;
  trace_location: { type: string; mlflow_experiment?: { experiment_id: string } };
  request_time: string;
  execution_duration?: string;
  state: string;
  trace_metadata?: Record<string, string>;
  tags?: Record<string, string>;
  assessments?: AssessmentV3[];
  request_preview?: string;
  response_preview?: string;
}

/** An assessment as MLflow 3's client sends and reads it. */
interface AssessmentV3 {
  assessment_id?: string;
  assessment_name: string;
  trace_id: string;
  source: { source_type: string; source_id?: string };
  create_time?: string;
  last_update_time?: string;
  feedback?: { value?: unknown; error?: { error_code?: string; error_message?: string } };
  expectation?: { value?: unknown };
  rationale?: string;
  metadata?: Record<string, string>;
  overrides?: string;
  valid?: boolean;
  span_id?: string;
}

/**
 * What MLflow 3.3's client sends when a root span ends (`@mlflow.trace`, `mlflow.start_span`):
 * the trace's info (`StartTraceV3`), then its spans as `traces.json` to the artifact location
 * the answer names.
 */
async function logTraceV3(
  server: ArtifactServer,
  experimentId: string,
  name: string,
  metadata: Record<string, string> = {},
): Promise<TraceInfoV3> {
  const otelId = randomBytes(16);
  const traceId = `tr-${otelId.toString('hex')}`;
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const answer = await ok<{ trace: { trace_info: TraceInfoV3 } }>(
    json(server, 'POST', `${API3}/traces`, {
      trace: {
        trace_info: {
          trace_id: traceId,
          trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
          request_time: new Date(Number(startNs / 1_000_000n)).toISOString(),
          execution_duration: '0.001s',
          state: 'OK',
          trace_metadata: { 'mlflow.trace_schema.version': '3', 'mlflow.user': 'root', ...metadata },
          tags: { 'mlflow.traceName': name },
        },
      },
    }),
  );
  const info = answer.trace.trace_info;
  const spans = `{"spans": [{"trace_id": "${otelId.toString('base64')}", "span_id": "${randomBytes(8).toString('base64')}", "trace_state": "", "parent_span_id": "", "name": "${name}", "start_time_unix_nano": ${startNs}, "end_time_unix_nano": ${startNs + 1_000_000n}, "attributes": {"mlflow.traceRequestId": "\\"${traceId}\\"", "mlflow.spanType": "\\"CHAIN\\""}, "status": {"message": "", "code": "STATUS_CODE_OK"}}]}`;
  const upload = await server.send({
    method: 'PUT',
    path: traceDataPath(info.tags?.['mlflow.artifactLocation'] ?? ''),
    headers: { 'content-type': 'text/plain' },
    body: spans,
  });
  expect(upload.status, upload.body.toString('utf8')).toBe(200);
  return info;
}

/** `mlflow.search_traces(...)` / `MlflowClient.search_traces(...)` in MLflow 3.3: the V3 search. */
async function searchTracesV3(
  server: ArtifactServer,
  experimentId: string,
  filter?: string,
): Promise<TraceInfoV3[]> {
  const page = await ok<{ traces?: TraceInfoV3[] }>(
    json(server, 'POST', `${API3}/traces/search`, {
      locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }],
      ...(filter !== undefined ? { filter } : {}),
      max_results: 100,
    }),
  );
  return page.traces ?? [];
}

async function getTraceV3(server: ArtifactServer, traceId: string): Promise<TraceInfoV3> {
  return (await ok<{ trace: { trace_info: TraceInfoV3 } }>(json(server, 'GET', `${API3}/traces/${traceId}`)))
    .trace.trace_info;
}

/** `mlflow.log_feedback` / `log_expectation` / `log_assessment`: what MLflow 3.3 posts. */
async function logAssessment(server: ArtifactServer, assessment: AssessmentV3): Promise<AssessmentV3> {
  const now = new Date().toISOString();
  return (
    await ok<{ assessment: AssessmentV3 }>(
      json(server, 'POST', `${API3}/traces/${assessment.trace_id}/assessments`, {
        assessment: { create_time: now, last_update_time: now, valid: true, ...assessment },
      }),
    )
  ).assessment;
}

describe("MLflow 3's trace-run links and assessments (the requests of MLflow 3.3's client)", () => {
  let server: ArtifactServer;
  let client: Mlflow2Client;
  beforeEach(async () => {
    server = await startArtifactServer();
    client = new Mlflow2Client(server);
  });
  afterEach(async () => {
    await server?.close();
  });

  it('test_link_traces_to_run: linked traces are found by attribute.run_id, with those made in the run', async () => {
    const experimentId = await client.createExperiment('link traces to run test');
    const run = await ok<{ run: { info: { run_id: string } } }>(
      json(server, 'POST', `${API2}/runs/create`, { experiment_id: experimentId, start_time: Date.now() }),
    );
    const runId = run.run.info.run_id;
    const linked = [];
    for (let i = 0; i < 3; i++) linked.push((await logTraceV3(server, experimentId, `trace_${i}`)).trace_id);
    const inRun = await logTraceV3(server, experimentId, 'in_run', { 'mlflow.sourceRun': runId });
    await logTraceV3(server, experimentId, 'elsewhere');

    await ok(json(server, 'POST', `${API2}/traces/link-to-run`, { trace_ids: linked, run_id: runId }));
    // Linking again changes nothing.
    await ok(
      json(server, 'POST', `${API2}/traces/link-to-run`, { trace_ids: linked.slice(0, 1), run_id: runId }),
    );

    const found = await searchTracesV3(server, experimentId, `attribute.run_id = '${runId}'`);
    expect(found.map((t) => t.trace_id).sort()).toEqual([...linked, inRun.trace_id].sort());

    // More than 100 traces at once are refused (MLflow's limit).
    const tooMany = await json(server, 'POST', `${API2}/traces/link-to-run`, {
      trace_ids: Array.from({ length: 101 }, (_, i) => `tr-${i.toString(16).padStart(32, '0')}`),
      run_id: runId,
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json<{ error_code: string }>().error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('log_feedback and log_expectation: both are read back on the trace and by id', async () => {
    const experimentId = await client.createExperiment('assessments');
    const { trace_id: traceId } = await logTraceV3(server, experimentId, 'predict');

    const feedback = await logAssessment(server, {
      assessment_name: 'correct_status',
      trace_id: traceId,
      source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
      feedback: { value: true },
      rationale: 'cpu 93% is critical',
    });
    expect(feedback.assessment_id).toMatch(/^a-[0-9a-f]{32}$/);
    const expectation = await logAssessment(server, {
      assessment_name: 'expected_status',
      trace_id: traceId,
      source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
      expectation: { value: { status: 'critical', hosts: ['web-1'] } },
    });
    const failed = await logAssessment(server, {
      assessment_name: 'relevance',
      trace_id: traceId,
      source: { source_type: 'CODE', source_id: 'relevance' },
      feedback: { error: { error_code: 'SCORER_ERROR', error_message: 'KeyError: answer' } },
    });

    const info = await getTraceV3(server, traceId);
    expect(info.assessments?.map((a) => a.assessment_id)).toEqual([
      feedback.assessment_id,
      expectation.assessment_id,
      failed.assessment_id,
    ]);
    const byId = await ok<{ assessment: AssessmentV3 }>(
      json(server, 'GET', `${API3}/traces/${traceId}/assessments/${feedback.assessment_id}`),
    );
    expect(byId.assessment).toMatchObject({
      assessment_name: 'correct_status',
      trace_id: traceId,
      source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
      feedback: { value: true },
      rationale: 'cpu 93% is critical',
      valid: true,
    });
    expect(info.assessments?.[1]?.expectation).toEqual({ value: { status: 'critical', hosts: ['web-1'] } });
    expect(info.assessments?.[2]?.feedback?.error).toEqual({
      error_code: 'SCORER_ERROR',
      error_message: 'KeyError: answer',
    });

    const unknownTrace = await json(server, 'POST', `${API3}/traces/tr-${'0'.repeat(28)}dead/assessments`, {
      assessment: { ...byId.assessment, assessment_id: undefined, trace_id: `tr-${'0'.repeat(28)}dead` },
    });
    expect(unknownTrace.status).toBe(404);
    expect(unknownTrace.json<{ error_code: string }>().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('update_assessment and override_feedback: the overridden one becomes invalid', async () => {
    const experimentId = await client.createExperiment('update assessments');
    const { trace_id: traceId } = await logTraceV3(server, experimentId, 'predict');
    const original = await logAssessment(server, {
      assessment_name: 'correct_status',
      trace_id: traceId,
      source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
      feedback: { value: true },
      rationale: 'cpu 93% is critical',
    });
    const id = original.assessment_id as string;

    const updated = await ok<{ assessment: AssessmentV3 }>(
      json(server, 'PATCH', `${API3}/traces/${traceId}/assessments/${id}`, {
        assessment: {
          assessment_id: id,
          assessment_name: 'correct_status',
          trace_id: traceId,
          feedback: { value: false },
          rationale: 're-checked',
        },
        update_mask: 'assessmentName,feedback,rationale',
      }),
    );
    expect(updated.assessment).toMatchObject({
      assessment_id: id,
      source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
      feedback: { value: false },
      rationale: 're-checked',
      valid: true,
    });

    const override = await logAssessment(server, {
      assessment_name: 'correct_status',
      trace_id: traceId,
      source: { source_type: 'CODE', source_id: 'default' },
      feedback: { value: true },
      rationale: 'overridden by lead',
      overrides: id,
    });
    expect(override.overrides).toBe(id);
    expect(override.valid).toBe(true);
    const old = await ok<{ assessment: AssessmentV3 }>(
      json(server, 'GET', `${API3}/traces/${traceId}/assessments/${id}`),
    );
    expect(old.assessment).toMatchObject({ feedback: { value: false }, valid: false });
    const info = await getTraceV3(server, traceId);
    expect(info.assessments?.map((a) => [a.assessment_id, a.valid])).toEqual([
      [id, false],
      [override.assessment_id, true],
    ]);
  });

  it('delete_assessment: gone from the trace, then 404 by id', async () => {
    const experimentId = await client.createExperiment('delete assessments');
    const { trace_id: traceId } = await logTraceV3(server, experimentId, 'predict');
    const kept = await logAssessment(server, {
      assessment_name: 'correct_status',
      trace_id: traceId,
      source: { source_type: 'HUMAN', source_id: 'sre' },
      feedback: { value: true },
    });
    const removed = await logAssessment(server, {
      assessment_name: 'expected_status',
      trace_id: traceId,
      source: { source_type: 'HUMAN', source_id: 'sre' },
      expectation: { value: 'critical' },
    });
    await ok(
      json(server, 'DELETE', `${API3}/traces/${traceId}/assessments/${removed.assessment_id}`, {
        trace_id: traceId,
        assessment_id: removed.assessment_id,
      }),
    );
    const info = await getTraceV3(server, traceId);
    expect(info.assessments?.map((a) => a.assessment_id)).toEqual([kept.assessment_id]);
    const gone = await json(server, 'GET', `${API3}/traces/${traceId}/assessments/${removed.assessment_id}`);
    expect(gone.status).toBe(404);
    expect(gone.json<{ error_code: string; message: string }>()).toMatchObject({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
    });
    expect(gone.json<{ message: string }>().message).toContain('not found');
  });
});
