import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { createArtifactLocator } from '../../artifacts/artifact-locator.js';
import { collectGarbage, type GarbageReport, type Removed } from '../../client/collect-garbage.js';
import { TrackingClient } from '../../client/tracking-client.js';
import { isAgentrackError } from '../../errors.js';
import { displayTrackingUri, resolveTrackingTarget } from '../../store/tracking-uri.js';
import { parseDuration } from '../../utils/duration.js';
import { openArtifactsDestination, type ArtifactsDestination } from '../artifacts-destination.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { formatJson } from '../output/json.js';

/** Options of `agentrack gc`, as commander parses them. */
export interface GcOptions {
  olderThan?: string;
  backendStoreUri?: string;
  artifactsDestination?: string;
  runIds?: string;
  experimentIds?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** A comma-separated list of ids, without empty entries; a usage error when it holds none. */
function idList(text: string | undefined, option: string): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = text
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length === 0) throw usageError(`${option}: expected a comma-separated list of ids, got '${text}'`);
  return ids;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The line printed for one run or experiment removed (or to be removed, in a dry run). */
function describe(removed: Removed, dryRun: boolean): string {
  const verb = dryRun ? 'would remove' : 'removed';
  if (removed.kind === 'experiment') {
    return `${verb} experiment ${removed.experiment.name} (${removed.experiment.experiment_id})`;
  }
  const { run, artifacts } = removed;
  const line = `${verb} run ${run.run_name} (${run.run_id}) of experiment ${run.experiment_id}`;
  if (run.artifact_uri === '') return line;
  if (artifacts.status === 'skipped') {
    return `${line}; its artifacts at ${run.artifact_uri} were left: ${artifacts.reason}`;
  }
  return `${line} and its artifacts at ${run.artifact_uri}`;
}

function summary(report: GarbageReport, olderThan: string | undefined): string {
  const what = [
    report.runs.length > 0 ? plural(report.runs.length, 'run') : '',
    report.experiments.length > 0 ? plural(report.experiments.length, 'experiment') : '',
  ].filter((part) => part !== '');
  if (what.length === 0) {
    return `nothing to remove: no runs or experiments deleted${olderThan !== undefined ? ` more than ${olderThan} ago` : ''}`;
  }
  return report.dryRun
    ? `would remove ${what.join(' and ')} (dry run: nothing was removed)`
    : `removed ${what.join(' and ')}`;
}

/** `--json`: the report in MLflow's naming. */
function reportJson(report: GarbageReport): unknown {
  return {
    dry_run: report.dryRun,
    runs: report.runs.map(({ run, artifacts }) => ({
      run_id: run.run_id,
      run_name: run.run_name,
      experiment_id: run.experiment_id,
      artifact_uri: run.artifact_uri,
      artifacts: artifacts.status,
      ...(artifacts.status === 'skipped' ? { reason: artifacts.reason } : {}),
    })),
    experiments: report.experiments.map((e) => ({ experiment_id: e.experiment_id, name: e.name })),
  };
}

/**
 * `agentrack gc`: permanently removes deleted runs and experiments from a SQLite or PostgreSQL
 * store, with their artifacts, as `mlflow gc` does (see {@link collectGarbage}). A PostgreSQL
 * store needs `--artifacts-destination` (it has no folder beside it). A tracking server's URI
 * is a usage error: MLflow's REST API removes nothing permanently.
 */
