import { getJson, postJson } from '../../api/http.js';
import type { WireNumber } from '../../lib/format.js';

/** The MLflow REST API's root on the page's origin. */
export const MLFLOW_API = '/ajax-api/2.0/mlflow';

/** A key and value as MLflow's wire has them (params, tags). */
export interface WireKeyValue {
  key: string;
  value: string;
}

/** A metric's latest value as `runs/search` and `runs/get` answer it. */
export interface WireMetric {
  key: string;
  value: WireNumber;
  timestamp?: number;
  step?: number;
}

/** A run as MLflow's REST API answers it. */
export interface WireRun {
  info: {
    run_id: string;
    run_name?: string;
    experiment_id: string;
    status?: string;
    start_time?: number;
    end_time?: number;
    lifecycle_stage?: string;
  };
  data?: { metrics?: WireMetric[]; params?: WireKeyValue[]; tags?: WireKeyValue[] };
}

/** An experiment as `experiments/get` answers it. */
export interface WireExperiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  tags?: WireKeyValue[];
}

/** One page of `runs/search`. */
export interface RunsPage {
  runs?: WireRun[];
  next_page_token?: string;
}

/** `experiments/get`. */
export async function fetchExperiment(experimentId: string, signal?: AbortSignal): Promise<WireExperiment> {
  const body = await getJson<{ experiment: WireExperiment }>(
    `${MLFLOW_API}/experiments/get`,
    { experiment_id: experimentId },
    signal,
  );
  return body.experiment;
}

/** `runs/get`. */
export async function fetchRun(runId: string, signal?: AbortSignal): Promise<WireRun> {
  const body = await getJson<{ run: WireRun }>(`${MLFLOW_API}/runs/get`, { run_id: runId }, signal);
  return body.run;
}

/** What one `runs/search` page asks for. */
export interface SearchRunsRequest {
  experimentId: string;
  filter: string;
  orderBy: string | undefined;
  maxResults: number;
  pageToken: string | undefined;
}

/** One keyset page of `runs/search`. */
export function searchRuns(request: SearchRunsRequest, signal?: AbortSignal): Promise<RunsPage> {
  return postJson<RunsPage>(
    `${MLFLOW_API}/runs/search`,
    {
      experiment_ids: [request.experimentId],
      filter: request.filter || undefined,
      order_by: request.orderBy ? [request.orderBy] : undefined,
      max_results: request.maxResults,
      page_token: request.pageToken,
    },
    signal,
  );
}

/** A run's value for a column id: `metrics.<key>`, `params.<key>`, `tags.<key>`. */
export function runValue(run: WireRun, columnId: string): WireNumber | undefined {
  const dot = columnId.indexOf('.');
  const kind = columnId.slice(0, dot);
  const key = columnId.slice(dot + 1);
  const list = kind === 'metrics' ? run.data?.metrics : kind === 'params' ? run.data?.params : run.data?.tags;
  return list?.find((entry) => entry.key === key)?.value;
}

/**
 * A run's duration in ms, as the server orders by `attributes.duration`: end minus start time,
 * `undefined` while the run has no end time.
 */
export function runDuration(run: WireRun): number | undefined {
  const { start_time: start, end_time: end } = run.info;
  return start === undefined || end === undefined ? undefined : end - start;
}
