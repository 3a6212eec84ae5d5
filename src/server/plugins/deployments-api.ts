import type { FastifyPluginAsync } from 'fastify';
import { TrackingClient } from '../../client/tracking-client.js';
import { notFound } from '../../errors.js';
import { Agent } from '../../lifecycle/agent.js';
import { RUN_TYPES } from '../../lifecycle/conventions.js';
import { inProduction } from '../../lifecycle/queries.js';
import { DEPLOYMENTS_ENDPOINTS, type DeploymentsService } from '../../protocol/deployments-api.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import type { Authorize } from '../access.js';
import { mlflowErrorHandler } from '../error-reply.js';
import { serveEndpoints } from './serve-endpoints.js';

/** Options of {@link deploymentsApi}. */
export interface DeploymentsApiOptions {
  /** The store the lifecycle reads (through a client of its own). The plugin never closes it. */
  store: TrackingStore;
  /** Decides per request, before the store is called; without it everything is allowed. */
  authorize?: Authorize | undefined;
  /** The clock that says which deployment is in production now (epoch ms); default `Date.now`. */
  now?: () => number;
}

/**
 * agentrack's deployments endpoint ({@link DEPLOYMENTS_ENDPOINTS}) under `/api/2.0/agentrack/`
 * and `/ajax-api/2.0/agentrack/`: an agent's deployment history as the lifecycle reads it
 * (`Agent.deploymentHistory()`, over a client on the server's store), with the deployment in
 * production now. Errors are MLflow's. Encapsulated.
 */
export const deploymentsApi: FastifyPluginAsync<DeploymentsApiOptions> = async (
  app,
  { store, authorize, now = Date.now },
) => {
  app.setErrorHandler(mlflowErrorHandler);
  serveEndpoints(app, {
    service: deploymentsService(store, now),
    endpoints: DEPLOYMENTS_ENDPOINTS,
    authorize,
  });
};

/** The lifecycle's deployment queries over `store`, one agent per call. */
export function deploymentsService(store: TrackingStore, now: () => number = Date.now): DeploymentsService {
  const client = new TrackingClient(store, { now });
  return {
    async agentDeployments(name) {
      // The agent's name is checked as a configuration checks it (400 for one it refuses).
      const agent = await Agent.open({ config: { agent: name }, client, now });
      const experiments = await Promise.all(
        RUN_TYPES.map((type) => client.getExperimentByName(agent.config.experiments[type])),
      );
      if (!experiments.some((experiment) => experiment?.lifecycle_stage === 'active')) {
        throw notFound(`No agent named '${name}': it has no experiment under '${agent.config.basePath}'.`);
      }
      const deployments = await agent.deploymentHistory();
      const production = inProduction(deployments, now());
      return {
        agent: name,
        deployments,
        ...(production ? { productionRunId: production.runId } : {}),
      };
    },
  };
}
