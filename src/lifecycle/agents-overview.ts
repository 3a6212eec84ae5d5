import type { TrackingClient } from '../client/tracking-client.js';
import type { Experiment, Run, RunStatus } from '../entities/index.js';
import { isAgentrackError, notFound } from '../errors.js';
import { audit, type AuditReport } from './audit.js';
import { resolveConfig } from './config.js';
import { RUN_TYPES, TAGS, type RunType } from './conventions.js';
import { deploymentRecord, quote, statusAt, tagOf, type DeploymentRecord } from './queries.js';

/** The newest run of a lane, as the overview shows it. */
export interface LaneRun {
  runId: string;
  runName: string;
  status: RunStatus;
  /** Epoch milliseconds. */
  startTime: number;
}

/** One of an agent's three experiments. */
export interface LaneOverview {
  experimentId: string;
  path: string;
  /** Active runs; `null` when the backend cannot count (a remote MLflow server). */
  runCount: number | null;
  lastRun: LaneRun | null;
}

/** The newest evaluation run's gate. */
export interface EvaluationVerdict extends LaneRun {
  /** The run's `agentrack.gate` tag: `passed`, `failed`, `none` (no thresholds); `null` when it has none. */
  gate: string | null;
  /** Its `deployment_candidate` tag is `true`. */
  deploymentCandidate: boolean;
}

/** The deployment in production now. */
export interface ProductionOverview {
  runId: string;
  runName: string;
  modelVersion: string | null;
  /** When its status last became `success` (epoch milliseconds). */
  since: number;
  /** The registered model the version belongs to, when deployments are bound to one. */
  registeredModel: string | null;
}

/** One agent at a glance. */
export interface AgentOverview {
  agent: string;
  /** Each lane's experiment; `null` when it does not exist. */
  lanes: Record<RunType, LaneOverview | null>;
  latestEvaluation: EvaluationVerdict | null;
  production: ProductionOverview | null;
}

/** The audit of one agent, as `agentrack audit` makes it. */
export interface AgentAudit extends AuditReport {
  agent: string;
}

/** Options of {@link listAgents} and {@link auditAgent}. */
export interface AgentsOverviewOptions {
  /** The clock (epoch ms) deciding what is in production; default `Date.now`. */
  now?: () => number;
  /** Stops {@link auditAgent} before its next page of runs (see `AuditOptions.signal`). */
  signal?: AbortSignal;
}

/** An agent's experiments, found in the store. */
type AgentExperiments = Map<RunType, Experiment>;

const LANE_PATH = /^\/Shared\/([^/]+)\/(development|evaluation|deployment)$/;

/**
 * Every agent of the store, each with its three lanes: found from the experiments'
 * `agent_name` and `run_type` tags (set by `Agent.ensureExperiments`) and from the
 * conventional paths `/Shared/<agent>/<lane>`. Per lane one count and one search of one run,
 * so that it stays fast however many runs a lane has. Sorted by agent name.
 */
export async function listAgents(
  client: TrackingClient,
  options: AgentsOverviewOptions = {},
): Promise<AgentOverview[]> {
  const now = (options.now ?? Date.now)();
  const agents = await findAgents(client);
  const names = [...agents.keys()].sort((a, b) => a.localeCompare(b));
  return Promise.all(
    names.map((name) => overviewOf(client, name, agents.get(name) as AgentExperiments, now)),
  );
}

/**
 * The lifecycle audit of one agent found as {@link listAgents} finds them, over its
 * experiments, with the registered model its deployments are bound to when one is recorded.
 * RESOURCE_DOES_NOT_EXIST for an agent the store has no experiment of.
 */
export async function auditAgent(
  client: TrackingClient,
  agent: string,
  options: AgentsOverviewOptions = {},
): Promise<AgentAudit> {
  const experiments = (await findAgents(client)).get(agent);
  if (experiments === undefined) {
    throw notFound(
      `No agent named '${agent}': no experiment is tagged agent_name=${agent} or under /Shared/${agent}/.`,
    );
  }
  const now = options.now ?? Date.now;
  const paths: Partial<Record<RunType, string>> = {};
  for (const [runType, experiment] of experiments) paths[runType] = experiment.name;
  const production = await productionOf(client, experiments.get('deployment'), now());
  const registeredModel = await registeredModelOf(client, experiments.get('evaluation'), production);
  const config = resolveConfig({
    agent,
    experiments: paths,
    ...(registeredModel !== null ? { registeredModel } : {}),
  });
  return {
    agent,
    ...(await audit(client, config, { now, ...(options.signal ? { signal: options.signal } : {}) })),
  };
}

/** The active experiments of every agent, by agent and lane. */
async function findAgents(client: TrackingClient): Promise<Map<string, AgentExperiments>> {
  const agents = new Map<string, AgentExperiments>();
  for await (const page of client.searchExperimentsPages({ viewType: 'ACTIVE_ONLY', maxResults: 1000 })) {
    for (const experiment of page.items) {
      const lane = laneOf(experiment);
      if (lane === undefined) continue;
      const lanes = agents.get(lane.agent) ?? new Map<RunType, Experiment>();
      const held = lanes.get(lane.runType);
      // Two experiments claiming one lane: the conventional path wins, else the older one.
      if (
        held === undefined ||
        (!isConventional(held, lane.agent) && isConventional(experiment, lane.agent))
      ) {
        lanes.set(lane.runType, experiment);
      }
      agents.set(lane.agent, lanes);
    }
  }
  return agents;
}

