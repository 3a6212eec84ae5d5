import type { AccessTarget } from './access-target.js';
import type { RequestParams } from './wire/request-params.js';

/** The HTTP methods an endpoint may be served with, in the order an `Allow` header lists them. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** One of {@link HTTP_METHODS}. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Where MLflow serves its REST API 2.0: the API proper, and the copy its web UI calls. */
export const MLFLOW_API_2 = ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'] as const;

/**
 * The prefix of the endpoints MLflow serves to its web UI alone (bulk metric histories, the
 * datasets of experiments): MLflow answers them under `/api/2.0/mlflow/` with 404.
 */
export const MLFLOW_AJAX_API_2 = ['/ajax-api/2.0/mlflow/'] as const;

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
 * A request carried as MLflow's proto-JSON parameters: the query string of a GET, the JSON
 * body of a POST.
 */
export interface ParamsRequest<A> {
  readonly kind: 'params';
  /** Client side: the parameters that carry these arguments, in the order MLflow's client sends them. */
  encode(args: A): WireParams;
  /**
   * Server side: the arguments the parameters carry, read and checked as MLflow's server
   * reads them; throws INVALID_PARAMETER_VALUE naming the parameter.
   */
  decode(params: RequestParams): A;
}

/**
 * How a request travels. Parameters are the only kind so far; a raw body (artifact uploads)
 * becomes another member of this union, which the server and the client switch on.
 */
export type RequestCodec<A> = ParamsRequest<A>;

/** A response carried as a JSON object. */
export interface JsonResponse<R, A> {
  readonly kind: 'json';
  /**
   * Server side: the JSON object that answers with `result`. May throw the error that
   * stands for a result, e.g. RESOURCE_DOES_NOT_EXIST for a name that names nothing.
   */
  encode(result: R, args: A): object;
  /** Client side: the result a JSON object answers with; INTERNAL_ERROR when it is not one. */
  decode(body: Record<string, unknown>, args: A): R;
}

/** How a response travels: a JSON object so far; a stream (artifact downloads) would join it. */
export type ResponseCodec<R, A> = JsonResponse<R, A>;

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
  /** The path below each prefix, e.g. `runs/create`. */
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
