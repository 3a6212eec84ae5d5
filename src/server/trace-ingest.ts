import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import type { ArtifactUploadBody } from '../artifacts/artifact-service.js';
import { ProxiedArtifactService } from '../artifacts/proxied-artifact-service.js';
import { TRACE_DATA_FILE } from '../entities/index.js';
import { invalidParameter, isAgentrackError } from '../errors.js';
import { parseTraceData } from '../protocol/trace-data.js';
import type { TraceStore } from '../store/trace-store.js';

/** Where MLflow's client uploads a trace's spans: `<experiment_id>/traces/<trace_id>/artifacts/traces.json`. */
const TRACE_DATA_PATH = new RegExp(
  `^([0-9]+)/traces/([^/]+)/artifacts/${TRACE_DATA_FILE.replace('.', '\\.')}$`,
);

/** The largest `traces.json` the server reads to store its spans (it holds the whole file to parse it). */
export const MAX_TRACE_DATA_BYTES = 100 * 1024 * 1024;

/**
 * MLflow's artifact service over a destination, that also stores the spans of every trace
 * file it receives: an upload to `<experiment_id>/traces/<trace_id>/artifacts/traces.json` is
 * read whole and parsed first (400 INVALID_PARAMETER_VALUE, nothing written, when it is not
 * trace data), then written, then its spans become the trace's span rows
 * (`TraceStore.logSpans`) when the trace is known in that experiment; the file of an unknown
 * trace is kept, its spans are not stored. Every other path streams as in
 * {@link ProxiedArtifactService}.
 *
 * @example new TraceIngestingArtifactService(new LocalArtifactRepository('./mlartifacts'), store.traces)
 */
export class TraceIngestingArtifactService extends ProxiedArtifactService {
  readonly #traces: TraceStore;

  constructor(destination: ArtifactRepository, traces: TraceStore) {
    super(destination);
    this.#traces = traces;
  }

  override async uploadArtifact(path: string, body: ArtifactUploadBody): Promise<void> {
    const match = TRACE_DATA_PATH.exec(path);
    if (!match) return super.uploadArtifact(path, body);
    const [, experimentId = '', traceId = ''] = match;
    const bytes = await readWhole(body, path);
    const spans = parseTraceData(bytes.toString('utf8'), traceId);
    await this.destination.put(path, Readable.from([bytes]), {
      size: bytes.length,
      bytes,
      ...(body.contentType === undefined ? {} : { contentType: body.contentType }),
    });
    if (await this.#isTraceOf(traceId, experimentId)) await this.#traces.logSpans(traceId, spans);
  }

  /** True when the trace is stored in that experiment (so a writer of another experiment cannot replace its spans). */
  async #isTraceOf(traceId: string, experimentId: string): Promise<boolean> {
    try {
      return (await this.#traces.getTraceExperimentId(traceId)) === experimentId;
    } catch (error) {
      if (
        isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST') ||
        isAgentrackError(error, 'INVALID_PARAMETER_VALUE')
      ) {
        return false;
      }
      throw error;
    }
  }
}

/** The whole body of an upload, refused past {@link MAX_TRACE_DATA_BYTES}. */
async function readWhole(body: ArtifactUploadBody, path: string): Promise<Buffer> {
  const tooLarge = () =>
    invalidParameter(
      `The trace data '${path}' is larger than ${MAX_TRACE_DATA_BYTES} bytes, the most this server reads to store its spans.`,
    );
  if (body.size !== undefined && body.size > MAX_TRACE_DATA_BYTES) {
    body.stream.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body.stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buffer.length;
    if (total > MAX_TRACE_DATA_BYTES) {
      body.stream.destroy();
      throw tooLarge();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total);
}
