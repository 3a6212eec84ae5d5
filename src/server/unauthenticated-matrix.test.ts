/**
 * Every endpoint of every protocol table (tracking, run and proxied artifacts, logged-model
 * and model-version artifacts, the registry, traces, the agents and deployments API) and the
 * OTLP receiver, with each method it is served with, under each prefix, sent with no
 * credentials and with each kind of wrong credentials: always 401 UNAUTHENTICATED with a
 * challenge, and nothing written, on a server with `--auth`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { hashPassword, hashToken, parseUsers } from '../auth/index.js';
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
import { workspaceAccessControl } from './access-control.js';
import { createApp } from './create-app.js';
import { OTLP_TRACES_PATH } from './plugins/otlp-traces-api.js';

interface Described {
  method: HttpMethod;
  alsoServed?: readonly HttpMethod[];
  path: string;
  prefixes: readonly string[];
}

const TABLES: ReadonlyArray<readonly [string, readonly Described[]]> = [
  ['tracking', TRACKING_ENDPOINTS],
  ['artifacts', ARTIFACT_ENDPOINTS],
  ['run artifacts', RUN_ARTIFACT_ENDPOINTS],
  ['registry', REGISTRY_ENDPOINTS],
  ['model version artifacts', MODEL_VERSION_ARTIFACT_ENDPOINTS],
  ['traces', TRACE_ENDPOINTS],
  ['agents', Object.values(AGENTS_ENDPOINTS)],
  ['deployments', DEPLOYMENTS_ENDPOINTS],
  ['otlp', [{ method: 'POST', path: OTLP_TRACES_PATH.slice(1), prefixes: ['/'] }]],
];

/** A path with its parameters filled: one segment for `<name>`, two for `<path:name>`. */
function filled(path: string): string {
  return path.replace(/<path:[^>]+>/g, 'a/b.txt').replace(/<[^>]+>/g, '1');
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** What each request sends as credentials, and why it is wrong. */
const CREDENTIALS: ReadonlyArray<readonly [string, string | undefined]> = [
  ['no credentials', undefined],
  ['a wrong password', basic('alice', 'not-her-password')],
  ['an unknown user', basic('mallory', 'wonderland')],
  ['an unknown token', 'Bearer tok_not_a_token'],
  ['a malformed header', 'Basic %%%'],
  ['an unknown scheme', 'Digest username="alice"'],
];

let dir: ReturnType<typeof tempDir>;
let store: TrackingStore;
let app: FastifyInstance;
let experimentId: string;

beforeAll(async () => {
  dir = tempDir('agentrack-unauthenticated-');
  store = await openSqliteStore(join(dir.path, 'agentrack.db'));
  const users = parseUsers(
    JSON.stringify({
      users: [
        { user: 'alice', password_hash: await hashPassword('wonderland') },
        { user: 'ci-bot', token_sha256: hashToken('tok_real') },
      ],
    }),
    'users.json',
  );
  app = createApp({
    store,
    logger: false,
    artifactDestination: new LocalArtifactRepository(join(dir.path, 'artifacts')),
    ...workspaceAccessControl(store, users),
    // The matrix sends hundreds of wrong credentials from one address: no throttling here
    // (it is tested on its own), so that each answer is the 401 under test.
    loginThrottle: {
      maxFailuresPerUser: Number.MAX_SAFE_INTEGER,
      maxFailuresPerAddress: Number.MAX_SAFE_INTEGER,
    },
  });
  experimentId = await store.createExperiment({ name: '/Shared/matrix' });
  await store.createRun({ experimentId });
});
afterAll(async () => {
  await app.close();
  await store.close();
  dir.remove();
});

/** Everything a refused request could have changed. */
async function snapshot(): Promise<unknown> {
  const runs = await store.searchRuns({ experimentIds: [experimentId], runViewType: 'ALL' });
  return {
    experiments: await store.searchExperiments({ viewType: 'ALL' }),
    runs: runs.items.map((run) => run.info),
    artifacts: readdirSync(dir.path, { recursive: true })
      .filter((f) => !String(f).startsWith('agentrack.db'))
      .sort(),
  };
}

const cases = TABLES.flatMap(([table, endpoints]) =>
  endpoints.flatMap((endpoint) =>
    endpoint.prefixes.flatMap((prefix) =>
      servedMethods(endpoint).map(
        (method) =>
          [
            `${table}: ${method} ${prefix}${endpoint.path}`,
            method,
            `${prefix}${filled(endpoint.path)}`,
          ] as const,
      ),
    ),
  ),
);

describe('every endpoint refuses requests without valid credentials', () => {
  it('covers every table', () => {
    for (const [table, endpoints] of TABLES) expect([table, endpoints.length > 0]).toEqual([table, true]);
    expect(cases.length).toBeGreaterThan(100);
  });

  it.each(cases)('%s', async (_label, method, url) => {
    const before = await snapshot();
    for (const [why, authorization] of CREDENTIALS) {
      const res = await app.inject({
        method,
        url,
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        ...(method === 'GET'
          ? {}
          : { payload: JSON.stringify({ experiment_id: experimentId, name: '/Shared/evil' }) }),
      });
      expect([why, res.statusCode]).toEqual([why, 401]);
      expect(res.json()).toMatchObject({ error_code: 'UNAUTHENTICATED' });
      expect(res.headers['www-authenticate']).toBe('Basic realm="agentrack"');
    }
    expect(await snapshot()).toEqual(before);
  });
});
