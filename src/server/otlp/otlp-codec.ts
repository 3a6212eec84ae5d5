/**
 * OTLP/HTTP trace requests and responses (`opentelemetry.proto.collector.trace.v1`), in their
 * binary protobuf and JSON encodings, read and written with the OpenTelemetry project's own
 * generated protobuf code: the static protobufjs root that `@opentelemetry/otlp-transformer`
 * shipped up to 0.216.0 (installed as `otlp-transformer-protobuf`; later releases encode by
 * hand and decode only responses).
 */
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { SPAN_TYPE_ATTRIBUTE, type Span, type SpanEvent, type SpanStatusCode } from '../../entities/index.js';
import { invalidParameter } from '../../errors.js';

/** The OTLP media types: binary protobuf and JSON. */
export type OtlpEncoding = 'protobuf' | 'json';

/** The spans of one OTLP request, and those refused (with why). */
export interface OtlpSpans {
  spans: Span[];
  rejected: number;
  /** Why spans were refused (the first reasons). */
  reasons: string[];
}

interface ProtoMessage {
  [key: string]: unknown;
}

interface ProtoType {
  decode(reader: Uint8Array): ProtoMessage;
  encode(message: ProtoMessage): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): ProtoMessage;
  toObject(message: ProtoMessage, options: Record<string, unknown>): Record<string, unknown>;
  verify(object: Record<string, unknown>): string | null;
}

interface TraceServiceTypes {
  ExportTraceServiceRequest: ProtoType;
  ExportTraceServiceResponse: ProtoType;
}

const require = createRequire(import.meta.url);
let types: TraceServiceTypes | undefined;

function traceService(): TraceServiceTypes {
  if (types === undefined) {
    const root = require('otlp-transformer-protobuf/build/src/generated/root.js') as {
      opentelemetry: { proto: { collector: { trace: { v1: TraceServiceTypes } } } };
    };
    types = root.opentelemetry.proto.collector.trace.v1;
  }
  return types;
}

/** How decoded messages become plain objects: 64-bit integers as exact decimal strings, bytes as base64. */
const PLAIN = { longs: String, bytes: String, enums: Number, defaults: false, arrays: true };

/**
 * The spans of an OTLP `ExportTraceServiceRequest` body as agentrack's span rows (ids in hex,
 * exact nanosecond times, string attributes decoded from JSON when they are JSON, as MLflow's
 * spans carry them). A body that is not such a request is INVALID_PARAMETER_VALUE; a span
 * without a valid trace or span id is counted in `rejected`.
 */
export function decodeTraceRequest(body: Buffer, encoding: OtlpEncoding): OtlpSpans {
  const { ExportTraceServiceRequest } = traceService();
  let plain: Record<string, unknown>;
  if (encoding === 'protobuf') {
    let message: ProtoMessage;
    try {
      message = ExportTraceServiceRequest.decode(body);
    } catch (error) {
      throw invalidParameter(
        `The request body is not an OTLP ExportTraceServiceRequest in protobuf: ${(error as Error).message}.`,
      );
    }
    plain = ExportTraceServiceRequest.toObject(message, PLAIN);
  } else {
    const json = readJson(body);
    let message: ProtoMessage;
    try {
      message = ExportTraceServiceRequest.fromObject(json);
    } catch (error) {
      throw invalidParameter(
        `The request body is not an OTLP ExportTraceServiceRequest in JSON: ${(error as Error).message}.`,
      );
    }
    plain = ExportTraceServiceRequest.toObject(message, PLAIN);
  }
  return spansOf(plain);
}

/**
 * An OTLP `ExportTraceServiceResponse` in `encoding`: empty when every span was taken, else
 * with `partial_success` (how many spans were refused, and why).
 */
export function encodeTraceResponse(
  encoding: OtlpEncoding,
  rejected = 0,
  errorMessage = '',
): Buffer | string {
  const { ExportTraceServiceResponse } = traceService();
  const partial = rejected > 0 || errorMessage !== '';
  if (encoding === 'json') {
    return JSON.stringify(
      partial ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage } } : {},
    );
  }
  const message = ExportTraceServiceResponse.fromObject(
    partial ? { partialSuccess: { rejectedSpans: rejected, errorMessage } } : {},
  );
  return Buffer.from(ExportTraceServiceResponse.encode(message).finish());
}

const BIG_INTEGER = /(?<!\\)"(\w*UnixNano|intValue|int_value|\w*_unix_nano)"(\s*:\s*)(-?\d+)(?=\s*[,}\]])/g;
const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId', 'trace_id', 'span_id', 'parent_span_id']);

