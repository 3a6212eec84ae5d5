/**
 * MLflow's input rules for traces, their tags and metadata, spans and assessments
 * (`mlflow/utils/validation.py` `_validate_trace_tag`, the checks of `mlflow/server/handlers.py`
 * and of MLflow's `Assessment` entities). Every check throws INVALID_PARAMETER_VALUE with a
 * message naming the offending field.
 */
import {
  ASSESSMENT_SOURCE_TYPES,
  SPAN_STATUS_CODES,
  isTraceState,
  type Assessment,
  type AssessmentError,
  type AssessmentSourceType,
  type Expectation,
  type Feedback,
  type JsonValue,
  type Span,
  type SpanEvent,
  type SpanStatusCode,
  type TraceState,
} from '../entities/index.js';
import type { AssessmentUpdateField, DeleteTracesInput } from '../store/trace-store.js';
import { parseProtoDuration, parseProtoTimestamp } from '../utils/protobuf-time.js';
import {
  codePointLength,
  exceedsMaximumLength,
  fail,
  invalidValue,
  missingValue,
  pyRepr,
} from './_format.js';
import { limitedString } from './_value.js';
import { validateTagKey } from './entity-key.js';
import { validateExperimentId } from './experiment.js';
import {
  MAX_TRACE_INFOS_PER_GET,
  MAX_TRACE_METADATA_KEY_LENGTH,
  MAX_TRACE_METADATA_VALUE_LENGTH,
  MAX_TRACE_TAG_KEY_LENGTH,
  MAX_TRACE_TAG_VALUE_LENGTH,
  MAX_TRACES_TO_LINK,
  SEARCH_MAX_RESULTS_THRESHOLD,
  SEARCH_TRACES_MAX_RESULTS_DEFAULT,
} from './limits.js';

const TRACE_ID = /^tr-[0-9a-f]{32}$/i;
const SPAN_ID = /^[0-9a-f]{16}$/;
const NANOS = /^(0|[1-9][0-9]{0,18})$/;
/** The largest BIGINT, as the decimal text nanosecond times are kept in. */
const MAX_INT64 = 9223372036854775807n;

/**
 * Checks the id of a trace being written: `tr-` and 32 hex digits, as MLflow's clients make
 * them from the OpenTelemetry trace id.
 *
 * @example validateTraceId('tr-2904acdc599a497f5f5494fa26c7da43')
 */
export function validateTraceId(id: unknown, path = 'trace_id'): string {
  if (id === undefined || id === null || id === '') fail(missingValue(path));
  if (typeof id !== 'string' || !TRACE_ID.test(id)) {
    fail(invalidValue(path, id, "A trace id is 'tr-' followed by 32 hexadecimal digits."));
  }
  return id;
}

/**
 * Checks the id of a trace that is only looked up: present and a string. Any other id simply
 * names no trace, as in MLflow's store.
 */
export function validateTraceIdToRead(id: unknown, path = 'trace_id'): string {
  if (id === undefined || id === null || id === '') fail(missingValue(path));
  if (typeof id !== 'string') fail(invalidValue(path, id, 'A trace id must be a string.'));
  return id;
}

/** Checks a list of trace ids to look up, of at most `max` ids. */
export function validateTraceIdList(ids: unknown, path: string, max: number): string[] {
  if (!Array.isArray(ids)) fail(invalidValue(path, ids, 'Expected a list of trace ids.'));
  if (ids.length > max) fail(`At most ${max} traces can be given in '${path}'; ${ids.length} were.`);
  return ids.map((id: unknown, i: number) => validateTraceIdToRead(id, `${path}[${i}]`));
}

/** Checks the ids of a batch read of trace infos: at most {@link MAX_TRACE_INFOS_PER_GET}. */
export function validateTraceInfoIds(ids: unknown): string[] {
  return validateTraceIdList(ids, 'trace_ids', MAX_TRACE_INFOS_PER_GET);
}

