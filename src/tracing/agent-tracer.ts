import { basename } from 'node:path';
import { userInfo } from 'node:os';
import { INVALID_SPAN_CONTEXT, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { hrTime } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type BufferConfig,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { TrackingClient } from '../client/tracking-client.js';
import { SPAN_TYPE_ATTRIBUTE } from '../entities/index.js';
import { activeRun, beforeRunEnds } from '../lifecycle/active-run.js';
import { SPAN_FUNCTION_NAME_ATTRIBUTE, SPAN_TRACE_ID_ATTRIBUTE } from '../protocol/trace-summary.js';
import { toJsonText } from '../utils/json-text.js';
import { stderrReporter, type TracingErrorHandler } from './error-reporter.js';
import { LiveSpan } from './live-span.js';
import { TraceExporter, type ExpectedTrace, type TraceDestination } from './trace-exporter.js';

/** Options of a span: `traced`'s and `withSpan`'s. */
export interface SpanOptions {
  /** MLflow's span type: `AGENT`, `LLM`, `TOOL`, `RETRIEVER`, `CHAIN`, ... (default `UNKNOWN`). */
  spanType?: string;
  /** Attributes set when the span starts (values JSON-encoded). */
  attributes?: Readonly<Record<string, unknown>>;
}

/** Options of an {@link AgentTracer}. */
export interface TracerOptions {
  /**
   * Where traces made outside a lifecycle run go (inside one, they go through the run's own
   * client). Absent: one is opened on `trackingUri` (or `MLFLOW_TRACKING_URI`) when the first
   * such trace is written, and closed by {@link AgentTracer.close}.
   */
  client?: TrackingClient;
  trackingUri?: string;
  /** The experiment of traces made outside a run (default `MLFLOW_EXPERIMENT_ID`). */
  experimentId?: string;
  /** Or its name (path), created when missing (default `MLFLOW_EXPERIMENT_NAME`). */
  experimentName?: string;
  /** Where export failures go; default one line on stderr, at most every 10 seconds. */
  onError?: TracingErrorHandler;
  /** OpenTelemetry's batching of ended spans (`scheduledDelayMillis`, `maxQueueSize`, ...). */
  batch?: BufferConfig;
  /** More OpenTelemetry span processors, e.g. one with an OTLP exporter to send the spans elsewhere too. */
  spanProcessors?: readonly SpanProcessor[];
  /** Write what is pending when the process is about to exit (`beforeExit`); default true. */
  flushOnExit?: boolean;
  /** The environment read for the defaults; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Tags and metadata of the current trace, set from inside it; see {@link AgentTracer.updateCurrentTrace}. */
export interface TraceUpdate {
  tags?: Readonly<Record<string, string>>;
  metadata?: Readonly<Record<string, string>>;
}

// One async context for every tracer: a span's children are found through awaits, timers and callbacks.
const contexts = new AsyncLocalStorageContextManager().enable();

/**
 * Traces a TypeScript agent the way MLflow's `@mlflow.trace` traces a Python one, on
 * OpenTelemetry's SDK: spans with MLflow's attributes (`mlflow.spanType`, `mlflow.spanInputs`,
 * `mlflow.spanOutputs`, `mlflow.traceRequestId`), nested through async code, and traces whose
 * info is what MLflow's client writes, so MLflow's UI and client read them. A trace made while
 * a lifecycle run's function runs (`agent.evaluation(fn)`, ...) goes to that run's experiment,
 * with `mlflow.sourceRun`; others to the configured experiment. Traces are written in the
 * background, in batches; nothing in tracing blocks or throws into the traced code (failures
 * go to `onError`). Pending traces are written by {@link flush} and {@link close}, before a
 * run ends, and when the process is about to exit.
 *
 * @example
 * const tracer = new AgentTracer({ client, experimentName: '/agents/health_monitor_agent-dev' });
 * const classify = tracer.traced('classify', async (metrics: { cpu: number }) => (metrics.cpu > 90 ? 'critical' : 'ok'), { spanType: 'LLM' });
 * await classify({ cpu: 93 });
 * await tracer.close();
 */
export class AgentTracer {
  readonly #options: TracerOptions;
  readonly #report: TracingErrorHandler;
  readonly #exporter: TraceExporter;
  readonly #provider: BasicTracerProvider;
  readonly #tracer: ReturnType<BasicTracerProvider['getTracer']>;
  readonly #unregister: Array<() => void> = [];
  #ended = 0;
  #ownedClient: Promise<TrackingClient> | undefined;
  #configured: Promise<TraceDestination> | undefined;
  #closed = false;

  constructor(options: TracerOptions = {}) {
    this.#options = options;
    const onError = options.onError ?? stderrReporter();
    this.#report = (error) => {
      try {
        onError(error);
      } catch {
        // The handler's own failure goes nowhere.
      }
    };
    this.#exporter = new TraceExporter({ report: this.#report, metadata: sourceMetadata() });
    this.#provider = new BasicTracerProvider({
      spanProcessors: [
        new BatchSpanProcessor(this.#exporter, options.batch),
        ...(options.spanProcessors ?? []),
      ],
    });
    this.#tracer = this.#provider.getTracer('agentrack');
    this.#unregister.push(beforeRunEnds(() => this.#flushIfPending()));
    if (options.flushOnExit ?? true) {
      const onExit = (): void => void this.#flushIfPending();
      process.on('beforeExit', onExit);
      this.#unregister.push(() => process.off('beforeExit', onExit));
    }
  }

  /**
   * Wraps `fn` (sync or async) so that each call is a span named `name` (the function's name
   * when empty): its arguments are the span's inputs (the argument itself when there is one,
   * the list otherwise), its result the outputs; a throw or a rejection makes the span ERROR
   * with an `exception` event and is rethrown unchanged.
   *
   * @example const search = tracer.traced('search_docs', async (query: string) => index.search(query), { spanType: 'RETRIEVER' });
   */
  traced<A extends unknown[], R>(
    name: string,
    fn: (...args: A) => R,
    options: SpanOptions = {},
  ): (...args: A) => R {
    const spanName = name || fn.name || 'span';
    const functionName = fn.name || spanName;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const tracer = this;
    return function (this: unknown, ...args: A): R {
      return tracer.#inSpan(
        spanName,
        options,
        (span) => {
          span.setAttribute(SPAN_FUNCTION_NAME_ATTRIBUTE, functionName);
          span.setInputs(args.length === 1 ? args[0] : args.length === 0 ? {} : args);
          return fn.apply(this, args);
        },
        true,
      );
    };
  }

  /**
   * Runs `fn` (sync or async) in a span named `name`, handing it the span to record inputs,
   * outputs, attributes and events; answers what `fn` answers. A throw or a rejection makes the
   * span ERROR with an `exception` event and is rethrown unchanged.
   *
   * @example
   * const answer = await tracer.withSpan('plan', async (span) => {
   *   span.setInputs({ question });
   *   const plan = await planner(question);
   *   span.setOutputs(plan).setAttributes({ steps: plan.length });
   *   return plan;
   * }, { spanType: 'CHAIN' });
   */
  withSpan<R>(name: string, fn: (span: LiveSpan) => R, options: SpanOptions = {}): R {
    return this.#inSpan(name, options, fn, false);
  }

  /** Adds tags and metadata to the trace the calling code runs in; outside a trace it does nothing. */
  updateCurrentTrace(update: TraceUpdate): void {
    const expected = this.#currentTrace();
    if (expected === undefined) return;
    for (const [key, value] of Object.entries(update.tags ?? {})) expected.tags[key] = String(value);
    for (const [key, value] of Object.entries(update.metadata ?? {})) expected.metadata[key] = String(value);
  }

  /** The span the calling code runs in, or `undefined` outside of this tracer's spans. */
  currentSpan(): LiveSpan | undefined {
    const span = trace.getSpan(contexts.active());
    if (span === undefined || this.#exporter.expected(span.spanContext().traceId) === undefined)
      return undefined;
    return new LiveSpan(span);
  }

  /** Writes every trace whose root span has ended; never rejects (failures go to `onError`). */
  async flush(): Promise<void> {
    this.#ended = 0;
    try {
      await this.#provider.forceFlush();
      await this.#exporter.forceFlush();
    } catch (error) {
      this.#report(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Flushes, then stops: later spans are not recorded. Closes the client the tracer opened. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const unregister of this.#unregister.splice(0)) unregister();
    await this.flush();
    await this.#provider.shutdown().catch(() => undefined);
    const owned = this.#ownedClient;
    this.#ownedClient = undefined;
    if (owned) await owned.then((client) => client.close()).catch(() => undefined);
  }

  #inSpan<R>(name: string, options: SpanOptions, body: (span: LiveSpan) => R, resultIsOutput: boolean): R {
    const started = this.#start(name, options);
    if (started === undefined) return body(new LiveSpan(trace.wrapSpanContext(INVALID_SPAN_CONTEXT)));
    const { span, context } = started;
    const end = (): void => {
      this.#ended++;
      span._end();
    };
    let result: R;
    try {
      result = contexts.with(context, () => body(span));
    } catch (error) {
      span.recordError(error);
      end();
      throw error;
    }
    if (isPromiseLike(result)) {
      return result.then(
        (value) => {
          if (resultIsOutput) span.setOutputs(value);
          end();
          return value;
        },
        (error: unknown) => {
          span.recordError(error);
          end();
          throw error;
        },
      ) as R;
    }
    if (resultIsOutput) span.setOutputs(result);
    end();
    return result;
  }

  #start(name: string, options: SpanOptions): { span: LiveSpan; context: Context } | undefined {
    if (this.#closed) return undefined;
    try {
      const active = contexts.active();
      const parent = trace.getSpan(active);
      const nested =
        parent !== undefined && this.#exporter.expected(parent.spanContext().traceId) !== undefined;
      // The SDK would start the span at Date.now(), in whole milliseconds; its end is precise.
      const otelSpan = this.#tracer.startSpan(
        String(name),
        { startTime: hrTime() },
        nested ? active : ROOT_CONTEXT,
      );
      const traceId = otelSpan.spanContext().traceId;
      if (!nested)
        this.#exporter.expect(traceId, { destination: this.#destination(), tags: {}, metadata: {} });
      const span = new LiveSpan(otelSpan);
      otelSpan.setAttribute(SPAN_TRACE_ID_ATTRIBUTE, JSON.stringify(`tr-${traceId}`));
      otelSpan.setAttribute(SPAN_TYPE_ATTRIBUTE, toJsonText(options.spanType ?? 'UNKNOWN'));
      if (options.attributes) span.setAttributes(options.attributes);
      return { span, context: trace.setSpan(active, otelSpan) };
    } catch (error) {
      this.#report(error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
  }

  /** Where a trace starting now goes: the active run's experiment, else the configured one. */
  #destination(): ExpectedTrace['destination'] {
    const run = activeRun();
    if (run !== undefined && run.endStatus === undefined) {
      const destination: TraceDestination = {
        writer: run.client.traces,
        experimentId: run.experimentId,
        runId: run.runId,
      };
      return () => Promise.resolve(destination);
    }
    return () => this.#configuredDestination();
  }

  #configuredDestination(): Promise<TraceDestination> {
    this.#configured ??= this.#resolveConfigured();
    this.#configured.catch(() => {
      this.#configured = undefined;
    });
    return this.#configured;
  }

  async #resolveConfigured(): Promise<TraceDestination> {
    const env = this.#options.env ?? process.env;
    const experimentId = this.#options.experimentId ?? nonEmpty(env.MLFLOW_EXPERIMENT_ID);
    const experimentName = this.#options.experimentName ?? nonEmpty(env.MLFLOW_EXPERIMENT_NAME);
    if (experimentId === undefined && experimentName === undefined) {
      throw new Error(
        'it was made outside a lifecycle run and no experiment is configured: pass experimentId or experimentName to configureTracing (or set MLFLOW_EXPERIMENT_ID / MLFLOW_EXPERIMENT_NAME).',
      );
    }
    const client = await this.#client();
    if (experimentId !== undefined) return { writer: client.traces, experimentId };
    const name = experimentName as string;
    const existing = await client.getExperimentByName(name);
    const id =
      existing?.lifecycle_stage === 'active' ? existing.experiment_id : await client.createExperiment(name);
    return { writer: client.traces, experimentId: id };
  }

  #client(): Promise<TrackingClient> {
    if (this.#options.client) return Promise.resolve(this.#options.client);
    this.#ownedClient ??= TrackingClient.open(this.#options.trackingUri, {
      ...(this.#options.env ? { env: this.#options.env } : {}),
    });
    this.#ownedClient.catch(() => {
      this.#ownedClient = undefined;
    });
    return this.#ownedClient;
  }

  #currentTrace(): ExpectedTrace | undefined {
    const span = trace.getSpan(contexts.active());
    return span === undefined ? undefined : this.#exporter.expected(span.spanContext().traceId);
  }

  async #flushIfPending(): Promise<void> {
    if (this.#ended > 0 || this.#exporter.writing > 0) await this.flush();
  }
}

/** What MLflow's client records of where a trace was made: the user and the program. */
function sourceMetadata(): Record<string, string> {
  const metadata: Record<string, string> = { 'mlflow.source.type': 'LOCAL' };
  const script = process.argv[1];
  if (script) metadata['mlflow.source.name'] = basename(script);
  try {
    metadata['mlflow.user'] = userInfo().username;
  } catch {
    // No user name (a container without passwd entry): MLflow leaves it out too.
  }
  return metadata;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