/** OTLP/JSON as the protobuf JSON mapping writes it, with OTLP's exceptions: ids in hex, 64-bit integers exact. */
function readJson(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      body
        .toString('utf8')
        .replace(
          BIG_INTEGER,
          (_all, key: string, colon: string, digits: string) => `"${key}"${colon}"${digits}"`,
        ),
      (key, value: unknown) =>
        ID_FIELDS.has(key) && typeof value === 'string' && /^(?:[0-9a-fA-F]{2})*$/.test(value)
          ? Buffer.from(value, 'hex').toString('base64')
          : value,
    );
  } catch (error) {
    throw invalidParameter(`The request body is not OTLP JSON: ${(error as Error).message}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter(
      'The request body is not OTLP JSON: expected an ExportTraceServiceRequest object.',
    );
  }
  return parsed as Record<string, unknown>;
}

type Plain = Record<string, unknown>;

function spansOf(request: Plain): OtlpSpans {
  const out: OtlpSpans = { spans: [], rejected: 0, reasons: [] };
  for (const resourceSpans of list(request.resourceSpans)) {
    for (const scopeSpans of list(resourceSpans.scopeSpans)) {
      for (const span of list(scopeSpans.spans)) {
        const traceId = hexOf(span.traceId, 16);
        const spanId = hexOf(span.spanId, 8);
        if (traceId === undefined || spanId === undefined) {
          out.rejected++;
          if (out.reasons.length < 3) {
            out.reasons.push(
              `span '${String(span.name ?? '')}' has no valid ${traceId === undefined ? 'trace_id (16 bytes)' : 'span_id (8 bytes)'}`,
            );
          }
          continue;
        }
        out.spans.push(spanRow(span, traceId, spanId));
      }
    }
  }
  return out;
}

function spanRow(span: Plain, traceId: string, spanId: string): Span {
  const parent = hexOf(span.parentSpanId, 8);
  const attributes = attributesOf(span.attributes, true);
  const type = attributes[SPAN_TYPE_ATTRIBUTE];
  const status = (span.status ?? {}) as Plain;
  const message = typeof status.message === 'string' ? status.message : '';
  const events: SpanEvent[] = list(span.events).map((event) => {
    const eventAttributes = attributesOf(event.attributes, false);
    return {
      name: typeof event.name === 'string' ? event.name : '',
      time_unix_nano: nanos(event.timeUnixNano),
      ...(Object.keys(eventAttributes).length > 0 ? { attributes: eventAttributes } : {}),
    };
  });
  const end = nanos(span.endTimeUnixNano);
  return {
    trace_id: `tr-${traceId}`,
    span_id: spanId,
    ...(parent === undefined || parent === '0000000000000000' ? {} : { parent_span_id: parent }),
    name: typeof span.name === 'string' ? span.name : '',
    span_type: typeof type === 'string' && type !== '' ? type : 'UNKNOWN',
    status: statusOf(status.code),
    ...(message === '' ? {} : { status_message: message }),
    start_time_unix_nano: nanos(span.startTimeUnixNano),
    ...(end === '0' ? {} : { end_time_unix_nano: end }),
    attributes,
    ...(events.length > 0 ? { events } : {}),
  };
}

function attributesOf(raw: unknown, decodeJsonStrings: boolean): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const pair of list(raw)) {
    if (typeof pair.key !== 'string') continue;
    const value = anyValue(pair.value);
    attributes[pair.key] = decodeJsonStrings && typeof value === 'string' ? decodeJson(value) : value;
  }
  return attributes;
}

function anyValue(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return null;
  const value = raw as Plain;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) {
    const digits = String(value.intValue);
    const number = Number(digits);
    return Number.isSafeInteger(number) ? number : digits;
  }
  if ('doubleValue' in value) return value.doubleValue;
  if ('bytesValue' in value) return value.bytesValue;
  if ('arrayValue' in value) return list((value.arrayValue as Plain | undefined)?.values).map(anyValue);
  if ('kvlistValue' in value) {
    return Object.fromEntries(
      list((value.kvlistValue as Plain | undefined)?.values).map((pair) => [
        String(pair.key),
        anyValue(pair.value),
      ]),
    );
  }
  return null;
}

function decodeJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function statusOf(code: unknown): SpanStatusCode {
  return code === 2 ? 'ERROR' : code === 1 ? 'OK' : 'UNSET';
}

function nanos(raw: unknown): string {
  if (typeof raw === 'string' && /^\d+$/.test(raw)) return BigInt(raw).toString();
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return String(raw);
  return '0';
}

function hexOf(raw: unknown, bytes: number): string | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  const decoded = Buffer.from(raw, 'base64');
  if (decoded.length !== bytes || decoded.every((byte) => byte === 0)) return undefined;
  return decoded.toString('hex');
}

function list(raw: unknown): Plain[] {
  return Array.isArray(raw)
    ? raw.filter((item): item is Plain => typeof item === 'object' && item !== null)
    : [];
}