/** Checks the traces of a `link-to-run` request: at most {@link MAX_TRACES_TO_LINK}, with MLflow's message. */
export function validateTracesToLink(ids: unknown): string[] {
  if (Array.isArray(ids) && ids.length > MAX_TRACES_TO_LINK) {
    fail(
      `Cannot link more than ${MAX_TRACES_TO_LINK} traces to a run in a single request. ` +
        `Provided ${ids.length} traces.`,
    );
  }
  return validateTraceIdList(ids, 'trace_ids', MAX_TRACES_TO_LINK);
}

/**
 * Checks a trace tag as MLflow's `_validate_trace_tag` does: the key by the rules of run tag
 * keys (characters, path, at most {@link MAX_TRACE_TAG_KEY_LENGTH}), the value a string
 * truncated to {@link MAX_TRACE_TAG_VALUE_LENGTH} characters.
 *
 * @example validateTraceTag('reviewed', 'yes') // { key: 'reviewed', value: 'yes' }
 */
export function validateTraceTag(key: unknown, value: unknown): { key: string; value: string } {
  const checked = validateTraceTagKey(key);
  return {
    key: checked,
    value: limitedString({
      value,
      path: 'value',
      label: 'value',
      limit: MAX_TRACE_TAG_VALUE_LENGTH,
      truncate: true,
    }),
  };
}

/** Checks the key of a trace tag (see {@link validateTraceTag}). */
export function validateTraceTagKey(key: unknown): string {
  const checked = validateTagKey(key);
  if (codePointLength(checked) > MAX_TRACE_TAG_KEY_LENGTH) {
    fail(exceedsMaximumLength('key', MAX_TRACE_TAG_KEY_LENGTH));
  }
  return checked;
}

/**
 * A map of tags or metadata as a trace's info carries it: string keys of at most `keyLimit`
 * characters and string values truncated to `valueLimit`, as MLflow's columns keep them.
 * The keys are not held to the tag-key characters: MLflow stores what its client sends.
 */
function stringMap(
  value: unknown,
  path: string,
  keyLimit: number,
  valueLimit: number,
): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    fail(invalidValue(path, value, 'Expected a map of strings to strings.'));
  }
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (key === '') fail(invalidValue(path, value, 'A key must not be empty.'));
    if (codePointLength(key) > keyLimit) fail(exceedsMaximumLength(`${path}.${key}`, keyLimit));
    out[key] = limitedString({
      value: entry,
      path: `${path}.${key}`,
      label: `${path}.${key}`,
      limit: valueLimit,
      truncate: true,
    });
  }
  return out;
}

/** Checks a trace's tags as its info carries them. */
export function validateTraceTags(value: unknown, path = 'tags'): Record<string, string> {
  return stringMap(value, path, MAX_TRACE_TAG_KEY_LENGTH, MAX_TRACE_TAG_VALUE_LENGTH);
}

/** Checks a trace's metadata as its info carries it. */
export function validateTraceMetadata(value: unknown, path = 'trace_metadata'): Record<string, string> {
  return stringMap(value, path, MAX_TRACE_METADATA_KEY_LENGTH, MAX_TRACE_METADATA_VALUE_LENGTH);
}

function optionalText(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(invalidValue(path, value, 'Expected a string.'));
  return value;
}

function epochMillis(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(invalidValue(path, value, 'Expected epoch milliseconds, a non-negative integer.'));
  }
  return value;
}

/** A trace's info in the store's terms (see {@link validateTraceInfo}). */
export interface ValidTraceInfo {
  traceId: string;
  experimentId: string;
  /** Epoch milliseconds. */
  requestTime: number;
  /** Milliseconds, or null when the info has no duration. */
  executionTimeMs: number | null;
  state: TraceState;
  clientRequestId?: string;
  requestPreview?: string;
  responsePreview?: string;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  assessments: ValidAssessment[];
}

/**
 * Checks a trace's info as MLflow 3's `StartTraceV3` sends it: a `tr-` id, an experiment
 * location, an RFC 3339 `request_time`, an optional duration, a state, maps of strings.
 */
