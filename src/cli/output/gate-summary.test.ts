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
