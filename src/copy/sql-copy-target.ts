import type { Experiment, LoggedModel } from '../entities/index.js';
import { AgentrackError } from '../errors.js';
import type { RegisteredModelRecord, RunModelLink, RunRecord, TraceRecord } from '../store/import-records.js';
import type { SqlImport } from '../store/sql/import.js';
import type { TargetArtifacts, CopyTarget } from './copy-target.js';
import { IdMap } from './id-map.js';

/** The error of a target whose objects conflict with the source's. */
function conflict(message: string): AgentrackError {
  return new AgentrackError('RESOURCE_ALREADY_EXISTS', message);
}

/**
 * A SQL store as a copy's target, through its import surface ({@link SqlImport}): every id is
 * kept, and every page of runs (or of logged models, traces, one registered model) goes in as
 * one transaction, after its artifacts. What the target holds is the copy's progress: a run
 * that is there is complete, one that is not is written again whole, artifacts first (a file
 * already there with its size is not copied again). No state file is needed.
 */
export class SqlCopyTarget implements CopyTarget {
  readonly keepsIds = true;
  readonly ids = new IdMap();
  readonly #import: SqlImport;
  readonly #artifacts: TargetArtifacts;
  readonly #now: () => number;
  #existing = new Map<string, { name: string; lifecycleStage: string }>();

  constructor(importer: SqlImport, artifacts: TargetArtifacts, now: () => number = Date.now) {
    this.#import = importer;
    this.#artifacts = artifacts;
    this.#now = now;
  }

  async check(experiments: readonly Experiment[]): Promise<void> {
    this.#existing = await this.#import.experiments();
    const byName = new Map([...this.#existing].map(([id, e]) => [e.name, id]));
    for (const experiment of experiments) {
      const there = this.#existing.get(experiment.experiment_id);
      if (there !== undefined && there.name !== experiment.name) {
        throw conflict(
          `The target already has an experiment ${experiment.experiment_id} named '${there.name}', where the source's ` +
            `experiment ${experiment.experiment_id} is '${experiment.name}': a copy keeps ids, so the target must not ` +
            'have other experiments. Copy into a new database.',
        );
      }
      const holder = byName.get(experiment.name);
      if (holder !== undefined && holder !== experiment.experiment_id) {
        throw conflict(
          `The target already has an experiment named '${experiment.name}' with id ${holder}, where the source's ` +
            `has id ${experiment.experiment_id}. Copy into a new database.`,
        );
      }
    }
  }

  async experiment(experiment: Experiment): Promise<void> {
    const there = this.#existing.get(experiment.experiment_id);
    if (
      there !== undefined &&
      there.lifecycleStage === experiment.lifecycle_stage &&
      experiment.experiment_id !== '0'
    ) {
      return;
    }
    // The database's own Default experiment takes the source's tags, location and times.
    await this.#import.putExperiment(experiment, experiment.lifecycle_stage);
  }

  async runs(experiment: Experiment, runs: readonly RunRecord[]): Promise<number> {
    const there = await this.#import.existingRuns(runs.map((r) => r.info.run_id));
    for (const [runId, experimentId] of there) {
      if (experimentId !== experiment.experiment_id) {
        throw conflict(
          `The target already has run ${runId} in experiment ${experimentId}; the source has it in experiment ${experiment.experiment_id}.`,
        );
      }
    }
    const missing = runs.filter((r) => !there.has(r.info.run_id));
    for (const run of missing) await this.#copyArtifacts(run.info.artifact_uri);
    const deletedAt = this.#now();
    await this.#import.putRuns(missing, {
      deletedTime: () => (experiment.lifecycle_stage === 'deleted' ? experiment.last_update_time : deletedAt),
    });
    return missing.length;
  }

  async loggedModels(_experiment: Experiment, models: readonly LoggedModel[]): Promise<number> {
    const there = await this.#import.existingLoggedModels(models.map((m) => m.info.model_id));
    const missing = models.filter((m) => !there.has(m.info.model_id));
    for (const model of missing) await this.#copyArtifacts(model.info.artifact_uri);
    await this.#import.putLoggedModels(missing);
    return missing.length;
  }

  async modelLinks(_experiment: Experiment, links: readonly RunModelLink[]): Promise<void> {
    await this.#import.putModelLinks(links);
  }

  async traces(_experiment: Experiment, traces: readonly TraceRecord[]): Promise<number> {
    const there = await this.#import.existingTraces(traces.map((t) => t.info.trace_id));
    const missing = traces.filter((t) => !there.has(t.info.trace_id));
    await this.#import.putTraces(missing);
    return missing.length;
  }

  async finishExperiment(): Promise<void> {
    // Experiments and runs were written in their lifecycle stage already.
  }

  async registeredModel(record: RegisteredModelRecord): Promise<boolean> {
    const there = await this.#import.existingRegisteredModels([record.model.name]);
    if (there.size > 0) return false;
    await this.#import.putRegisteredModel(record);
    return true;
  }

  async close(): Promise<void> {}

  /** The same artifact URI in both stores: ids and locations are kept. */
  async #copyArtifacts(uri: string): Promise<void> {
    this.#artifacts.copied(await this.#artifacts.source.copyTree(uri, this.#artifacts.target, uri));
  }
}
