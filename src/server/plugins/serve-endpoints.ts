import { finished, PassThrough, Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toMlflowJson } from '../../entities/index.js';
import {
  HTTP_METHODS,
  pathParams,
  servedMethods,
  type AnyEndpoint,
  type HttpMethod,
  type IncomingRequest,
  type OperationArgs,
  type OperationName,
  type OperationResult,
  type PathParam,
  type PathParams,
  type RawBody,
  type RequestCodec,
  type ResponseCodec,
} from '../../protocol/endpoint.js';
import { RequestParams } from '../../protocol/wire/request-params.js';
import { AgentrackError } from '../../errors.js';
import type { Authorize } from '../access.js';
import { pathOf, sendMethodNotAllowed } from '../error-reply.js';
import { parseJsonBody } from '../wire/json-body.js';

const JSON_TYPE = 'application/json';

/** Options of {@link serveEndpoints}. */
export interface ServeEndpointsOptions<S> {
  /** What serves the operations: the endpoint named `createRun` calls `service.createRun`. */
  service: S;
  endpoints: readonly AnyEndpoint<S>[];
  /** Runs before every operation, reads included; without it everything is allowed. */
  authorize?: Authorize | undefined;
}

/**
 * Mounts endpoints of the protocol table on `app`, each under each of its prefixes with the
 * methods it is served with. Every request goes the same way: its parameters (or its raw body,
 * unread, and its path parameters) are read and checked (`request.decode`), access control
 * decides on what `access` says it acts on, the service's operation runs, and
 * `response.encode` writes the answer: JSON, or a streamed file. Access control is applied
 * here and nowhere else, so that no endpoint of the table is served without it.
 *
 * Raw bodies come from the context's body parsing: a parser that hands the request stream on
 * unread (see `artifactsApi`), or none (the request itself is read).
 */
export function serveEndpoints<S>(app: FastifyInstance, options: ServeEndpointsOptions<S>): void {
  const { service, authorize } = options;
  for (const endpoint of options.endpoints) {
    const params = pathParams(endpoint.path);
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const incoming = incomingRequest(request, reply, params);
      const body = endpoint.request.kind === 'raw' ? rawBody(request, incoming) : undefined;
      try {
        const args = decodeArgs(endpoint.request, request, incoming, body);
        await authorize?.({
          ...endpoint.access(args),
          principal: request.principal,
          endpoint: endpoint.path,
          write: endpoint.write,
          request,
        });
        const result = await invoke(service, endpoint, args);
        return sendResponse(reply, endpoint.response, result, args);
      } catch (error) {
        // A body refused before it all arrived is not read: the connection ends with the answer.
        if (body && !request.raw.complete) reply.header('connection', 'close');
        body?.stream.destroy();
        throw error;
      }
    };
    for (const prefix of endpoint.prefixes) {
      app.route({
        method: servedMethods(endpoint),
        url: prefix + routePattern(endpoint.path),
        handler,
        // JSON writes wait their turn for the store (see writeAdmission); streamed uploads do not.
        config: { queuedWrite: endpoint.write && endpoint.request.kind !== 'raw' },
      });
    }
  }
}

/**
 * Answers 405, with the methods they are served with, for the other methods on the paths of
 * endpoints with path parameters (`artifacts/<path:artifact_path>`, `logged-models/<model_id>`):
 * the app's not-found handler knows the methods of a path only for routes without parameters.
 * Give it every endpoint that shares such a path, whichever contexts serve them.
 */
export function refuseOtherMethods(
  app: FastifyInstance,
  endpoints: readonly {
    method: HttpMethod;
    alsoServed?: readonly HttpMethod[];
    path: string;
    prefixes: readonly string[];
  }[],
): void {
  const served = new Map<string, Set<HttpMethod>>();
  for (const endpoint of endpoints) {
    if (pathParams(endpoint.path).length === 0) continue;
    for (const prefix of endpoint.prefixes) {
      const url = prefix + routePattern(endpoint.path);
      const methods = served.get(url) ?? new Set<HttpMethod>();
      for (const method of servedMethods(endpoint)) methods.add(method);
      served.set(url, methods);
    }
  }
  for (const [url, methods] of served) {
    const allowed: string[] = HTTP_METHODS.filter((method) => methods.has(method));
    if (methods.has('GET')) allowed.push('HEAD');
    const others = HTTP_METHODS.filter((method) => !methods.has(method));
    if (others.length === 0) continue;
    app.route({
      method: others,
      url,
      handler: async (request, reply) => {
        const path = pathOf(request);
        // A path that is also a route of its own (`logged-models/search` beside
        // `logged-models/<model_id>`) is answered with that route's methods.
        const own: string[] = /[:*]/.test(path)
          ? []
          : HTTP_METHODS.filter((method) => app.hasRoute({ method, url: path }));
        if (own.includes('GET')) own.push('HEAD');
        return sendMethodNotAllowed(reply, request.method, path, own.length > 0 ? own : allowed);
      },
    });
  }
}

/**
 * The route an endpoint's path is mounted at: a one-segment parameter (`<name>`) as Fastify's
 * parameter `:name`, the rest-of-path one (`<path:name>`) as its wildcard.
 *
 * @example routePattern('artifacts/<path:artifact_path>') // 'artifacts/*'
 * @example routePattern('logged-models/<model_id>/tags/<tag_key>') // 'logged-models/:model_id/tags/:tag_key'
 */
