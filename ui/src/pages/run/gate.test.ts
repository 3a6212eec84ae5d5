import { describe, expect, it } from 'vitest';
import { gateTags } from '../../../../src/lifecycle/thresholds.js';
import { readGate } from './gate.js';
import { asLoggedTable, looksBinary, previewKind } from './preview-kind.js';

const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([key, value]) => ({ key, value }));

describe('readGate', () => {
  it('reads back every threshold the lifecycle writes, with its observed value, comparator and result', () => {
    const written = gateTags({
      status: 'failed',
      results: [
        { threshold: { metric: 'accuracy', comparator: '>=', value: 0.9 }, observed: 0.93, passed: true },
        { threshold: { metric: 'accuracy', comparator: '<', value: 0.99 }, observed: 0.93, passed: true },
        {
          threshold: { metric: 'latency', comparator: '<=', value: 2 },
          observed: NaN,
          passed: false,
          reason: 'nan',
        },
        { threshold: { metric: 'recall', comparator: '>', value: 0.5 }, passed: false, reason: 'missing' },
      ],
    });
    const verdict = readGate(tags(written));
    expect(verdict?.status).toBe('failed');
    expect(verdict?.unreadable).toEqual([]);
    expect(verdict?.lines).toEqual([
      { metric: 'accuracy', observed: '0.93', comparator: '>=', threshold: '0.9', passed: true },
      { metric: 'accuracy', observed: '0.93', comparator: '<', threshold: '0.99', passed: true },
      { metric: 'latency', observed: 'NaN', comparator: '<=', threshold: '2', passed: false },
      { metric: 'recall', observed: 'missing', comparator: '>', threshold: '0.5', passed: false },
    ]);
  });

  it('reads the failed scorer traces and ignores a malformed record', () => {
    const record = { 'correctness/mean': { failed: 1, scored: 2, traces: ['tr-1'] } };
    expect(
      readGate(tags({ 'agentrack.gate': 'failed', 'agentrack.failed_traces': JSON.stringify(record) }))
        ?.failedTraces,
    ).toEqual([{ metric: 'correctness/mean', failed: 1, scored: 2, traces: ['tr-1'] }]);
    expect(
      readGate(tags({ 'agentrack.gate': 'failed', 'agentrack.failed_traces': '{' }))?.failedTraces,
    ).toEqual([]);
    expect(readGate(tags({ other: 'x' }))).toBeUndefined();
  });
});

describe('previews', () => {
  it('picks a preview by name, recognises log_table files and binary bytes', () => {
    expect(['a.PNG', 'b.json', 'c.yml', 'd.yaml', 'e.html', 'f'].map(previewKind)).toEqual([
      'image',
      'json',
      'yaml',
      'yaml',
      'text',
      'text',
    ]);
    expect(asLoggedTable({ columns: ['q', 'a'], data: [['1', 2]] })).toEqual({
      columns: ['q', 'a'],
      data: [['1', 2]],
    });
    expect(asLoggedTable({ columns: ['q'], data: [1] })).toBeUndefined();
    expect(asLoggedTable([1])).toBeUndefined();
    expect(looksBinary(new Uint8Array([104, 0, 105]))).toBe(true);
    expect(looksBinary(new TextEncoder().encode('<script>alert(1)</script>'))).toBe(false);
  });
});
