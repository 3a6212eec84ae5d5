import type { GateVerdict } from '../../lifecycle/thresholds.js';
import type { Paint } from './color.js';
import { formatTable } from './table.js';

/**
 * The evaluation gate of a run, as the CLI shows it: one line per threshold (metric,
 * observed value, comparator, threshold, pass/fail), the overall verdict and whether the
 * run became a deployment candidate.
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
  const status =
    verdict.status === 'passed'
      ? paint.green('passed')
      : verdict.status === 'failed'
        ? paint.red('failed')
        : 'none (no thresholds)';
  lines.push(`gate: ${status}; deployment candidate: ${candidate ? paint.green('yes') : 'no'}`);
  return `${lines.join('\n')}\n`;
}
