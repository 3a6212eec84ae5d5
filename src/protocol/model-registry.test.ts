import { describe, expect, it } from 'vitest';
import type { ModelVersion, RegisteredModel } from '../entities/index.js';
import type { ModelRegistryStore } from '../store/model-registry-store.js';
import {
  servedMethods,
  type IncomingRequest,
  type JsonResponse,
  type ParamsRequest,
  type RequestCodec,
  type ResponseCodec,
} from './endpoint.js';
import {
  MODEL_VERSION_ARTIFACT_ENDPOINTS,
  MODEL_VERSION_ARTIFACTS_API,
  REGISTRY_API,
  REGISTRY_ENDPOINTS,
} from './model-registry.js';
import type { RegistryOperation } from './registry-endpoint.js';
import { RequestParams } from './wire/request-params.js';

const request: IncomingRequest = { path: {}, origin: 'http://127.0.0.1:5000', header: () => undefined };
const DOCS = ' See the API docs for more information about request parameters.';

function params<A>(codec: RequestCodec<A>): ParamsRequest<A> {
  if (codec.kind !== 'params') throw new Error(`a ${codec.kind} request`);
  return codec;
}
function json<R, A>(codec: ResponseCodec<R, A>): JsonResponse<R, A> {
  if (codec.kind !== 'json') throw new Error(`a ${codec.kind} response`);
  return codec;
}
/** What a server reads from the parameters a client sends: a query string for GET, else a JSON body. */
function carried(method: string, wire: Readonly<Record<string, unknown>>): RequestParams {
  const entries = Object.entries(wire).filter(([, value]) => value !== undefined);
  if (method !== 'GET')
    return RequestParams.fromJson(JSON.parse(JSON.stringify(Object.fromEntries(entries))));
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of entries) query[key] = Array.isArray(value) ? value.map(String) : String(value);
  return RequestParams.fromQuery(query);
}
/** The arguments a server reads for `args` sent by a client through `name`'s endpoint. */
function roundTrip<N extends RegistryOperation>(name: N, args: unknown[]): unknown[] {
  const endpoint = REGISTRY_API[name];
  const codec = params(endpoint.request as RequestCodec<unknown[]>);
  return codec.decode(carried(endpoint.method, codec.encode(args)), request);
}
/** The arguments a server reads from raw parameters sent to `name`'s endpoint with its method. */
function decode<N extends RegistryOperation>(name: N, wire: Record<string, unknown>): unknown[] {
  const endpoint = REGISTRY_API[name];
  const codec = params(endpoint.request as RequestCodec<unknown[]>);
  return codec.decode(
    endpoint.method === 'GET' ? RequestParams.fromQuery(wire) : RequestParams.fromJson(wire),
    request,
  );
}

// Version 2 of the recording (model-registry.jsonl #99), as MLflow 3.3.1's server answered it.
const VERSION: ModelVersion = {
  name: 'health_monitor_agent',
  version: '2',
  creation_timestamp: 1796123630095,
  last_updated_timestamp: 1796123631705,
  current_stage: 'None',
  description: 'threshold 80',
  source: 'models:/m-a96192bee98846fc9353ff8532f1f03c',
  run_id: 'cf021281e32f4175babfcd7a137dd633',
  status: 'READY',
  tags: [{ key: 'validation_status', value: 'approved' }],
  run_link: '',
  aliases: ['champion'],
};
const MODEL: RegisteredModel = {
  name: 'health_monitor_agent',
  creation_timestamp: 1796123629755,
  last_updated_timestamp: 1796123631607,
  description: 'Health monitor agent: flags hosts by CPU load',
  // A registered model's latest versions carry no aliases: the model has them.
  latest_versions: [{ ...VERSION, aliases: [] }].map(({ aliases: _aliases, ...version }) => version),
  tags: [{ key: 'team', value: 'sre' }],
  aliases: [{ alias: 'champion', version: '2' }],
};

