import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TRACE_ARTIFACT_LOCATION_TAG,
  TRACE_DATA_FILE,
  TRACE_NAME_TAG,
  TRACE_SOURCE_RUN_KEY,
  type Span,
  type TraceInfo,
  type TraceState,
} from '../entities/index.js';
import { parseTraceData } from '../protocol/trace-data.js';
import { formatProtoTimestamp } from '../utils/protobuf-time.js';
import type { TraceClient } from './trace-client.js';
import { expectError } from './tracking-client.contract.js';
import type { TrackingClient } from './tracking-client.js';

/** A fresh, empty backend for one trace test, and how to dispose of it. */
export interface TraceContractBackend {
  /** A tracking client on the backend; its `traces` is the client under test. */
  client: TrackingClient;
  /**
   * The `traces.json` text in a trace's artifact location (`undefined` when there is none), as
   * MLflow's client downloads it.
   */
  readTraceData: (info: TraceInfo) => Promise<string | undefined>;
  cleanup: () => Promise<void>;
}

/**
 * Reads a trace's `traces.json` as MLflow's client downloads it from an agentrack server at
 * `serverUrl` (a backend's `readTraceData`): through the server's artifact service, which
 * answers a known trace's file from the database.
 */
export function downloadTraceData(serverUrl: string): (info: TraceInfo) => Promise<string | undefined> {
  return async (info) => {
    const location = info.tags?.[TRACE_ARTIFACT_LOCATION_TAG];
    if (location === undefined) return undefined;
    const path = `${location.replace(/^mlflow-artifacts:\/*/, '')}/${TRACE_DATA_FILE}`;
    const answer = await fetch(`${serverUrl}/api/2.0/mlflow-artifacts/artifacts/${path}`);
    if (answer.status === 404) return undefined;
    if (!answer.ok) throw new Error(`download of ${path}: HTTP ${answer.status}`);
    return answer.text();
  };
}

/** A new trace id, as MLflow's client makes one from an OpenTelemetry trace id. */
export function newTraceId(): string {
  return `tr-${randomUUID().replaceAll('-', '')}`;
}

/** A trace's info as MLflow 3.3's client sends it when the root span ends (see `traces.jsonl`). */
export function traceInfoOf(
  experimentId: string,
  options: {
    traceId?: string;
    requestTimeMs?: number;
    state?: TraceState;
    tags?: Record<string, string>;
    metadata?: Record<string, string>;
    durationMs?: number;
  } = {},
): TraceInfo {
  return {
    trace_id: options.traceId ?? newTraceId(),
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
    request_time: formatProtoTimestamp(options.requestTimeMs ?? 1_796_123_635_877),
    execution_duration: `${((options.durationMs ?? 32) / 1000).toFixed(3)}s`,
    state: options.state ?? 'OK',
    trace_metadata: {
      'mlflow.traceInputs': '{"host": "web-1"}',
      'mlflow.traceOutputs': '"critical"',
      'mlflow.trace_schema.version': '3',
      ...options.metadata,
    },
    tags: { [TRACE_NAME_TAG]: 'health_check', ...options.tags },
    request_preview: '{"host": "web-1"}',
    response_preview: '"critical"',
  };
}

// Beyond 2^53: a double would round the last digits of these times.
const T0 = 1_796_123_635_877_123_457n;

