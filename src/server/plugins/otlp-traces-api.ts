import { Buffer } from 'node:buffer';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { createArtifactLocator } from '../../artifacts/artifact-locator.js';
import type { ArtifactRepository } from '../../artifacts/artifact-repository.js';
import { AgentrackError, invalidParameter } from '../../errors.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import type { Authorize } from '../access.js';
import { mlflowErrorHandler, sendError } from '../error-reply.js';
import { decodeTraceRequest, encodeTraceResponse, type OtlpEncoding } from '../otlp/otlp-codec.js';
import { OtlpTraceIngest } from '../otlp/otlp-trace-ingest.js';
import { MAX_REQUEST_BODY_BYTES } from '../wire/json-body.js';

/** Where OTLP/HTTP exporters send traces (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` = `<server>/v1/traces`). */
export const OTLP_TRACES_PATH = '/v1/traces';
/** The request header naming the experiment the spans go to, as MLflow's server reads it. */
export const OTLP_EXPERIMENT_ID_HEADER = 'x-mlflow-experiment-id';

/** Options of {@link otlpTracesApi}. */
export interface OtlpTracesApiOptions {
  /** The store traces are written to. The plugin never closes it. */
  store: TrackingStore;
  /**
   * Where proxied artifacts are kept: a trace of an experiment whose artifact location is
   * `mlflow-artifacts:` gets its `traces.json` there. The plugin never closes it.
   */
  destination?: ArtifactRepository | undefined;
  /** Decides per request (a write to the experiment named by the header); without it everything is allowed. */
  authorize?: Authorize | undefined;
  /** The largest request body taken, compressed or not, in bytes; default 20 MiB. */
  bodyLimit?: number;
}

/**
 * OpenTelemetry's OTLP/HTTP trace ingest, as MLflow's server offers it (3.6 and later):
 * `POST /v1/traces` with an `ExportTraceServiceRequest` in binary protobuf
 * (`application/x-protobuf`) or JSON (`application/json`), optionally gzip- or
 * deflate-compressed, into the experiment named by the `x-mlflow-experiment-id` header.
 * Spans are stored as they come (a trace's spans may arrive over several requests) by an
 * {@link OtlpTraceIngest}; the answer is an OTLP `ExportTraceServiceResponse` in the request's
 * encoding, with `partial_success` counting the spans refused. A body that cannot be decoded,
 * or a missing, unknown or deleted experiment, is 400 INVALID_PARAMETER_VALUE in MLflow's JSON
 * error shape; another media type is 415. Encapsulated; closes the artifact repositories it
 * opened when the app closes.
 */
export const otlpTracesApi: FastifyPluginAsync<OtlpTracesApiOptions> = async (app, options) => {
  const { store, destination, authorize } = options;
  const bodyLimit = options.bodyLimit ?? MAX_REQUEST_BODY_BYTES;
  app.setErrorHandler(mlflowErrorHandler);
  const locator = createArtifactLocator({ proxied: destination, proxiedHttpUris: true });
  app.addHook('onClose', () => locator.close());
  const ingest = new OtlpTraceIngest(store, locator);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
  app.post(OTLP_TRACES_PATH, { config: { queuedWrite: true } }, async (request, reply) => {
    const encoding = encodingOf(request.headers['content-type']);
    if (encoding === undefined) {
      return sendError(reply, 415, {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: `Unsupported Content-Type '${request.headers['content-type'] ?? ''}' for ${OTLP_TRACES_PATH}: send application/x-protobuf or application/json.`,
      });
    }
    const experimentId = experimentOf(request);
    await authorize?.({
      principal: request.principal,
      endpoint: 'v1/traces',
      write: true,
      experimentId,
      request,
    });
    await checkExperiment(store, experimentId);
    const body = decompress(
      Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      request.headers['content-encoding'],
      bodyLimit,
    );
    const decoded = decodeTraceRequest(body, encoding);
    const outcome = await ingest.ingest(experimentId, decoded.spans);
    const reasons = [...decoded.reasons, ...outcome.reasons];
    return reply
      .code(200)
      .type(encoding === 'json' ? 'application/json' : 'application/x-protobuf')
      .send(encodeTraceResponse(encoding, decoded.rejected + outcome.rejected, reasons.join('; ')));
  });
};

function encodingOf(header: string | undefined): OtlpEncoding | undefined {
  const type = (header ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

function experimentOf(request: FastifyRequest): string {
  const raw = request.headers[OTLP_EXPERIMENT_ID_HEADER];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!value) {
    throw invalidParameter(
      `Missing header '${OTLP_EXPERIMENT_ID_HEADER}': name the experiment the spans go to (its id).`,
    );
  }
  return value;
}

async function checkExperiment(store: TrackingStore, experimentId: string): Promise<void> {
  let stage: string;
  try {
    stage = (await store.getExperiment(experimentId)).lifecycle_stage;
  } catch (error) {
    if (error instanceof AgentrackError && error.code !== 'INTERNAL_ERROR') {
      throw invalidParameter(
        `No experiment with id '${experimentId}' (header '${OTLP_EXPERIMENT_ID_HEADER}').`,
      );
    }
    throw error;
  }
  if (stage !== 'active') {
    throw invalidParameter(
      `The experiment ${experimentId} (header '${OTLP_EXPERIMENT_ID_HEADER}') must be in the 'active' state. Current state is ${stage}.`,
    );
  }
}

function decompress(body: Buffer, header: string | undefined, limit: number): Buffer {
  const encoding = (header ?? 'identity').trim().toLowerCase();
  try {
    if (encoding === 'gzip') return gunzipSync(body, { maxOutputLength: limit });
    if (encoding === 'deflate') return inflateSync(body, { maxOutputLength: limit });
  } catch (error) {
    throw invalidParameter(
      `The ${encoding} request body cannot be decompressed: ${(error as Error).message}.`,
    );
  }
  if (encoding === 'identity' || encoding === '') return body;
  throw invalidParameter(`Unsupported Content-Encoding '${encoding}': send gzip, deflate or identity.`);
}
