import type { FastifyPluginAsync } from 'fastify';
import { TrackingClient } from '../../client/tracking-client.js';
import { auditAgent, listAgents } from '../../lifecycle/agents-overview.js';
import { AGENTS_ENDPOINT_LIST, type AgentsService } from '../../protocol/agents-api.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import type { Authorize } from '../access.js';
import { mlflowErrorHandler } from '../error-reply.js';
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
 * agent with its lanes, and one agent's audit, as the lifecycle computes them. Errors are
 * MLflow's. Encapsulated.
 */
export const agentsApi: FastifyPluginAsync<AgentsApiOptions> = async (app, { store, authorize }) => {
  app.setErrorHandler(mlflowErrorHandler);
  const client = new TrackingClient(store);
  const service: AgentsService = {
    listAgents: () => listAgents(client),
    auditAgent: (agent) => auditAgent(client, agent),
  };
  serveEndpoints(app, { service, endpoints: AGENTS_ENDPOINT_LIST, authorize });
};
