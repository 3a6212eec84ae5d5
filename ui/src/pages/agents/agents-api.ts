import { getJson } from '../../api/http.js';

/**
 * The answers of agentrack's agents endpoints (`src/protocol/agents-api.ts`), as the UI reads
 * them: the server's shapes (`src/lifecycle/agents-overview.ts`, `src/lifecycle/audit.ts`)
 * written out here, as the UI compiles without the server's Node code.
 */

/** The three lanes, in the order they are shown. */
export const LANES = ['development', 'evaluation', 'deployment'] as const;
/** One of {@link LANES}. */
export type Lane = (typeof LANES)[number];

/** A lane's newest run. */
export interface LaneRun {
  runId: string;
  runName: string;
  status: string;
  startTime: number;
}

/** One of an agent's experiments. */
export interface LaneOverview {
  experimentId: string;
  path: string;
  runCount: number | null;
  lastRun: LaneRun | null;
}

/** One agent at a glance. */
export interface AgentOverview {
  agent: string;
  lanes: Record<Lane, LaneOverview | null>;
  latestEvaluation: (LaneRun & { gate: string | null; deploymentCandidate: boolean }) | null;
  production: {
    runId: string;
    runName: string;
    modelVersion: string | null;
    since: number;
    registeredModel: string | null;
  } | null;
}

/** One violation an audit found. */
export interface AuditProblem {
  experimentId?: string;
  experimentPath?: string;
  runId?: string;
  runName?: string;
  tag?: string;
  message: string;
  fix: string;
}

/** One checklist item of an audit. */
export interface AuditItem {
  id: string;
  title: string;
  status: 'pass' | 'fail';
  unit: string;
  checked: number;
  passed: number;
  failed: number;
  problemCount: number;
  problems: AuditProblem[];
}

/** The audit of one agent. */
export interface AgentAudit {
  agent: string;
  ok: boolean;
  items: AuditItem[];
  runsAudited: number;
  durationMs: number;
}

const BASE = '/ajax-api/2.0/agentrack/';

/** Every agent with its lanes. */
export async function fetchAgents(signal?: AbortSignal): Promise<AgentOverview[]> {
  return (await getJson<{ agents?: AgentOverview[] }>(`${BASE}agents`, undefined, signal)).agents ?? [];
}

/** One agent's audit; an unknown agent is a 404 `ApiError`. */
export async function fetchAudit(agent: string, signal?: AbortSignal): Promise<AgentAudit> {
  return (await getJson<{ audit: AgentAudit }>(`${BASE}agents/audit`, { agent }, signal)).audit;
}

/** The query key of an agent's audit, shared by the agents page and the audit page. */
export function auditQueryKey(agent: string): readonly unknown[] {
  return ['agentrack', 'audit', agent];
}

/** The number of problems of a failing audit. */
export function problemTotal(report: AgentAudit): number {
  return report.items.reduce((n, item) => n + (item.status === 'fail' ? item.problemCount : 0), 0);
}
