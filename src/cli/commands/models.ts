import type { Command } from 'commander';
import type { RegistryClient } from '../../client/registry-client.js';
import type { ModelVersion } from '../../entities/index.js';
import { invalidParameter, isAgentrackError, notFound } from '../../errors.js';
import { DEFAULT_PRODUCTION_ALIAS } from '../../lifecycle/config.js';
import { REGISTRY_TAGS } from '../../lifecycle/conventions.js';
import { registeredVersions, type RegisteredVersions } from '../../lifecycle/registered-versions.js';
import { validateModelAliasName } from '../../validation/index.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import type { Paint } from '../output/color.js';
import { formatJson } from '../output/json.js';
import { formatTable } from '../output/table.js';
import { formatTime } from '../output/time.js';

/** Options of `agentrack models`. */
export interface ModelsOptions {
  name?: string;
  alias?: string;
  json?: boolean;
}

/** What `agentrack models` shows: the registered model, its versions and which one is in production. */
export interface ModelsListing extends RegisteredVersions {
  alias: string;
  production: string | null;
}

function tag(version: ModelVersion, key: string): string | undefined {
  return version.tags?.find((t) => t.key === key)?.value;
}

function paintVersionStatus(status: string, paint: Paint): string {
  if (status === 'READY') return paint.green(status);
  if (status === 'FAILED_REGISTRATION') return paint.red(status);
  return paint.yellow(status);
}

/** The table of `agentrack models`: one line per version, newest first. */
export function formatModelVersions(listing: ModelsListing, paint: Paint): string {
  return formatTable(
    ['VERSION', 'PRODUCTION', 'ALIASES', 'STATUS', 'STAGE', 'CREATED', 'EVALUATION RUN', 'DEPLOYMENT RUN'],
    listing.versions.map((v) => [
      v.version,
      v.version === listing.production ? paint.green('yes') : '-',
      v.aliases && v.aliases.length > 0 ? v.aliases.join(',') : '-',
      paintVersionStatus(v.status, paint),
      v.current_stage,
      formatTime(v.creation_timestamp),
      tag(v, REGISTRY_TAGS.evaluationRunId) ?? '-',
      tag(v, REGISTRY_TAGS.deploymentRunId) ?? '-',
    ]),
  );
}

async function listing(
  registry: RegistryClient,
  name: string,
  alias: string,
  configured: boolean,
): Promise<ModelsListing> {
  let found: RegisteredVersions;
  try {
    found = await registeredVersions(registry, name);
  } catch (error) {
    if (!isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) throw error;
    const where = configured ? ' (registeredModel in the configuration)' : '';
    throw notFound(`the registered model '${name}'${where} does not exist in the model registry`);
  }
  const production = found.model.aliases?.find((a) => a.alias === alias)?.version ?? null;
  return { ...found, alias, production };
}

function print(result: ModelsListing, options: ModelsOptions, ctx: CliContext): number {
  if (options.json) {
    ctx.io.stdout(
      formatJson({
        registered_model: result.model,
        production_alias: result.alias,
        production_version: result.production,
        model_versions: result.versions,
      }),
    );
    return 0;
  }
  const { model, versions, alias, production } = result;
  if (versions.length === 0) {
    ctx.io.stderr(`the registered model '${model.name}' has no versions\n`);
    return 0;
  }
  const count = `${versions.length} version${versions.length === 1 ? '' : 's'}`;
  const live =
    production === null
      ? `no version has the alias '${alias}'`
      : `version ${production} in production (alias '${alias}')`;
  ctx.io.stdout(`registered model ${model.name}: ${count}, ${live}\n`);
  ctx.io.stdout(formatModelVersions(result, ctx.out));
  return 0;
}

function checkedAlias(alias: string | undefined): string | undefined {
  if (alias === undefined) return undefined;
  try {
    return validateModelAliasName(alias);
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) throw usageError(`--alias: ${error.message}`);
    throw error;
  }
}

/**
 * `agentrack models`: the versions of the configured registered model (or of `--name`),
 * newest first, with their aliases, status, stage, the evaluation and deployment runs they are
 * tagged with, and which one the production alias names. It only reads.
 */
export async function modelsCommand(options: ModelsOptions, ctx: CliContext): Promise<number> {
  const alias = checkedAlias(options.alias);
  if (options.name !== undefined) {
    const name = options.name;
    if (name.trim() === '') throw usageError('--name needs the name of a registered model');
    // Any registered model: a configuration only lends its tracking URI.
    return ctx.withClient(
      async (client) =>
        print(await listing(client.registry, name, alias ?? DEFAULT_PRODUCTION_ALIAS, false), options, ctx),
      { mode: 'read' },
    );
  }
  return ctx.withReadOnlyAgent(async ({ agent }) => {
    const name = agent.config.registeredModel;
    if (name === undefined) {
      throw invalidParameter(
        `the agent '${agent.config.agent}' has no registered model: set "registeredModel" in ${agent.config.configPath ?? 'the configuration'}, or give --name <registered model>`,
      );
    }
    return print(
      await listing(agent.client.registry, name, alias ?? agent.config.productionAlias, true),
      options,
      ctx,
    );
  });
}

const MODELS_HELP = `
Without --name, the registered model is the configuration's registeredModel, and the version
in production is the one its productionAlias (default production) points at. The EVALUATION
RUN and DEPLOYMENT RUN of a version are its tags agentrack.evaluation_run_id (the evaluation
that registered it, or that its deployment was promoted from) and agentrack.deployment_run_id
(its latest successful deployment).

With --name, any registered model of the tracking store: the configuration, when there is one,
only lends its tracking URI, and the production alias is --alias (default production).

--json prints {registered_model, production_alias, production_version, model_versions}, with
MLflow's RegisteredModel and ModelVersion objects (the runs in their tags).

Examples:
  agentrack models
  agentrack models --json
  agentrack models --name fraud_detector --alias champion
`;

/** Adds `models` to the program. */
export function registerModelsCommand(program: Command, ctx: CliContext): void {
  program
    .command('models')
    .description(
      "list the versions of the agent's registered model, newest first, and which is in production",
    )
    .option('--name <registered-model>', 'any registered model instead of the configured one')
    .option(
      '--alias <alias>',
      "the alias that names the version in production (default: the configuration's productionAlias, or production with --name)",
    )
    .option('--json', 'print the registered model and its versions as JSON')
    .addHelpText('after', MODELS_HELP)
    .action(ctx.action((options: ModelsOptions) => modelsCommand(options, ctx)));
}
