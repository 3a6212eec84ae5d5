import { LoginThrottle, type LoginThrottleOptions } from '../auth/login-throttle.js';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { AGENTS_ENDPOINTS } from '../protocol/agents-api.js';
import { ARTIFACT_ENDPOINTS } from '../protocol/artifacts.js';
import { DEPLOYMENTS_ENDPOINTS } from '../protocol/deployments-api.js';
import { MLFLOW_API_2 } from '../protocol/endpoint.js';
import { MODEL_VERSION_ARTIFACT_ENDPOINTS, REGISTRY_ENDPOINTS } from '../protocol/model-registry.js';
import { RUN_ARTIFACT_ENDPOINTS } from '../protocol/run-artifacts.js';
import { TRACKING_ENDPOINTS } from '../protocol/tracking-api.js';
import { TRACE_ARTIFACT_ENDPOINTS, TRACE_ENDPOINTS } from '../protocol/traces.js';
import type { TrackingStore } from '../store/tracking-store.js';
import type { Authenticate, Authorize } from './access.js';
import { answerClientError, MAX_REQUEST_HEAD_BYTES } from './client-error.js';
import { sendError } from './error-reply.js';
import { toErrorResponse } from './errors.js';
import { agentsApi } from './plugins/agents-api.js';
import { artifactsApi } from './plugins/artifacts-api.js';
import { authentication } from './plugins/authentication.js';
import { deploymentsApi } from './plugins/deployments-api.js';
import { modelRegistryApi } from './plugins/model-registry-api.js';
import { otlpTracesApi } from './plugins/otlp-traces-api.js';
import { outOfScopeApi } from './plugins/out-of-scope-api.js';
import { PROBE_PATHS, probes } from './plugins/probes.js';
import { requestGuards } from './plugins/request-guards.js';
import { runArtifactsApi } from './plugins/run-artifacts-api.js';
import { trackingApi } from './plugins/tracking-api.js';
import { tracesApi } from './plugins/traces-api.js';
import { artifactsNotServed, trackingNotServed, unavailableApi } from './plugins/unavailable-api.js';
import { unmatchedRoutes } from './plugins/unmatched-routes.js';
import { writeAdmission } from './plugins/write-admission.js';
import { webUi } from './plugins/web-ui.js';
import { MAX_REQUEST_BODY_BYTES } from './wire/json-body.js';

/** The prefixes MLflow serves its REST API under: the API proper and the one its web UI calls. */
export const API_PREFIXES = MLFLOW_API_2;

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  /** The store every endpoint reads and writes (the registry's endpoints its `registry`). The app never closes it. */
  store: TrackingStore;
  /**
   * Fastify's logger: `false` for none, or pino options such as `{ level: 'info' }` for a
   * request log. Default `{ level: 'error' }`: only server faults, with their stack.
   */
  logger?: FastifyServerOptions['logger'];
  /** Identifies callers; without it every request is served anonymously. See {@link Authenticate}. */
  authenticate?: Authenticate;
  /** Decides per request, after authentication; without it everything is allowed. See {@link Authorize}. */
  authorize?: Authorize;
  /** How failed logins are limited when there is `authenticate` (see {@link LoginThrottle}); the defaults when absent. */
  loginThrottle?: LoginThrottleOptions;
  /**
   * The proxies (load balancers, ingress) in front of the server, as addresses or CIDR ranges
   * (`10.0.0.0/8`, or `loopback`, `linklocal`, `uniquelocal`): a request arriving from one of them
   * is taken to come from the address its `X-Forwarded-For` names (and its scheme and host from
   * `X-Forwarded-Proto` and `X-Forwarded-Host`), so failed logins are counted per client rather
   * than per proxy. Absent: every request comes from its TCP peer, and `X-Forwarded-*` is ignored
   * (a client could otherwise name any address it likes).
   */
  trustedProxies?: readonly string[];
  /**
   * The bytes of JSON write bodies handled at once (see {@link writeAdmission}); later writes
   * wait their turn, in arrival order, with their bodies unread. Default 64 KiB.
   */
  writeBytesInFlight?: number;
  /** MLflow's artifact service (--serve-artifacts): the repository proxied artifacts are kept in. Absent: the mlflow-artifacts endpoints answer 503 as MLflow's --no-serve-artifacts does. The app never closes it; startServer closes it on close() when closeStore is not false. */
  artifactDestination?: ArtifactRepository;
  /** MLflow's --artifacts-only: the artifact service alone; the tracking API answers 503 as MLflow does. */
  artifactsOnly?: boolean;
  /**
   * The web UI at `/` (see {@link webUi}): `false` for none, `{ root }` for a build of it
   * elsewhere. Default: the UI built into the package. An artifacts-only server has none.
   */
  webUi?: false | { root?: string };
  /**
   * MLflow's `MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX`: a new model version's
   * `source` must contain a match (else 400 "Invalid model version source"). Absent: any source
   * the registry accepts.
   */
  modelVersionSourcePattern?: RegExp;
}

