/**
 * The health monitor agent: given a service's metrics snapshot, it answers healthy, degraded or
 * down with a one-line explanation. A stand-in for an LLM agent: deterministic, offline, and the
 * prompt template it is "run" with changes what it looks at and how much it writes.
 */

/** A service's health signals at one moment, as the monitoring system reports them. */
export interface MetricsSnapshot {
  service: string;
  /** 95th-percentile request latency, in milliseconds. */
  latencyP95Ms: number;
  /** Share of requests that failed, 0 to 1. */
  errorRate: number;
  /** Share of capacity in use (CPU, connections, queue), 0 to 1. */
  saturation: number;
}

/** The verdicts the agent can give. */
export const HEALTH_STATUSES = ['healthy', 'degraded', 'down'] as const;
/** One of {@link HEALTH_STATUSES}. */
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/**
 * The prompt templates: `v1` asks about errors only, `v2` walks a checklist of the three
 * signals, `v3` adds step-by-step reasoning to v2's checklist (more accurate, slower).
 */
export const PROMPT_TEMPLATES = ['v1', 'v2', 'v3'] as const;
/** One of {@link PROMPT_TEMPLATES}. */
export type PromptTemplate = (typeof PROMPT_TEMPLATES)[number];

/** The model the agent runs on (simulated). */
export const MODEL = 'health-sim-small';

/** The agent's answer for one snapshot. */
export interface Assessment {
  status: HealthStatus;
  explanation: string;
}

/** The limits each template's checklist applies; `v1` only knows about errors. */
const LIMITS: Readonly<
  Record<PromptTemplate, { degradedLatencyMs: number; downLatencyMs: number; saturation: number }>
> = {
  v1: { degradedLatencyMs: Infinity, downLatencyMs: Infinity, saturation: Infinity },
  v2: { degradedLatencyMs: 1000, downLatencyMs: 5000, saturation: 0.95 },
  v3: { degradedLatencyMs: 1000, downLatencyMs: 5000, saturation: 0.9 },
};

const DEGRADED_ERROR_RATE = 0.05;
const DOWN_ERROR_RATE = 0.5;

/** The simulated cost of a template's prompt, before the first output token. */
const PROMPT_OVERHEAD_MS: Readonly<Record<PromptTemplate, number>> = { v1: 220, v2: 380, v3: 520 };
const MS_PER_OUTPUT_TOKEN = 9;

/**
 * Assesses one snapshot with a prompt template.
 *
 * @example assess({ service: 'checkout', latencyP95Ms: 140, errorRate: 0.62, saturation: 0.4 }, 'v2').status // 'down'
 */
export function assess(snapshot: MetricsSnapshot, promptTemplate: PromptTemplate): Assessment {
  const limits = LIMITS[promptTemplate];
  const down: string[] = [];
  const degraded: string[] = [];
  const errors = `error rate ${percent(snapshot.errorRate, 1)}`;
  const latency = `p95 latency ${Math.round(snapshot.latencyP95Ms)} ms`;
  const saturation = `saturation ${percent(snapshot.saturation, 0)}`;

  if (snapshot.errorRate >= DOWN_ERROR_RATE) down.push(`${errors} (limit ${percent(DOWN_ERROR_RATE, 0)})`);
  else if (snapshot.errorRate >= DEGRADED_ERROR_RATE)
    degraded.push(`${errors} (limit ${percent(DEGRADED_ERROR_RATE, 0)})`);
  if (snapshot.latencyP95Ms >= limits.downLatencyMs) down.push(`${latency}: requests time out`);
  else if (snapshot.latencyP95Ms >= limits.degradedLatencyMs)
    degraded.push(`${latency} (limit ${limits.degradedLatencyMs} ms)`);
  if (snapshot.saturation >= limits.saturation)
    degraded.push(`${saturation} (limit ${percent(limits.saturation, 0)})`);

  const status: HealthStatus = down.length > 0 ? 'down' : degraded.length > 0 ? 'degraded' : 'healthy';
  const findings = [...down, ...degraded];
  let explanation =
    promptTemplate === 'v1'
      ? `${snapshot.service}: ${status}, ${errors}`
      : `${snapshot.service}: ${status}: ${
          findings.length > 0
            ? findings.join('; ')
            : `all signals normal (${errors}, ${latency}, ${saturation})`
        }`;
  if (promptTemplate === 'v3') {
    explanation +=
      '. Reasoning: checked errors against the 5% and 50% limits, latency against the' +
      ' 1000 ms and 5000 ms limits and saturation against 90%; the worst signal decides.';
  }
  return { status, explanation };
}

/**
 * How long the answer would take on the simulated model: the prompt's overhead plus the
 * output tokens. Computed, not timed, so that evaluation results are reproducible.
 */
export function simulatedLatencyMs(promptTemplate: PromptTemplate, assessment: Assessment): number {
  const outputTokens = Math.ceil(assessment.explanation.length / 4);
  return PROMPT_OVERHEAD_MS[promptTemplate] + outputTokens * MS_PER_OUTPUT_TOKEN;
}

/** Checks a prompt template name, e.g. from an environment variable. */
export function toPromptTemplate(value: string): PromptTemplate {
  if ((PROMPT_TEMPLATES as readonly string[]).includes(value)) return value as PromptTemplate;
  throw new Error(`unknown prompt template '${value}': use one of ${PROMPT_TEMPLATES.join(', ')}`);
}

function percent(share: number, digits: number): string {
  return `${(share * 100).toFixed(digits)}%`;
}
