import type { Experiment, LoggedModel } from '../entities/index.js';
import type { RegisteredModelRecord, RunModelLink, RunRecord, TraceRecord } from '../store/import-records.js';
import type { ArtifactAccess, ArtifactTotals } from './artifact-access.js';
import type { IdMap } from './id-map.js';

/** What a target needs to copy artifacts: the source's artifacts, and where to report what moved. */
export interface TargetArtifacts {
  source: ArtifactAccess;
  target: ArtifactAccess;
  /** Called with every artifact root copied. */
  copied(totals: ArtifactTotals): void;
}

/**
 * Where a copy writes, one implementation per kind of target: a SQL store, which keeps the
 * source's ids ({@link SqlCopyTarget}), or any store through its API, which gives new ids and
 * keeps a mapping in a state file ({@link RestCopyTarget}). Every method writes only what the
 * target does not have yet, so a copy run again after an interruption continues where it
 * stopped and duplicates nothing; each answers how many objects it wrote.
 */
export interface CopyTarget {
  /** True when the target's objects have the source's ids. */
  readonly keepsIds: boolean;
  /** The target's id of each source id (empty where ids are kept). */
  readonly ids: IdMap;
  /** Before anything is written: refuses a target whose objects conflict with the source's. */
  check(experiments: readonly Experiment[]): Promise<void>;
  /** Writes an experiment with its tags (active until {@link finishExperiment} where the target needs it so). */
  experiment(experiment: Experiment): Promise<void>;
  /** Writes a page of an experiment's runs with their data and artifacts. */
  runs(experiment: Experiment, runs: readonly RunRecord[]): Promise<number>;
  /** Writes an experiment's logged models with their data and artifacts. */
  loggedModels(experiment: Experiment, models: readonly LoggedModel[]): Promise<number>;
  /** Links runs to the logged models they used and produced. */
  modelLinks(experiment: Experiment, links: readonly RunModelLink[]): Promise<void>;
  /** Writes a page of an experiment's traces, with their spans, assessments and links. */
  traces(experiment: Experiment, traces: readonly TraceRecord[]): Promise<number>;
  /** Once an experiment's contents are in: deletes what the source has deleted. */
  finishExperiment(experiment: Experiment, deletedRunIds: readonly string[]): Promise<void>;
  /** Writes a registered model with its versions and aliases; false when it was there already. */
  registeredModel(record: RegisteredModelRecord): Promise<boolean>;
  close(): Promise<void>;
}
