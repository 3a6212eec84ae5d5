import { AgentTracer, type SpanOptions, type TraceUpdate, type TracerOptions } from './agent-tracer.js';
import type { LiveSpan } from './live-span.js';

let current: AgentTracer | undefined;

/**
 * Sets up the tracer that {@link traced}, {@link withSpan}, {@link flush} and {@link close}
 * use: where traces made outside a lifecycle run go, and where failures are reported. The
 * previous one is closed (its pending traces written). Without it, traces made inside a
 * lifecycle run still go to the run's experiment.
 *
 * @example configureTracing({ trackingUri: 'http://127.0.0.1:5000', experimentName: '/agents/health_monitor_agent-dev' });
 */
export function configureTracing(options: TracerOptions = {}): AgentTracer {
  const previous = current;
  current = new AgentTracer(options);
  if (previous) void previous.close();
  return current;
}

/** The tracer the module's functions use (one with default options until {@link configureTracing}). */
export function defaultTracer(): AgentTracer {
  current ??= new AgentTracer();
  return current;
}

/**
 * Wraps a sync or async function so that each call is a span of the default tracer; see
 * {@link AgentTracer.traced}. The tracer is the one configured when the function is called.
 *
 * @example
 * const readMetrics = traced('read_metrics', async (host: string) => fetchMetrics(host), { spanType: 'TOOL' });
 */
export function traced<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => R,
  options: SpanOptions = {},
): (...args: A) => R {
  return function (this: unknown, ...args: A): R {
    return defaultTracer().traced(name, fn, options).apply(this, args);
  };
}

/** Runs `fn` in a span of the default tracer; see {@link AgentTracer.withSpan}. */
export function withSpan<R>(name: string, fn: (span: LiveSpan) => R, options: SpanOptions = {}): R {
  return defaultTracer().withSpan(name, fn, options);
}

/** Adds tags and metadata to the current trace; see {@link AgentTracer.updateCurrentTrace}. */
export function updateCurrentTrace(update: TraceUpdate): void {
  current?.updateCurrentTrace(update);
}

/** The current span of the default tracer, or `undefined`. */
export function currentSpan(): LiveSpan | undefined {
  return current?.currentSpan();
}

/** Writes the default tracer's pending traces; never rejects. */
export async function flush(): Promise<void> {
  await current?.flush();
}

/** Flushes and stops the default tracer; the next span starts a new one with default options. */
export async function close(): Promise<void> {
  const closing = current;
  current = undefined;
  await closing?.close();
}
