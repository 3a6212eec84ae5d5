import { ApiError, getJson, postJson, withQuery } from '../../api/http.js';
import type { WireNumber } from '../../lib/format.js';

/**
 * What the run page reads, as MLflow's REST API sends it: the run, its metric histories
 * (downsampled by the server), its artifacts, traces, registered versions and the
 * deployments promoted from it.
 */

const API = '/ajax-api/2.0/mlflow';
const API_3 = '/ajax-api/3.0/mlflow';

/** A key and its value (params and tags). */
export interface KeyValue {
  key: string;
  value: string;
}

/** A metric's latest value, or one point of its history. */
export interface WireMetric {
  key: string;
  value: WireNumber;
  timestamp?: number | string;
  step?: number | string;
}

/** A run as `runs/get` answers it. */
export interface WireRun {
  info: {
    run_id: string;
    run_name?: string;
    experiment_id: string;
    status: string;
    start_time?: number | string;
    end_time?: number | string;
    lifecycle_stage?: string;
    artifact_uri?: string;
  };
  data: { metrics?: WireMetric[]; params?: KeyValue[]; tags?: KeyValue[] };
}

/** An experiment as `experiments/get` answers it. */
export interface WireExperiment {
  experiment_id: string;
  name: string;
  tags?: KeyValue[];
}

/** A file or folder of a run's artifacts. */
export interface WireFile {
  path: string;
  is_dir: boolean;
  file_size?: number | string;
}

/** A trace's summary as `traces/search` (v3) answers it. */
export interface WireTrace {
  trace_id: string;
  request_time?: string;
  execution_duration?: string;
  state?: string;
  tags?: Record<string, string>;
  trace_metadata?: Record<string, string>;
  request_preview?: string;
}

/** A registered model version. */
export interface WireModelVersion {
  name: string;
  version: string;
  status?: string;
  current_stage?: string;
  run_id?: string;
}

/** A time field as a number of milliseconds (MLflow sends int64 as strings at times). */
export function millis(value: number | string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** The value of a run's tag. */
export function tagOf(run: WireRun, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}

/** A string for a filter, quoted as MLflow's filter language quotes it. */
function quoted(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The run. */
export async function getRun(runId: string, signal?: AbortSignal): Promise<WireRun> {
  const body = await getJson<{ run: WireRun }>(`${API}/runs/get`, { run_id: runId }, signal);
  return body.run;
}

/** The run's experiment (its lane). */
export async function getExperiment(experimentId: string, signal?: AbortSignal): Promise<WireExperiment> {
  const body = await getJson<{ experiment: WireExperiment }>(
    `${API}/experiments/get`,
    { experiment_id: experimentId },
    signal,
  );
  return body.experiment;
}

/** How many points a chart asks for: the server picks them evenly over the steps, keeping the ends. */
export const CHART_POINTS = 1000;

/** A metric's history, at most {@link CHART_POINTS} points of it. */
export async function getMetricHistory(
  runId: string,
  key: string,
  signal?: AbortSignal,
): Promise<WireMetric[]> {
  const body = await getJson<{ metrics?: WireMetric[] }>(
    `${API}/metrics/get-history-bulk-interval`,
    { run_ids: [runId], metric_key: key, max_results: CHART_POINTS },
    signal,
  );
  return body.metrics ?? [];
}

/** One folder of the run's artifacts (the root without `path`). */
export async function listArtifacts(runId: string, path: string, signal?: AbortSignal): Promise<WireFile[]> {
  const body = await getJson<{ files?: WireFile[] }>(
    `${API}/artifacts/list`,
    { run_id: runId, path: path === '' ? undefined : path },
    signal,
  );
  return [...(body.files ?? [])].sort((a, b) =>
    a.is_dir === b.is_dir ? a.path.localeCompare(b.path) : a.is_dir ? -1 : 1,
  );
}

/** Where a run's file is downloaded from. */
export function artifactUrl(runId: string, path: string): string {
  return withQuery('/get-artifact', { run_uuid: runId, path });
}

/** How much of a file a preview reads. */
export const PREVIEW_BYTES = 1024 * 1024;

/** The first {@link PREVIEW_BYTES} of a file, and whether there was more. */
export async function readArtifactHead(
  runId: string,
  path: string,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  let response: Response;
  try {
    response = await fetch(artifactUrl(runId, path), {
      credentials: 'same-origin',
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    throw new ApiError('UNREACHABLE', `The server could not be reached: ${(error as Error).message}`, 0);
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    let code = `HTTP_${response.status}`;
    let message = text.slice(0, 300) || response.statusText;
    try {
      const body = JSON.parse(text) as { error_code?: string; message?: string };
      if (body.error_code) [code, message] = [body.error_code, body.message ?? body.error_code];
    } catch {
      // Not MLflow's error shape: keep what the server said.
    }
    throw new ApiError(code, message, response.status);
  }
  const reader = response.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(await response.arrayBuffer()), truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > PREVIEW_BYTES) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(size, PREVIEW_BYTES));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, Math.min(chunk.byteLength, bytes.length - offset));
    bytes.set(part, offset);
    offset += part.byteLength;
    if (offset >= bytes.length) break;
  }
  return { bytes, truncated };
}

/** The run's traces (linked by `mlflow.sourceRun` or link-to-run), newest first. */
export async function searchRunTraces(
  experimentId: string,
  runId: string,
  signal?: AbortSignal,
): Promise<WireTrace[]> {
  const body = await postJson<{ traces?: WireTrace[] }>(
    `${API_3}/traces/search`,
    {
      locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }],
      filter: `attribute.run_id = ${quoted(runId)}`,
      max_results: 50,
    },
    signal,
  );
  return body.traces ?? [];
}

/** The registered model versions made from the run. */
export async function searchRunModelVersions(
  runId: string,
  signal?: AbortSignal,
): Promise<WireModelVersion[]> {
  const body = await getJson<{ model_versions?: WireModelVersion[] }>(
    `${API}/model-versions/search`,
    { filter: `run_id = ${quoted(runId)}`, max_results: 100 },
    signal,
  );
  return body.model_versions ?? [];
}

/** The agent's experiments of one run type (`deployment`), by the tags the lifecycle gives them. */
export async function searchLaneExperiments(
  agent: string,
  runType: string,
  signal?: AbortSignal,
): Promise<WireExperiment[]> {
  const body = await postJson<{ experiments?: WireExperiment[] }>(
    `${API}/experiments/search`,
    {
      filter: `tags.agent_name = ${quoted(agent)} AND tags.run_type = ${quoted(runType)}`,
      max_results: 10,
    },
    signal,
  );
  return body.experiments ?? [];
}

/** Runs of `experimentIds` whose tag `key` is `value`, newest first. */
export async function searchRunsByTag(
  experimentIds: readonly string[],
  key: string,
  value: string,
  signal?: AbortSignal,
): Promise<WireRun[]> {
  if (experimentIds.length === 0) return [];
  const body = await postJson<{ runs?: WireRun[] }>(
    `${API}/runs/search`,
    {
      experiment_ids: experimentIds,
      filter: `tags.\`${key}\` = ${quoted(value)}`,
      order_by: ['attributes.start_time DESC'],
      max_results: 100,
    },
    signal,
  );
  return body.runs ?? [];
}
