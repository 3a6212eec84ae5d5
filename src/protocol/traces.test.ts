import { describe, expect, it } from 'vitest';
import type { TraceInfo } from '../entities/index.js';
import { isAgentrackError } from '../errors.js';
import type {
  IncomingRequest,
  JsonResponse,
  ParamsRequest,
  RequestCodec,
  ResponseCodec,
} from './endpoint.js';
import { TRACE_API, TRACE_ENDPOINTS, TRACE_V2_READS } from './traces.js';
import { RequestParams } from './wire/request-params.js';

const TRACE_ID = 'tr-2904acdc599a497f5f5494fa26c7da43';
const ASSESSMENT_ID = 'a-4dcd3b2f05344920ae6bede1f0a6c8a3';

function at(path: Record<string, string>): IncomingRequest {
  return { path, origin: 'http://127.0.0.1:5000', header: () => undefined };
}
function params<A>(codec: RequestCodec<A>): ParamsRequest<A> {
  if (codec.kind !== 'params') throw new Error(`a ${codec.kind} request`);
  return codec;
}
function json<R, A>(codec: ResponseCodec<R, A>): JsonResponse<R, A> {
  if (codec.kind !== 'json') throw new Error(`a ${codec.kind} response`);
  return codec;
}
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

// The info of the recording's first trace (traces.jsonl #9), as MLflow 3.3.1's server answered it.
const INFO: TraceInfo = {
  trace_id: TRACE_ID,
  trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '1' } },
  request_time: '2026-12-01T11:13:55.877Z',
  execution_duration: '0.032s',
  state: 'OK',
  trace_metadata: { 'mlflow.traceInputs': '{"host": "web-1"}', 'mlflow.sourceRun': 'r1' },
  tags: { 'mlflow.traceName': 'health_check', 'mlflow.artifactLocation': 'mlflow-artifacts:/1/traces/x' },
};

