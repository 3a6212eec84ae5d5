import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from '../client/tracking-client.js';
import type { Span, Trace } from '../entities/index.js';
import { Agent } from '../lifecycle/agent.js';
import { tempDir } from '../testing/temp-dir.js';
import { formatProtoDuration, formatProtoTimestamp } from '../utils/protobuf-time.js';
import { AgentTracer, type TracerOptions } from './agent-tracer.js';
import {
  close as closeTracing,
  configureTracing,
  currentSpan,
  flush,
  traced,
  updateCurrentTrace,
  withSpan,
} from './default-tracer.js';
import { hrTimeToNanos } from './span-row.js';

describe('AgentTracer on the embedded SQLite store', () => {
  let dir: ReturnType<typeof tempDir>;
  let client: TrackingClient;
  let experimentId: string;
  let memory: InMemorySpanExporter;
  let errors: Error[];
  let tracer: AgentTracer;

  const open = (options: Partial<TracerOptions> = {}): AgentTracer => {
    memory = new InMemorySpanExporter();
    return new AgentTracer({
      client,
      experimentId,
      onError: (error) => errors.push(error),
      spanProcessors: [new SimpleSpanProcessor(memory)],
      flushOnExit: false,
      ...options,
    });
  };

  beforeEach(async () => {
    dir = tempDir();
    client = await TrackingClient.open(`sqlite:///${join(dir.path, 'tracing.db')}`);
    experimentId = await client.createExperiment('tracing');
    errors = [];
    tracer = open();
  });
  afterEach(async () => {
    await tracer.close();
    await client.close();
    dir.remove();
  });

  /** The traces the tracer made (in the order their roots ended), read back from the store. */
  const traces = async (): Promise<Trace[]> => {
    const ids = memory
      .getFinishedSpans()
      .filter((span) => span.parentSpanContext === undefined)
      .map((span) => `tr-${span.spanContext().traceId}`);
    return Promise.all(ids.map((id) => client.traces.getTrace(id)));
  };
  const spanNamed = (trace: Trace, name: string): Span => {
    const span = trace.spans.find((s) => s.name === name);
    if (!span) throw new Error(`no span ${name} in ${trace.spans.map((s) => s.name).join(', ')}`);
    return span;
  };
  const recorded = (name: string): ReadableSpan => {
    const span = memory.getFinishedSpans().find((s) => s.name === name);
    if (!span) throw new Error(`no recorded span ${name}`);
    return span;
  };

  it('writes a traced agent as one trace: nested spans, exact times, MLflow attributes and trace info', async () => {
    const readMetrics = tracer.traced(
      'read_metrics',
      async (host: string) => {
        await sleep(2);
        return { host, cpu: 93 };
      },
      { spanType: 'TOOL' },
    );
    const classify = tracer.traced(
      'classify',
      (metrics: { cpu: number }) => (metrics.cpu > 90 ? 'critical' : 'ok'),
      {
        spanType: 'LLM',
        attributes: { model: 'rule-v1', threshold: 90 },
      },
    );
    const healthCheck = tracer.traced(
      'health_check',
      async (input: { host: string }) => {
        const metrics = await readMetrics(input.host);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return classify(metrics);
      },
      { spanType: 'AGENT' },
    );

    await expect(healthCheck({ host: 'web-1' })).resolves.toBe('critical');
    await tracer.flush();

    const [trace, ...others] = await traces();
    expect(others).toHaveLength(0);
    if (!trace) throw new Error('no trace written');
    const root = spanNamed(trace, 'health_check');
    const tool = spanNamed(trace, 'read_metrics');
    const llm = spanNamed(trace, 'classify');
    expect(root.parent_span_id).toBeUndefined();
    expect(tool.parent_span_id).toBe(root.span_id);
    expect(llm.parent_span_id).toBe(root.span_id);
    expect(trace.spans.map((s) => s.name)).toEqual(['health_check', 'read_metrics', 'classify']);
    for (const span of trace.spans) {
      const otel = recorded(span.name);
      expect(span.span_id).toBe(otel.spanContext().spanId);
      expect(span.start_time_unix_nano).toBe(hrTimeToNanos(otel.startTime));
      expect(span.end_time_unix_nano).toBe(hrTimeToNanos(otel.endTime));
      expect(span.status).toBe('OK');
      expect(span.attributes['mlflow.traceRequestId']).toBe(trace.info.trace_id);
    }
    // Started and ended finer than in whole milliseconds, so that same-millisecond steps keep their order.
    expect(trace.spans.some((s) => BigInt(s.start_time_unix_nano) % 1_000_000n !== 0n)).toBe(true);
    expect(BigInt(tool.start_time_unix_nano)).toBeGreaterThan(BigInt(root.start_time_unix_nano));
    expect(BigInt(llm.start_time_unix_nano)).toBeGreaterThan(BigInt(tool.end_time_unix_nano as string));
    expect(tool).toMatchObject({
      span_type: 'TOOL',
      attributes: { 'mlflow.spanInputs': 'web-1', 'mlflow.spanOutputs': { host: 'web-1', cpu: 93 } },
    });
    expect(llm.attributes).toMatchObject({
      'mlflow.spanType': 'LLM',
      'mlflow.spanFunctionName': 'classify',
      model: 'rule-v1',
      threshold: 90,
    });

    const start = BigInt(root.start_time_unix_nano);
    const end = BigInt(root.end_time_unix_nano as string);
    expect(trace.info).toMatchObject({
      trace_id: `tr-${recorded('health_check').spanContext().traceId}`,
      trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
      request_time: formatProtoTimestamp(Number(start / 1_000_000n)),
      execution_duration: formatProtoDuration(Number((end - start) / 1_000_000n)),
      state: 'OK',
      request_preview: '{"host":"web-1"}',
      response_preview: '"critical"',
      trace_metadata: {
        'mlflow.traceInputs': '{"host":"web-1"}',
        'mlflow.traceOutputs': '"critical"',
        'mlflow.trace_schema.version': '3',
        'mlflow.source.type': 'LOCAL',
      },
      tags: { 'mlflow.traceName': 'health_check' },
    });
    expect(trace.info.trace_metadata?.['mlflow.sourceRun']).toBeUndefined();
    expect(trace.info.tags?.['mlflow.artifactLocation']).toMatch(/\/traces\/tr-[0-9a-f]{32}\/artifacts$/);
    expect(errors).toEqual([]);
  });

  it('keeps concurrent calls apart: each is its own trace with its own children', async () => {
    const step = tracer.traced('step', async (n: number) => {
      await sleep(n);
      return n * 2;
    });
    const agent = tracer.traced('agent', async (n: number) => (await step(n)) + (await step(n + 1)), {
      spanType: 'AGENT',
    });
    await expect(Promise.all([agent(3), agent(1), agent(2)])).resolves.toEqual([14, 6, 10]);
    await tracer.flush();

    const written = await traces();
    expect(written).toHaveLength(3);
    for (const trace of written) {
      const root = spanNamed(trace, 'agent');
      const children = trace.spans.filter((s) => s.name === 'step');
      expect(children).toHaveLength(2);
      expect(children.every((s) => s.parent_span_id === root.span_id)).toBe(true);
      const n = root.attributes['mlflow.spanInputs'] as number;
      expect(children.map((s) => s.attributes['mlflow.spanInputs'])).toEqual([n, n + 1]);
      expect(trace.info.request_preview).toBe(String(n));
    }
  });

  it('records a throw as an ERROR span with an exception event and rethrows it unchanged', async () => {
    const failure = new TypeError('pager unreachable');
    const page = tracer.traced('page_oncall', async (_host: string) => {
      await sleep(1);
      throw failure;
    });
    const check = tracer.traced('check', (host: string) => {
      if (host === '') throw failure;
      return host;
    });
    await expect(page('web-1')).rejects.toBe(failure);
    expect(() => check('')).toThrow(failure);
    await tracer.flush();

    const written = await traces();
    expect(written).toHaveLength(2);
    for (const trace of written) {
      const [span] = trace.spans;
      expect(trace.info.state).toBe('ERROR');
      expect(trace.info.response_preview).toBe('');
      expect(span).toMatchObject({ status: 'ERROR', status_message: 'TypeError: pager unreachable' });
      expect(span?.events).toEqual([
        expect.objectContaining({
          name: 'exception',
          attributes: expect.objectContaining({
            'exception.type': 'TypeError',
            'exception.message': 'pager unreachable',
          }) as unknown,
        }),
      ]);
    }
  });

  it('has a block form: withSpan hands the span to record inputs, outputs, attributes and events', async () => {
    const answer = await tracer.withSpan(
      'plan',
      async (span) => {
        span.setInputs({ question: 'is web-1 healthy?' });
        const steps = await tracer.withSpan(
          'retrieve',
          (inner) => {
            inner
              .setInputs('web-1')
              .setOutputs(['runbook.md'])
              .addEvent('cache_miss', { key: 'web-1', tries: 2 });
            return ['read_metrics', 'classify'];
          },
          { spanType: 'RETRIEVER' },
        );
        span.setOutputs(steps).setAttributes({ steps: steps.length, planner: { kind: 'rules' } });
        return steps;
      },
      { spanType: 'CHAIN' },
    );
    expect(answer).toEqual(['read_metrics', 'classify']);
    await tracer.flush();

    const [trace] = await traces();
    if (!trace) throw new Error('no trace written');
    const plan = spanNamed(trace, 'plan');
    const retrieve = spanNamed(trace, 'retrieve');
    expect(retrieve.parent_span_id).toBe(plan.span_id);
    expect(plan).toMatchObject({
      span_type: 'CHAIN',
      attributes: {
        steps: 2,
        planner: { kind: 'rules' },
        'mlflow.spanOutputs': ['read_metrics', 'classify'],
      },
    });
    expect(retrieve.events).toEqual([
      {
        name: 'cache_miss',
        time_unix_nano: expect.stringMatching(/^\d+$/) as unknown,
        attributes: { key: 'web-1', tries: 2 },
      },
    ]);
    expect(trace.info.trace_metadata?.['mlflow.traceInputs']).toBe('{"question":"is web-1 healthy?"}');
  });

  it("links a trace made in a lifecycle run's function to that run, in the run's experiment", async () => {
    const agent = await Agent.open({ config: { agent: 'health_monitor_agent', version: '1.2.0' }, client });
    const ask = tracer.traced('ask', async (question: string) => `answer to ${question}`, {
      spanType: 'AGENT',
    });
    const { runId } = await agent.evaluation(async () => {
      await ask('is web-1 healthy?');
    });
    // No flush: the run's end writes its traces.
    const run = await client.getRun(runId);
    const [trace] = await traces();
    expect(trace?.info.trace_location.mlflow_experiment?.experiment_id).toBe(run.info.experiment_id);
    expect(run.info.experiment_id).not.toBe(experimentId);
    expect(trace?.info.trace_metadata?.['mlflow.sourceRun']).toBe(runId);
    await agent.close();
  });

  it('never lets an export failure reach the traced code: it goes to onError', async () => {
    await tracer.close();
    tracer = open({ experimentId: '424242' });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const step = tracer.traced('step', (value: unknown) => ({ value, big: 10n }));
    expect(step(cyclic)).toMatchObject({ big: 10n });
    await tracer.flush();
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^could not write trace tr-[0-9a-f]{32}: .*424242/) as unknown,
    ]);

    await tracer.close();
    tracer = open({
      experimentId: '424242',
      onError: () => {
        throw new Error('a handler that fails');
      },
    });
    const again = tracer.traced('again', async () => 'still fine');
    await expect(again()).resolves.toBe('still fine');
    await expect(tracer.flush()).resolves.toBeUndefined();
  });

  it('reports a trace made outside a run when no experiment is configured, and still runs the code', async () => {
    await tracer.close();
    tracer = open({ experimentId: undefined, env: {} });
    expect(tracer.traced('lonely', () => 42)()).toBe(42);
    await tracer.flush();
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('no experiment is configured') as unknown,
    ]);
  });

  it('sends traces made outside a run to a configured experiment name, created when missing', async () => {
    await tracer.close();
    tracer = open({ experimentId: undefined, experimentName: '/agents/tracing-by-name' });
    tracer.traced('named', () => 'ok')();
    await tracer.flush();
    const experiment = await client.getExperimentByName('/agents/tracing-by-name');
    if (!experiment) throw new Error('experiment not created');
    const [trace] = await traces();
    expect(trace?.info.trace_location.mlflow_experiment?.experiment_id).toBe(experiment.experiment_id);
    expect(trace?.info.tags?.['mlflow.traceName']).toBe('named');
    expect(errors).toEqual([]);
  });

  it('module functions use the configured tracer, also in functions wrapped before it was configured', async () => {
    const early = traced('early', (flow: string) => {
      updateCurrentTrace({ tags: { flow }, metadata: { 'mlflow.trace.session': 'session-1' } });
      return withSpan('inner', (span) => {
        expect(currentSpan()?.spanId).toBe(span.spanId);
        return span.traceId;
      });
    });
    const memoryHere = new InMemorySpanExporter();
    configureTracing({
      client,
      experimentId,
      onError: (error) => errors.push(error),
      spanProcessors: [new SimpleSpanProcessor(memoryHere)],
      flushOnExit: false,
    });
    try {
      const traceId = early('nightly');
      await flush();
      const trace = await client.traces.getTrace(traceId);
      expect(trace.spans.map((s) => s.name)).toEqual(['early', 'inner']);
      expect(trace.info.tags).toMatchObject({ flow: 'nightly', 'mlflow.traceName': 'early' });
      expect(trace.info.trace_metadata).toMatchObject({ 'mlflow.trace.session': 'session-1' });
      expect(currentSpan()).toBeUndefined();
      expect(errors).toEqual([]);
    } finally {
      await closeTracing();
    }
  });
});
