import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import { authenticate, canWrite } from './authenticate.js';
import { hashPassword, hashToken, verifyPassword, verifyToken } from './passwords.js';
import { parseUsers } from './users-file.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('passwords and tokens', () => {
  it('hashes a password with a fresh salt and verifies it', async () => {
    const a = await hashPassword('s3cret');
    const b = await hashPassword('s3cret');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('s3cret', a)).toBe(true);
    expect(await verifyPassword('s3cret!', a)).toBe(false);
    expect(await verifyPassword('s3cret', 'plain')).toBe(false);
    await expect(hashPassword('')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });

  it('stores tokens as SHA-256 and compares them', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(verifyToken('abc', hashToken('abc'))).toBe(true);
    expect(verifyToken('abd', hashToken('abc'))).toBe(false);
  });
});

describe('users file', () => {
  it.each([
    ['not json', /users.json: not valid JSON/],
    ['{}', /expected an object with a "users" list/],
    ['{"users": [1]}', /users\[0\]: expected an object/],
    ['{"users": [{"user": "a b", "token_sha256": "x"}]}', /users\[0\]\.user/],
    ['{"users": [{"user": "a"}]}', /give token_sha256, password_hash, or both/],
    ['{"users": [{"user": "a", "token_sha256": "abc"}]}', /token_sha256: expected 64 lowercase hex/],
    ['{"users": [{"user": "a", "password_hash": "hunter2"}]}', /password_hash: not a password hash/],
    ['{"users": [{"user": "a", "token": "x"}]}', /unknown key 'token'/],
  ])('%s is refused', (text, message) => {
    expect(rejection(() => parseUsers(text, 'users.json'))).toMatch(message);
  });

  it('refuses a user listed twice', () => {
    const entry = { user: 'a', token_sha256: hashToken('t') };
    expect(rejection(() => parseUsers(JSON.stringify({ users: [entry, entry] }), 'u.json'))).toMatch(
      /listed twice/,
    );
  });
});

describe('authenticate', () => {
  it("accepts MLflow's Bearer token and Basic credentials, and nothing else", async () => {
    const users = parseUsers(
      JSON.stringify({
        users: [
          { user: 'alice', password_hash: await hashPassword('wonderland') },
          { user: 'ci-bot', token_sha256: hashToken('tok-123') },
        ],
      }),
      'users.json',
    );
    expect(await authenticate('Bearer tok-123', users)).toEqual({ user: 'ci-bot' });
    expect(await authenticate('bearer tok-123', users)).toEqual({ user: 'ci-bot' });
    expect(await authenticate(basic('alice', 'wonderland'), users)).toEqual({ user: 'alice' });
    expect(await authenticate(basic('ci-bot', 'tok-123'), users)).toEqual({ user: 'ci-bot' });
    for (const header of [
      undefined,
      '',
      'Bearer wrong',
      basic('alice', 'wrong'),
      basic('bob', 'wonderland'),
      'Basic !!!',
      'Token tok-123',
      'Bearer',
    ]) {
      expect(await authenticate(header, users)).toBeUndefined();
    }
  });
});

describe('canWrite', () => {
  it.each([
    ['alice', '/Users/alice/scratch', true],
    ['alice', '/Users/alice', true],
    ['bob', '/Users/alice/scratch', false],
    ['bob', '/Users/alice', false],
    ['bob', '/Users/alice2/x', false],
    ['alice', '/Users/alice2/x', false],
    ['bob', '/Shared/agent/evaluation', true],
    ['bob', 'Default', true],
  ])('%s writing %s: %s', (user, name, allowed) => {
    expect(canWrite(user, name)).toBe(allowed);
  });
});
