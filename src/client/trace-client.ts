import {
  TRACE_ARTIFACT_LOCATION_TAG,
  type Assessment,
  type AssessmentError,
  type AssessmentSource,
  type Expectation,
  type Feedback,
  type JsonValue,
  type Span,
  type Trace,
  type TraceInfo,
} from '../entities/index.js';
import { invalidParameter } from '../errors.js';
import { formatTraceData } from '../protocol/trace-data.js';
import type { AssessmentUpdateField, DeleteTracesInput, TraceStore } from '../store/trace-store.js';
import type { Page } from '../store/tracking-store.js';
import { ASSESSMENT_UPDATE_FIELDS, validateSpans, validateTraceId } from '../validation/index.js';
import { pagesOf } from './pages.js';

/** Writes a trace's `traces.json` into its artifact location (a SQL store's client does; over REST the store does). */
export type TraceDataUploader = (traceId: string, artifactLocation: string, text: string) => Promise<void>;

/** Options of {@link TraceClient}. */
export interface TraceClientOptions {
  /**
   * How {@link TraceClient.logTrace} writes `traces.json` beside the span rows. Absent: the
   * store's `logSpans` writes it itself (the REST store uploads it, and the server stores the rows).
   */
  uploadTraceData?: TraceDataUploader;
}

/** Arguments of {@link TraceClient.searchTraces}, as MLflow's `search_traces`. */
export interface SearchTracesOptions {
  experimentIds: readonly string[] | string;
  /** E.g. `trace.status = 'ERROR' AND tags.flow = 'a'` or `attribute.run_id = '<run id>'`; also `span.name`, `span.type`, `span.status`. */
  filter?: string;
  /** Default 100. */
  maxResults?: number;
  /** E.g. `['timestamp_ms DESC']`, the default (then by trace id). */
  orderBy?: readonly string[];
  pageToken?: string;
}

/** An assessment to log: MLflow's `Assessment` without what the store fills in. */
export type AssessmentInput = Omit<Assessment, 'assessment_id' | 'create_time' | 'last_update_time'> &
  Partial<Pick<Assessment, 'create_time' | 'last_update_time'>>;

/** The new verdict of {@link TraceClient.overrideFeedback}, as MLflow's `override_feedback`. */
export interface FeedbackOverride {
  value?: JsonValue;
  error?: AssessmentError;
  rationale?: string;
  /** Default `{ source_type: 'CODE', source_id: 'default' }`, as MLflow's `Feedback`. */
  source?: AssessmentSource;
  metadata?: Record<string, string>;
}

/** The changes of {@link TraceClient.updateAssessment}. */
export interface AssessmentChanges {
  assessment_name?: string;
  feedback?: Feedback;
  expectation?: Expectation;
  rationale?: string;
  metadata?: Record<string, string>;
  valid?: boolean;
}

const DEFAULT_FEEDBACK_SOURCE: AssessmentSource = { source_type: 'CODE', source_id: 'default' };

/**
 * MLflow 3's traces and assessments for `MlflowClient` users, in camelCase, over any trace
 * store (the embedded database, or a tracking server over REST). Entities have MLflow's JSON
 * shapes (`TraceInfo` with RFC 3339 times, spans with nanosecond times as decimal strings);
 * failures are `AgentrackError`s with MLflow's codes (RESOURCE_DOES_NOT_EXIST for an unknown
 * trace or assessment, INVALID_PARAMETER_VALUE for bad input).
 *
 * @example
 * const client = await TrackingClient.open('sqlite:///agentrack.db');
 * await client.traces.logTrace({ info, spans });
 * const page = await client.traces.searchTraces({ experimentIds: ['1'], filter: "trace.status = 'ERROR'" });
 */
export class TraceClient {
  /** The trace store this client talks to. */
  readonly store: TraceStore;
  readonly #upload: TraceDataUploader | undefined;

  constructor(store: TraceStore, options: TraceClientOptions = {}) {
    this.store = store;
    this.#upload = options.uploadTraceData;
  }

  /** Records a trace's info (MLflow 3's `StartTraceV3`); answers it with its `mlflow.artifactLocation` tag. */
  async startTrace(info: TraceInfo): Promise<TraceInfo> {
    return this.store.startTrace(info);
  }

  /**
   * Writes a whole trace: its info, its spans as rows, and its `traces.json` in its artifact
   * location, so MLflow's own client reads it through an agentrack server. Every span must be
   * of the trace (INVALID_PARAMETER_VALUE otherwise, before anything is written). Answers the
   * stored trace (its info with the `mlflow.artifactLocation` tag).
   */
  async logTrace(trace: { info: TraceInfo; spans: readonly Span[] }): Promise<Trace> {
    // Spans are checked before anything is written, so a bad span leaves no half-written trace.
    const spans = validateSpans(validateTraceId(trace.info?.trace_id), trace.spans);
    // Info and spans in one transaction on a database: a crash leaves no trace without its spans.
    const info = await this.store.logTrace(trace.info, spans);
    if (this.#upload !== undefined) {
      const location = info.tags?.[TRACE_ARTIFACT_LOCATION_TAG];
      if (location !== undefined) await this.#upload(info.trace_id, location, formatTraceData(spans));
    }
    return { info, spans };
  }

  /** A trace: its info (with its assessments) and its spans, by start time. */
  async getTrace(traceId: string): Promise<Trace> {
    const info = await this.store.getTraceInfo(traceId);
    return { info, spans: await this.store.getSpans(traceId) };
  }

