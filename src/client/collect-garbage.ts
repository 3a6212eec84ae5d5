import { joinArtifactPath } from '../artifacts/artifact-path.js';
import type { ArtifactLocator } from '../artifacts/artifact-locator.js';
import type { Experiment, RunInfo } from '../entities/index.js';
import { AgentrackError, invalidParameter, isAgentrackError } from '../errors.js';
import type { PermanentDeletion, TrackingStore } from '../store/tracking-store.js';
import { parseDuration } from '../utils/duration.js';
import type { TrackingClient } from './tracking-client.js';

/** Options of {@link collectGarbage}: which deleted runs and experiments go, as `mlflow gc`'s. */
export interface CollectGarbageOptions {
  /**
   * Only what was deleted at least this long ago, in MLflow's `#d#h#m#s` form (`1d2h3m4s`,
   * `1.5h`): runs by their deletion time, experiments by their last update (their deletion).
   */
  olderThan?: string;
  /** These runs instead of every deleted run; each must be deleted (and old enough). */
  runIds?: readonly string[];
  /** These experiments instead of every deleted one; each must be deleted (and old enough). */
  experimentIds?: readonly string[];
  /**
   * Finds the artifacts of each run removed, which are removed first (proxied ones need the
   * server's destination as its `proxied` repository). Without it, artifacts are left alone.
   */
  artifacts?: ArtifactLocator;
  /** Find and check what would go, and remove nothing. */
  dryRun?: boolean;
  /** Told of each run and experiment as it goes (or would go, in a dry run). */
  onRemoved?: (removed: Removed) => void;
  /** The clock for `olderThan`, in epoch milliseconds. */
  now?: () => number;
}

/** What became of a removed run's artifacts. */
export type ArtifactsOutcome =
  | { status: 'removed' }
  /** A dry run, or no locator: nothing was touched. */
  | { status: 'kept' }
  /** Their URI cannot be reached from here (an unsupported scheme, no proxied repository). */
  | { status: 'skipped'; reason: string };

/** One run or experiment removed (or, in a dry run, to be removed). */
export type Removed =
  { kind: 'run'; run: RunInfo; artifacts: ArtifactsOutcome } | { kind: 'experiment'; experiment: Experiment };

/** What {@link collectGarbage} removed, in the order it did. */
export interface GarbageReport {
  dryRun: boolean;
  runs: Array<{ run: RunInfo; artifacts: ArtifactsOutcome }>;
  experiments: Experiment[];
}

/** Runs and experiment ids searched at once. */
const SEARCH_CHUNK = 100;

/**
 * Permanently removes deleted runs and experiments, as `mlflow gc` does: every run in the
 * `deleted` stage (or `runIds`), every deleted experiment (or `experimentIds`) with all its
 * runs, optionally only those deleted longer ago than `olderThan`; each run's artifacts
 * first, then its records (params, tags, metrics, inputs), one transaction per run, then the
 * experiments. Unlike `mlflow gc`, everything is checked before anything is removed: a
 * named run or experiment that is not deleted, or not old enough, is INVALID_PARAMETER_VALUE
 * and nothing goes. A store that cannot remove anything permanently (a tracking server over
 * REST) is INVALID_STATE.
 *
 * @example
 * const report = await collectGarbage(client, { olderThan: '30d', artifacts: createArtifactLocator({ proxied }) });
 */
