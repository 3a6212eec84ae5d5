import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStubServer, type StubServer } from './__tests__/stub-server.js';
import { HttpClient, type HttpClientOptions, type RestCall } from './http-client.js';
import { resolveRestConfig, type RemoteTrackingTarget, type RestStoreOptions } from './rest-config.js';
import { openRestStore, type RestTrackingStore } from './rest-store.js';
import { retryDelayMs } from './retry-delay.js';
import { formatRetryNotice, type RetryNotice } from './retry-notice.js';
import { parseTrackingUri } from '../tracking-uri.js';
import { closedPort } from '../../testing/closed-port.js';
import { rejectionOf } from '../../testing/rejection.js';

const RUN = 'e9fa1f669b634869af492f6f50e21005';
const RUN_BODY = {
  run: {
    info: { run_id: RUN, run_uuid: RUN, experiment_id: '1', status: 'RUNNING', lifecycle_stage: 'active' },
    data: {},
  },
};
const UNAVAILABLE = { status: 503, body: { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' } };
const FAST = { env: {}, backoffFactorMs: 1, backoffJitterMs: 0, timeoutMs: 2_000 } satisfies RestStoreOptions;

async function timed<T>(promise: Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await promise;
  return [value, performance.now() - start];
}

describe('retries', () => {
  let stub: StubServer;
  const stores: RestTrackingStore[] = [];
  const open = async (options: RestStoreOptions = {}) => {
    const store = await openRestStore(stub.url, { ...FAST, ...options });
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    stub = await startStubServer();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await stub.stop();
  });

  it('retries a read after 503, then succeeds', async () => {
    stub.reply(UNAVAILABLE, UNAVAILABLE, { body: RUN_BODY });
    const store = await open({ maxRetries: 3 });
    expect((await store.getRun(RUN)).info.run_id).toBe(RUN);
    expect(stub.requests).toHaveLength(3);
  });

  it.each([408, 429, 500, 502, 503, 504])('retries an idempotent write after HTTP %i', async (status) => {
    stub.reply({ status, body: { error_code: 'INTERNAL_ERROR', message: 'x' } });
    const store = await open({ maxRetries: 1 });
    await store.setTag(RUN, { key: 'k', value: 'v' });
    expect(stub.requests).toHaveLength(2);
  });

  it('gives up after maxRetries with the last answer', async () => {
    stub.fallback = () => ({
      status: 500,
      body: { error_code: 'INTERNAL_ERROR', message: 'database is locked' },
    });
    const store = await open({ maxRetries: 2 });
    expect(await rejectionOf(store.getRun(RUN))).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'database is locked',
    });
    expect(stub.requests).toHaveLength(3);
  });

  it.each([400, 401, 403, 404, 409, 501])('does not retry HTTP %i', async (status) => {
    stub.reply({ status, body: { error_code: 'BAD_REQUEST', message: 'no' } });
    const store = await open({ maxRetries: 3 });
    await rejectionOf(store.getRun(RUN));
    expect(stub.requests).toHaveLength(1);
  });

  it('honours Retry-After on 429', async () => {
    stub.reply({
      status: 429,
      headers: { 'Retry-After': '1' },
      body: { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'slow' },
    });
    const store = await open({ maxRetries: 1 });
    const [, elapsed] = await timed(store.getExperiment('1').catch(() => undefined));
    expect(stub.requests).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(950);
  });

  it('caps Retry-After at backoffMaxMs, and ignores it when told to', async () => {
    const slow = { status: 503, headers: { 'Retry-After': '3600' }, body: UNAVAILABLE.body };
    stub.reply(slow, { body: {} }, slow, { body: {} });
    const capped = await open({ maxRetries: 1, backoffMaxMs: 30 });
    const ignoring = await open({ maxRetries: 1, respectRetryAfter: false });
    const [, cappedMs] = await timed(capped.deleteRun(RUN));
    const [, ignoredMs] = await timed(ignoring.deleteRun(RUN));
    expect(stub.requests).toHaveLength(4);
    expect(cappedMs).toBeLessThan(1_000);
    expect(ignoredMs).toBeLessThan(1_000);
  });

  it('backs off exponentially between attempts', async () => {
    stub.fallback = () => UNAVAILABLE;
    const store = await open({ maxRetries: 3, backoffFactorMs: 40 });
    const [, elapsed] = await timed(rejectionOf(store.getRun(RUN)));
    expect(stub.requests).toHaveLength(4);
    // 40 + 80 + 160 ms of waits.
    expect(elapsed).toBeGreaterThanOrEqual(270);
  });

  it.each([
    ['createRun', (s: RestTrackingStore) => s.createRun({ experimentId: '1' })],
    ['createExperiment', (s: RestTrackingStore) => s.createExperiment({ name: '/Shared/x' })],
    ['deleteExperiment', (s: RestTrackingStore) => s.deleteExperiment('1')],
    ['restoreExperiment', (s: RestTrackingStore) => s.restoreExperiment('1')],
    ['deleteTag', (s: RestTrackingStore) => s.deleteTag(RUN, 'k')],
    ['deleteExperimentTag', (s: RestTrackingStore) => s.deleteExperimentTag('1', 'k')],
  ])('does not repeat %s after a 5xx, a lost connection or a timeout', async (_name, call) => {
    const store = await open({ maxRetries: 3, timeoutMs: 150 });
    stub.reply(UNAVAILABLE);
    expect((await rejectionOf(call(store))).code).toBe('TEMPORARILY_UNAVAILABLE');
    stub.reply({ drop: true });
    const dropped = await rejectionOf(call(store));
    expect(dropped.code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(dropped.message).toContain('The server may have applied it');
    stub.reply({ hang: true });
    const timedOut = await rejectionOf(call(store));
    expect(timedOut.code).toBe('DEADLINE_EXCEEDED');
    expect(timedOut.message).toContain('The server may have applied it');
    expect(stub.requests).toHaveLength(3);
  });

  it('repeats createRun after 429 and 408, which say the server did not act on it', async () => {
    stub.reply(
      { status: 429, body: { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'slow' } },
      { status: 408, body: '' },
      { body: RUN_BODY },
    );
    const store = await open({ maxRetries: 3 });
    expect((await store.createRun({ experimentId: '1' })).info.run_id).toBe(RUN);
    expect(stub.requests).toHaveLength(3);
  });

  it('retries a read after a dropped connection', async () => {
    stub.reply({ drop: true }, { body: RUN_BODY });
    const store = await open({ maxRetries: 1 });
    expect((await store.getRun(RUN)).info.run_id).toBe(RUN);
    expect(stub.requests).toHaveLength(2);
  });

  it('retries while the connection is refused, even createExperiment, which was never sent', async () => {
    await stub.stop();
    setTimeout(() => void stub.restart(), 150);
    stub.reply({ body: { experiment_id: '3' } });
    const store = await open({ maxRetries: 8, backoffFactorMs: 20 });
    expect(await store.createExperiment({ name: '/Shared/x' })).toBe('3');
    expect(stub.requests).toHaveLength(1);
  });

  it('reports a server that cannot be reached after the retries', async () => {
    await stub.stop();
    const store = await open({ maxRetries: 2 });
    const error = await rejectionOf(store.getExperiment('1'));
    expect(error.code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(error.message).toContain(
      `Cannot reach ${stub.url}: connection refused (connect ECONNREFUSED 127.0.0.1:${stub.port}); ` +
        'gave up after 2 retries in ',
    );
    await stub.restart();
  });

  it('does not retry a host that does not resolve', async () => {
    const store = await openRestStore('http://agentrack-test.invalid:5000', {
      ...FAST,
      maxRetries: 5,
      backoffFactorMs: 2_000,
    });
    stores.push(store);
    const [error, elapsed] = await timed(rejectionOf(store.getExperiment('1')));
    expect(error.code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(error.message).toContain(
      'Could not resolve the host of the tracking server http://agentrack-test.invalid:5000',
    );
    expect(elapsed).toBeLessThan(2_000);
  });
});

/**
 * A client with the REST store's settings for `uri` and `env`, whose waits are recorded
 * instead of slept, on a clock that only they advance; every attempt goes over the network.
 */
function recordingClient(uri: string, env: NodeJS.ProcessEnv, random: () => number = () => 0) {
  const waits: number[] = [];
  const notices: RetryNotice[] = [];
  let clock = 1_000;
  let attempts = 0;
  const config = resolveRestConfig(parseTrackingUri(uri) as RemoteTrackingTarget, { env });
  const client = new HttpClient({
    ...config,
    random,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    onRetry: (notice) => notices.push(notice),
    fetch: (input, init) => {
      attempts++;
      return fetch(input, init);
    },
  });
  return { config, client, waits, notices, attempts: () => attempts };
}

describe('a server that is not there', () => {
  let port = 0;
  let url = '';
  beforeAll(async () => {
    port = await closedPort();
    url = `http://127.0.0.1:${port}`;
  });
  const read: RestCall = {
    method: 'GET',
    endpoint: 'experiments/get',
    params: { experiment_id: '1' },
    idempotent: true,
  };
  const create: RestCall = { method: 'POST', endpoint: 'experiments/create', params: {}, idempotent: false };
  const refused = () => `connection refused (connect ECONNREFUSED 127.0.0.1:${port})`;

  it.each([
    ['a read', read],
    ['a create', create],
  ])(
    'gives up on %s after 4 retries of 0.5, 1, 2 and 4 s by default, naming the URI',
    async (_name, call) => {
      const recording = recordingClient(url, {});
      const error = await rejectionOf(recording.client.call(call));
      expect(recording.attempts()).toBe(5);
      expect(recording.waits).toEqual([500, 1_000, 2_000, 4_000]);
      expect(error).toEqual({
        code: 'TEMPORARILY_UNAVAILABLE',
        message:
          `Cannot reach ${url}: ${refused()}; gave up after 4 retries in 7.5 s. ` +
          'To retry for longer, set MLFLOW_HTTP_REQUEST_MAX_RETRIES or the maxRetries option.',
      });
    },
  );

  it('waits at most 10 s in all by default, jitter included', async () => {
    const recording = recordingClient(url, {}, () => 0.999_999);
    await rejectionOf(recording.client.call(read));
    const waited = recording.waits.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(8_000);
    expect(waited).toBeLessThanOrEqual(10_000);
    // The same from the settings alone: the longest wait of every retry they allow.
    const { connectRetry, backoffMaxMs } = recording.config;
    expect(connectRetry).toBeDefined();
    let longest = 0;
    for (let retry = 1; retry <= (connectRetry?.maxRetries ?? 0); retry++) {
      longest += retryDelayMs(retry, { ...connectRetry!, backoffMaxMs }, undefined, () => 1);
    }
    expect(longest).toBeLessThanOrEqual(10_000);
  });

  it.each([
    [{ MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2' }, [2_000, 4_000], 'gave up after 2 retries in 6.0 s.'],
    [
      { MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '1' },
      [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000],
      'gave up after 7 retries in 127.0 s.',
    ],
    [
      { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '1', MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.25' },
      [250],
      'gave up after 1 retry in 0.3 s.',
    ],
  ])('follows %o as for every other failure', async (env, waits, end) => {
    const recording = recordingClient(url, env);
    const error = await rejectionOf(recording.client.call(read));
    expect(recording.waits).toEqual(waits);
    expect(recording.attempts()).toBe(waits.length + 1);
    expect(error.message).toBe(`Cannot reach ${url}: ${refused()}; ${end}`);
  });

  it('tries once with MLFLOW_HTTP_REQUEST_MAX_RETRIES=0', async () => {
    const recording = recordingClient(url, { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' });
    const error = await rejectionOf(recording.client.call(read));
    expect(recording.attempts()).toBe(1);
    expect(recording.notices).toEqual([]);
    expect(error.message).toBe(`Cannot reach ${url}: ${refused()}.`);
  });

  it('keeps the short budget under MLFLOW_HTTP_REQUEST_TIMEOUT, and takes MLFLOW_HTTP_REQUEST_BACKOFF_JITTER', async () => {
    const recording = recordingClient(
      url,
      { MLFLOW_HTTP_REQUEST_TIMEOUT: '5', MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0.1' },
      () => 0.5,
    );
    expect(recording.config.timeoutMs).toBe(5_000);
    await rejectionOf(recording.client.call(read));
    expect(recording.waits).toEqual([550, 1_050, 2_050, 4_050]);
  });

  it('tells onRetry about each retry before its wait, without the credentials of the URI', async () => {
    const recording = recordingClient(`http://ann:secret@127.0.0.1:${port}`, {});
    const error = await rejectionOf(recording.client.call(read));
    const notice = (retry: number, delayMs: number): RetryNotice => ({
      kind: 'unreachable',
      reason: 'connection refused',
      code: 'ECONNREFUSED',
      baseUrl: url,
      request: 'GET experiments/get',
      retry,
      maxRetries: 4,
      delayMs,
    });
    expect(recording.notices).toEqual([notice(1, 500), notice(2, 1_000), notice(3, 2_000), notice(4, 4_000)]);
    expect(recording.notices.map(formatRetryNotice)).toEqual([
      `connection refused by ${url}, retry 1/4 in 0.5 s`,
      `connection refused by ${url}, retry 2/4 in 1.0 s`,
      `connection refused by ${url}, retry 3/4 in 2.0 s`,
      `connection refused by ${url}, retry 4/4 in 4.0 s`,
    ]);
    expect(error.message).toContain(`Cannot reach ${url}: connection refused`);
    expect(error.message).not.toContain('secret');
  });

  it("keeps MLflow's seven retries for a live server's 503", async () => {
    const stub = await startStubServer();
    try {
      stub.fallback = () => UNAVAILABLE;
      const recording = recordingClient(stub.url, {});
      expect(await rejectionOf(recording.client.call(read))).toEqual({
        code: 'TEMPORARILY_UNAVAILABLE',
        message: 'busy',
      });
      expect(stub.requests).toHaveLength(8);
      expect(recording.waits).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 120_000]);
      expect(recording.notices.map(formatRetryNotice).slice(0, 2)).toEqual([
        `HTTP 503 from ${stub.url}, retry 1/7 in 2.0 s`,
        `HTTP 503 from ${stub.url}, retry 2/7 in 4.0 s`,
      ]);
    } finally {
      await stub.stop();
    }
  });
});

describe('timeouts and close', () => {
  let stub: StubServer;
  beforeEach(async () => {
    stub = await startStubServer();
  });
  afterEach(async () => {
    await stub.stop();
  });

  it('times a read out after timeoutMs with DEADLINE_EXCEEDED, and retries it', async () => {
    const store = await openRestStore(stub.url, { ...FAST, timeoutMs: 100, maxRetries: 1 });
    stub.reply({ hang: true }, { hang: true });
    const [error, elapsed] = await timed(rejectionOf(store.getRun(RUN)));
    expect(error.code).toBe('DEADLINE_EXCEEDED');
    expect(error.message).toBe(
      `GET ${stub.url}/api/2.0/mlflow/runs/get?run_uuid=${RUN}&run_id=${RUN} timed out after 0.1 s (2 attempts). ` +
        'To wait longer, set MLFLOW_HTTP_REQUEST_TIMEOUT (seconds) or the timeoutMs option.',
    );
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2_000);
    stub.reply({ delayMs: 300 }, { body: RUN_BODY });
    expect((await store.getRun(RUN)).info.run_id).toBe(RUN);
    await store.close();
  });

  it('counts the time to read the body into the timeout', async () => {
    const client = new HttpClient({ ...httpDefaults(stub.url), timeoutMs: 100, maxRetries: 0 });
    stub.reply({ delayMs: 400, body: {} });
    expect(
      (await rejectionOf(client.call({ method: 'GET', endpoint: 'x', params: {}, idempotent: true }))).code,
    ).toBe('DEADLINE_EXCEEDED');
    client.close();
  });

  it('reads MLFLOW_HTTP_REQUEST_TIMEOUT', async () => {
    const store = await openRestStore(stub.url, {
      env: { MLFLOW_HTTP_REQUEST_TIMEOUT: '0.1', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' },
    });
    stub.reply({ hang: true });
    expect((await rejectionOf(store.getExperiment('1'))).message).toContain('timed out after 0.1 s.');
    await store.close();
  });

  it('aborts requests in flight on close and refuses later calls with INVALID_STATE', async () => {
    const store = await openRestStore(stub.url, { ...FAST, timeoutMs: 60_000 });
    stub.reply({ hang: true });
    const pending = rejectionOf(store.getRun(RUN));
    await new Promise((r) => setTimeout(r, 50));
    const [, closing] = await timed(store.close());
    const error = await pending;
    expect(error.code).toBe('CANCELLED');
    expect(error.message).toContain('was cancelled: the tracking store was closed');
    expect(closing).toBeLessThan(1_000);
    expect(await rejectionOf(store.getRun(RUN))).toEqual({
      code: 'INVALID_STATE',
      message: 'The tracking store is closed.',
    });
    expect(
      (await rejectionOf(store.logMetric(RUN, { key: 'bad key!', value: 1, timestamp: 1, step: 0 }))).code,
    ).toBe('INVALID_STATE');
    expect(stub.requests).toHaveLength(1);
  });

  it('cancels a retry that is waiting when the store closes', async () => {
    const store = await openRestStore(stub.url, {
      ...FAST,
      maxRetries: 3,
      backoffFactorMs: 60_000,
      backoffMaxMs: 60_000,
    });
    stub.reply(UNAVAILABLE);
    const pending = rejectionOf(store.getRun(RUN));
    await new Promise((r) => setTimeout(r, 100));
    await store.close();
    const [error, elapsed] = await timed(pending);
    expect(error.code).toBe('CANCELLED');
    expect(elapsed).toBeLessThan(1_000);
    expect(stub.requests).toHaveLength(1);
  });
});

describe('request headers', () => {
  let stub: StubServer;
  beforeEach(async () => {
    stub = await startStubServer();
  });
  afterEach(async () => {
    await stub.stop();
  });

  const headersFor = async (uri: string, options: RestStoreOptions) => {
    const store = await openRestStore(uri, { maxRetries: 0, ...options });
    await store.deleteRun(RUN);
    await store.close();
    return stub.requests.at(-1)?.headers ?? {};
  };
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it.each([
    ['no credentials', {}, {}, undefined],
    ['MLFLOW_TRACKING_TOKEN', { MLFLOW_TRACKING_TOKEN: 'tok' }, {}, 'Bearer tok'],
    [
      'MLFLOW_TRACKING_USERNAME and _PASSWORD',
      { MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw:1' },
      {},
      basic('ann', 'pw:1'),
    ],
    [
      "both, Basic first as in MLflow's client",
      { MLFLOW_TRACKING_TOKEN: 'tok', MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw' },
      {},
      basic('ann', 'pw'),
    ],
    [
      'the token option over the environment',
      { MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw' },
      { token: 'opt' },
      'Bearer opt',
    ],
    [
      'username and password options',
      { MLFLOW_TRACKING_TOKEN: 'tok' },
      { username: 'bo', password: 'b' },
      basic('bo', 'b'),
    ],
  ] as const)('%s', async (_name, env, options, authorization) => {
    const headers = await headersFor(stub.url, { env, ...options });
    expect(headers.authorization).toBe(authorization);
    expect(headers['user-agent']).toBe('agentrack');
  });

  it('turns credentials of the URI into Basic authentication and keeps them out of the URL', async () => {
    const headers = await headersFor(`http://ann:p%40ss@127.0.0.1:${stub.port}`, { env: {} });
    expect(headers.authorization).toBe(basic('ann', 'p@ss'));
    expect(stub.requests[0]?.path).toBe('/api/2.0/mlflow/runs/delete');
  });

  it('sends extra headers', async () => {
    const headers = await headersFor(stub.url, { env: {}, headers: { 'X-Team': 'core' } });
    expect(headers['x-team']).toBe('core');
  });

  it('uses the given fetch', async () => {
    const seen: string[] = [];
    const store = await openRestStore('https://tracking.example.com', {
      env: { MLFLOW_TRACKING_INSECURE_TLS: 'true' },
      fetch: async (input) => {
        seen.push(String(input));
        return new Response('{"experiment_id":"8"}', { status: 200 });
      },
    });
    expect(await store.createExperiment({ name: 'x' })).toBe('8');
    expect(seen).toEqual(['https://tracking.example.com/api/2.0/mlflow/experiments/create']);
    await store.close();
  });
});

function httpDefaults(baseUrl: string): HttpClientOptions {
  return {
    baseUrl,
    timeoutMs: 1_000,
    maxRetries: 0,
    backoffFactorMs: 1,
    backoffJitterMs: 0,
    backoffMaxMs: 10,
    respectRetryAfter: true,
  };
}
