import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import {
  sortArtifactInfos,
  type ArtifactDownload,
  type ArtifactRepository,
} from '../artifacts/artifact-repository.js';
import type { ArtifactFileInfo, ArtifactUploadBody } from '../artifacts/artifact-service.js';
import { ProxiedArtifactService } from '../artifacts/proxied-artifact-service.js';
import { TRACE_DATA_FILE } from '../entities/index.js';
import { invalidParameter, isAgentrackError } from '../errors.js';
import { parseTraceData } from '../protocol/trace-data.js';
import type { TraceDataStore, TraceStore } from '../store/trace-store.js';
import { validateExperimentId } from '../validation/index.js';

/** Where MLflow's client uploads a trace's spans: `<experiment_id>/traces/<trace_id>/artifacts/traces.json`. */
const TRACE_DATA_PATH = new RegExp(
  `^([0-9]+)/traces/([^/]+)/artifacts/${TRACE_DATA_FILE.replace('.', '\\.')}$`,
);

/**
 * The folders above a trace's `traces.json`, which list the files kept in the database too:
 * `<experiment_id>`, `<experiment_id>/traces`, `<experiment_id>/traces/<trace_id>` and
 * `<experiment_id>/traces/<trace_id>/artifacts` (the path's experiment id, trace id, and
 * which of the four it is).
 */
const TRACE_DATA_FOLDER = /^([0-9]+)(?:\/(traces)(?:\/([^/]+)(?:\/(artifacts))?)?)?$/;

/** The largest `traces.json` the server reads to store its spans (it holds the whole file to parse it). */
export const MAX_TRACE_DATA_BYTES = 100 * 1024 * 1024;

/**
 * The largest `traces.json` kept in the database beside its span rows (a trace of 10,000 spans
 * takes about 4 MB); a larger one is written to the artifact store as any file.
 */
export const MAX_TRACE_DATA_IN_DATABASE_BYTES = 16 * 1024 * 1024;

/** Which of a trace's folders (or the file itself) an artifact path names; undefined for any other path. */
interface TraceDataScope {
  experimentId: string;
  /** The trace, for the three levels below `traces`. */
  traceId?: string;
  level: 'experiment' | 'traces' | 'trace' | 'artifacts' | 'file';
}

function traceDataScope(path: string): TraceDataScope | undefined {
  const file = TRACE_DATA_PATH.exec(path);
  if (file) {
    const [, experimentId = '', traceId = ''] = file;
    return isExperimentId(experimentId) ? { experimentId, traceId, level: 'file' } : undefined;
  }
  const folder = TRACE_DATA_FOLDER.exec(path);
  if (!folder) return undefined;
  const [, experimentId = '', traces, traceId, artifacts] = folder;
  if (!isExperimentId(experimentId)) return undefined;
  if (traceId !== undefined) return { experimentId, traceId, level: artifacts ? 'artifacts' : 'trace' };
  return { experimentId, level: traces ? 'traces' : 'experiment' };
}

/** True for an experiment id as the store writes it in artifact paths (`7`, never `007`). */
function isExperimentId(text: string): boolean {
  try {
    return validateExperimentId(text) === text;
  } catch {
    return false;
  }
}

/**
 * MLflow's artifact service over a destination, that also stores the spans of every trace
 * file it receives. An upload to `<experiment_id>/traces/<trace_id>/artifacts/traces.json` is
 * read whole and parsed first (400 INVALID_PARAMETER_VALUE, nothing written, when it is not
 * trace data). When the trace is known in that experiment, its spans become the trace's span
 * rows and, with a {@link TraceDataStore} (an SQL store), the file is kept in the database
 * in the same transaction, byte for byte, instead of in the destination: downloads, listings
 * and deletions of that path and its folders answer as if it were a file there. A file larger
 * than {@link MAX_TRACE_DATA_IN_DATABASE_BYTES} (or any, without a data store) is written
 * to the destination, its spans stored as rows; the file of an unknown trace is kept, its
 * spans are not stored. Every other path streams as in {@link ProxiedArtifactService}.
 *
 * @example new TraceIngestingArtifactService(new LocalArtifactRepository('./mlartifacts'), store.traces)
 */
export class TraceIngestingArtifactService extends ProxiedArtifactService {
  readonly #traces: TraceStore;
  readonly #data: TraceDataStore | undefined;
  readonly #maxBytesInDatabase: number;

