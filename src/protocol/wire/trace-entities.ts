import {
  ASSESSMENT_SOURCE_TYPES,
  isTraceState,
  TRACE_STATES,
  type Assessment,
  type AssessmentSourceType,
  type JsonValue,
  type KeyValue,
  type TraceInfo,
  type TraceState,
} from '../../entities/index.js';
import { AgentrackError } from '../../errors.js';
import {
  formatProtoDuration,
  formatProtoTimestamp,
  parseProtoDuration,
  parseProtoTimestamp,
} from '../../utils/protobuf-time.js';
import { missingParameter, toInteger, toText, wrongType } from './request-params.js';

// Readers and writers of MLflow 3's trace messages (`TraceInfoV3`, `Assessment`) and MLflow 2's
// `TraceInfo`. On the server they read requests with protobuf's JSON rules and MLflow's
// messages (INVALID_PARAMETER_VALUE naming the field); on the client they read answers, where
// a malformed message is the server's fault (INTERNAL_ERROR).

type Json = Record<string, unknown>;

/** Who reads a message: the server a request (its errors are the caller's), or the client an answer. */
export type WireSide = 'request' | 'response';

/** The states of MLflow 2's `TraceStatus`, in the order of {@link TRACE_STATES}. */
const V2_STATUSES = ['TRACE_STATUS_UNSPECIFIED', 'OK', 'ERROR', 'IN_PROGRESS'] as const;

/**
 * A `TraceInfoV3` message as agentrack's {@link TraceInfo}: strings checked as strings, maps
 * of strings, the state by name or number; empty fields left out. `assessments` are read too.
 */
export function traceInfoFromWire(value: unknown, side: WireSide, path = 'trace_info'): TraceInfo {
  const raw = message(value, side, path);
  const traceId = text(raw.trace_id, side, `${path}.trace_id`);
  if (!traceId) throw absent(side, `${path}.trace_id`);
  const location = message(raw.trace_location ?? {}, side, `${path}.trace_location`);
  const experiment =
    location.mlflow_experiment === undefined || location.mlflow_experiment === null
      ? undefined
      : message(location.mlflow_experiment, side, `${path}.trace_location.mlflow_experiment`);
  const experimentId =
    experiment === undefined
      ? undefined
      : text(experiment.experiment_id, side, `${path}.trace_location.mlflow_experiment.experiment_id`);
  const info: TraceInfo = {
    trace_id: traceId,
    trace_location: {
      type: (text(location.type, side, `${path}.trace_location.type`) ??
        (experimentId === undefined
          ? 'TRACE_LOCATION_TYPE_UNSPECIFIED'
          : 'MLFLOW_EXPERIMENT')) as TraceInfo['trace_location']['type'],
      ...(experimentId === undefined ? {} : { mlflow_experiment: { experiment_id: experimentId } }),
    },
    request_time: text(raw.request_time, side, `${path}.request_time`) ?? '',
    state: traceState(raw.state, side, `${path}.state`),
  };
  assign(info, 'client_request_id', text(raw.client_request_id, side, `${path}.client_request_id`));
  assign(info, 'request_preview', text(raw.request_preview, side, `${path}.request_preview`));
  assign(info, 'response_preview', text(raw.response_preview, side, `${path}.response_preview`));
  assign(info, 'execution_duration', text(raw.execution_duration, side, `${path}.execution_duration`));
  const metadata = stringMap(raw.trace_metadata, side, `${path}.trace_metadata`);
  if (metadata) info.trace_metadata = metadata;
  const tags = stringMap(raw.tags, side, `${path}.tags`);
  if (tags) info.tags = tags;
  if (Array.isArray(raw.assessments) && raw.assessments.length > 0) {
    info.assessments = raw.assessments.map((item, i) =>
      assessmentFromWire(item, side, `${path}.assessments[${i}]`),
    );
  }
  return info;
}

/**
 * An `Assessment` message as agentrack's {@link Assessment}. Fields a request may leave out
 * (the id and times of a new assessment, fields outside an update's mask) stay absent.
 */
