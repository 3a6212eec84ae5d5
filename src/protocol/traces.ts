import { artifactMediaType } from '../artifacts/artifact-media-type.js';
import type { ArtifactDownload } from '../artifacts/artifact-repository.js';
import { TRACE_DATA_FILE, type Assessment, type TraceInfo } from '../entities/index.js';
import { invalidParameter } from '../errors.js';
import type { AssessmentUpdateField, SearchTracesInput } from '../store/trace-store.js';
import type { Page } from '../store/tracking-store.js';
import type { AccessTarget } from './access-target.js';
import {
  MLFLOW_AJAX_API_2,
  MLFLOW_API_2,
  MLFLOW_API_3,
  type Endpoint,
  type IncomingRequest,
  type JsonResponse,
  type ParamsRequest,
} from './endpoint.js';
import { traceEndpoint, type TraceEndpoint, type TraceOperation } from './trace-endpoint.js';
import { emptyResponse } from './tracking-endpoint.js';
import { pageFromWire, pageToWire } from './wire/pages.js';
import { missingParameter, toInteger, wrongType, type RequestParams } from './wire/request-params.js';
import {
  assessmentFromWire,
  traceInfoFromV2,
  traceInfoFromWire,
  traceInfoToV2,
  traceStateOfV2,
} from './wire/trace-entities.js';

/** MLflow's default page of a trace search. */
const SEARCH_TRACES_DEFAULT_MAX_RESULTS = 100;

/** Where MLflow serves the endpoints it has under both API versions (trace tags, deletion). */
const MLFLOW_API_2_AND_3 = [...MLFLOW_API_2, ...MLFLOW_API_3] as const;

/** The trace a request names in its path (`traces/<trace_id>/...`). */
function traceIdOf(request: IncomingRequest): string {
  const id = request.path.trace_id;
  if (!id) throw missingParameter('trace_id');
  return id;
}

/** The assessment a request names in its path (`.../assessments/<assessment_id>`). */
function assessmentIdOf(request: IncomingRequest): string {
  const id = request.path.assessment_id;
  if (!id) throw missingParameter('assessment_id');
  return id;
}

/** What a call on one trace acts on: the trace, which belongs to its experiment. */
const byTrace = ([traceId]: readonly [string, ...unknown[]]): AccessTarget => ({ traceId });

/** The request of an operation on one trace named by its path alone. */
function tracePathRequest(): ParamsRequest<[traceId: string]> {
  return {
    kind: 'params',
    encodePath: ([traceId]) => ({ trace_id: traceId }),
    encode: () => ({}),
    decode: (_params, request) => [traceIdOf(request)],
  };
}

/** The request of an operation on one assessment of a trace (get, delete), named by the path. */
function assessmentPathRequest(): ParamsRequest<[traceId: string, assessmentId: string]> {
  return {
    kind: 'params',
    encodePath: ([traceId, assessmentId]) => ({ trace_id: traceId, assessment_id: assessmentId }),
    encode: () => ({}),
    decode: (_params, request) => [traceIdOf(request), assessmentIdOf(request)],
  };
}

/** MLflow 3's answer carrying one trace's info: `{"trace": {"trace_info": {...}}}`. */
function traceV3Response<A>(): JsonResponse<TraceInfo, A> {
  return {
    kind: 'json',
    encode: (info) => ({ trace: { trace_info: info } }),
    decode: (body) => {
      const trace = body.trace as Record<string, unknown> | undefined;
      return traceInfoFromWire(trace?.trace_info, 'response', 'trace.trace_info');
    },
  };
}

/** MLflow 2's answer carrying one trace's info: `{"trace_info": {request_id, timestamp_ms, ...}}`. */
function traceV2Response<A>(): JsonResponse<TraceInfo, A> {
  return {
    kind: 'json',
    encode: (info) => ({ trace_info: traceInfoToV2(info) }),
    decode: (body) => traceInfoFromV2(body.trace_info),
  };
}

/** The answer carrying one assessment: `{"assessment": {...}}`. */
function assessmentResponse<A>(): JsonResponse<Assessment, A> {
  return {
    kind: 'json',
    encode: (assessment) => ({ assessment }),
    decode: (body) => assessmentFromWire(body.assessment, 'response'),
  };
}

/** A map as MLflow 2's key/value list; left out when empty. */
function mapToPairs(map: Readonly<Record<string, string>> | undefined) {
  const entries = Object.entries(map ?? {});
  return entries.length === 0 ? undefined : entries.map(([key, value]) => ({ key, value }));
}

