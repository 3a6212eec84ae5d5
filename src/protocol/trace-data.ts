/**
 * `traces.json`, the file that holds a trace's spans in its artifact location, as MLflow's
 * clients write and read it, and agentrack's {@link Span} rows.
 *
 * MLflow 3 writes OpenTelemetry-style spans: base64 ids, epoch-nanosecond times, attribute
 * values as JSON-encoded strings, `status.code` `STATUS_CODE_OK`/`STATUS_CODE_ERROR`. MLflow 2
 * wrote `context.span_id`/`parent_id` as `0x`-prefixed hex, `start_time`/`end_time` and
 * `status_code`; both are read. Nanosecond times exceed a double's exact range, so they are
 * read from the text as digits, never through a JS number. MLflow's client writes a span name
 * as it was given (`start_trace(name=1234)`, `name=None`): a number or boolean is kept as its
 * text, no name as `''`.
 */
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { SPAN_TYPE_ATTRIBUTE, type Span, type SpanEvent, type SpanStatusCode } from '../entities/index.js';
import { invalidParameter } from '../errors.js';

const BIG_TIME = /(?<!\\)"((?:start_|end_)?time(?:_unix_nano)?|timestamp)"(\s*:\s*)(-?\d+)(?=\s*[,}\]])/g;

/**
 * The spans of a `traces.json` text (MLflow 3's or MLflow 2's layout), for the trace `traceId`.
 * A text that is not such a file is INVALID_PARAMETER_VALUE saying what is wrong.
 *
 * @example parseTraceData('{"spans": []}', 'tr-2904acdc599a497f5f5494fa26c7da43') // []
 */