export function validateTraceInfo(info: unknown): ValidTraceInfo {
  if (info === null || typeof info !== 'object') fail(missingValue('trace_info'));
  const raw = info as Record<string, unknown>;
  const traceId = validateTraceId(raw.trace_id);
  const location = raw.trace_location as { type?: unknown; mlflow_experiment?: { experiment_id?: unknown } };
  const experimentId = location?.mlflow_experiment?.experiment_id;
  if (location?.type !== undefined && location.type !== 'MLFLOW_EXPERIMENT') {
    fail(
      invalidValue(
        'trace_location.type',
        location.type,
        'Only traces in an experiment (MLFLOW_EXPERIMENT) are stored.',
      ),
    );
  }
  if (experimentId === undefined || experimentId === null || experimentId === '') {
    fail(missingValue('trace_location.mlflow_experiment.experiment_id'));
  }
  const state = raw.state ?? 'STATE_UNSPECIFIED';
  if (!isTraceState(state)) {
    fail(invalidValue('state', state, 'Expected one of OK, ERROR, IN_PROGRESS, STATE_UNSPECIFIED.'));
  }
  const out: ValidTraceInfo = {
    traceId,
    experimentId: validateExperimentId(experimentId),
    requestTime: parseProtoTimestamp(raw.request_time, 'request_time'),
    executionTimeMs:
      raw.execution_duration === undefined || raw.execution_duration === null
        ? null
        : parseProtoDuration(raw.execution_duration, 'execution_duration'),
    state,
    metadata: validateTraceMetadata(raw.trace_metadata),
    tags: validateTraceTags(raw.tags),
    assessments: [],
  };
  const clientRequestId = optionalText(raw.client_request_id, 'client_request_id');
  const requestPreview = optionalText(raw.request_preview, 'request_preview');
  const responsePreview = optionalText(raw.response_preview, 'response_preview');
  if (clientRequestId !== undefined) out.clientRequestId = clientRequestId;
  if (requestPreview !== undefined) out.requestPreview = requestPreview;
  if (responsePreview !== undefined) out.responsePreview = responsePreview;
  if (raw.assessments !== undefined && raw.assessments !== null) {
    if (!Array.isArray(raw.assessments))
      fail(invalidValue('assessments', raw.assessments, 'Expected a list.'));
    out.assessments = raw.assessments.map((a: unknown, i: number) =>
      validateAssessment({ ...(a as object), trace_id: traceId }, `assessments[${i}]`),
    );
  }
  return out;
}

/** Checks the arguments of MLflow's V2 `StartTrace`. */
export function validateStartTraceV2(input: {
  experimentId: unknown;
  timestampMs: unknown;
  metadata?: unknown;
  tags?: unknown;
}): {
  experimentId: string;
  timestampMs: number;
  metadata: Record<string, string>;
  tags: Record<string, string>;
} {
  return {
    experimentId: validateExperimentId(input.experimentId),
    timestampMs: epochMillis(input.timestampMs, 'timestamp_ms'),
    metadata: validateTraceMetadata(input.metadata, 'request_metadata'),
    tags: validateTraceTags(input.tags),
  };
}

/** Checks the arguments of MLflow's V2 `EndTrace`. */
export function validateEndTrace(input: {
  state: unknown;
  endTimeMs: unknown;
  metadata?: unknown;
  tags?: unknown;
}): { state: TraceState; endTimeMs: number; metadata: Record<string, string>; tags: Record<string, string> } {
  if (!isTraceState(input.state)) {
    fail(invalidValue('status', input.state, 'Expected one of OK, ERROR, IN_PROGRESS, STATE_UNSPECIFIED.'));
  }
  return {
    state: input.state,
    endTimeMs: epochMillis(input.endTimeMs, 'timestamp_ms'),
    metadata: validateTraceMetadata(input.metadata, 'request_metadata'),
    tags: validateTraceTags(input.tags),
  };
}

/** `max_results` of a trace search: 1 to 50,000, by default {@link SEARCH_TRACES_MAX_RESULTS_DEFAULT}. */
export function validateSearchTracesMaxResults(value: unknown): number {
  if (value === undefined || value === null) return SEARCH_TRACES_MAX_RESULTS_DEFAULT;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    fail(`Invalid value for max_results. It must be a positive integer, but got ${pyRepr(value)}`);
  }
  if (value > SEARCH_MAX_RESULTS_THRESHOLD) {
    fail(
      `Invalid value for max_results. It must be at most ${SEARCH_MAX_RESULTS_THRESHOLD}, but got ${value}`,
    );
  }
  return value;
}