  /** A trace's info, with its assessments (valid and overridden ones, oldest first). */
  async getTraceInfo(traceId: string): Promise<TraceInfo> {
    return this.store.getTraceInfo(traceId);
  }

  /** The infos of up to 100 traces, in the order given; unknown ids are left out. */
  async getTraceInfos(traceIds: readonly string[]): Promise<TraceInfo[]> {
    return this.store.getTraceInfos(traceIds);
  }

  /** One page of trace infos with their assessments, the newest first unless `orderBy` says otherwise. */
  async searchTraces(options: SearchTracesOptions): Promise<Page<TraceInfo>> {
    return this.store.searchTraces({
      experimentIds:
        typeof options.experimentIds === 'string' ? [options.experimentIds] : options.experimentIds,
      ...(options.filter !== undefined ? { filter: options.filter } : {}),
      ...(options.maxResults !== undefined ? { maxResults: options.maxResults } : {}),
      ...(options.orderBy !== undefined ? { orderBy: options.orderBy } : {}),
      ...(options.pageToken !== undefined ? { pageToken: options.pageToken } : {}),
    });
  }

  /** Every page of a trace search, fetched as the iteration goes. */
  async *searchTracesPages(options: Omit<SearchTracesOptions, 'pageToken'>): AsyncGenerator<Page<TraceInfo>> {
    yield* pagesOf((pageToken) => this.searchTraces({ ...options, ...(pageToken ? { pageToken } : {}) }));
  }

  /** Every trace info of a search, page after page. */
  async *iterateTraces(options: Omit<SearchTracesOptions, 'pageToken'>): AsyncGenerator<TraceInfo> {
    for await (const page of this.searchTracesPages(options)) yield* page.items;
  }

  /** Sets (overwrites) a trace tag; a value over 8,000 characters is truncated, as MLflow does. */
  async setTraceTag(traceId: string, key: string, value: string): Promise<void> {
    return this.store.setTraceTag(traceId, key, value);
  }

  /** Deletes a trace tag; RESOURCE_DOES_NOT_EXIST when the trace has no such tag. */
  async deleteTraceTag(traceId: string, key: string): Promise<void> {
    return this.store.deleteTraceTag(traceId, key);
  }

  /**
   * Deletes traces of one experiment, by ids or as the oldest at or before `maxTimestampMillis`
   * (at most `maxTraces`), with their tags, metadata, spans, assessments and run links; answers how many.
   */
  async deleteTraces(input: DeleteTracesInput): Promise<number> {
    return this.store.deleteTraces(input);
  }

  /** Links up to 100 traces to a run, so `attribute.run_id` searches find them. */
  async linkTracesToRun(traceIds: readonly string[], runId: string): Promise<void> {
    return this.store.linkTracesToRun(traceIds, runId);
  }

  /** Logs an assessment (a feedback or an expectation) on a trace; answers it with its new `a-` id. */
  async logAssessment(assessment: AssessmentInput): Promise<Assessment> {
    return this.store.createAssessment(assessment as Omit<Assessment, 'assessment_id'>);
  }

  /** An assessment of a trace; RESOURCE_DOES_NOT_EXIST when the trace has no such assessment. */
  async getAssessment(traceId: string, assessmentId: string): Promise<Assessment> {
    return this.store.getAssessment(traceId, assessmentId);
  }

  /**
   * Changes an assessment's name, feedback (of a feedback) or expectation (of an expectation),
   * rationale, metadata (merged) or validity. `updateMask` names the fields changed; by default
   * those present in `changes`.
   */
  async updateAssessment(
    traceId: string,
    assessmentId: string,
    changes: AssessmentChanges,
    updateMask?: readonly AssessmentUpdateField[],
  ): Promise<Assessment> {
    const mask =
      updateMask ??
      ASSESSMENT_UPDATE_FIELDS.filter((field) => (changes as Record<string, unknown>)[field] !== undefined);
    return this.store.updateAssessment(traceId, assessmentId, changes, mask);
  }

  /** Deletes an assessment; the one it overrode, if any, becomes valid again. */
  async deleteAssessment(traceId: string, assessmentId: string): Promise<void> {
    return this.store.deleteAssessment(traceId, assessmentId);
  }

  /**
   * MLflow's `override_feedback`: a new feedback of the same name (and span) that overrides
   * the feedback `assessmentId`, which becomes `valid: false`. Answers the new assessment.
   */
  async overrideFeedback(
    traceId: string,
    assessmentId: string,
    feedback: FeedbackOverride,
  ): Promise<Assessment> {
    const old = await this.store.getAssessment(traceId, assessmentId);
    if (old.feedback === undefined) {
      throw invalidParameter(`The assessment with ID ${assessmentId} is not a feedback assessment.`);
    }
    const verdict: Feedback = {};
    if (feedback.value !== undefined) verdict.value = feedback.value;
    if (feedback.error !== undefined) verdict.error = feedback.error;
    return this.logAssessment({
      assessment_name: old.assessment_name,
      trace_id: traceId,
      ...(old.span_id !== undefined ? { span_id: old.span_id } : {}),
      source: feedback.source ?? DEFAULT_FEEDBACK_SOURCE,
      feedback: verdict,
      ...(feedback.rationale !== undefined ? { rationale: feedback.rationale } : {}),
      ...(feedback.metadata !== undefined ? { metadata: feedback.metadata } : {}),
      overrides: assessmentId,
      valid: true,
    });
  }
}
