import { createRequire } from 'node:module';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { Principal } from '../auth/index.js';
import { toMlflowJson } from '../entities/index.js';
import type { TrackingStore } from '../store/tracking-store.js';
import type { AccessTarget, Authenticate, Authorize } from './access.js';
import { answerClientError, answerUnmetExpectation, MAX_REQUEST_HEAD_BYTES } from './client-error.js';
import type { Endpoint, EndpointContext } from './endpoint.js';
import { toErrorResponse, type ErrorBody } from './errors.js';
import { outOfScopeArea } from './out-of-scope.js';
import { TRACKING_ENDPOINTS } from './routes/tracking-endpoints.js';
import { MAX_REQUEST_BODY_BYTES, parseJsonBody } from './wire/json-body.js';
import { RequestParams } from './wire/request-params.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** The prefixes MLflow serves its REST API under: the API proper and the one its web UI calls. */
export const API_PREFIXES = ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'] as const;

// Probes stay reachable without credentials, as in MLflow's auth app.
const OPEN_PATHS = new Set(['/health', '/version']);
const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  /** The store every endpoint reads and writes. The app never closes it. */
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
}

/**
 * The agentrack server as a Fastify app that is not listening: MLflow's tracking REST API
 * (experiments, runs, metrics) under {@link API_PREFIXES}, `GET /health` and `GET /version`.
 * Errors are MLflow's `{"error_code", "message"}` with MLflow's status; an unknown path is 404
 * ENDPOINT_NOT_FOUND, a known path with another method 405, an MLflow endpoint outside the
 * tracking API (model registry, artifacts, traces, ...) 501 NOT_IMPLEMENTED. What the HTTP
 * layer refuses before any endpoint answers in the same shape: a request head over
 * {@link MAX_REQUEST_HEAD_BYTES} (431), malformed HTTP or a missing Host (400), an
 * expectation other than 100-continue (417), a request arriving while the app closes (503
 * TEMPORARILY_UNAVAILABLE).
 *
 * @example
 * const app = createApp({ store: await openSqliteStore('agentrack.db') });
 * const res = await app.inject({ method: 'GET', url: '/api/2.0/mlflow/experiments/get?experiment_id=0' });
 */
export function createApp(options: CreateAppOptions): FastifyInstance {
  const { store, authenticate, authorize } = options;
  const app = Fastify({
    logger: options.logger ?? { level: 'error' },
    bodyLimit: MAX_REQUEST_BODY_BYTES,
    // Node would answer a missing Host itself, with an empty body: the hook below does it.
    http: { maxHeaderSize: MAX_REQUEST_HEAD_BYTES, requireHostHeader: false },
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = toErrorResponse(error);
      sendError(reply, status, body);
    },
    return503OnClosing: false,
  });
  const principals = new WeakMap<FastifyRequest, Principal>();
  const allowedMethods = new Map<string, string[]>();

  app.server.on('checkExpectation', answerUnmetExpectation);

  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', async (request, reply) => {
    if (closing) {
      reply.header('connection', 'close');
      sendError(reply, 503, {
        error_code: 'TEMPORARILY_UNAVAILABLE',
        message: 'The server is shutting down; send the request again to a server that is running.',
      });
      return reply;
    }
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      sendError(reply, 400, {
        error_code: 'BAD_REQUEST',
        message: 'Malformed HTTP request: an HTTP/1.1 request must have a Host header.',
      });
      return reply;
    }
    return undefined;
  });

  // Every body is read as text and parsed by the endpoint, so that a body MLflow would refuse
  // is refused with MLflow's error, and paths that are not endpoints never parse one.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  if (authenticate) {
    app.addHook('onRequest', async (request, reply) => {
      if (OPEN_PATHS.has(pathOf(request))) return;
      const principal = await authenticate(request);
      if (principal) {
        principals.set(request, principal);
        return;
      }
      reply.header('www-authenticate', 'Basic realm="agentrack"');
      sendError(reply, 401, {
        error_code: 'UNAUTHENTICATED',
        message:
          'Authentication required: send an Authorization header with a Bearer token or Basic credentials.',
      });
      return reply;
    });
  }

  const serve = (endpoint: Endpoint) => async (request: FastifyRequest, reply: FastifyReply) => {
    const params =
      request.method === 'POST'
        ? RequestParams.fromJson(parseJsonBody(request.body, request.headers['content-type']))
        : RequestParams.fromQuery(request.query);
    const context: EndpointContext = {
      store,
      access: async (target: AccessTarget) => {
        const principal = principals.get(request);
        await authorize?.({ ...target, principal, endpoint: endpoint.path, write: endpoint.write, request });
      },
    };
    const body = await endpoint.handle(params, context);
    return reply.type(JSON_TYPE).send(toMlflowJson(body));
  };

  for (const endpoint of TRACKING_ENDPOINTS) {
    for (const prefix of API_PREFIXES) {
      const url = prefix + endpoint.path;
      app.route({ method: [...endpoint.methods], url, handler: serve(endpoint) });
      allowedMethods.set(url, withHead(endpoint.methods));
    }
  }

  app.get('/health', async (_request, reply) => reply.type(TEXT_TYPE).send('OK'));
  app.get('/version', async (_request, reply) => reply.type(TEXT_TYPE).send(version));
  allowedMethods.set('/health', withHead(['GET']));
  allowedMethods.set('/version', withHead(['GET']));

  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request);
    const allowed = allowedMethods.get(path);
    if (allowed) {
      reply.header('allow', allowed.join(', '));
      return sendError(reply, 405, {
        error_code: 'BAD_REQUEST',
        message: `Method ${request.method} is not allowed for ${path}; it accepts ${allowed.join(', ')}.`,
      });
    }
    const area = outOfScopeArea(path);
    if (area) {
      return sendError(reply, 501, {
        error_code: 'NOT_IMPLEMENTED',
        message:
          `${request.method} ${path} is part of MLflow's ${area} API, which agentrack does not implement: ` +
          'agentrack serves the tracking API (experiments, runs, metrics).',
      });
    }
    return sendError(reply, 404, {
      error_code: 'ENDPOINT_NOT_FOUND',
      message: `No API endpoint ${request.method} ${path}.`,
    });
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, body, expected } = toErrorResponse(error);
    if (!expected) request.log.error({ err: error }, `${request.method} ${pathOf(request)} failed`);
    return sendError(reply, status, body);
  });

  return app;
}

function sendError(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.code(status).type(JSON_TYPE).send(JSON.stringify(body));
}

function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function withHead(methods: readonly string[]): string[] {
  return methods.includes('GET') ? [...methods, 'HEAD'] : [...methods];
}