/**
 * The agentrack server as a Fastify app that is not listening: MLflow's tracking REST API
 * (experiments, runs, metrics, and a run's artifacts: `artifacts/list`) and its model registry
 * under {@link API_PREFIXES} with its web UI's `/get-artifact` and `/model-versions/get-artifact`,
 * MLflow's artifact service under
 * `/api/2.0/mlflow-artifacts/` (with an `artifactDestination`; 503 without one, as
 * `mlflow server --no-serve-artifacts`), `GET /health` and `GET /version`; with
 * `artifactsOnly`, the tracking API answers 503 as `mlflow server --artifacts-only` does.
 * Errors are MLflow's `{"error_code", "message"}` with MLflow's status; an unknown path is 404
 * ENDPOINT_NOT_FOUND, a known path with another method 405, an MLflow endpoint outside what
 * agentrack serves (webhooks, GraphQL, ...) 501 NOT_IMPLEMENTED. What the HTTP
 * layer refuses before any endpoint answers in the same shape: a request head over
 * {@link MAX_REQUEST_HEAD_BYTES} (431), malformed HTTP or a missing Host (400), an
 * expectation other than 100-continue (417), a request arriving while the app closes (503
 * TEMPORARILY_UNAVAILABLE).
 *
 * The app is a composition of Fastify plugins, each mountable alone on an app of its own
 * (`src/server/plugins/`): the request guards and authentication (shared with the whole app,
 * as their hooks must run for every route), then, each in its own context, the tracking API
 * ({@link trackingApi}) and its endpoints on runs' artifacts ({@link runArtifactsApi}), the
 * model registry ({@link modelRegistryApi}), traces and assessments ({@link tracesApi}, whose
 * spans arrive as `traces.json` uploads to the artifact service, stored as rows too),
 * OpenTelemetry's trace ingest `POST /v1/traces` ({@link otlpTracesApi}), the artifact service ({@link artifactsApi}), the 501 answers of the
 * areas outside them, the probes, and the 405/404 answers for requests no route takes.
 *
 * @example
 * const app = createApp({ store: await openSqliteStore('agentrack.db') });
 * const res = await app.inject({ method: 'GET', url: '/api/2.0/mlflow/experiments/get?experiment_id=0' });
 */
export function createApp(options: CreateAppOptions): FastifyInstance {
  const { store, authenticate, authorize, artifactDestination } = options;
  const app = Fastify({
    logger: options.logger ?? { level: 'error' },
    // The limit of the plugins that set none (the tracking API sets its own) and of the
    // not-found handler, which Fastify gives the app's.
    bodyLimit: MAX_REQUEST_BODY_BYTES,
    // Node would answer a missing Host itself, with an empty body: the request guards do it.
    http: { maxHeaderSize: MAX_REQUEST_HEAD_BYTES, requireHostHeader: false },
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = toErrorResponse(error);
      sendError(reply, status, body);
    },
    return503OnClosing: false,
    ...(options.trustedProxies?.length ? { trustProxy: [...options.trustedProxies] } : {}),
  });
  app.register(requestGuards);
  app.register(authentication, {
    authenticate,
    openPaths: PROBE_PATHS,
    ...(authenticate ? { throttle: new LoginThrottle(options.loginThrottle) } : {}),
  });
  // After authentication: a request refused there never takes a place.
  app.register(writeAdmission, {
    ...(options.writeBytesInFlight !== undefined ? { maxBytesInFlight: options.writeBytesInFlight } : {}),
  });
  if (options.artifactsOnly) {
    app.register(unavailableApi, {
      endpoints: [
        ...TRACKING_ENDPOINTS,
        ...RUN_ARTIFACT_ENDPOINTS,
        ...REGISTRY_ENDPOINTS,
        ...MODEL_VERSION_ARTIFACT_ENDPOINTS,
        ...TRACE_ENDPOINTS,
        ...TRACE_ARTIFACT_ENDPOINTS,
        ...Object.values(AGENTS_ENDPOINTS),
        ...DEPLOYMENTS_ENDPOINTS,
      ],
      message: trackingNotServed,
    });
  } else {
    app.register(trackingApi, { store, authorize });
    app.register(runArtifactsApi, { store, destination: artifactDestination, authorize });
    app.register(modelRegistryApi, {
      registry: store.registry,
      destination: artifactDestination,
      authorize,
      sourcePattern: options.modelVersionSourcePattern,
    });
    app.register(tracesApi, { traces: store.traces, authorize });
    app.register(otlpTracesApi, { store, destination: artifactDestination, authorize });
    app.register(agentsApi, { store, authorize });
    app.register(deploymentsApi, { store, authorize });
  }
  if (artifactDestination) {
    // An artifacts-only server has no tracking API: trace files are files there, as in MLflow.
    const traces = options.artifactsOnly ? undefined : store.traces;
    app.register(artifactsApi, { destination: artifactDestination, authorize, traces });
  }
  if (!artifactDestination) {
    app.register(unavailableApi, { endpoints: ARTIFACT_ENDPOINTS, message: artifactsNotServed });
  }
  app.register(outOfScopeApi);
  app.register(probes);
  if (options.webUi !== false && !options.artifactsOnly) app.register(webUi, { root: options.webUi?.root });
  app.register(unmatchedRoutes);
  return app;
}
