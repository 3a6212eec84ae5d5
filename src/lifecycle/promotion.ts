import type { Run } from '../entities/index.js';
import { AgentrackError, invalidParameter } from '../errors.js';
import { DEPLOYMENT_STATUSES, TAGS, type DeploymentStatus } from './conventions.js';
import { bindStatusChange } from './registry-binding.js';
import {
  deploymentRecord,
  latestEvaluation,
  statusHistory,
  tagOf,
  type DeploymentRecord,
  type LifecycleContext,
  type StatusChange,
} from './queries.js';

/** Where a deployment comes from: the evaluation run it promotes, and whether it was forced. */
export interface PromotionSource {
  /** The evaluation run, when there is one. */
  run?: Run;
  /** True when the deployment goes ahead without a passing evaluation run. */
  forced: boolean;
  /** Why the source did not qualify, for forced deployments. */
  reason?: string;
}

/** Options of a promotion: the evaluation run to promote (default: the latest candidate), or force. */
export interface PromotionOptions {
  evaluationRunId?: string;
  force?: boolean;
}

/** Why an evaluation run cannot be promoted, or `undefined` when it can. */
export function disqualification(run: Run, evaluationExperimentId: string): string | undefined {
  const name = `${run.info.run_name} (${run.info.run_id})`;
  if (run.info.experiment_id !== evaluationExperimentId) {
    return `run ${name} is not in the agent's evaluation experiment`;
  }
  if (run.info.lifecycle_stage !== 'active') return `run ${name} is deleted`;
  if (run.info.status !== 'FINISHED') return `run ${name} is ${run.info.status}, not FINISHED`;
  if (tagOf(run, TAGS.deploymentCandidate) !== 'true') {
    const gate = tagOf(run, TAGS.gateStatus);
    return `run ${name} is not a deployment candidate (gate ${gate ?? 'not recorded'})`;
  }
  return undefined;
}

/**
 * Finds the evaluation run a deployment promotes: the one named, or the latest passing
 * candidate. Without one it refuses with INVALID_STATE, unless `force` is set.
 */
export async function resolvePromotionSource(
  ctx: LifecycleContext,
  options: PromotionOptions,
): Promise<PromotionSource> {
  const evaluationExperimentId = await ctx.experimentId('evaluation');
  if (options.evaluationRunId !== undefined) {
    const run = await ctx.client.getRun(options.evaluationRunId);
    const reason = disqualification(run, evaluationExperimentId);
    if (reason === undefined) return { run, forced: false };
    if (options.force) return { run, forced: true, reason };
    throw new AgentrackError(
      'INVALID_STATE',
      `Refusing to deploy: ${reason}. Deploy a passing evaluation run, or force the deployment.`,
    );
  }
  const run = await latestEvaluation(ctx, { candidatesOnly: true });
  if (run) return { run, forced: false };
  const reason = `the agent '${ctx.config.agent}' has no finished evaluation run that passed its gate`;
  if (options.force) return { forced: true, reason };
  throw new AgentrackError(
    'INVALID_STATE',
    `Refusing to deploy: ${reason}. Run an evaluation that meets its thresholds first, or force the deployment.`,
  );
}

/** The record of the gate verdict and the metrics that passed it, as stored on the deployment run. */
export function promotionRecord(source: PromotionSource): Record<string, unknown> {
  const run = source.run;
  const checks: Record<string, string> = {};
  const metrics: Record<string, number | string> = {};
  for (const tag of run?.data.tags ?? []) {
    if (!tag.key.startsWith(TAGS.gatePrefix) || tag.key === TAGS.gateStatus) continue;
    const metric = tag.key.slice(TAGS.gatePrefix.length);
    checks[metric] = tag.value;
    const value = run?.data.metrics?.find((m) => m.key === metric)?.value;
    if (value !== undefined) metrics[metric] = Number.isFinite(value) ? value : String(value);
  }
  return {
    evaluation_run_id: run?.info.run_id ?? null,
    evaluation_run_name: run?.info.run_name ?? null,
    gate: run ? (tagOf(run, TAGS.gateStatus) ?? 'not recorded') : 'no evaluation run',
    checks,
    metrics,
    forced: source.forced,
    ...(source.reason ? { reason: source.reason } : {}),
  };
}

/** The lineage tags of a deployment run promoted from `source`. */
export function promotionTags(source: PromotionSource): Record<string, string> {
  const tags: Record<string, string> = { [TAGS.promotion]: JSON.stringify(promotionRecord(source)) };
  if (source.run) {
    tags[TAGS.sourceRunId] = source.run.info.run_id;
    tags[TAGS.sourceRunName] = source.run.info.run_name;
  }
  if (source.forced) tags[TAGS.forced] = 'true';
  return tags;
}

/** Checks a deployment status given by a caller. */
export function toDeploymentStatus(value: string): DeploymentStatus {
  if ((DEPLOYMENT_STATUSES as readonly string[]).includes(value)) return value as DeploymentStatus;
  throw invalidParameter(
    `Invalid deployment status '${value}': expected one of ${DEPLOYMENT_STATUSES.join(', ')}.`,
  );
}

/** The tags that record a deployment status change, the earlier history kept. */
export function statusTags(history: readonly StatusChange[], change: StatusChange): Record<string, string> {
  return {
    [TAGS.deploymentStatus]: change.status,
    [TAGS.statusHistory]: JSON.stringify([...history, change]),
  };
}

/**
 * Changes a deployment's status after the fact (e.g. a rollback), keeping every earlier
 * status in its history, so "which version was in production at time T" stays answerable.
 * With a registered model configured, the production alias follows first (see
 * {@link bindStatusChange}) and the change's note says where it went.
 */
export async function setDeploymentStatus(
  ctx: LifecycleContext,
  runId: string,
  status: DeploymentStatus | string,
  options: { note?: string; at?: number } = {},
): Promise<DeploymentRecord> {
  const checked = toDeploymentStatus(status);
  const run = await ctx.client.getRun(runId);
  if (run.info.experiment_id !== (await ctx.findExperimentId('deployment'))) {
    throw invalidParameter(
      `Run ${run.info.run_name} (${runId}) is not in the agent's deployment experiment '${ctx.config.experiments.deployment}'.`,
    );
  }
  const at = options.at ?? ctx.now();
  const aliasNote = await bindStatusChange(ctx, run, { status: checked, at });
  const note = [options.note, aliasNote].filter((n) => n !== undefined && n !== '').join('; ');
  const change: StatusChange = { status: checked, at, ...(note ? { note } : {}) };
  const tags = statusTags(statusHistory(run), change);
  await ctx.client.logBatch(runId, { tags });
  return deploymentRecord(await ctx.client.getRun(runId));
}
