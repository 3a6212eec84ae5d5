import type { Readable } from 'node:stream';
import { AgentrackError } from '../errors.js';
import type { AccessTarget } from './access-target.js';
import type { RequestParams } from './wire/request-params.js';

/** The HTTP methods an endpoint may be served with, in the order an `Allow` header lists them. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** One of {@link HTTP_METHODS}. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Where MLflow serves its REST API 2.0: the API proper, and the copy its web UI calls. */
export const MLFLOW_API_2 = ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'] as const;

/** Where MLflow serves its REST API 3.0 (traces and assessments): the API proper, and the copy its web UI calls. */
export const MLFLOW_API_3 = ['/api/3.0/mlflow/', '/ajax-api/3.0/mlflow/'] as const;

/**
 * The prefix of the endpoints MLflow serves to its web UI alone (bulk metric histories, the
 * datasets of experiments): MLflow answers them under `/api/2.0/mlflow/` with 404.
 */
export const MLFLOW_AJAX_API_2 = ['/ajax-api/2.0/mlflow/'] as const;

/**
 * The root of MLflow's server, where it serves a few routes of its web UI outside the API
 * prefixes (`/get-artifact`): an endpoint's path is served right below it.
 */
export const MLFLOW_ROOT = ['/'] as const;

/**
 * Where MLflow serves its artifact service (`mlflow_artifacts.proto`, the artifact proxy of
 * `mlflow server --serve-artifacts`): the API proper, and the copy its web UI calls.
 */
export const MLFLOW_ARTIFACTS_API_2 = [
  '/api/2.0/mlflow-artifacts/',
  '/ajax-api/2.0/mlflow-artifacts/',
] as const;

