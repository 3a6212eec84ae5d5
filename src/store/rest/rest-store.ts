import type {
  DatasetSummary,
  Experiment,
  KeyValue,
  LoggedModel,
  LoggedModelOutput,
  LoggedModelStatus,
  Metric,
  MetricWithRunId,
  Param,
  Run,
  RunInfo,
  RunTag,
} from '../../entities/index.js';
import { AgentrackError, invalidParameter, isAgentrackError } from '../../errors.js';
import type { OperationArgs, OperationResult } from '../../protocol/endpoint.js';
import { TRACKING_API } from '../../protocol/tracking-api.js';
import type { TrackingEndpoint, TrackingOperation } from '../../protocol/tracking-endpoint.js';
import {
  GET_METRIC_HISTORY_MAX_RESULTS,
  validateBatchLimits,
  validateDatasetInputs,
  validateLoggedModelId,
  validateMetric,
  validateParam,
  validateParamKeysUnique,
  validateTag,
  validateTagKey,
} from '../../validation/index.js';
import type {
  CreateExperimentInput,
  CreateLoggedModelInput,
  CreateRunInput,
  LogBatchInput,
  LogInputsInput,
  MetricHistoryBulkInput,
  MetricHistoryBulkIntervalInput,
  MetricHistoryInput,
  Page,
  SearchExperimentsInput,
  SearchLoggedModelsInput,
  SearchRunsInput,
  TrackingStore,
  UpdateRunInput,
} from '../tracking-store.js';
import { parseTrackingUri } from '../tracking-uri.js';
import { splitLogBatch, type LogBatchBody } from './batch-split.js';
import { callEndpoint, endpointCall } from './endpoint-call.js';
import { HttpClient } from './http-client.js';
import { RestModelRegistryStore } from './rest-registry-store.js';
import { RestTraceStore } from './rest-trace-store.js';
import {
  resolveRestConfig,
  type RemoteTrackingTarget,
  type RestStoreConfig,
  type RestStoreOptions,
} from './rest-config.js';

type Args<N extends TrackingOperation> = OperationArgs<TrackingStore, N>;
type Result<N extends TrackingOperation> = OperationResult<TrackingStore, N>;

