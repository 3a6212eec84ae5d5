import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../auth/login-throttle.js';
import { hashPassword, hashToken } from '../auth/passwords.js';
import { parseUsers } from '../auth/users-file.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-dir.js';
import { startServer, type RunningServer } from './serve.js';

const PASSWORD = 'correct-horse-battery-staple';
const TOKEN = 'tok_5b0f1c2e9d8a7b6c';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('LoginThrottle', () => {
  it('refuses a user and address past its failures until the window has passed since the last one', () => {
    let now = 0;
    const throttle = new LoginThrottle({
      maxFailuresPerUser: 3,
      maxFailuresPerAddress: 5,
      windowMs: 1000,
      now: () => now,
    });
    for (let i = 0; i < 3; i++) {
      expect(throttle.refusedFor('alice', 'a')).toBe(0);
      throttle.failed('alice', 'a');
      now += 100;
    }
    expect(throttle.refusedFor('alice', 'a')).toBe(900);
    expect(throttle.refusedFor('alice', 'b')).toBe(0);
    expect(throttle.refusedFor('bob', 'a')).toBe(0);
    now += 900;
    expect(throttle.refusedFor('alice', 'a')).toBe(0);
    // A success starts the pair over.
    throttle.failed('alice', 'a');
    throttle.succeeded('alice', 'a');
    throttle.failed('alice', 'a');
    expect(throttle.refusedFor('alice', 'a')).toBe(0);
  });

  it('refuses an address that fails for many users, and forgets the oldest past its bound', () => {
    const throttle = new LoginThrottle({
      maxFailuresPerUser: 100,
      maxFailuresPerAddress: 4,
      windowMs: 1000,
      now: () => 0,
    });
    for (const user of ['u1', 'u2', 'u3', 'u4']) throttle.failed(user, 'x');
    expect(throttle.refusedFor('u5', 'x')).toBe(1000);
    const bounded = new LoginThrottle({ maxFailuresPerUser: 1, maxEntries: 4, now: () => 0 });
    for (const address of ['a', 'b', 'c']) bounded.failed('u', address);
    expect(bounded.refusedFor('u', 'a')).toBe(0);
    expect(bounded.refusedFor('u', 'c')).toBe(60_000);
  });
});

describe('a server behind a trusted proxy: failed logins per client', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;

  beforeAll(async () => {
    dir = tempDir('agentrack-proxied-');
    const users = parseUsers(
      JSON.stringify({ users: [{ user: 'alice', password_hash: await hashPassword(PASSWORD) }] }),
      'users.json',
    );
    server = await startServer({
      store: await openSqliteStore(join(dir.path, 'agentrack.db')),
      port: 0,
      users,
      trustedProxies: ['loopback'],
      loginThrottle: { maxFailuresPerUser: 2, maxFailuresPerAddress: 3, windowMs: 60_000 },
    });
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  const from = (client: string, authorization: string) =>
    fetch(`${server.url}/api/2.0/mlflow/experiments/search`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization,
        // What a load balancer appends: whatever the client sent, then the address it saw.
        'x-forwarded-for': `198.51.100.99, ${client}`,
      },
      body: JSON.stringify({ max_results: 1 }),
    });

  it('locks out the client that fails, and not the others behind the same proxy', async () => {
    for (const user of ['alice', 'bob', 'carol']) {
      expect((await from('203.0.113.7', basic(user, 'wrong'))).status).toBe(401);
    }
    expect((await from('203.0.113.7', basic('alice', PASSWORD))).status).toBe(429);
    expect((await from('203.0.113.8', basic('alice', PASSWORD))).status).toBe(200);
    // The address the client itself put first is not the one counted.
    expect((await from('198.51.100.99', basic('alice', PASSWORD))).status).toBe(200);
  });
});

describe('a server with --auth: failed logins and its log', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let log = '';

  beforeAll(async () => {
    dir = tempDir('agentrack-throttle-');
    const users = parseUsers(
      JSON.stringify({
        users: [
          { user: 'alice', password_hash: await hashPassword(PASSWORD) },
          { user: 'ci-bot', token_sha256: hashToken(TOKEN) },
        ],
      }),
      'users.json',
    );
    const stream = new Writable({
      write(chunk, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    server = await startServer({
      store: await openSqliteStore(join(dir.path, 'agentrack.db')),
      host: '127.0.0.1',
      port: 0,
      users,
      logger: { level: 'trace', stream },
      loginThrottle: { maxFailuresPerUser: 3, maxFailuresPerAddress: 10, windowMs: 60_000 },
    });
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  const search = (authorization?: string, body: unknown = { max_results: 1 }) =>
    fetch(`${server.url}/api/2.0/mlflow/experiments/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });

  it('answers 429 with Retry-After once a user fails too often from one address, without checking the password', async () => {
    expect((await search(basic('alice', PASSWORD))).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await search(basic('alice', `wrong-${i}`))).status).toBe(401);
    const refused = await search(basic('alice', PASSWORD));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(await refused.json()).toEqual({
      error_code: 'REQUEST_LIMIT_EXCEEDED',
      message: expect.stringMatching(/^Too many failed logins from this address: try again in \d+ s\.$/),
    });
    // Another user from the same address, and a token, still get in.
    expect((await search(`Bearer ${TOKEN}`)).status).toBe(200);
    // No credentials at all is not a failed login: 401, not counted.
    expect((await search()).status).toBe(401);
  });

  it('counts bearer tokens each on its own: a wrong token retried does not lock out the valid ones from its address', async () => {
    for (let i = 0; i < 3; i++) expect((await search('Bearer not-the-token')).status).toBe(401);
    expect((await search('Bearer not-the-token')).status).toBe(429);
    expect((await search(`Bearer ${TOKEN}`)).status).toBe(200);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    // Rotating the header does not give an attacker fresh addresses: the peer is still 127.0.0.1.
    const forwarded = (address: string) =>
      fetch(`${server.url}/api/2.0/mlflow/experiments/search`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: basic('mallory', 'guess'),
          'x-forwarded-for': address,
        },
        body: JSON.stringify({ max_results: 1 }),
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await forwarded(`203.0.113.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('never writes a password, a token or an Authorization header to its log', async () => {
    await search(`Bearer ${TOKEN}`, { max_results: 'not a number' });
    await search(basic('ci-bot', TOKEN));
    await search(basic('nobody', PASSWORD));
    expect(log).toContain('"reqId"');
    for (const secret of [
      PASSWORD,
      TOKEN,
      basic('alice', PASSWORD).slice(6),
      basic('ci-bot', TOKEN).slice(6),
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log.toLowerCase()).not.toContain('authorization');
  });
});
