import type { Assessment, TraceInfo } from '../../../../src/entities/traces.js';

export type { Assessment, TraceInfo };

/** Where MLflow 3's trace API is served for the web UI. */
export const TRACES_API = '/ajax-api/3.0/mlflow/traces';

/** The tag holding a trace's name (its root span's). */
export const TRACE_NAME_TAG = 'mlflow.traceName';

/** Tags the server adds for itself: not offered as columns. */
const HIDDEN_TAGS = new Set(['mlflow.artifactLocation']);

/** A protobuf duration (`"0.032s"`) in milliseconds; `undefined` when absent or unreadable. */
export function durationMs(duration: string | undefined): number | undefined {
  if (duration === undefined) return undefined;
  const match = /^(-?\d+(?:\.\d+)?)s$/.exec(duration.trim());
  return match ? Number(match[1]) * 1000 : undefined;
}

/** An RFC 3339 time in epoch milliseconds; `undefined` when absent or unreadable. */
export function epochMs(time: string | undefined): number | undefined {
  if (time === undefined) return undefined;
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The tag keys of the traces a user may show as columns, sorted. */
export function tagKeysOf(traces: readonly TraceInfo[]): string[] {
  const keys = new Set<string>();
  for (const trace of traces)
    for (const key of Object.keys(trace.tags ?? {})) if (!HIDDEN_TAGS.has(key)) keys.add(key);
  return [...keys].sort();
}

/** The names of the feedback found on the traces, sorted: one column each. */
export function assessmentNamesOf(traces: readonly TraceInfo[]): string[] {
  const names = new Set<string>();
  for (const trace of traces)
    for (const assessment of trace.assessments ?? [])
      if (assessment.feedback !== undefined) names.add(assessment.assessment_name);
  return [...names].sort();
}

/**
 * The feedback of that name that stands for a trace: the latest valid one on the trace
 * (an overridden assessment is `valid: false`).
 */
export function currentFeedback(trace: TraceInfo, name: string): Assessment | undefined {
  let found: Assessment | undefined;
  for (const assessment of trace.assessments ?? []) {
    if (assessment.assessment_name !== name || assessment.feedback === undefined) continue;
    if (assessment.valid === false) continue;
    if (found === undefined || assessment.last_update_time >= found.last_update_time) found = assessment;
  }
  return found;
}