/**
 * The tracking store of a remote MLflow tracking server, over MLflow's REST API 2.0: an
 * agentrack server, an MLflow server or a Databricks workspace. Each operation calls its
 * endpoint of the protocol table ({@link TRACKING_API}), the one agentrack's server serves it
 * with: the table says the method, the path, what to send (as MLflow's Python client sends it)
 * and how to read the answer.
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
  /**
   * The server's model registry (a Databricks workspace's registry too: the same API), over the
   * same connection settings; closed with the store.
   */
  readonly registry: RestModelRegistryStore;
  /** The server's traces and assessments (MLflow 3's trace API), over the same connection settings. */
  readonly traces: RestTraceStore;
  readonly #http: HttpClient;
  readonly #splitOversizedBatches: boolean;

  constructor(config: RestStoreConfig) {
    this.#http = new HttpClient(config);
    this.baseUrl = this.#http.baseUrl;
    this.registry = new RestModelRegistryStore(this.#http);
    this.traces = new RestTraceStore(this.#http);
    this.#splitOversizedBatches = config.splitOversizedBatches;
  }

  // ---------------------------------------------------------------- experiments

  async createExperiment(input: CreateExperimentInput): Promise<string> {
    return this.#call(TRACKING_API.createExperiment, [input]);
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return this.#call(TRACKING_API.getExperiment, [experimentId]);
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    try {
      return await this.#call(TRACKING_API.getExperimentByName, [name]);
    } catch (error) {
      if (isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) return null;
      throw error;
    }
  }

  async searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>> {
    return this.#call(TRACKING_API.searchExperiments, [input]);
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.#call(TRACKING_API.renameExperiment, [experimentId, newName]);
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    return this.#call(TRACKING_API.deleteExperiment, [experimentId]);
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    return this.#call(TRACKING_API.restoreExperiment, [experimentId]);
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.#call(TRACKING_API.setExperimentTag, [experimentId, key, value]);
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return this.#call(TRACKING_API.deleteExperimentTag, [experimentId, key]);
  }

  // ---------------------------------------------------------------- runs

  async createRun(input: CreateRunInput): Promise<Run> {
    return this.#call(TRACKING_API.createRun, [input]);
  }

  async getRun(runId: string): Promise<Run> {
    return this.#call(TRACKING_API.getRun, [runId]);
  }

  async updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo> {
    const endpoint = TRACKING_API.updateRun;
    const args: Args<'updateRun'> = [runId, input];
    const { response } = endpoint;
    const { body, headers } = await this.#http.exchange(endpointCall(endpoint, args), 'json');
    // Servers that answer without the run's info still applied the update.
    if (body.run_info === undefined || response.kind !== 'json') return (await this.getRun(runId)).info;
    return response.decode(body, args, headers);
  }

  async deleteRun(runId: string): Promise<void> {
    return this.#call(TRACKING_API.deleteRun, [runId]);
  }

  async restoreRun(runId: string): Promise<void> {
    return this.#call(TRACKING_API.restoreRun, [runId]);
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    this.#http.assertOpen();
    return this.#call(TRACKING_API.logMetric, [runId, validateMetric(metric)]);
  }

  async logParam(runId: string, param: Param): Promise<void> {
    this.#http.assertOpen();
    return this.#call(TRACKING_API.logParam, [runId, validateParam(param)]);
  }

  async setTag(runId: string, tag: RunTag): Promise<void> {
    this.#http.assertOpen();
    return this.#call(TRACKING_API.setTag, [runId, validateTag(tag)]);
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    return this.#call(TRACKING_API.deleteTag, [runId, key]);
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
    // Each part is measured as the endpoint sends it, then sent as a batch of its own.
    const parts = splitLogBatch(runId, { metrics, params, tags });
    for (const [index, part] of parts.entries()) {
      try {
        await this.#call(TRACKING_API.logBatch, [
          runId,
          { metrics: part.metrics, params: part.params, tags: part.tags },
        ]);
      } catch (error) {
        if (index === 0 || !isAgentrackError(error)) throw error;
        throw partialBatchError(error, parts, index);
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
    const models = input.models?.map((m) => ({ model_id: m.model_id }));
    return this.#call(TRACKING_API.logInputs, [
      runId,
      models && models.length > 0 ? { datasets, models } : { datasets },
    ]);
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
    const fetchPage = (maxResults: number, pageToken: string | undefined) =>
      this.#call(TRACKING_API.getMetricHistory, [runId, metricKey, { maxResults, pageToken }]);
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
    return this.#call(TRACKING_API.searchRuns, [input]);
  }

  async countRuns(_experimentId: string): Promise<number> {
    throw new AgentrackError(
      'NOT_IMPLEMENTED',
      "MLflow's REST API has no run count: count runs on the server's own store.",
    );
  }

  async getMetricHistoryBulk(
    runIds: readonly string[],
    metricKey: string,
    input: MetricHistoryBulkInput = {},
  ): Promise<MetricWithRunId[]> {
    return this.#call(TRACKING_API.getMetricHistoryBulk, [runIds, metricKey, input]);
  }

  async getMetricHistoryBulkInterval(
    runIds: readonly string[],
    metricKey: string,
    input: MetricHistoryBulkIntervalInput = {},
  ): Promise<MetricWithRunId[]> {
    return this.#call(TRACKING_API.getMetricHistoryBulkInterval, [runIds, metricKey, input]);
  }

  async searchDatasets(experimentIds: readonly string[]): Promise<DatasetSummary[]> {
    return this.#call(TRACKING_API.searchDatasets, [experimentIds]);
  }

  // ---------------------------------------------------------------- logged models

  async logOutputs(runId: string, models: readonly LoggedModelOutput[]): Promise<void> {
    return this.#call(TRACKING_API.logOutputs, [runId, models]);
  }

  async createLoggedModel(input: CreateLoggedModelInput): Promise<LoggedModel> {
    this.#http.assertOpen();
    const params = (input.params ?? []).map((p, i) => validateParam(p, { path: `params[${i}]` }));
    const tags = (input.tags ?? []).map((t, i) => validateTag(t, { path: `tags[${i}]` }));
    return this.#call(TRACKING_API.createLoggedModel, [{ ...input, params, tags }]);
  }

  async getLoggedModel(modelId: string): Promise<LoggedModel> {
    return this.#call(TRACKING_API.getLoggedModel, [validateLoggedModelId(modelId)]);
  }

  async deleteLoggedModel(modelId: string): Promise<void> {
    return this.#call(TRACKING_API.deleteLoggedModel, [validateLoggedModelId(modelId)]);
  }

  async finalizeLoggedModel(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    return this.#call(TRACKING_API.finalizeLoggedModel, [validateLoggedModelId(modelId), status]);
  }

  async setLoggedModelTags(modelId: string, tags: readonly KeyValue[]): Promise<void> {
    this.#http.assertOpen();
    const checked = tags.map((t, i) => validateTag(t, { path: `tags[${i}]` }));
    return this.#call(TRACKING_API.setLoggedModelTags, [validateLoggedModelId(modelId), checked]);
  }

  async deleteLoggedModelTag(modelId: string, key: string): Promise<void> {
    return this.#call(TRACKING_API.deleteLoggedModelTag, [
      validateLoggedModelId(modelId),
      validateTagKey(key),
    ]);
  }

  async logLoggedModelParams(modelId: string, params: readonly KeyValue[]): Promise<void> {
    this.#http.assertOpen();
    const checked = params.map((p, i) => validateParam(p, { path: `params[${i}]` }));
    validateParamKeysUnique(checked);
    return this.#call(TRACKING_API.logLoggedModelParams, [validateLoggedModelId(modelId), checked]);
  }

  async searchLoggedModels(input: SearchLoggedModelsInput): Promise<Page<LoggedModel>> {
    return this.#call(TRACKING_API.searchLoggedModels, [input]);
  }

  /** Closes the store: requests in flight fail with CANCELLED, later calls with INVALID_STATE. */
  async close(): Promise<void> {
    this.#http.close();
  }

  /** Calls `endpoint` with `args` and reads its answer. */
  #call<N extends TrackingOperation>(endpoint: TrackingEndpoint<N>, args: Args<N>): Promise<Result<N>> {
    return callEndpoint(this.#http, endpoint, args);
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
  if (parsed.kind === 'sqlite' || parsed.kind === 'postgres') {
    throw invalidParameter(
      `The REST store needs an http(s):// or databricks tracking URI, not the ${parsed.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} URI '${parsed.uri}'.`,
    );
  }
  return new RestTrackingStore(resolveRestConfig(parsed, options));
}

/**
 * Opens only the model registry of an `http(s)://` tracking server or a Databricks workspace:
 * for a registry URI that names another store than the tracking URI. Closing it closes its
 * HTTP client.
 *
 * @example const registry = await openRestRegistryStore(parseTrackingUri('http://registry:5000') as RemoteTrackingTarget);
 */
export async function openRestRegistryStore(
  target: RemoteTrackingTarget,
  options: RestStoreOptions = {},
): Promise<RestModelRegistryStore> {
  return new RestModelRegistryStore(new HttpClient(resolveRestConfig(target, options)), { ownsClient: true });
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
