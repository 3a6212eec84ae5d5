import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { context, SpanStatusCode, trace, type Span as OtelSpan } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, hashToken, parseUsers } from '../../src/auth/index.js';
import type { Span } from '../../src/entities/index.js';
import type { TraceStore } from '../../src/store/trace-store.js';
import { parseTraceData } from '../../src/protocol/trace-data.js';
import { hrTimeToNanos } from '../../src/tracing/span-row.js';
import { formatProtoDuration, formatProtoTimestamp } from '../../src/utils/protobuf-time.js';
import { startServer } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { send as sendRaw, startArtifactServer, type ArtifactServer } from './artifact-harness.js';

describe('OTLP trace ingest (POST /v1/traces) with the OpenTelemetry SDK exporters', () => {
  let served: ArtifactServer;
  let experimentId: string;
  let traces: TraceStore;

  beforeAll(async () => {
    served = await startArtifactServer();
    experimentId = await served.store.createExperiment({ name: 'otlp' });
    traces = served.store.traces;
  });
  afterAll(async () => {
    await served.close();
  });

  /** Spans made by OpenTelemetry's SDK, kept in memory to be exported by hand, batch by batch. */
  const recorder = (): {
    make: (name: string, parent?: OtelSpan) => OtelSpan;
    ended: () => ReadableSpan[];
  } => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    const tracer = provider.getTracer('otlp-test');
    return {
      make: (name, parent) =>
        tracer.startSpan(
          name,
          {},
          parent
            ? (trace.setSpan(context.active(), parent) as Parameters<typeof tracer.startSpan>[2])
            : undefined,
        ),
      ended: () => memory.getFinishedSpans(),
    };
  };

  const send = (exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> =>
    new Promise((resolve) => exporter.export(spans, resolve));
  const endpoint = (): string => `${served.server.url}/v1/traces`;
  const traceData = (traceId: string): Span[] =>
    parseTraceData(
      readFileSync(join(served.root, experimentId, 'traces', traceId, 'artifacts', 'traces.json'), 'utf8'),
      traceId,
    );
  const expectSameSpan = (stored: Span | undefined, otel: ReadableSpan): void => {
    expect(stored).toMatchObject({
      span_id: otel.spanContext().spanId,
      name: otel.name,
      start_time_unix_nano: hrTimeToNanos(otel.startTime),
      end_time_unix_nano: hrTimeToNanos(otel.endTime),
    });
  };

  it('takes a trace sent over two protobuf requests: IN_PROGRESS until its root arrives, then its info from the root', async () => {
    const exporter = new ProtobufExporter({
      url: endpoint(),
      headers: { 'x-mlflow-experiment-id': experimentId },
    });
    const { make, ended } = recorder();
    const root = make('health_check');
    root.setAttributes({
      'mlflow.spanType': JSON.stringify('AGENT'),
      'mlflow.spanInputs': JSON.stringify({ host: 'web-1' }),
      'mlflow.spanOutputs': JSON.stringify('critical'),
    });
    const child = make('read_metrics', root);
    child.setAttributes({
      'mlflow.spanType': '"TOOL"',
      'http.method': 'GET',
      retries: 2,
      cached: false,
      ratio: 0.5,
    });
    child.end();
    const [childSpan] = ended();
    if (!childSpan) throw new Error('no child span');
    const traceId = `tr-${childSpan.spanContext().traceId}`;

    await expect(send(exporter, [childSpan])).resolves.toEqual({ code: ExportResultCode.SUCCESS });
    const partial = await traces.getTraceInfo(traceId);
    expect(partial.state).toBe('IN_PROGRESS');
    expect(partial.trace_location.mlflow_experiment?.experiment_id).toBe(experimentId);
    expect(await traces.getSpans(traceId)).toHaveLength(1);
    expect(traceData(traceId).map((s) => s.name)).toEqual(['read_metrics']);

    root.setStatus({ code: SpanStatusCode.OK });
    root.end();
    const rootSpan = ended().find((s) => s.name === 'health_check');
    if (!rootSpan) throw new Error('no root span');
    await expect(send(exporter, [rootSpan])).resolves.toEqual({ code: ExportResultCode.SUCCESS });

    const info = await traces.getTraceInfo(traceId);
    const start = BigInt(hrTimeToNanos(rootSpan.startTime));
    const end = BigInt(hrTimeToNanos(rootSpan.endTime));
    expect(info).toMatchObject({
      state: 'OK',
      request_time: formatProtoTimestamp(Number(start / 1_000_000n)),
      execution_duration: formatProtoDuration(Number((end - start) / 1_000_000n)),
      request_preview: '{"host":"web-1"}',
      response_preview: '"critical"',
      trace_metadata: { 'mlflow.traceInputs': '{"host":"web-1"}', 'mlflow.trace_schema.version': '3' },
      tags: { 'mlflow.traceName': 'health_check' },
    });
    // As MLflow's client reads it: the info over REST, the spans from traces.json (below).
    const got = await served.send({ method: 'GET', path: `/api/3.0/mlflow/traces/${traceId}` });
    expect(got.status).toBe(200);
    expect(got.json<{ trace: { trace_info: unknown } }>().trace.trace_info).toEqual(info);
    for (const spans of [await traces.getSpans(traceId), traceData(traceId)]) {
      // The SDK starts spans in whole milliseconds: same-millisecond spans come by span id.
      expect(spans.map((s) => s.name).sort()).toEqual(['health_check', 'read_metrics']);
      const [stored, storedChild] = [rootSpan, childSpan].map((otel) =>
        spans.find((s) => s.span_id === otel.spanContext().spanId),
      );
      expectSameSpan(stored, rootSpan);
      expectSameSpan(storedChild, childSpan);
      expect(stored?.parent_span_id).toBeUndefined();
      expect(stored?.span_type).toBe('AGENT');
      expect(storedChild).toMatchObject({
        parent_span_id: rootSpan.spanContext().spanId,
        span_type: 'TOOL',
        attributes: { 'http.method': 'GET', retries: 2, cached: false, ratio: 0.5 },
      });
    }
    await exporter.shutdown();
  });

  it('takes OTLP/JSON from the HTTP exporter: an ERROR root with its exception event', async () => {
    const exporter = new HttpJsonExporter({
      url: endpoint(),
      headers: { 'x-mlflow-experiment-id': experimentId },
    });
    const { make, ended } = recorder();
    const root = make('page_oncall');
    root.recordException(new TypeError('pager unreachable'));
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'pager unreachable' });
    root.end();
    const [rootSpan] = ended();
    if (!rootSpan) throw new Error('no span');
    const traceId = `tr-${rootSpan.spanContext().traceId}`;
    await expect(send(exporter, [rootSpan])).resolves.toEqual({ code: ExportResultCode.SUCCESS });

    const info = await traces.getTraceInfo(traceId);
    expect(info).toMatchObject({ state: 'ERROR', tags: { 'mlflow.traceName': 'page_oncall' } });
    const [stored] = traceData(traceId);
    expectSameSpan(stored, rootSpan);
    expect(stored).toMatchObject({ status: 'ERROR', status_message: 'pager unreachable' });
    expect(stored?.events).toEqual([
      expect.objectContaining({
        name: 'exception',
        time_unix_nano: hrTimeToNanos(rootSpan.events[0]?.time ?? [0, 0]),
        attributes: expect.objectContaining({ 'exception.type': 'TypeError' }) as unknown,
      }),
    ]);
    await exporter.shutdown();
  });

  it('takes gzip-compressed requests, as the exporters send them with compression on', async () => {
    const exporter = new ProtobufExporter({
      url: endpoint(),
      headers: { 'x-mlflow-experiment-id': experimentId },
      // The exporter's own enum lives in a package agentrack does not depend on; its value is 'gzip'.
      compression: 'gzip' as NonNullable<ConstructorParameters<typeof ProtobufExporter>[0]>['compression'],
    });
    const { make, ended } = recorder();
    make('compressed').end();
    const [span] = ended();
    if (!span) throw new Error('no span');
    await expect(send(exporter, [span])).resolves.toEqual({ code: ExportResultCode.SUCCESS });
    expectSameSpan((await traces.getSpans(`tr-${span.spanContext().traceId}`))[0], span);
    await exporter.shutdown();
  });

  it('answers an ExportTraceServiceResponse in the request encoding, with partial_success for refused spans', async () => {
    const good = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'ok' };
    const body = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { ...good, startTimeUnixNano: '1796123635877083937', endTimeUnixNano: '1796123635877688375' },
                { traceId: '', spanId: 'eee19b7ec3c1b175', name: 'no trace id', startTimeUnixNano: '1' },
              ],
            },
          ],
        },
      ],
    });
    const answer = await served.send({
      method: 'POST',
      path: '/v1/traces',
      headers: { 'content-type': 'application/json', 'x-mlflow-experiment-id': experimentId },
      body,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: expect.stringContaining('no valid trace_id') as unknown,
      },
    });
    const [span] = await traces.getSpans(`tr-${good.traceId}`);
    expect(span).toMatchObject({
      start_time_unix_nano: '1796123635877083937',
      end_time_unix_nano: '1796123635877688375',
    });

    const other = await served.store.createExperiment({ name: 'otlp-other' });
    const elsewhere = await served.send({
      method: 'POST',
      path: '/v1/traces',
      headers: { 'content-type': 'application/json', 'x-mlflow-experiment-id': other },
      body: JSON.stringify({
        resourceSpans: [
          { scopeSpans: [{ spans: [{ ...good, spanId: 'eee19b7ec3c1b176', startTimeUnixNano: '2' }] }] },
        ],
      }),
    });
    expect(elsewhere.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: `trace tr-${good.traceId}: the trace belongs to experiment ${experimentId}, not ${other}.`,
      },
    });
  });

  it('refuses an undecodable body, a missing or unknown experiment with 400, another media type with 415', async () => {
    const post = (headers: Record<string, string>, body: Buffer | string) =>
      served.send({ method: 'POST', path: '/v1/traces', headers, body });
    const protobuf = { 'content-type': 'application/x-protobuf', 'x-mlflow-experiment-id': experimentId };
    const cases: Array<[Record<string, string>, Buffer | string, number, RegExp]> = [
      [
        protobuf,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
        400,
        /not an OTLP ExportTraceServiceRequest in protobuf/,
      ],
      [{ ...protobuf, 'content-type': 'application/json' }, '{"resourceSpans": ', 400, /not OTLP JSON/],
      [{ ...protobuf, 'content-type': 'application/json' }, '{"resourceSpans": 7}', 400, /in JSON/],
      [
        { 'content-type': 'application/x-protobuf' },
        Buffer.alloc(0),
        400,
        /Missing header 'x-mlflow-experiment-id'/,
      ],
      [
        { ...protobuf, 'x-mlflow-experiment-id': '987654' },
        Buffer.alloc(0),
        400,
        /No experiment with id '987654'/,
      ],
      [{ ...protobuf, 'content-type': 'text/plain' }, 'hello', 415, /Unsupported Content-Type 'text\/plain'/],
    ];
    for (const [headers, body, status, message] of cases) {
      const answer = await post(headers, body);
      expect({ status: answer.status, body: answer.json() }).toEqual({
        status,
        body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(message) as unknown },
      });
    }

    const exporter = new ProtobufExporter({
      url: endpoint(),
      headers: { 'x-mlflow-experiment-id': '987654' },
    });
    const { make, ended } = recorder();
    make('lost').end();
    const result = await send(exporter, ended());
    expect(result.code).toBe(ExportResultCode.FAILED);
    await exporter.shutdown();
  });
});

