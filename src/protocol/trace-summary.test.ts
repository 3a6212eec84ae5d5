import { describe, expect, it } from 'vitest';
import type { Span } from '../entities/index.js';
import { summarizeTrace } from './trace-summary.js';

const TRACE = 'tr-2904acdc599a497f5f5494fa26c7da43';

function span(overrides: Partial<Span>): Span {
  return {
    trace_id: TRACE,
    span_id: 'e1be3b0527ae37b2',
    name: 'health_check',
    span_type: 'AGENT',
    status: 'OK',
    start_time_unix_nano: '1796123635877083937',
    end_time_unix_nano: '1796123635909688375',
    attributes: {},
    ...overrides,
  };
}

describe('summarizeTrace', () => {
  it('makes the info from the root span: times rounded down to milliseconds, state, name, inputs and outputs', () => {
    const child = span({
      span_id: '3a3eb3297d9dd00a',
      parent_span_id: 'e1be3b0527ae37b2',
      name: 'tool',
      status: 'ERROR',
    });
    const root = span({
      attributes: { 'mlflow.spanInputs': { host: 'web-1' }, 'mlflow.spanOutputs': 'critical' },
    });
    expect(
      summarizeTrace(TRACE, [child, root], {
        experimentId: '7',
        metadata: { 'mlflow.sourceRun': 'r1' },
        tags: { flow: 'a' },
      }),
    ).toEqual({
      trace_id: TRACE,
      trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '7' } },
      request_time: '2026-12-01T11:13:55.877Z',
      execution_duration: '0.032s',
      state: 'OK',
      request_preview: '{"host":"web-1"}',
      response_preview: '"critical"',
      trace_metadata: {
        'mlflow.traceInputs': '{"host":"web-1"}',
        'mlflow.traceOutputs': '"critical"',
        'mlflow.trace_schema.version': '3',
        'mlflow.sourceRun': 'r1',
      },
      tags: { flow: 'a', 'mlflow.traceName': 'health_check' },
    });
    expect(summarizeTrace(TRACE, [span({ status: 'ERROR' })], { experimentId: '7' }).state).toBe('ERROR');
  });

  it('cuts inputs and outputs to 250 characters in the metadata and 1000 in the previews, as MLflow does', () => {
    const long = 'x'.repeat(2000);
    const info = summarizeTrace(TRACE, [span({ attributes: { 'mlflow.spanInputs': long } })], {
      experimentId: '7',
    });
    expect(info.trace_metadata?.['mlflow.traceInputs']).toBe(`"${'x'.repeat(246)}...`);
    expect(info.request_preview).toBe(`"${'x'.repeat(996)}...`);
    expect(info.response_preview).toBe('');
    expect(info.trace_metadata?.['mlflow.traceOutputs']).toBe('');
  });

  it('is IN_PROGRESS from its earliest span while the root has not arrived (or not ended)', () => {
    const late = span({
      span_id: '3a3eb3297d9dd00a',
      parent_span_id: 'e1be3b0527ae37b2',
      start_time_unix_nano: '1796123636000000000',
    });
    const early = span({
      span_id: '3a3eb3297d9dd00b',
      parent_span_id: 'e1be3b0527ae37b2',
      start_time_unix_nano: '1796123635999999999',
    });
    expect(summarizeTrace(TRACE, [late, early], { experimentId: '7' })).toEqual({
      trace_id: TRACE,
      trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '7' } },
      request_time: '2026-12-01T11:13:55.999Z',
      state: 'IN_PROGRESS',
      trace_metadata: { 'mlflow.trace_schema.version': '3' },
    });
    const open = summarizeTrace(TRACE, [span({ end_time_unix_nano: undefined })], { experimentId: '7' });
    expect(open).toMatchObject({ state: 'IN_PROGRESS', tags: { 'mlflow.traceName': 'health_check' } });
    expect(open.execution_duration).toBeUndefined();
  });
});
