import type { Command } from 'commander';
import { TrackingClient } from '../client/tracking-client.js';
import type { AgentConfig } from '../lifecycle/agent-config.js';
import { Agent } from '../lifecycle/agent.js';
import { findConfigFile, loadConfig } from '../lifecycle/config.js';
import type { OpenStoreOptions } from '../store/open-store.js';
import type { StoreMode } from '../store/sqlite/sqlite-store.js';
import { missingConfigHint } from './missing-config-hint.js';
import { colorEnabled, createPaint, type Paint } from './output/color.js';
import { retryPrinter } from './output/retry-printer.js';
import type { CliIo } from './run-main.js';
import { resolveTrackingTarget, type TrackingTarget } from '../store/tracking-uri.js';

/** The options every command accepts, before or after its name. */
export interface GlobalOptions {
  trackingUri?: string;
  config?: string;
  debug?: boolean;
  /** False with `--no-color`. */
  color: boolean;
}

/** An open agent and the tracking store it writes to. */
export interface OpenedAgent {
  agent: Agent;
  /** The store, parsed; `canonicalTrackingUri` for a child process, `displayTrackingUri` to print. */
  target: TrackingTarget;
}

/** Options of {@link CliContext.withAgent}. */
export interface WithAgentOptions {
  /** Use this configuration instead of loading `agentrack.config.json`. */
  config?: AgentConfig;
  /** Load the configuration from this file instead of `--config` or the search from the working folder. */
  configPath?: string;
  /** `read` for commands that only read: they never create or change the store. Default `write`. */
  mode?: StoreMode;
  /** Called with the resolved store before it is opened: a command refuses a store it cannot use here, before anything is written. */
  checkTarget?: (target: TrackingTarget) => void;
  /** Where runs' `mlflow-artifacts:` files go (a folder, `file:` or `s3:` URI): see `OpenTrackingClientOptions.artifactsDestination`. */
  artifactsDestination?: string;
}

/** What every command gets: the streams, the global options, colors, the exit code and the agent. */
export class CliContext {
  readonly io: CliIo;
  readonly env: NodeJS.ProcessEnv;
  readonly #globals: () => GlobalOptions;
  #exitCode = 0;
  /** The command being run, set before its action: what it declares words the hint of a missing configuration. */
  command: Command | undefined;

  constructor(io: CliIo, globals: () => GlobalOptions) {
    this.io = io;
    this.env = io.env ?? process.env;
    this.#globals = globals;
  }

  /** The global options as parsed. */
  get globals(): GlobalOptions {
    return this.#globals();
  }

  /** The exit code the command set (0 unless it set one). */
  get exitCode(): number {
    return this.#exitCode;
  }

  /** Colors for stdout. */
  get out(): Paint {
    return createPaint(colorEnabled(this.io.stdoutIsTTY, this.env, this.globals.color));
  }

  /** Colors for stderr. */
  get err(): Paint {
    return createPaint(colorEnabled(this.io.stderrIsTTY, this.env, this.globals.color));
  }

  /** How commands open stores: with the CLI's environment, retries shown on a terminal or under `--debug`. */
  get storeOptions(): OpenStoreOptions {
    const onRetry = retryPrinter(this.io, this.globals.debug === true);
    return { env: this.env, ...(onRetry ? { onRetry } : {}) };
  }

  /** Wraps a command's action: the number it resolves to becomes the exit code. */
  action<A extends unknown[]>(run: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
    return async (...args: A) => {
      this.#exitCode = await run(...args);
    };
  }

  /**
   * Opens the agent (configuration from `--config` or `agentrack.config.json`, `--tracking-uri`
   * and the command's `--agent` over it), runs `fn` and closes it again.
   */
  async withAgent<T>(fn: (opened: OpenedAgent) => Promise<T>, options: WithAgentOptions = {}): Promise<T> {
    const globals = this.globals;
    const path = options.configPath ?? globals.config;
    // A command's own --agent names the agent (as given, never a default of the option).
    const command = this.command;
    const agentOption: unknown =
      command?.getOptionValueSource('agent') === 'cli' ? command.getOptionValue('agent') : undefined;
    const config =
      options.config ??
      (await loadConfig({
        cwd: process.cwd(),
        ...(path !== undefined ? { path } : {}),
        overrides: {
          ...(globals.trackingUri !== undefined ? { trackingUri: globals.trackingUri } : {}),
          ...(typeof agentOption === 'string' ? { agent: agentOption } : {}),
        },
        env: this.env,
        missingHint: missingConfigHint(command),
      }));
    // loadConfig resolved the configuration's URI (see resolveTrackingTarget); without a file, the environment's.
    const target = resolveTrackingTarget({ uri: config.trackingUri, env: this.env });
    options.checkTarget?.(target);
    const client = await TrackingClient.open(target, {
      ...this.storeOptions,
      mode: options.mode ?? 'write',
      ...(options.artifactsDestination !== undefined
        ? { artifactsDestination: options.artifactsDestination }
        : {}),
    });
    try {
      const agent = await Agent.open({ config, client });
      try {
        return await fn({ agent, target });
      } finally {
        await agent.close();
      }
    } finally {
      await client.close();
    }
  }

  /**
   * Opens a tracking client for commands that need a store but no agent (a run id names what
   * they act on): on `--tracking-uri`, else the configuration's tracking URI when there is a
   * configuration (`--config`, or `agentrack.config.json` here or above), else the
   * environment's, else `./agentrack.db`. Runs `fn` and closes the client again.
   */
  async withClient<T>(
    fn: (client: TrackingClient, target: TrackingTarget) => Promise<T>,
    options: { mode?: StoreMode } = {},
  ): Promise<T> {
    const globals = this.globals;
    let configured = globals.trackingUri;
    if (configured === undefined && (globals.config !== undefined || findConfigFile(process.cwd()))) {
      const config = await loadConfig({
        cwd: process.cwd(),
        ...(globals.config !== undefined ? { path: globals.config } : {}),
        env: this.env,
      });
      configured = config.trackingUri;
    }
    const target = resolveTrackingTarget({ uri: configured, env: this.env });
    const client = await TrackingClient.open(target, {
      ...this.storeOptions,
      mode: options.mode ?? 'write',
    });
    try {
      return await fn(client, target);
    } finally {
      await client.close();
    }
  }

  /** {@link withAgent} for commands that only read: the store is opened in `read` mode. */
  async withReadOnlyAgent<T>(fn: (opened: OpenedAgent) => Promise<T>): Promise<T> {
    return this.withAgent(fn, { mode: 'read' });
  }
}