describe('the trace API table', () => {
  it("serves MLflow 3.3's paths, methods and versions", () => {
    const served = TRACE_ENDPOINTS.map((e) => `${e.method} ${e.prefixes[0]}${e.path}`);
    expect(served).toEqual([
      'POST /api/3.0/mlflow/traces',
      'POST /api/2.0/mlflow/traces',
      'PATCH /api/2.0/mlflow/traces/<trace_id>',
      'GET /api/3.0/mlflow/traces/<trace_id>',
      'POST /api/3.0/mlflow/traces/search',
      'PATCH /api/2.0/mlflow/traces/<trace_id>/tags',
      'DELETE /api/2.0/mlflow/traces/<trace_id>/tags',
      'POST /api/2.0/mlflow/traces/delete-traces',
      'POST /api/2.0/mlflow/traces/link-to-run',
      'POST /api/3.0/mlflow/traces/<trace_id>/assessments',
      'GET /api/3.0/mlflow/traces/<trace_id>/assessments/<assessment_id>',
      'PATCH /api/3.0/mlflow/traces/<trace_id>/assessments/<assessment_id>',
      'DELETE /api/3.0/mlflow/traces/<trace_id>/assessments/<assessment_id>',
      'GET /api/2.0/mlflow/traces/<trace_id>/info',
      'GET /api/2.0/mlflow/traces',
    ]);
    // Tags and deletion are MLflow's under both versions.
    expect(TRACE_API.setTraceTag.prefixes).toContain('/api/3.0/mlflow/');
    expect(TRACE_API.deleteTraces.prefixes).toContain('/api/3.0/mlflow/');
  });

  it('StartTraceV3 carries the info as trace.trace_info both ways', () => {
    const codec = params(TRACE_API.startTrace.request);
    const wire = JSON.parse(JSON.stringify(codec.encode([INFO]))) as Record<string, unknown>;
    expect(wire).toEqual({ trace: { trace_info: INFO } });
    expect(codec.decode(RequestParams.fromJson(wire), at({}))).toEqual([INFO]);
    expect(json(TRACE_API.startTrace.response).encode(INFO, [INFO])).toEqual({ trace: { trace_info: INFO } });
  });

  it('StartTraceV3 refuses a missing or mistyped info with INVALID_PARAMETER_VALUE naming the field', () => {
    const codec = params(TRACE_API.startTrace.request);
    const missing = thrown(() => codec.decode(RequestParams.fromJson({}), at({})));
    expect(isAgentrackError(missing, 'INVALID_PARAMETER_VALUE')).toBe(true);
    expect(String((missing as Error).message)).toContain("'trace'");
    const badTags = thrown(() =>
      codec.decode(RequestParams.fromJson({ trace: { trace_info: { ...INFO, tags: { a: 1 } } } }), at({})),
    );
    expect(isAgentrackError(badTags, 'INVALID_PARAMETER_VALUE')).toBe(true);
    expect(String((badTags as Error).message)).toContain('trace.trace_info.tags.a');
    const badState = thrown(() =>
      codec.decode(RequestParams.fromJson({ trace: { trace_info: { ...INFO, state: 'DONE' } } }), at({})),
    );
    expect(isAgentrackError(badState, 'INVALID_PARAMETER_VALUE')).toBe(true);
  });

  it("answers the V2 reads in MLflow 2's TraceInfo shape, and the client reads it back", () => {
    const response = json(TRACE_V2_READS.getTraceInfo.response);
    const v2 = response.encode(INFO, [TRACE_ID]);
    expect(v2).toEqual({
      trace_info: {
        request_id: TRACE_ID,
        experiment_id: '1',
        timestamp_ms: Date.parse('2026-12-01T11:13:55.877Z'),
        execution_time_ms: 32,
        status: 'OK',
        request_metadata: [
          { key: 'mlflow.traceInputs', value: '{"host": "web-1"}' },
          { key: 'mlflow.sourceRun', value: 'r1' },
        ],
        tags: [
          { key: 'mlflow.traceName', value: 'health_check' },
          { key: 'mlflow.artifactLocation', value: 'mlflow-artifacts:/1/traces/x' },
        ],
      },
    });
    expect(response.decode(v2 as Record<string, unknown>, [TRACE_ID], { get: () => null })).toEqual(INFO);
    const search = json(TRACE_V2_READS.searchTraces.response);
    expect(search.encode({ items: [] }, [{ experimentIds: ['1'] }])).toEqual({});
  });

  it('the V2 search reads experiment_ids from the query, with 100 results by default', () => {
    const codec = params(TRACE_V2_READS.searchTraces.request);
    const args = codec.decode(
      RequestParams.fromQuery({
        experiment_ids: ['1', '2'],
        filter: "trace.status = 'OK'",
        order_by: 'timestamp_ms ASC',
      }),
      at({}),
    );
    expect(args).toEqual([
      {
        experimentIds: ['1', '2'],
        maxResults: 100,
        filter: "trace.status = 'OK'",
        orderBy: ['timestamp_ms ASC'],
      },
    ]);
    const missing = thrown(() => codec.decode(RequestParams.fromQuery({}), at({})));
    expect(isAgentrackError(missing, 'INVALID_PARAMETER_VALUE')).toBe(true);
  });

  it('the V3 search reads its experiments from locations, as MLflow 3.3.1 sends them', () => {
    const codec = params(TRACE_API.searchTraces.request);
    const input = { experimentIds: ['1'], filter: "tags.flow = 'a'" };
    const wire = codec.encode([input]);
    // traces.jsonl #21, as MLflow's client sent it.
    expect(wire).toEqual({
      locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '1' } }],
      filter: "tags.flow = 'a'",
      max_results: 100,
      order_by: undefined,
      page_token: undefined,
    });
    expect(codec.decode(RequestParams.fromJson(JSON.parse(JSON.stringify(wire))), at({}))).toEqual([
      { ...input, maxResults: 100 },
    ]);
    const other = thrown(() =>
      codec.decode(
        RequestParams.fromJson({
          locations: [{ type: 'INFERENCE_TABLE', inference_table: { full_table_name: 'a.b.c' } }],
        }),
        at({}),
      ),
    );
    expect(isAgentrackError(other, 'INVALID_PARAMETER_VALUE')).toBe(true);
  });

  it("reads an assessment update's FieldMask in camel case, as MLflow's client sends it", () => {
    const codec = params(TRACE_API.updateAssessment.request);
    // traces.jsonl #55.
    const wire = {
      assessment: {
        assessment_id: ASSESSMENT_ID,
        assessment_name: 'correct_status',
        trace_id: TRACE_ID,
        feedback: { value: false },
        rationale: 're-checked',
      },
      update_mask: 'assessmentName,feedback,rationale',
    };
    const args = codec.decode(
      RequestParams.fromJson(wire),
      at({ trace_id: TRACE_ID, assessment_id: ASSESSMENT_ID }),
    );
    expect(args).toEqual([
      TRACE_ID,
      ASSESSMENT_ID,
      { assessment_name: 'correct_status', feedback: { value: false }, rationale: 're-checked' },
      ['assessment_name', 'feedback', 'rationale'],
    ]);
    const sent = codec.encode(args);
    expect(sent.update_mask).toBe('assessmentName,feedback,rationale');
  });

  it('an assessment is created on the trace its path names', () => {
    const codec = params(TRACE_API.createAssessment.request);
    const [assessment] = codec.decode(
      RequestParams.fromJson({
        assessment: {
          assessment_name: 'expected_status',
          trace_id: 'tr-other',
          source: { source_type: 'HUMAN', source_id: 'default' },
          expectation: { value: 'critical' },
        },
      }),
      at({ trace_id: TRACE_ID }),
    );
    expect(assessment).toEqual({
      assessment_name: 'expected_status',
      trace_id: TRACE_ID,
      source: { source_type: 'HUMAN', source_id: 'default' },
      expectation: { value: 'critical' },
    });
    const badSource = thrown(() =>
      codec.decode(
        RequestParams.fromJson({ assessment: { assessment_name: 'x', source: { source_type: 'ROBOT' } } }),
        at({ trace_id: TRACE_ID }),
      ),
    );
    expect(isAgentrackError(badSource, 'INVALID_PARAMETER_VALUE')).toBe(true);
  });

  it('deletion reads request_ids or a time limit, and answers how many were deleted', () => {
    const codec = params(TRACE_API.deleteTraces.request);
    expect(
      codec.decode(RequestParams.fromJson({ experiment_id: '1', request_ids: [TRACE_ID] }), at({})),
    ).toEqual([{ experimentId: '1', traceIds: [TRACE_ID] }]);
    expect(
      codec.decode(
        RequestParams.fromJson({ experiment_id: '3', max_timestamp_millis: 1796123641084, max_traces: 100 }),
        at({}),
      ),
    ).toEqual([{ experimentId: '3', maxTimestampMillis: 1796123641084, maxTraces: 100 }]);
    const response = json(TRACE_API.deleteTraces.response);
    expect(response.encode(1, [{ experimentId: '1' }])).toEqual({ traces_deleted: 1 });
    expect(response.decode({}, [{ experimentId: '1' }], { get: () => null })).toBe(0);
  });

  it('access: a call on a trace names the trace; a start names its experiment', () => {
    expect(TRACE_API.getTraceInfo.access([TRACE_ID])).toEqual({ traceId: TRACE_ID });
    expect(TRACE_API.startTrace.access([INFO])).toEqual({ experimentId: '1', traceId: TRACE_ID });
    expect(TRACE_API.linkTracesToRun.access([[TRACE_ID], 'r1'])).toEqual({
      runId: 'r1',
      traceIds: [TRACE_ID],
    });
    expect(TRACE_API.deleteTraces.access([{ experimentId: '3' }])).toEqual({ experimentId: '3' });
  });
});
