/**
 * Every endpoint of the protocol tables and the OTLP receiver, fuzzed through the app with
 * generated requests: malformed JSON, wrong types, missing and extra fields, huge strings,
 * odd Unicode and NULs, NaN and ±Infinity where numbers go, forged page tokens, hostile
 * artifact paths, and bodies of other media types. Every answer is a success or a well-formed
 * MLflow error (a JSON body with an error_code and a message), never a 500, and the server
 * still answers afterwards. A request answered with an error wrote nothing: every row of every
 * table, and every file of the artifact folder, is as it was before it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { AGENTS_ENDPOINTS } from '../protocol/agents-api.js';
import { ARTIFACT_ENDPOINTS } from '../protocol/artifacts.js';
import { DEPLOYMENTS_ENDPOINTS } from '../protocol/deployments-api.js';
import { servedMethods, type HttpMethod } from '../protocol/endpoint.js';
import { MODEL_VERSION_ARTIFACT_ENDPOINTS, REGISTRY_ENDPOINTS } from '../protocol/model-registry.js';
import { RUN_ARTIFACT_ENDPOINTS } from '../protocol/run-artifacts.js';
import { TRACE_ENDPOINTS } from '../protocol/traces.js';
import { TRACKING_ENDPOINTS } from '../protocol/tracking-api.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { tempDir } from '../testing/temp-dir.js';
import { createApp } from './create-app.js';
import { OTLP_TRACES_PATH } from './plugins/otlp-traces-api.js';

/** Generated requests per endpoint (and method, under its first prefix). */
const RUNS = Number(process.env.ENDPOINT_FUZZ_RUNS ?? 25);

interface Described {
  method: HttpMethod;
  alsoServed?: readonly HttpMethod[];
  path: string;
  prefixes: readonly string[];
}

const ENDPOINTS: readonly Described[] = [
  ...TRACKING_ENDPOINTS,
  ...ARTIFACT_ENDPOINTS,
  ...RUN_ARTIFACT_ENDPOINTS,
  ...REGISTRY_ENDPOINTS,
  ...MODEL_VERSION_ARTIFACT_ENDPOINTS,
  ...TRACE_ENDPOINTS,
  ...Object.values(AGENTS_ENDPOINTS),
  ...DEPLOYMENTS_ENDPOINTS,
  { method: 'POST', path: OTLP_TRACES_PATH.slice(1), prefixes: ['/'] },
];

let dir: ReturnType<typeof tempDir>;
let store: TrackingStore;
let app: FastifyInstance;
const ids: Record<string, string> = {};

beforeAll(async () => {
  dir = tempDir('agentrack-endpoint-fuzz-');
  store = await openSqliteStore(join(dir.path, 'agentrack.db'));
  app = createApp({
    store,
    logger: false,
    artifactDestination: new LocalArtifactRepository(join(dir.path, 'a')),
  });
  ids.experiment_id = await store.createExperiment({ name: '/Shared/fuzz_agent/development' });
  const run = await store.createRun({ experimentId: ids.experiment_id });
  ids.run_id = run.info.run_id;
  await store.logMetric(ids.run_id, { key: 'm', value: 1, timestamp: 1, step: 0 });
  ids.model_id = (await store.createLoggedModel({ experimentId: ids.experiment_id })).info.model_id;
});
afterAll(async () => {
  await app.close();
  await store.close();
  dir.remove();
});

/**
 * A digest of everything the server keeps: every row of every table (read through a connection
 * of its own), and the name and bytes of every file in the artifact folder.
 */
function digest(): string {
  const hash = createHash('sha256');
  const db = new Database(join(dir.path, 'agentrack.db'), { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as {
      name: string;
    }[];
    for (const { name } of tables) {
      hash.update(name);
      // In a stable order whatever the table's keys (some have no rowid).
      const rows = db
        .prepare(`SELECT * FROM "${name}"`)
        .raw()
        .all()
        .map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))
        .sort();
      for (const row of rows) hash.update(row);
    }
  } finally {
    db.close();
  }
  const folder = join(dir.path, 'a');
  if (existsSync(folder)) {
    for (const name of readdirSync(folder, { recursive: true }).map(String).sort()) {
      const path = join(folder, name);
      hash.update(name);
      if (statSync(path).isFile()) hash.update(readFileSync(path));
    }
  }
  return hash.digest('hex');
}

/** One of the seeded ids (read when a value is drawn, after beforeAll seeded them). */
function knownId(): fc.Arbitrary<string> {
  return fc.nat(2).map((i) => Object.values(ids)[i] ?? '0');
}

