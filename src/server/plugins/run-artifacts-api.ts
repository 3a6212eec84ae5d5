import type { FastifyPluginAsync } from 'fastify';
import type { ArtifactRepository } from '../../artifacts/artifact-repository.js';
import { RunArtifacts } from '../../client/run-artifacts.js';
import { RUN_ARTIFACT_ENDPOINTS } from '../../protocol/run-artifacts.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import type { Authorize } from '../access.js';
import { mlflowErrorHandler } from '../error-reply.js';
import { MAX_REQUEST_BODY_BYTES } from '../wire/json-body.js';
import { refuseOtherMethods, serveEndpoints } from './serve-endpoints.js';
import { streamBodies } from './stream-bodies.js';
import { readBodiesAsText } from './text-bodies.js';

/** Options of {@link runArtifactsApi}. */
export interface RunArtifactsApiOptions {
  /** The store runs are read from. The plugin never closes it. */
  store: TrackingStore;
  /**
   * Where proxied artifacts are kept (the artifact service's destination): the runs whose
   * `artifact_uri` is `mlflow-artifacts:` have their files there. Absent (`--no-serve-artifacts`),
   * such runs' artifacts are refused with INVALID_PARAMETER_VALUE. The plugin never closes it.
   */
  destination?: ArtifactRepository | undefined;
  /** Decides per request, before any artifact is touched; without it everything is allowed. */
  authorize?: Authorize | undefined;
}

/**
 * The tracking API's endpoints on a run's artifacts ({@link RUN_ARTIFACT_ENDPOINTS}): listing
 * a run's folder (`artifacts/list`), downloading one of its files (`/get-artifact`, streamed
 * as the artifact service streams downloads) and uploading one (`upload-artifact`: the raw
 * body streamed to the run's root, at most 10 MiB, as MLflow's web UI sends it), served by a {@link RunArtifacts} over the store, so that a
 * run's files are found where its `artifact_uri` points — in `destination` for a proxied root
 * (`mlflow-artifacts:`, or an http(s) URI of the artifact service), in place for a `file:` or
 * `s3:` one — as MLflow's server finds them. Access control applies
 * from each row, to the run it names. Errors are MLflow's. Encapsulated; the repositories it
 * opened for runs' roots are closed with the app.
 */
export const runArtifactsApi: FastifyPluginAsync<RunArtifactsApiOptions> = async (
  app,
  { store, destination, authorize },
) => {
  app.setErrorHandler(mlflowErrorHandler);
  // As MLflow's server, a run's root at an artifact service's http(s) URI is taken to name this
  // server's destination.
  const artifacts = new RunArtifacts(store, {
    proxied: destination,
    proxiedHttpUris: true,
    unreachableProxied: 'this server does not serve (it runs with --no-serve-artifacts)',
  });
  app.addHook('onClose', () => artifacts.close());
  const raw = RUN_ARTIFACT_ENDPOINTS.filter((endpoint) => endpoint.request.kind === 'raw');
  const params = RUN_ARTIFACT_ENDPOINTS.filter((endpoint) => endpoint.request.kind !== 'raw');
  app.register(async (uploads) => {
    streamBodies(uploads);
    serveEndpoints(uploads, { service: artifacts, endpoints: raw, authorize });
  });
  app.register(async (others) => {
    readBodiesAsText(others, MAX_REQUEST_BODY_BYTES);
    serveEndpoints(others, { service: artifacts, endpoints: params, authorize });
    refuseOtherMethods(others, params);
  });
};
