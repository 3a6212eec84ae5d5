import type { AgentAudit, AgentOverview } from '../lifecycle/agents-overview.js';
import type { Endpoint, OperationName } from './endpoint.js';

/** Where agentrack serves its own endpoints, which MLflow has none for: the API proper, and the copy its web UI calls. */
export const AGENTRACK_API_2 = ['/api/2.0/agentrack/', '/ajax-api/2.0/agentrack/'] as const;

/** What the agents endpoints read: the lifecycle's view of every agent, and one agent's audit. */
export interface AgentsService {
  /** Every agent, each with its three lanes (see `listAgents`). */
  listAgents(): Promise<AgentOverview[]>;
  /**
   * The lifecycle audit of one agent; RESOURCE_DOES_NOT_EXIST for an unknown one. Served, it
   * is given the request's `signal`, which aborts when the client goes away.
   */
  auditAgent(agent: string, signal?: AbortSignal): Promise<AgentAudit>;
}

/** An endpoint of the agents API: one {@link AgentsService} operation over HTTP. */
export type AgentsEndpoint<N extends OperationName<AgentsService> = OperationName<AgentsService>> = Endpoint<
  AgentsService,
  N
>;

/**
 * Declares the endpoint of agents operation `name`: the name gives the types of its arguments
 * and result to every other member.
 */
function agentsEndpoint<N extends OperationName<AgentsService>>(
  name: N,
  endpoint: NoInfer<Omit<AgentsEndpoint<N>, 'name'>>,
): AgentsEndpoint<N> {
  return Object.freeze({ name, ...endpoint });
}

/**
 * agentrack's agents API, read-only: `GET agents` (every agent at a glance, `{"agents": [...]}`)
 * and `GET agents/audit?agent=<name>` (`{"audit": {...}}`, as `agentrack audit` reports it).
 * Both read across experiments, as `experiments/search` does: access control sees no target.
 */
export const AGENTS_ENDPOINTS = {
  listAgents: agentsEndpoint('listAgents', {
    method: 'GET',
    path: 'agents',
    prefixes: AGENTRACK_API_2,
    write: false,
    idempotent: true,
    access: () => ({}),
    request: { kind: 'params', encode: () => ({}), decode: () => [] },
    response: {
      kind: 'json',
      encode: (agents) => ({ agents }),
      decode: (body) => (body.agents ?? []) as AgentOverview[],
    },
  }),
  auditAgent: agentsEndpoint('auditAgent', {
    method: 'GET',
    path: 'agents/audit',
    prefixes: AGENTRACK_API_2,
    write: false,
    idempotent: true,
    access: () => ({}),
    request: {
      kind: 'params',
      encode: ([agent]) => ({ agent }),
      decode: (params, incoming) => [params.requiredString('agent'), incoming.signal],
    },
    response: {
      kind: 'json',
      encode: (report) => ({ audit: report }),
      decode: (body) => body.audit as AgentAudit,
    },
  }),
} as const satisfies { readonly [N in OperationName<AgentsService>]: AgentsEndpoint<N> };

/** Every endpoint of the agents API, as the server mounts them. */
export const AGENTS_ENDPOINT_LIST: readonly AgentsEndpoint[] = Object.values(AGENTS_ENDPOINTS);
