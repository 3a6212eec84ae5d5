import { isAgentrackError } from '../errors.js';

/** Streams and exit hook of a CLI invocation; injectable so tests can run commands in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The process's own streams. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * The one place CLI errors are caught: a user error prints one line (`error: <message>`),
 * a bug prints its stack too; `--debug` prints the stack for every error. Returns the exit code.
 */
export function reportError(error: unknown, io: CliIo, debug: boolean): number {
  if (isAgentrackError(error)) {
    io.stderr(`error: ${error.message} (${error.code})\n`);
    if (debug && error.stack) io.stderr(`${error.stack}\n`);
    return 1;
  }
  const e = error as { code?: unknown; exitCode?: unknown; message?: unknown; stack?: unknown };
  if (typeof e?.code === 'string' && e.code.startsWith('commander.')) {
    return typeof e.exitCode === 'number' ? e.exitCode : 1;
  }
  io.stderr(`error: ${String(e?.message ?? error)}\n`);
  if (debug || !(error instanceof Error)) {
    if (typeof e?.stack === 'string') io.stderr(`${e.stack}\n`);
  } else {
    io.stderr('(run with --debug for the stack trace)\n');
  }
  return 1;
}
