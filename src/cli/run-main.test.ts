import { describe, expect, it } from 'vitest';
import { AgentrackError } from '../errors.js';
import { CliError, usageError } from './cli-error.js';
import { reportError, type CliIo } from './run-main.js';

function capture(): CliIo & { err: string } {
  const io = { err: '', stdout: () => {}, stderr: (text: string) => void (io.err += text) };
  return io;
}

describe('reportError', () => {
  it('prints a user error in one line with its code and exits 1, with the stack only under --debug', () => {
    const io = capture();
    expect(reportError(new AgentrackError('INVALID_STATE', 'no'), io, false)).toBe(1);
    expect(io.err).toBe('error: no (INVALID_STATE)\n');
    const debug = capture();
    reportError(new AgentrackError('INVALID_STATE', 'no'), debug, true);
    expect(debug.err).toMatch(/^error: no \(INVALID_STATE\)\nAgentrackError: no\n\s+at /);
  });

  it('exits with the code of a CLI error: 2 for usage', () => {
    const io = capture();
    expect(reportError(usageError('bad'), io, false)).toBe(2);
    expect(io.err).toBe('error: bad (INVALID_PARAMETER_VALUE)\n');
  });

  it('prints a CLI error without an MLflow code as the bare message, with its exit code', () => {
    const io = capture();
    expect(reportError(new CliError('permission denied: /etc/passwd', 126), io, false)).toBe(126);
    expect(io.err).toBe('error: permission denied: /etc/passwd\n');
    const debug = capture();
    reportError(new CliError('command not found: x', 127), debug, true);
    expect(debug.err).toMatch(/^error: command not found: x\nCliError: command not found: x\n\s+at /);
  });

  it('turns commander errors into exit 2, except help and version', () => {
    const io = capture();
    expect(reportError({ code: 'commander.unknownOption', exitCode: 1 }, io, false)).toBe(2);
    expect(reportError({ code: 'commander.helpDisplayed', exitCode: 0 }, io, false)).toBe(0);
    expect(reportError({ code: 'commander.version', exitCode: 0 }, io, false)).toBe(0);
    expect(io.err).toBe('');
  });

  it('prints a bug with a hint, and its stack under --debug', () => {
    const io = capture();
    expect(reportError(new TypeError('boom'), io, false)).toBe(1);
    expect(io.err).toBe('error: boom\n(run with --debug for the stack trace)\n');
    const debug = capture();
    reportError(new TypeError('boom'), debug, true);
    expect(debug.err).toMatch(/^error: boom\nTypeError: boom\n\s+at /);
  });
});
