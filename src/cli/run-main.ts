import { isAgentrackError } from '../errors.js';
import { CliError, USAGE_EXIT_CODE } from './cli-error.js';

/** Streams and surroundings of a CLI invocation; injectable so tests can run commands in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (colors); default false. */
  stdoutIsTTY?: boolean;
  /** Whether stderr is a terminal (colors, progress line); default false. */
  stderrIsTTY?: boolean;
  /** The environment: `NO_COLOR`, the tracking URI, and the base of a command's environment; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** The process's own streams. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  env: process.env,
};

/**
 * The one place CLI errors are caught: a user error prints one line (`error: <message> (<CODE>)`,
 * without `(<CODE>)` when it has no MLflow code) and exits 1 (a {@link CliError}: its own exit
 * code), a bug prints its stack too; `--debug` prints the stack for every error. Commander has
 * printed its own usage errors already. Returns the exit code.
 */
export function reportError(error: unknown, io: CliIo, debug: boolean): number {
  if (error instanceof CliError || isAgentrackError(error)) {
    io.stderr(`error: ${error.message}${error.code !== undefined ? ` (${error.code})` : ''}\n`);
    if (debug && error.stack) io.stderr(`${error.stack}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
  const e = error as { code?: unknown; exitCode?: unknown; message?: unknown; stack?: unknown };
  if (typeof e?.code === 'string' && e.code.startsWith('commander.')) {
    // --help and --version end with 0; every other commander error is a usage error.
    return e.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
  }
  io.stderr(`error: ${String(e?.message ?? error)}\n`);
  if (debug || !(error instanceof Error)) {
    if (typeof e?.stack === 'string') io.stderr(`${e.stack}\n`);
  } else {
    io.stderr('(run with --debug for the stack trace)\n');
  }
  return 1;
}
