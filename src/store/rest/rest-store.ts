import type { Experiment, Metric, Param, Run, RunInfo, RunTag } from '../../entities/index.js';
import { AgentrackError, invalidParameter, isAgentrackError } from '../../errors.js';
import {
  GET_METRIC_HISTORY_MAX_RESULTS,
  SEARCH_MAX_RESULTS_DEFAULT,
  validateBatchLimits,
  validateDatasetInputs,
  validateMetric,
  validateParam,
  validateParamKeysUnique,
  validateTag,
} from '../../validation/index.js';
import type {
  CreateExperimentInput,
  CreateRunInput,
  LogBatchInput,
  LogInputsInput,
  MetricHistoryInput,
  Page,
  SearchExperimentsInput,
  SearchRunsInput,
  TrackingStore,
  UpdateRunInput,
} from '../tracking-store.js';
import { parseTrackingUri } from '../tracking-uri.js';
import { splitLogBatch, type LogBatchBody } from './batch-split.js';
import { HttpClient, type RestCall } from './http-client.js';
import {
  resolveRestConfig,
  type RemoteTrackingTarget,
  type RestStoreConfig,
  type RestStoreOptions,
} from './rest-config.js';
import { experimentFromWire, list, metricFromWire, runFromWire, runInfoFromWire } from '../../protocol/wire/entities.js';

/**
 * The tracking store of a remote MLflow tracking server, over MLflow's REST API 2.0: an
 * agentrack server, an MLflow server or a Databricks workspace. Each operation calls MLflow's
 * endpoint with the method and fields MLflow's Python client sends.
 *
 * Metrics, params, tags and dataset inputs are checked here with the rules of the other
 * stores before anything is sent, so that a batch split over several requests is refused as
 * a whole; every other rule (existence, states, names, filters) is the server's.
 *
 * @example
 * const store = await openRestStore('http://127.0.0.1:5000');
 * const experiment = await store.getExperimentByName('/Shared/agent/development');
 */
export class RestTrackingStore implements TrackingStore {
  readonly kind = 'rest' as const;
  /** The server's base URL, without credentials. */
  readonly baseUrl: string;
  readonly #http: HttpClient;
  readonly #splitOversizedBatches: boolean;

  constructor(config: RestStoreConfig) {
    this.#http = new HttpClient(config);
    this.baseUrl = this.#http.baseUrl;
    this.#splitOversizedBatches = config.splitOversizedBatches;
  }

  // ---------------------------------------------------------------- experiments

