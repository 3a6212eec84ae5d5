/**
 * The trace API of agentrack's server over a real connection: a trace's `traces.json` uploaded
 * through the artifact service (checked before anything is written, its spans stored as rows
 * when the trace is known in that experiment), the web UI's `get-trace-artifact`, the V2 forms
 * MLflow 3.3 still serves, 404s with MLflow's messages, and access control with users: a trace
 * is written by whoever may write its experiment.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, parseUsers } from '../../src/auth/index.js';
import { spansOf, traceInfoOf } from '../../src/client/trace-client.contract.js';
import { formatTraceData, parseTraceData } from '../../src/protocol/trace-data.js';
import { ARTIFACTS, startArtifactServer, type ArtifactServer, type RawAnswer } from './artifact-harness.js';

const V3 = '/api/3.0/mlflow';
const V2 = '/api/2.0/mlflow';
const ALICE = 'Bearer alice-token';
const BOB = 'Bearer bob-token';

let harness: ArtifactServer;
let mine: string;
let shared: string;

beforeAll(async () => {
  const users = parseUsers(
    JSON.stringify({
      users: [
        { user: 'alice', token_sha256: hashToken('alice-token') },
        { user: 'bob', token_sha256: hashToken('bob-token') },
      ],
    }),
    'users.json',
  );
  harness = await startArtifactServer({ users });
  mine = await harness.store.createExperiment({ name: '/Users/alice/agent' });
  shared = await harness.store.createExperiment({ name: '/Shared/agent' });
});
afterAll(async () => {
  await harness?.close();
});

function call(auth: string, method: string, path: string, body?: unknown): Promise<RawAnswer> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return harness.send({
    method,
    path,
    headers: { authorization: auth, ...(text === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(text === undefined ? {} : { body: text }),
  });
}

/** Starts a trace as MLflow's client does (StartTraceV3) and answers its id. */
async function startTrace(auth: string, experimentId: string): Promise<string> {
  const info = traceInfoOf(experimentId);
  const answer = await call(auth, 'POST', `${V3}/traces`, { trace: { trace_info: info } });
  expect(answer.status, answer.body.toString()).toBe(200);
  return info.trace_id;
}

function dataPath(experimentId: string, traceId: string): string {
  return `${experimentId}/traces/${traceId}/artifacts/traces.json`;
}

