import type { Assessment, JsonValue, TraceInfo } from '../entities/index.js';
import type { SearchTracesInput } from '../store/trace-store.js';
import type { Page } from '../store/tracking-store.js';
import type { Threshold } from './agent-config.js';
import { TAGS } from './conventions.js';
import { satisfies, type GateResult, type GateVerdict } from './thresholds.js';

/** The assessment metadata key naming the run that logged it (what `mlflow.genai.evaluate` writes). */
export const ASSESSMENT_SOURCE_RUN_KEY = 'mlflow.assessment.sourceRunId';

/** MLflow's aggregate for which a single trace's value says nothing on its own side of the threshold. */
const SPREAD_AGGREGATES: ReadonlySet<string> = new Set(['variance']);

/** Longest value of a tag, as MLflow stores it. */
const MAX_TAG_VALUE_LENGTH = 8000;

/** What the gate reads a run's traces through: the client's trace API (`client.traces`). */
export interface GateTraceReader {
  searchTraces(input: SearchTracesInput): Promise<Page<TraceInfo>>;
  /** Infos with their assessments, up to 100 at once. */
  getTraceInfos(traceIds: readonly string[]): Promise<TraceInfo[]>;
}

/** How many trace infos one `getTraceInfos` call reads. */
const TRACE_INFO_BATCH = 100;

/** A trace of the run that failed a scorer: why, and the feedback that said so. */
export interface FailedTrace {
  trace_id: string;
  /** `error`: the scorer raised; `value`: its value is false, "no", or on the wrong side of the threshold. */
  reason: 'error' | 'value';
  /** The feedback's value (reason `value`). */
  value?: JsonValue;
  /** The scorer's error message (reason `error`). */
  error?: string;
}

/** How a scorer fared on a run's traces, for a threshold on one of its aggregates (`<scorer>/<aggregate>`). */
export interface ScorerTraces {
  /** The scorer's name: the assessment name of its feedback. */
  scorer: string;
  /** The aggregate the metric is (`mean`, `min`, `p90`, ...). */
  aggregate: string;
  /** How many traces of the run carry the scorer's feedback. */
  scored: number;
  /** Those that failed it, in search order (newest first). */
  failed: FailedTrace[];
}

/**
 * The traces of a run with their assessments: those `attribute.run_id = '<run>'` finds in the
 * run's experiment (linked through `mlflow.sourceRun` or `link-to-run`), as
 * `mlflow.search_traces(run_id=...)` finds them, newest first.
 */
export async function readRunTraces(
  reader: GateTraceReader,
  experimentId: string,
  runId: string,
): Promise<TraceInfo[]> {
  const found: TraceInfo[] = [];
  let pageToken: string | undefined;
  do {
    const page = await reader.searchTraces({
      experimentIds: [experimentId],
      filter: `attribute.run_id = '${runId}'`,
      maxResults: 100,
      ...(pageToken !== undefined ? { pageToken } : {}),
    });
    found.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined && pageToken !== '');
  // A search answers assessments (MLflow 3.3 does); a trace that came without any is read
  // again, in case the server left them out.
  const missing = found.filter((t) => t.assessments === undefined).map((t) => t.trace_id);
  const read = new Map<string, TraceInfo>();
  for (let i = 0; i < missing.length; i += TRACE_INFO_BATCH) {
    for (const info of await reader.getTraceInfos(missing.slice(i, i + TRACE_INFO_BATCH))) {
      read.set(info.trace_id, info);
    }
  }
  const infos: TraceInfo[] = [];
  for (const info of found) {
    // A trace deleted in between is left out.
    const full = info.assessments === undefined ? read.get(info.trace_id) : info;
    if (full !== undefined) infos.push(full);
  }
  return infos;
}

/** The scorer and aggregate a threshold's metric names (`<scorer>/<aggregate>`), or `undefined` without a `/`. */
export function scorerMetric(metric: string): { scorer: string; aggregate: string } | undefined {
  const slash = metric.lastIndexOf('/');
  if (slash <= 0 || slash === metric.length - 1) return undefined;
  return { scorer: metric.slice(0, slash), aggregate: metric.slice(slash + 1) };
}

/**
 * A feedback value as MLflow's aggregation counts it: a number as itself, a boolean as 1 or
 * 0, `"yes"` / `"no"` (any case) as 1 or 0; `undefined` for anything else (not aggregated).
 */
export function feedbackScore(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.toLowerCase();
    if (text === 'yes') return 1;
    if (text === 'no') return 0;
  }
  return undefined;
}

