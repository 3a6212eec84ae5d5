import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Assessment, TraceInfo } from '../entities/index.js';
import { TAGS } from './conventions.js';
import {
  failedTracesTag,
  feedbackScore,
  judgeScorer,
  scorerMetric,
  withScorerTraces,
} from './scorer-traces.js';
import { evaluateGate, parseThreshold } from './thresholds.js';

// The traces `mlflow.genai.evaluate` left in MLflow 3.3.1 (its last search of the recording):
// three rows, scorers status_correct (bool), response_length (number), cpu_in_range ("yes").
const recording = readFileSync(
  new URL('../../test/fixtures/mlflow-wire/genai-evaluate.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as { path: string; response: unknown });
const search = recording.filter((e) => e.path.endsWith('/traces/search')).at(-1);
const TRACES = (search?.response as { traces: TraceInfo[] }).traces;
const RUN_ID = '722d90e70b394edca438ce0643a7259f';
const DB_1 = 'tr-9591e8306665c0e08d11f918357276c4'; // status_correct false, response_length 8
const WEB_2 = 'tr-71afb68acdba2d13e5a75c9903a06180'; // response_length 2

function feedback(traceId: string, name: string, value: Assessment['feedback']): Assessment {
  return {
    assessment_id: `a-${'0'.repeat(31)}1`,
    assessment_name: name,
    trace_id: traceId,
    source: { source_type: 'CODE', source_id: name },
    create_time: '2026-12-01T11:13:59.756Z',
    last_update_time: '2026-12-01T11:13:59.756Z',
    ...(value !== undefined ? { feedback: value } : {}),
    metadata: { 'mlflow.assessment.sourceRunId': RUN_ID },
    valid: true,
  };
}

function trace(traceId: string, assessments: Assessment[]): TraceInfo {
  return {
    trace_id: traceId,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '2' } },
    request_time: '2026-12-01T11:13:59.586Z',
    state: 'OK',
    assessments,
  };
}

describe('scorerMetric', () => {
  it.each([
    ['correctness/mean', { scorer: 'correctness', aggregate: 'mean' }],
    ['safety/harm/p90', { scorer: 'safety/harm', aggregate: 'p90' }],
    ['accuracy', undefined],
    ['/mean', undefined],
    ['correctness/', undefined],
  ])('%s', (metric, expected) => {
    expect(scorerMetric(metric)).toEqual(expected);
  });
});

describe('feedbackScore (as MLflow aggregates a feedback value)', () => {
  it.each([
    [true, 1],
    [false, 0],
    ['yes', 1],
    ['No', 0],
    [0.25, 0.25],
    ['maybe', undefined],
    [null, undefined],
    [undefined, undefined],
  ])('%j -> %j', (value, expected) => {
    expect(feedbackScore(value)).toBe(expected);
  });
});

