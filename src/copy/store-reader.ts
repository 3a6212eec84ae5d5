import type { Experiment, LoggedModel, Metric, ModelVersion, Run, TraceInfo } from '../entities/index.js';
import { isAgentrackError } from '../errors.js';
import type { RegisteredModelRecord, RunModelLink, RunRecord, TraceRecord } from '../store/import-records.js';
import { SqlTrackingStore } from '../store/sql/sql-store.js';
import { isTraceDataStore } from '../store/trace-store.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { BULK_HISTORY_MAX_RESULTS, MAX_RUNS_PER_BULK_HISTORY } from '../validation/limits.js';

/** Runs per page of the run search a copy reads: a page is also one transaction on a SQL target. */
export const RUN_PAGE_SIZE = 1000;
/** Traces per page of the trace search a copy reads. */
const TRACE_PAGE_SIZE = 100;

/**
 * Reads everything a store holds, as records, through the {@link TrackingStore} interface
 * every backend implements (plus, on a SQL store, the trace links that interface does not
 * list): what `agentrack copy` copies and what its verification counts, on either side.
 */
export class StoreReader {
  readonly store: TrackingStore;

  constructor(store: TrackingStore) {
    this.store = store;
  }

  /** Every experiment, active and deleted, by id. */
  async experiments(): Promise<Experiment[]> {
    const out: Experiment[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.store.searchExperiments({
        viewType: 'ALL',
        maxResults: 1000,
        ...(pageToken ? { pageToken } : {}),
      });
      out.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out.sort(
      (a, b) =>
        Number(a.experiment_id) - Number(b.experiment_id) || compare(a.experiment_id, b.experiment_id),
    );
  }

  /** The runs of an experiment (active and deleted), a page at a time, oldest first, with every metric value. */
  async *runs(experimentId: string, pageSize = RUN_PAGE_SIZE): AsyncGenerator<RunRecord[]> {
    let pageToken: string | undefined;
    do {
      const page = await this.store.searchRuns({
        experimentIds: [experimentId],
        runViewType: 'ALL',
        maxResults: pageSize,
        orderBy: ['attributes.start_time ASC'],
        ...(pageToken ? { pageToken } : {}),
      });
      yield await this.#records(page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** The ids of an experiment's runs, active and deleted. */
  async runIds(experimentId: string): Promise<string[]> {
    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.store.searchRuns({
        experimentIds: [experimentId],
        runViewType: 'ALL',
        maxResults: RUN_PAGE_SIZE,
        orderBy: ['attributes.start_time ASC'],
        ...(pageToken ? { pageToken } : {}),
      });
      ids.push(...page.items.map((run) => run.info.run_id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return ids;
  }

  async #records(runs: readonly Run[]): Promise<RunRecord[]> {
    const histories = await this.#histories(runs);
    return runs.map((run) => ({
      info: run.info,
      params: run.data.params ?? [],
      tags: run.data.tags ?? [],
      metrics: histories.get(run.info.run_id) ?? [],
      datasets: run.inputs.dataset_inputs ?? [],
    }));
  }

  /**
   * Every value of every metric of `runs`: on a SQL store in one read per 500 runs; over the
   * API, bulk reads of up to 100 runs per key, one run at a time where a bulk read may be cut short.
   */
  async #histories(runs: readonly Run[]): Promise<Map<string, Metric[]>> {
    if (this.store instanceof SqlTrackingStore) {
      return this.store.importer.metricHistories(
        runs.filter((run) => (run.data.metrics ?? []).length > 0).map((run) => run.info.run_id),
      );
    }
    const out = new Map<string, Metric[]>();
    const runsByKey = new Map<string, string[]>();
    for (const run of runs) {
      for (const metric of run.data.metrics ?? []) {
        runsByKey.set(metric.key, [...(runsByKey.get(metric.key) ?? []), run.info.run_id]);
      }
    }
    const add = (runId: string, metric: Metric): void => {
      const list = out.get(runId);
      if (list) list.push(metric);
      else out.set(runId, [metric]);
    };
    for (const [key, runIds] of runsByKey) {
      for (let i = 0; i < runIds.length; i += MAX_RUNS_PER_BULK_HISTORY) {
        const ids = runIds.slice(i, i + MAX_RUNS_PER_BULK_HISTORY);
        const values = await this.store.getMetricHistoryBulk(ids, key, {
          maxResults: BULK_HISTORY_MAX_RESULTS,
        });
        if (values.length < BULK_HISTORY_MAX_RESULTS) {
          for (const { run_id, ...metric } of values) add(run_id, plainMetric(metric));
          continue;
        }
        for (const id of ids) for (const metric of await this.#history(id, key)) add(id, metric);
      }
    }
    return out;
  }

  async #history(runId: string, key: string): Promise<Metric[]> {
    const out: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.store.getMetricHistory(runId, key, {
        maxResults: BULK_HISTORY_MAX_RESULTS,
        ...(pageToken ? { pageToken } : {}),
      });
      out.push(...page.items.map(plainMetric));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  /** The logged models the runs used and produced (a run read answers them; a search does not). */
  async modelLinks(runIds: readonly string[]): Promise<RunModelLink[]> {
    const links: RunModelLink[] = [];
    for (const runId of runIds) {
      const run = await this.store.getRun(runId);
      for (const input of run.inputs.model_inputs ?? []) {
        links.push({ runId, direction: 'input', modelId: input.model_id, step: 0 });
      }
      for (const output of run.outputs?.model_outputs ?? []) {
        links.push({ runId, direction: 'output', modelId: output.model_id, step: output.step });
      }
    }
    return links;
  }

  /** The logged models of an experiment (deleted ones cannot be read through the API), oldest first. */
  async loggedModels(experimentId: string): Promise<LoggedModel[]> {
    const out: LoggedModel[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.store.searchLoggedModels({
        experimentIds: [experimentId],
        maxResults: 100,
        orderBy: [{ fieldName: 'creation_time', ascending: true }],
        ...(pageToken ? { pageToken } : {}),
      });
      out.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  /** Every registered model with its versions (by number) and their storage locations. */
  async *registeredModels(): AsyncGenerator<RegisteredModelRecord> {
    const registry = this.store.registry;
    let pageToken: string | undefined;
    do {
      const page = await registry.searchRegisteredModels({
        maxResults: 100,
        orderBy: ['name ASC'],
        ...(pageToken ? { pageToken } : {}),
      });
      for (const listed of page.items) {
        const model = await registry.getRegisteredModel(listed.name);
        const versions = await this.versions(model.name);
        const storageLocations: Record<string, string> = {};
        for (const v of versions) {
          storageLocations[v.version] = await registry.getModelVersionDownloadUri(model.name, v.version);
        }
        yield { model, versions, storageLocations };
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** The versions of a registered model, by number. */
  async versions(name: string): Promise<ModelVersion[]> {
    const out: ModelVersion[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.store.registry.searchModelVersions({
        filter: `name = '${name.replaceAll("'", "\\'")}'`,
        maxResults: 1000,
        ...(pageToken ? { pageToken } : {}),
      });
      out.push(...page.items.filter((v) => v.name === name));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out.sort((a, b) => Number(a.version) - Number(b.version));
  }

  /**
   * The traces of an experiment, a page at a time, with their assessments, spans, run links
   * and kept `traces.json`. Links are read from a SQL store's own table; over REST they are
   * found by searching the traces of each of `runIds` (MLflow's API lists no links).
   */
  async *traces(
    experimentId: string,
    runIds: () => Promise<readonly string[]>,
  ): AsyncGenerator<TraceRecord[]> {
    const infos: TraceInfo[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.store.traces.searchTraces({
        experimentIds: [experimentId],
        maxResults: TRACE_PAGE_SIZE,
        orderBy: ['timestamp_ms ASC'],
        ...(pageToken ? { pageToken } : {}),
      });
      infos.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    if (infos.length === 0) return;
    const links = await this.#traceLinks(infos, runIds);
    const traces = this.store.traces;
    for (let i = 0; i < infos.length; i += TRACE_PAGE_SIZE) {
      const batch: TraceRecord[] = [];
      for (const info of infos.slice(i, i + TRACE_PAGE_SIZE)) {
        const record: TraceRecord = {
          info: await traces.getTraceInfo(info.trace_id),
          spans: await traces.getSpans(info.trace_id).catch((error: unknown) => {
            if (isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) return [];
            throw error;
          }),
          runLinks: links.get(info.trace_id) ?? [],
        };
        if (isTraceDataStore(traces)) {
          const data = await traces.getTraceData(info.trace_id, experimentId);
          if (data !== undefined) record.data = data;
        }
        batch.push(record);
      }
      yield batch;
    }
  }

  async #traceLinks(
    infos: readonly TraceInfo[],
    runIds: () => Promise<readonly string[]>,
  ): Promise<Map<string, string[]>> {
    if (this.store instanceof SqlTrackingStore) {
      return this.store.importer.traceRunLinks(infos.map((info) => info.trace_id));
    }
    const inExperiment = new Set(infos.map((info) => info.trace_id));
    const links = new Map<string, string[]>();
    const experimentId = infos[0]?.trace_location.mlflow_experiment?.experiment_id ?? '';
    for (const runId of await runIds()) {
      let pageToken: string | undefined;
      do {
        const page = await this.store.traces.searchTraces({
          experimentIds: [experimentId],
          filter: `attribute.run_id = '${runId}'`,
          maxResults: TRACE_PAGE_SIZE,
          ...(pageToken ? { pageToken } : {}),
        });
        for (const info of page.items) {
          // A trace made in the run names it in its metadata; any other is linked to it.
          if (!inExperiment.has(info.trace_id) || info.trace_metadata?.['mlflow.sourceRun'] === runId)
            continue;
          links.set(info.trace_id, [...(links.get(info.trace_id) ?? []), runId]);
        }
        pageToken = page.nextPageToken;
      } while (pageToken);
    }
    return links;
  }
}

/** A metric value without the run id and model fields a bulk read adds. */
function plainMetric(metric: Metric): Metric {
  return { key: metric.key, value: metric.value, timestamp: metric.timestamp, step: metric.step };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