export async function collectGarbage(
  client: TrackingClient,
  options: CollectGarbageOptions = {},
): Promise<GarbageReport> {
  const store = permanentDeletion(client.store);
  const olderThanMs = options.olderThan === undefined ? 0 : parseDuration(options.olderThan);
  const threshold = (options.now ?? Date.now)() - olderThanMs;
  const aged = new Set(await store.deletedRunIds(olderThanMs));
  const experiments = await deletedExperiments(client, options, olderThanMs > 0 ? threshold : undefined);

  const runs = new Map<string, RunInfo>();
  for (const runId of options.runIds ?? aged) {
    if (runs.has(runId)) continue;
    const { info } = await client.getRun(runId);
    if (info.lifecycle_stage !== 'deleted') {
      throw invalidParameter(
        `Run ${runId} is not in the deleted lifecycle stage. Only runs in the deleted lifecycle stage can be deleted.`,
      );
    }
    if (olderThanMs > 0 && !aged.has(runId)) {
      throw invalidParameter(
        `Run ${runId} is not older than the required age. Only runs deleted more than ${options.olderThan} ago can be deleted.`,
      );
    }
    runs.set(runId, info);
  }
  // An experiment goes with every run in it, whatever each run's own stage and age.
  for (let i = 0; i < experiments.length; i += SEARCH_CHUNK) {
    const experimentIds = experiments.slice(i, i + SEARCH_CHUNK).map((e) => e.experiment_id);
    for await (const run of client.iterateRuns({ experimentIds, runViewType: 'ALL', maxResults: 1000 })) {
      if (!runs.has(run.info.run_id)) runs.set(run.info.run_id, run.info);
    }
  }

  const report: GarbageReport = { dryRun: options.dryRun === true, runs: [], experiments: [] };
  for (const info of runs.values()) {
    const artifacts =
      options.dryRun || !options.artifacts
        ? ({ status: 'kept' } as const)
        : await removeArtifacts(options.artifacts, info);
    // A run of a removed experiment that is still active goes with the experiment.
    if (!options.dryRun && info.lifecycle_stage === 'deleted') await store.hardDeleteRun(info.run_id);
    report.runs.push({ run: info, artifacts });
    options.onRemoved?.({ kind: 'run', run: info, artifacts });
  }
  for (const experiment of experiments) {
    if (!options.dryRun) await store.hardDeleteExperiment(experiment.experiment_id);
    report.experiments.push(experiment);
    options.onRemoved?.({ kind: 'experiment', experiment });
  }
  return report;
}

function permanentDeletion(store: TrackingStore): TrackingStore & PermanentDeletion {
  const candidate = store as Partial<PermanentDeletion>;
  if (
    typeof candidate.hardDeleteRun !== 'function' ||
    typeof candidate.hardDeleteExperiment !== 'function' ||
    typeof candidate.deletedRunIds !== 'function'
  ) {
    throw new AgentrackError(
      'INVALID_STATE',
      `A ${store.kind} store cannot remove runs permanently: MLflow's REST API has no such operation. ` +
        'Collect garbage where the database is.',
    );
  }
  return store as TrackingStore & PermanentDeletion;
}

/** The experiments to remove: the ones named (checked), else every deleted one (old enough). */
async function deletedExperiments(
  client: TrackingClient,
  options: CollectGarbageOptions,
  threshold: number | undefined,
): Promise<Experiment[]> {
  if (options.experimentIds === undefined) {
    const found: Experiment[] = [];
    for await (const page of client.searchExperimentsPages({
      viewType: 'DELETED_ONLY',
      maxResults: 1000,
      ...(threshold !== undefined ? { filter: `last_update_time < ${threshold}` } : {}),
    })) {
      found.push(...page.items);
    }
    return found;
  }
  const named: Experiment[] = [];
  for (const id of new Set(options.experimentIds)) named.push(await client.getExperiment(id));
  const active = named.filter((e) => e.lifecycle_stage !== 'deleted').map((e) => e.experiment_id);
  if (active.length > 0) {
    throw invalidParameter(
      `Experiments ${active.join(', ')} are not in the deleted lifecycle stage. Only experiments in the deleted ` +
        'lifecycle stage can be hard-deleted.',
    );
  }
  const recent = named.filter((e) => threshold !== undefined && e.last_update_time >= threshold);
  if (recent.length > 0) {
    throw invalidParameter(
      `Experiments ${recent.map((e) => e.experiment_id).join(', ')} are not older than the required age. Only ` +
        `experiments deleted more than ${options.olderThan} ago can be deleted.`,
    );
  }
  return named;
}

/**
 * Removes a run's artifacts. A run's artifact URI is `<experiment location>/<run_id>/artifacts`,
 * so the run's whole folder goes (`<run_id>/`, nothing is left empty); any other URI loses
 * what is below it. A URI that cannot be reached from here is skipped, as `mlflow gc` skips
 * an invalid one; any other failure stops the collection before the run's records go.
 */
async function removeArtifacts(locator: ArtifactLocator, info: RunInfo): Promise<ArtifactsOutcome> {
  const uri = info.artifact_uri.trim().replace(/\/+$/, '');
  if (uri === '') return { status: 'kept' };
  const suffix = `/${info.run_id}/artifacts`;
  try {
    if (uri.endsWith(suffix) && uri.length > suffix.length) {
      const parent = await locator.locate(uri.slice(0, -suffix.length));
      await parent.repository.delete(joinArtifactPath(parent.path, info.run_id));
    } else {
      const { repository, path } = await locator.locate(uri);
      if (path !== '') await repository.delete(path);
      else for (const entry of await repository.list('')) await repository.delete(entry.path);
    }
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE'))
      return { status: 'skipped', reason: error.message };
    throw error;
  }
  return { status: 'removed' };
}
