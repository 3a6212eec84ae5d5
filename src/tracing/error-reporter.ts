/** Receives what went wrong while exporting traces; it must not throw (what it throws is ignored). */
export type TracingErrorHandler = (error: Error) => void;

/** Options of {@link stderrReporter}. */
export interface StderrReporterOptions {
  /** At most one line per this many milliseconds; the next line counts the ones left out. Default 10 000. */
  intervalMs?: number;
  /** Where lines go; default `process.stderr`. */
  write?: (line: string) => void;
  /** The clock, for tests; default `Date.now`. */
  now?: () => number;
}

/**
 * The default {@link TracingErrorHandler}: one line on stderr per failure, rate-limited so that
 * an unreachable tracking server does not flood the agent's output.
 *
 * @example stderrReporter({ intervalMs: 60_000 })(new Error('connection refused'))
 * // agentrack tracing: connection refused
 */
export function stderrReporter(options: StderrReporterOptions = {}): TracingErrorHandler {
  const intervalMs = options.intervalMs ?? 10_000;
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const now = options.now ?? Date.now;
  let last: number | undefined;
  let skipped = 0;
  return (error) => {
    const at = now();
    if (last !== undefined && at - last < intervalMs) {
      skipped++;
      return;
    }
    last = at;
    const more = skipped > 0 ? ` (${skipped} more error${skipped === 1 ? '' : 's'} not shown)` : '';
    skipped = 0;
    write(`agentrack tracing: ${oneLine(error.message)}${more}\n`);
  };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
