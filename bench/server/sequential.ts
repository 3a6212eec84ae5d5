import { performance } from 'node:perf_hooks';
import { percentile } from './load.js';

/** Runs `task(0)` ... `task(count - 1)` with at most `concurrency` of them in flight. */
export async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** Latencies of one operation run back to back: its median and 99th percentile, in milliseconds. */
export interface SequentialTimes {
  p50: number;
  p99: number;
}

/**
 * Times `once(i)` `repeats` times, one after another, after `warmup` untimed calls, and prints
 * `<label>: p50 …, p99 … (<repeats> <unit>)`.
 */
export async function timeSequential(
  label: string,
  options: { repeats: number; warmup: number; unit?: string },
  once: (i: number) => Promise<void>,
): Promise<SequentialTimes> {
  for (let i = 0; i < options.warmup; i++) await once(i);
  const times: number[] = [];
  for (let i = 0; i < options.repeats; i++) {
    const start = performance.now();
    await once(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const result = { p50: percentile(times, 50), p99: percentile(times, 99) };
  const fmt = (n: number) =>
    n.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  console.log(
    `${label}: p50 ${fmt(result.p50)} ms, p99 ${fmt(result.p99)} ms (${options.repeats} ${options.unit ?? 'requests'})`,
  );
  return result;
}
