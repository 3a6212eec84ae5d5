import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../lifecycle/thresholds.js';
import { createPaint } from './color.js';
import { formatGateSummary } from './gate-summary.js';

const plain = createPaint(false);

describe('formatGateSummary', () => {
  it('shows each threshold with its observed value, the verdict and the candidacy', () => {
    const verdict = evaluateGate(
      [
        { metric: 'accuracy', comparator: '>=', value: 0.9 },
        { metric: 'latency_ms', comparator: '<', value: 800 },
        { metric: 'f1', comparator: '==', value: 1 },
      ],
      { accuracy: 0.93, f1: NaN },
    );
    expect(formatGateSummary(verdict, false, plain)).toBe(
      [
        'METRIC      OBSERVED  COMPARATOR  THRESHOLD  RESULT',
        'accuracy    0.93      >=          0.9        pass',
        'latency_ms  missing   <           800        fail',
        'f1          NaN       ==          1          fail',
        'gate: failed; deployment candidate: no',
        '',
      ].join('\n'),
    );
  });

  it("names, per threshold on a scorer's aggregate, the traces that failed the scorer (at most 10)", () => {
    const ids = Array.from({ length: 12 }, (_, i) => `tr-${String(i).padStart(32, '0')}`);
    const base = evaluateGate(
      [
        { metric: 'correctness/mean', comparator: '>=', value: 0.9 },
        { metric: 'safety/mean', comparator: '>=', value: 0.9 },
      ],
      { 'correctness/mean': 0.4, 'safety/mean': 1 },
    );
    const [correctness, safety] = base.results;
    const verdict = {
      ...base,
      results: [
        {
          ...correctness!,
          traces: {
            scorer: 'correctness',
            aggregate: 'mean',
            scored: 20,
            failed: ids.map((trace_id) => ({ trace_id, reason: 'value' as const, value: false })),
          },
        },
        { ...safety!, traces: { scorer: 'safety', aggregate: 'mean', scored: 20, failed: [] } },
      ],
    };
    expect(formatGateSummary(verdict, false, plain).split('\n').slice(3)).toEqual([
      `correctness/mean: 12 of 20 traces failed correctness: ${ids.slice(0, 10).join(', ')} and 2 more`,
      'gate: failed; deployment candidate: no',
      '',
    ]);
  });

  it('says when there are no thresholds', () => {
    expect(formatGateSummary(evaluateGate([], {}), false, plain)).toBe(
      'gate: none (no thresholds); deployment candidate: no\n',
    );
  });

  it('colors pass, fail and the verdict', () => {
    const paint = createPaint(true);
    const verdict = evaluateGate([{ metric: 'a', comparator: '>', value: 0 }], { a: 1 });
    expect(formatGateSummary(verdict, true, paint)).toContain(
      `gate: ${paint.green('passed')}; deployment candidate: ${paint.green('yes')}`,
    );
  });
});
