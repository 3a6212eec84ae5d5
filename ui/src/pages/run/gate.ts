/**
 * The gate verdict an evaluation run carries in its tags, read back for the page:
 * `agentrack.gate` (`passed`, `failed`, `none`), one `agentrack.gate.<metric>` per metric
 * (`0.93 >= 0.9: pass`, several thresholds on one metric joined by `; `; see
 * src/lifecycle/thresholds.ts `gateTags`) and `agentrack.failed_traces` (JSON
 * `{"<metric>": {"failed", "scored", "traces"}}`, src/lifecycle/scorer-traces.ts).
 */

/** The tags the gate writes (src/lifecycle/conventions.ts `TAGS`). */
export const GATE_TAGS = {
  status: 'agentrack.gate',
  prefix: 'agentrack.gate.',
  failedTraces: 'agentrack.failed_traces',
} as const;

/** One threshold of the gate and how the run fared on it. */
export interface GateLine {
  metric: string;
  /** The observed value as written: a number, `NaN` or `missing`. */
  observed: string;
  comparator: string;
  threshold: string;
  passed: boolean;
}

/** The traces of the run that failed a scorer, per threshold metric. */
export interface FailedTraces {
  metric: string;
  failed: number;
  scored: number;
  traces: string[];
}

/** The whole verdict, or `undefined` on a run without one. */
export interface GateVerdict {
  status: string;
  lines: GateLine[];
  /** Lines that could not be read, kept as written. */
  unreadable: { metric: string; text: string }[];
  failedTraces: FailedTraces[];
}

const LINE = /^(\S+)\s+(>=|<=|==|>|<)\s+(\S+):\s+(pass|fail)$/;

/** Reads the verdict from a run's tags. */
export function readGate(tags: readonly { key: string; value: string }[]): GateVerdict | undefined {
  const status = tags.find((t) => t.key === GATE_TAGS.status)?.value;
  if (status === undefined) return undefined;
  const lines: GateLine[] = [];
  const unreadable: { metric: string; text: string }[] = [];
  for (const { key, value } of tags) {
    if (!key.startsWith(GATE_TAGS.prefix)) continue;
    const metric = key.slice(GATE_TAGS.prefix.length);
    for (const part of value.split('; ')) {
      const match = LINE.exec(part.trim());
      if (match) {
        const [, observed, comparator, threshold, result] = match as unknown as [
          string,
          string,
          string,
          string,
          string,
        ];
        lines.push({ metric, observed, comparator, threshold, passed: result === 'pass' });
      } else {
        unreadable.push({ metric, text: part });
      }
    }
  }
  lines.sort((a, b) => a.metric.localeCompare(b.metric));
  return { status, lines, unreadable, failedTraces: readFailedTraces(tags) };
}

function readFailedTraces(tags: readonly { key: string; value: string }[]): FailedTraces[] {
  const text = tags.find((t) => t.key === GATE_TAGS.failedTraces)?.value;
  if (text === undefined) return [];
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return [];
  return Object.entries(record as Record<string, unknown>).map(([metric, entry]) => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const traces = Array.isArray(e.traces) ? e.traces.filter((t): t is string => typeof t === 'string') : [];
    return {
      metric,
      failed: typeof e.failed === 'number' ? e.failed : traces.length,
      scored: typeof e.scored === 'number' ? e.scored : 0,
      traces,
    };
  });
}
