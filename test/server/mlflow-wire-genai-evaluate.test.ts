import { describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/index.js';
import type { TraceInfo } from '../../src/entities/index.js';
import { send } from './artifact-harness.js';
import {
  artifactPathOf,
  canonical,
  isSummary,
  mapRunIdsInText,
  readExchanges,
  replayRequest,
  sha256,
  RECORDED_EXPERIMENTS,
  replayCases,
  useReplayServer,
} from './wire-replay.js';

// `mlflow.genai.evaluate(data, predict_fn, scorers=[status_correct, response_length, cpu_in_range])`
// over three rows, as MLflow 3.3.1's client ran it against `mlflow server`, replayed against
// agentrack over a real connection; then what it left is read back through agentrack's client.
const REPLAY_EPOCH = 1_796_123_600_000;
const SCORERS = ['status_correct', 'response_length', 'cpu_in_range'];

const exchanges = readExchanges('genai-evaluate.jsonl');
const recordedRunId = '722d90e70b394edca438ce0643a7259f';
const recordedTraceIds = [
  ...new Set(
    exchanges
      .filter((e) => e.method === 'POST' && e.path === '/api/3.0/mlflow/traces')
      .map((e) => (e.request as { trace: { trace_info: { trace_id: string } } }).trace.trace_info.trace_id),
  ),
];
const recordedAggregates = (
  exchanges.find((e) => e.path.endsWith('/runs/log-batch'))?.request as {
    metrics: { key: string; value: number }[];
  }
).metrics;

/** Replaces the recorded server-chosen run name by this server's, wherever it occurs. */
function mapText<T>(value: T, from: string, to: string): T {
  if (typeof value === 'string') return value.replaceAll(from, to) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => mapText(v, from, to)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapText(v, from, to)])) as T;
  }
  return value;
}

