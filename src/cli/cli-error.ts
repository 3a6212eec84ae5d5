import { AgentrackError, type ErrorCode } from '../errors.js';

/** Exit code of a malformed command line (unknown option, missing argument, options that do not go together). */
export const USAGE_EXIT_CODE = 2;

/**
 * A user error that ends the CLI with its own exit code instead of 1: 2 for a malformed
 * command line, 127 for a command that cannot be found. It is still an {@link AgentrackError}.
 */
export class CliError extends AgentrackError {
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, exitCode: number) {
    super(code, message);
    this.exitCode = exitCode;
  }
}

/** A malformed command line: one line on stderr, exit 2. */
export function usageError(message: string): CliError {
  return new CliError('INVALID_PARAMETER_VALUE', message, USAGE_EXIT_CODE);
}
