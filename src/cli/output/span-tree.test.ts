import { describe, expect, it } from 'vitest';
import type { Span } from '../../entities/index.js';
import { createPaint } from './color.js';
import { formatNanos, formatSpanTree } from './span-tree.js';

const plain = createPaint(false);

function span(
  id: string,
  parent: string | undefined,
  start: bigint,
  end: bigint | undefined,
  extra: Partial<Span> = {},
): Span {
  return {
    trace_id: 'tr-1',
    span_id: id,
    ...(parent === undefined ? {} : { parent_span_id: parent }),
    name: `s${id}`,
    span_type: 'UNKNOWN',
    status: 'OK',
    start_time_unix_nano: String(start),
    ...(end === undefined ? {} : { end_time_unix_nano: String(end) }),
    attributes: {},
    ...extra,
  };
}

const T0 = 1_796_123_635_877_083_937n;

describe('formatSpanTree', () => {
  it('draws children under their parent in start order, with type, status and duration', () => {
    const spans = [
      span('c', 'a', T0 + 600_000n, T0 + 644_000n, { name: 'classify', span_type: 'LLM' }),
      span('a', undefined, T0, T0 + 1_604_438n, { name: 'health_check', span_type: 'AGENT' }),
      span('b', 'a', T0 + 400_000n, T0 + 500_000n, { name: 'read_metrics', span_type: 'TOOL' }),
      span('d', 'b', T0 + 410_000n, T0 + 420_000n, {
        name: 'http',
        status: 'ERROR',
        status_message: 'timeout',
      }),
    ];
    expect(formatSpanTree(spans, plain)).toBe(
      [
        'health_check  AGENT  OK  1.60 ms',
        '├─ read_metrics  TOOL  OK  100 µs',
        '│  └─ http  UNKNOWN  ERROR timeout  10 µs',
        '└─ classify  LLM  OK  44 µs',
        '',
      ].join('\n'),
    );
  });

  it('shows inputs and outputs on request, cut to the width', () => {
    const spans = [
      span('a', undefined, T0, T0 + 2_000_000n, {
        attributes: { 'mlflow.spanInputs': { host: 'web-1' }, 'mlflow.spanOutputs': 'x'.repeat(50) },
      }),
      span('b', 'a', T0 + 1n, undefined, { attributes: { 'mlflow.spanInputs': [1, 2] } }),
    ];
    expect(formatSpanTree(spans, plain, { io: true, width: 20 })).toBe(
      [
        'sa  UNKNOWN  OK  2.00 ms',
        '│  in:  {"host":"web-1"}',
        `│  out: "${'x'.repeat(18)}…`,
        '└─ sb  UNKNOWN  OK  open',
        '      in:  [1,2]',
        '',
      ].join('\n'),
    );
  });

  it('shows a span whose parent is missing as a root, and prints a deep trace without recursion', () => {
    expect(formatSpanTree([span('x', 'gone', T0, T0 + 1n)], plain)).toBe('sx  UNKNOWN  OK  0 µs\n');
    const deep: Span[] = [];
    for (let i = 0; i < 20_000; i++)
      deep.push(span(`n${i}`, i === 0 ? undefined : `n${i - 1}`, T0 + BigInt(i), T0 + 30_000n));
    const lines = formatSpanTree(deep, plain).trimEnd().split('\n');
    expect(lines).toHaveLength(20_000);
    expect(lines[19_999]).toMatch(/└─ \[19999\] sn19999 {2}UNKNOWN/);
    expect(lines[32]).toMatch(/^( {3}){31}└─ sn32 /);
    expect(lines[33]).toMatch(/^( {3}){32}└─ \[33\] sn33 /);
  });

  it('prints nothing for no spans', () => {
    expect(formatSpanTree([], plain)).toBe('');
  });
});

describe('formatNanos', () => {
  it('reads as µs, ms, s and minutes', () => {
    expect(formatNanos(999n)).toBe('1 µs');
    expect(formatNanos(1_604_438n)).toBe('1.60 ms');
    expect(formatNanos(2_500_000_000n)).toBe('2.500 s');
    expect(formatNanos(125_000_000_000n)).toBe('2 min 5 s');
    expect(formatNanos(-1_000_000n)).toBe('-1.00 ms');
  });
});