  async createExperiment(input: CreateExperimentInput): Promise<string> {
    const tags = input.tags ?? [];
    const response = await this.#post(
      'experiments/create',
      {
        name: input.name,
        artifact_location: input.artifactLocation || undefined,
        tags: tags.length > 0 ? tags.map((t) => ({ key: t.key, value: t.value })) : undefined,
      },
      false,
    );
    return required(response, 'experiment_id', 'experiments/create');
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const response = await this.#get('experiments/get', { experiment_id: experimentId });
    return experimentFromWire(response.experiment);
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    try {
      const response = await this.#get('experiments/get-by-name', { experiment_name: name });
      return experimentFromWire(response.experiment);
    } catch (error) {
      if (isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) return null;
      throw error;
    }
  }

  async searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>> {
    const response = await this.#post(
      'experiments/search',
      {
        max_results: input.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT,
        page_token: input.pageToken || undefined,
        filter: input.filter || undefined,
        order_by: input.orderBy && input.orderBy.length > 0 ? [...input.orderBy] : undefined,
        view_type: input.viewType ?? 'ACTIVE_ONLY',
      },
      true,
    );
    return page(list(response.experiments).map(experimentFromWire), response);
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.#post('experiments/update', { experiment_id: experimentId, new_name: newName }, true);
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.#post('experiments/delete', { experiment_id: experimentId }, false);
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.#post('experiments/restore', { experiment_id: experimentId }, false);
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.#post('experiments/set-experiment-tag', { experiment_id: experimentId, key, value }, true);
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.#post('experiments/delete-experiment-tag', { experiment_id: experimentId, key }, false);
  }

  // ---------------------------------------------------------------- runs

  async createRun(input: CreateRunInput): Promise<Run> {
    const tags = input.tags ?? [];
    const response = await this.#post(
      'runs/create',
      {
        experiment_id: input.experimentId,
        user_id: input.userId,
        run_name: input.runName,
        start_time: input.startTime,
        tags: tags.length > 0 ? tags.map((t) => ({ key: t.key, value: t.value })) : undefined,
      },
      false,
    );
    return runFromWire(response.run);
  }

  async getRun(runId: string): Promise<Run> {
    const response = await this.#get('runs/get', { run_uuid: runId, run_id: runId });
    return runFromWire(response.run);
  }

  async updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo> {
    const response = await this.#post(
      'runs/update',
      {
        run_uuid: runId,
        status: input.status,
        end_time: input.endTime,
        run_id: runId,
        run_name: input.runName,
      },
      true,
    );
    // Servers that answer without the run's info still applied the update.
    if (response.run_info === undefined) return (await this.getRun(runId)).info;
    return runInfoFromWire(response.run_info);
  }

  async deleteRun(runId: string): Promise<void> {
    await this.#post('runs/delete', { run_id: runId }, true);
  }

  async restoreRun(runId: string): Promise<void> {
    await this.#post('runs/restore', { run_id: runId }, true);
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    this.#http.assertOpen();
    const m = validateMetric(metric);
    await this.#post(
      'runs/log-metric',
      { run_uuid: runId, key: m.key, value: m.value, timestamp: m.timestamp, step: m.step, run_id: runId },
      true,
    );
  }

  async logParam(runId: string, param: Param): Promise<void> {
    this.#http.assertOpen();
    const p = validateParam(param);
    await this.#post(
      'runs/log-parameter',
      { run_uuid: runId, key: p.key, value: p.value, run_id: runId },
      true,
    );
  }

  async setTag(runId: string, tag: RunTag): Promise<void> {
    this.#http.assertOpen();
    const t = validateTag(tag);
    await this.#post('runs/set-tag', { run_uuid: runId, key: t.key, value: t.value, run_id: runId }, true);
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.#post('runs/delete-tag', { run_id: runId, key }, false);
  }

  /**
   * Logs a batch. Within MLflow's limits (1000 metrics, 100 params, 100 tags, 1000 in all,
   * 1 MB) that is one atomic request. A batch over the byte limit, or over the count limits
   * with `splitOversizedBatches`, goes as several requests, params first (see
   * {@link splitLogBatch}); each is atomic on the server, the batch is not: when request k
   * fails, requests 1 to k-1 stay written, and the error says how much was.
   */
  async logBatch(runId: string, input: LogBatchInput): Promise<void> {
    this.#http.assertOpen();
    const metrics = (input.metrics ?? []).map((m, i) => validateMetric(m, { path: `metrics[${i}]` }));
    const params = (input.params ?? []).map((p, i) => validateParam(p, { path: `params[${i}]` }));
    const tags = (input.tags ?? []).map((t, i) => validateTag(t, { path: `tags[${i}]` }));
    if (!this.#splitOversizedBatches) validateBatchLimits({ metrics, params, tags });
    validateParamKeysUnique(params);
    const bodies = splitLogBatch(runId, { metrics, params, tags });
    for (const [index, body] of bodies.entries()) {
      try {
        await this.#post('runs/log-batch', body, true);
      } catch (error) {
        if (index === 0 || !isAgentrackError(error)) throw error;
        throw partialBatchError(error, bodies, index);
      }
    }
  }

  /**
   * Logs dataset inputs in one `runs/log-inputs` request. Retried like other idempotent
   * writes: the server ignores a dataset the run already has.
   */
  async logInputs(runId: string, input: LogInputsInput): Promise<void> {
    this.#http.assertOpen();
    const datasets = validateDatasetInputs(input.datasets);
    await this.#post(
      'runs/log-inputs',
      { run_id: runId, datasets: datasets.length > 0 ? datasets : undefined },
      true,
    );
  }

  /**
   * One page of a metric's history; without `maxResults`, the whole history (every page).
   * `max_results` is always sent: MLflow's server answers an empty page without it.
   */
  async getMetricHistory(
    runId: string,
    metricKey: string,
    input: MetricHistoryInput = {},
  ): Promise<Page<Metric>> {
    const fetchPage = async (maxResults: number, pageToken: string | undefined) => {
      const response = await this.#get('metrics/get-history', {
        run_uuid: runId,
        metric_key: metricKey,
        run_id: runId,
        page_token: pageToken || undefined,
        max_results: maxResults,
      });
      return page(list(response.metrics).map(metricFromWire), response);
    };
    if (input.maxResults !== undefined) return fetchPage(input.maxResults, input.pageToken);
    const items: Metric[] = [];
    let token = input.pageToken;
    do {
      const next = await fetchPage(GET_METRIC_HISTORY_MAX_RESULTS, token);
      items.push(...next.items);
      if (next.nextPageToken !== undefined && next.nextPageToken === token) {
        throw new AgentrackError(
          'INTERNAL_ERROR',
          `The tracking server ${this.baseUrl} returned the same metric history page token twice.`,
        );
      }
      token = next.nextPageToken;
    } while (token);
    return { items };
  }

  async searchRuns(input: SearchRunsInput): Promise<Page<Run>> {
    const response = await this.#post(
      'runs/search',
      {
        experiment_ids: [...input.experimentIds],
        run_view_type: input.runViewType ?? 'ACTIVE_ONLY',
        filter: input.filter || undefined,
        max_results: input.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT,
        order_by: input.orderBy && input.orderBy.length > 0 ? [...input.orderBy] : undefined,
        page_token: input.pageToken || undefined,
      },
      true,
    );
    return page(list(response.runs).map(runFromWire), response);
  }

  /** Closes the store: requests in flight fail with CANCELLED, later calls with INVALID_STATE. */
  async close(): Promise<void> {
    this.#http.close();
  }

  #get(endpoint: string, params: RestCall['params']): Promise<Record<string, unknown>> {
    return this.#http.call({ method: 'GET', endpoint, params, idempotent: true });
  }

  #post(endpoint: string, params: RestCall['params'] | LogBatchBody, idempotent: boolean) {
    return this.#http.call({ method: 'POST', endpoint, params: params as RestCall['params'], idempotent });
  }
}

