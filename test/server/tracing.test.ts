import { setTimeout as sleep } from 'node:timers/promises';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import type { Span, TraceInfo } from '../../src/entities/index.js';
import { Agent } from '../../src/lifecycle/agent.js';
import { parseTraceData } from '../../src/protocol/trace-data.js';
import { startServer } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { AgentTracer } from '../../src/tracing/agent-tracer.js';
import { hrTimeToNanos } from '../../src/tracing/span-row.js';
import { formatProtoDuration, formatProtoTimestamp } from '../../src/utils/protobuf-time.js';
import { ARTIFACTS, startArtifactServer, type ArtifactServer } from './artifact-harness.js';

/** Fail fast instead of retrying for minutes when the server is gone. */
const NO_RETRIES = { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', MLFLOW_HTTP_REQUEST_TIMEOUT: '5' };

describe('agentrack/tracing against a real agentrack server (MLflow 3 REST)', () => {
  let served: ArtifactServer;
  let client: TrackingClient;
  let experimentId: string;

  beforeAll(async () => {
    served = await startArtifactServer();
    client = await TrackingClient.open(served.server.url, { env: NO_RETRIES });
    experimentId = await client.createExperiment('/agents/tracing-rest');
  });
  afterAll(async () => {
    await client.close();
    await served.close();
  });

  const tracerWith = (memory: InMemorySpanExporter, errors: Error[], options = {}): AgentTracer =>
    new AgentTracer({
      client,
      experimentId,
      onError: (error) => errors.push(error),
      spanProcessors: [new SimpleSpanProcessor(memory)],
      flushOnExit: false,
      ...options,
    });

  /** What MLflow's client reads: the info (`GET /api/3.0/mlflow/traces/<id>`), then `traces.json` from its artifact location. */
  const readAsMlflow = async (traceId: string): Promise<{ info: TraceInfo; text: string; spans: Span[] }> => {
    const got = await served.send({ method: 'GET', path: `/api/3.0/mlflow/traces/${traceId}` });
    expect(got.status).toBe(200);
    const info = got.json<{ trace: { trace_info: TraceInfo } }>().trace.trace_info;
    const location = info.tags?.['mlflow.artifactLocation'] ?? '';
    expect(location).toBe(
      `mlflow-artifacts:/${info.trace_location.mlflow_experiment?.experiment_id}/traces/${traceId}/artifacts`,
    );
    const file = await served.send({
      method: 'GET',
      path: `${ARTIFACTS}/${location.slice('mlflow-artifacts:/'.length)}/traces.json`,
    });
    expect(file.status).toBe(200);
    const text = file.body.toString('utf8');
    return { info, text, spans: parseTraceData(text, traceId) };
  };

  it('writes a traced agent with the V3 protocol: MLflow reads it back with its parents and exact times', async () => {
    const memory = new InMemorySpanExporter();
    const errors: Error[] = [];
    const tracer = tracerWith(memory, errors);
    const retrieve = tracer.traced(
      'retrieve',
      async (query: string) => {
        await sleep(1);
        return [`${query}.md`];
      },
      { spanType: 'RETRIEVER' },
    );
    const answer = tracer.traced(
      'answer',
      async (question: { text: string }) => {
        const docs = await retrieve(question.text);
        return tracer.withSpan(
          'generate',
          (span) => {
            span.setInputs({ docs }).setAttributes({ model: 'rule-v1' });
            const out = `see ${docs.join(', ')}`;
            span.setOutputs(out);
            return out;
          },
          { spanType: 'LLM' },
        );
      },
      { spanType: 'AGENT' },
    );

    await expect(answer({ text: 'runbook' })).resolves.toBe('see runbook.md');
    await tracer.flush();
    expect(errors).toEqual([]);

    const finished = memory.getFinishedSpans();
    // Closing the tracer empties the in-memory exporter: it is closed once its spans are read.
    await tracer.close();
    const otel = (name: string): ReadableSpan => finished.find((s) => s.name === name) as ReadableSpan;
    const traceId = `tr-${otel('answer').spanContext().traceId}`;
    const { info, text, spans } = await readAsMlflow(traceId);

    const start = BigInt(hrTimeToNanos(otel('answer').startTime));
    const end = BigInt(hrTimeToNanos(otel('answer').endTime));
    expect(info).toMatchObject({
      trace_id: traceId,
      trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
      request_time: formatProtoTimestamp(Number(start / 1_000_000n)),
      execution_duration: formatProtoDuration(Number((end - start) / 1_000_000n)),
      state: 'OK',
      request_preview: '{"text":"runbook"}',
      response_preview: '"see runbook.md"',
      trace_metadata: {
        'mlflow.traceInputs': '{"text":"runbook"}',
        'mlflow.traceOutputs': '"see runbook.md"',
        'mlflow.trace_schema.version': '3',
      },
      tags: { 'mlflow.traceName': 'answer' },
    });
    expect(spans.map((s) => s.name)).toEqual(['answer', 'retrieve', 'generate']);
    for (const span of spans) {
      const recorded = otel(span.name);
      expect(span.span_id).toBe(recorded.spanContext().spanId);
      expect(span.parent_span_id).toBe(recorded.parentSpanContext?.spanId);
      expect(span.start_time_unix_nano).toBe(hrTimeToNanos(recorded.startTime));
      expect(span.end_time_unix_nano).toBe(hrTimeToNanos(recorded.endTime));
      // Written as exact integers in the file, as MLflow writes them.
      expect(text).toContain(`"start_time_unix_nano":${span.start_time_unix_nano}`);
    }
    expect(spans[0]?.parent_span_id).toBeUndefined();
    expect(spans[1]?.parent_span_id).toBe(spans[0]?.span_id);
    expect(spans[2]).toMatchObject({
      parent_span_id: spans[0]?.span_id,
      span_type: 'LLM',
      attributes: { 'mlflow.spanInputs': { docs: ['runbook.md'] }, model: 'rule-v1' },
    });
    // The rows the server stored from the uploaded file are the same spans.
    expect(await served.store.traces.getSpans(traceId)).toEqual(spans);
  });

  it("links a trace made in an agent's run to the run: found by MLflow's search on the run id", async () => {
    const memory = new InMemorySpanExporter();
    const errors: Error[] = [];
    const tracer = tracerWith(memory, errors);
    const agent = await Agent.open({ config: { agent: 'tracing_rest_agent', version: '1.0.0' }, client });
    const ask = tracer.traced('ask', async (q: string) => `ok: ${q}`, { spanType: 'AGENT' });
    const { runId } = await agent.development(() => ask('ping'));
    const run = await client.getRun(runId);
    const found = await served.send({
      method: 'POST',
      path: '/api/3.0/mlflow/traces/search',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        locations: [
          { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: run.info.experiment_id } },
        ],
        filter: `attribute.run_id = '${runId}'`,
      }),
    });
    expect(found.status).toBe(200);
    const infos = found.json<{ traces?: TraceInfo[] }>().traces ?? [];
    expect(infos.map((i) => i.trace_id)).toEqual([
      `tr-${memory.getFinishedSpans()[0]?.spanContext().traceId}`,
    ]);
    expect(infos[0]?.trace_metadata?.['mlflow.sourceRun']).toBe(runId);
    await tracer.close();
    await agent.close();
    expect(errors).toEqual([]);
  });

  it('keeps an unreachable server away from the agent: the code runs, the failure is reported', async () => {
    const dir = tempDir();
    const store = await openSqliteStore(`${dir.path}/gone.db`);
    const gone = await startServer({ store, port: 0, logger: false });
    const lost = await TrackingClient.open(gone.url, { env: NO_RETRIES });
    await gone.close();
    const errors: Error[] = [];
    const tracer = tracerWith(new InMemorySpanExporter(), errors, { client: lost, experimentId: '0' });
    const work = tracer.traced('work', async (n: number) => n + 1);
    await expect(work(41)).resolves.toBe(42);
    await tracer.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/^could not write trace tr-[0-9a-f]{32}: /);
    await lost.close();
    dir.remove();
  });
});
