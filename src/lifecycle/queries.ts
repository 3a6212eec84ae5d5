import type { TrackingClient } from '../client/tracking-client.js';
import type { Run } from '../entities/index.js';
import { invalidParameter } from '../errors.js';
import type { AgentConfig } from './agent-config.js';
import { DEPLOYMENT_STATUSES, RUN_TYPES, TAGS, type DeploymentStatus, type RunType } from './conventions.js';

/** What the queries need: a client, the configuration and the agent's experiment ids. */
export interface LifecycleContext {
  readonly client: TrackingClient;
  readonly config: AgentConfig;
  /** The id of the experiment of a run type (created on first use). */
  experimentId(runType: RunType): Promise<string>;
  /** The id of the active experiment of a run type, without creating it: `undefined` when there is none. */
  findExperimentId(runType: RunType): Promise<string | undefined>;
  /** The clock, in epoch milliseconds. */
  now(): number;
}

/** One entry of a deployment's status history. */
export interface StatusChange {
  status: DeploymentStatus;
  /** Epoch milliseconds. */
  at: number;
  note?: string;
}

/** A deployment run, with its conventions' tags read out. */
export interface DeploymentRecord {
  run: Run;
  runId: string;
  runName: string;
  modelVersion: string | undefined;
  status: DeploymentStatus | undefined;
  /** Every status the deployment has had, oldest first. */
  history: StatusChange[];
  sourceRunId: string | undefined;
  sourceRunName: string | undefined;
  forced: boolean;
}

/** The value of a run's tag, if it has it. */
export function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}

/** A string literal for a filter, in whichever quotes the value does not contain. */
export function quote(value: string, field: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw invalidParameter(`${field} '${value}' cannot contain both single and double quotes.`);
}

/** Parses a deployment run's status history tag; a run without one has its current status as history. */
export function statusHistory(run: Run): StatusChange[] {
  const raw = tagOf(run, TAGS.statusHistory);
  if (raw !== undefined) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) {
        return parsed.filter(
          (e): e is StatusChange =>
            typeof e === 'object' &&
            e !== null &&
            (DEPLOYMENT_STATUSES as readonly unknown[]).includes((e as StatusChange).status) &&
            typeof (e as StatusChange).at === 'number',
        );
      }
    } catch {
      // A hand-edited, unreadable history falls back to the current status below.
    }
  }
  const status = tagOf(run, TAGS.deploymentStatus);
  return (DEPLOYMENT_STATUSES as readonly string[]).includes(status ?? '')
    ? [{ status: status as DeploymentStatus, at: run.info.start_time }]
    : [];
}

/** Reads a deployment run's conventions. */
export function deploymentRecord(run: Run): DeploymentRecord {
  const status = tagOf(run, TAGS.deploymentStatus);
  return {
    run,
    runId: run.info.run_id,
    runName: run.info.run_name,
    modelVersion: tagOf(run, TAGS.modelVersion),
    status: (DEPLOYMENT_STATUSES as readonly string[]).includes(status ?? '')
      ? (status as DeploymentStatus)
      : undefined,
    history: statusHistory(run),
    sourceRunId: tagOf(run, TAGS.sourceRunId),
    sourceRunName: tagOf(run, TAGS.sourceRunName),
    forced: tagOf(run, TAGS.forced) === 'true',
  };
}

async function collect(ctx: LifecycleContext, runType: RunType, filter: string): Promise<Run[]> {
  const experimentId = await ctx.findExperimentId(runType);
  const runs: Run[] = [];
  if (experimentId === undefined) return runs;
  for await (const run of ctx.client.iterateRuns({
    experimentIds: [experimentId],
    filter,
    orderBy: ['start_time DESC'],
    maxResults: 1000,
  })) {
    runs.push(run);
  }
  return runs;
}

/**
 * The latest evaluation run of the agent (by start time), or only the latest one that
 * passed its gate (`candidatesOnly`), or `null`.
 */
export async function latestEvaluation(
  ctx: LifecycleContext,
  options: { candidatesOnly?: boolean } = {},
): Promise<Run | null> {
  const filter = options.candidatesOnly
    ? `tags.${TAGS.runType} = 'evaluation' AND tags.${TAGS.deploymentCandidate} = 'true' AND attributes.status = 'FINISHED'`
    : `tags.${TAGS.runType} = 'evaluation'`;
  const experimentId = await ctx.findExperimentId('evaluation');
  if (experimentId === undefined) return null;
  const page = await ctx.client.searchRuns({
    experimentIds: [experimentId],
    filter,
    orderBy: ['start_time DESC'],
    maxResults: 1,
  });
  return page.items[0] ?? null;
}

/** The deployment runs of one model version, newest first. */
export async function deploymentsOf(
  ctx: LifecycleContext,
  modelVersion: string,
): Promise<DeploymentRecord[]> {
  const runs = await collect(
    ctx,
    'deployment',
    `tags.${TAGS.modelVersion} = ${quote(modelVersion, 'model version')}`,
  );
  return runs.map(deploymentRecord);
}

/** Every deployment of the agent, newest first, with its status history. */
export async function deploymentHistory(ctx: LifecycleContext): Promise<DeploymentRecord[]> {
  return (await collect(ctx, 'deployment', '')).map(deploymentRecord);
}

/** The status a deployment had at `time` (epoch ms), from its history. */
export function statusAt(record: DeploymentRecord, time: number): DeploymentStatus | undefined {
  let status: DeploymentStatus | undefined;
  for (const change of [...record.history].sort((a, b) => a.at - b.at)) {
    if (change.at <= time) status = change.status;
  }
  return status;
}

/**
 * The deployment that was in production at `time`: the latest deployment started by then
 * whose status at that moment was `success`. A later failed or rolled-back deployment does
 * not displace the one before it.
 */
export async function productionAt(ctx: LifecycleContext, time: number): Promise<DeploymentRecord | null> {
  const deployments = await collect(ctx, 'deployment', `attributes.start_time <= ${Math.floor(time)}`);
  return inProduction(deployments.map(deploymentRecord), time);
}

/**
 * Of `records` (newest first), the one in production at `time`: the first started by then
 * whose status at that moment was `success`; `null` when there is none.
 */
export function inProduction(records: readonly DeploymentRecord[], time: number): DeploymentRecord | null {
  for (const record of records) {
    if (record.run.info.start_time <= time && statusAt(record, time) === 'success') return record;
  }
  return null;
}

/** The deployment in production now. */
export function currentDeployment(ctx: LifecycleContext): Promise<DeploymentRecord | null> {
  return productionAt(ctx, ctx.now());
}

/** Options of {@link allRuns}. */
export interface AllRunsOptions {
  filter?: string;
  orderBy?: readonly string[];
  /** At most this many runs; default all. */
  maxResults?: number;
}

/** Every run of the agent across its three experiments (newest first), in one search. */
export async function allRuns(ctx: LifecycleContext, options: AllRunsOptions = {}): Promise<Run[]> {
  const ids = await Promise.all(RUN_TYPES.map((type) => ctx.findExperimentId(type)));
  const experimentIds = ids.filter((id): id is string => id !== undefined);
  const limit = options.maxResults ?? Number.POSITIVE_INFINITY;
  const runs: Run[] = [];
  if (experimentIds.length === 0 || limit <= 0) return runs;
  for await (const run of ctx.client.iterateRuns({
    experimentIds,
    ...(options.filter ? { filter: options.filter } : {}),
    orderBy: options.orderBy ?? ['start_time DESC'],
    maxResults: Math.min(1000, limit),
  })) {
    runs.push(run);
    if (runs.length >= limit) break;
  }
  return runs;
}
