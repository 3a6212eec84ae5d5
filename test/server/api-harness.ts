import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createApp, type CreateAppOptions } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { TrackingStore } from '../../src/store/tracking-store.js';
import { tempDir } from '../../src/testing/temp-dir.js';

/** The MLflow API prefix the tests call. */
export const API = '/api/2.0/mlflow/';

/** An answer of the app under test. */
export interface ApiResponse {
  status: number;
  headers: Record<string, unknown>;
  /** The body as sent. */
  raw: string;
  /** The body parsed as JSON, typed by the caller. */
  json<T = Record<string, unknown>>(): T;
}

/** The app over a fresh SQLite file, with shorthands for MLflow calls. */
export interface ApiHarness {
  app: FastifyInstance;
  store: TrackingStore;
  /** `GET <API><path>` with query parameters (a list repeats the key). */
  get(path: string, query?: Record<string, string | string[]>): Promise<ApiResponse>;
  /** `POST <API><path>` with a JSON body (a string is sent as is). */
  post(path: string, body?: unknown): Promise<ApiResponse>;
  /** Creates an experiment and returns its id. */
  experiment(name: string): Promise<string>;
  /** Creates a run in the experiment and returns its id. */
  run(experimentId: string, runName?: string): Promise<string>;
  close(): Promise<void>;
}

/** Options of {@link openApiHarness}: the app's, and the store's clock. */
export interface ApiHarnessOptions extends Partial<CreateAppOptions> {
  /** The store's clock, in epoch milliseconds; default the wall clock. */
  now?: () => number;
}

/** Opens the app over a new SQLite file in a temporary folder. */
export async function openApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const { now, ...appOptions } = options;
  const dir = tempDir('agentrack-server-');
  const store = await openSqliteStore(join(dir.path, 'agentrack.db'), now ? { now } : {});
  const app = createApp({ logger: false, ...appOptions, store });
  const wrap = (res: Awaited<ReturnType<FastifyInstance['inject']>>): ApiResponse => ({
    status: res.statusCode,
    headers: res.headers,
    raw: res.body,
    json: <T>() => JSON.parse(res.body) as T,
  });
  const harness: ApiHarness = {
    app,
    store,
    async get(path, query = {}) {
      return wrap(await app.inject({ method: 'GET', url: API + path, query }));
    },
    async post(path, body = {}) {
      return wrap(
        await app.inject({
          method: 'POST',
          url: API + path,
          headers: { 'content-type': 'application/json' },
          payload: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      );
    },
    async experiment(name) {
      const res = await harness.post('experiments/create', { name });
      if (res.status !== 200) throw new Error(`creating ${name}: ${res.raw}`);
      return res.json<{ experiment_id: string }>().experiment_id;
    },
    async run(experimentId, runName) {
      const res = await harness.post('runs/create', {
        experiment_id: experimentId,
        start_time: Date.now(),
        ...(runName ? { run_name: runName } : {}),
      });
      if (res.status !== 200) throw new Error(`creating a run: ${res.raw}`);
      return res.json<{ run: { info: { run_id: string } } }>().run.info.run_id;
    },
    async close() {
      await app.close();
      await store.close();
      dir.remove();
    },
  };
  return harness;
}
