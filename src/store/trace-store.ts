import type { Buffer } from 'node:buffer';
import type { Assessment, Span, TraceInfo, TraceState } from '../entities/index.js';
import type { Page } from './tracking-store.js';

/** Arguments of {@link TraceStore.searchTraces}, as MLflow's `SearchTracesV3`. */
export interface SearchTracesInput {
  /** The experiments searched (1 or more). */
  experimentIds: readonly string[];
  /**
   * MLflow's trace filter language (`trace.status = 'ERROR' AND tags.flow = 'a'`,
   * `attribute.run_id = '...'`, ``request_metadata.`mlflow.modelId` = '...'``), plus agentrack's
   * span extension (`span.name`, `span.type`, `span.status`).
   */
  filter?: string;
  /** At most this many traces per page; MLflow's default is 100. */
  maxResults?: number;
  /** Sort keys such as `timestamp_ms DESC`; by default the newest first, then by trace id. */
  orderBy?: readonly string[];
  pageToken?: string;
}

/** Arguments of {@link TraceStore.deleteTraces}: either `traceIds`, or `maxTimestampMillis` (with an optional `maxTraces`). */
export interface DeleteTracesInput {
  experimentId: string;
  /** These traces (ids in other experiments are left alone). */
  traceIds?: readonly string[];
  /** Every trace whose request time is at or before this epoch millisecond, the oldest first... */
  maxTimestampMillis?: number;
  /** ...but no more than this many. */
  maxTraces?: number;
}

/** Arguments of {@link TraceStore.endTrace} (MLflow's V2 `EndTrace`): only the given fields change. */
export interface EndTraceInput {
  state: TraceState;
  /** Epoch milliseconds when the trace ended; its execution duration is measured from its request time. */
  endTimeMs: number;
  /** Metadata merged into the trace's. */
  metadata?: Readonly<Record<string, string>>;
  /** Tags merged into the trace's. */
  tags?: Readonly<Record<string, string>>;
}

/** The fields an assessment update may change, named as MLflow's `update_mask` names them. */
export type AssessmentUpdateField =
  'assessment_name' | 'feedback' | 'expectation' | 'rationale' | 'metadata' | 'valid';

/**
 * MLflow's traces and assessments, as every backend implements them (SQL in the tracking
 * database, REST against any MLflow 3 server). Trace ids are `tr-<32 hex digits>`, assessment
 * ids `a-<32 hex digits>`. Every failure is an `AgentrackError` with MLflow's code:
 * RESOURCE_DOES_NOT_EXIST for a missing trace or assessment, INVALID_PARAMETER_VALUE for bad
 * input (a bad filter with its position).
 */
export interface TraceStore {
  /**
   * Records a trace's info (MLflow 3's `StartTraceV3`, which the client calls when the root
   * span ends) in an active experiment; answers it as stored, with the tag
   * `mlflow.artifactLocation` = `<experiment artifact location>/traces/<trace_id>/artifacts`
   * added. Writing an info again for the same id replaces it (the client retries).
   */
  startTrace(info: TraceInfo): Promise<TraceInfo>;
  /**
   * {@link startTrace} and {@link logSpans} at once: the info and the spans are written in one
   * transaction on a database, so a crash leaves the trace whole or absent. Over REST (MLflow's
   * protocol has no such call) it is the two calls, one after the other.
   */
  logTrace(info: TraceInfo, spans: readonly Span[]): Promise<TraceInfo>;
  /**
   * MLflow's V2 `StartTrace`: a trace IN_PROGRESS in an experiment, with a new id, at
   * `timestampMs`; answers its info.
   */
  startTraceV2(input: {
    experimentId: string;
    timestampMs: number;
    metadata?: Readonly<Record<string, string>>;
    tags?: Readonly<Record<string, string>>;
  }): Promise<TraceInfo>;
  /** MLflow's V2 `EndTrace`: sets the state, the execution duration, and merges metadata and tags. */
  endTrace(traceId: string, input: EndTraceInput): Promise<TraceInfo>;
  /** A trace's info, with its assessments (valid and overridden ones alike, oldest first). */
  getTraceInfo(traceId: string): Promise<TraceInfo>;
  /** The infos of up to 100 traces at once, in the order given; unknown ids are left out. */
  getTraceInfos(traceIds: readonly string[]): Promise<TraceInfo[]>;
  /**
   * The id of the experiment a trace is in, without reading the rest of its info (what the
   * server checks before storing the spans of an uploaded `traces.json`); RESOURCE_DOES_NOT_EXIST
   * when the trace is unknown.
   */
  getTraceExperimentId(traceId: string): Promise<string>;
  /**
   * One page of the traces of some experiments, with their assessments (MLflow 3.3's
   * `SearchTracesV3` answers them, and `genai.evaluate` builds its result table from them).
   */
  searchTraces(input: SearchTracesInput): Promise<Page<TraceInfo>>;
  setTraceTag(traceId: string, key: string, value: string): Promise<void>;
  /** RESOURCE_DOES_NOT_EXIST when the trace has no such tag. */
  deleteTraceTag(traceId: string, key: string): Promise<void>;
  /** Deletes traces with their tags, metadata, spans, assessments and run links; answers how many. */
  deleteTraces(input: DeleteTracesInput): Promise<number>;
  /** Links up to 100 traces to a run (MLflow's `link-to-run`); linking one twice changes nothing. */
  linkTracesToRun(traceIds: readonly string[], runId: string): Promise<void>;

