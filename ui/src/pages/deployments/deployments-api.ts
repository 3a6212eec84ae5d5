import { getJson } from '../../api/http.js';

/** One entry of a deployment's status history. */
export interface StatusChangeJson {
  status: 'success' | 'failed' | 'rolled_back';
  /** Epoch milliseconds. */
  at: number;
  note?: string;
}

/** A deployment run as the lifecycle reads it (`DeploymentRecord` in src/lifecycle/queries.ts). */
export interface DeploymentJson {
  runId: string;
  runName: string;
  run: { info: { run_id: string; start_time: number; experiment_id: string } };
  modelVersion?: string;
  status?: StatusChangeJson['status'];
  history: StatusChangeJson[];
  sourceRunId?: string;
  sourceRunName?: string;
  forced: boolean;
}

/** The answer of `GET /ajax-api/2.0/agentrack/agents/deployments?agent=`. */
export interface AgentDeploymentsJson {
  agent: string;
  /** Newest first. */
  deployments: DeploymentJson[];
  productionRunId?: string;
}

/** An agent's deployment history, from agentrack's own endpoint. */
export function fetchAgentDeployments(agent: string, signal?: AbortSignal): Promise<AgentDeploymentsJson> {
  return getJson<AgentDeploymentsJson>('/ajax-api/2.0/agentrack/agents/deployments', { agent }, signal);
}

/** The status a deployment had at `time`, from its history. */
export function statusAt(record: DeploymentJson, time: number): StatusChangeJson['status'] | undefined {
  let status: StatusChangeJson['status'] | undefined;
  for (const change of [...record.history].sort((a, b) => a.at - b.at)) {
    if (change.at <= time) status = change.status;
  }
  return status;
}

/**
 * Of `records` (newest first), the one in production at `time`: the first started by then
 * whose status at that moment was `success` (the lifecycle's `inProduction`).
 */
export function inProductionAt(records: readonly DeploymentJson[], time: number): DeploymentJson | undefined {
  return records.find((r) => r.run.info.start_time <= time && statusAt(r, time) === 'success');
}

/** A period during which one deployment was in production; `end` undefined while it still is. */
export interface ProductionPeriod {
  deployment: DeploymentJson;
  start: number;
  end: number | undefined;
}

/** The periods in production, oldest first, from every moment a deployment started or changed status. */
export function productionPeriods(records: readonly DeploymentJson[]): ProductionPeriod[] {
  const times = [
    ...new Set(records.flatMap((r) => [r.run.info.start_time, ...r.history.map((h) => h.at)])),
  ].sort((a, b) => a - b);
  const periods: ProductionPeriod[] = [];
  for (const time of times) {
    const current = inProductionAt(records, time);
    const open = periods.at(-1);
    if (open && open.end === undefined) {
      if (open.deployment.runId === current?.runId) continue;
      open.end = time;
    }
    if (current) periods.push({ deployment: current, start: time, end: undefined });
  }
  return periods;
}

/** What one status change was, as the page names it. */
export type EventKind = 'deployed' | 'failed' | 'rolled_back' | 'redeployed';

/** One event of the history: a deployment's first status, or a later change of it. */
export interface DeploymentEvent {
  key: string;
  at: number;
  kind: EventKind;
  /** True for the deployment's first entry (the deployment itself), false for a later change. */
  initial: boolean;
  note?: string;
  deployment: DeploymentJson;
}

/** Every status change of every deployment, oldest first. */
export function deploymentEvents(records: readonly DeploymentJson[]): DeploymentEvent[] {
  return records
    .flatMap((deployment) =>
      [...deployment.history]
        .sort((a, b) => a.at - b.at)
        .map((change, i) => ({
          key: `${deployment.runId}:${i}`,
          at: change.at,
          kind: (change.status === 'success'
            ? i === 0
              ? 'deployed'
              : 'redeployed'
            : change.status) as EventKind,
          initial: i === 0,
          ...(change.note ? { note: change.note } : {}),
          deployment,
        })),
    )
    .sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}
