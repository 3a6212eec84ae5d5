import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { AgentrackError, isAgentrackError } from '../../errors.js';
import {
  AGENT_NAME_PATTERN,
  CONFIG_FILE_NAME,
  MAX_AGENT_NAME_LENGTH,
  exampleConfigText,
  loadConfig,
} from '../../lifecycle/config.js';
import type { EnsuredExperiment } from '../../lifecycle/experiments.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { formatTable } from '../output/table.js';

/** Options of `agentrack init`. */
export interface InitOptions {
  agent?: string;
  force?: boolean;
}

const OUTCOME_LABELS: Readonly<Record<EnsuredExperiment['outcome'], string>> = {
  created: 'created',
  existed: 'already existed',
  restored: 'restored',
};

/**
 * An agent name from a folder name: characters outside `[A-Za-z0-9_.-]` become `_`, and the
 * name starts at its first letter or digit; `agent` when nothing is left.
 *
 * @example agentNameFromFolder('/home/me/My Bot') // 'My_Bot'
 */
export function agentNameFromFolder(folder: string): string {
  const name = basename(folder)
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_AGENT_NAME_LENGTH);
  return AGENT_NAME_PATTERN.test(name) ? name : 'agent';
}

/** The experiments report of `init` and `quickstart`: `created  /Shared/a/development  (id 1)`. */
export function formatEnsuredExperiments(report: readonly EnsuredExperiment[], indent = ''): string {
  return formatTable(
    undefined,
    report.map((e) => [OUTCOME_LABELS[e.outcome], e.path, `(id ${e.experimentId})`]),
    { indent },
  );
}

/** `agentrack init`: writes the configuration (never over an existing one without --force), then creates the experiments. */
export async function initCommand(options: InitOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const file = resolve(process.cwd(), ctx.globals.config ?? CONFIG_FILE_NAME);
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new AgentrackError('INVALID_PARAMETER_VALUE', `${file} is a folder, not a configuration file`);
  }
  if (existing && !options.force) {
    const current = await loadConfig({ path: file });
    if (options.agent !== undefined && options.agent !== current.agent) {
      throw new AgentrackError(
        'RESOURCE_ALREADY_EXISTS',
        `${file} already exists for the agent '${current.agent}'; use --force to overwrite it`,
      );
    }
    io.stdout(`kept ${file} (it exists; --force overwrites it)\n`);
  } else {
    const text = configText(options.agent ?? agentNameFromFolder(process.cwd()), ctx.globals.trackingUri);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
    io.stdout(`wrote ${file}\n`);
  }
  return ctx.withAgent(
    async ({ agent, trackingUri }) => {
      io.stdout(formatEnsuredExperiments(await agent.ensureExperiments()));
      io.stdout(`tracking URI: ${trackingUri}\n`);
      return 0;
    },
    { configPath: file },
  );
}

function configText(agent: string, trackingUri: string | undefined): string {
  try {
    return exampleConfigText(agent, trackingUri);
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) throw usageError(`--${error.message}`);
    throw error;
  }
}

/** Adds `init` to the program. */
export function registerInitCommand(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description(
      `write ${CONFIG_FILE_NAME} in this folder and create the agent's three experiments (safe to re-run)`,
    )
    .option('--agent <name>', "the agent's name (default: this folder's name)")
    .option('--force', `overwrite an existing ${CONFIG_FILE_NAME}`)
    .action(ctx.action((options: InitOptions) => initCommand(options, ctx)));
}
