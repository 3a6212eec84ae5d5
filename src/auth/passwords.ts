import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { invalidParameter } from '../errors.js';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function scryptAsync(
  password: string,
  salt: Buffer,
  keylen: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/**
 * Hashes a password for a users file: `scrypt$N$r$p$<salt>$<hash>` (base64url), from a fresh
 * random salt. Verify with {@link verifyPassword}.
 */
export async function hashPassword(password: string): Promise<string> {
  if (password.length === 0) throw invalidParameter('A password cannot be empty.');
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** Checks that `hash` is in the form {@link hashPassword} writes; throws naming `field` otherwise. */
export function checkPasswordHash(hash: string, field: string): void {
  const parts = hash.split('$');
  const [scheme, n, r, p, salt, key] = parts;
  const ok =
    parts.length === 6 &&
    scheme === 'scrypt' &&
    [n, r, p].every((x) => /^\d+$/.test(x ?? '')) &&
    /^[A-Za-z0-9_-]{16,}$/.test(salt ?? '') &&
    /^[A-Za-z0-9_-]{16,}$/.test(key ?? '');
  if (!ok) {
    throw invalidParameter(
      `${field}: not a password hash; create one with \`agentrack auth hash-password\`.`,
    );
  }
}

/** True when `password` matches a hash made by {@link hashPassword}; constant-time in the key comparison. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = hash.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * Number(n) * Number(r) + 1024 * 1024,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The SHA-256 of a token, hex: what a users file stores instead of the token itself. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True when `token` hashes to `sha256Hex`, compared in constant time. */
export function verifyToken(token: string, sha256Hex: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(sha256Hex, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