/** A checked {@link DeleteTracesInput}: by ids, or by age with a limit (`undefined` for none). */
export type ValidDeleteTraces =
  | { experimentId: string; traceIds: string[] }
  | { experimentId: string; maxTimestampMillis: number; maxTraces: number | undefined };

/**
 * Checks a `delete-traces` request as MLflow's client and server do: an experiment, and
 * either trace ids or a maximum timestamp (with an optional positive `max_traces`), not both.
 */
export function validateDeleteTraces(input: DeleteTracesInput): ValidDeleteTraces {
  const experimentId = validateExperimentId(input.experimentId);
  const byIds = input.traceIds !== undefined && input.traceIds !== null;
  const byTime = input.maxTimestampMillis !== undefined && input.maxTimestampMillis !== null;
  if (!byIds && !byTime) fail('Either `max_timestamp_millis` or `trace_ids` must be specified.');
  if (byIds && byTime) fail('Only one of `max_timestamp_millis` and `trace_ids` can be specified.');
  if (byIds && input.maxTraces !== undefined && input.maxTraces !== null) {
    fail("`max_traces` can't be specified if `trace_ids` is specified.");
  }
  if (byIds) {
    return {
      experimentId,
      traceIds: validateTraceIdList(input.traceIds, 'request_ids', Number.MAX_SAFE_INTEGER),
    };
  }
  const maxTraces = input.maxTraces;
  if (maxTraces !== undefined && maxTraces !== null && (!Number.isSafeInteger(maxTraces) || maxTraces <= 0)) {
    fail(`\`max_traces\` must be a positive integer, received ${String(maxTraces)}.`);
  }
  return {
    experimentId,
    maxTimestampMillis: epochMillis(input.maxTimestampMillis, 'max_timestamp_millis'),
    maxTraces: maxTraces ?? undefined,
  };
}

// ---------------------------------------------------------------- spans

function nanos(value: unknown, path: string): string {
  const text = typeof value === 'bigint' ? value.toString() : value;
  if (typeof text !== 'string' || !NANOS.test(text) || BigInt(text) > MAX_INT64) {
    fail(invalidValue(path, value, 'Expected epoch nanoseconds as a decimal string.'));
  }
  return text;
}

/**
 * Checks spans to store as rows for `traceId`: 16-hex-digit ids, a name, a status, epoch
 * nanoseconds as decimal strings (exact: never through a double), attributes as an object.
 * A span of another trace is refused; a span id given twice keeps its last span.
 */