export async function gcCommand(options: GcOptions, ctx: CliContext): Promise<number> {
  if (options.olderThan !== undefined) {
    try {
      parseDuration(options.olderThan);
    } catch (error) {
      if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE'))
        throw usageError(`--older-than: ${error.message}`);
      throw error;
    }
  }
  const runIds = idList(options.runIds, '--run-ids');
  const experimentIds = idList(options.experimentIds, '--experiment-ids');
  const target = resolveTrackingTarget({
    uri: options.backendStoreUri ?? ctx.globals.trackingUri,
    env: ctx.env,
  });
  if (target.kind === 'postgres' && options.artifactsDestination === undefined) {
    throw usageError(
      `'${displayTrackingUri(target)}' is a PostgreSQL database, which has no folder beside it for artifacts: ` +
        "give --artifacts-destination <uri>, the one its servers keep proxied artifacts in, so that the runs' artifacts go with them",
    );
  }
  if (target.kind !== 'sqlite' && target.kind !== 'postgres') {
    throw usageError(
      `agentrack gc works on a database, and '${displayTrackingUri(target)}' is a tracking server: MLflow's REST API ` +
        'cannot remove runs permanently. Run it where the database is: agentrack gc --backend-store-uri sqlite:///path.db (or postgresql://...)',
    );
  }
  let destination: ArtifactsDestination;
  try {
    const databasePath = target.kind === 'sqlite' ? target.path : ':memory:';
    destination = await openArtifactsDestination(options.artifactsDestination, databasePath, ctx.env);
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) {
      throw usageError(`--artifacts-destination: ${error.message}`);
    }
    throw error;
  }
  const locator = createArtifactLocator({ proxied: destination.repository, env: ctx.env });
  try {
    // gc removes and never creates: a missing SQLite file is the error the read commands give.
    const missing = target.kind === 'sqlite' && !existsSync(target.path);
    const mode = options.dryRun || missing ? 'read' : 'write';
    const client = await TrackingClient.open(target, { ...ctx.storeOptions, mode });
    try {
      const dryRun = options.dryRun === true;
      const report = await collectGarbage(client, {
        ...(options.olderThan !== undefined ? { olderThan: options.olderThan } : {}),
        ...(runIds ? { runIds } : {}),
        ...(experimentIds ? { experimentIds } : {}),
        artifacts: locator,
        dryRun,
        ...(options.json
          ? {}
          : { onRemoved: (removed: Removed) => ctx.io.stdout(`${describe(removed, dryRun)}\n`) }),
      });
      ctx.io.stdout(
        options.json ? formatJson(reportJson(report)) : `${summary(report, options.olderThan)}\n`,
      );
      return 0;
    } finally {
      await client.close();
    }
  } finally {
    await locator.close();
    await destination.repository.close();
    await destination.dispose();
  }
}

const GC_HELP = `
What goes: every run in the deleted lifecycle stage (or those --run-ids names, which must be
deleted), and every deleted experiment (or those --experiment-ids names) with all its runs;
with --older-than, only what was deleted longer ago than that. A run's artifacts go first
(proxied ones, mlflow-artifacts:/..., from --artifacts-destination), then its records: params,
tags, metrics and inputs. Everything is checked before anything is removed.

Examples:
  agentrack gc --dry-run
  agentrack gc --older-than 30d
  agentrack gc --run-ids 4f1c...,9a2b... --backend-store-uri sqlite:////data/agentrack.db
  agentrack gc --older-than 30d --backend-store-uri postgresql://agentrack@db/agentrack \
    --artifacts-destination s3://team-artifacts/agentrack
`;

/** Adds `gc` to the program. */
export function registerGcCommand(program: Command, ctx: CliContext): void {
  program
    .command('gc')
    .description('permanently remove deleted runs and experiments, with their artifacts (as mlflow gc)')
    .option(
      '--older-than <duration>',
      'only what was deleted longer ago than this, as #d#h#m#s (e.g. 30d, 1d2h3m4s, 1.5h)',
    )
    .option(
      '--backend-store-uri <uri>',
      'the database, SQLite or PostgreSQL (default: --tracking-uri, the environment, sqlite:///agentrack.db)',
    )
    .option(
      '--artifacts-destination <uri>',
      'where its servers keep proxied artifacts (default: <database>-artifacts beside a SQLite database; required with PostgreSQL)',
    )
    .option('--run-ids <ids>', 'comma-separated ids of deleted runs to remove (default: every deleted run)')
    .option(
      '--experiment-ids <ids>',
      'comma-separated ids of deleted experiments to remove (default: every deleted experiment)',
    )
    .option('--dry-run', 'print what would be removed, and remove nothing')
    .option('--json', 'print what was removed as JSON')
    .addHelpText('after', GC_HELP)
    .action(ctx.action((options: GcOptions) => gcCommand(options, ctx)));
}
