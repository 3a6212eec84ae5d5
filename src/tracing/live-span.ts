import { SpanStatusCode, type Span as OtelSpan } from '@opentelemetry/api';
import { SPAN_INPUTS_ATTRIBUTE, SPAN_OUTPUTS_ATTRIBUTE } from '../entities/index.js';
import { toJsonText } from '../utils/json-text.js';

/**
 * A span while it runs, as `withSpan` hands it to its function: record what the step took
 * and gave, attributes and events, in MLflow's conventions (values JSON-encoded). None of its
 * methods throws; each answers the span, so calls chain.
 */
export class LiveSpan {
  readonly #span: OtelSpan;
  #statusSet = false;

  constructor(span: OtelSpan) {
    this.#span = span;
  }

  /** The trace's id, `tr-<32 hex digits>`: what MLflow's API and agentrack's `client.traces` take. */
  get traceId(): string {
    return `tr-${this.#span.spanContext().traceId}`;
  }

  /** The span's id, 16 hex digits. */
  get spanId(): string {
    return this.#span.spanContext().spanId;
  }

  /** The step's inputs (any JSON-able value): `mlflow.spanInputs`; a root span's become the trace's request preview. */
  setInputs(inputs: unknown): this {
    return this.setAttribute(SPAN_INPUTS_ATTRIBUTE, inputs);
  }

  /** The step's outputs: `mlflow.spanOutputs`; a root span's become the trace's response preview. */
  setOutputs(outputs: unknown): this {
    return this.setAttribute(SPAN_OUTPUTS_ATTRIBUTE, outputs);
  }

  /** One attribute, its value JSON-encoded as MLflow keeps span attributes. */
  setAttribute(key: string, value: unknown): this {
    guard(() => this.#span.setAttribute(String(key), toJsonText(value)));
    return this;
  }

  /** Several attributes at once. */
  setAttributes(attributes: Readonly<Record<string, unknown>>): this {
    for (const [key, value] of Object.entries(attributes ?? {})) this.setAttribute(key, value);
    return this;
  }

  /** Something that happened during the step, now (or at `time`, epoch milliseconds or a Date). */
  addEvent(name: string, attributes: Readonly<Record<string, unknown>> = {}, time?: number | Date): this {
    guard(() => {
      const plain: Record<string, string | number | boolean> = {};
      for (const [key, value] of Object.entries(attributes ?? {})) {
        plain[key] =
          typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
            ? value
            : toJsonText(value);
      }
      this.#span.addEvent(String(name), plain, time);
    });
    return this;
  }

  /** Marks the span failed by `error`: ERROR status with its message, and an `exception` event. */
  recordError(error: unknown): this {
    guard(() => {
      const exception = error instanceof Error ? error : new Error(String(error));
      this.#span.recordException(exception);
      this.#statusSet = true;
      this.#span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `${exception.name}: ${exception.message}`,
      });
    });
    return this;
  }

  /** Sets the span's status (OK unless set when it ends without an error). */
  setStatus(status: 'OK' | 'ERROR', message?: string): this {
    this.#statusSet = true;
    guard(() =>
      this.#span.setStatus({
        code: status === 'ERROR' ? SpanStatusCode.ERROR : SpanStatusCode.OK,
        ...(message !== undefined ? { message } : {}),
      }),
    );
    return this;
  }

  /** @internal Ends the span, OK unless a status was set; for the tracer. */
  _end(): void {
    guard(() => {
      if (!this.#statusSet) this.#span.setStatus({ code: SpanStatusCode.OK });
      this.#span.end();
    });
  }
}

function guard(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // Recording must never fail the traced code.
  }
}