export function assessmentFromWire(value: unknown, side: WireSide, path = 'assessment'): Assessment {
  const raw = message(value, side, path);
  const out: Json = {};
  for (const field of [
    'assessment_id',
    'assessment_name',
    'trace_id',
    'span_id',
    'create_time',
    'last_update_time',
    'rationale',
    'overrides',
    'run_id',
  ]) {
    assign(out, field, text(raw[field], side, `${path}.${field}`));
  }
  if (raw.source !== undefined && raw.source !== null) {
    const source = message(raw.source, side, `${path}.source`);
    const sourceId = text(source.source_id, side, `${path}.source.source_id`);
    out.source = {
      source_type: sourceType(source.source_type, side, `${path}.source.source_type`),
      ...(sourceId === undefined ? {} : { source_id: sourceId }),
    };
  }
  if (raw.feedback !== undefined && raw.feedback !== null) {
    const feedback = message(raw.feedback, side, `${path}.feedback`);
    const read: Json = {};
    if (feedback.value !== undefined) read.value = feedback.value as JsonValue;
    if (feedback.error !== undefined && feedback.error !== null) {
      const error = message(feedback.error, side, `${path}.feedback.error`);
      const fields: Json = {};
      for (const field of ['error_code', 'error_message', 'stack_trace']) {
        assign(fields, field, text(error[field], side, `${path}.feedback.error.${field}`));
      }
      read.error = fields;
    }
    out.feedback = read;
  }
  if (raw.expectation !== undefined && raw.expectation !== null) {
    const expectation = message(raw.expectation, side, `${path}.expectation`);
    const read: Json = {};
    if (expectation.value !== undefined) read.value = expectation.value as JsonValue;
    if (expectation.serialized_value !== undefined && expectation.serialized_value !== null) {
      const serialized = message(expectation.serialized_value, side, `${path}.expectation.serialized_value`);
      read.serialized_value = {
        serialization_format:
          text(
            serialized.serialization_format,
            side,
            `${path}.expectation.serialized_value.serialization_format`,
          ) ?? '',
        value: text(serialized.value, side, `${path}.expectation.serialized_value.value`) ?? '',
      };
    }
    out.expectation = read;
  }
  const metadata = stringMap(raw.metadata, side, `${path}.metadata`);
  if (metadata) out.metadata = metadata;
  if (raw.valid !== undefined && raw.valid !== null) {
    if (typeof raw.valid !== 'boolean') throw malformed(side, `${path}.valid`, raw.valid);
    out.valid = raw.valid;
  }
  return out as unknown as Assessment;
}

/**
 * A trace's info as MLflow 2's `TraceInfo` (the V2 API): `request_id`, `experiment_id`,
 * `timestamp_ms`, `execution_time_ms`, `status`, and metadata and tags as key/value lists
 * (left out when empty). Assessments have no place in it.
 */
export function traceInfoToV2(info: TraceInfo): Json {
  const out: Json = {
    request_id: info.trace_id,
    experiment_id: info.trace_location.mlflow_experiment?.experiment_id ?? '',
    timestamp_ms: parseProtoTimestamp(info.request_time, 'request_time'),
  };
  if (info.execution_duration !== undefined) {
    out.execution_time_ms = parseProtoDuration(info.execution_duration, 'execution_duration');
  }
  out.status = V2_STATUSES[TRACE_STATES.indexOf(info.state)] ?? 'TRACE_STATUS_UNSPECIFIED';
  const metadata = keyValues(info.trace_metadata);
  if (metadata) out.request_metadata = metadata;
  const tags = keyValues(info.tags);
  if (tags) out.tags = tags;
  return out;
}