export function validateSpans(traceId: string, spans: unknown): Span[] {
  if (!Array.isArray(spans)) fail(invalidValue('spans', spans, 'Expected a list of spans.'));
  const byId = new Map<string, Span>();
  spans.forEach((raw: unknown, i: number) => {
    const path = `spans[${i}]`;
    if (raw === null || typeof raw !== 'object') fail(invalidValue(path, raw, 'Expected a span.'));
    const s = raw as Record<string, unknown>;
    if (s.trace_id !== undefined && s.trace_id !== traceId) {
      fail(
        invalidValue(`${path}.trace_id`, s.trace_id, `The span belongs to another trace than '${traceId}'.`),
      );
    }
    if (typeof s.span_id !== 'string' || !SPAN_ID.test(s.span_id)) {
      fail(invalidValue(`${path}.span_id`, s.span_id, 'A span id is 16 lowercase hexadecimal digits.'));
    }
    if (
      s.parent_span_id !== undefined &&
      (typeof s.parent_span_id !== 'string' || !SPAN_ID.test(s.parent_span_id))
    ) {
      fail(
        invalidValue(
          `${path}.parent_span_id`,
          s.parent_span_id,
          'A span id is 16 lowercase hexadecimal digits.',
        ),
      );
    }
    if (typeof s.name !== 'string') fail(invalidValue(`${path}.name`, s.name, 'Expected a string.'));
    const status = s.status ?? 'UNSET';
    if (!(SPAN_STATUS_CODES as readonly unknown[]).includes(status)) {
      fail(invalidValue(`${path}.status`, status, 'Expected one of UNSET, OK, ERROR.'));
    }
    const attributes = s.attributes ?? {};
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
      fail(invalidValue(`${path}.attributes`, attributes, 'Expected an object.'));
    }
    const span: Span = {
      trace_id: traceId,
      span_id: s.span_id,
      name: s.name,
      span_type: typeof s.span_type === 'string' && s.span_type !== '' ? s.span_type : 'UNKNOWN',
      status: status as SpanStatusCode,
      start_time_unix_nano: nanos(s.start_time_unix_nano, `${path}.start_time_unix_nano`),
      attributes: attributes as Record<string, unknown>,
    };
    if (s.parent_span_id !== undefined) span.parent_span_id = s.parent_span_id as string;
    const message = optionalText(s.status_message, `${path}.status_message`);
    if (message !== undefined && message !== '') span.status_message = message;
    if (s.end_time_unix_nano !== undefined && s.end_time_unix_nano !== null) {
      span.end_time_unix_nano = nanos(s.end_time_unix_nano, `${path}.end_time_unix_nano`);
    }
    if (s.events !== undefined && s.events !== null) {
      if (!Array.isArray(s.events)) fail(invalidValue(`${path}.events`, s.events, 'Expected a list.'));
      span.events = s.events.map((e: unknown, j: number): SpanEvent => {
        const ev = e as Record<string, unknown> | null;
        if (ev === null || typeof ev !== 'object' || typeof ev.name !== 'string') {
          fail(invalidValue(`${path}.events[${j}]`, e, 'Expected an event with a name.'));
        }
        const event: SpanEvent = {
          name: ev.name,
          time_unix_nano: nanos(ev.time_unix_nano, `${path}.events[${j}].time_unix_nano`),
        };
        if (ev.attributes !== undefined && ev.attributes !== null) {
          event.attributes = ev.attributes as Record<string, unknown>;
        }
        return event;
      });
    }
    byId.set(span.span_id, span);
  });
  return [...byId.values()];
}

// ---------------------------------------------------------------- assessments

/** An assessment checked for storing (see {@link validateAssessment}). */
export interface ValidAssessment {
  traceId: string;
  /** The id given, kept only for assessments inside a trace's info. */
  assessmentId?: string;
  name: string;
  kind: 'feedback' | 'expectation';
  /** The feedback or the expectation object. */
  payload: Feedback | Expectation;
  sourceType: AssessmentSourceType;
  sourceId?: string;
  spanId?: string;
  rationale?: string;
  metadata?: Record<string, string>;
  overrides?: string;
  valid: boolean;
  runId?: string;
  /** Epoch milliseconds, when given. */
  createTime?: number;
  lastUpdateTime?: number;
}

function jsonValue(value: unknown, path: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(invalidValue(path, value, 'A JSON number must be finite.'));
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => jsonValue(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonValue(v, `${path}.${k}`)]),
    );
  }
  return fail(invalidValue(path, String(value), 'Expected a JSON value.'));
}

function assessmentError(value: unknown, path: string): AssessmentError {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(invalidValue(path, value, 'Expected an object with error_code, error_message, stack_trace.'));
  }
  const raw = value as Record<string, unknown>;
  const out: AssessmentError = {};
  for (const field of ['error_code', 'error_message', 'stack_trace'] as const) {
    const text = optionalText(raw[field], `${path}.${field}`);
    if (text !== undefined) out[field] = text;
  }
  return out;
}

/** Checks a feedback object: a JSON `value` and/or an `error`. */
export function validateFeedback(value: unknown, path = 'feedback'): Feedback {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(invalidValue(path, value, 'Expected an object with a value or an error.'));
  }
  const raw = value as Record<string, unknown>;
  const out: Feedback = {};
  if (raw.value !== undefined) out.value = jsonValue(raw.value, `${path}.value`);
  if (raw.error !== undefined && raw.error !== null) out.error = assessmentError(raw.error, `${path}.error`);
  return out;
}

