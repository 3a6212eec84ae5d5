import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, hashToken, parseUsers } from '../../src/auth/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { TrackingStore } from '../../src/store/tracking-store.js';
import { tempDir } from '../../src/testing/temp-dir.js';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function call(server: RunningServer, path: string, init: { body?: unknown; auth?: string } = {}) {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.auth ? { authorization: init.auth } : {}),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the server over a real port', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer | undefined;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    dir.remove();
  });

  it('enforces authentication and workspace ownership, with open probes', async () => {
    const users = parseUsers(
      JSON.stringify({
        users: [
          { user: 'alice', password_hash: await hashPassword('wonderland') },
          { user: 'bob', token_sha256: hashToken('bob-token') },
        ],
      }),
      'users.json',
    );
    server = await startServer({
      store: await openSqliteStore(join(dir.path, 'a.db')),
      port: 0,
      logger: false,
      users,
    });
    const alice = basic('alice', 'wonderland');
    const bob = 'Bearer bob-token';

    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const anonymous = await call(server, 'experiments/search?max_results=10');
    expect(anonymous).toMatchObject({ status: 401, body: { error_code: 'UNAUTHENTICATED' } });
    expect((await call(server, 'experiments/get?experiment_id=0', { auth: 'Bearer wrong' })).status).toBe(
      401,
    );
    expect(
      (await call(server, 'experiments/get?experiment_id=0', { auth: basic('alice', 'nope') })).status,
    ).toBe(401);

    const own = await call(server, 'experiments/create', {
      body: { name: '/Users/alice/scratch' },
      auth: alice,
    });
    expect(own.status).toBe(200);
    const aliceExperiment = own.body.experiment_id as string;
    const denied = await call(server, 'experiments/create', {
      body: { name: '/Users/alice/other' },
      auth: bob,
    });
    expect(denied).toMatchObject({ status: 403, body: { error_code: 'PERMISSION_DENIED' } });
    expect(String(denied.body.message)).toContain(
      "User 'bob' cannot write to the experiment '/Users/alice/other'",
    );

    const run = await call(server, 'runs/create', { body: { experiment_id: aliceExperiment }, auth: alice });
    expect(run.status).toBe(200);
    const runId = (run.body.run as { info: { run_id: string } }).info.run_id;
    expect(
      (await call(server, 'runs/create', { body: { experiment_id: aliceExperiment }, auth: bob })).status,
    ).toBe(403);
    expect(
      (
        await call(server, 'runs/log-metric', {
          body: { run_id: runId, key: 'm', value: 1, timestamp: 1 },
          auth: bob,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(server, 'experiments/update', {
          body: { experiment_id: aliceExperiment, new_name: '/Shared/taken' },
          auth: bob,
        })
      ).status,
    ).toBe(403);
    // Reads are open to every authenticated user.
    expect((await call(server, `runs/get?run_id=${runId}`, { auth: bob })).status).toBe(200);
    // /Shared is written by everyone; bob cannot move his experiment into alice's folder.
    const shared = await call(server, 'experiments/create', {
      body: { name: '/Shared/team/dev' },
      auth: bob,
    });
    expect(shared.status).toBe(200);
    expect(
      (
        await call(server, 'experiments/update', {
          body: { experiment_id: shared.body.experiment_id, new_name: '/Users/alice/mine' },
          auth: bob,
        })
      ).status,
    ).toBe(403);
    expect(
      (await call(server, 'runs/create', { body: { experiment_id: shared.body.experiment_id }, auth: alice }))
        .status,
    ).toBe(200);
  });

  it('finishes in-flight requests on close, then closes the database', async () => {
    const store = await openSqliteStore(join(dir.path, 'b.db'));
    let closed = false;
    const slow: TrackingStore = Object.create(store) as TrackingStore;
    slow.searchExperiments = async (input) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return store.searchExperiments(input);
    };
    slow.close = async () => {
      closed = true;
      await store.close();
    };
    server = await startServer({ store: slow, port: 0, logger: false });
    const inFlight = call(server, 'experiments/search?max_results=5');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = server.close();
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect((answered.body.experiments as unknown[]).length).toBe(1);
    await closing;
    expect(closed).toBe(true);
    server = undefined;
  });

  it('ends the connections still busy when the close timeout passes, and still closes the database', async () => {
    const store = await openSqliteStore(join(dir.path, 'c.db'));
    let closed = false;
    const watched: TrackingStore = Object.create(store) as TrackingStore;
    watched.close = async () => {
      closed = true;
      await store.close();
    };
    server = await startServer({ store: watched, port: 0, logger: false, closeTimeoutMs: 200 });
    // A client that announces a body and never sends all of it: the request never completes.
    const socket = connect(server.port, server.host);
    await once(socket, 'connect');
    socket.write(
      'POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
        'content-length: 1000\r\n\r\n{"name":',
    );
    const ended = once(socket, 'close');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = server.close();
    const outcome = await Promise.race([
      closing.then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
    ]);
    expect(outcome).toBe('closed');
    await ended;
    expect(socket.destroyed).toBe(true);
    expect(closed).toBe(true);
    server = undefined;
  });

  it('`agentrack server` serves the embedded store, warns on an open address without auth, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        bin,
        'server',
        '--backend-store-uri',
        `sqlite:///${join(dir.path, 'c.db')}`,
        '--port',
        '0',
        '--host',
        '0.0.0.0',
        '--log-level',
        'silent',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit');
    while (!/listening on (http:\/\/\S+)/.test(stderr))
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stderr).toMatch(/warning: listening on 0\.0\.0\.0 without --auth/);
    const url = (/listening on (http:\/\/\S+)/.exec(stderr)?.[1] ?? '').replace('0.0.0.0', '127.0.0.1');
    const created = await fetch(`${url}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '/Shared/served' }),
    });
    expect(created.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stderr).toContain('SIGTERM, finishing in-flight requests and closing the database');
    const store = await openSqliteStore(join(dir.path, 'c.db'));
    expect((await store.getExperimentByName('/Shared/served'))?.lifecycle_stage).toBe('active');
    await store.close();
  });
});
