/**
 * The steps `get-history-bulk-interval` answers at, chosen as MLflow chooses them: from the
 * distinct steps logged in all the runs, those in the range (MLflow's default range is step 0
 * to the last step logged), thinned to `maxResults` evenly spaced ones, the last step of the
 * range always kept, and each run's first and last step added back when they fall in the
 * range. Sampling is over steps that exist, since runs need not log every step. Sorted.
 *
 * MLflow's handler up to 3.3 compared the sampled index with the count of steps in the range
 * instead of its end, which drops most samples of a range that does not start at the first
 * step logged; the bound here is the end, as MLflow's later versions have it.
 *
 * @param stepsPerRun the distinct steps of each run, ascending
 * @example sampleSteps([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], undefined, 4) // [0, 2, 5, 7, 9]
 */
export function sampleSteps(
  stepsPerRun: readonly (readonly number[])[],
  range: { start: number; end: number } | undefined,
  maxResults: number,
): number[] {
  const all = [...new Set(stepsPerRun.flat())].sort((a, b) => a - b);
  const start = range?.start ?? 0;
  const end = range ? range.end : (all.at(-1) ?? 0);
  const chosen = new Set<number>();
  for (const steps of stepsPerRun) {
    const first = steps[0];
    const last = steps.at(-1);
    if (first !== undefined && first >= start && first <= end) chosen.add(first);
    if (last !== undefined && last >= start && last <= end) chosen.add(last);
  }
  const from = lowerBound(all, start);
  const to = upperBound(all, end);
  const count = to - from;
  if (count <= maxResults) {
    for (let i = from; i < to; i++) chosen.add(all[i] as number);
  } else {
    const interval = count / maxResults;
    for (let i = 0; i < maxResults; i++) {
      const index = from + Math.floor(i * interval);
      if (index < to) chosen.add(all[index] as number);
    }
    chosen.add(all[to - 1] as number);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** The first index whose value is at least `value` (Python's `bisect_left`). */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose value is above `value` (Python's `bisect_right`). */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
