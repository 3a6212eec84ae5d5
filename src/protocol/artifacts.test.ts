import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ArtifactService } from '../artifacts/artifact-service.js';
import { expectError } from '../client/tracking-client.contract.js';
import { ARTIFACT_ENDPOINTS, ARTIFACTS_API, partUploadUrl } from './artifacts.js';
import {
  fillPath,
  servedMethods,
  type IncomingRequest,
  type JsonResponse,
  type ParamsRequest,
  type PathParams,
  type RawRequest,
  type RequestCodec,
  type ResponseCodec,
} from './endpoint.js';
import { RequestParams } from './wire/request-params.js';

// What the server would see of a request: its path parameter as Fastify decodes a wildcard (once).
function incoming(path: PathParams, headers: Record<string, string> = {}): IncomingRequest {
  return { path, origin: 'http://127.0.0.1:5000', header: (name) => headers[name] };
}

// The rows' codecs, by the kind each row has.
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

/** The path parameter a server reads back from the path a client calls: each segment decoded once. */
function roundTripPath(pathTemplate: string, params: PathParams): PathParams {
  const filled = fillPath(pathTemplate, params);
  const prefix = pathTemplate.slice(0, pathTemplate.indexOf('<'));
  const name = /<path:([a-z_]+)>/.exec(pathTemplate)?.[1] ?? '';
  return { [name]: decodeURIComponent(filled.slice(prefix.length)) };
}