/** A key/value list parameter (`request_metadata`, `tags`) as a map; `undefined` when absent or empty. */
function mapParam(params: RequestParams, name: string): Record<string, string> | undefined {
  const pairs = params.keyValues(name);
  if (!pairs || pairs.length === 0) return undefined;
  return Object.fromEntries(pairs.map((pair) => [pair.key, pair.value]));
}

/** The experiments of a V3 search: its `locations` (MLflow experiments), or the older `experiment_ids`. */
function searchedExperiments(params: RequestParams): string[] {
  const ids: string[] = [];
  (params.objects('locations') ?? []).forEach((location, i) => {
    const type = location.type;
    const experiment = location.mlflow_experiment as Record<string, unknown> | undefined;
    if ((type !== undefined && type !== 'MLFLOW_EXPERIMENT') || typeof experiment !== 'object') {
      throw invalidParameter(
        `Invalid trace location locations[${i}]: this server keeps traces in MLflow experiments only ` +
          `(type MLFLOW_EXPERIMENT with mlflow_experiment.experiment_id).`,
      );
    }
    const id = experiment?.experiment_id;
    if (typeof id !== 'string' || id === '')
      throw missingParameter(`locations[${i}].mlflow_experiment.experiment_id`);
    ids.push(id);
  });
  ids.push(...(params.stringList('experiment_ids') ?? []));
  if (ids.length === 0) throw missingParameter('locations');
  return ids;
}

/** A FieldMask's JSON (`"assessmentName,feedback"`) as the fields it names, in snake case. */
function updateMaskOf(params: RequestParams): AssessmentUpdateField[] {
  const mask = params.string('update_mask');
  if (mask === undefined || mask.trim() === '') throw missingParameter('update_mask');
  return mask
    .split(',')
    .map((path) => path.trim().replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))
    .filter((path) => path !== '') as AssessmentUpdateField[];
}

/** The answer of a search: MLflow 3's trace infos under `traces`, `{}` when none. */
function searchV3Response(): JsonResponse<Page<TraceInfo>, [SearchTracesInput]> {
  return {
    kind: 'json',
    encode: (page) => pageToWire('traces', page),
    decode: (body) => pageFromWire(body, 'traces', (item) => traceInfoFromWire(item, 'response', 'traces[]')),
  };
}

/**
 * MLflow's trace and assessment API, at the paths, methods and versions of MLflow 3.3's
 * `service.proto`, one endpoint per {@link TraceStore} operation: what the REST trace store
 * calls, as MLflow 3.3's Python client calls it. MLflow 3 writes a trace's info with
 * `POST /api/3.0/mlflow/traces` (StartTraceV3), reads it with `GET .../traces/<trace_id>`
 * (assessments included) and searches with `POST .../traces/search`; assessments are
 * `.../traces/<trace_id>/assessments[/<assessment_id>]` (POST, GET, PATCH with an
 * `update_mask`, DELETE); tags (`PATCH`/`DELETE .../traces/<trace_id>/tags`) and deletion
 * (`POST .../traces/delete-traces`) are served under 2.0 and 3.0, as MLflow has both; V2's
 * start (`POST /api/2.0/mlflow/traces`), end (`PATCH .../traces/<trace_id>`) and
 * `traces/link-to-run` are 2.0 alone. Empty answers are `{}`. A call on a trace belongs to the
 * trace's experiment for access control.
 */
