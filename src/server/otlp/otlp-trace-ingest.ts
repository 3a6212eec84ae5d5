import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import type { ArtifactLocator } from '../../artifacts/artifact-locator.js';
import { joinArtifactPath } from '../../artifacts/artifact-path.js';
import {
  TRACE_ARTIFACT_LOCATION_TAG,
  TRACE_DATA_FILE,
  type Span,
  type TraceInfo,
} from '../../entities/index.js';
import { AgentrackError } from '../../errors.js';
import { formatTraceData, sortSpans } from '../../protocol/trace-data.js';
import { summarizeTrace, TRACE_INPUTS_KEY, TRACE_OUTPUTS_KEY } from '../../protocol/trace-summary.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import { Mutex } from '../../utils/mutex.js';

/** What an ingest refused (how many spans, and why), and what it stored without its `traces.json`. */
export interface IngestOutcome {
  rejected: number;
  reasons: string[];
}

/**
 * Stores spans that arrive over OTLP, in an experiment, as MLflow's server does with
 * `log_spans`: the spans of a trace may come in several requests and are upserted by span id;
 * a trace seen for the first time is created IN_PROGRESS, and its info is (re)made from its
 * root span when that arrives (times, state, name, previews, inputs and outputs), keeping the
 * tags and metadata set meanwhile. After each write the trace's `traces.json`, in its artifact
 * location, holds all its spans, so that MLflow's client reads the trace. Writes to one trace
 * are serialized; a trace that fails is refused alone (its spans counted in `rejected`); one
 * whose `traces.json` cannot be written (no artifact service) keeps its rows and is only
 * mentioned in `reasons`, as OTLP's partial success allows.
 */
export class OtlpTraceIngest {
  readonly #store: TrackingStore;
  readonly #locator: ArtifactLocator;
  readonly #locks = new Map<string, { mutex: Mutex; users: number }>();

  constructor(store: TrackingStore, locator: ArtifactLocator) {
    this.#store = store;
    this.#locator = locator;
  }

  /** Stores `spans` (of any number of traces) in experiment `experimentId`. */
  async ingest(experimentId: string, spans: readonly Span[]): Promise<IngestOutcome> {
    const byTrace = new Map<string, Span[]>();
    for (const span of spans) {
      const group = byTrace.get(span.trace_id);
      if (group) group.push(span);
      else byTrace.set(span.trace_id, [span]);
    }
    const outcome: IngestOutcome = { rejected: 0, reasons: [] };
    for (const [traceId, group] of byTrace) {
      try {
        await this.#locked(traceId, () => this.#ingestTrace(experimentId, traceId, group));
      } catch (error) {
        if (error instanceof SpansKeptError) {
          outcome.reasons.push(
            `trace ${traceId}: spans stored, but its ${TRACE_DATA_FILE} was not written: ${error.message}`,
          );
          continue;
        }
        outcome.rejected += group.length;
        outcome.reasons.push(`trace ${traceId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return outcome;
  }

  async #ingestTrace(experimentId: string, traceId: string, group: Span[]): Promise<void> {
    const traces = this.#store.traces;
    const existing = await traces.getTraceInfo(traceId).catch((error: unknown) => {
      if (error instanceof AgentrackError && error.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw error;
    });
    const owner = existing?.trace_location.mlflow_experiment?.experiment_id;
    if (existing && owner !== experimentId) {
      throw new AgentrackError(
        'INVALID_PARAMETER_VALUE',
        `the trace belongs to experiment ${owner ?? '(none)'}, not ${experimentId}.`,
      );
    }
    // The trace's spans once these are stored, by id (a span sent again replaces its row).
    const merged = new Map(
      (existing ? await traces.getSpans(traceId) : []).map((span) => [span.span_id, span]),
    );
    for (const span of group) merged.set(span.span_id, span);
    const all = sortSpans([...merged.values()]);
    // Info and spans in one transaction: a kill leaves the trace as it was, or with these spans
    // and the info they make (a new trace's, or one remade from its root).
    let info = existing;
    if (!info || group.some((span) => span.parent_span_id === undefined)) {
      const summary = existing
        ? summarizeTrace(traceId, all, { experimentId, ...keptFrom(existing) })
        : summarizeTrace(traceId, all, { experimentId });
      info = await traces.logTrace(summary, group);
    } else {
      await traces.logSpans(traceId, group);
    }
    try {
      await this.#writeTraceData(info, all);
    } catch (error) {
      // The spans are stored (MLflow's client reads them back); only the file is missing.
      throw new SpansKeptError(error instanceof Error ? error.message : String(error));
    }
  }

  async #writeTraceData(info: TraceInfo, spans: readonly Span[]): Promise<void> {
    const location = info.tags?.[TRACE_ARTIFACT_LOCATION_TAG];
    if (location === undefined) return;
    const { repository, path } = await this.#locator.locate(location);
    const bytes = Buffer.from(formatTraceData(spans), 'utf8');
    await repository.put(joinArtifactPath(path, TRACE_DATA_FILE), Readable.from([bytes]), {
      size: bytes.length,
      contentType: 'application/json',
    });
  }

  async #locked<T>(traceId: string, fn: () => Promise<T>): Promise<T> {
    let lock = this.#locks.get(traceId);
    if (lock === undefined) {
      lock = { mutex: new Mutex(), users: 0 };
      this.#locks.set(traceId, lock);
    }
    lock.users++;
    try {
      return await lock.mutex.run(fn);
    } finally {
      if (--lock.users === 0) this.#locks.delete(traceId);
    }
  }
}

/** A trace whose spans were stored but whose `traces.json` could not be written. */
class SpansKeptError extends Error {}

/** The tags and metadata of a stored trace that its new info keeps: all but those made from its spans. */
function keptFrom(info: TraceInfo): { tags: Record<string, string>; metadata: Record<string, string> } {
  const { [TRACE_ARTIFACT_LOCATION_TAG]: _location, ...tags } = info.tags ?? {};
  const {
    [TRACE_INPUTS_KEY]: _inputs,
    [TRACE_OUTPUTS_KEY]: _outputs,
    ...metadata
  } = info.trace_metadata ?? {};
  return { tags, metadata };
}