describe('traces.json uploaded through the artifact service', () => {
  it('stores the spans of a known trace as rows, and keeps the file as it was sent', async () => {
    const traceId = await startTrace(ALICE, shared);
    const text = formatTraceData(spansOf(traceId));
    const put = await call(ALICE, 'PUT', `${ARTIFACTS}/${dataPath(shared, traceId)}`, text);
    expect(put.status, put.body.toString()).toBe(200);
    expect(await harness.store.traces.getSpans(traceId)).toEqual(spansOf(traceId));
    const get = await call(ALICE, 'GET', `${ARTIFACTS}/${dataPath(shared, traceId)}`);
    expect(get.body.toString('utf8')).toBe(text);
  });

  it('refuses a file that is not trace data with 400, writing neither the file nor rows', async () => {
    const traceId = await startTrace(ALICE, shared);
    for (const body of ['{"spans": [', '{"not": "spans"}', '{"spans": [{"name": 1}]}']) {
      const put = await call(ALICE, 'PUT', `${ARTIFACTS}/${dataPath(shared, traceId)}`, body);
      expect(put.status, body).toBe(400);
      expect(put.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    }
    expect(existsSync(join(harness.root, dataPath(shared, traceId)))).toBe(false);
    expect(await harness.store.traces.getSpans(traceId)).toEqual([]);
  });

  it('keeps the file of an unknown trace, or of a trace of another experiment, without rows', async () => {
    const unknown = 'tr-0000000000000000000000000000beef';
    const put = await call(
      ALICE,
      'PUT',
      `${ARTIFACTS}/${dataPath(shared, unknown)}`,
      formatTraceData(spansOf(unknown)),
    );
    expect(put.status).toBe(200);
    expect(existsSync(join(harness.root, dataPath(shared, unknown)))).toBe(true);

    // Alice's trace, whose spans bob tries to replace through a path in an experiment he may write.
    const traceId = await startTrace(ALICE, mine);
    await call(ALICE, 'PUT', `${ARTIFACTS}/${dataPath(mine, traceId)}`, formatTraceData(spansOf(traceId)));
    const other = spansOf(traceId, ['forged', 'forged', 'forged']);
    const forged = await call(
      BOB,
      'PUT',
      `${ARTIFACTS}/${dataPath(shared, traceId)}`,
      formatTraceData(other),
    );
    expect(forged.status).toBe(200);
    expect((await harness.store.traces.getSpans(traceId)).map((s) => s.name)).toEqual([
      'health_check',
      'read_metrics',
      'classify',
    ]);
  });
});

describe('the trace endpoints', () => {
  it("serves a trace's spans to the web UI as traces.json: the file uploaded, else from its rows", async () => {
    const traceId = await startTrace(ALICE, shared);
    // Not what formatTraceData writes: the file kept is served as it was sent.
    const sent = formatTraceData(spansOf(traceId)).replace('{"spans":', '{ "spans" :');
    await call(ALICE, 'PUT', `${ARTIFACTS}/${dataPath(shared, traceId)}`, sent);
    const answer = await call(ALICE, 'GET', `/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${traceId}`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-disposition']).toBe('attachment; filename=traces.json');
    expect(answer.body.toString('utf8')).toBe(sent);

    // With the file deleted, its span rows remain, and the spans file is made from them.
    const deleted = await call(ALICE, 'DELETE', `${ARTIFACTS}/${dataPath(shared, traceId)}`);
    expect(deleted.status).toBe(200);
    const fromRows = await call(
      ALICE,
      'GET',
      `/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${traceId}`,
    );
    expect(fromRows.status).toBe(200);
    expect(fromRows.body.toString('utf8')).toBe(formatTraceData(spansOf(traceId)));
    expect(parseTraceData(fromRows.body.toString('utf8'), traceId)).toEqual(spansOf(traceId));

    const unknown = await call(
      ALICE,
      'GET',
      '/ajax-api/2.0/mlflow/get-trace-artifact?request_id=tr-0000000000000000000000000000dead',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: "Trace with ID 'tr-0000000000000000000000000000dead' not found.",
    });
  });

  it("serves MLflow's V2 API: start, end, info and search, in MLflow 2's TraceInfo shape", async () => {
    const start = await call(ALICE, 'POST', `${V2}/traces`, {
      experiment_id: shared,
      timestamp_ms: 1_796_123_635_877,
      request_metadata: [{ key: 'mlflow.traceInputs', value: '{"host": "web-1"}' }],
      tags: [{ key: 'flow', value: 'v2' }],
    });
    expect(start.status, start.body.toString()).toBe(200);
    const started = start.json<{ trace_info: Record<string, unknown> }>().trace_info;
    expect(started).toMatchObject({
      experiment_id: shared,
      timestamp_ms: 1_796_123_635_877,
      status: 'IN_PROGRESS',
    });
    const requestId = started.request_id as string;
    expect(requestId).toMatch(/^tr-[0-9a-f]{32}$/);

    const end = await call(ALICE, 'PATCH', `${V2}/traces/${requestId}`, {
      request_id: requestId,
      timestamp_ms: 1_796_123_635_909,
      status: 'OK',
      tags: [{ key: 'reviewed', value: 'no' }],
    });
    expect(end.status, end.body.toString()).toBe(200);
    expect(end.json<{ trace_info: Record<string, unknown> }>().trace_info).toMatchObject({
      request_id: requestId,
      execution_time_ms: 32,
      status: 'OK',
    });

    const info = await call(ALICE, 'GET', `${V2}/traces/${requestId}/info`);
    expect(info.status).toBe(200);
    const v2 = info.json<{ trace_info: { tags: { key: string }[]; request_metadata: unknown } }>().trace_info;
    expect(v2.tags.map((t) => t.key).sort()).toEqual(['flow', 'mlflow.artifactLocation', 'reviewed']);
    expect(v2.request_metadata).toEqual([{ key: 'mlflow.traceInputs', value: '{"host": "web-1"}' }]);

    const search = await call(
      ALICE,
      'GET',
      `${V2}/traces?experiment_ids=${shared}&filter=tags.flow%20%3D%20'v2'`,
    );
    expect(search.status, search.body.toString()).toBe(200);
    expect(search.json<{ traces: { request_id: string }[] }>().traces.map((t) => t.request_id)).toEqual([
      requestId,
    ]);
    const none = await call(
      ALICE,
      'GET',
      `${V2}/traces?experiment_ids=${shared}&filter=tags.flow%20%3D%20'none'`,
    );
    expect(none.json()).toEqual({});
  });

  it('answers 404 with MLflow’s messages for a missing trace or assessment, and 405 for another method', async () => {
    const missing = await call(ALICE, 'GET', `${V3}/traces/tr-0000000000000000000000000000dead`);
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: "Trace with ID 'tr-0000000000000000000000000000dead' not found.",
    });
    const traceId = await startTrace(ALICE, shared);
    const assessment = await call(
      ALICE,
      'GET',
      `${V3}/traces/${traceId}/assessments/a-00000000000000000000000000000000`,
    );
    expect(assessment.status).toBe(404);
    expect(assessment.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `Assessment with ID 'a-00000000000000000000000000000000' not found for trace '${traceId}'`,
    });
    const wrong = await call(ALICE, 'PUT', `${V3}/traces/${traceId}`);
    expect(wrong.status).toBe(405);
  });
});