export const TRACE_API = {
  startTrace: traceEndpoint('startTrace', {
    method: 'POST',
    path: 'traces',
    prefixes: MLFLOW_API_3,
    write: true,
    // The client retries it: writing the same info again replaces it.
    idempotent: true,
    access: ([info]) => ({
      experimentId: info.trace_location.mlflow_experiment?.experiment_id ?? '',
      traceId: info.trace_id,
    }),
    request: {
      kind: 'params',
      encode: ([info]) => ({ trace: { trace_info: info } }),
      decode: (params) => {
        const trace = params.object('trace');
        if (trace === undefined) throw missingParameter('trace');
        if (trace.trace_info === undefined || trace.trace_info === null) {
          throw missingParameter('trace.trace_info');
        }
        const info = traceInfoFromWire(trace.trace_info, 'request', 'trace.trace_info');
        delete info.assessments;
        return [info];
      },
    },
    response: traceV3Response(),
  }),

  startTraceV2: traceEndpoint('startTraceV2', {
    method: 'POST',
    path: 'traces',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([input]) => ({ experimentId: input.experimentId }),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        experiment_id: input.experimentId,
        timestamp_ms: input.timestampMs,
        request_metadata: mapToPairs(input.metadata),
        tags: mapToPairs(input.tags),
      }),
      decode: (params) => {
        const metadata = mapParam(params, 'request_metadata');
        const tags = mapParam(params, 'tags');
        return [
          {
            experimentId: params.requiredString('experiment_id'),
            timestampMs: params.requiredInteger('timestamp_ms'),
            ...(metadata ? { metadata } : {}),
            ...(tags ? { tags } : {}),
          },
        ];
      },
    },
    response: traceV2Response(),
  }),

  endTrace: traceEndpoint('endTrace', {
    method: 'PATCH',
    path: 'traces/<trace_id>',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: byTrace,
    request: {
      kind: 'params',
      encodePath: ([traceId]) => ({ trace_id: traceId }),
      encode: ([traceId, input]) => ({
        request_id: traceId,
        timestamp_ms: input.endTimeMs,
        status: input.state === 'STATE_UNSPECIFIED' ? 'TRACE_STATUS_UNSPECIFIED' : input.state,
        request_metadata: mapToPairs(input.metadata),
        tags: mapToPairs(input.tags),
      }),
      decode: (params, request) => {
        const status = params.enumeration('status');
        if (status === undefined || status === '') throw missingParameter('status');
        const metadata = mapParam(params, 'request_metadata');
        const tags = mapParam(params, 'tags');
        return [
          traceIdOf(request),
          {
            state: traceStateOfV2(status, 'request', 'status'),
            endTimeMs: params.requiredInteger('timestamp_ms'),
            ...(metadata ? { metadata } : {}),
            ...(tags ? { tags } : {}),
          },
        ];
      },
    },
    response: traceV2Response(),
  }),

  getTraceInfo: traceEndpoint('getTraceInfo', {
    method: 'GET',
    path: 'traces/<trace_id>',
    prefixes: MLFLOW_API_3,
    write: false,
    idempotent: true,
    access: byTrace,
    request: tracePathRequest(),
    response: traceV3Response(),
  }),

  searchTraces: traceEndpoint('searchTraces', {
    method: 'POST',
    path: 'traces/search',
    prefixes: MLFLOW_API_3,
    write: false,
    idempotent: true,
    access: ([input]) => ({ experimentIds: input.experimentIds }),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        locations: input.experimentIds.map((id) => ({
          type: 'MLFLOW_EXPERIMENT',
          mlflow_experiment: { experiment_id: id },
        })),
        filter: input.filter || undefined,
        max_results: input.maxResults ?? SEARCH_TRACES_DEFAULT_MAX_RESULTS,
        order_by: input.orderBy && input.orderBy.length > 0 ? [...input.orderBy] : undefined,
        page_token: input.pageToken || undefined,
      }),
      decode: (params) => [searchInput(params, searchedExperiments(params))],
    },
    response: searchV3Response(),
  }),

  setTraceTag: traceEndpoint('setTraceTag', {
    method: 'PATCH',
    path: 'traces/<trace_id>/tags',
    prefixes: MLFLOW_API_2_AND_3,
    write: true,
    idempotent: true,
    access: byTrace,
    request: {
      kind: 'params',
      encodePath: ([traceId]) => ({ trace_id: traceId }),
      encode: ([, key, value]) => ({ key, value }),
      decode: (params, request) => [
        traceIdOf(request),
        params.requiredString('key'),
        params.string('value') ?? '',
      ],
    },
    response: emptyResponse(),
  }),

  deleteTraceTag: traceEndpoint('deleteTraceTag', {
    method: 'DELETE',
    path: 'traces/<trace_id>/tags',
    prefixes: MLFLOW_API_2_AND_3,
    write: true,
    idempotent: false,
    access: byTrace,
    request: {
      kind: 'params',
      encodePath: ([traceId]) => ({ trace_id: traceId }),
      encode: ([, key]) => ({ key }),
      decode: (params, request) => [traceIdOf(request), params.requiredString('key')],
    },
    response: emptyResponse(),
  }),

  deleteTraces: traceEndpoint('deleteTraces', {
    method: 'POST',
    path: 'traces/delete-traces',
    prefixes: MLFLOW_API_2_AND_3,
    write: true,
    idempotent: false,
    access: ([input]) => ({ experimentId: input.experimentId }),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        experiment_id: input.experimentId,
        max_timestamp_millis: input.maxTimestampMillis,
        max_traces: input.maxTraces,
        request_ids: input.traceIds && input.traceIds.length > 0 ? [...input.traceIds] : undefined,
      }),
      decode: (params) => {
        const maxTimestampMillis = params.integer('max_timestamp_millis');
        const maxTraces = params.integer('max_traces');
        const traceIds = params.stringList('request_ids') ?? params.stringList('trace_ids');
        return [
          {
            experimentId: params.requiredString('experiment_id'),
            ...(maxTimestampMillis === undefined ? {} : { maxTimestampMillis }),
            ...(maxTraces === undefined ? {} : { maxTraces }),
            ...(traceIds === undefined || traceIds.length === 0 ? {} : { traceIds }),
          },
        ];
      },
    },
    response: {
      kind: 'json',
      encode: (count) => ({ traces_deleted: count }),
      decode: (body) => toInteger(body.traces_deleted, 'traces_deleted') ?? 0,
    },
  }),

  linkTracesToRun: traceEndpoint('linkTracesToRun', {
    method: 'POST',
    path: 'traces/link-to-run',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([traceIds, runId]) => ({ runId, traceIds }),
    request: {
      kind: 'params',
      encode: ([traceIds, runId]) => ({ trace_ids: [...traceIds], run_id: runId }),
      decode: (params) => {
        const traceIds = params.stringList('trace_ids');
        if (traceIds === undefined || traceIds.length === 0) throw missingParameter('trace_ids');
        return [traceIds, params.requiredString('run_id')];
      },
    },
    response: emptyResponse(),
  }),

  createAssessment: traceEndpoint('createAssessment', {
    method: 'POST',
    path: 'traces/<trace_id>/assessments',
    prefixes: MLFLOW_API_3,
    write: true,
    idempotent: false,
    access: ([assessment]) => ({ traceId: assessment.trace_id }),
    request: {
      kind: 'params',
      encodePath: ([assessment]) => ({ trace_id: assessment.trace_id }),
      encode: ([assessment]) => ({ assessment }),
      decode: (params, request) => {
        const raw = params.object('assessment');
        if (raw === undefined) throw missingParameter('assessment');
        // The path names the trace; a body naming another one is read as the path says.
        const assessment = { ...assessmentFromWire(raw, 'request'), trace_id: traceIdOf(request) };
        return [assessment];
      },
    },
    response: assessmentResponse(),
  }),

  getAssessment: traceEndpoint('getAssessment', {
    method: 'GET',
    path: 'traces/<trace_id>/assessments/<assessment_id>',
    prefixes: MLFLOW_API_3,
    write: false,
    idempotent: true,
    access: byTrace,
    request: assessmentPathRequest(),
    response: assessmentResponse(),
  }),

  updateAssessment: traceEndpoint('updateAssessment', {
    method: 'PATCH',
    path: 'traces/<trace_id>/assessments/<assessment_id>',
    prefixes: MLFLOW_API_3,
    write: true,
    idempotent: true,
    access: byTrace,
    request: {
      kind: 'params',
      encodePath: ([traceId, assessmentId]) => ({ trace_id: traceId, assessment_id: assessmentId }),
      encode: ([traceId, assessmentId, changes, mask]) => ({
        assessment: { ...changes, assessment_id: assessmentId, trace_id: traceId },
        update_mask: mask
          .map((field) => field.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()))
          .join(','),
      }),
      decode: (params, request) => {
        const raw = params.object('assessment');
        if (raw === undefined) throw missingParameter('assessment');
        const changes: Partial<Assessment> = assessmentFromWire(raw, 'request');
        delete changes.assessment_id;
        delete changes.trace_id;
        return [traceIdOf(request), assessmentIdOf(request), changes, updateMaskOf(params)];
      },
    },
    response: assessmentResponse(),
  }),

  deleteAssessment: traceEndpoint('deleteAssessment', {
    method: 'DELETE',
    path: 'traces/<trace_id>/assessments/<assessment_id>',
    prefixes: MLFLOW_API_3,
    write: true,
    idempotent: true,
    access: byTrace,
    request: {
      ...assessmentPathRequest(),
      encode: ([traceId, assessmentId]) => ({ trace_id: traceId, assessment_id: assessmentId }),
    },
    response: emptyResponse(),
  }),
} as const satisfies { readonly [N in TraceOperation]: TraceEndpoint<N> };