describe("the model registry's protocol table", () => {
  it('has one endpoint per ModelRegistryStore operation, where and how MLflow 3.3 serves each', () => {
    const rows = REGISTRY_ENDPOINTS.map((e) => [e.name, servedMethods(e).join(','), e.path, e.write]);
    expect(rows).toEqual([
      ['createRegisteredModel', 'POST', 'registered-models/create', true],
      ['getRegisteredModel', 'GET', 'registered-models/get', false],
      ['renameRegisteredModel', 'POST', 'registered-models/rename', true],
      ['updateRegisteredModel', 'PATCH', 'registered-models/update', true],
      ['deleteRegisteredModel', 'DELETE', 'registered-models/delete', true],
      ['searchRegisteredModels', 'GET', 'registered-models/search', false],
      ['setRegisteredModelTag', 'POST', 'registered-models/set-tag', true],
      ['deleteRegisteredModelTag', 'DELETE', 'registered-models/delete-tag', true],
      ['getLatestVersions', 'GET,POST', 'registered-models/get-latest-versions', false],
      ['createModelVersion', 'POST', 'model-versions/create', true],
      ['getModelVersion', 'GET', 'model-versions/get', false],
      ['updateModelVersion', 'PATCH', 'model-versions/update', true],
      ['deleteModelVersion', 'DELETE', 'model-versions/delete', true],
      ['searchModelVersions', 'GET', 'model-versions/search', false],
      ['setModelVersionTag', 'POST', 'model-versions/set-tag', true],
      ['deleteModelVersionTag', 'DELETE', 'model-versions/delete-tag', true],
      ['transitionModelVersionStage', 'POST', 'model-versions/transition-stage', true],
      ['getModelVersionDownloadUri', 'GET', 'model-versions/get-download-uri', false],
      ['setRegisteredModelAlias', 'POST', 'registered-models/alias', true],
      ['deleteRegisteredModelAlias', 'DELETE', 'registered-models/alias', true],
      ['getModelVersionByAlias', 'GET', 'registered-models/alias', false],
    ]);
    for (const endpoint of REGISTRY_ENDPOINTS) {
      expect([endpoint.name, endpoint.prefixes]).toEqual([
        endpoint.name,
        ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'],
      ]);
    }
    const operations: Record<Exclude<keyof ModelRegistryStore, 'close'>, true> = {
      createRegisteredModel: true,
      getRegisteredModel: true,
      renameRegisteredModel: true,
      updateRegisteredModel: true,
      deleteRegisteredModel: true,
      searchRegisteredModels: true,
      setRegisteredModelTag: true,
      deleteRegisteredModelTag: true,
      getLatestVersions: true,
      createModelVersion: true,
      getModelVersion: true,
      updateModelVersion: true,
      deleteModelVersion: true,
      searchModelVersions: true,
      setModelVersionTag: true,
      deleteModelVersionTag: true,
      transitionModelVersionStage: true,
      getModelVersionDownloadUri: true,
      setRegisteredModelAlias: true,
      deleteRegisteredModelAlias: true,
      getModelVersionByAlias: true,
    };
    expect(Object.keys(REGISTRY_API).sort()).toEqual(Object.keys(operations).sort());
  });

  it('names the registered model every call acts on, for access control', () => {
    expect(REGISTRY_API.createRegisteredModel.access([{ name: 'm' }])).toEqual({ registeredModelName: 'm' });
    expect(REGISTRY_API.renameRegisteredModel.access(['m', 'n'])).toEqual({
      registeredModelName: 'm',
      newRegisteredModelName: 'n',
    });
    expect(REGISTRY_API.createModelVersion.access([{ name: 'm', source: 's', runId: 'r' }])).toEqual({
      registeredModelName: 'm',
    });
    expect(REGISTRY_API.setRegisteredModelAlias.access(['m', 'a', '1'])).toEqual({
      registeredModelName: 'm',
    });
    expect(REGISTRY_API.searchModelVersions.access([{}])).toEqual({});
    expect(MODEL_VERSION_ARTIFACTS_API.openModelVersionArtifact.access(['m', '1', 'MLmodel'])).toEqual({
      registeredModelName: 'm',
    });
  });

  it('sends what MLflow 3.3.1’s client sends (model-registry.jsonl)', () => {
    const create = params(REGISTRY_API.createModelVersion.request);
    expect(
      JSON.parse(
        JSON.stringify(
          create.encode([
            { name: 'health_monitor_agent', source: 'models:/m-1', modelId: 'm-1', runId: '', runLink: '' },
          ]),
        ),
      ),
    ).toEqual({ name: 'health_monitor_agent', source: 'models:/m-1', model_id: 'm-1' });
    expect(
      params(REGISTRY_API.transitionModelVersionStage.request).encode(['m', '1', 'Staging', false]),
    ).toEqual({ name: 'm', version: '1', stage: 'Staging', archive_existing_versions: false });
    expect(params(REGISTRY_API.getLatestVersions.request).encode(['m', ['Staging']])).toEqual({
      name: 'm',
      stages: ['Staging'],
    });
    const search = params(REGISTRY_API.searchModelVersions.request).encode([
      { filter: "name='health_monitor_agent'", maxResults: 10000 },
    ]);
    expect(JSON.parse(JSON.stringify(search))).toEqual({
      filter: "name='health_monitor_agent'",
      max_results: 10000,
    });
  });

  it('carries every request from client to server unchanged', () => {
    const cases: Array<[RegistryOperation, unknown[]]> = [
      ['createRegisteredModel', [{ name: 'm', tags: [{ key: 'flow', value: '1' }], description: 'scratch' }]],
      ['getRegisteredModel', ['m']],
      ['renameRegisteredModel', ['m', 'n']],
      ['updateRegisteredModel', ['m', 'new description']],
      ['deleteRegisteredModel', ['m']],
      [
        'searchRegisteredModels',
        [
          {
            filter: "name LIKE 'h%'",
            maxResults: 100,
            orderBy: ['name ASC', 'timestamp DESC'],
            pageToken: 't',
          },
        ],
      ],
      ['setRegisteredModelTag', ['m', { key: 'team', value: 'sre' }]],
      ['deleteRegisteredModelTag', ['m', 'team']],
      ['getLatestVersions', ['m', ['Staging', 'Production']]],
      ['getLatestVersions', ['m', undefined]],
      [
        'createModelVersion',
        [
          {
            name: 'm',
            source: 'runs:/abc/model',
            runId: 'abc',
            tags: [{ key: 'k', value: 'v' }],
            runLink: 'http://x/runs/abc',
            description: 'd',
            modelId: 'm-1',
          },
        ],
      ],
      ['getModelVersion', ['m', '3']],
      ['updateModelVersion', ['m', '3', 'threshold 80']],
      ['deleteModelVersion', ['m', '3']],
      [
        'searchModelVersions',
        [{ filter: "run_id = 'abc'", maxResults: 10000, orderBy: ['version_number DESC'] }],
      ],
      ['setModelVersionTag', ['m', '3', { key: 'validation_status', value: 'approved' }]],
      ['deleteModelVersionTag', ['m', '3', 'validation_status']],
      ['transitionModelVersionStage', ['m', '3', 'Production', true]],
      ['getModelVersionDownloadUri', ['m', '3']],
      ['setRegisteredModelAlias', ['m', 'champion', '3']],
      ['deleteRegisteredModelAlias', ['m', 'champion']],
      ['getModelVersionByAlias', ['m', 'champion']],
    ];
    for (const [name, args] of cases) expect([name, roundTrip(name, args)]).toEqual([name, args]);
  });

  it('reads the defaults MLflow’s server reads for absent optional parameters', () => {
    expect(decode('updateRegisteredModel', { name: 'm' })).toEqual(['m', '']);
    expect(decode('setRegisteredModelTag', { name: 'm', key: 'k' })).toEqual(['m', { key: 'k', value: '' }]);
    expect(decode('transitionModelVersionStage', { name: 'm', version: '1', stage: 'Staging' })).toEqual([
      'm',
      '1',
      'Staging',
      false,
    ]);
    expect(decode('getLatestVersions', { name: 'm', stages: [] })).toEqual(['m', undefined]);
    expect(decode('searchRegisteredModels', {})).toEqual([
      { filter: undefined, maxResults: undefined, orderBy: undefined, pageToken: undefined },
    ]);
    // The proto's default for version searches: MLflow's server lists up to 200,000 versions in one answer.
    expect(decode('searchModelVersions', {})).toEqual([
      { filter: undefined, maxResults: 200_000, orderBy: undefined, pageToken: undefined },
    ]);
    // A GET repeats a list's key; a single value is a list of one.
    expect(
      params(REGISTRY_API.getLatestVersions.request).decode(
        RequestParams.fromQuery({ name: 'm', stages: 'Staging' }),
        request,
      ),
    ).toEqual(['m', ['Staging']]);
  });

  it('refuses missing and ill-typed parameters with MLflow’s messages', () => {
    const missing = (field: string) => `Missing value for required parameter '${field}'.${DOCS}`;
    const cases: Array<[RegistryOperation, Record<string, unknown>, string]> = [
      ['createRegisteredModel', {}, missing('name')],
      ['createRegisteredModel', { name: '' }, missing('name')],
      [
        'createRegisteredModel',
        { name: 123 },
        `Invalid value 123 for parameter 'name' supplied: Hint: Value was of type 'int'.${DOCS}`,
      ],
      [
        'createRegisteredModel',
        { name: 'm', tags: 'x' },
        `Invalid value "x" for parameter 'tags' supplied: Hint: Value was of type 'str'.${DOCS}`,
      ],
      ['getRegisteredModel', {}, missing('name')],
      ['renameRegisteredModel', { name: 'm' }, missing('new_name')],
      ['deleteRegisteredModel', {}, missing('name')],
      ['setRegisteredModelTag', { name: 'm' }, missing('key')],
      ['deleteRegisteredModelTag', { name: 'm' }, missing('key')],
      [
        'getLatestVersions',
        { name: 'm', stages: 'Staging' },
        `Invalid value "Staging" for parameter 'stages' supplied: Hint: Value was of type 'str'.${DOCS}`,
      ],
      ['createModelVersion', { name: 'm' }, missing('source')],
      [
        'createModelVersion',
        { name: 'm', source: 's', run_id: 7 },
        `Invalid value 7 for parameter 'run_id' supplied: Hint: Value was of type 'int'.${DOCS}`,
      ],
      ['getModelVersion', { name: 'm' }, missing('version')],
      [
        'updateModelVersion',
        { name: 'm', version: 2 },
        `Invalid value 2 for parameter 'version' supplied: Hint: Value was of type 'int'.${DOCS}`,
      ],
      ['deleteModelVersion', { version: '1' }, missing('name')],
      ['setModelVersionTag', { name: 'm', version: '1' }, missing('key')],
      ['deleteModelVersionTag', { name: 'm', version: '1' }, missing('key')],
      ['transitionModelVersionStage', { name: 'm', version: '1' }, missing('stage')],
      [
        'transitionModelVersionStage',
        { name: 'm', version: '1', stage: 'Staging', archive_existing_versions: 'yes' },
        `Invalid value "yes" for parameter 'archive_existing_versions' supplied: Hint: Value was of type 'str'.${DOCS}`,
      ],
      ['getModelVersionDownloadUri', { name: 'm' }, missing('version')],
      ['setRegisteredModelAlias', { name: 'm', alias: 'a' }, missing('version')],
      ['deleteRegisteredModelAlias', { name: 'm' }, missing('alias')],
      ['getModelVersionByAlias', { alias: 'a' }, missing('name')],
      [
        'searchRegisteredModels',
        { max_results: '1001' },
        `Invalid value "1001" for parameter 'max_results' supplied: Hint: Value was of type 'str'.${DOCS}`,
      ],
      [
        'searchRegisteredModels',
        { max_results: 'ten' },
        `Invalid value "ten" for parameter 'max_results' supplied: Hint: Value was of type 'str'.${DOCS}`,
      ],
      [
        'searchModelVersions',
        { max_results: '200001' },
        `Invalid value "200001" for parameter 'max_results' supplied: Hint: Value was of type 'str'.${DOCS}`,
      ],
    ];
    for (const [name, wire, message] of cases) {
      let caught: unknown;
      try {
        decode(name, wire);
      } catch (error) {
        caught = error;
      }
      expect([name, wire, caught]).toEqual([
        name,
        wire,
        expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE', message }),
      ]);
    }
    expect(decode('searchRegisteredModels', { max_results: '1000' })).toEqual([
      expect.objectContaining({ maxResults: 1000 }),
    ]);
    expect(decode('searchModelVersions', { max_results: '200000' })).toEqual([
      expect.objectContaining({ maxResults: 200_000 }),
    ]);
  });

  it('answers as MLflow’s server and reads the answers back', () => {
    const none = new Headers();
    const model = json(REGISTRY_API.getRegisteredModel.response);
    expect(model.encode(MODEL, ['m'])).toEqual({ registered_model: MODEL });
    expect(model.decode(JSON.parse(JSON.stringify(model.encode(MODEL, ['m']))), ['m'], none)).toEqual(MODEL);
    const created = { name: 'm', creation_timestamp: 1, last_updated_timestamp: 1 };
    expect(model.decode({ registered_model: created }, ['m'], none)).toEqual(created);

    const version = json(REGISTRY_API.getModelVersionByAlias.response);
    expect(version.decode({ model_version: VERSION }, ['m', 'champion'], none)).toEqual(VERSION);
    // int64 as strings, the status by number, fields another server leaves out.
    expect(
      version.decode(
        {
          model_version: {
            name: 'm',
            version: 3,
            creation_timestamp: '5',
            last_updated_timestamp: '6',
            status: 3,
            source: 's3://b/m',
          },
        },
        ['m', 'a'],
        none,
      ),
    ).toEqual({
      name: 'm',
      version: '3',
      creation_timestamp: 5,
      last_updated_timestamp: 6,
      current_stage: 'None',
      description: '',
      source: 's3://b/m',
      run_id: '',
      status: 'READY',
      run_link: '',
    });

    const search = json(REGISTRY_API.searchModelVersions.response);
    expect(search.encode({ items: [] }, [{}])).toEqual({});
    expect(search.encode({ items: [VERSION], nextPageToken: 't' }, [{}])).toEqual({
      model_versions: [VERSION],
      next_page_token: 't',
    });
    expect(search.decode({}, [{}], none)).toEqual({ items: [] });
    expect(
      json(REGISTRY_API.searchRegisteredModels.response).decode({ registered_models: [MODEL] }, [{}], none),
    ).toEqual({ items: [MODEL] });

    const latest = json(REGISTRY_API.getLatestVersions.response);
    expect(latest.encode([], ['m', undefined])).toEqual({});
    expect(latest.decode({ model_versions: [VERSION] }, ['m', undefined], none)).toEqual([VERSION]);

    const uri = json(REGISTRY_API.getModelVersionDownloadUri.response);
    const artifactUri = 'mlflow-artifacts:/1/models/m-a96192bee98846fc9353ff8532f1f03c/artifacts';
    expect(uri.encode(artifactUri, ['m', '2'])).toEqual({ artifact_uri: artifactUri });
    expect(uri.decode({ artifact_uri: artifactUri }, ['m', '2'], none)).toBe(artifactUri);
    expect(() => uri.decode({}, ['m', '2'], none)).toThrow(/no 'artifact_uri'/);
    expect(json(REGISTRY_API.setRegisteredModelAlias.response).encode(undefined, ['m', 'a', '1'])).toEqual(
      {},
    );
  });

  it('serves the web UI’s model version download at the root, checking the path first', () => {
    expect(MODEL_VERSION_ARTIFACT_ENDPOINTS.map((e) => [e.method, e.prefixes, e.path, e.write])).toEqual([
      ['GET', ['/'], 'model-versions/get-artifact', false],
    ]);
    const codec = params(MODEL_VERSION_ARTIFACTS_API.openModelVersionArtifact.request);
    expect(codec.decode(RequestParams.fromQuery(codec.encode(['m', '1', 'code/model.py'])), request)).toEqual(
      ['m', '1', 'code/model.py'],
    );
    expect(() =>
      codec.decode(RequestParams.fromQuery({ name: 'm', version: '1', path: '../path' }), request),
    ).toThrow(/^Invalid path/);
    expect(() => codec.decode(RequestParams.fromQuery({ path: '../path' }), request)).toThrow(
      /^Invalid path/,
    );
    expect(() => codec.decode(RequestParams.fromQuery({ name: 'm', version: '1' }), request)).toThrow(
      "Missing value for required parameter 'path'.",
    );
    expect(() => codec.decode(RequestParams.fromQuery({ version: '1', path: 'MLmodel' }), request)).toThrow(
      "Missing value for required parameter 'name'.",
    );
  });
});