/** Checks an expectation object: a JSON `value`, or a `serialized_value`. */
export function validateExpectation(value: unknown, path = 'expectation'): Expectation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(invalidValue(path, value, 'Expected an object with a value or a serialized_value.'));
  }
  const raw = value as Record<string, unknown>;
  const out: Expectation = {};
  if (raw.value !== undefined) out.value = jsonValue(raw.value, `${path}.value`);
  if (raw.serialized_value !== undefined && raw.serialized_value !== null) {
    const s = raw.serialized_value as Record<string, unknown>;
    if (typeof s !== 'object' || typeof s.serialization_format !== 'string' || typeof s.value !== 'string') {
      fail(
        invalidValue(
          `${path}.serialized_value`,
          raw.serialized_value,
          'Expected serialization_format and value strings.',
        ),
      );
    }
    out.serialized_value = { serialization_format: s.serialization_format, value: s.value };
  }
  if (out.value !== undefined && out.serialized_value !== undefined) {
    fail(`Only one of '${path}.value' and '${path}.serialized_value' can be specified.`);
  }
  return out;
}

function sourceType(value: unknown, path: string): AssessmentSourceType {
  const upper = typeof value === 'string' ? value.toUpperCase() : value;
  if (!(ASSESSMENT_SOURCE_TYPES as readonly unknown[]).includes(upper)) {
    fail(invalidValue(path, value, `Valid source types are ${pyRepr([...ASSESSMENT_SOURCE_TYPES])}`));
  }
  return upper as AssessmentSourceType;
}

function stringRecord(value: unknown, path: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(invalidValue(path, value, 'Expected a map of strings to strings.'));
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(invalidValue(`${path}.${k}`, v, 'Expected a string.'));
  }
  return { ...(value as Record<string, string>) };
}

/**
 * Checks an assessment to create, as MLflow's `Assessment`: a trace id, a name, a source with
 * a known type, exactly one of `feedback` and `expectation`, and optional rationale,
 * metadata, span id, run id, the assessment it overrides and RFC 3339 times.
 */
export function validateAssessment(assessment: unknown, path = 'assessment'): ValidAssessment {
  if (assessment === null || typeof assessment !== 'object') fail(missingValue(path));
  const raw = assessment as Partial<Record<keyof Assessment, unknown>>;
  const traceId = validateTraceIdToRead(raw.trace_id, `${path}.trace_id`);
  if (typeof raw.assessment_name !== 'string' || raw.assessment_name === '') {
    fail(missingValue(`${path}.assessment_name`));
  }
  const hasFeedback = raw.feedback !== undefined && raw.feedback !== null;
  const hasExpectation = raw.expectation !== undefined && raw.expectation !== null;
  if (hasFeedback === hasExpectation) {
    fail(`Exactly one of '${path}.feedback' and '${path}.expectation' must be specified.`);
  }
  const source = raw.source as { source_type?: unknown; source_id?: unknown } | undefined | null;
  if (source === undefined || source === null || typeof source !== 'object')
    fail(missingValue(`${path}.source`));
  const out: ValidAssessment = {
    traceId,
    name: raw.assessment_name,
    kind: hasFeedback ? 'feedback' : 'expectation',
    payload: hasFeedback
      ? validateFeedback(raw.feedback, `${path}.feedback`)
      : validateExpectation(raw.expectation, `${path}.expectation`),
    sourceType: sourceType(source.source_type, `${path}.source.source_type`),
    valid: true,
  };
  const sourceId = optionalText(source.source_id, `${path}.source.source_id`);
  if (sourceId !== undefined && sourceId !== '') out.sourceId = sourceId;
  const assessmentId = optionalText(raw.assessment_id, `${path}.assessment_id`);
  if (assessmentId !== undefined && assessmentId !== '') out.assessmentId = assessmentId;
  const spanId = optionalText(raw.span_id, `${path}.span_id`);
  if (spanId !== undefined && spanId !== '') out.spanId = spanId;
  const rationale = optionalText(raw.rationale, `${path}.rationale`);
  if (rationale !== undefined) out.rationale = rationale;
  if (raw.metadata !== undefined && raw.metadata !== null) {
    out.metadata = stringRecord(raw.metadata, `${path}.metadata`);
  }
  const overrides = optionalText(raw.overrides, `${path}.overrides`);
  if (overrides !== undefined && overrides !== '') out.overrides = overrides;
  if (raw.valid !== undefined && raw.valid !== null) {
    if (typeof raw.valid !== 'boolean') fail(invalidValue(`${path}.valid`, raw.valid, 'Expected a boolean.'));
    out.valid = raw.valid;
  }
  const runId = optionalText(raw.run_id, `${path}.run_id`);
  if (runId !== undefined && runId !== '') out.runId = runId;
  if (raw.create_time !== undefined && raw.create_time !== null) {
    out.createTime = parseProtoTimestamp(raw.create_time, `${path}.create_time`);
  }
  if (raw.last_update_time !== undefined && raw.last_update_time !== null) {
    out.lastUpdateTime = parseProtoTimestamp(raw.last_update_time, `${path}.last_update_time`);
  }
  return out;
}

