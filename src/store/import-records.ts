import type {
  DatasetInput,
  Experiment,
  LoggedModel,
  Metric,
  ModelVersion,
  Param,
  RegisteredModel,
  RunInfo,
  RunTag,
  Span,
  TraceInfo,
} from '../entities/index.js';
import type { TraceDataFile } from './trace-store.js';

/**
 * A run with everything a store keeps of it, as one record: what `agentrack copy` reads from
 * one store and writes to another. `metrics` holds every value logged (the full histories, not
 * only the latest values a run read answers).
 */
export interface RunRecord {
  info: RunInfo;
  params: Param[];
  tags: RunTag[];
  metrics: Metric[];
  datasets: DatasetInput[];
}

/** A link between a run and a logged model it used (`input`) or produced (`output`, at a step). */
export interface RunModelLink {
  runId: string;
  direction: 'input' | 'output';
  modelId: string;
  step: number;
}

/** A registered model with all its versions (with their tags) and aliases, and where each version's files are. */
export interface RegisteredModelRecord {
  model: RegisteredModel;
  versions: ModelVersion[];
  /** Each version's download URI (its storage location), by version number. */
  storageLocations: Record<string, string>;
}

/**
 * A trace with everything a store keeps of it: its info with its assessments (oldest first),
 * its spans, the runs it is linked to (`link-to-run`) and its `traces.json` as uploaded, when
 * the store keeps that file itself.
 */
export interface TraceRecord {
  info: TraceInfo;
  spans: Span[];
  runLinks: string[];
  data?: TraceDataFile;
}

/** An experiment as a record (its tags included). */
export type ExperimentRecord = Experiment;
/** A logged model as a record (its tags, params and metrics included). */
export type LoggedModelRecord = LoggedModel;
