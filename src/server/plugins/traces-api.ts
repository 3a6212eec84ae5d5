import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { notFound } from '../../errors.js';
import { formatTraceData } from '../../protocol/trace-data.js';
import {
  TRACE_ARTIFACT_ENDPOINTS,
  TRACE_ENDPOINTS,
  type TraceArtifactService,
} from '../../protocol/traces.js';
import { isTraceDataStore, type TraceStore } from '../../store/trace-store.js';
import type { Authorize } from '../access.js';
import { mlflowErrorHandler } from '../error-reply.js';
import { MAX_REQUEST_BODY_BYTES } from '../wire/json-body.js';
import { refuseOtherMethods, serveEndpoints } from './serve-endpoints.js';
import { readBodiesAsText } from './text-bodies.js';

/** Options of {@link tracesApi}. */
export interface TracesApiOptions {
  /** The traces every endpoint reads and writes (a tracking store's `traces`). The plugin never closes it. */
  traces: TraceStore;
  /** Decides per request, before the store is called; without it everything is allowed. */
  authorize?: Authorize | undefined;
}

/**
 * MLflow's trace and assessment REST API over a trace store: every endpoint of the trace
 * table ({@link TRACE_ENDPOINTS}: V3 under `/api/3.0/mlflow/`, V2 under `/api/2.0/mlflow/`,
 * each with its `/ajax-api/` copy), and the web UI's
 * `GET /ajax-api/2.0/mlflow/get-trace-artifact?request_id=` (the trace's `traces.json`, made
 * from its span rows). Bodies are read as the tracking API reads its own; errors are MLflow's.
 * Access control applies from each row: a trace belongs to its experiment. Encapsulated.
 */
export const tracesApi: FastifyPluginAsync<TracesApiOptions> = async (app, { traces, authorize }) => {
  readBodiesAsText(app, MAX_REQUEST_BODY_BYTES);
  app.setErrorHandler(mlflowErrorHandler);
  serveEndpoints(app, { service: traces, endpoints: TRACE_ENDPOINTS, authorize });
  serveEndpoints(app, { service: traceArtifacts(traces), endpoints: TRACE_ARTIFACT_ENDPOINTS, authorize });
  refuseOtherMethods(app, TRACE_ENDPOINTS);
};

/**
 * The spans file of a trace, what MLflow's client reads as `traces.json`: the file as it was
 * uploaded when the store keeps it (as MLflow serves the uploaded file), else made from its rows.
 */
function traceArtifacts(traces: TraceStore): TraceArtifactService {
  return {
    async openTraceArtifact(traceId) {
      // An unknown trace answers as the store answers it (404 with MLflow's message).
      const info = await traces.getTraceInfo(traceId);
      const experimentId = info.trace_location.mlflow_experiment?.experiment_id;
      if (experimentId !== undefined && isTraceDataStore(traces)) {
        const kept = await traces.getTraceData(traceId, experimentId);
        if (kept !== undefined) return { body: Readable.from([kept.bytes]), size: kept.bytes.length };
      }
      const spans = await traces.getSpans(traceId);
      if (spans.length === 0)
        throw notFound(`Trace data of trace '${traceId}' was not found: no spans were stored.`);
      const bytes = Buffer.from(formatTraceData(spans), 'utf8');
      return { body: Readable.from([bytes]), size: bytes.length };
    },
  };
}
