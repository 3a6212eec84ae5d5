import { readFile } from 'node:fs/promises';
import { invalidParameter, notFound } from '../errors.js';
import { checkPasswordHash } from './passwords.js';

/** One user of a server with access control: a token (as its SHA-256) and/or a password (as a scrypt hash). */
export interface UserEntry {
  user: string;
  token_sha256?: string;
  password_hash?: string;
}

/** The users of a server, by name. */
export type Users = ReadonlyMap<string, UserEntry>;

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@+-]*$/;
const ENTRY_KEYS = ['user', 'token_sha256', 'password_hash'];

/**
 * Parses a users file:
 *
 * ```json
 * { "users": [
 *   { "user": "alice", "password_hash": "scrypt$16384$8$1$...$..." },
 *   { "user": "ci-bot", "token_sha256": "9f86d08..." }
 * ] }
 * ```
 *
 * Secrets are never stored in clear: `agentrack auth hash-password` and `agentrack auth
 * hash-token` make the hashes. Errors name the file and the entry.
 */
export function parseUsers(text: string, file: string): Users {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalidParameter(`${file}: not valid JSON (${(error as Error).message}).`);
  }
  const list = (data as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) throw invalidParameter(`${file}: expected an object with a "users" list.`);
  const users = new Map<string, UserEntry>();
  list.forEach((entry: unknown, i) => {
    const field = `${file}: users[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw invalidParameter(`${field}: expected an object.`);
    }
    const record = entry as Record<string, unknown>;
    const extra = Object.keys(record).find((k) => !ENTRY_KEYS.includes(k));
    if (extra)
      throw invalidParameter(`${field}: unknown key '${extra}' (allowed: ${ENTRY_KEYS.join(', ')}).`);
    const { user, token_sha256: token, password_hash: password } = record;
    if (typeof user !== 'string' || !USER_NAME.test(user)) {
      throw invalidParameter(`${field}.user: a user name of letters, digits and _ . @ + - is required.`);
    }
    if (users.has(user)) throw invalidParameter(`${field}.user: '${user}' is listed twice.`);
    if (token === undefined && password === undefined) {
      throw invalidParameter(`${field}: give token_sha256, password_hash, or both.`);
    }
    if (token !== undefined && (typeof token !== 'string' || !/^[0-9a-f]{64}$/.test(token))) {
      throw invalidParameter(
        `${field}.token_sha256: expected 64 lowercase hex characters (\`agentrack auth hash-token\`).`,
      );
    }
    if (password !== undefined) {
      if (typeof password !== 'string') throw invalidParameter(`${field}.password_hash: expected a string.`);
      checkPasswordHash(password, `${field}.password_hash`);
    }
    users.set(user, {
      user,
      ...(token !== undefined ? { token_sha256: token as string } : {}),
      ...(password !== undefined ? { password_hash: password as string } : {}),
    });
  });
  return users;
}

/** Reads and parses a users file. */
export async function loadUsers(file: string): Promise<Users> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw notFound(`The users file '${file}' does not exist or cannot be read.`);
  }
  return parseUsers(text, file);
}
