import { formatRetryNotice, type RetryNotice } from '../../store/rest/retry-notice.js';
import type { CliIo } from '../run-main.js';

/**
 * The `onRetry` hook of the stores the CLI opens: one line on stderr per retry when stderr is
 * a terminal or under `--debug`, e.g. `agentrack: connection refused by http://127.0.0.1:5098,
 * retry 2/4 in 1.0 s`; none otherwise, so that CI logs stay quiet.
 */
export function retryPrinter(io: CliIo, debug: boolean): ((notice: RetryNotice) => void) | undefined {
  if (io.stderrIsTTY !== true && !debug) return undefined;
  return (notice) => io.stderr(`agentrack: ${formatRetryNotice(notice)}\n`);
}