describe('the artifact service table', () => {
  it("has one endpoint per ArtifactService operation, with MLflow's methods and paths", () => {
    const rows = ARTIFACT_ENDPOINTS.map((e) => [e.name, servedMethods(e).join(','), e.path, e.write]);
    expect(rows).toEqual([
      ['uploadArtifact', 'PUT', 'artifacts/<path:artifact_path>', true],
      ['downloadArtifact', 'GET', 'artifacts/<path:artifact_path>', false],
      ['listArtifacts', 'GET', 'artifacts', false],
      ['deleteArtifact', 'DELETE', 'artifacts/<path:artifact_path>', true],
      ['createMultipartUpload', 'POST', 'mpu/create/<path:artifact_path>', true],
      ['uploadMultipartPart', 'PUT', 'mpu/upload-part/<path:artifact_path>', true],
      ['completeMultipartUpload', 'POST', 'mpu/complete/<path:artifact_path>', true],
      ['abortMultipartUpload', 'POST', 'mpu/abort/<path:artifact_path>', true],
    ]);
    for (const endpoint of ARTIFACT_ENDPOINTS) {
      expect(endpoint.prefixes).toEqual(['/api/2.0/mlflow-artifacts/', '/ajax-api/2.0/mlflow-artifacts/']);
    }
    const operations: Record<keyof ArtifactService, true> = {
      uploadArtifact: true,
      downloadArtifact: true,
      listArtifacts: true,
      deleteArtifact: true,
      createMultipartUpload: true,
      uploadMultipartPart: true,
      completeMultipartUpload: true,
      abortMultipartUpload: true,
    };
    expect(Object.keys(ARTIFACTS_API).sort()).toEqual(Object.keys(operations).sort());
  });

  it('names the experiment of each path (its first segment) for access control', () => {
    expect(
      ARTIFACTS_API.uploadArtifact.access(['1/run/artifacts/a.txt', { stream: Readable.from([]) }]),
    ).toEqual({
      artifactPath: '1/run/artifacts/a.txt',
      experimentId: '1',
    });
    expect(ARTIFACTS_API.listArtifacts.access([undefined])).toEqual({ artifactPath: '' });
    expect(ARTIFACTS_API.deleteArtifact.access(['models/x'])).toEqual({ artifactPath: 'models/x' });
    expect(ARTIFACTS_API.createMultipartUpload.access(['12/run/artifacts', { path: 'big.bin' }])).toEqual({
      artifactPath: '12/run/artifacts',
      experimentId: '12',
    });
  });

  it('carries an upload path from client to server, each segment encoded once', () => {
    const path = '1/run/artifacts/a b%20c/ü #x?.txt';
    const endpoint = ARTIFACTS_API.uploadArtifact;
    const body = { stream: Readable.from(['x']), size: 1, contentType: 'text/plain' };
    const encodedPath = endpoint.request.encodePath?.([path, body]) ?? {};
    expect(fillPath(endpoint.path, encodedPath)).toBe(
      'artifacts/1/run/artifacts/a%20b%2520c/%C3%BC%20%23x%3F.txt',
    );
    // '#' is refused by the server's path check, as everything else MLflow refuses.
    expect(() =>
      raw(endpoint.request).decode(
        body,
        RequestParams.fromQuery({}),
        incoming(roundTripPath(endpoint.path, encodedPath)),
      ),
    ).toThrow(/^Invalid path: '#' is not allowed/);
    const safe = '1/run/artifacts/a b%20c/ü.txt';
    const [decoded, decodedBody] = raw(endpoint.request).decode(
      body,
      RequestParams.fromQuery({}),
      incoming(roundTripPath(endpoint.path, { artifact_path: safe })),
    );
    expect([decoded, decodedBody]).toEqual([safe, body]);
  });

  it.each([
    ['../../../../etc/passwd'],
    ['1/../../../etc/passwd'],
    ['%2E%2E/%2E%2E/etc'],
    ['a\\b'],
    ['a\u0000b'],
    ['/etc/passwd'],
  ])('refuses the unsafe path %j in every endpoint that takes a path', (path) => {
    const request = incoming({ artifact_path: path });
    const none = RequestParams.fromQuery({});
    const body = { stream: Readable.from([]) };
    expect(() => raw(ARTIFACTS_API.uploadArtifact.request).decode(body, none, request)).toThrow(
      /^Invalid path/,
    );
    expect(() => params(ARTIFACTS_API.downloadArtifact.request).decode(none, request)).toThrow(
      /^Invalid path/,
    );
    expect(() => params(ARTIFACTS_API.deleteArtifact.request).decode(none, request)).toThrow(/^Invalid path/);
    expect(() =>
      params(ARTIFACTS_API.listArtifacts.request).decode(RequestParams.fromQuery({ path }), request),
    ).toThrow(/^Invalid path/);
    const mpu = RequestParams.fromJson({ path: 'f.bin', upload_id: 'u', parts: [] });
    expect(() => params(ARTIFACTS_API.createMultipartUpload.request).decode(mpu, request)).toThrow(
      /^Invalid path/,
    );
    expect(() => params(ARTIFACTS_API.completeMultipartUpload.request).decode(mpu, request)).toThrow(
      /^Invalid path/,
    );
    expect(() => params(ARTIFACTS_API.abortMultipartUpload.request).decode(mpu, request)).toThrow(
      /^Invalid path/,
    );
    const part = RequestParams.fromQuery({ upload_id: 'u', part_number: '1' });
    expect(() => raw(ARTIFACTS_API.uploadMultipartPart.request).decode(body, part, request)).toThrow(
      /^Invalid path/,
    );
  });

  it("answers a listing in MLflow's shape: names, is_dir, file_size on files only, {} when empty", () => {
    const response = json(ARTIFACTS_API.listArtifacts.response);
    const files = [
      { path: 'agent_config.txt', isDir: false, fileSize: 34 },
      { path: 'configs', isDir: true },
    ];
    expect(response.encode(files, [undefined])).toEqual({
      files: [
        { path: 'agent_config.txt', is_dir: false, file_size: 34 },
        { path: 'configs', is_dir: true },
      ],
    });
    expect(response.encode([], ['1/run/artifacts/a.txt'])).toEqual({});
    const headers = { get: () => null };
    expect(response.decode({}, [undefined], headers)).toEqual([]);
    // int64 sizes may come as strings from other servers.
    expect(
      response.decode(
        {
          files: [
            { path: 'a', is_dir: false, file_size: '7' },
            { path: 'd', is_dir: true },
          ],
        },
        [undefined],
        headers,
      ),
    ).toEqual([
      { path: 'a', isDir: false, fileSize: 7 },
      { path: 'd', isDir: true },
    ]);
    expect(params(ARTIFACTS_API.listArtifacts.request).encode([undefined])).toEqual({ path: undefined });
    expect(
      params(ARTIFACTS_API.listArtifacts.request).decode(
        RequestParams.fromQuery({ path: 'a/b/' }),
        incoming({}),
      ),
    ).toEqual(['a/b']);
  });

  it('reads a multipart create as MLflow sends it, with where the parts go', async () => {
    const [folder, input] = params(ARTIFACTS_API.createMultipartUpload.request).decode(
      RequestParams.fromJson({ path: '/tmp/local/big.bin', num_parts: 3 }),
      incoming({ artifact_path: '1/run/artifacts/large' }, { authorization: 'Bearer t' }),
    );
    expect([folder, input]).toEqual([
      '1/run/artifacts/large',
      {
        path: '/tmp/local/big.bin',
        numParts: 3,
        partTarget: { origin: 'http://127.0.0.1:5000', authorization: 'Bearer t' },
      },
    ]);
    expect(() =>
      params(ARTIFACTS_API.createMultipartUpload.request).decode(
        RequestParams.fromJson({ num_parts: 1 }),
        incoming({ artifact_path: 'a' }),
      ),
    ).toThrow(/Missing value for required parameter 'path'/);
    expect(() =>
      params(ARTIFACTS_API.createMultipartUpload.request).decode(
        RequestParams.fromJson({ path: 'f', num_parts: 10_001 }),
        incoming({ artifact_path: 'a' }),
      ),
    ).toThrow(/0 to 10000 parts/);
    const wire = json(ARTIFACTS_API.createMultipartUpload.response).encode(
      { uploadId: 'u-1', credentials: [{ url: 'http://x/p?1', partNumber: 1, headers: {} }] },
      [folder, input],
    );
    expect(wire).toEqual({
      upload_id: 'u-1',
      credentials: [{ url: 'http://x/p?1', part_number: 1, headers: {} }],
    });
    await expectError(
      Promise.resolve().then(() =>
        json(ARTIFACTS_API.createMultipartUpload.response).decode({}, [folder, input], { get: () => null }),
      ),
      'INTERNAL_ERROR',
      /upload_id/,
    );
  });

  it('reads a part upload and its ETag, and a complete with its parts', () => {
    const body = { stream: Readable.from([]), size: 5 };
    const args = raw(ARTIFACTS_API.uploadMultipartPart.request).decode(
      body,
      RequestParams.fromQuery({ upload_id: 'u-1', part_number: '2' }),
      incoming({ artifact_path: '1/run/artifacts/big.bin' }),
    );
    expect(args).toEqual(['1/run/artifacts/big.bin', { uploadId: 'u-1', partNumber: 2 }, body]);
    expect(
      json(ARTIFACTS_API.uploadMultipartPart.response).headers?.({ partNumber: 2, etag: '"abc"' }, args),
    ).toEqual({
      etag: '"abc"',
    });
    expect(
      json(ARTIFACTS_API.uploadMultipartPart.response).decode({}, args, {
        get: (name) => (name === 'etag' ? '"abc"' : null),
      }),
    ).toEqual({
      partNumber: 2,
      etag: '"abc"',
    });
    expect(
      params(ARTIFACTS_API.completeMultipartUpload.request).decode(
        RequestParams.fromJson({
          path: 'big.bin',
          upload_id: 'u-1',
          parts: [{ part_number: 1, etag: '"a"', url: 'http://x' }],
        }),
        incoming({ artifact_path: '1/run/artifacts' }),
      ),
    ).toEqual([
      '1/run/artifacts',
      { path: 'big.bin', uploadId: 'u-1', parts: [{ partNumber: 1, etag: '"a"', url: 'http://x' }] },
    ]);
    expect(() =>
      params(ARTIFACTS_API.completeMultipartUpload.request).decode(
        RequestParams.fromJson({ path: 'big.bin' }),
        incoming({ artifact_path: 'a' }),
      ),
    ).toThrow(/Missing value for required parameter 'parts'/);
  });

  it('builds part upload URLs from the part-upload endpoint', () => {
    expect(partUploadUrl('http://127.0.0.1:5000', '1/r/artifacts/a b.bin', 'u/1+', 3)).toBe(
      'http://127.0.0.1:5000/api/2.0/mlflow-artifacts/mpu/upload-part/1/r/artifacts/a%20b.bin?upload_id=u%2F1%2B&part_number=3',
    );
  });
});
