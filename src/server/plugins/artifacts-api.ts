import type { FastifyPluginAsync } from 'fastify';
import type { ArtifactRepository } from '../../artifacts/artifact-repository.js';
import { ProxiedArtifactService } from '../../artifacts/proxied-artifact-service.js';
import { ARTIFACT_ENDPOINTS } from '../../protocol/artifacts.js';
import { isTraceDataStore, type TraceStore } from '../../store/trace-store.js';
import type { Authorize } from '../access.js';
import { mlflowErrorHandler } from '../error-reply.js';
import { TraceIngestingArtifactService } from '../trace-ingest.js';
import { MAX_REQUEST_BODY_BYTES } from '../wire/json-body.js';
import { refuseOtherMethods, serveEndpoints } from './serve-endpoints.js';
import { streamBodies } from './stream-bodies.js';
import { readBodiesAsText } from './text-bodies.js';

/** Options of {@link artifactsApi}. */
export interface ArtifactsApiOptions {
  /** Where proxied artifacts are kept (MLflow's `--artifacts-destination`). The plugin never closes it. */
  destination: ArtifactRepository;
  /** Decides per request, before the destination is touched; without it everything is allowed. */
  authorize?: Authorize | undefined;
  /**
   * Where the spans of uploaded `traces.json` files go (a tracking store's `traces`): see
   * {@link TraceIngestingArtifactService}. Absent, trace files are stored as any other file.
   */
  traces?: TraceStore | undefined;
}

/**
 * MLflow's artifact service (`mlflow server --serve-artifacts`) over a destination: every
 * endpoint of the artifact table ({@link ARTIFACT_ENDPOINTS}) under `/api/2.0/mlflow-artifacts/`
 * and `/ajax-api/2.0/mlflow-artifacts/`. Uploads stream: their bodies, of any size and any
 * content type, go to the destination as they arrive, never buffered and without a size limit;
 * the JSON bodies of the multipart endpoints are read as the tracking API reads its own. With
 * `traces`, a trace's `traces.json` is read whole and checked first, and its spans stored
 * (with the file itself, in the database, when the store keeps trace files).
 * Errors are MLflow's. Encapsulated: its body parsing and error handling stay inside it.
 */
export const artifactsApi: FastifyPluginAsync<ArtifactsApiOptions> = async (
  app,
  { destination, authorize, traces },
) => {
  app.setErrorHandler(mlflowErrorHandler);
  const service =
    traces === undefined
      ? new ProxiedArtifactService(destination)
      : new TraceIngestingArtifactService(destination, traces, isTraceDataStore(traces) ? traces : undefined);
  const raw = ARTIFACT_ENDPOINTS.filter((endpoint) => endpoint.request.kind === 'raw');
  const params = ARTIFACT_ENDPOINTS.filter((endpoint) => endpoint.request.kind !== 'raw');
  app.register(async (uploads) => {
    streamBodies(uploads);
    serveEndpoints(uploads, { service, endpoints: raw, authorize });
  });
  app.register(async (others) => {
    readBodiesAsText(others, MAX_REQUEST_BODY_BYTES);
    serveEndpoints(others, { service, endpoints: params, authorize });
    refuseOtherMethods(others, ARTIFACT_ENDPOINTS);
  });
};