  /**
   * @param data where `traces.json` files are kept (the same SQL store as `traces`); without
   *   it every one is written to `destination`.
   * @param options.maxBytesInDatabase the largest file kept in the database (default
   *   {@link MAX_TRACE_DATA_IN_DATABASE_BYTES}).
   */
  constructor(
    destination: ArtifactRepository,
    traces: TraceStore,
    data?: TraceDataStore,
    options: { maxBytesInDatabase?: number } = {},
  ) {
    super(destination);
    this.#traces = traces;
    this.#data = data;
    this.#maxBytesInDatabase = options.maxBytesInDatabase ?? MAX_TRACE_DATA_IN_DATABASE_BYTES;
  }

  override async uploadArtifact(path: string, body: ArtifactUploadBody): Promise<void> {
    const match = TRACE_DATA_PATH.exec(path);
    if (!match) return super.uploadArtifact(path, body);
    const [, experimentId = '', traceId = ''] = match;
    const bytes = await readWhole(body, path);
    const spans = parseTraceData(bytes.toString('utf8'), traceId);
    const data = isExperimentId(experimentId) ? this.#data : undefined;
    if (data !== undefined && bytes.length <= this.#maxBytesInDatabase) {
      const file = body.contentType === undefined ? { bytes } : { bytes, contentType: body.contentType };
      if (await data.putTraceData(traceId, experimentId, spans, file)) return;
    }
    await this.destination.put(path, Readable.from([bytes]), {
      size: bytes.length,
      bytes,
      ...(body.contentType === undefined ? {} : { contentType: body.contentType }),
    });
    if (await this.#isTraceOf(traceId, experimentId)) {
      await this.#traces.logSpans(traceId, spans);
      // An earlier, smaller upload kept in the database would otherwise shadow this file.
      await data?.deleteTraceData(experimentId, traceId);
    }
  }

  override async downloadArtifact(path: string): Promise<ArtifactDownload> {
    const scope = this.#data === undefined ? undefined : traceDataScope(path);
    if (scope?.level === 'file' && scope.traceId !== undefined) {
      const kept = await this.#data?.getTraceData(scope.traceId, scope.experimentId);
      if (kept !== undefined) {
        return {
          body: Readable.from([kept.bytes]),
          size: kept.bytes.length,
          ...(kept.contentType === undefined ? {} : { contentType: kept.contentType }),
        };
      }
    }
    return super.downloadArtifact(path);
  }

  override async listArtifacts(path = ''): Promise<ArtifactFileInfo[]> {
    const files = await super.listArtifacts(path);
    const kept = await this.#keptEntries(path);
    if (kept.length === 0) return files;
    const byName = new Map(files.map((file) => [file.path, file]));
    // A file kept in the database wins over one of the same name the destination still holds.
    for (const entry of kept) byName.set(entry.path, entry);
    const sorted = sortArtifactInfos(
      [...byName.values()].map((file) => ({ path: file.path, name: file.path, isDir: file.isDir })),
    );
    return sorted.map((info) => byName.get(info.name) as ArtifactFileInfo);
  }

  override async deleteArtifact(path: string): Promise<void> {
    const scope = this.#data === undefined ? undefined : traceDataScope(path);
    if (scope !== undefined) {
      await this.#data?.deleteTraceData(scope.experimentId, scope.traceId);
    }
    await super.deleteArtifact(path);
  }

  /** The entries of `path`'s listing that stand for `traces.json` files kept in the database. */
  async #keptEntries(path: string): Promise<ArtifactFileInfo[]> {
    const data = this.#data;
    if (data === undefined) return [];
    // Listings answer names relative to the listed folder, as MLflow's does.
    const dir = (name: string): ArtifactFileInfo => ({ path: name, isDir: true });
    if (path === '') return (await data.traceDataExperiments()).map(dir);
    const scope = traceDataScope(path);
    if (scope === undefined || scope.level === 'file') return [];
    if (scope.traceId === undefined) {
      const kept = await data.listTraceData(scope.experimentId);
      if (scope.level === 'experiment') return kept.length > 0 ? [dir('traces')] : [];
      return kept.map((trace) => dir(trace.traceId));
    }
    const [kept] = await data.listTraceData(scope.experimentId, scope.traceId);
    if (kept === undefined) return [];
    if (scope.level === 'trace') return [dir('artifacts')];
    return [{ path: TRACE_DATA_FILE, isDir: false, fileSize: kept.size }];
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
