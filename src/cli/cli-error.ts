import type { ErrorCode } from '../errors.js';

/** Exit code of a malformed command line (unknown option, missing argument, options that do not go together). */
export const USAGE_EXIT_CODE = 2;

/**
 * A user error that ends the CLI with its own exit code instead of 1: 2 for a malformed
 * command line, 126/127 for a command `agentrack run` cannot start. `code` is MLflow's error
 * code when the error is one MLflow would name (a usage error is `INVALID_PARAMETER_VALUE`);
 * an error of the CLI alone has none, and prints without one.
 */
export class CliError extends Error {
  readonly exitCode: number;
  readonly code: ErrorCode | undefined;

  constructor(message: string, exitCode: number, code?: ErrorCode) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** A malformed command line: one line on stderr, exit 2. */
export function usageError(message: string): CliError {
  return new CliError(message, USAGE_EXIT_CODE, 'INVALID_PARAMETER_VALUE');
}
