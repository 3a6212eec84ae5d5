/**
 * Small builders of MLflow entities for tests.
 */
import {
  DATASET_CONTEXT_TAG,
  type DatasetInput,
  type Experiment,
  type Metric,
  type Run,
  type RunStatus,
} from '../../entities/index.js';

/** A dataset input of a test run: `context` becomes its `mlflow.data.context` tag. */
export interface DatasetSpec {
  name: string;
  digest: string;
  context?: string;
  /** Other input tags. */
  tags?: Record<string, string>;
}

/** What a test run needs; everything else gets a plain default. */
export interface RunSpec {
  id: string;
  experimentId?: string;
  name?: string;
  user?: string;
  status?: RunStatus;
  startTime?: number;
  endTime?: number;
  lifecycleStage?: 'active' | 'deleted';
  artifactUri?: string;
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: DatasetSpec[];
}

/** A dataset input in MLflow's wire shape. */
export function makeDatasetInput(spec: DatasetSpec): DatasetInput {
  const tags = Object.entries({
    ...spec.tags,
    ...(spec.context === undefined ? {} : { [DATASET_CONTEXT_TAG]: spec.context }),
  }).map(([key, value]) => ({ key, value }));
  const dataset = {
    name: spec.name,
    digest: spec.digest,
    source_type: 'local',
    source: `/data/${spec.name}`,
  };
  return tags.length > 0 ? { tags, dataset } : { dataset };
}

/** A run in MLflow's wire shape (latest metrics only). */
export function makeRun(spec: RunSpec): Run {
  const metrics: Metric[] = Object.entries(spec.metrics ?? {}).map(([key, value]) => ({
    key,
    value,
    timestamp: 1,
    step: 0,
  }));
  const params = Object.entries(spec.params ?? {}).map(([key, value]) => ({ key, value }));
  const tags = Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value }));
  const datasetInputs = (spec.datasets ?? []).map(makeDatasetInput);
  return {
    info: {
      run_uuid: spec.id,
      run_id: spec.id,
      experiment_id: spec.experimentId ?? '1',
      run_name: spec.name ?? '',
      user_id: spec.user ?? '',
      status: spec.status ?? 'RUNNING',
      start_time: spec.startTime ?? 0,
      ...(spec.endTime === undefined ? {} : { end_time: spec.endTime }),
      artifact_uri: spec.artifactUri ?? '',
      lifecycle_stage: spec.lifecycleStage ?? 'active',
    },
    data: {
      ...(metrics.length ? { metrics } : {}),
      ...(params.length ? { params } : {}),
      ...(tags.length ? { tags } : {}),
    },
    inputs: datasetInputs.length ? { dataset_inputs: datasetInputs } : {},
  };
}

/** An experiment in MLflow's wire shape. */
export function makeExperiment(spec: {
  id: string;
  name?: string;
  creationTime?: number;
  lastUpdateTime?: number;
  lifecycleStage?: 'active' | 'deleted';
  tags?: Record<string, string>;
}): Experiment {
  const tags = Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value }));
  return {
    experiment_id: spec.id,
    name: spec.name ?? `exp-${spec.id}`,
    artifact_location: '',
    lifecycle_stage: spec.lifecycleStage ?? 'active',
    creation_time: spec.creationTime ?? 0,
    last_update_time: spec.lastUpdateTime ?? spec.creationTime ?? 0,
    ...(tags.length ? { tags } : {}),
  };
}

/**
 * Runs for ordering by duration: a long one, two without an end time, durations tied between
 * runs of different and of equal start times, and a short one.
 */
export function timedRuns(): Run[] {
  return [
    makeRun({ id: 'long', startTime: 0, endTime: 900 }),
    makeRun({ id: 'running', startTime: 10 }),
    makeRun({ id: 'tie-old', startTime: 100, endTime: 150 }),
    makeRun({ id: 'tie-new-b', startTime: 200, endTime: 250 }),
    makeRun({ id: 'tie-new-a', startTime: 200, endTime: 250 }),
    makeRun({ id: 'short', startTime: 300, endTime: 301 }),
    makeRun({ id: 'also-running', startTime: 20 }),
  ];
}