export function parseTraceData(text: string, traceId: string): Span[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      text.replace(
        BIG_TIME,
        (_all, key: string, colon: string, digits: string) => `"${key}"${colon}"${digits}"`,
      ),
    );
  } catch (error) {
    throw invalidParameter(`The trace data of '${traceId}' is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed) || !Array.isArray(parsed.spans)) {
    throw invalidParameter(`The trace data of '${traceId}' must be a JSON object with a list 'spans'.`);
  }
  return parsed.spans.map((raw, index) => {
    if (!isObject(raw)) throw invalidParameter(`Span ${index} of trace '${traceId}' is not a JSON object.`);
    return isObject(raw.context) ? mlflow2Span(raw, traceId, index) : mlflow3Span(raw, traceId, index);
  });
}

/**
 * The `traces.json` text of spans, in MLflow 3's layout, which MLflow 3's client reads:
 * base64 ids (the trace's OpenTelemetry id is the hex of its `tr-` id), attribute values
 * JSON-encoded, nanosecond times written as exact integers.
 */
export function formatTraceData(spans: readonly Span[]): string {
  // Times go in as unique placeholder strings and come out as bare integers: JSON.stringify
  // cannot write an integer beyond a double's range exactly.
  const nonce = randomUUID();
  const times = new Map<string, string>();
  const time = (value: string): string => {
    const marker = `${nonce}:${times.size}`;
    times.set(marker, value);
    return marker;
  };
  const body = {
    spans: spans.map((span) => ({
      trace_id: base64OfHex(otelTraceId(span.trace_id)),
      span_id: base64OfHex(span.span_id),
      trace_state: '',
      parent_span_id: span.parent_span_id === undefined ? '' : base64OfHex(span.parent_span_id),
      name: span.name,
      start_time_unix_nano: time(span.start_time_unix_nano),
      end_time_unix_nano: span.end_time_unix_nano === undefined ? null : time(span.end_time_unix_nano),
      attributes: Object.fromEntries(
        Object.entries(span.attributes).map(([key, value]) => [key, JSON.stringify(value ?? null)]),
      ),
      ...(span.events && span.events.length > 0
        ? {
            events: span.events.map((event) => ({
              time_unix_nano: time(event.time_unix_nano),
              name: event.name,
              attributes: event.attributes ?? {},
            })),
          }
        : {}),
      status: { message: span.status_message ?? '', code: `STATUS_CODE_${span.status}` },
    })),
  };
  return JSON.stringify(body).replace(
    new RegExp(`"${nonce}:\\d+"`, 'g'),
    (quoted) => times.get(quoted.slice(1, -1)) ?? quoted,
  );
}

/** The 32 hex digits of a trace's OpenTelemetry id: its `tr-` id without the prefix. */
export function otelTraceId(traceId: string): string {
  const hex = traceId.startsWith('tr-') ? traceId.slice(3) : traceId;
  return /^[0-9a-f]{32}$/i.test(hex) ? hex.toLowerCase() : '0'.repeat(32);
}

function mlflow3Span(raw: Record<string, unknown>, traceId: string, index: number): Span {
  const where = `span ${index} of trace '${traceId}'`;
  const attributes = decodeAttributes(raw.attributes, where);
  const status = isObject(raw.status) ? raw.status : {};
  const parent = text(raw.parent_span_id, `${where}: parent_span_id`, '');
  const message = text(status.message, `${where}: status.message`, '');
  const end = raw.end_time_unix_nano;
  return withoutEmpty({
    trace_id: traceId,
    span_id: hexOfId(raw.span_id, `${where}: span_id`),
    ...(parent === '' ? {} : { parent_span_id: hexOfId(parent, `${where}: parent_span_id`) }),
    name: spanName(raw.name, `${where}: name`),
    span_type: spanType(attributes),
    status: statusCode(status.code, `${where}: status.code`),
    ...(message === '' ? {} : { status_message: message }),
    start_time_unix_nano: nanos(raw.start_time_unix_nano, `${where}: start_time_unix_nano`),
    ...(end === undefined || end === null
      ? {}
      : { end_time_unix_nano: nanos(end, `${where}: end_time_unix_nano`) }),
    attributes,
    events: events(raw.events, where, 'time_unix_nano'),
  });
}

function mlflow2Span(raw: Record<string, unknown>, traceId: string, index: number): Span {
  const where = `span ${index} of trace '${traceId}'`;
  const context = raw.context as Record<string, unknown>;
  const attributes = decodeAttributes(raw.attributes, where);
  const parent = raw.parent_id;
  const message = text(raw.status_message, `${where}: status_message`, '');
  const end = raw.end_time;
  return withoutEmpty({
    trace_id: traceId,
    span_id: hexOfId(context.span_id, `${where}: context.span_id`),
    ...(parent === undefined || parent === null || parent === ''
      ? {}
      : { parent_span_id: hexOfId(parent, `${where}: parent_id`) }),
    name: spanName(raw.name, `${where}: name`),
    span_type: spanType(attributes),
    status: statusCode(raw.status_code, `${where}: status_code`),
    ...(message === '' ? {} : { status_message: message }),
    start_time_unix_nano: nanos(raw.start_time, `${where}: start_time`),
    ...(end === undefined || end === null ? {} : { end_time_unix_nano: nanos(end, `${where}: end_time`) }),
    attributes,
    events: events(raw.events, where, 'timestamp'),
  });
}

function withoutEmpty(span: Span): Span {
  if (span.events !== undefined && span.events.length === 0) delete span.events;
  return span;
}

function decodeAttributes(raw: unknown, where: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw invalidParameter(`The attributes of ${where} must be a JSON object.`);
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw))
    decoded[key] = typeof value === 'string' ? decodeJson(value) : value;
  return decoded;
}

function decodeJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function spanType(attributes: Record<string, unknown>): string {
  const type = attributes[SPAN_TYPE_ATTRIBUTE];
  return typeof type === 'string' && type !== '' ? type : 'UNKNOWN';
}

function events(raw: unknown, where: string, timeKey: string): SpanEvent[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidParameter(`The events of ${where} must be a list.`);
  return raw.map((event, i) => {
    if (!isObject(event)) throw invalidParameter(`Event ${i} of ${where} is not a JSON object.`);
    const attributes = event.attributes;
    if (attributes !== undefined && attributes !== null && !isObject(attributes)) {
      throw invalidParameter(`The attributes of event ${i} of ${where} must be a JSON object.`);
    }
    return {
      name: text(event.name, `event ${i} of ${where}: name`),
      time_unix_nano: nanos(event[timeKey] ?? event.time_unix_nano, `event ${i} of ${where}: ${timeKey}`),
      ...(isObject(attributes) && Object.keys(attributes).length > 0 ? { attributes } : {}),
    };
  });
}

function statusCode(raw: unknown, where: string): SpanStatusCode {
  if (raw === undefined || raw === null || raw === '') return 'UNSET';
  const code = typeof raw === 'string' ? raw.replace(/^STATUS_CODE_/, '') : raw;
  if (code === 'OK' || code === 'ERROR' || code === 'UNSET') return code;
  if (code === 0) return 'UNSET';
  if (code === 1) return 'OK';
  if (code === 2) return 'ERROR';
  throw invalidParameter(
    `Invalid ${where} ${JSON.stringify(raw)}: expected STATUS_CODE_OK, STATUS_CODE_ERROR or STATUS_CODE_UNSET.`,
  );
}

function nanos(raw: unknown, where: string): string {
  if (typeof raw === 'string' && /^-?\d+$/.test(raw)) return BigInt(raw).toString();
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return String(raw);
  throw invalidParameter(
    `Invalid ${where} ${JSON.stringify(raw)}: expected an integer number of nanoseconds.`,
  );
}

function spanName(raw: unknown, where: string): string {
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return text(raw, where, '');
}

function text(raw: unknown, where: string, fallback?: string): string {
  if (typeof raw === 'string') return raw;
  if ((raw === undefined || raw === null) && fallback !== undefined) return fallback;
  throw invalidParameter(`Invalid ${where} ${JSON.stringify(raw)}: expected a string.`);
}

/** A span id (8 bytes) or trace id (16 bytes) as lowercase hex, from base64 or (MLflow 2's) `0x` hex. */
function hexOfId(raw: unknown, where: string): string {
  if (typeof raw === 'string') {
    if (/^0x[0-9a-f]+$/i.test(raw)) return raw.slice(2).toLowerCase().padStart(16, '0');
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(raw) && raw.length % 4 === 0) {
      const bytes = Buffer.from(raw, 'base64');
      if (bytes.length === 8 || bytes.length === 16) return bytes.toString('hex');
    }
  }
  throw invalidParameter(`Invalid ${where} ${JSON.stringify(raw)}: expected a base64 or 0x-hex span id.`);
}

function base64OfHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Spans by start time, then span id, with the times compared exactly. */
export function sortSpans(spans: Span[]): Span[] {
  return spans.sort((a, b) => {
    const left = BigInt(a.start_time_unix_nano);
    const right = BigInt(b.start_time_unix_nano);
    if (left !== right) return left < right ? -1 : 1;
    return a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0;
  });
}
