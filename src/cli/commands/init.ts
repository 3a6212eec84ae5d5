import { constants } from 'node:fs';
import { access, mkdir, stat, writeFile } from 'node:fs/promises';
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
import { displayTrackingUri } from '../../store/tracking-uri.js';
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

/**
 * `agentrack init`: opens (creating) the store and the experiments first, then writes the
 * configuration (never over an existing one without --force). When the store cannot be
 * opened, nothing is written: no configuration, no database, no folder.
 */
export async function initCommand(options: InitOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const file = resolve(process.cwd(), ctx.globals.config ?? CONFIG_FILE_NAME);
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new AgentrackError('INVALID_PARAMETER_VALUE', `${file} is a folder, not a configuration file`);
  }
  let text: string | undefined;
  if (existing && !options.force) {
    const current = await loadConfig({ path: file });
    if (options.agent !== undefined && options.agent !== current.agent) {
      throw new AgentrackError(
        'RESOURCE_ALREADY_EXISTS',
        `${file} already exists for the agent '${current.agent}'; use --force to overwrite it`,
      );
    }
  } else {
    text = configText(options.agent ?? agentNameFromFolder(process.cwd()), ctx.globals.trackingUri);
    await checkWritableFolder(file);
  }
  const trackingUri = ctx.globals.trackingUri;
  const config = await loadConfig({
    cwd: process.cwd(),
    path: file,
    ...(text !== undefined ? { text } : {}),
    overrides: trackingUri !== undefined ? { trackingUri } : {},
    env: ctx.env,
  });
  return ctx.withAgent(
    async ({ agent, target }) => {
      const report = await agent.ensureExperiments();
      if (text !== undefined) await writeConfig(file, text);
      io.stdout(text !== undefined ? `wrote ${file}\n` : `kept ${file} (it exists; --force overwrites it)\n`);
      io.stdout(formatEnsuredExperiments(report));
      io.stdout(`tracking URI: ${displayTrackingUri(target)}\n`);
      return 0;
    },
    { config },
  );
}

/** The folders from `dir` up that do not exist yet, outermost first, and the nearest one that does. */
async function missingFolders(dir: string): Promise<{ missing: string[]; existing: string }> {
  const missing: string[] = [];
  let current = dir;
  while (!(await stat(current).catch(() => undefined))) {
    missing.unshift(current);
    if (dirname(current) === current) break;
    current = dirname(current);
  }
  return { missing, existing: current };
}

/** Fails unless the configuration file's folder exists or can be made, checked before anything is written. */
async function checkWritableFolder(file: string): Promise<void> {
  const { existing } = await missingFolders(dirname(file));
  const stats = await stat(existing).catch(() => undefined);
  if (stats && !stats.isDirectory()) {
    throw new AgentrackError('INVALID_PARAMETER_VALUE', `cannot write ${file}: ${existing} is not a folder`);
  }
  try {
    await access(existing, constants.W_OK);
  } catch (error) {
    throw cannotWrite(file, error);
  }
}

/** Writes the configuration, making its folders one at a time (a recursive mkdir can spin under /proc). */
async function writeConfig(file: string, text: string): Promise<void> {
  try {
    for (const dir of (await missingFolders(dirname(file))).missing) {
      await mkdir(dir).catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      });
    }
    await writeFile(file, text);
  } catch (error) {
    throw cannotWrite(file, error);
  }
}

function cannotWrite(file: string, error: unknown): AgentrackError {
  return new AgentrackError(
    'PERMISSION_DENIED',
    `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
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