/** A root span with two children (a tool and an LLM call), the LLM one failed, as rows. */
export function spansOf(
  traceId: string,
  names: readonly string[] = ['health_check', 'read_metrics', 'classify'],
): Span[] {
  const ids = ['c9d26d5a82c4ce91', 'ee437b654cafd2cb', '6184c5c7c223e138'];
  const types = ['AGENT', 'TOOL', 'LLM'];
  return names.slice(0, 3).map((name, i) => {
    const span: Span = {
      trace_id: traceId,
      span_id: ids[i] as string,
      name,
      span_type: types[i] as string,
      status: i === 2 ? 'ERROR' : 'OK',
      start_time_unix_nano: (T0 + BigInt(i) * 1_001n).toString(),
      end_time_unix_nano: (T0 + 900_000n - BigInt(i)).toString(),
      attributes: {
        'mlflow.spanType': types[i],
        'mlflow.spanInputs': { host: 'web-1', note: 'überprüft ✓ 検査' },
        'mlflow.spanOutputs': i === 1 ? { cpu: 93.5, memory: 61.5 } : 'critical',
      },
    };
    if (i > 0) span.parent_span_id = ids[0] as string;
    if (i === 2) {
      span.status_message = 'ValueError: bad reading';
      span.events = [
        {
          name: 'exception',
          time_unix_nano: (T0 + 800_000n).toString(),
          attributes: { 'exception.type': 'ValueError', 'exception.message': 'bad reading' },
        },
      ];
    }
    return span;
  });
}

const ids = (items: readonly TraceInfo[]) => items.map((t) => t.trace_id);

/**
 * The TraceClient contract: every backend (the embedded store, REST against an agentrack
 * server) must pass it unchanged. `open` returns a backend on a fresh, empty store.
 */
