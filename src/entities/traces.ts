/**
 * Traces, their spans and their assessments, in the JSON shapes of MLflow 3's REST API
 * (`service.proto` `TraceInfoV3`, `assessments.proto` `Assessment`): snake_case, times as
 * RFC 3339 strings and durations as protobuf duration strings (`"0.032s"`), empty fields and
 * maps absent.
 */

/** States of a trace, as MLflow's `TraceInfoV3.State`. */
export const TRACE_STATES = ['STATE_UNSPECIFIED', 'OK', 'ERROR', 'IN_PROGRESS'] as const;
/** One of {@link TRACE_STATES}. */
export type TraceState = (typeof TRACE_STATES)[number];

/** True when `value` is a trace state. */
export function isTraceState(value: unknown): value is TraceState {
  return typeof value === 'string' && (TRACE_STATES as readonly string[]).includes(value);
}

/** Where a trace is kept, as MLflow's `TraceLocation`; agentrack stores experiment traces only. */
export interface TraceLocation {
  type: 'MLFLOW_EXPERIMENT' | 'INFERENCE_TABLE' | 'TRACE_LOCATION_TYPE_UNSPECIFIED';
  mlflow_experiment?: { experiment_id: string };
  inference_table?: { full_table_name: string };
}

/**
 * A trace's metadata, as MLflow's `TraceInfoV3`: `trace_id` is `tr-<32 hex digits>`,
 * `request_time` an RFC 3339 time (`"2026-12-01T11:13:55.877Z"`), `execution_duration` a
 * protobuf duration (`"0.032s"`). The server adds the tag {@link TRACE_ARTIFACT_LOCATION_TAG}.
 */
export interface TraceInfo {
  trace_id: string;
  client_request_id?: string;
  trace_location: TraceLocation;
  request_preview?: string;
  response_preview?: string;
  request_time: string;
  execution_duration?: string;
  state: TraceState;
  trace_metadata?: Record<string, string>;
  assessments?: Assessment[];
  tags?: Record<string, string>;
}

/** Kinds of assessment source, as MLflow's `AssessmentSource.SourceType`. */
export const ASSESSMENT_SOURCE_TYPES = ['SOURCE_TYPE_UNSPECIFIED', 'HUMAN', 'LLM_JUDGE', 'CODE'] as const;
/** One of {@link ASSESSMENT_SOURCE_TYPES}. */
export type AssessmentSourceType = (typeof ASSESSMENT_SOURCE_TYPES)[number];

/** Who or what made an assessment: a person, an LLM judge, a scorer function. */
export interface AssessmentSource {
  source_type: AssessmentSourceType;
  source_id?: string;
}

/** Why an assessment could not be made (a scorer that raised), as MLflow's `AssessmentError`. */
export interface AssessmentError {
  error_code?: string;
  error_message?: string;
  stack_trace?: string;
}

/** A JSON value, as a protobuf `google.protobuf.Value` carries it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A verdict on a trace (a scorer's or a person's): a value, or the error that prevented one. */
export interface Feedback {
  value?: JsonValue;
  error?: AssessmentError;
}

/** The expected answer for a trace's request (ground truth), as a value or a serialized one. */
export interface Expectation {
  value?: JsonValue;
  serialized_value?: { serialization_format: string; value: string };
}

/**
 * An assessment of a trace (or of one of its spans), as MLflow's `Assessment`: exactly one of
 * `feedback` and `expectation`. `assessment_id` is `a-<32 hex digits>`; `overrides` names the
 * assessment this one replaces, which is then `valid: false`.
 */
export interface Assessment {
  assessment_id: string;
  assessment_name: string;
  trace_id: string;
  span_id?: string;
  source: AssessmentSource;
  create_time: string;
  last_update_time: string;
  feedback?: Feedback;
  expectation?: Expectation;
  rationale?: string;
  metadata?: Record<string, string>;
  overrides?: string;
  valid?: boolean;
  run_id?: string;
}

/** Status codes of a span, as OpenTelemetry's (without the `STATUS_CODE_` prefix). */
export const SPAN_STATUS_CODES = ['UNSET', 'OK', 'ERROR'] as const;
/** One of {@link SPAN_STATUS_CODES}. */
export type SpanStatusCode = (typeof SPAN_STATUS_CODES)[number];

/** Something that happened during a span (an `exception`, a log line), at a time in nanoseconds. */
export interface SpanEvent {
  name: string;
  /** Epoch nanoseconds as a decimal string (they exceed a double's exact range). */
  time_unix_nano: string;
  attributes?: Record<string, unknown>;
}

/**
 * One span of a trace as agentrack stores it in rows: ids in lowercase hex (16 digits for a
 * span), times in epoch nanoseconds as decimal strings, attribute values decoded from the
 * JSON strings MLflow keeps them as (`mlflow.spanInputs`, `mlflow.spanOutputs`, ...).
 * `span_type` is the `mlflow.spanType` attribute (`UNKNOWN` when absent).
 */
export interface Span {
  trace_id: string;
  span_id: string;
  /** The parent's span id; absent on the root span. */
  parent_span_id?: string;
  name: string;
  span_type: string;
  status: SpanStatusCode;
  status_message?: string;
  start_time_unix_nano: string;
  /** Absent while the span is still open. */
  end_time_unix_nano?: string;
  attributes: Record<string, unknown>;
  events?: SpanEvent[];
}

/** A trace: its info and its spans, as MLflow's `Trace`. */
export interface Trace {
  info: TraceInfo;
  spans: Span[];
}

/** The tag the server adds to a trace: where its `traces.json` is kept, in the artifact service. */
export const TRACE_ARTIFACT_LOCATION_TAG = 'mlflow.artifactLocation';
/** The trace metadata key naming the run a trace was made in (`attribute.run_id` in searches). */
export const TRACE_SOURCE_RUN_KEY = 'mlflow.sourceRun';
/** The trace metadata key naming the active logged model. */
export const TRACE_MODEL_ID_KEY = 'mlflow.modelId';
/** The tag holding a trace's name (its root span's). */
export const TRACE_NAME_TAG = 'mlflow.traceName';
/** The span attribute holding a span's type (`LLM`, `TOOL`, `AGENT`, ...), JSON-encoded. */
export const SPAN_TYPE_ATTRIBUTE = 'mlflow.spanType';
/** The span attribute holding a span's inputs, JSON-encoded. */
export const SPAN_INPUTS_ATTRIBUTE = 'mlflow.spanInputs';
/** The span attribute holding a span's outputs, JSON-encoded. */
export const SPAN_OUTPUTS_ATTRIBUTE = 'mlflow.spanOutputs';
/** The name of the file, in a trace's artifact location, that holds its spans. */
export const TRACE_DATA_FILE = 'traces.json';