/**
 * Opens a REST store on an `http(s)://` tracking server or `databricks` / `databricks://<profile>`.
 * Nothing is sent until the first operation.
 *
 * @example
 * const store = await openRestStore('http://127.0.0.1:5000', { token: process.env.MY_TOKEN });
 */
export async function openRestStore(
  target: string | RemoteTrackingTarget,
  options: RestStoreOptions = {},
): Promise<RestTrackingStore> {
  const parsed = typeof target === 'string' ? parseTrackingUri(target) : target;
  if (parsed.kind === 'sqlite') {
    throw invalidParameter(
      `The REST store needs an http(s):// or databricks tracking URI, not the SQLite URI '${parsed.uri}'.`,
    );
  }
  return new RestTrackingStore(resolveRestConfig(parsed, options));
}

function page<T>(items: T[], response: Record<string, unknown>): Page<T> {
  const token = response.next_page_token;
  return typeof token === 'string' && token !== '' ? { items, nextPageToken: token } : { items };
}

function required(response: Record<string, unknown>, key: string, endpoint: string): string {
  const value = response[key];
  if ((typeof value !== 'string' && typeof value !== 'number') || value === '') {
    throw new AgentrackError(
      'INTERNAL_ERROR',
      `Unexpected response from ${endpoint}: no '${key}' in ${JSON.stringify(response)}.`,
    );
  }
  return String(value);
}

function partialBatchError(
  error: AgentrackError,
  bodies: readonly LogBatchBody[],
  failed: number,
): AgentrackError {
  const written = bodies.slice(0, failed);
  const sum = (pick: (b: LogBatchBody) => readonly unknown[] | undefined) =>
    written.reduce((n, b) => n + (pick(b)?.length ?? 0), 0);
  return new AgentrackError(
    error.code,
    `${error.message} (This log-batch was sent in ${bodies.length} requests to stay within MLflow's limits; ` +
      `request ${failed + 1} failed and the ${failed} before it were written: ${sum((b) => b.params)} params, ` +
      `${sum((b) => b.tags)} tags, ${sum((b) => b.metrics)} metrics.)`,
    { cause: error },
  );
}
