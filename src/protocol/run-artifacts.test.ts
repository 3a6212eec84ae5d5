import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RunArtifactService } from '../client/run-artifact-service.js';
import {
  servedMethods,
  type IncomingRequest,
  type JsonResponse,
  type ParamsRequest,
  type RawRequest,
  type RequestCodec,
  type ResponseCodec,
} from './endpoint.js';
import { MAX_UPLOAD_ARTIFACT_BYTES, RUN_ARTIFACT_ENDPOINTS, RUN_ARTIFACTS_API } from './run-artifacts.js';
import { RequestParams } from './wire/request-params.js';

const RUN = '0123456789abcdef0123456789abcdef';
const request: IncomingRequest = { path: {}, origin: 'http://127.0.0.1:5000', header: () => undefined };

function params<A>(codec: RequestCodec<A>): ParamsRequest<A> {
  if (codec.kind !== 'params') throw new Error(`a ${codec.kind} request`);
  return codec;
}
function raw<A>(codec: RequestCodec<A>): RawRequest<A> {
  if (codec.kind !== 'raw') throw new Error(`a ${codec.kind} request`);
  return codec;
}
function json<R, A>(codec: ResponseCodec<R, A>): JsonResponse<R, A> {
  if (codec.kind !== 'json') throw new Error(`a ${codec.kind} response`);
  return codec;
}
/** The query a server reads from the parameters a client sends (strings, as a query string carries them). */
function query(wire: Readonly<Record<string, unknown>>): RequestParams {
  const entries = Object.entries(wire).filter(([, value]) => value !== undefined);
  return RequestParams.fromQuery(Object.fromEntries(entries.map(([key, value]) => [key, String(value)])));
}
async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe("the tracking API's run artifact table", () => {
  it('has one endpoint per RunArtifactService operation, where MLflow serves each, with the run or the logged model as access target', () => {
    const rows = RUN_ARTIFACT_ENDPOINTS.map((e) => [
      e.name,
      servedMethods(e).join(','),
      e.prefixes,
      e.path,
      e.write,
    ]);
    expect(rows).toEqual([
      ['listRunArtifacts', 'GET', ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'], 'artifacts/list', false],
      ['openArtifact', 'GET', ['/'], 'get-artifact', false],
      ['putArtifact', 'POST', ['/ajax-api/2.0/mlflow/'], 'upload-artifact', true],
      [
        'listLoggedModelArtifacts',
        'GET',
        ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'],
        'logged-models/<model_id>/artifacts/directories',
        false,
      ],
      [
        'openLoggedModelArtifact',
        'GET',
        ['/ajax-api/2.0/mlflow/'],
        'logged-models/<model_id>/artifacts/files',
        false,
      ],
    ]);
    const operations: Record<keyof RunArtifactService, true> = {
      listRunArtifacts: true,
      openArtifact: true,
      putArtifact: true,
      listLoggedModelArtifacts: true,
      openLoggedModelArtifact: true,
    };
    expect(Object.keys(RUN_ARTIFACTS_API).sort()).toEqual(Object.keys(operations).sort());
    expect(RUN_ARTIFACTS_API.listRunArtifacts.access([RUN, 'dir'])).toEqual({ runId: RUN });
    expect(RUN_ARTIFACTS_API.openArtifact.access([RUN, 'a.txt'])).toEqual({ runId: RUN });
    expect(RUN_ARTIFACTS_API.putArtifact.access([RUN, 'a.txt', { stream: Readable.from([]) }])).toEqual({
      runId: RUN,
    });
    expect(RUN_ARTIFACTS_API.listLoggedModelArtifacts.access(['m-1', 'dir'])).toEqual({ modelId: 'm-1' });
    expect(RUN_ARTIFACTS_API.openLoggedModelArtifact.access(['m-1', 'MLmodel'])).toEqual({ modelId: 'm-1' });
  });

  it('carries a listing from client to server and its answer back', () => {
    const endpoint = RUN_ARTIFACTS_API.listRunArtifacts;
    expect(
      params(endpoint.request).decode(query(params(endpoint.request).encode([RUN, 'dir/'])), request),
    ).toEqual([RUN, 'dir']);
    expect(params(endpoint.request).decode(query(params(endpoint.request).encode([RUN])), request)).toEqual([
      RUN,
      undefined,
    ]);
    const listing = {
      rootUri: `mlflow-artifacts:/1/${RUN}/artifacts`,
      files: [
        { path: 'dir/a.txt', is_dir: false, file_size: 3 },
        { path: 'dir/sub', is_dir: true },
      ],
    };
    const wire = json(endpoint.response).encode(listing, [RUN, 'dir']);
    expect(wire).toEqual({ root_uri: listing.rootUri, files: listing.files });
    expect(
      json(endpoint.response).decode(JSON.parse(JSON.stringify(wire)), [RUN, 'dir'], new Headers()),
    ).toEqual(listing);
    const empty = json(endpoint.response).encode({ rootUri: listing.rootUri, files: [] }, [RUN]);
    expect(empty).toEqual({ root_uri: listing.rootUri });
    expect(json(endpoint.response).decode({ ...empty }, [RUN], new Headers())).toEqual({
      rootUri: listing.rootUri,
      files: [],
    });
  });

  it('reads a download request as MLflow, run_uuid included', () => {
    const codec = params(RUN_ARTIFACTS_API.openArtifact.request);
    expect(codec.decode(query(codec.encode([RUN, 'model/MLmodel'])), request)).toEqual([
      RUN,
      'model/MLmodel',
    ]);
    expect(codec.decode(query({ run_uuid: RUN, path: 'a.txt' }), request)).toEqual([RUN, 'a.txt']);
    expect(() => codec.decode(query({ run_id: RUN, path: '../a.txt' }), request)).toThrow(/^Invalid path/);
  });

  it('passes an upload body on unread, held to 10 MiB and refused when empty as it streams', async () => {
    const codec = raw(RUN_ARTIFACTS_API.putArtifact.request);
    const sent = codec.encode([RUN, 'notes/a.txt', { stream: Readable.from(['hello']), size: 5 }]);
    expect(sent.params).toEqual({ run_uuid: RUN, path: 'notes/a.txt' });
    const [runId, path, body] = codec.decode(sent.body, query(sent.params), request);
    expect([runId, path, body.size]).toEqual([RUN, 'notes/a.txt', 5]);
    expect(await text(body.stream)).toBe('hello');

    const over = Buffer.alloc(MAX_UPLOAD_ARTIFACT_BYTES + 1);
    expect(() =>
      codec.decode({ stream: Readable.from([over]), size: over.length }, query(sent.params), request),
    ).toThrow('Artifact size is too large. Max size is 10MB.');
    const [, , unannounced] = codec.decode({ stream: Readable.from([over]) }, query(sent.params), request);
    await expect(text(unannounced.stream)).rejects.toThrow('Artifact size is too large. Max size is 10MB.');
    const [, , empty] = codec.decode({ stream: Readable.from([]) }, query(sent.params), request);
    await expect(text(empty.stream)).rejects.toThrow('Request must specify data.');
  });
});