describe('replaying genai-evaluate.jsonl (MLflow 3.3.1 genai.evaluate with code scorers) over a real connection', () => {
  /** Recorded ids (the run's, the 32 hex of assessment ids) to this server's. */
  const ids = new Map<string, string>();
  const uploaded = new Map<string, string>();
  let recordedRunName = '';
  let runName = '';
  const replay = useReplayServer('agentrack-wire-genai-', {
    clock: REPLAY_EPOCH,
    experiments: RECORDED_EXPERIMENTS,
  });

  it.each(replayCases(exchanges, [8, 60]))('%s', async (_label, i, exchange) => {
    replay.setClock(REPLAY_EPOCH + i * 10);
    const request = replayRequest(exchange, ids, uploaded);
    const answer = await send(Number(replay.base.port), { method: exchange.method, ...request });
    const recordedType = exchange.response_headers['content-type'] ?? '';
    expect(answer.status, answer.body.toString('utf8').slice(0, 500)).toBe(exchange.status);

    if (recordedType.startsWith('application/json')) {
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      const actual = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
      if (exchange.method === 'POST' && exchange.path.endsWith('/runs/create')) {
        const recorded = (exchange.response as { run: { info: { run_id: string; run_name: string } } }).run
          .info;
        const created = (actual.run as { info: { run_id: string; run_name: string } }).info;
        expect(created.run_id).toMatch(/^[0-9a-f]{32}$/);
        // No run name given: the server picks one, as MLflow does (adjective-animal-number).
        expect(created.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
        ids.set(recorded.run_id, created.run_id);
        recordedRunName = recorded.run_name;
        runName = created.run_name;
      }
      if (exchange.method === 'POST' && exchange.path.endsWith('/assessments')) {
        const idOf = (value: unknown) =>
          (value as { assessment: { assessment_id: string } }).assessment.assessment_id;
        expect(idOf(actual)).toMatch(/^a-[0-9a-f]{32}$/);
        ids.set(idOf(exchange.response).slice(2), idOf(actual).slice(2));
      }
      const recorded = mapText(mapRunIdsInText(exchange.response, ids), recordedRunName || '\u0000', runName);
      expect(canonical(actual)).toEqual(canonical(recorded));
      return;
    }

    // A download of traces.json: the bytes uploaded, as an attachment.
    const recorded = mapRunIdsInText(exchange.response, ids);
    expect(String(answer.headers['content-type']).split(';')[0]).toBe(recordedType.split(';')[0]);
    expect(answer.headers['content-disposition']).toBe(exchange.response_headers['content-disposition']);
    if (isSummary(recorded)) {
      expect(answer.body.length).toBe(recorded.bytes);
      expect(sha256(answer.body)).toBe(
        uploaded.get(artifactPathOf(mapRunIdsInText(exchange.path, ids)) ?? ''),
      );
    } else {
      expect(answer.body.toString('utf8')).toBe(recorded);
    }
  });

  it('left the run with its aggregates, one trace per row linked to it, each with its assessments', async () => {
    const runId = ids.get(recordedRunId) as string;
    expect(runId).toBeDefined();
    const client = await TrackingClient.open(replay.base.href.replace(/\/$/, ''), { env: {} });
    try {
      const run = await client.getRun(runId);
      expect(run.info.status).toBe('FINISHED');
      expect(run.data.tags).toContainEqual({ key: 'mlflow.run.isEval', value: 'true' });
      const metrics = Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value]));
      expect(Object.keys(metrics).sort()).toEqual(SCORERS.map((s) => `${s}/mean`).sort());
      for (const { key, value } of recordedAggregates) expect(metrics[key]).toBe(value);

      // What mlflow.search_traces(run_id=...) sends finds exactly the rows' traces, over REST
      // and in the database behind it.
      const filter = `attribute.run_id = '${runId}'`;
      const overRest = await client.traces.searchTraces({ experimentIds: [run.info.experiment_id], filter });
      const inStore = await replay.store.traces.searchTraces({
        experimentIds: [run.info.experiment_id],
        filter,
      });
      expect(overRest.items.map((t) => t.trace_id).sort()).toEqual([...recordedTraceIds].sort());
      expect(inStore.items.map((t) => t.trace_id).sort()).toEqual([...recordedTraceIds].sort());
      expect(await replay.store.traces.searchTraces({ experimentIds: ['1'], filter })).toMatchObject({
        items: [],
      });

      const expected = new Map<string, TraceInfo>(
        (
          exchanges.filter((e) => e.path.endsWith('/traces/search')).at(-1)?.response as {
            traces: TraceInfo[];
          }
        ).traces.map((t) => [t.trace_id, t]),
      );
      for (const traceId of recordedTraceIds) {
        const info = await client.traces.getTraceInfo(traceId);
        expect(info.trace_metadata?.['mlflow.sourceRun']).toBe(runId);
        expect(info.state).toBe('OK');
        const assessments = info.assessments ?? [];
        const recorded = expected.get(traceId)?.assessments ?? [];
        // One feedback per scorer (source CODE) and the row's expectation (source HUMAN).
        expect(assessments.map((a) => a.assessment_name).sort()).toEqual(
          [...SCORERS, 'expected_status'].sort(),
        );
        for (const assessment of assessments) {
          const twin = recorded.find((r) => r.assessment_name === assessment.assessment_name);
          expect(assessment.feedback).toEqual(twin?.feedback);
          expect(assessment.expectation).toEqual(twin?.expectation);
          expect(assessment.source).toEqual(twin?.source);
          expect(assessment.metadata?.['mlflow.assessment.sourceRunId']).toBe(runId);
          expect(assessment.valid).toBe(true);
        }
        // The spans arrived as traces.json and are rows too.
        const trace = await client.traces.getTrace(traceId);
        expect(trace.spans.map((s) => s.name)).toEqual(['health_agent']);
        expect((await replay.store.traces.getSpans(traceId)).map((s) => s.name)).toEqual(['health_agent']);
      }
    } finally {
      await client.close();
    }
  });
});
