import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { processGroupAlive, signalProcessGroup } from './process-group.js';

/** How a command run by `agentrack run` ended. */
export type CommandOutcome =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: NodeJS.Signals }
  | { kind: 'not-started'; errorCode: string; message: string };

/** The signals that interrupt `agentrack run`: passed on to the command, they end the run KILLED. */
export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/** Signals passed on to the command as they come, interrupting nothing: a terminal's resize. */
const PASSED_THROUGH_SIGNALS = ['SIGWINCH'] as const;

/** Seconds from a signal passed on to the command to SIGKILL for its process group, unless configured. */
export const DEFAULT_KILL_AFTER_SECONDS = 10;

/** How long processes that outlive SIGKILL (stuck in the kernel) are waited for before agentrack leaves them. */
const AFTER_SIGKILL_MS = 5_000;
const POLL_MS = 50;

/** The shell's exit code for a process ended by `signal`: 128 plus its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** Options of {@link SignalRelay}. */
export interface SignalRelayOptions {
  /** Seconds from passing a signal on (or SIGTERM to processes left behind) to SIGKILL; default 10. */
  killAfterSeconds?: number;
  /** Prints a one-line note for the user (stderr). */
  note?: (line: string) => void;
}

/**
 * Catches SIGINT, SIGTERM, SIGHUP and SIGQUIT while installed and remembers the first one,
 * so that an interrupted command still gets its run ended. The command runs in a process group
 * of its own, apart from the terminal's (a Ctrl-C reaches agentrack alone), and the relay passes
 * each signal on to that whole group, once. A group still running {@link SignalRelayOptions.killAfterSeconds}
 * later, or at a second signal, gets SIGKILL.
 */
