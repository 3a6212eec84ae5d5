import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hashToken, verifyPassword } from '../../src/auth/index.js';
import { bin, cleanEnv } from './helpers.js';

function cli(args: string[], input = '') {
  const result = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', env: cleanEnv() });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('agentrack auth', () => {
  it('hashes a password read on standard input', async () => {
    const result = cli(['auth', 'hash-password'], 'wonderland\n');
    expect(result.code).toBe(0);
    expect(await verifyPassword('wonderland', result.stdout.trim())).toBe(true);
  });

  it('hashes a token, or generates one with its hash', () => {
    expect(cli(['auth', 'hash-token'], 'tok-123').stdout.trim()).toBe(hashToken('tok-123'));
    const generated = cli(['auth', 'hash-token', '--generate']).stdout;
    const token = /^token: (\S+)$/m.exec(generated)?.[1] ?? '';
    expect(token.length).toBeGreaterThanOrEqual(24);
    expect(generated).toContain(`token_sha256: ${hashToken(token)}`);
  });

  it('refuses an empty secret as a usage error', () => {
    const result = cli(['auth', 'hash-password'], '');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: hash-password: give the password on standard input/);
  });
});

describe('agentrack server usage errors', () => {
  it.each([
    [['--port', 'abc'], /--port: expected a port number/],
    [['--log-level', 'loud'], /--log-level: expected one of/],
    [
      ['--backend-store-uri', 'http://127.0.0.1:1'],
      /--backend-store-uri must be a SQLite or PostgreSQL store/,
    ],
  ])('%j exits 2', (args, message) => {
    const result = cli(['server', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a missing users file', () => {
    const result = cli(['server', '--port', '0', '--auth', '/nonexistent/users.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/users file '\/nonexistent\/users.json' does not exist/);
  });
});
