import { invalidParameter, isAgentrackError } from '../errors.js';
import { MAX_ENTITY_KEY_LENGTH, validateMetricKey } from '../validation/index.js';
import { THRESHOLD_COMPARATORS, type Threshold, type ThresholdComparator } from './agent-config.js';
import { TAGS } from './conventions.js';
import type { ScorerTraces } from './scorer-traces.js';

/** How one threshold fared against a run's latest metrics. */
export interface GateResult {
  threshold: Threshold;
  /** The metric's latest value; absent when the run has no such metric. */
  observed?: number;
  passed: boolean;
  /** Why a threshold failed without a comparison: no such metric, or its value is NaN. */
  reason?: 'missing' | 'nan';
  /**
   * On a scorer's aggregate (`<scorer>/<aggregate>`, as `mlflow.genai.evaluate` logs them): the
   * run's traces that scorer judged, and those that failed it.
   */
  traces?: ScorerTraces;
}

/** The verdict of an evaluation gate: `none` when there are no thresholds to pass. */
export interface GateVerdict {
  status: 'passed' | 'failed' | 'none';
  results: GateResult[];
}

/** Characters a threshold's metric name may hold (a subset of MLflow's metric key characters). */
export const THRESHOLD_METRIC_PATTERN = /^[A-Za-z0-9_./:-]+$/;

/** Longest metric name a threshold accepts: its gate tag `agentrack.gate.<metric>` must be a valid tag key. */
export const MAX_THRESHOLD_METRIC_LENGTH = MAX_ENTITY_KEY_LENGTH - TAGS.gatePrefix.length;

const COMPARATOR_LIST = THRESHOLD_COMPARATORS.join(', ');
const COMPARATOR_CHARACTERS = /[<>=!]+/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const THRESHOLD_KEYS = ['metric', 'comparator', 'value'] as const;

const COMPARE: Record<ThresholdComparator, (observed: number, bound: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
};

/**
 * Parses a threshold written as text: a metric name, a comparator among
 * {@link THRESHOLD_COMPARATORS} and a finite number, spaces optional. Errors name `field`.
 *
 * @example parseThreshold('latency_p95_ms<=800') // { metric: 'latency_p95_ms', comparator: '<=', value: 800 }
 */
export function parseThreshold(text: string, field = 'threshold'): Threshold {
  if (typeof text !== 'string') {
    throw invalidParameter(`${field}: must be a string like 'accuracy >= 0.9', got ${typeof text}`);
  }
  const found = COMPARATOR_CHARACTERS.exec(text);
  if (found === null) {
    throw invalidParameter(`${field}: missing comparator in '${text}' (use ${COMPARATOR_LIST})`);
  }
  const comparator = found[0];
  const metric = text.slice(0, found.index).trim();
  const valueText = text.slice(found.index + comparator.length).trim();
  if (comparator === '=') {
    throw invalidParameter(`${field}: '=' in '${text}' is not a comparator; write '==' to test equality`);
  }
  if (!isComparator(comparator)) {
    throw invalidParameter(
      `${field}: unknown comparator '${comparator}' in '${text}' (use ${COMPARATOR_LIST})`,
    );
  }
  if (valueText === '') throw invalidParameter(`${field}: missing number after '${comparator}' in '${text}'`);
  if (!NUMBER.test(valueText)) {
    throw invalidParameter(`${field}: '${valueText}' in '${text}' is not a number`);
  }
  return {
    metric: checkMetric(metric, field, text),
    comparator,
    value: checkValue(Number(valueText), field),
  };
}

/**
 * The text form of a threshold, which {@link parseThreshold} reads back to the same threshold.
 *
 * @example formatThreshold({ metric: 'accuracy', comparator: '>=', value: 0.9 }) // 'accuracy >= 0.9'
 */
export function formatThreshold(threshold: Threshold): string {
  return `${threshold.metric} ${threshold.comparator} ${String(threshold.value)}`;
}

/**
 * Checks a list of thresholds given as text or objects and returns them as fresh objects.
 * A later threshold on the same metric and comparator replaces an earlier one. Errors name
 * the item (`thresholds[1]: ...`).
 */
export function normalizeThresholds(
  list: ReadonlyArray<string | Threshold>,
  field = 'thresholds',
): Threshold[] {
  if (!Array.isArray(list)) {
    throw invalidParameter(`${field}: must be a list of thresholds like ["accuracy >= 0.9"]`);
  }
  const byKey = new Map<string, Threshold>();
  list.forEach((item: unknown, index) => {
    const threshold = toThreshold(item, `${field}[${index}]`);
    const key = `${threshold.metric}\u0000${threshold.comparator}`;
    byKey.delete(key);
    byKey.set(key, threshold);
  });
  return [...byKey.values()];
}

/**
 * The thresholds of one evaluation: the configured ones, except that any metric named in
 * `overrides` is judged by the overriding thresholds alone.
 *
 * @example mergeThresholds(config.thresholds, ['accuracy >= 0.95'])
 */
