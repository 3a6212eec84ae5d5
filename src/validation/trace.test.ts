import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTraceData } from '../protocol/trace-data.js';
import { rejection } from '../testing/rejection.js';
import {
  validateAssessment,
  validateAssessmentChanges,
  validateAssessmentUpdateMask,
  validateDeleteTraces,
  validateSearchTracesMaxResults,
  validateSpans,
  validateTraceId,
  validateTraceInfo,
  validateTraceTag,
  validateTracesToLink,
} from './trace.js';

const TRACE = 'tr-2904acdc599a497f5f5494fa26c7da43';

describe('trace ids', () => {
  it('accepts tr- and 32 hex digits, and refuses anything else on writes', () => {
    expect(validateTraceId(TRACE)).toBe(TRACE);
    expect(rejection(() => validateTraceId(''))).toBe("Missing value for required parameter 'trace_id'.");
    expect(rejection(() => validateTraceId('tr-123'))).toMatch(/'trace_id'.*32 hexadecimal digits/);
    expect(rejection(() => validateTraceId(42))).toMatch(/'trace_id'/);
  });

  it('links at most 100 traces, with MLflow’s message', () => {
    expect(rejection(() => validateTracesToLink(Array.from({ length: 101 }, () => TRACE)))).toBe(
      'Cannot link more than 100 traces to a run in a single request. Provided 101 traces.',
    );
  });
});

describe('trace tags', () => {
  it('holds keys to the tag-key rules and truncates values to 8,000 characters', () => {
    expect(validateTraceTag('mlflow.traceName', 'health_check')).toEqual({
      key: 'mlflow.traceName',
      value: 'health_check',
    });
    expect(validateTraceTag('long', 'é'.repeat(8001)).value).toBe('é'.repeat(8000));
    expect(rejection(() => validateTraceTag('a\nb', 'v'))).toMatch(/Names may only contain alphanumerics/);
    expect(rejection(() => validateTraceTag('k'.repeat(251), 'v'))).toMatch(
      /exceeds the maximum length of 250/,
    );
    expect(rejection(() => validateTraceTag('', 'v'))).toBe("Missing value for required parameter 'key'.");
  });
});

describe('trace infos', () => {
  const info = {
    trace_id: TRACE,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '1' } },
    request_time: '2026-12-01T11:13:55.877Z',
    execution_duration: '0.032s',
    state: 'OK',
    tags: { flow: '9380291c' },
  };

  it('converts times to milliseconds and keeps the rest', () => {
    expect(validateTraceInfo(info)).toEqual({
      traceId: TRACE,
      experimentId: '1',
      requestTime: 1_796_123_635_877,
      executionTimeMs: 32,
      state: 'OK',
      metadata: {},
      tags: { flow: '9380291c' },
      assessments: [],
    });
  });

  it('refuses a missing experiment, another location, a bad state and a bad time', () => {
    expect(rejection(() => validateTraceInfo({ ...info, trace_location: {} }))).toBe(
      "Missing value for required parameter 'trace_location.mlflow_experiment.experiment_id'.",
    );
    expect(
      rejection(() =>
        validateTraceInfo({
          ...info,
          trace_location: { type: 'INFERENCE_TABLE', inference_table: { full_table_name: 'a.b.c' } },
        }),
      ),
    ).toMatch(/trace_location.type/);
    expect(rejection(() => validateTraceInfo({ ...info, state: 'DONE' }))).toMatch(/'state'/);
    expect(rejection(() => validateTraceInfo({ ...info, request_time: 1796123635877 }))).toMatch(
      /request_time/,
    );
    expect(rejection(() => validateTraceInfo({ ...info, tags: { flow: 1 } }))).toMatch(/tags.flow/);
  });
});

describe('deleting traces', () => {
  it('takes ids or a time (with an optional positive limit), never both, never neither', () => {
    expect(validateDeleteTraces({ experimentId: '1', traceIds: [TRACE] })).toEqual({
      experimentId: '1',
      traceIds: [TRACE],
    });
    expect(validateDeleteTraces({ experimentId: '1', maxTimestampMillis: 5, maxTraces: 2 })).toEqual({
      experimentId: '1',
      maxTimestampMillis: 5,
      maxTraces: 2,
    });
    expect(rejection(() => validateDeleteTraces({ experimentId: '1' }))).toBe(
      'Either `max_timestamp_millis` or `trace_ids` must be specified.',
    );
    expect(
      rejection(() => validateDeleteTraces({ experimentId: '1', traceIds: [], maxTimestampMillis: 1 })),
    ).toBe('Only one of `max_timestamp_millis` and `trace_ids` can be specified.');
    expect(
      rejection(() => validateDeleteTraces({ experimentId: '1', traceIds: [TRACE], maxTraces: 1 })),
    ).toBe("`max_traces` can't be specified if `trace_ids` is specified.");
    expect(
      rejection(() => validateDeleteTraces({ experimentId: '1', maxTimestampMillis: 1, maxTraces: -1 })),
    ).toBe('`max_traces` must be a positive integer, received -1.');
    expect(rejection(() => validateDeleteTraces({ experimentId: 'one', traceIds: [TRACE] }))).toMatch(
      /Invalid experiment ID/,
    );
  });

  it('searches 1 to 50,000 traces a page, 100 by default', () => {
    expect(validateSearchTracesMaxResults(undefined)).toBe(100);
    expect(validateSearchTracesMaxResults(50_000)).toBe(50_000);
    expect(rejection(() => validateSearchTracesMaxResults(0))).toMatch(/positive integer/);
    expect(rejection(() => validateSearchTracesMaxResults(50_001))).toMatch(/at most 50000/);
  });
});