describe('access control with users', () => {
  it("lets only those who may write a trace's experiment write the trace; reads are open", async () => {
    const traceId = await startTrace(ALICE, mine);
    const writes: [string, string, unknown][] = [
      ['PATCH', `${V2}/traces/${traceId}/tags`, { key: 'k', value: 'v' }],
      ['DELETE', `${V2}/traces/${traceId}/tags`, { key: 'k' }],
      [
        'POST',
        `${V3}/traces/${traceId}/assessments`,
        {
          assessment: {
            assessment_name: 'ok',
            trace_id: traceId,
            source: { source_type: 'HUMAN', source_id: 'bob' },
            feedback: { value: true },
          },
        },
      ],
      ['POST', `${V2}/traces/delete-traces`, { experiment_id: mine, request_ids: [traceId] }],
      ['POST', `${V3}/traces`, { trace: { trace_info: traceInfoOf(mine) } }],
      // Bob's trace in his own experiment cannot replace Alice's: the trace's experiment counts.
      ['POST', `${V3}/traces`, { trace: { trace_info: traceInfoOf(shared, { traceId }) } }],
    ];
    for (const [method, path, body] of writes) {
      const refused = await call(BOB, method, path, body);
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.json()).toMatchObject({ error_code: 'PERMISSION_DENIED' });
    }
    const read = await call(BOB, 'GET', `${V3}/traces/${traceId}`);
    expect(read.status).toBe(200);
    const run = await harness.store.createRun({ experimentId: shared });
    const link = await call(BOB, 'POST', `${V2}/traces/link-to-run`, {
      trace_ids: [traceId],
      run_id: run.info.run_id,
    });
    expect(link.status).toBe(403);

    const tag = await call(ALICE, 'PATCH', `${V2}/traces/${traceId}/tags`, { key: 'k', value: 'v' });
    expect(tag.status).toBe(200);
    expect((await harness.store.traces.getTraceInfo(traceId)).tags?.k).toBe('v');
    const unauthenticated = await harness.send({ method: 'GET', path: `${V3}/traces/${traceId}` });
    expect(unauthenticated.status).toBe(401);
  });
});
