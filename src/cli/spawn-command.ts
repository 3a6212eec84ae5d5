import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

/** How a command run by `agentrack run` ended. */
export type CommandOutcome =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: NodeJS.Signals }
  | { kind: 'not-started'; errorCode: string; message: string };

/** The signals the CLI passes on to the command it runs. */
export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The shell's exit code for a process ended by `signal`: 128 plus its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * Catches SIGINT and SIGTERM while installed, remembers the first one and passes each on to
 * the attached command, so that an interrupted command still gets its run ended.
 */
export class SignalRelay {
  #received: NodeJS.Signals | undefined;
  #child: ChildProcess | undefined;
  readonly #handlers = new Map<NodeJS.Signals, () => void>();

  /** The first signal received, if any. */
  get received(): NodeJS.Signals | undefined {
    return this.#received;
  }

  /** Starts catching the signals. */
  install(): void {
    for (const signal of FORWARDED_SIGNALS) {
      const handler = () => {
        this.#received ??= signal;
        this.#forward(signal);
      };
      this.#handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  /** Stops catching them: the process's default handling is back. */
  uninstall(): void {
    for (const [signal, handler] of this.#handlers) process.off(signal, handler);
    this.#handlers.clear();
    this.#child = undefined;
  }

  /** The command signals are passed on to from now on. */
  attach(child: ChildProcess): void {
    this.#child = child;
  }

  #forward(signal: NodeJS.Signals): void {
    const child = this.#child;
    if (child && child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
    }
  }
}

/**
 * Runs `argv` (no shell) with the CLI's stdio and `env`, passing signals through `relay`,
 * and resolves when it ends. A command that cannot be started resolves as `not-started`.
 */
export function spawnCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  relay: SignalRelay,
): Promise<CommandOutcome> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(file as string, args, { stdio: 'inherit', env });
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown };
      resolve({ kind: 'not-started', errorCode: String(e.code ?? 'EINVAL'), message: String(e.message) });
      return;
    }
    relay.attach(child);
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        resolve({ kind: 'not-started', errorCode: error.code ?? 'UNKNOWN', message: error.message });
      }
    });
    child.once('exit', (code, signal) => {
      resolve(signal !== null ? { kind: 'signaled', signal } : { kind: 'exited', code: code ?? 0 });
    });
  });
}