  /**
   * Stores spans of a trace as rows, in one transaction: a span whose id the trace already has
   * replaces it, others are added (an OTLP exporter sends a trace's spans in several batches).
   * What the server does when a `traces.json` arrives, and the embedded exporter's path.
   */
  logSpans(traceId: string, spans: readonly Span[]): Promise<void>;
  /** A trace's spans from its rows, by start time (then span id); `[]` when none were stored. */
  getSpans(traceId: string): Promise<Span[]>;

  /**
   * Creates an assessment on a trace; the store gives it its id (the `assessment_id` given is
   * ignored), and times when absent. With `overrides`, the overridden assessment becomes
   * `valid: false`.
   */
  createAssessment(
    assessment: Omit<Assessment, 'assessment_id'> & { assessment_id?: string },
  ): Promise<Assessment>;
  getAssessment(traceId: string, assessmentId: string): Promise<Assessment>;
  /** Changes the fields named in `updateMask` to those of `changes`; answers the assessment. */
  updateAssessment(
    traceId: string,
    assessmentId: string,
    changes: Partial<Assessment>,
    updateMask: readonly AssessmentUpdateField[],
  ): Promise<Assessment>;
  deleteAssessment(traceId: string, assessmentId: string): Promise<void>;
}

/** A trace's `traces.json` as a client uploaded it. */
export interface TraceDataFile {
  bytes: Buffer;
  /** The media type it was uploaded with, when one was given. */
  contentType?: string;
}

/** A trace whose `traces.json` a {@link TraceDataStore} keeps, and the file's size in bytes. */
export interface StoredTraceData {
  traceId: string;
  size: number;
}

/**
 * Where a server keeps the `traces.json` files uploaded through its artifact service, beside
 * the span rows: in the database, so ingesting a trace writes no file and reading one back
 * opens none. Every method takes the experiment of the upload's path
 * (`<experiment_id>/traces/<trace_id>/artifacts/traces.json`): a trace is only found, written
 * or deleted through its own experiment. SQL stores implement it.
 */
export interface TraceDataStore {
  /**
   * Stores `spans` as the trace's span rows (as {@link TraceStore.logSpans}) and `file` as its
   * `traces.json`, replacing an earlier one, in one transaction; false, and nothing written,
   * when `traceId` is not a trace of `experimentId`.
   */
  putTraceData(
    traceId: string,
    experimentId: string,
    spans: readonly Span[],
    file: TraceDataFile,
  ): Promise<boolean>;
  /** The trace's `traces.json`, undefined when none is kept (or the trace is not of that experiment). */
  getTraceData(traceId: string, experimentId: string): Promise<TraceDataFile | undefined>;
  /** The traces of an experiment (or that one trace of it) whose `traces.json` is kept, by trace id. */
  listTraceData(experimentId: string, traceId?: string): Promise<StoredTraceData[]>;
  /** The experiments that have a kept `traces.json`, by id. */
  traceDataExperiments(): Promise<string[]>;
  /** Drops the kept `traces.json` of an experiment's traces (or of one); answers how many. Span rows stay. */
  deleteTraceData(experimentId: string, traceId?: string): Promise<number>;
}

/** True when `store` also keeps trace files ({@link TraceDataStore}). */
export function isTraceDataStore(store: TraceStore): store is TraceStore & TraceDataStore {
  const candidate = store as Partial<TraceDataStore>;
  return typeof candidate.putTraceData === 'function' && typeof candidate.getTraceData === 'function';
}