/** The arguments of a search, from its parameters (the experiments read by the caller). */
function searchInput(params: RequestParams, experimentIds: string[]): SearchTracesInput {
  const filter = params.string('filter');
  const orderBy = params.stringList('order_by');
  const pageToken = params.string('page_token');
  const maxResults = params.integer('max_results') ?? SEARCH_TRACES_DEFAULT_MAX_RESULTS;
  if (maxResults < 1) throw wrongType('max_results', maxResults);
  return {
    experimentIds,
    maxResults,
    ...(filter ? { filter } : {}),
    ...(orderBy && orderBy.length > 0 ? { orderBy } : {}),
    ...(pageToken ? { pageToken } : {}),
  };
}

/**
 * The V2 forms of reads MLflow 3.3 still serves, answered in MLflow 2's `TraceInfo` shape
 * (`request_id`, `timestamp_ms`, `execution_time_ms`, `status`, key/value lists):
 * `GET /api/2.0/mlflow/traces/<trace_id>/info` and the search `GET /api/2.0/mlflow/traces`
 * (`experiment_ids`, `filter`, `max_results`, `order_by`, `page_token`). The server serves
 * them with the same operations as {@link TRACE_API}; clients call the V3 forms.
 */
export const TRACE_V2_READS = {
  getTraceInfo: traceEndpoint('getTraceInfo', {
    method: 'GET',
    path: 'traces/<trace_id>/info',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: byTrace,
    request: tracePathRequest(),
    response: traceV2Response(),
  }),

  searchTraces: traceEndpoint('searchTraces', {
    method: 'GET',
    path: 'traces',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: ([input]) => ({ experimentIds: input.experimentIds }),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        experiment_ids: [...input.experimentIds],
        filter: input.filter || undefined,
        max_results: input.maxResults,
        order_by: input.orderBy && input.orderBy.length > 0 ? [...input.orderBy] : undefined,
        page_token: input.pageToken || undefined,
      }),
      decode: (params) => {
        const ids = params.stringList('experiment_ids');
        if (ids === undefined || ids.length === 0) throw missingParameter('experiment_ids');
        return [searchInput(params, ids)];
      },
    },
    response: {
      kind: 'json',
      encode: (page) =>
        pageToWire('traces', { ...page, items: page.items.map((info) => traceInfoToV2(info)) }),
      decode: (body) => pageFromWire(body, 'traces', traceInfoFromV2),
    },
  }),
} as const;