function laneOf(experiment: Experiment): { agent: string; runType: RunType } | undefined {
  const tags = new Map((experiment.tags ?? []).map((t) => [t.key, t.value]));
  const tagged = tags.get(TAGS.agentName)?.trim();
  const byPath = LANE_PATH.exec(experiment.name);
  const runType = [tags.get(TAGS.runType), byPath?.[2], experiment.name.split('/').pop()].find(isRunType);
  const agent = tagged || byPath?.[1];
  return agent && runType ? { agent, runType } : undefined;
}

function isConventional(experiment: Experiment, agent: string): boolean {
  const match = LANE_PATH.exec(experiment.name);
  return match?.[1] === agent;
}

function isRunType(value: string | undefined): value is RunType {
  return (RUN_TYPES as readonly (string | undefined)[]).includes(value);
}

async function overviewOf(
  client: TrackingClient,
  agent: string,
  experiments: AgentExperiments,
  now: number,
): Promise<AgentOverview> {
  const [development, evaluation, deployment, latestEvaluation, production] = await Promise.all([
    laneOverview(client, experiments.get('development')),
    laneOverview(client, experiments.get('evaluation')),
    laneOverview(client, experiments.get('deployment')),
    verdictOf(client, experiments.get('evaluation')),
    productionOf(client, experiments.get('deployment'), now),
  ]);
  return {
    agent,
    lanes: { development, evaluation, deployment },
    latestEvaluation,
    production:
      production === null
        ? null
        : {
            runId: production.record.runId,
            runName: production.record.runName,
            modelVersion: production.record.modelVersion ?? null,
            since: production.since,
            registeredModel: await registeredModelOf(client, experiments.get('evaluation'), production),
          },
  };
}

async function laneOverview(
  client: TrackingClient,
  experiment: Experiment | undefined,
): Promise<LaneOverview | null> {
  if (experiment === undefined) return null;
  const id = experiment.experiment_id;
  const [runCount, newest] = await Promise.all([
    client.countRuns(id).catch((error: unknown) => {
      if (isAgentrackError(error, 'NOT_IMPLEMENTED')) return null;
      throw error;
    }),
    client.searchRuns({ experimentIds: [id], orderBy: ['start_time DESC'], maxResults: 1 }),
  ]);
  const run = newest.items[0];
  return { experimentId: id, path: experiment.name, runCount, lastRun: run ? laneRun(run) : null };
}

function laneRun(run: Run): LaneRun {
  return {
    runId: run.info.run_id,
    runName: run.info.run_name,
    status: run.info.status,
    startTime: run.info.start_time,
  };
}

/** The newest evaluation run's verdict, as `Agent.latestEvaluation()` finds that run. */
async function verdictOf(
  client: TrackingClient,
  experiment: Experiment | undefined,
): Promise<EvaluationVerdict | null> {
  if (experiment === undefined) return null;
  const page = await client.searchRuns({
    experimentIds: [experiment.experiment_id],
    filter: `tags.${TAGS.runType} = 'evaluation'`,
    orderBy: ['start_time DESC'],
    maxResults: 1,
  });
  const run = page.items[0];
  if (run === undefined) return null;
  return {
    ...laneRun(run),
    gate: tagOf(run, TAGS.gateStatus) ?? null,
    deploymentCandidate: tagOf(run, TAGS.deploymentCandidate) === 'true',
  };
}

interface InProduction {
  record: DeploymentRecord;
  since: number;
}

/**
 * The deployment in production at `now`, as `Agent.currentDeployment()` decides it (the newest
 * deployment started by then whose status then was `success`), reading deployments newest first
 * and stopping at that one.
 */
async function productionOf(
  client: TrackingClient,
  experiment: Experiment | undefined,
  now: number,
): Promise<InProduction | null> {
  if (experiment === undefined) return null;
  for await (const run of client.iterateRuns({
    experimentIds: [experiment.experiment_id],
    filter: `attributes.start_time <= ${Math.floor(now)}`,
    orderBy: ['start_time DESC'],
    maxResults: 100,
  })) {
    const record = deploymentRecord(run);
    if (statusAt(record, now) !== 'success') continue;
    const successes = record.history.filter((c) => c.status === 'success' && c.at <= now);
    const since = Math.max(run.info.start_time, ...successes.map((c) => c.at));
    return { record, since };
  }
  return null;
}

/**
 * The registered model deployments are bound to: the one the deployment's source evaluation run
 * registered its version in, else the one the newest registering evaluation run names.
 */
async function registeredModelOf(
  client: TrackingClient,
  evaluation: Experiment | undefined,
  production: InProduction | null,
): Promise<string | null> {
  const sourceRunId = production?.record.sourceRunId;
  if (sourceRunId !== undefined) {
    try {
      const named = tagOf(await client.getRun(sourceRunId), TAGS.registeredModel);
      if (named) return named;
    } catch (error) {
      if (!isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) throw error;
    }
  }
  if (evaluation === undefined) return null;
  const page = await client.searchRuns({
    experimentIds: [evaluation.experiment_id],
    filter: `tags.\`${TAGS.registeredModel}\` LIKE ${quote('%', 'pattern')}`,
    orderBy: ['start_time DESC'],
    maxResults: 1,
  });
  const run = page.items[0];
  return (run && tagOf(run, TAGS.registeredModel)) || null;
}