export function describeTraceClientContract(
  backendName: string,
  open: () => Promise<TraceContractBackend>,
): void {
  describe(`TraceClient contract: ${backendName}`, () => {
    let backend: TraceContractBackend;
    let client: TrackingClient;
    let traces: TraceClient;
    let experimentId: string;

    beforeEach(async () => {
      backend = await open();
      client = backend.client;
      traces = client.traces;
      experimentId = await client.createExperiment(`/Shared/agent/development-${randomUUID().slice(0, 8)}`);
    });
    afterEach(async () => {
      await backend.cleanup();
    });

    /** Logs `n` traces one millisecond apart (the oldest first), with their spans. */
    async function logTraces(
      n: number,
      options: Parameters<typeof traceInfoOf>[1] = {},
    ): Promise<TraceInfo[]> {
      const out: TraceInfo[] = [];
      for (let i = 0; i < n; i++) {
        const info = traceInfoOf(experimentId, {
          ...options,
          requestTimeMs: (options.requestTimeMs ?? 1_796_123_600_000) + i,
        });
        out.push((await traces.logTrace({ info, spans: spansOf(info.trace_id) })).info);
      }
      return out;
    }

    describe('trace infos', () => {
      it('stores an info as MLflow answers StartTraceV3, adding the artifact location tag', async () => {
        const info = traceInfoOf(experimentId, { tags: { flow: '9380291c' } });
        const stored = await traces.startTrace(info);
        const experiment = await client.getExperiment(experimentId);
        expect(stored).toEqual({
          ...info,
          tags: {
            ...info.tags,
            [TRACE_ARTIFACT_LOCATION_TAG]: `${experiment.artifact_location}/traces/${info.trace_id}/artifacts`,
          },
        });
        expect(stored.request_time).toBe('2026-12-01T11:13:55.877Z');
        expect(stored.execution_duration).toBe('0.032s');
        expect(await traces.getTraceInfo(info.trace_id)).toEqual(stored);
      });

      it('replaces the info when the same trace is written again (a retry), keeping its assessments', async () => {
        const info = traceInfoOf(experimentId, { tags: { flow: 'a', old: 'x' } });
        await traces.startTrace(info);
        const assessment = await traces.logAssessment({
          assessment_name: 'correct_status',
          trace_id: info.trace_id,
          source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
          feedback: { value: true },
        });
        const again = await traces.startTrace({ ...info, state: 'ERROR', tags: { flow: 'b' } });
        expect(again.state).toBe('ERROR');
        expect(again.tags).toEqual({ flow: 'b', [TRACE_ARTIFACT_LOCATION_TAG]: expect.any(String) });
        const read = await traces.getTraceInfo(info.trace_id);
        expect(read.tags).toEqual(again.tags);
        expect(read.assessments?.map((a) => a.assessment_id)).toEqual([assessment.assessment_id]);
      });

      it('refuses an unknown or deleted experiment, a malformed id and a malformed time', async () => {
        await expectError(
          traces.startTrace(traceInfoOf('424242')),
          'RESOURCE_DOES_NOT_EXIST',
          /No Experiment with id=424242/,
        );
        const gone = await client.createExperiment('gone');
        await client.deleteExperiment(gone);
        await expectError(
          traces.startTrace(traceInfoOf(gone)),
          'INVALID_PARAMETER_VALUE',
          /must be in the 'active' state/,
        );
        await expectError(
          traces.startTrace({ ...traceInfoOf(experimentId), trace_id: 'trace-1' }),
          'INVALID_PARAMETER_VALUE',
          /trace_id/,
        );
        await expectError(
          traces.startTrace({ ...traceInfoOf(experimentId), request_time: 'yesterday' }),
          'INVALID_PARAMETER_VALUE',
          /request_time/,
        );
      });

      it('answers RESOURCE_DOES_NOT_EXIST for an unknown trace, with MLflow’s message', async () => {
        await expectError(
          traces.getTraceInfo('tr-0000000000000000000000000000dead'),
          'RESOURCE_DOES_NOT_EXIST',
          "Trace with ID 'tr-0000000000000000000000000000dead' not found.",
        );
        await expectError(traces.getTrace('tr-0000000000000000000000000000dead'), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('reads several infos in the order given, leaving unknown ids out', async () => {
        const [a, b] = await logTraces(2);
        const got = await traces.getTraceInfos([b!.trace_id, newTraceId(), a!.trace_id]);
        expect(ids(got)).toEqual([b!.trace_id, a!.trace_id]);
        await expectError(
          traces.getTraceInfos(Array.from({ length: 101 }, () => newTraceId())),
          'INVALID_PARAMETER_VALUE',
        );
      });

      it('names the experiment of a trace from the store, RESOURCE_DOES_NOT_EXIST for an unknown one', async () => {
        const [info] = await logTraces(1);
        expect(await traces.store.getTraceExperimentId(info!.trace_id)).toBe(experimentId);
        await expectError(traces.store.getTraceExperimentId(newTraceId()), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('starts and ends a trace with the V2 API', async () => {
        const started = await client.traces.store.startTraceV2({
          experimentId,
          timestampMs: 1_796_123_600_000,
          metadata: { 'mlflow.user': 'root' },
          tags: { flow: 'v2' },
        });
        expect(started.trace_id).toMatch(/^tr-[0-9a-f]{32}$/);
        expect(started.state).toBe('IN_PROGRESS');
        expect(started.execution_duration).toBeUndefined();
        expect(started.tags?.[TRACE_ARTIFACT_LOCATION_TAG]).toMatch(
          new RegExp(`/traces/${started.trace_id}/artifacts$`),
        );
        const ended = await client.traces.store.endTrace(started.trace_id, {
          state: 'OK',
          endTimeMs: 1_796_123_601_500,
          metadata: { 'mlflow.traceOutputs': '"ok"' },
          tags: { reviewed: 'no' },
        });
        expect(ended.state).toBe('OK');
        expect(ended.execution_duration).toBe('1.500s');
        expect(ended.trace_metadata).toEqual({ 'mlflow.user': 'root', 'mlflow.traceOutputs': '"ok"' });
        expect(ended.tags).toEqual({
          flow: 'v2',
          reviewed: 'no',
          [TRACE_ARTIFACT_LOCATION_TAG]: expect.any(String),
        });
        expect(await traces.getTraceInfo(started.trace_id)).toEqual(ended);
        await expectError(
          client.traces.store.endTrace(newTraceId(), { state: 'OK', endTimeMs: 1 }),
          'RESOURCE_DOES_NOT_EXIST',
        );
      });
    });

    describe('spans', () => {
      it('logs a whole trace and reads it back exactly: nanosecond times, parents, types, events, Unicode', async () => {
        const info = traceInfoOf(experimentId, { tags: { note: 'vérifié ✓ 確認済み 🚀' } });
        const spans = spansOf(info.trace_id, ['health_check', 'read_metrics', 'classify — 分類']);
        const logged = await traces.logTrace({ info, spans });
        expect(logged.spans).toEqual(spans);
        const trace = await traces.getTrace(info.trace_id);
        expect(trace.info).toEqual(logged.info);
        expect(trace.info.tags?.note).toBe('vérifié ✓ 確認済み 🚀');
        expect(trace.spans).toEqual(spans);
        expect(trace.spans[0]?.start_time_unix_nano).toBe('1796123635877123457');
        expect(trace.spans[2]?.end_time_unix_nano).toBe('1796123635878023455');
      });

      it('writes traces.json where the artifact location tag points, readable as MLflow’s client reads it', async () => {
        const info = traceInfoOf(experimentId);
        const { info: stored } = await traces.logTrace({ info, spans: spansOf(info.trace_id) });
        const text = await backend.readTraceData(stored);
        expect(text).toBeDefined();
        expect(text).toContain('"start_time_unix_nano":1796123635877123457');
        expect(parseTraceData(text as string, info.trace_id)).toEqual(spansOf(info.trace_id));
      });

      it('reads spans back in start order (as integers, then by id) with every attribute and event value as sent', async () => {
        const info = await traces.startTrace(traceInfoOf(experimentId));
        const span = (id: string, start: string, extra: Partial<Span> = {}): Span => ({
          trace_id: info.trace_id,
          span_id: id,
          name: `span ${id}`,
          span_type: 'UNKNOWN',
          status: 'UNSET',
          start_time_unix_nano: start,
          attributes: {},
          ...extra,
        });
        const late = span('0000000000000003', '1000', {
          parent_span_id: '0000000000000001',
          end_time_unix_nano: '9223372036854775807',
          status: 'ERROR',
          status_message: 'a "quoted", multi\nline message',
          attributes: {
            none: null,
            nested: { none: null, list: [1, null, 'x'] },
            big: 1e300,
            neg: -0.5,
            empty: '',
          },
          events: [{ name: 'e', time_unix_nano: '1001', attributes: { none: null, deep: { none: null } } }],
        });
        const sameStart = span('0000000000000002', '999', { attributes: { 'mlflow.spanInputs': '"q"' } });
        const first = span('0000000000000001', '999');
        await traces.store.logSpans(info.trace_id, [late, sameStart, first]);
        expect(await traces.store.getSpans(info.trace_id)).toEqual([first, sameStart, late]);
      });

      it('reads no spans of a trace that has none', async () => {
        const info = await traces.startTrace(traceInfoOf(experimentId));
        expect(await traces.store.getSpans(info.trace_id)).toEqual([]);
      });

      it('upserts spans by id: a span sent again replaces its row, others are added', async () => {
        const info = await traces.startTrace(traceInfoOf(experimentId));
        const [root, tool, llm] = spansOf(info.trace_id);
        await traces.store.logSpans(info.trace_id, [tool!, llm!]);
        await traces.store.logSpans(info.trace_id, [root!, { ...llm!, name: 'classify_v2', status: 'OK' }]);
        const read = await traces.store.getSpans(info.trace_id);
        expect(read.map((s) => [s.name, s.status])).toEqual([
          ['health_check', 'OK'],
          ['read_metrics', 'OK'],
          ['classify_v2', 'OK'],
        ]);
      });

      it('refuses a trace whose spans belong to another trace, writing nothing', async () => {
        const info = traceInfoOf(experimentId);
        await expectError(
          traces.logTrace({ info, spans: spansOf(newTraceId()) }),
          'INVALID_PARAMETER_VALUE',
          /another trace/,
        );
        await expectError(traces.getTraceInfo(info.trace_id), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('refuses spans of an unknown trace and malformed spans', async () => {
        const unknown = newTraceId();
        await expectError(traces.store.logSpans(unknown, spansOf(unknown)), 'RESOURCE_DOES_NOT_EXIST');
        const info = await traces.startTrace(traceInfoOf(experimentId));
        const [root] = spansOf(info.trace_id);
        await expectError(
          traces.store.logSpans(info.trace_id, [{ ...root!, start_time_unix_nano: '1.5e18' }]),
          'INVALID_PARAMETER_VALUE',
        );
      });
    });

    describe('tags', () => {
      it('sets, overwrites and deletes a trace tag', async () => {
        const info = await traces.startTrace(traceInfoOf(experimentId));
        await traces.setTraceTag(info.trace_id, 'reviewed', 'no');
        await traces.setTraceTag(info.trace_id, 'reviewed', 'yes ✓');
        expect((await traces.getTraceInfo(info.trace_id)).tags?.reviewed).toBe('yes ✓');
        await traces.deleteTraceTag(info.trace_id, 'reviewed');
        expect((await traces.getTraceInfo(info.trace_id)).tags?.reviewed).toBeUndefined();
      });

      it('truncates a long value to 8,000 characters and refuses bad keys, missing tags and unknown traces', async () => {
        const info = await traces.startTrace(traceInfoOf(experimentId));
        await traces.setTraceTag(info.trace_id, 'long', 'x'.repeat(9000));
        expect((await traces.getTraceInfo(info.trace_id)).tags?.long).toHaveLength(8000);
        await expectError(traces.setTraceTag(info.trace_id, 'bad\nkey', 'v'), 'INVALID_PARAMETER_VALUE');
        await expectError(traces.setTraceTag(info.trace_id, 'k'.repeat(251), 'v'), 'INVALID_PARAMETER_VALUE');
        await expectError(traces.deleteTraceTag(info.trace_id, 'never-set'), 'RESOURCE_DOES_NOT_EXIST');
        await expectError(traces.setTraceTag(newTraceId(), 'k', 'v'), 'RESOURCE_DOES_NOT_EXIST');
      });
    });

    describe('search', () => {
      it('lists the newest first (then by trace id), with tags, metadata and assessments (as MLflow 3.3 answers)', async () => {
        const logged = await logTraces(3);
        await traces.logAssessment({
          assessment_name: 'ok',
          trace_id: logged[0]!.trace_id,
          source: { source_type: 'CODE', source_id: 'scorer' },
          feedback: { value: 1 },
        });
        const page = await traces.searchTraces({ experimentIds: [experimentId] });
        expect(ids(page.items)).toEqual(ids(logged).reverse());
        expect(page.nextPageToken).toBeUndefined();
        for (const item of page.items) {
          expect(item.tags?.[TRACE_NAME_TAG]).toBe('health_check');
          expect(item.trace_metadata?.['mlflow.trace_schema.version']).toBe('3');
          // What a search answers is what reading each trace answers, assessments included.
          expect(item).toEqual(await traces.getTraceInfo(item.trace_id));
        }
        expect(page.items.at(-1)?.assessments).toHaveLength(1);
        expect(page.items[0]?.assessments).toBeUndefined();
      });

      it('filters on status, tags, metadata, name, time and spans', async () => {
        const [a] = await logTraces(1, { tags: { flow: 'a' } });
        const [b] = await logTraces(1, {
          tags: { flow: 'b' },
          state: 'ERROR',
          metadata: { 'mlflow.modelId': 'm-1' },
        });
        const search = async (filter: string) =>
          ids((await traces.searchTraces({ experimentIds: experimentId, filter })).items);
        expect(await search("trace.status = 'ERROR'")).toEqual([b!.trace_id]);
        expect(await search("tags.flow = 'a'")).toEqual([a!.trace_id]);
        expect(await search("request_metadata.`mlflow.modelId` = 'm-1'")).toEqual([b!.trace_id]);
        expect(await search("trace.name = 'health_check' AND tags.flow = 'b'")).toEqual([b!.trace_id]);
        expect(await search('trace.timestamp_ms > 0')).toHaveLength(2);
        expect(await search("span.type = 'LLM' AND span.status = 'ERROR'")).toHaveLength(2);
        expect(await search("span.name = 'nothing-like-this'")).toEqual([]);
        await expectError(
          traces.searchTraces({ experimentIds: experimentId, filter: 'trace.status = ' }),
          'INVALID_PARAMETER_VALUE',
        );
      });

      it('pages with tokens: no repeats, no skips, and a token belongs to its query', async () => {
        const logged = await logTraces(5);
        const seen: string[] = [];
        let pages = 0;
        for await (const page of traces.searchTracesPages({ experimentIds: [experimentId], maxResults: 2 })) {
          pages += 1;
          seen.push(...ids(page.items));
        }
        expect(pages).toBe(3);
        expect(seen).toEqual(ids(logged).reverse());
        const all: string[] = [];
        for await (const info of traces.iterateTraces({
          experimentIds: [experimentId],
          maxResults: 2,
          orderBy: ['timestamp_ms ASC'],
        })) {
          all.push(info.trace_id);
        }
        expect(all).toEqual(ids(logged));
        const first = await traces.searchTraces({ experimentIds: [experimentId], maxResults: 2 });
        await expectError(
          traces.searchTraces({
            experimentIds: [experimentId],
            maxResults: 2,
            filter: "trace.status = 'OK'",
            pageToken: first.nextPageToken!,
          }),
          'INVALID_PARAMETER_VALUE',
        );
        await expectError(
          traces.searchTraces({ experimentIds: [experimentId], maxResults: 0 }),
          'INVALID_PARAMETER_VALUE',
        );
      });
    });

    describe('runs', () => {
      it('finds a trace by its run: the mlflow.sourceRun metadata, or a link made with link-to-run', async () => {
        const run = (await client.createRun(experimentId)).info.run_id;
        const [inside] = await logTraces(1, { metadata: { [TRACE_SOURCE_RUN_KEY]: run } });
        const [linked, other] = await logTraces(2);
        await traces.linkTracesToRun([linked!.trace_id], run);
        await traces.linkTracesToRun([linked!.trace_id], run);
        const found = await traces.searchTraces({
          experimentIds: [experimentId],
          filter: `attribute.run_id = '${run}'`,
        });
        expect(ids(found.items).sort()).toEqual([inside!.trace_id, linked!.trace_id].sort());
        expect(ids(found.items)).not.toContain(other!.trace_id);
      });

      it('refuses more than 100 traces, an unknown run and an unknown trace', async () => {
        const run = (await client.createRun(experimentId)).info.run_id;
        await expectError(
          traces.linkTracesToRun(
            Array.from({ length: 101 }, () => newTraceId()),
            run,
          ),
          'INVALID_PARAMETER_VALUE',
          /Cannot link more than 100 traces/,
        );
        const [t] = await logTraces(1);
        await expectError(traces.linkTracesToRun([t!.trace_id], 'f'.repeat(32)), 'RESOURCE_DOES_NOT_EXIST');
        await expectError(traces.linkTracesToRun([newTraceId()], run), 'RESOURCE_DOES_NOT_EXIST');
      });
    });

    describe('deletion', () => {
      it('deletes traces by id within one experiment, with their spans, tags and assessments', async () => {
        const [a, b] = await logTraces(2);
        const elsewhere = await client.createExperiment('elsewhere');
        const [c] = [await traces.startTrace(traceInfoOf(elsewhere))];
        const assessment = await traces.logAssessment({
          assessment_name: 'ok',
          trace_id: a!.trace_id,
          source: { source_type: 'HUMAN' },
          expectation: { value: 'critical' },
        });
        expect(await traces.deleteTraces({ experimentId, traceIds: [a!.trace_id, c!.trace_id] })).toBe(1);
        await expectError(traces.getTraceInfo(a!.trace_id), 'RESOURCE_DOES_NOT_EXIST');
        await expectError(
          traces.getAssessment(a!.trace_id, assessment.assessment_id),
          'RESOURCE_DOES_NOT_EXIST',
        );
        expect(ids((await traces.searchTraces({ experimentIds: [experimentId] })).items)).toEqual([
          b!.trace_id,
        ]);
        expect((await traces.getTraceInfo(c!.trace_id)).trace_id).toBe(c!.trace_id);
      });

      it('deletes the oldest traces at or before a time, at most max_traces', async () => {
        const logged = await logTraces(4);
        const cutoff = 1_796_123_600_002;
        expect(await traces.deleteTraces({ experimentId, maxTimestampMillis: cutoff, maxTraces: 2 })).toBe(2);
        expect(ids((await traces.searchTraces({ experimentIds: [experimentId] })).items)).toEqual(
          ids(logged.slice(2)).reverse(),
        );
        expect(await traces.deleteTraces({ experimentId, maxTimestampMillis: cutoff })).toBe(1);
        expect(ids((await traces.searchTraces({ experimentIds: [experimentId] })).items)).toEqual([
          logged[3]!.trace_id,
        ]);
      });

      it('refuses a request naming both or neither way, and a bad max_traces', async () => {
        await expectError(traces.deleteTraces({ experimentId }), 'INVALID_PARAMETER_VALUE', /Either/);
        await expectError(
          traces.deleteTraces({ experimentId, traceIds: [newTraceId()], maxTimestampMillis: 1 }),
          'INVALID_PARAMETER_VALUE',
          /Only one of/,
        );
        await expectError(
          traces.deleteTraces({ experimentId, maxTimestampMillis: 1, maxTraces: 0 }),
          'INVALID_PARAMETER_VALUE',
          /max_traces/,
        );
      });
    });

    describe('assessments', () => {
      async function withTrace(): Promise<string> {
        return (await traces.startTrace(traceInfoOf(experimentId))).trace_id;
      }

      it('logs a feedback and an expectation as MLflow stores them, and reads them back', async () => {
        const traceId = await withTrace();
        const feedback = await traces.logAssessment({
          assessment_name: 'correct_status',
          trace_id: traceId,
          source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
          create_time: '2026-12-01T11:13:58.108Z',
          last_update_time: '2026-12-01T11:13:58.108Z',
          feedback: { value: true },
          rationale: 'cpu 93% is critical — 危険',
          metadata: { reviewer: 'ana' },
        });
        expect(feedback).toEqual({
          assessment_id: expect.stringMatching(/^a-[0-9a-f]{32}$/),
          assessment_name: 'correct_status',
          trace_id: traceId,
          source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
          create_time: '2026-12-01T11:13:58.108Z',
          last_update_time: '2026-12-01T11:13:58.108Z',
          feedback: { value: true },
          rationale: 'cpu 93% is critical — 危険',
          metadata: { reviewer: 'ana' },
          valid: true,
        });
        const expectation = await traces.logAssessment({
          assessment_name: 'expected_status',
          trace_id: traceId,
          source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
          create_time: '2026-12-01T11:13:59Z',
          expectation: { value: { status: 'critical', hosts: ['web-1'] } },
        });
        const failed = await traces.logAssessment({
          assessment_name: 'scorer_crashed',
          trace_id: traceId,
          source: { source_type: 'CODE', source_id: 'my_scorer' },
          create_time: '2026-12-01T11:14:00Z',
          feedback: { error: { error_code: 'ValueError', error_message: 'boom' } },
        });
        expect(await traces.getAssessment(traceId, feedback.assessment_id)).toEqual(feedback);
        expect(await traces.getAssessment(traceId, expectation.assessment_id)).toEqual(expectation);
        expect((await traces.getTraceInfo(traceId)).assessments).toEqual([feedback, expectation, failed]);
      });

      it('refuses malformed assessments and unknown traces', async () => {
        const traceId = await withTrace();
        const base = { assessment_name: 'x', trace_id: traceId, source: { source_type: 'HUMAN' as const } };
        await expectError(
          traces.logAssessment({ ...base, feedback: { value: 1 }, expectation: { value: 1 } }),
          'INVALID_PARAMETER_VALUE',
          /Exactly one of/,
        );
        await expectError(traces.logAssessment({ ...base }), 'INVALID_PARAMETER_VALUE', /Exactly one of/);
        await expectError(
          traces.logAssessment({
            ...base,
            source: { source_type: 'ROBOT' as 'HUMAN' },
            feedback: { value: 1 },
          }),
          'INVALID_PARAMETER_VALUE',
          /source_type/,
        );
        await expectError(
          traces.logAssessment({ ...base, trace_id: newTraceId(), feedback: { value: 1 } }),
          'RESOURCE_DOES_NOT_EXIST',
        );
        await expectError(
          traces.logAssessment({ ...base, feedback: { value: 1 }, overrides: 'a-0000' }),
          'RESOURCE_DOES_NOT_EXIST',
        );
      });

      it('updates the fields named in the mask, merging metadata, and only a feedback’s feedback', async () => {
        const traceId = await withTrace();
        const created = await traces.logAssessment({
          assessment_name: 'correct_status',
          trace_id: traceId,
          source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
          create_time: '2026-12-01T11:13:58.108Z',
          feedback: { value: true },
          metadata: { a: '1' },
        });
        const updated = await traces.updateAssessment(traceId, created.assessment_id, {
          assessment_name: 'status_ok',
          feedback: { value: false },
          rationale: 're-checked',
          metadata: { b: '2' },
        });
        expect(updated).toEqual({
          ...created,
          assessment_name: 'status_ok',
          feedback: { value: false },
          rationale: 're-checked',
          metadata: { a: '1', b: '2' },
          last_update_time: expect.any(String),
        });
        expect(updated.last_update_time).not.toBe(created.last_update_time);
        expect(await traces.getAssessment(traceId, created.assessment_id)).toEqual(updated);
        await expectError(
          traces.updateAssessment(traceId, created.assessment_id, { expectation: { value: 1 } }),
          'INVALID_PARAMETER_VALUE',
          'Cannot update expectation value on a Feedback assessment.',
        );
        await expectError(
          traces.updateAssessment(traceId, created.assessment_id, {}, ['nickname' as 'rationale']),
          'INVALID_PARAMETER_VALUE',
          /update_mask/,
        );
        await expectError(
          traces.updateAssessment(traceId, 'a-00000000000000000000000000000000', { rationale: 'x' }),
          'RESOURCE_DOES_NOT_EXIST',
          `Assessment with ID 'a-00000000000000000000000000000000' not found for trace '${traceId}'`,
        );
      });

      it('overrides a feedback (the old one becomes invalid) and restores it when the override is deleted', async () => {
        const traceId = await withTrace();
        const original = await traces.logAssessment({
          assessment_name: 'correct_status',
          trace_id: traceId,
          source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
          feedback: { value: false },
        });
        const override = await traces.overrideFeedback(traceId, original.assessment_id, {
          value: true,
          rationale: 'overridden by lead',
        });
        expect(override).toMatchObject({
          assessment_name: 'correct_status',
          source: { source_type: 'CODE', source_id: 'default' },
          feedback: { value: true },
          rationale: 'overridden by lead',
          overrides: original.assessment_id,
          valid: true,
        });
        expect((await traces.getAssessment(traceId, original.assessment_id)).valid).toBe(false);
        const listed = (await traces.getTraceInfo(traceId)).assessments ?? [];
        expect(listed.map((a) => [a.assessment_id, a.valid])).toEqual([
          [original.assessment_id, false],
          [override.assessment_id, true],
        ]);
        await traces.deleteAssessment(traceId, override.assessment_id);
        await expectError(traces.getAssessment(traceId, override.assessment_id), 'RESOURCE_DOES_NOT_EXIST');
        expect((await traces.getAssessment(traceId, original.assessment_id)).valid).toBe(true);
        // Deleting what is not there is not an error, as in MLflow.
        await traces.deleteAssessment(traceId, override.assessment_id);
      });

      it('refuses to override an expectation', async () => {
        const traceId = await withTrace();
        const expectation = await traces.logAssessment({
          assessment_name: 'expected',
          trace_id: traceId,
          source: { source_type: 'HUMAN' },
          expectation: { value: 'critical' },
        });
        await expectError(
          traces.overrideFeedback(traceId, expectation.assessment_id, { value: 'ok' }),
          'INVALID_PARAMETER_VALUE',
          /not a feedback/,
        );
      });
    });
  });
}
