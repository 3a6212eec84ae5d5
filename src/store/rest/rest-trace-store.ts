import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { isProxiedArtifactUri, proxiedArtifactPath } from '../../artifacts/artifact-locations.js';
import {
  TRACE_ARTIFACT_LOCATION_TAG,
  TRACE_DATA_FILE,
  type Assessment,
  type Span,
  type TraceInfo,
} from '../../entities/index.js';
import { invalidParameter, isAgentrackError } from '../../errors.js';
import { ARTIFACTS_API } from '../../protocol/artifacts.js';
import type { OperationArgs, OperationResult } from '../../protocol/endpoint.js';
import type { TraceEndpoint, TraceOperation } from '../../protocol/trace-endpoint.js';
import { formatTraceData, parseTraceData, sortSpans } from '../../protocol/trace-data.js';
import { TRACE_API } from '../../protocol/traces.js';
import type {
  AssessmentUpdateField,
  DeleteTracesInput,
  EndTraceInput,
  SearchTracesInput,
  TraceStore,
} from '../trace-store.js';
import type { Page } from '../tracking-store.js';
import { callEndpoint } from './endpoint-call.js';
import type { HttpClient } from './http-client.js';

type Args<N extends TraceOperation> = OperationArgs<TraceStore, N>;
type Result<N extends TraceOperation> = OperationResult<TraceStore, N>;

/** MLflow's limit on the traces of one batch read. */
const MAX_TRACE_INFOS = 100;

/**
 * The traces and assessments of a remote MLflow 3 server over its REST API (an agentrack
 * server or MLflow's own): each operation calls its endpoint of the protocol table
 * ({@link TRACE_API}), as MLflow 3.3's Python client calls it; every rule is the server's.
 * Spans travel as MLflow's client moves them: the `traces.json` file in the trace's artifact
 * location (`mlflow.artifactLocation`, a `mlflow-artifacts:` URI), through the server's
 * artifact service, with the same connection settings. An agentrack server stores the spans
 * of an uploaded `traces.json` as rows too.
 *
 * @example
 * const store = await openRestStore('http://127.0.0.1:5000');
 * const info = await store.traces.getTraceInfo('tr-2904acdc599a497f5f5494fa26c7da43');
 */
export class RestTraceStore implements TraceStore {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  async startTrace(info: TraceInfo): Promise<TraceInfo> {
    return this.#call(TRACE_API.startTrace, [info]);
  }

  /** StartTraceV3, then the spans' upload: MLflow's protocol writes them in two calls. */
  async logTrace(info: TraceInfo, spans: readonly Span[]): Promise<TraceInfo> {
    const stored = await this.startTrace(info);
    if (spans.length > 0) await this.logSpans(stored.trace_id, spans);
    return stored;
  }

  async startTraceV2(input: Args<'startTraceV2'>[0]): Promise<TraceInfo> {
    return this.#call(TRACE_API.startTraceV2, [input]);
  }

  async endTrace(traceId: string, input: EndTraceInput): Promise<TraceInfo> {
    return this.#call(TRACE_API.endTrace, [traceId, input]);
  }

  async getTraceInfo(traceId: string): Promise<TraceInfo> {
    return this.#call(TRACE_API.getTraceInfo, [traceId]);
  }

  /** MLflow 3.3 has no lighter read: the experiment of the trace's info. */
  async getTraceExperimentId(traceId: string): Promise<string> {
    const info = await this.getTraceInfo(traceId);
    return info.trace_location.mlflow_experiment?.experiment_id ?? '';
  }

