import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toMlflowJson } from '../../entities/index.js';
import {
  servedMethods,
  type AnyEndpoint,
  type OperationArgs,
  type OperationName,
  type OperationResult,
} from '../../protocol/endpoint.js';
import { RequestParams } from '../../protocol/wire/request-params.js';
import type { Authorize } from '../access.js';
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
 * methods it is served with. Every request goes the same way: its parameters are read and
 * checked (`request.decode`), access control decides on what `access` says it acts on, the
 * service's operation runs, and `response.encode` writes the answer. Access control is applied
 * here and nowhere else, so that no endpoint of the table is served without it.
 */
export function serveEndpoints<S>(app: FastifyInstance, options: ServeEndpointsOptions<S>): void {
  const { service, authorize } = options;
  for (const endpoint of options.endpoints) {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const args = endpoint.request.decode(readParams(request));
      await authorize?.({
        ...endpoint.access(args),
        principal: request.principal,
        endpoint: endpoint.path,
        write: endpoint.write,
        request,
      });
      const result = await invoke(service, endpoint, args);
      return reply.type(JSON_TYPE).send(toMlflowJson(endpoint.response.encode(result, args)));
    };
    for (const prefix of endpoint.prefixes) {
      app.route({ method: servedMethods(endpoint), url: prefix + endpoint.path, handler });
    }
  }
}

/** The parameters of a request: the JSON body of a POST, read as MLflow reads it, else the query. */
function readParams(request: FastifyRequest): RequestParams {
  return request.method === 'POST'
    ? RequestParams.fromJson(parseJsonBody(request.body, request.headers['content-type']))
    : RequestParams.fromQuery(request.query);
}

function invoke<S, N extends OperationName<S>>(
  service: S,
  endpoint: { name: N },
  args: OperationArgs<S, N>,
): Promise<OperationResult<S, N>> {
  const operation = service[endpoint.name] as (...args: unknown[]) => Promise<OperationResult<S, N>>;
  return operation.apply(service, args as unknown[]);
}
