import type { GateVerdict } from '../../lifecycle/thresholds.js';
import type { Paint } from './color.js';
import { formatTable } from './table.js';

/** How many failing trace ids a summary line names before `and N more`. */
const SHOWN_TRACES = 10;

/**
 * The evaluation gate of a run, as the CLI shows it: one line per threshold (metric,
 * observed value, comparator, threshold, pass/fail), per threshold on a scorer's aggregate
 * the traces that failed the scorer, the overall verdict and whether the run became a
 * deployment candidate.
 */
export function formatGateSummary(verdict: GateVerdict, candidate: boolean, paint: Paint): string {
  const lines: string[] = [];
  if (verdict.results.length > 0) {
    const rows = verdict.results.map((r) => [
      r.threshold.metric,
      r.reason === 'missing' ? 'missing' : r.reason === 'nan' ? 'NaN' : String(r.observed),
      r.threshold.comparator,
      String(r.threshold.value),
      r.passed ? paint.green('pass') : paint.red('fail'),
    ]);
    lines.push(formatTable(['METRIC', 'OBSERVED', 'COMPARATOR', 'THRESHOLD', 'RESULT'], rows).trimEnd());
  }
  for (const { threshold, traces } of verdict.results) {
    if (traces === undefined || traces.failed.length === 0) continue;
    const ids = traces.failed.slice(0, SHOWN_TRACES).map((f) => f.trace_id);
    const more = traces.failed.length - ids.length;
    lines.push(
      `${threshold.metric}: ${traces.failed.length} of ${traces.scored} traces failed ${traces.scorer}: ` +
        `${ids.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    );
  }
  const status =
    verdict.status === 'passed'
      ? paint.green('passed')
      : verdict.status === 'failed'
        ? paint.red('failed')
        : 'none (no thresholds)';
  lines.push(`gate: ${status}; deployment candidate: ${candidate ? paint.green('yes') : 'no'}`);
  return `${lines.join('\n')}\n`;
}
