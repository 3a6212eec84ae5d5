import type { FastifyPluginAsync } from 'fastify';
import { TrackingClient } from '../../client/tracking-client.js';
import { auditAgent, listAgents, type AgentAudit } from '../../lifecycle/agents-overview.js';
import { AGENTS_ENDPOINT_LIST, type AgentsService } from '../../protocol/agents-api.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import type { Authorize } from '../access.js';
import { mlflowErrorHandler } from '../error-reply.js';
import { SharedWork } from '../shared-work.js';
import { serveEndpoints } from './serve-endpoints.js';

/** Options of {@link agentsApi}. */
export interface AgentsApiOptions {
  /** The store the lifecycle reads. The plugin never closes it. */
  store: TrackingStore;
  /** Decides per request, before the store is called; without it everything is allowed. */
  authorize?: Authorize | undefined;
}

/**
 * agentrack's read-only agents API ({@link AGENTS_ENDPOINTS}) over a tracking store: every
 * agent with its lanes, and one agent's audit, as the lifecycle computes them. Concurrent
 * requests for one agent's audit share one; it stops when all of their clients have gone away.
 * Errors are MLflow's. Encapsulated.
 */
export const agentsApi: FastifyPluginAsync<AgentsApiOptions> = async (app, { store, authorize }) => {
  app.setErrorHandler(mlflowErrorHandler);
  const client = new TrackingClient(store);
  // An audit reads every run of the agent's lanes: requests for one agent while it runs share it.
  const audits = new SharedWork<AgentAudit>();
  const service: AgentsService = {
    listAgents: () => listAgents(client),
    auditAgent: (agent, signal) =>
      audits.run(agent, signal, (shared) => auditAgent(client, agent, { signal: shared })),
  };
  serveEndpoints(app, { service, endpoints: AGENTS_ENDPOINT_LIST, authorize });
};