  /** One read per trace, in parallel: MLflow 3.3 has no batch read of trace infos. */
  async getTraceInfos(traceIds: readonly string[]): Promise<TraceInfo[]> {
    if (traceIds.length > MAX_TRACE_INFOS) {
      throw invalidParameter(
        `Cannot read more than ${MAX_TRACE_INFOS} traces at once; ${traceIds.length} were asked for.`,
      );
    }
    const infos = await Promise.all(
      traceIds.map(async (traceId) => {
        try {
          return await this.getTraceInfo(traceId);
        } catch (error) {
          if (isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
          throw error;
        }
      }),
    );
    return infos.filter((info): info is TraceInfo => info !== undefined);
  }

  async searchTraces(input: SearchTracesInput): Promise<Page<TraceInfo>> {
    return this.#call(TRACE_API.searchTraces, [input]);
  }

  async setTraceTag(traceId: string, key: string, value: string): Promise<void> {
    return this.#call(TRACE_API.setTraceTag, [traceId, key, value]);
  }

  async deleteTraceTag(traceId: string, key: string): Promise<void> {
    return this.#call(TRACE_API.deleteTraceTag, [traceId, key]);
  }

  async deleteTraces(input: DeleteTracesInput): Promise<number> {
    return this.#call(TRACE_API.deleteTraces, [input]);
  }

  async linkTracesToRun(traceIds: readonly string[], runId: string): Promise<void> {
    return this.#call(TRACE_API.linkTracesToRun, [traceIds, runId]);
  }

  /**
   * Uploads the trace's spans as its `traces.json`, merged with the spans already there (a span
   * whose id the file has replaces it), to the trace's artifact location through the server's
   * artifact service; the server then stores them as rows.
   */
  async logSpans(traceId: string, spans: readonly Span[]): Promise<void> {
    const folder = await this.#dataFolder(traceId);
    const existing = await this.#readSpans(traceId, folder);
    const merged = new Map(existing.map((span) => [span.span_id, span]));
    for (const span of spans) merged.set(span.span_id, span);
    const bytes = Buffer.from(formatTraceData(sortSpans([...merged.values()])), 'utf8');
    await callEndpoint(this.#http, ARTIFACTS_API.uploadArtifact, [
      `${folder}/${TRACE_DATA_FILE}`,
      { stream: Readable.from([bytes]), size: bytes.length, contentType: 'application/json' },
    ]);
  }

  /** The spans of the trace's `traces.json`, by start time then span id; `[]` when it has none yet. */
  async getSpans(traceId: string): Promise<Span[]> {
    return sortSpans(await this.#readSpans(traceId, await this.#dataFolder(traceId)));
  }

  async createAssessment(
    assessment: Omit<Assessment, 'assessment_id'> & { assessment_id?: string },
  ): Promise<Assessment> {
    return this.#call(TRACE_API.createAssessment, [assessment]);
  }

  async getAssessment(traceId: string, assessmentId: string): Promise<Assessment> {
    return this.#call(TRACE_API.getAssessment, [traceId, assessmentId]);
  }

  async updateAssessment(
    traceId: string,
    assessmentId: string,
    changes: Partial<Assessment>,
    updateMask: readonly AssessmentUpdateField[],
  ): Promise<Assessment> {
    return this.#call(TRACE_API.updateAssessment, [traceId, assessmentId, changes, updateMask]);
  }

  async deleteAssessment(traceId: string, assessmentId: string): Promise<void> {
    return this.#call(TRACE_API.deleteAssessment, [traceId, assessmentId]);
  }

  /** The artifact-service path of the trace's artifact location (its `mlflow-artifacts:` tag). */
  async #dataFolder(traceId: string): Promise<string> {
    const info = await this.getTraceInfo(traceId);
    const location = info.tags?.[TRACE_ARTIFACT_LOCATION_TAG];
    if (location === undefined || !isProxiedArtifactUri(location)) {
      throw invalidParameter(
        `The spans of trace '${traceId}' are kept at ${location === undefined ? 'no artifact location' : `'${location}'`}: ` +
          `over REST they are read and written only through the server's artifact service (a mlflow-artifacts: location).`,
      );
    }
    return proxiedArtifactPath(location);
  }

  /** The spans of `<folder>/traces.json`; `[]` when the folder has no such file (listed first: MLflow answers a missing file with 500). */
  async #readSpans(traceId: string, folder: string): Promise<Span[]> {
    const files = await callEndpoint(this.#http, ARTIFACTS_API.listArtifacts, [folder]);
    if (!files.some((file) => !file.isDir && file.path.split('/').pop() === TRACE_DATA_FILE)) return [];
    const download = await callEndpoint(this.#http, ARTIFACTS_API.downloadArtifact, [
      `${folder}/${TRACE_DATA_FILE}`,
    ]);
    const chunks: Buffer[] = [];
    for await (const chunk of download.body) chunks.push(Buffer.from(chunk as Uint8Array));
    return parseTraceData(Buffer.concat(chunks).toString('utf8'), traceId);
  }

  #call<N extends TraceOperation>(endpoint: TraceEndpoint<N>, args: Args<N>): Promise<Result<N>> {
    return callEndpoint(this.#http, endpoint, args);
  }
}