/** Strings that have broken servers: huge, NUL, odd Unicode, traversal, tokens and ids almost right. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\u202e\u0301',
    '../../etc/passwd',
    '..%2F..%2Fsecret',
    '/abs/path',
    'C:\\windows',
    'x'.repeat(70_000),
    '9'.repeat(400),
    'eyJvZmZzZXQiOiAtMX0=',
    'bm90IGpzb24=',
    '%00',
    "'; DROP TABLE runs; --",
  ),
  knownId(),
);
const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 1e308, -0),
);
/** JSON that might stand where numbers go: NaN and ±Infinity spelled as MLflow's clients spell them. */
const numberText = fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '0x1F', '01');
const scalar = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));
const FIELDS = [
  'experiment_id',
  'experiment_ids',
  'run_id',
  'run_uuid',
  'name',
  'new_name',
  'key',
  'value',
  'timestamp',
  'step',
  'status',
  'end_time',
  'metrics',
  'params',
  'tags',
  'filter',
  'filter_string',
  'order_by',
  'max_results',
  'page_token',
  'path',
  'model_id',
  'version',
  'alias',
  'source',
  'trace_id',
  'trace',
  'assessment',
  'spans',
  'artifact_location',
  'lifecycle_stage',
  'view_type',
  'run_view_type',
  'datasets',
  'models',
  'request_id',
];
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 5 })), tie('value'), {
    maxKeys: 6,
  }),
})).value;
/** A body as bytes: JSON of a generated value, JSON with a broken tail or bare NaN, or not JSON at all. */
const body = fc.oneof(
  jsonValue.map((v) => ({ type: 'application/json', text: JSON.stringify(v) ?? 'null' })),
  fc
    .tuple(fc.constantFrom(...FIELDS), numberText)
    .map(([f, n]) => ({ type: 'application/json', text: `{"${f}": ${n}}` })),
  jsonValue.map((v) => ({
    type: 'application/json',
    text: (JSON.stringify(v) ?? '').slice(0, -1) + '\u0000',
  })),
  fc.string({ unit: 'binary', maxLength: 40 }).map((text) => ({ type: 'application/x-protobuf', text })),
  fc.string({ maxLength: 40 }).map((text) => ({ type: 'text/plain', text })),
);
/** Query parameters: the fields again, with hostile values (repeated ones included). */
const query = fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(hostileString, hostileNumber.map(String)), {
  maxKeys: 5,
});
/** A path parameter's value: an id, a hostile segment, or a traversal for `<path:...>`. */
const segment = fc.oneof(
  knownId(),
  hostileString.filter((s) => s.length < 200),
);

/** Percent-encoded; a lone surrogate becomes the invalid UTF-8 bytes a hostile client would send. */
function encoded(raw: string): string {
  try {
    return encodeURIComponent(raw);
  } catch {
    return '%ED%A0%80';
  }
}

function fill(path: string, values: string[]): string {
  let i = 0;
  return path.replace(/<(path:)?[^>]+>/g, (_m, rest: string | undefined) => {
    const raw = values[i++ % values.length] ?? 'x';
    return rest ? raw.split('/').map(encoded).join('/') : encoded(raw);
  });
}

function wellFormed(status: number, payload: string): boolean {
  if (status < 400) return true;
  try {
    const parsed = JSON.parse(payload) as { error_code?: unknown; message?: unknown };
    return typeof parsed.error_code === 'string' && typeof parsed.message === 'string';
  } catch {
    return false;
  }
}

const cases = ENDPOINTS.flatMap((endpoint) =>
  servedMethods(endpoint).map(
    (method) => [`${method} ${endpoint.prefixes[0]}${endpoint.path}`, method, endpoint] as const,
  ),
);

describe('every endpoint under generated hostile requests', () => {
  it('covers the protocol tables', () => expect(cases.length).toBeGreaterThanOrEqual(90));

  it.each(cases)(
    '%s: a success or a well-formed MLflow error, never a 500, and an error writes nothing',
    async (_label, method, endpoint) => {
      await fc.assert(
        fc.asyncProperty(
          body,
          query,
          fc.array(segment, { minLength: 1, maxLength: 3 }),
          async (sent, params, values) => {
            const url = `${endpoint.prefixes[0]}${fill(endpoint.path, values)}`;
            const before = digest();
            const res = await app.inject({
              method,
              url,
              query: params,
              headers: { 'content-type': sent.type },
              ...(method === 'GET' ? {} : { payload: sent.text }),
            });
            expect([url, res.statusCode]).not.toEqual([url, 500]);
            expect(res.statusCode).toBeLessThan(600);
            expect([url, res.statusCode, wellFormed(res.statusCode, res.body)]).toEqual([
              url,
              res.statusCode,
              true,
            ]);
            // Refused or failed: nothing of it was kept.
            if (res.statusCode >= 400)
              expect([url, res.statusCode, digest()]).toEqual([url, res.statusCode, before]);
          },
        ),
        { numRuns: RUNS },
      );
      const alive = await app.inject({ method: 'GET', url: '/health' });
      expect(alive.statusCode).toBe(200);
    },
    120_000,
  );
});
