import type { DeploymentRecord } from '../lifecycle/queries.js';
import { AgentrackError } from '../errors.js';
import type { Endpoint } from './endpoint.js';

/** Where agentrack serves the endpoints MLflow has none for: the API proper, and the copy its web UI calls. */
export const AGENTRACK_API_2 = ['/api/2.0/agentrack/', '/ajax-api/2.0/agentrack/'] as const;

/** An agent's deployment history, as the lifecycle reads it (`Agent.deploymentHistory()`). */
export interface AgentDeployments {
  /** The agent's name. */
  agent: string;
  /** Every deployment run, newest first, with its status history (rollbacks are its `rolled_back` changes). */
  deployments: DeploymentRecord[];
  /** The deployment in production now (the latest started whose status is `success`); absent when none is. */
  productionRunId?: string;
}

/** What the deployments endpoints call: the lifecycle's queries over the server's store. */
export interface DeploymentsService {
  /** The deployment history of `agent`; RESOURCE_DOES_NOT_EXIST when the agent has no experiment. */
  agentDeployments(agent: string): Promise<AgentDeployments>;
}

/**
 * `GET agents/deployments?agent=<name>`: the agent's deployment history as JSON
 * `{agent, deployments: [DeploymentRecord...], productionRunId?}`, the records as
 * `agentrack deployments --json` prints them. A missing `agent` is 400 INVALID_PARAMETER_VALUE,
 * an agent without experiments 404 RESOURCE_DOES_NOT_EXIST. Access control reads it as a read
 * of the agent's deployment experiment.
 */
export const AGENT_DEPLOYMENTS_ENDPOINT: Endpoint<DeploymentsService, 'agentDeployments'> = {
  name: 'agentDeployments',
  method: 'GET',
  path: 'agents/deployments',
  prefixes: AGENTRACK_API_2,
  write: false,
  idempotent: true,
  access: ([agent]) => ({ experimentName: `/Shared/${agent}/deployment` }),
  request: {
    kind: 'params',
    encode: ([agent]) => ({ agent }),
    decode: (params) => [params.requiredString('agent')],
  },
  response: {
    kind: 'json',
    encode: (result) => result,
    decode: (body) => {
      if (typeof body.agent !== 'string' || !Array.isArray(body.deployments)) {
        throw new AgentrackError('INTERNAL_ERROR', 'The answer carries no agent deployments.');
      }
      return body as unknown as AgentDeployments;
    },
  },
};

/** The deployments endpoints, served by `deploymentsApi`. */
export const DEPLOYMENTS_ENDPOINTS = [AGENT_DEPLOYMENTS_ENDPOINT] as const;