export class SignalRelay {
  readonly #killAfterSeconds: number;
  readonly #note: (line: string) => void;
  readonly #handlers = new Map<NodeJS.Signals, () => void>();
  #received: NodeJS.Signals | undefined;
  #group: number | undefined;
  /** Set once the group was told to end: a further signal sends SIGKILL at once. */
  #stopping = false;
  #killTimer: NodeJS.Timeout | undefined;
  #giveUpTimer: NodeJS.Timeout | undefined;
  #giveUp: () => void = () => {};
  /** Settles {@link AFTER_SIGKILL_MS} after SIGKILL went to the group. */
  #gaveUp: Promise<undefined> = new Promise((resolve) => {
    this.#giveUp = () => resolve(undefined);
  });

  constructor(options: SignalRelayOptions = {}) {
    this.#killAfterSeconds = options.killAfterSeconds ?? DEFAULT_KILL_AFTER_SECONDS;
    this.#note = options.note ?? (() => {});
  }

  /** The first signal received, if any. */
  get received(): NodeJS.Signals | undefined {
    return this.#received;
  }

  /** Starts catching the signals. */
  install(): void {
    for (const signal of FORWARDED_SIGNALS) this.#listen(signal, () => this.#interrupt(signal));
    for (const signal of PASSED_THROUGH_SIGNALS) {
      this.#listen(signal, () => {
        if (this.#group !== undefined) signalProcessGroup(this.#group, signal);
      });
    }
  }

  /** Stops catching them: the process's default handling is back. */
  uninstall(): void {
    for (const [signal, handler] of this.#handlers) process.off(signal, handler);
    this.#handlers.clear();
    this.#detach();
  }

  /**
   * Supervises the command whose process group is `pgid` (its leader's pid) until the group is
   * gone, and resolves to how the leader ended (`exited`). Processes the leader leaves running
   * get SIGTERM, then SIGKILL as after a signal. Should the group outlive SIGKILL, `abandon` lets
   * the leader go and the command counts as killed.
   */
  async supervise(
    pgid: number,
    exited: Promise<CommandOutcome>,
    abandon: () => void,
  ): Promise<CommandOutcome> {
    this.#group = pgid;
    if (this.#received !== undefined) {
      this.#stop(this.#received, `${this.#received} passed on to the command`);
    }
    try {
      const outcome = await Promise.race([exited, this.#gaveUp]);
      if (outcome === undefined) {
        abandon();
        this.#note(`the command (process group ${pgid}) outlived SIGKILL; leaving it`);
        return { kind: 'signaled', signal: 'SIGKILL' };
      }
      if (processGroupAlive(pgid)) {
        if (!this.#stopping) {
          this.#stop(
            'SIGTERM',
            'the command exited, leaving processes of its group running: SIGTERM to them',
          );
        }
        let waiting = true;
        const gone = await Promise.race([groupEnd(pgid, () => waiting), this.#gaveUp]);
        waiting = false;
        if (gone === undefined) {
          this.#note(`processes of the command's group ${pgid} outlived SIGKILL; leaving them`);
        }
      }
      return outcome;
    } finally {
      this.#detach();
    }
  }

  #listen(signal: NodeJS.Signals, handler: () => void): void {
    this.#handlers.set(signal, handler);
    process.on(signal, handler);
  }

  #interrupt(signal: NodeJS.Signals): void {
    this.#received ??= signal;
    if (this.#group === undefined) return;
    if (this.#stopping) this.#kill(`another signal (${signal}): SIGKILL to the command's processes`);
    else this.#stop(signal, `${signal} passed on to the command`);
  }

  /** Sends `signal` to the group and SIGKILL after the grace period. */
  #stop(signal: NodeJS.Signals, what: string): void {
    const group = this.#group as number;
    this.#stopping = true;
    signalProcessGroup(group, signal);
    const seconds = this.#killAfterSeconds;
    this.#note(`${what}; SIGKILL in ${seconds} s if still running (at once on another signal)`);
    this.#killTimer = setTimeout(
      () => this.#kill(`the command's processes still run ${seconds} s after ${signal}: SIGKILL`),
      seconds * 1000,
    );
  }

  #kill(note: string): void {
    if (this.#group === undefined || this.#giveUpTimer !== undefined) return;
    clearTimeout(this.#killTimer);
    signalProcessGroup(this.#group, 'SIGKILL');
    this.#note(note);
    this.#giveUpTimer = setTimeout(this.#giveUp, AFTER_SIGKILL_MS);
  }

  #detach(): void {
    clearTimeout(this.#killTimer);
    clearTimeout(this.#giveUpTimer);
    this.#group = undefined;
  }
}

/** Resolves when process group `pgid` has no living member, polling while `waiting()`. */
async function groupEnd(pgid: number, waiting: () => boolean): Promise<true> {
  while (waiting() && processGroupAlive(pgid)) await sleep(POLL_MS);
  return true;
}

function notStarted(error: unknown): CommandOutcome {
  const e = error as { code?: unknown; message?: unknown };
  return { kind: 'not-started', errorCode: String(e.code ?? 'UNKNOWN'), message: String(e.message) };
}

/**
 * Runs `argv` (no shell) with the CLI's stdio and `env`, in a process group of its own that
 * `relay` passes signals to, and resolves when that whole group has ended. A command that
 * cannot be started resolves as `not-started`.
 */
export async function spawnCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  relay: SignalRelay,
): Promise<CommandOutcome> {
  const [file, ...args] = argv;
  let child: ChildProcess;
  try {
    // setsid(): a session and process group of its own, whose id is the child's pid. The
    // terminal's signals then reach agentrack only, which passes each on to the group once.
    child = spawn(file as string, args, { stdio: 'inherit', env, detached: true });
  } catch (error) {
    return notStarted(error);
  }
  const failed = new Promise<CommandOutcome>((resolve) => {
    child.on('error', (error) => resolve(notStarted(error)));
  });
  const pgid = child.pid;
  if (pgid === undefined) return failed;
  const exited = new Promise<CommandOutcome>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(signal !== null ? { kind: 'signaled', signal } : { kind: 'exited', code: code ?? 0 });
    });
  });
  return relay.supervise(pgid, exited, () => child.unref());
}