describe('spans', () => {
  const span = {
    trace_id: TRACE,
    span_id: 'c9d26d5a82c4ce91',
    name: 'health_check',
    span_type: 'AGENT',
    status: 'OK',
    start_time_unix_nano: '1796123635877123457',
    attributes: {},
  };

  it('keeps nanosecond times as exact text, and the last of a repeated span id', () => {
    expect(validateSpans(TRACE, [span, { ...span, name: 'again' }])).toEqual([{ ...span, name: 'again' }]);
  });

  it('refuses spans of another trace, bad ids, bad statuses and times that are not integers', () => {
    expect(rejection(() => validateSpans(TRACE, [{ ...span, trace_id: 'tr-other' }]))).toMatch(
      /another trace/,
    );
    expect(rejection(() => validateSpans(TRACE, [{ ...span, span_id: 'xyz' }]))).toMatch(/span_id/);
    expect(rejection(() => validateSpans(TRACE, [{ ...span, status: 'STATUS_CODE_OK' }]))).toMatch(/status/);
    expect(rejection(() => validateSpans(TRACE, [{ ...span, start_time_unix_nano: 1.7e18 }]))).toMatch(
      /start_time_unix_nano/,
    );
    expect(
      rejection(() => validateSpans(TRACE, [{ ...span, end_time_unix_nano: '99999999999999999999' }])),
    ).toMatch(/end_time_unix_nano/);
  });

  it('accepts every traces.json of the recordings as parsed', () => {
    const url = new URL('../../test/fixtures/mlflow-wire/traces.jsonl', import.meta.url);
    const uploads = readFileSync(url, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { method: string; path: string; request: unknown })
      .filter((e) => e.method === 'PUT' && e.path.endsWith('/traces.json') && typeof e.request === 'string');
    expect(uploads.length).toBeGreaterThan(0);
    for (const upload of uploads) {
      const traceId = /traces\/(tr-[0-9a-f]{32})\//.exec(upload.path)?.[1] as string;
      const spans = parseTraceData(upload.request as string, traceId);
      expect(validateSpans(traceId, spans)).toEqual(spans);
    }
  });
});

describe('assessments', () => {
  const feedback = {
    assessment_name: 'correct_status',
    trace_id: TRACE,
    source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
    create_time: '2026-12-01T11:13:58.108Z',
    feedback: { value: true },
  };

  it('reads MLflow’s shape: exactly one of feedback and expectation, a known source type', () => {
    expect(validateAssessment(feedback)).toMatchObject({
      traceId: TRACE,
      name: 'correct_status',
      kind: 'feedback',
      payload: { value: true },
      sourceType: 'HUMAN',
      sourceId: 'sre@example.com',
      createTime: 1_796_123_638_108,
      valid: true,
    });
    expect(validateAssessment({ ...feedback, source: { source_type: 'llm_judge' } }).sourceType).toBe(
      'LLM_JUDGE',
    );
    expect(rejection(() => validateAssessment({ ...feedback, expectation: { value: 1 } }))).toBe(
      "Exactly one of 'assessment.feedback' and 'assessment.expectation' must be specified.",
    );
    expect(rejection(() => validateAssessment({ ...feedback, source: { source_type: 'ROBOT' } }))).toMatch(
      /assessment.source.source_type/,
    );
    expect(rejection(() => validateAssessment({ ...feedback, source: undefined }))).toBe(
      "Missing value for required parameter 'assessment.source'.",
    );
    expect(rejection(() => validateAssessment({ ...feedback, assessment_name: '' }))).toBe(
      "Missing value for required parameter 'assessment.assessment_name'.",
    );
    expect(rejection(() => validateAssessment({ ...feedback, feedback: { value: Number.NaN } }))).toMatch(
      /finite/,
    );
  });

  it('reads update masks in both protobuf spellings and refuses unknown fields', () => {
    expect(validateAssessmentUpdateMask('assessmentName,feedback,rationale')).toEqual([
      'assessment_name',
      'feedback',
      'rationale',
    ]);
    expect(validateAssessmentUpdateMask(['metadata', 'metadata'])).toEqual(['metadata']);
    expect(rejection(() => validateAssessmentUpdateMask(['source']))).toMatch(/update_mask/);
    expect(
      validateAssessmentChanges({ rationale: 're-checked', feedback: { value: false } }, ['rationale']),
    ).toEqual({
      rationale: 're-checked',
    });
  });
});