/** The names of a service's operations: its methods that answer with a promise. */
export type OperationName<S> = {
  [K in keyof S]-?: S[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof S] &
  string;

/** The arguments of operation `N` of service `S`, as a tuple. */
export type OperationArgs<S, N extends OperationName<S>> = S[N] extends (...args: infer A) => Promise<unknown>
  ? A
  : never;

/** What operation `N` of service `S` resolves to. */
export type OperationResult<S, N extends OperationName<S>> = S[N] extends (
  ...args: never[]
) => Promise<infer R>
  ? R
  : never;

/**
 * The parameters of a request as a client sends them: the query string of a GET (a list
 * repeats its key), the JSON object of a POST. `undefined` members are left out.
 */
export type WireParams = Readonly<Record<string, unknown>>;

/**
 * The values of an endpoint's path parameters, by name: what a path such as
 * `artifacts/<path:artifact_path>` or `logged-models/<model_id>/tags/<tag_key>` (MLflow's
 * notation) holds in place of each parameter, percent-decoded once. `<name>` takes one path
 * segment; `<path:name>`, which only ends a path, takes the rest of it, slashes included.
 */
export type PathParams = Readonly<Record<string, string>>;

/** What the server knows of a request besides its parameters or body, for the codecs that need it. */
export interface IncomingRequest {
  /** The endpoint's path parameters, decoded once. */
  readonly path: PathParams;
  /** Where the client reached the server, `http://host:port`: for answers that point back at it. */
  readonly origin: string;
  /** A request header by lower-case name; `undefined` when absent. */
  header(name: string): string | undefined;
  /**
   * Aborted when the client closes the connection before the answer is sent, so that a long
   * read stops working for nobody; absent where nothing can abort the request.
   */
  readonly signal?: AbortSignal;
}

/** The members every kind of request codec has. */
interface RequestCodecBase<A> {
  /**
   * Client side: the values of the endpoint's path parameters for these arguments (not yet
   * encoded for a URL). Required when the endpoint's path has parameters.
   */
  encodePath?(args: A): PathParams;
}

/**
 * A request carried as MLflow's proto-JSON parameters: the query string of a GET, the JSON
 * body of a POST.
 */
export interface ParamsRequest<A> extends RequestCodecBase<A> {
  readonly kind: 'params';
  /** Client side: the parameters that carry these arguments, in the order MLflow's client sends them. */
  encode(args: A): WireParams;
  /**
   * Server side: the arguments the parameters (and the path) carry, read and checked as
   * MLflow's server reads them; throws INVALID_PARAMETER_VALUE naming the parameter.
   */
  decode(params: RequestParams, request: IncomingRequest): A;
}

/** Bytes sent as a request's or a response's whole body, streamed. */
export interface RawBody {
  /** The bytes; whoever receives it reads it to the end or destroys it. */
  stream: Readable;
  /** The number of bytes (`Content-Length`), when known. */
  size?: number | undefined;
  /** The media type (`Content-Type`), when known. */
  contentType?: string | undefined;
}

/**
 * A request whose body is raw bytes (an artifact upload, `PUT` with `Content-Length` and
 * `Content-Type`), streamed both ways: the client sends a stream, the server hands the request
 * stream to the operation unread. Its parameters travel in the query string.
 */
export interface RawRequest<A> extends RequestCodecBase<A> {
  readonly kind: 'raw';
  /** Client side: the body, and the query parameters that go with it. */
  encode(args: A): { params: WireParams; body: RawBody };
  /**
   * Server side: the arguments the body, the query and the path carry. Must not read the
   * body: the operation streams it, after access control allowed the call.
   */
  decode(body: RawBody, params: RequestParams, request: IncomingRequest): A;
}

/**
 * How a request travels: as parameters (query string or JSON body), or as a raw body. The
 * server and the client switch on `kind`; a new kind is a compile error wherever it is not
 * handled.
 */
export type RequestCodec<A> = ParamsRequest<A> | RawRequest<A>;

/** The headers of a response, as a client reads them (`fetch`'s `Headers` is one). */
export interface ResponseHeaders {
  /** A header's value by case-insensitive name; `null` when absent. */
  get(name: string): string | null;
}

/** A response carried as a JSON object. */
export interface JsonResponse<R, A> {
  readonly kind: 'json';
  /**
   * Server side: the JSON object that answers with `result`. May throw the error that
   * stands for a result, e.g. RESOURCE_DOES_NOT_EXIST for a name that names nothing.
   */
  encode(result: R, args: A): object;
  /** Server side: headers to answer with besides the JSON (a part's `ETag`); none by default. */
  headers?(result: R, args: A): Readonly<Record<string, string>>;
  /** Client side: the result a JSON object (and the headers) answer with; INTERNAL_ERROR when it is not one. */
  decode(body: Record<string, unknown>, args: A, headers: ResponseHeaders): R;
}

/** A file as a streamed response carries it: its bytes and how they are described. */
export interface StreamedFile {
  /** The bytes. The server destroys the stream when the client goes away. */
  stream: Readable;
  /** The media type to answer with. */
  contentType: string;
  /** The name for `Content-Disposition: attachment; filename=<name>`. */
  fileName: string;
}

/**
 * A response whose body is a file's bytes, streamed (an artifact download): the server
 * answers chunked, as MLflow does, with `Content-Disposition: attachment` and
 * `X-Content-Type-Options: nosniff`, so that a browser never renders it inline; the client
 * reads the body as a stream.
 */
export interface StreamResponse<R, A> {
  readonly kind: 'stream';
  /** Server side: the file that answers with `result`. */
  encode(result: R, args: A): StreamedFile;
  /** Client side: the result a streamed body answers with (`size` and `contentType` from its headers). */
  decode(body: RawBody, args: A): R;
}

/**
 * How a response travels: a JSON object, or a streamed file. The server and the client switch
 * on `kind`; a new kind is a compile error wherever it is not handled.
 */
export type ResponseCodec<R, A> = JsonResponse<R, A> | StreamResponse<R, A>;

/**
 * One endpoint of MLflow's REST API, described once for both ends: the server serves it by
 * calling operation `name` of its service (for the tracking API, the `TrackingStore`) with the
 * arguments `request.decode` reads, after access control has allowed `access(args)`; the
 * client calls it by sending `request.encode(args)` and reading the answer with
 * `response.decode`. Its arguments are that operation's arguments, so that both ends agree on
 * them by type.
 */
export interface Endpoint<S, N extends OperationName<S>> {
  /** The service operation it stands for, e.g. `createRun`. */
  readonly name: N;
  /** The method clients send it with. */
  readonly method: HttpMethod;
  /** Other methods the server also serves it with (MLflow serves a few searches with GET too). */
  readonly alsoServed?: readonly HttpMethod[];
  /**
   * The path below each prefix, e.g. `runs/create`; it may hold path parameters in MLflow's
   * notation: `<name>` for one segment (`logged-models/<model_id>`), and at its end
   * `<path:name>` for the rest of the path (`artifacts/<path:artifact_path>`).
   */
  readonly path: string;
  /** The prefixes it is served under, e.g. {@link MLFLOW_API_2}; clients call it under the first. */
  readonly prefixes: readonly [string, ...string[]];
  /** `true` when it changes data. */
  readonly write: boolean;
  /**
   * `true` when repeating a call after a failure cannot change its outcome: clients then
   * retry it after failures where the server may have acted on it.
   */
  readonly idempotent: boolean;
  /** What the call acts on, for access control: required, so that no endpoint goes unprotected. */
  access(args: OperationArgs<S, N>): AccessTarget;
  readonly request: RequestCodec<OperationArgs<S, N>>;
  readonly response: ResponseCodec<OperationResult<S, N>, OperationArgs<S, N>>;
}

/** Any endpoint of service `S`. */
export type AnyEndpoint<S> = Endpoint<S, OperationName<S>>;

/** The methods the server serves an endpoint with, in {@link HTTP_METHODS} order. */
export function servedMethods(endpoint: {
  method: HttpMethod;
  alsoServed?: readonly HttpMethod[];
}): HttpMethod[] {
  const methods = new Set([endpoint.method, ...(endpoint.alsoServed ?? [])]);
  return HTTP_METHODS.filter((method) => methods.has(method));
}

/** A path parameter in MLflow's notation: `<name>` (one segment) or `<path:name>` (the rest of the path). */
const PATH_PARAM = /<(path:)?([a-z_][a-z0-9_]*)>/g;

/** One path parameter of an endpoint's path. */
export interface PathParam {
  readonly name: string;
  /** `true` for `<path:name>`, which takes the rest of the path, slashes included. */
  readonly rest: boolean;
}

/** The path parameters of an endpoint's path, in order. */
export function pathParams(path: string): PathParam[] {
  return [...path.matchAll(PATH_PARAM)].map((m) => ({ name: m[2] as string, rest: m[1] !== undefined }));
}

/** The name of the path parameter that takes the rest of an endpoint's path (`<path:name>`), or `undefined`. */
export function pathParamName(path: string): string | undefined {
  return pathParams(path).find((param) => param.rest)?.name;
}

/**
 * The path a client calls for an endpoint's path and the values of its parameters: a
 * one-segment value percent-encoded whole (its slashes too), each segment of a rest-of-path
 * value percent-encoded, its slashes kept. INTERNAL_ERROR when a parameter has no value (an
 * endpoint whose request codec lacks `encodePath`).
 *
 * @example fillPath('artifacts/<path:artifact_path>', { artifact_path: '1/run/a b.txt' }) // 'artifacts/1/run/a%20b.txt'
 * @example fillPath('logged-models/<model_id>/tags/<tag_key>', { model_id: 'm-1', tag_key: 'a/b' }) // 'logged-models/m-1/tags/a%2Fb'
 */
export function fillPath(path: string, params: PathParams = {}): string {
  return path.replace(PATH_PARAM, (_match, rest: string | undefined, name: string) => {
    const value = params[name];
    if (value === undefined) {
      throw new AgentrackError('INTERNAL_ERROR', `No value for the path parameter '${name}' of '${path}'.`);
    }
    return rest === undefined
      ? encodeURIComponent(value)
      : value.split('/').map(encodeURIComponent).join('/');
  });
}
