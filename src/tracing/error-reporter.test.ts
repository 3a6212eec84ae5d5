import { describe, expect, it } from 'vitest';
import { stderrReporter } from './error-reporter.js';

describe('stderrReporter', () => {
  it('writes one line per failure, at most one per interval, counting the ones left out', () => {
    const lines: string[] = [];
    let clock = 1_000;
    const report = stderrReporter({
      intervalMs: 10_000,
      write: (line) => lines.push(line),
      now: () => clock,
    });
    report(new Error('connection refused\n  at connect'));
    clock += 5_000;
    report(new Error('connection refused'));
    report(new Error('connection reset'));
    clock += 5_000;
    report(new Error('back again'));
    clock += 1;
    report(new Error('too soon'));
    expect(lines).toEqual([
      'agentrack tracing: connection refused at connect\n',
      'agentrack tracing: back again (2 more errors not shown)\n',
    ]);
  });
});