export function routePattern(path: string): string {
  let pattern = path;
  for (const param of pathParams(path)) {
    pattern = param.rest
      ? pattern.replace(`<path:${param.name}>`, '*')
      : pattern.replace(`<${param.name}>`, `:${param.name}`);
  }
  return pattern;
}

/** What the codecs may know of a request: its path parameters, where it reached the server, its headers. */
function incomingRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  params: readonly PathParam[],
): IncomingRequest {
  // Fastify hands parameters over percent-decoded once (`%2F` is a slash, `%252E` is `%2E`) and
  // never resolves `..` or `//`: the codecs check the path as it is here.
  const values = request.params as Record<string, string>;
  const path: PathParams = Object.fromEntries(
    params.map((param) => [param.name, values[param.rest ? '*' : param.name] ?? '']),
  );
  let closed: AbortController | undefined;
  return {
    path,
    origin: `${request.protocol}://${request.host}`,
    header: (name) => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    // Made on first use: most operations never look, and every request would pay for it.
    get signal() {
      if (closed === undefined) {
        const controller = new AbortController();
        const response = reply.raw;
        if (response.destroyed && !response.writableFinished) controller.abort(clientGone());
        else response.once('close', () => response.writableFinished || controller.abort(clientGone()));
        closed = controller;
      }
      return closed.signal;
    },
  };
}

function clientGone(): AgentrackError {
  return new AgentrackError('CANCELLED', 'The client closed the connection before the answer was sent.');
}

/** The raw body of a request, unread: the stream the context's parser handed on, or the request itself. */
function rawBody(request: FastifyRequest, incoming: IncomingRequest): RawBody {
  // A request without a body never reaches a parser: its stream is the request, ended.
  const source = request.body instanceof Readable ? request.body : request.raw;
  return {
    stream: detached(source),
    size: contentLength(incoming.header('content-length')),
    contentType: incoming.header('content-type'),
  };
}

/**
 * The request stream as a stream of its own: an operation that refuses a body destroys it (as
 * repositories do), which must not destroy the connection before the refusal is answered. A
 * request that breaks off fails it.
 */
function detached(source: Readable): Readable {
  const body = new PassThrough();
  source.pipe(body);
  finished(source, (error) => {
    if (error) body.destroy(error);
  });
  body.once('close', () => source.unpipe(body));
  return body;
}

/** The operation's arguments, as the endpoint's request codec reads them. */
function decodeArgs<A>(
  codec: RequestCodec<A>,
  request: FastifyRequest,
  incoming: IncomingRequest,
  body: RawBody | undefined,
): A {
  switch (codec.kind) {
    case 'params':
      return codec.decode(readParams(request), incoming);
    case 'raw':
      return codec.decode(
        body ?? rawBody(request, incoming),
        RequestParams.fromQuery(request.query),
        incoming,
      );
    default:
      return unhandled(codec);
  }
}

/**
 * The parameters of a request, read as MLflow reads them: the query of a GET, and of a
 * DELETE sent without a body (as MLflow's client deletes a logged model's tag); otherwise
 * the JSON body (typed as JSON for a POST or PUT; a PATCH or DELETE body whatever its type).
 */
function readParams(request: FastifyRequest): RequestParams {
  const bodyless = request.body === undefined || request.body === null || request.body === '';
  if (request.method === 'GET' || request.method === 'HEAD' || (request.method === 'DELETE' && bodyless)) {
    return RequestParams.fromQuery(request.query);
  }
  const checkType = request.method === 'POST' || request.method === 'PUT';
  return RequestParams.fromJson(parseJsonBody(request.body, request.headers['content-type'], { checkType }));
}

/** Writes the answer: MLflow's JSON (and its headers), or a file streamed as MLflow sends one. */
function sendResponse<R, A>(
  reply: FastifyReply,
  codec: ResponseCodec<R, A>,
  result: R,
  args: A,
): FastifyReply {
  switch (codec.kind) {
    case 'json': {
      const headers = codec.headers?.(result, args);
      if (headers) reply.headers(headers);
      return reply.type(JSON_TYPE).send(toMlflowJson(codec.encode(result, args)));
    }
    case 'stream': {
      const file = codec.encode(result, args);
      // HEAD answers the headers alone: the file is not read only to be thrown away.
      if (reply.request.method === 'HEAD') file.stream.destroy();
      // Always an attachment, never sniffed: an HTML or SVG artifact must not run on the server's origin.
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename=${attachmentName(file.fileName)}`)
        .header('x-content-type-options', 'nosniff')
        .send(file.stream);
    }
    default:
      return unhandled(codec);
  }
}

/** A file name as a `Content-Disposition` parameter: MLflow's bare form when it is plain ASCII, else RFC 6266's. */
function attachmentName(name: string): string {
  if (/^[\x21-\x7e]+$/.test(name) && !/[";\\]/.test(name)) return name;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `"${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function contentLength(value: string | undefined): number | undefined {
  return value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : undefined;
}

function unhandled(codec: never): never {
  throw new Error(`Unhandled codec kind: ${(codec as { kind: string }).kind}`);
}

function invoke<S, N extends OperationName<S>>(
  service: S,
  endpoint: { name: N },
  args: OperationArgs<S, N>,
): Promise<OperationResult<S, N>> {
  const operation = service[endpoint.name] as (...args: unknown[]) => Promise<OperationResult<S, N>>;
  return operation.apply(service, args as unknown[]);
}
