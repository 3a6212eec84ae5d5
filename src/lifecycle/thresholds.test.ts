import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import { THRESHOLD_COMPARATORS, type Threshold } from './agent-config.js';
import {
  MAX_THRESHOLD_METRIC_LENGTH,
  evaluateGate,
  formatThreshold,
  gateTags,
  mergeThresholds,
  normalizeThresholds,
  parseThreshold,
  type GateVerdict,
} from './thresholds.js';

const t = (metric: string, comparator: Threshold['comparator'], value: number): Threshold => ({
  metric,
  comparator,
  value,
});

describe('parseThreshold', () => {
  it.each<[string, Threshold]>([
    ['accuracy >= 0.9', t('accuracy', '>=', 0.9)],
    ['latency_p95_ms<=800', t('latency_p95_ms', '<=', 800)],
    ['  accuracy   >   0.9  ', t('accuracy', '>', 0.9)],
    ['loss < 1e-3', t('loss', '<', 0.001)],
    ['score == 1', t('score', '==', 1)],
    ['delta >= -0.5', t('delta', '>=', -0.5)],
    ['delta>=-.5', t('delta', '>=', -0.5)],
    ['x >= +2', t('x', '>=', 2)],
    ['x >= 5.', t('x', '>=', 5)],
    ['x >= 1E+21', t('x', '>=', 1e21)],
    ['x == -0', t('x', '==', 0)],
    ['eval/accuracy >= 0.9', t('eval/accuracy', '>=', 0.9)],
    ['rag.recall:top-5 >= 0.8', t('rag.recall:top-5', '>=', 0.8)],
  ])('%s', (text, expected) => {
    expect(parseThreshold(text)).toEqual(expected);
  });

  it('keeps zero unsigned', () => {
    expect(Object.is(parseThreshold('x == -0').value, 0)).toBe(true);
  });

  it.each<[string, string]>([
    ['accuracy => 0.9', "threshold: unknown comparator '=>' in 'accuracy => 0.9' (use >, >=, <, <=, ==)"],
    ['accuracy != 0.9', "threshold: unknown comparator '!=' in 'accuracy != 0.9' (use >, >=, <, <=, ==)"],
    ['accuracy === 0.9', "threshold: unknown comparator '===' in 'accuracy === 0.9'"],
    ['accuracy <> 0.9', "threshold: unknown comparator '<>' in 'accuracy <> 0.9'"],
    ['accuracy = 0.9', "threshold: '=' in 'accuracy = 0.9' is not a comparator; write '==' to test equality"],
    ['accuracy 0.9', "threshold: missing comparator in 'accuracy 0.9' (use >, >=, <, <=, ==)"],
    ['', "threshold: missing comparator in '' (use >, >=, <, <=, ==)"],
    ['>= 0.9', "threshold: missing metric name in '>= 0.9'"],
    ['accuracy >=', "threshold: missing number after '>=' in 'accuracy >='"],
    ['accuracy >= high', "threshold: 'high' in 'accuracy >= high' is not a number"],
    ['accuracy >= 0.9 0.8', "threshold: '0.9 0.8' in 'accuracy >= 0.9 0.8' is not a number"],
    ['accuracy >= 0x10', "threshold: '0x10' in 'accuracy >= 0x10' is not a number"],
    ['accuracy >= NaN', "threshold: 'NaN' in 'accuracy >= NaN' is not a number"],
    ['accuracy >= Infinity', "threshold: 'Infinity' in 'accuracy >= Infinity' is not a number"],
    ['accuracy >= 1e999', 'threshold: the threshold must be a finite number'],
    ['accuracy >= 1,5', "threshold: '1,5' in 'accuracy >= 1,5' is not a number"],
    [
      'my accuracy >= 0.9',
      "threshold: invalid metric name 'my accuracy' in 'my accuracy >= 0.9' (letters, digits and _ . / : - only)",
    ],
    ['accuracy% >= 0.9', "threshold: invalid metric name 'accuracy%'"],
    [
      'eval/../accuracy >= 0.9',
      "threshold: invalid metric name 'eval/../accuracy' in 'eval/../accuracy >= 0.9': ",
    ],
    ['/accuracy >= 0.9', "threshold: invalid metric name '/accuracy'"],
    [
      `${'m'.repeat(236)} >= 1`,
      `threshold: metric name longer than ${MAX_THRESHOLD_METRIC_LENGTH} characters`,
    ],
  ])('%j is refused', (text, fragment) => {
    expect(rejection(() => parseThreshold(text))).toContain(fragment);
  });

  it('accepts the longest metric name whose gate tag key is still valid', () => {
    expect(MAX_THRESHOLD_METRIC_LENGTH).toBe(235);
    const metric = 'm'.repeat(MAX_THRESHOLD_METRIC_LENGTH);
    expect(parseThreshold(`${metric} > 1`).metric).toBe(metric);
  });

  it('names the field', () => {
    expect(rejection(() => parseThreshold('accuracy => 0.9', 'thresholds[1]'))).toBe(
      "thresholds[1]: unknown comparator '=>' in 'accuracy => 0.9' (use >, >=, <, <=, ==)",
    );
  });

  const segment = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,12}$/);
  const metric = fc
    .array(segment, { minLength: 1, maxLength: 3 })
    .map((parts) => parts.join('/'))
    .filter((m) => m !== 'status');
  const threshold = fc.record({
    metric,
    comparator: fc.constantFrom(...THRESHOLD_COMPARATORS),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (v === 0 ? 0 : v)),
  });

  it('reads back what formatThreshold writes', () => {
    fc.assert(
      fc.property(threshold, (th) => {
        const parsed = parseThreshold(formatThreshold(th));
        expect(parsed).toEqual(th);
        expect(formatThreshold(parsed)).toBe(formatThreshold(th));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatThreshold', () => {
  it.each<[Threshold, string]>([
    [t('accuracy', '>=', 0.9), 'accuracy >= 0.9'],
    [t('latency_p95_ms', '<=', 800), 'latency_p95_ms <= 800'],
    [t('loss', '<', 1e-7), 'loss < 1e-7'],
    [t('x', '==', -2.5), 'x == -2.5'],
  ])('%j → %s', (threshold, text) => {
    expect(formatThreshold(threshold)).toBe(text);
  });
});

describe('normalizeThresholds', () => {
  it('accepts text and objects alike', () => {
    expect(
      normalizeThresholds(['accuracy >= 0.9', { metric: 'latency_ms', comparator: '<=', value: 800 }]),
    ).toEqual([t('accuracy', '>=', 0.9), t('latency_ms', '<=', 800)]);
  });

  it('lets the last threshold on a metric and comparator win, keeping different comparators', () => {
    expect(
      normalizeThresholds(['accuracy >= 0.9', 'latency <= 900', 'latency >= 10', 'accuracy >= 0.95']),
    ).toEqual([t('latency', '<=', 900), t('latency', '>=', 10), t('accuracy', '>=', 0.95)]);
  });

  it('returns fresh objects', () => {
    const input = t('accuracy', '>=', 0.9);
    const [output] = normalizeThresholds([input]);
    expect(output).toEqual(input);
    expect(output).not.toBe(input);
  });

  it('accepts an empty list', () => {
    expect(normalizeThresholds([])).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    [
      'a bad comparator in the second item',
      ['accuracy >= 0.9', 'accuracy => 0.9'],
      "thresholds[1]: unknown comparator '=>' in 'accuracy => 0.9' (use >, >=, <, <=, ==)",
    ],
    ['not a list', 'accuracy >= 0.9', 'thresholds: must be a list of thresholds like ["accuracy >= 0.9"]'],
    [
      'a number item',
      [0.9],
      "thresholds[0]: must be text like 'accuracy >= 0.9' or an object {metric, comparator, value}",
    ],
    [
      'a null item',
      [null],
      "thresholds[0]: must be text like 'accuracy >= 0.9' or an object {metric, comparator, value}",
    ],
    [
      'an object with an unknown key',
      [{ metric: 'a', comparator: '>', value: 1, min: 2 }],
      "thresholds[0]: unknown key 'min' (allowed: metric, comparator, value)",
    ],
    [
      'an object without metric',
      [{ comparator: '>', value: 1 }],
      'thresholds[0].metric: must be a metric name',
    ],
    [
      'an object with a bad comparator',
      [{ metric: 'a', comparator: '=', value: 1 }],
      'thresholds[0].comparator: must be one of >, >=, <, <=, ==',
    ],
    [
      'an object with a text value',
      [{ metric: 'a', comparator: '>', value: '1' }],
      'thresholds[0].value: must be a number',
    ],
    [
      'an object with an infinite value',
      [{ metric: 'a', comparator: '>', value: Infinity }],
      'thresholds[0].value: the threshold must be a finite number',
    ],
    [
      'an object with a bad metric',
      [{ metric: 'a b', comparator: '>', value: 1 }],
      "thresholds[0].metric: invalid metric name 'a b' (letters, digits and _ . / : - only)",
    ],
  ])('refuses %s', (_name, list, message) => {
    expect(rejection(() => normalizeThresholds(list as Threshold[]))).toBe(message);
  });

  it('names the field it is given', () => {
    expect(rejection(() => normalizeThresholds(['x'], 'options.thresholds'))).toContain(
      'options.thresholds[0]: missing comparator',
    );
  });
});

describe('mergeThresholds', () => {
  const base = [t('accuracy', '>=', 0.9), t('latency', '<=', 800), t('latency', '>=', 1)];

  it('replaces every configured threshold on a metric the call names', () => {
    expect(mergeThresholds(base, ['latency <= 500'])).toEqual([
      t('accuracy', '>=', 0.9),
      t('latency', '<=', 500),
    ]);
  });

  it('adds thresholds on new metrics and keeps the rest', () => {
    expect(mergeThresholds(base, [{ metric: 'cost', comparator: '<', value: 2 }])).toEqual([
      ...base,
      t('cost', '<', 2),
    ]);
  });

  it('keeps the configured thresholds when the call gives none', () => {
    const merged = mergeThresholds(base, []);
    expect(merged).toEqual(base);
    expect(merged[0]).not.toBe(base[0]);
  });

  it('checks the overrides', () => {
    expect(rejection(() => mergeThresholds(base, ['accuracy = 1']))).toContain('thresholds[0]: ');
  });
});

describe('evaluateGate', () => {
  it('is none without thresholds', () => {
    expect(evaluateGate([], { accuracy: 1 })).toEqual({ status: 'none', results: [] });
  });

  it.each<[Threshold, number | undefined, boolean, 'missing' | 'nan' | undefined]>([
    [t('a', '>=', 0.9), 0.9, true, undefined],
    [t('a', '>=', 0.9), 0.8999999999999999, false, undefined],
    [t('a', '>', 0.9), 0.9, false, undefined],
    [t('a', '>', 0.9), 0.9000000000000001, true, undefined],
    [t('a', '<', 800), 799.99, true, undefined],
    [t('a', '<', 800), 800, false, undefined],
    [t('a', '<=', 800), 800, true, undefined],
    [t('a', '==', 0.3), 0.1 + 0.2, false, undefined],
    [t('a', '==', 0.3), 0.3, true, undefined],
    [t('a', '==', 0), -0, true, undefined],
    [t('a', '>=', 0.9), Infinity, true, undefined],
    [t('a', '<=', 0.9), -Infinity, true, undefined],
    [t('a', '>=', 0.9), Number.NaN, false, 'nan'],
    [t('a', '<=', 0.9), Number.NaN, false, 'nan'],
    [t('a', '>=', 0.9), undefined, false, 'missing'],
  ])('%j with %d passes: %s', (threshold, observed, passed, reason) => {
    const metrics: Record<string, number> = observed === undefined ? {} : { a: observed };
    const verdict = evaluateGate([threshold], metrics);
    expect(verdict.results).toEqual([
      {
        threshold,
        passed,
        ...(observed === undefined ? {} : { observed }),
        ...(reason === undefined ? {} : { reason }),
      },
    ]);
    expect(verdict.status).toBe(passed ? 'passed' : 'failed');
  });

  it('fails when any threshold fails and reads maps too', () => {
    const thresholds = [t('accuracy', '>=', 0.9), t('latency', '<=', 800)];
    expect(
      evaluateGate(
        thresholds,
        new Map([
          ['accuracy', 0.93],
          ['latency', 900],
        ]),
      ).status,
    ).toBe('failed');
    expect(
      evaluateGate(
        thresholds,
        new Map([
          ['accuracy', 0.93],
          ['latency', 700],
        ]),
      ).status,
    ).toBe('passed');
  });

  it('does not take inherited properties for metrics', () => {
    const verdict = evaluateGate([t('constructor', '>', 0), t('toString', '>', 0)], {});
    expect(verdict.results.map((r) => r.reason)).toEqual(['missing', 'missing']);
  });

  it('does not share threshold objects with its input', () => {
    const threshold = t('a', '>', 0);
    expect(evaluateGate([threshold], { a: 1 }).results[0]?.threshold).not.toBe(threshold);
  });
});

describe('gateTags', () => {
  it('records the status and one compact line per metric', () => {
    const verdict = evaluateGate(
      [t('accuracy', '>=', 0.9), t('latency_ms', '<=', 800), t('faithfulness', '>', 0.5), t('cost', '<', 1)],
      { accuracy: 0.93, latency_ms: 950, cost: Number.NaN },
    );
    expect(gateTags(verdict)).toEqual({
      'agentrack.gate': 'failed',
      'agentrack.gate.accuracy': '0.93 >= 0.9: pass',
      'agentrack.gate.latency_ms': '950 <= 800: fail',
      'agentrack.gate.faithfulness': 'missing > 0.5: fail',
      'agentrack.gate.cost': 'NaN < 1: fail',
    });
  });

  it('joins several thresholds on one metric', () => {
    const verdict = evaluateGate([t('latency', '>=', 10), t('latency', '<=', 800)], { latency: 5 });
    expect(gateTags(verdict)).toEqual({
      'agentrack.gate': 'failed',
      'agentrack.gate.latency': '5 >= 10: fail; 5 <= 800: pass',
    });
  });

  it('records none without thresholds', () => {
    const verdict: GateVerdict = { status: 'none', results: [] };
    expect(gateTags(verdict)).toEqual({ 'agentrack.gate': 'none' });
  });

  it('writes numbers exactly, so that a line explains its verdict', () => {
    const verdict = evaluateGate([t('a', '>', 0.9)], { a: 0.9000000000000001 });
    expect(gateTags(verdict)['agentrack.gate.a']).toBe('0.9000000000000001 > 0.9: pass');
  });
});