/** An MLflow 2 `TraceInfo` message (an answer of the V2 API) as agentrack's {@link TraceInfo}. */
export function traceInfoFromV2(value: unknown): TraceInfo {
  const raw = message(value, 'response', 'trace_info');
  const traceId = text(raw.request_id, 'response', 'trace_info.request_id');
  if (!traceId) throw absent('response', 'trace_info.request_id');
  const experimentId = text(raw.experiment_id, 'response', 'trace_info.experiment_id') ?? '';
  const timestamp = toInteger(raw.timestamp_ms, 'trace_info.timestamp_ms') ?? 0;
  const duration = toInteger(raw.execution_time_ms, 'trace_info.execution_time_ms');
  const info: TraceInfo = {
    trace_id: traceId,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
    request_time: formatProtoTimestamp(timestamp),
    state: traceStateOfV2(raw.status, 'response', 'trace_info.status'),
  };
  if (duration !== undefined) info.execution_duration = formatProtoDuration(duration);
  const metadata = pairsToMap(raw.request_metadata, 'response', 'trace_info.request_metadata');
  if (metadata) info.trace_metadata = metadata;
  const tags = pairsToMap(raw.tags, 'response', 'trace_info.tags');
  if (tags) info.tags = tags;
  return info;
}

/** MLflow 2's `TraceStatus` (by name or number) as a trace state; a request's unknown status is INVALID_PARAMETER_VALUE. */
export function traceStateOfV2(value: unknown, side: WireSide, path: string): TraceState {
  if (value === undefined || value === null) return 'STATE_UNSPECIFIED';
  const index =
    typeof value === 'number' ? value : V2_STATUSES.indexOf(value as (typeof V2_STATUSES)[number]);
  const state = TRACE_STATES[index];
  if (state === undefined) throw malformed(side, path, value);
  return state;
}

/** Key/value pairs (MLflow 2's `request_metadata`, `tags`) as a map; `undefined` when there are none. */
export function pairsToMap(value: unknown, side: WireSide, path: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw malformed(side, path, value);
  if (value.length === 0) return undefined;
  const out: Record<string, string> = {};
  value.forEach((item, i) => {
    const pair = message(item, side, `${path}[${i}]`);
    const key = text(pair.key, side, `${path}[${i}].key`) ?? '';
    out[key] = text(pair.value, side, `${path}[${i}].value`) ?? '';
  });
  return out;
}

function keyValues(map: Readonly<Record<string, string>> | undefined): KeyValue[] | undefined {
  const entries = Object.entries(map ?? {});
  return entries.length === 0 ? undefined : entries.map(([key, value]) => ({ key, value }));
}

function traceState(value: unknown, side: WireSide, path: string): TraceState {
  if (value === undefined || value === null) return 'STATE_UNSPECIFIED';
  if (isTraceState(value)) return value;
  if (typeof value === 'number' && TRACE_STATES[value] !== undefined) return TRACE_STATES[value];
  throw malformed(side, path, value);
}

function sourceType(value: unknown, side: WireSide, path: string): AssessmentSourceType {
  if (value === undefined || value === null) return 'SOURCE_TYPE_UNSPECIFIED';
  if (typeof value === 'number' && ASSESSMENT_SOURCE_TYPES[value] !== undefined) {
    return ASSESSMENT_SOURCE_TYPES[value];
  }
  if (typeof value === 'string') {
    // MLflow's client sends the name in capitals; its proto enum reads only that.
    const type = ASSESSMENT_SOURCE_TYPES.find((name) => name === value);
    if (type) return type;
  }
  throw malformed(side, path, value);
}

function stringMap(value: unknown, side: WireSide, path: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const raw = message(value, side, path);
  const entries = Object.entries(raw);
  if (entries.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [key, item] of entries) out[key] = text(item, side, `${path}.${key}`) ?? '';
  return out;
}

function message(value: unknown, side: WireSide, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(side, path, value);
  return value as Json;
}

function text(value: unknown, side: WireSide, path: string): string | undefined {
  if (side === 'request') return toText(value, path);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw malformed(side, path, value);
}

function assign(target: object, key: string, value: string | undefined): void {
  if (value !== undefined) (target as Json)[key] = value;
}

function absent(side: WireSide, path: string): AgentrackError {
  return side === 'request' ? missingParameter(path) : malformed(side, path, undefined);
}

function malformed(side: WireSide, path: string, value: unknown): AgentrackError {
  if (side === 'request') return wrongType(path, value);
  return new AgentrackError(
    'INTERNAL_ERROR',
    `Unexpected response from the tracking server: '${path}' is ${JSON.stringify(value) ?? 'missing'}.`,
  );
}