describe('judgeScorer on the traces genai.evaluate wrote', () => {
  it('names the trace whose boolean feedback is false, for a mean that must be high', () => {
    expect(judgeScorer(parseThreshold('status_correct/mean >= 0.9'), TRACES, RUN_ID)).toEqual({
      scorer: 'status_correct',
      aggregate: 'mean',
      scored: 3,
      failed: [{ trace_id: DB_1, reason: 'value', value: false }],
    });
  });

  it('judges a numeric feedback on its own side of the threshold', () => {
    expect(judgeScorer(parseThreshold('response_length/mean >= 5'), TRACES, RUN_ID)?.failed).toEqual([
      { trace_id: WEB_2, reason: 'value', value: 2 },
    ]);
    expect(
      judgeScorer(parseThreshold('response_length/max <= 4'), TRACES, RUN_ID)?.failed.map((f) => f.trace_id),
    ).toEqual([DB_1, 'tr-5d3bf2e1db3e165193c3f981a9e035ad']);
  });

  it('a lower-is-better threshold on a boolean scorer fails the traces judged true', () => {
    const failed = judgeScorer(parseThreshold('status_correct/mean <= 0.1'), TRACES, RUN_ID)?.failed;
    expect(failed?.map((f) => f.trace_id)).toEqual([WEB_2, 'tr-5d3bf2e1db3e165193c3f981a9e035ad']);
  });

  it('"yes" passes, and nothing fails a variance but an error', () => {
    expect(judgeScorer(parseThreshold('cpu_in_range/mean >= 1'), TRACES, RUN_ID)?.failed).toEqual([]);
    expect(judgeScorer(parseThreshold('response_length/variance <= 0.1'), TRACES, RUN_ID)?.failed).toEqual(
      [],
    );
  });

  it('is undefined for a metric that is no scorer of the run (no such feedback, or no /)', () => {
    expect(judgeScorer(parseThreshold('accuracy >= 0.9'), TRACES, RUN_ID)).toBeUndefined();
    expect(judgeScorer(parseThreshold('expected_status/mean >= 0.9'), TRACES, RUN_ID)).toBeUndefined();
    expect(judgeScorer(parseThreshold('relevance/mean >= 0.9'), TRACES, RUN_ID)).toBeUndefined();
  });

  it('a scorer error fails the trace; "no" fails it; overridden and other runs\' feedback is ignored', () => {
    const traces = [
      trace('tr-00000000000000000000000000000001', [
        feedback('tr-00000000000000000000000000000001', 'correctness', {
          error: { error_code: 'SCORER_ERROR', error_message: 'KeyError: answer' },
        }),
      ]),
      trace('tr-00000000000000000000000000000002', [
        feedback('tr-00000000000000000000000000000002', 'correctness', { value: 'no' }),
      ]),
      trace('tr-00000000000000000000000000000003', [
        { ...feedback('tr-00000000000000000000000000000003', 'correctness', { value: false }), valid: false },
        feedback('tr-00000000000000000000000000000003', 'correctness', { value: true }),
      ]),
      trace('tr-00000000000000000000000000000004', [
        {
          ...feedback('tr-00000000000000000000000000000004', 'correctness', { value: false }),
          metadata: { 'mlflow.assessment.sourceRunId': 'another-run' },
        },
      ]),
    ];
    expect(judgeScorer(parseThreshold('correctness/mean >= 0.9'), traces, RUN_ID)).toEqual({
      scorer: 'correctness',
      aggregate: 'mean',
      scored: 3,
      failed: [
        { trace_id: 'tr-00000000000000000000000000000001', reason: 'error', error: 'KeyError: answer' },
        { trace_id: 'tr-00000000000000000000000000000002', reason: 'value', value: 'no' },
      ],
    });
  });
});

describe('failedTracesTag', () => {
  it('records per scorer metric the count and ids; nothing without scorer metrics', () => {
    const thresholds = ['status_correct/mean >= 0.9', 'accuracy >= 0.5'].map((t) => parseThreshold(t));
    const metrics = { 'status_correct/mean': 2 / 3, accuracy: 0.7 };
    const verdict = withScorerTraces(evaluateGate(thresholds, metrics), TRACES, RUN_ID);
    expect(JSON.parse(failedTracesTag(verdict)[TAGS.failedTraces] ?? 'null')).toEqual({
      'status_correct/mean': { failed: 1, scored: 3, traces: [DB_1] },
    });
    expect(failedTracesTag(evaluateGate(thresholds, metrics))).toEqual({});
  });

  it('shortens the longest lists to fit a tag value, keeping the counts', () => {
    const ids = Array.from({ length: 400 }, (_, i) => `tr-${i.toString(16).padStart(32, '0')}`);
    const traces = ids.map((id) => trace(id, [feedback(id, 'correctness', { value: false })]));
    const verdict = withScorerTraces(
      evaluateGate([parseThreshold('correctness/mean >= 0.9')], { 'correctness/mean': 0 }),
      traces,
      RUN_ID,
    );
    const text = failedTracesTag(verdict)[TAGS.failedTraces] ?? '';
    expect(text.length).toBeLessThanOrEqual(8000);
    const record = JSON.parse(text) as Record<string, { failed: number; scored: number; traces: string[] }>;
    expect(record['correctness/mean']?.failed).toBe(400);
    expect(record['correctness/mean']?.scored).toBe(400);
    expect(record['correctness/mean']?.traces).toEqual(
      ids.slice(0, record['correctness/mean']?.traces.length),
    );
    expect(record['correctness/mean']?.traces.length).toBeGreaterThan(150);
  });
});