describe('OTLP trace ingest: access control and servers without an artifact service', () => {
  const span = (traceId: string, spanId: string) =>
    JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId,
                  name: 'root',
                  startTimeUnixNano: '1796123635877083937',
                  endTimeUnixNano: '1796123635878083937',
                },
              ],
            },
          ],
        },
      ],
    });

  it('writes into an experiment only for who may write it (with --auth)', async () => {
    const users = parseUsers(
      JSON.stringify({
        users: [
          { user: 'alice', password_hash: await hashPassword('wonderland') },
          { user: 'bob', token_sha256: hashToken('bob-token') },
        ],
      }),
      'users.json',
    );
    const served = await startArtifactServer({ users });
    try {
      const mine = await served.store.createExperiment({ name: '/Users/alice/agent' });
      const post = (authorization: string | undefined, traceId: string) =>
        served.send({
          method: 'POST',
          path: '/v1/traces',
          headers: {
            'content-type': 'application/json',
            'x-mlflow-experiment-id': mine,
            ...(authorization ? { authorization } : {}),
          },
          body: span(traceId, '00f067aa0ba902b7'),
        });
      const alice = `Basic ${Buffer.from('alice:wonderland').toString('base64')}`;
      const bobs = await post('Bearer bob-token', '4bf92f3577b34da6a3ce929d0e0e4736');
      expect({ status: bobs.status, code: bobs.json().error_code }).toEqual({
        status: 403,
        code: 'PERMISSION_DENIED',
      });
      expect((await post(undefined, '4bf92f3577b34da6a3ce929d0e0e4736')).status).toBe(401);
      await expect(served.store.traces.getTraceInfo('tr-4bf92f3577b34da6a3ce929d0e0e4736')).rejects.toThrow();
      const alices = await post(alice, '4bf92f3577b34da6a3ce929d0e0e4736');
      expect({ status: alices.status, body: alices.json() }).toEqual({ status: 200, body: {} });
      expect((await served.store.traces.getTraceInfo('tr-4bf92f3577b34da6a3ce929d0e0e4736')).state).toBe(
        'OK',
      );
    } finally {
      await served.close();
    }
  });

  it('keeps the spans when the trace file cannot be written, and says so in partial_success', async () => {
    const dir = tempDir();
    const store = await openSqliteStore(join(dir.path, 'agentrack.db'));
    const server = await startServer({ store, port: 0, logger: false });
    try {
      const experimentId = await store.createExperiment({
        name: 'proxied',
        artifactLocation: 'mlflow-artifacts:/proxied',
      });
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const answer = await sendRaw(server.port, {
        method: 'POST',
        path: '/v1/traces',
        headers: { 'content-type': 'application/json', 'x-mlflow-experiment-id': experimentId },
        body: span(traceId, 'b7ad6b7169203331'),
      });
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({
        partialSuccess: {
          rejectedSpans: '0',
          errorMessage: expect.stringContaining(
            `trace tr-${traceId}: spans stored, but its traces.json was not written`,
          ) as unknown,
        },
      });
      expect(await store.traces.getSpans(`tr-${traceId}`)).toHaveLength(1);
    } finally {
      await server.close();
      await store.close();
      dir.remove();
    }
  });
});
