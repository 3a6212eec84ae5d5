import {
  SPAN_INPUTS_ATTRIBUTE,
  SPAN_OUTPUTS_ATTRIBUTE,
  TRACE_NAME_TAG,
  type Span,
  type TraceInfo,
} from '../entities/index.js';
import { toJsonText, truncateText } from '../utils/json-text.js';
import { formatProtoDuration, formatProtoTimestamp } from '../utils/protobuf-time.js';

/** The trace metadata key holding the root span's inputs (JSON, at most 250 characters). */
export const TRACE_INPUTS_KEY = 'mlflow.traceInputs';
/** The trace metadata key holding the root span's outputs (JSON, at most 250 characters). */
export const TRACE_OUTPUTS_KEY = 'mlflow.traceOutputs';
/** The trace metadata key holding the layout version of the trace's spans. */
export const TRACE_SCHEMA_VERSION_KEY = 'mlflow.trace_schema.version';
/** The layout version of the spans MLflow 3 writes (and agentrack with it). */
export const TRACE_SCHEMA_VERSION = '3';
/** The span attribute every span of a trace carries: the trace's `tr-` id, JSON-encoded. */
export const SPAN_TRACE_ID_ATTRIBUTE = 'mlflow.traceRequestId';
/** The span attribute naming the function a traced span wraps, JSON-encoded. */
export const SPAN_FUNCTION_NAME_ATTRIBUTE = 'mlflow.spanFunctionName';

/** How long trace metadata values may be (MLflow's guarantee across its stores). */
const MAX_METADATA_CHARS = 250;
/** How long request and response previews may be (MLflow's open-source limit). */
const MAX_PREVIEW_CHARS = 1000;

/** Options of {@link summarizeTrace}. */
export interface TraceSummaryOptions {
  /** The experiment the trace is kept in. */
  experimentId: string;
  /** Metadata added to what the spans give (`mlflow.sourceRun`, `mlflow.user`, ...). */
  metadata?: Readonly<Record<string, string>>;
  /** Tags added to `mlflow.traceName`. */
  tags?: Readonly<Record<string, string>>;
}

/**
 * The info of a trace as MLflow's client writes it when the trace's root span ends, from the
 * trace's spans: its request time and execution duration are the root span's (in whole
 * milliseconds, rounded down), its state the root's status (ERROR, else OK), its name tag the
 * root's name, its request and response previews and the metadata `mlflow.traceInputs` /
 * `mlflow.traceOutputs` the root's inputs and outputs as JSON (`''` when it has none), with
 * `mlflow.trace_schema.version` 3. Without a root span yet (spans of a trace arriving in
 * several batches), the trace is IN_PROGRESS from its earliest span.
 *
 * @example summarizeTrace('tr-2904acdc599a497f5f5494fa26c7da43', spans, { experimentId: '1' }).state // 'OK'
 */
export function summarizeTrace(
  traceId: string,
  spans: readonly Span[],
  options: TraceSummaryOptions,
): TraceInfo {
  const root = spans.find((span) => span.parent_span_id === undefined);
  const location: TraceInfo['trace_location'] = {
    type: 'MLFLOW_EXPERIMENT',
    mlflow_experiment: { experiment_id: options.experimentId },
  };
  const metadata: Record<string, string> = {
    [TRACE_SCHEMA_VERSION_KEY]: TRACE_SCHEMA_VERSION,
    ...options.metadata,
  };
  if (root === undefined) {
    const earliest = spans.reduce<bigint | undefined>((min, span) => {
      const start = BigInt(span.start_time_unix_nano);
      return min === undefined || start < min ? start : min;
    }, undefined);
    return {
      trace_id: traceId,
      trace_location: location,
      request_time: formatProtoTimestamp(earliest === undefined ? Date.now() : nanosToMillis(earliest)),
      state: 'IN_PROGRESS',
      trace_metadata: metadata,
      ...(options.tags && Object.keys(options.tags).length > 0 ? { tags: { ...options.tags } } : {}),
    };
  }
  const start = BigInt(root.start_time_unix_nano);
  const end = root.end_time_unix_nano === undefined ? undefined : BigInt(root.end_time_unix_nano);
  const inputs = jsonOf(root.attributes[SPAN_INPUTS_ATTRIBUTE]);
  const outputs = jsonOf(root.attributes[SPAN_OUTPUTS_ATTRIBUTE]);
  return {
    trace_id: traceId,
    trace_location: location,
    request_time: formatProtoTimestamp(nanosToMillis(start)),
    ...(end === undefined ? {} : { execution_duration: formatProtoDuration(nanosToMillis(end - start)) }),
    state: end === undefined ? 'IN_PROGRESS' : root.status === 'ERROR' ? 'ERROR' : 'OK',
    request_preview: truncateText(inputs, MAX_PREVIEW_CHARS),
    response_preview: truncateText(outputs, MAX_PREVIEW_CHARS),
    trace_metadata: {
      [TRACE_INPUTS_KEY]: truncateText(inputs, MAX_METADATA_CHARS),
      [TRACE_OUTPUTS_KEY]: truncateText(outputs, MAX_METADATA_CHARS),
      ...metadata,
    },
    tags: { ...options.tags, [TRACE_NAME_TAG]: root.name },
  };
}

function jsonOf(value: unknown): string {
  return value === undefined ? '' : toJsonText(value);
}

function nanosToMillis(nanos: bigint): number {
  const millis = nanos / 1_000_000n;
  return Number(nanos < 0n && millis * 1_000_000n !== nanos ? millis - 1n : millis);
}
