import {
  fillPath,
  type Endpoint,
  type OperationArgs,
  type OperationName,
  type OperationResult,
  type RawBody,
  type RequestCodec,
  type WireParams,
} from '../../protocol/endpoint.js';
import type { HttpClient, RestCall } from './http-client.js';

/**
 * Calls operation `endpoint.name` of a remote service through its endpoint of the protocol
 * table, the one the server serves it with: the request goes as its codec says (parameters,
 * or a raw body streamed with its parameters in the query), retried as the endpoint allows,
 * and the answer is read as its codec says (a JSON object, or a streamed body).
 *
 * @example const run = await callEndpoint(http, TRACKING_API.getRun, [runId]);
 */
export async function callEndpoint<S, N extends OperationName<S>>(
  http: HttpClient,
  endpoint: Endpoint<S, N>,
  args: OperationArgs<S, N>,
): Promise<OperationResult<S, N>> {
  const call = endpointCall(endpoint, args);
  const response = endpoint.response;
  switch (response.kind) {
    case 'json': {
      const answer = await http.exchange(call, 'json');
      return response.decode(answer.body, args, answer.headers);
    }
    case 'stream': {
      const answer = await http.exchange(call, 'stream');
      const size = answer.headers.get('content-length');
      const body: RawBody = {
        stream: answer.body,
        size: size !== null && /^[0-9]+$/.test(size) ? Number(size) : undefined,
        contentType: answer.headers.get('content-type') ?? undefined,
      };
      return response.decode(body, args);
    }
    default:
      return unhandled(response);
  }
}

/** The HTTP call that carries `args` to `endpoint`: method, prefix, path (parameters filled in), parameters, body. */
export function endpointCall<S, N extends OperationName<S>>(
  endpoint: Endpoint<S, N>,
  args: OperationArgs<S, N>,
): RestCall {
  const request: RequestCodec<OperationArgs<S, N>> = endpoint.request;
  const base = {
    method: endpoint.method,
    prefix: endpoint.prefixes[0],
    endpoint: fillPath(endpoint.path, request.encodePath?.(args)),
    idempotent: endpoint.idempotent,
  };
  switch (request.kind) {
    case 'params':
      return { ...base, params: request.encode(args) };
    case 'raw': {
      const { params, body }: { params: WireParams; body: RawBody } = request.encode(args);
      return { ...base, params, body };
    }
    default:
      return unhandled(request);
  }
}

function unhandled(codec: never): never {
  throw new Error(`Unhandled codec kind: ${(codec as { kind: string }).kind}`);
}
