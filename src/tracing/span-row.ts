import { SpanStatusCode as OtelStatusCode, type AttributeValue, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SPAN_TYPE_ATTRIBUTE, type Span, type SpanEvent, type SpanStatusCode } from '../entities/index.js';

const INVALID_SPAN_ID = '0000000000000000';

/**
 * agentrack's row of an ended OpenTelemetry span: its trace's `tr-` id, hex ids, exact
 * epoch-nanosecond times, and attribute values decoded from the JSON strings MLflow's
 * conventions keep them as (`mlflow.spanInputs`, `mlflow.spanType`, ...); a string that is
 * not JSON (another instrumentation's `http.method`) is kept as it is.
 */
export function spanRowOf(span: ReadableSpan): Span {
  const context = span.spanContext();
  const parent = span.parentSpanContext?.spanId;
  const attributes = decodeAttributes(span.attributes);
  const type = attributes[SPAN_TYPE_ATTRIBUTE];
  const events: SpanEvent[] = span.events.map((event) => ({
    name: event.name,
    time_unix_nano: hrTimeToNanos(event.time),
    ...(event.attributes && Object.keys(event.attributes).length > 0
      ? { attributes: { ...event.attributes } }
      : {}),
  }));
  return {
    trace_id: `tr-${context.traceId}`,
    span_id: context.spanId,
    ...(parent === undefined || parent === INVALID_SPAN_ID ? {} : { parent_span_id: parent }),
    name: span.name,
    span_type: typeof type === 'string' && type !== '' ? type : 'UNKNOWN',
    status: statusOf(span.status.code),
    ...(span.status.message ? { status_message: span.status.message } : {}),
    start_time_unix_nano: hrTimeToNanos(span.startTime),
    end_time_unix_nano: hrTimeToNanos(span.endTime),
    attributes,
    ...(events.length > 0 ? { events } : {}),
  };
}

/** Epoch nanoseconds of an OpenTelemetry time, exactly, as a decimal string. */
export function hrTimeToNanos([seconds, nanos]: HrTime): string {
  return (BigInt(seconds) * 1_000_000_000n + BigInt(nanos)).toString();
}

function statusOf(code: OtelStatusCode): SpanStatusCode {
  if (code === OtelStatusCode.ERROR) return 'ERROR';
  if (code === OtelStatusCode.OK) return 'OK';
  return 'UNSET';
}

function decodeAttributes(
  attributes: Readonly<Record<string, AttributeValue | undefined>>,
): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      decoded[key] = value;
      continue;
    }
    try {
      decoded[key] = JSON.parse(value) as unknown;
    } catch {
      decoded[key] = value;
    }
  }
  return decoded;
}