/** Every endpoint of {@link TRACE_API} and {@link TRACE_V2_READS}: what the server serves. */
export const TRACE_ENDPOINTS: readonly TraceEndpoint[] = Object.freeze([
  ...Object.values(TRACE_API),
  ...Object.values(TRACE_V2_READS),
]);

/**
 * What serves the web UI's download of a trace's spans: the `traces.json` of a trace, as
 * MLflow's client reads it.
 */
export interface TraceArtifactService {
  /** The `traces.json` of trace `traceId`; RESOURCE_DOES_NOT_EXIST for an unknown trace or one without spans. */
  openTraceArtifact(traceId: string): Promise<ArtifactDownload>;
}

/** An endpoint of {@link TRACE_ARTIFACTS_API}. */
export type TraceArtifactEndpoint = Endpoint<TraceArtifactService, 'openTraceArtifact'>;

/**
 * The web UI's download of a trace's spans, `GET /ajax-api/2.0/mlflow/get-trace-artifact?request_id=`,
 * where MLflow serves it (the UI's prefix alone): the file `traces.json`, streamed as every
 * artifact download is. It reads the trace, so its experiment, for access control.
 */
export const TRACE_ARTIFACTS_API = {
  openTraceArtifact: Object.freeze({
    name: 'openTraceArtifact',
    method: 'GET',
    path: 'get-trace-artifact',
    prefixes: MLFLOW_AJAX_API_2,
    write: false,
    idempotent: true,
    access: byTrace,
    request: {
      kind: 'params',
      encode: ([traceId]) => ({ request_id: traceId }),
      decode: (params) => [params.requiredString('request_id')],
    },
    response: {
      kind: 'stream',
      encode: (download) => ({
        stream: download.body,
        contentType: artifactMediaType(TRACE_DATA_FILE),
        fileName: TRACE_DATA_FILE,
      }),
      decode: (body) => ({
        body: body.stream,
        ...(body.size !== undefined ? { size: body.size } : {}),
        ...(body.contentType !== undefined ? { contentType: body.contentType } : {}),
      }),
    },
  } satisfies TraceArtifactEndpoint),
} as const;

/** Every endpoint of {@link TRACE_ARTIFACTS_API}. */
export const TRACE_ARTIFACT_ENDPOINTS: readonly TraceArtifactEndpoint[] = Object.freeze(
  Object.values(TRACE_ARTIFACTS_API),
);