export function mergeThresholds(
  base: readonly Threshold[],
  overrides: ReadonlyArray<string | Threshold>,
): Threshold[] {
  const extra = normalizeThresholds(overrides, 'thresholds');
  const replaced = new Set(extra.map((t) => t.metric));
  return [...base.filter((t) => !replaced.has(t.metric)).map((t) => ({ ...t })), ...extra];
}

/** Whether a value satisfies a threshold's comparison (exact; `==` is strict equality). */
export function satisfies(observed: number, threshold: Threshold): boolean {
  return COMPARE[threshold.comparator](observed, threshold.value);
}

/**
 * Judges a run's latest metrics against thresholds. A threshold fails when its metric is
 * missing or NaN; comparisons are exact (`==` is strict equality of the numbers).
 */
export function evaluateGate(
  thresholds: readonly Threshold[],
  latestMetrics: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
): GateVerdict {
  const lookup = (metric: string): unknown =>
    latestMetrics instanceof Map
      ? latestMetrics.get(metric)
      : Object.hasOwn(latestMetrics, metric)
        ? (latestMetrics as Readonly<Record<string, number>>)[metric]
        : undefined;
  const results = thresholds.map((t): GateResult => {
    const threshold = { ...t };
    const observed = lookup(t.metric);
    if (typeof observed !== 'number') return { threshold, passed: false, reason: 'missing' };
    if (Number.isNaN(observed)) return { threshold, observed, passed: false, reason: 'nan' };
    return { threshold, observed, passed: satisfies(observed, t) };
  });
  const status = results.length === 0 ? 'none' : results.every((r) => r.passed) ? 'passed' : 'failed';
  return { status, results };
}

/**
 * The tags that record a verdict on a run: `agentrack.gate` (the overall verdict), and per metric
 * `agentrack.gate.<metric>` such as `0.93 >= 0.9: pass` or `missing >= 0.9: fail`
 * (several thresholds on one metric are joined with `; `).
 */
export function gateTags(verdict: GateVerdict): Record<string, string> {
  const perMetric = new Map<string, string[]>();
  for (const result of verdict.results) {
    const { metric, comparator, value } = result.threshold;
    const observed =
      result.reason === 'missing' ? 'missing' : result.reason === 'nan' ? 'NaN' : String(result.observed);
    const line = `${observed} ${comparator} ${String(value)}: ${result.passed ? 'pass' : 'fail'}`;
    perMetric.set(metric, [...(perMetric.get(metric) ?? []), line]);
  }
  const tags: Record<string, string> = { [TAGS.gateStatus]: verdict.status };
  for (const [metric, lines] of perMetric) tags[`${TAGS.gatePrefix}${metric}`] = lines.join('; ');
  return tags;
}

function isComparator(text: string): text is ThresholdComparator {
  return (THRESHOLD_COMPARATORS as readonly string[]).includes(text);
}

function toThreshold(item: unknown, field: string): Threshold {
  if (typeof item === 'string') return parseThreshold(item, field);
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw invalidParameter(
      `${field}: must be text like 'accuracy >= 0.9' or an object {metric, comparator, value}`,
    );
  }
  const record = item as Record<string, unknown>;
  const unknownKey = Object.keys(record).find((key) => !(THRESHOLD_KEYS as readonly string[]).includes(key));
  if (unknownKey !== undefined) {
    throw invalidParameter(`${field}: unknown key '${unknownKey}' (allowed: ${THRESHOLD_KEYS.join(', ')})`);
  }
  const { metric, comparator, value } = record;
  if (typeof metric !== 'string') throw invalidParameter(`${field}.metric: must be a metric name`);
  if (typeof comparator !== 'string' || !isComparator(comparator)) {
    throw invalidParameter(`${field}.comparator: must be one of ${COMPARATOR_LIST}`);
  }
  if (typeof value !== 'number') throw invalidParameter(`${field}.value: must be a number`);
  return {
    metric: checkMetric(metric, `${field}.metric`),
    comparator,
    value: checkValue(value, `${field}.value`),
  };
}

function checkMetric(metric: string, field: string, text?: string): string {
  const within = text === undefined ? '' : ` in '${text}'`;
  if (metric === '') throw invalidParameter(`${field}: missing metric name${within}`);
  if (!THRESHOLD_METRIC_PATTERN.test(metric)) {
    throw invalidParameter(
      `${field}: invalid metric name '${metric}'${within} (letters, digits and _ . / : - only)`,
    );
  }
  if (metric.length > MAX_THRESHOLD_METRIC_LENGTH) {
    throw invalidParameter(`${field}: metric name longer than ${MAX_THRESHOLD_METRIC_LENGTH} characters`);
  }
  try {
    validateMetricKey(metric);
  } catch (error) {
    if (!isAgentrackError(error)) throw error;
    throw invalidParameter(`${field}: invalid metric name '${metric}'${within}: ${error.message}`);
  }
  return metric;
}

function checkValue(value: number, field: string): number {
  if (!Number.isFinite(value)) throw invalidParameter(`${field}: the threshold must be a finite number`);
  // -0 and 0 compare equal; one sign keeps the text form and the object form in step.
  return value === 0 ? 0 : value;
}