/** The fields of an assessment update, by their names in MLflow's `update_mask`. */
export const ASSESSMENT_UPDATE_FIELDS: readonly AssessmentUpdateField[] = [
  'assessment_name',
  'feedback',
  'expectation',
  'rationale',
  'metadata',
  'valid',
];

/**
 * Checks the `update_mask` of an assessment update: field names as MLflow's protobuf
 * `FieldMask` gives them (`assessment_name`, or `assessmentName` in its JSON form), each known.
 *
 * @example validateAssessmentUpdateMask(['assessmentName', 'feedback']) // ['assessment_name', 'feedback']
 */
export function validateAssessmentUpdateMask(mask: unknown): AssessmentUpdateField[] {
  const list = typeof mask === 'string' ? mask.split(',').filter((p) => p !== '') : mask;
  if (!Array.isArray(list)) fail(invalidValue('update_mask', mask, 'Expected a list of field names.'));
  return [
    ...new Set(
      list.map((field: unknown): AssessmentUpdateField => {
        const snake =
          typeof field === 'string' ? field.trim().replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : field;
        if (!(ASSESSMENT_UPDATE_FIELDS as readonly unknown[]).includes(snake)) {
          fail(
            invalidValue(
              'update_mask',
              field,
              `An assessment's updatable fields are ${ASSESSMENT_UPDATE_FIELDS.join(', ')}.`,
            ),
          );
        }
        return snake as AssessmentUpdateField;
      }),
    ),
  ];
}

/** The changes of an assessment update, checked field by field for the fields of its mask. */
export interface ValidAssessmentChanges {
  name?: string;
  feedback?: Feedback;
  expectation?: Expectation;
  rationale?: string;
  metadata?: Record<string, string>;
  valid?: boolean;
}

/** Checks the values an assessment update sets (only the fields named in `mask`). */
export function validateAssessmentChanges(
  changes: Partial<Assessment>,
  mask: readonly AssessmentUpdateField[],
): ValidAssessmentChanges {
  const out: ValidAssessmentChanges = {};
  for (const field of mask) {
    switch (field) {
      case 'assessment_name':
        if (typeof changes.assessment_name !== 'string' || changes.assessment_name === '') {
          fail(missingValue('assessment.assessment_name'));
        }
        out.name = changes.assessment_name;
        break;
      case 'feedback':
        out.feedback = validateFeedback(changes.feedback, 'assessment.feedback');
        break;
      case 'expectation':
        out.expectation = validateExpectation(changes.expectation, 'assessment.expectation');
        break;
      case 'rationale':
        out.rationale = optionalText(changes.rationale, 'assessment.rationale') ?? '';
        break;
      case 'metadata':
        out.metadata = stringRecord(changes.metadata ?? {}, 'assessment.metadata');
        break;
      case 'valid':
        if (typeof changes.valid !== 'boolean')
          fail(invalidValue('assessment.valid', changes.valid, 'Expected a boolean.'));
        out.valid = changes.valid;
        break;
    }
  }
  if (out.feedback !== undefined && out.expectation !== undefined) {
    fail("Only one of 'assessment.feedback' and 'assessment.expectation' can be updated.");
  }
  return out;
}
