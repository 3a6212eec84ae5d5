import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { TRACE_SOURCE_RUN_KEY, type Span, type Trace } from '../entities/index.js';
import { summarizeTrace } from '../protocol/trace-summary.js';
import { spanRowOf } from './span-row.js';

/** What writes a finished trace: `client.traces` (its info, its span rows and its `traces.json`). */
export interface TraceWriter {
  logTrace(trace: Trace): Promise<unknown>;
}

/** Where a trace goes: an experiment, through a writer, linked to a run when it was made in one. */
export interface TraceDestination {
  writer: TraceWriter;
  experimentId: string;
  /** The run the trace was made in: it becomes the trace's `mlflow.sourceRun`. */
  runId?: string;
}

/** What the tracer knows of a trace from its root span's start: where it goes, its own tags and metadata. */
export interface ExpectedTrace {
  /** Resolved when the trace is written (a configured experiment name is looked up once, then). */
  destination: () => Promise<TraceDestination>;
  tags: Record<string, string>;
  metadata: Record<string, string>;
}

/** Options of {@link TraceExporter}. */
export interface TraceExporterOptions {
  /** Where failures go; never into the traced code. */
  report: (error: Error) => void;
  /** Metadata every trace gets (`mlflow.user`, `mlflow.source.name`, ...). */
  metadata?: Readonly<Record<string, string>>;
  /** Traces whose root has not ended yet kept at most (the oldest is dropped, and reported); default 10 000. */
  maxOpenTraces?: number;
}

/** How many exported trace ids are remembered, to tell a straggling span from a new trace's. */
const REMEMBERED_TRACES = 1000;

/**
 * An OpenTelemetry span exporter (behind a `BatchSpanProcessor`) that writes whole traces
 * as MLflow's client does: the spans of a trace are held until its root span ends, then the
 * trace's info (summarized from its spans, with `mlflow.sourceRun` when it was made in a run)
 * and its spans are written together through the trace's {@link TraceDestination}. A failure
 * is reported, never thrown, and the exporter goes on.
 */
export class TraceExporter implements SpanExporter {
  readonly #options: TraceExporterOptions;
  readonly #expected = new Map<string, ExpectedTrace>();
  readonly #open = new Map<string, ReadableSpan[]>();
  readonly #written = new Set<string>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: TraceExporterOptions) {
    this.#options = options;
  }

  /** Records where the trace of OpenTelemetry id `otelTraceId` goes; the tracer calls it when its root span starts. */
  expect(otelTraceId: string, trace: ExpectedTrace): void {
    this.#expected.set(otelTraceId, trace);
  }

  /** The record of a trace whose root span has started and that is not written yet. */
  expected(otelTraceId: string): ExpectedTrace | undefined {
    return this.#expected.get(otelTraceId);
  }

  /** How many traces are written or being written, but not done. */
  get writing(): number {
    return this.#inFlight.size;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const finished: string[] = [];
    for (const span of spans) {
      const id = span.spanContext().traceId;
      if (this.#written.has(id)) {
        this.#report(
          new Error(
            `span '${span.name}' of trace tr-${id} ended after its trace's root span and was not written.`,
          ),
        );
        continue;
      }
      const group = this.#open.get(id);
      if (group) group.push(span);
      else this.#keepOpen(id, [span]);
      if (isRoot(span)) finished.push(id);
    }
    // Failures are reported by the writes themselves: the batch processor is told of none, so
    // that it neither reports them again nor fails a flush.
    void Promise.all(finished.map((id) => this.#write(id))).then(() =>
      resultCallback({ code: ExportResultCode.SUCCESS }),
    );
  }

  /** Waits for the traces being written. */
  async forceFlush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }

  #keepOpen(id: string, spans: ReadableSpan[]): void {
    this.#open.set(id, spans);
    const max = this.#options.maxOpenTraces ?? 10_000;
    if (this.#open.size <= max) return;
    const [oldest, dropped] = this.#open.entries().next().value as [string, ReadableSpan[]];
    this.#open.delete(oldest);
    this.#expected.delete(oldest);
    this.#report(
      new Error(
        `trace tr-${oldest} was dropped (${dropped.length} span(s)): more than ${max} traces were waiting for their root span to end.`,
      ),
    );
  }

  /** Writes one trace; never rejects (a failure is reported). */
  #write(id: string): Promise<void> {
    const readable = this.#open.get(id) ?? [];
    const expected = this.#expected.get(id);
    this.#open.delete(id);
    this.#expected.delete(id);
    this.#written.add(id);
    if (this.#written.size > REMEMBERED_TRACES)
      this.#written.delete(this.#written.values().next().value as string);
    const traceId = `tr-${id}`;
    const work = (async (): Promise<void> => {
      try {
        if (expected === undefined) throw new Error('its root span was not started by this tracer');
        const destination = await expected.destination();
        const spans = readable.map(spanRowOf).sort(byStart);
        const info = summarizeTrace(traceId, spans, {
          experimentId: destination.experimentId,
          metadata: {
            ...this.#options.metadata,
            ...expected.metadata,
            ...(destination.runId !== undefined ? { [TRACE_SOURCE_RUN_KEY]: destination.runId } : {}),
          },
          tags: expected.tags,
        });
        await destination.writer.logTrace({ info, spans });
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : String(cause);
        this.#report(new Error(`could not write trace ${traceId}: ${message}`, { cause }));
      }
    })();
    this.#inFlight.add(work);
    void work.then(() => this.#inFlight.delete(work));
    return work;
  }

  #report(error: Error): void {
    try {
      this.#options.report(error);
    } catch {
      // A failing handler must not reach the traced code either.
    }
  }
}

function isRoot(span: ReadableSpan): boolean {
  const parent = span.parentSpanContext?.spanId;
  return parent === undefined || parent === '0000000000000000';
}

function byStart(a: Span, b: Span): number {
  const left = BigInt(a.start_time_unix_nano);
  const right = BigInt(b.start_time_unix_nano);
  return left < right ? -1 : left > right ? 1 : a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0;
}