/**
 * How a scorer fared on each trace, for a threshold on `<scorer>/<aggregate>`. A trace is
 * scored when it has a valid (not overridden) feedback named `<scorer>` logged by this run
 * (its `mlflow.assessment.sourceRunId` is the run, or absent). It failed the scorer when one
 * such feedback carries an error, or when its value, counted as MLflow's aggregation counts it
 * (true and "yes" are 1, false and "no" are 0, numbers as they are), does not satisfy the
 * threshold's comparison on its own; for `variance` only errors fail a trace. `undefined`
 * when no trace has the scorer's feedback (the metric is not a scorer's aggregate).
 */
export function judgeScorer(
  threshold: Threshold,
  traces: readonly TraceInfo[],
  runId: string,
): ScorerTraces | undefined {
  const named = scorerMetric(threshold.metric);
  if (named === undefined) return undefined;
  const { scorer, aggregate } = named;
  let scored = 0;
  const failed: FailedTrace[] = [];
  for (const trace of traces) {
    const feedback = (trace.assessments ?? []).filter((a) => isScorerFeedback(a, scorer, runId));
    if (feedback.length === 0) continue;
    scored++;
    const failure = feedback
      .map((a) => failureOf(a, threshold, aggregate))
      .find((f): f is Omit<FailedTrace, 'trace_id'> => f !== undefined);
    if (failure !== undefined) failed.push({ trace_id: trace.trace_id, ...failure });
  }
  return scored === 0 ? undefined : { scorer, aggregate, scored, failed };
}

/** The verdict with each result on a scorer's aggregate naming the traces that failed the scorer. */
export function withScorerTraces(
  verdict: GateVerdict,
  traces: readonly TraceInfo[],
  runId: string,
): GateVerdict {
  return {
    ...verdict,
    results: verdict.results.map((result): GateResult => {
      const traceResult = judgeScorer(result.threshold, traces, runId);
      return traceResult === undefined ? result : { ...result, traces: traceResult };
    }),
  };
}

/**
 * The compact record of the failing traces, for the tag `agentrack.failed_traces`: JSON of
 * `{ "<metric>": { "failed": n, "scored": m, "traces": ["tr-...", ...] } }` per threshold on a
 * scorer's aggregate. Trace lists are shortened (the longest first) to fit a tag value; `failed`
 * keeps the full count. No tag when no threshold is on a scorer's aggregate.
 */
export function failedTracesTag(verdict: GateVerdict): Record<string, string> {
  const record: Record<string, { failed: number; scored: number; traces: string[] }> = {};
  for (const result of verdict.results) {
    if (result.traces === undefined) continue;
    const entry = record[result.threshold.metric];
    const ids = result.traces.failed.map((f) => f.trace_id);
    if (entry === undefined) {
      record[result.threshold.metric] = { failed: ids.length, scored: result.traces.scored, traces: ids };
    } else {
      // Two thresholds on one metric (a range): the traces failing either.
      const union = [...new Set([...entry.traces, ...ids])];
      record[result.threshold.metric] = { ...entry, failed: union.length, traces: union };
    }
  }
  const entries = Object.values(record);
  if (entries.length === 0) return {};
  let text = JSON.stringify(record);
  while (text.length > MAX_TAG_VALUE_LENGTH) {
    const longest = entries.reduce((a, b) => (b.traces.length > a.traces.length ? b : a));
    longest.traces.pop();
    text = JSON.stringify(record);
  }
  return { [TAGS.failedTraces]: text };
}

function isScorerFeedback(assessment: Assessment, scorer: string, runId: string): boolean {
  if (assessment.assessment_name !== scorer || assessment.feedback === undefined) return false;
  if (assessment.valid === false) return false;
  const source = assessment.metadata?.[ASSESSMENT_SOURCE_RUN_KEY];
  return source === undefined || source === runId;
}

function failureOf(
  assessment: Assessment,
  threshold: Threshold,
  aggregate: string,
): Omit<FailedTrace, 'trace_id'> | undefined {
  const feedback = assessment.feedback ?? {};
  if (feedback.error !== undefined) {
    return { reason: 'error', error: feedback.error.error_message ?? feedback.error.error_code ?? 'error' };
  }
  if (SPREAD_AGGREGATES.has(aggregate)) return undefined;
  const score = feedbackScore(feedback.value);
  if (score === undefined || satisfies(score, threshold)) return undefined;
  return { reason: 'value', value: feedback.value ?? null };
}
