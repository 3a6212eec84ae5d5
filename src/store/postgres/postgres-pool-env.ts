import { invalidParameter } from '../../errors.js';
import type { PostgresDriverOptions } from './postgres-driver.js';

/** The pool settings read from the environment, each variable with the option it sets and its default. */
export const POSTGRES_POOL_VARIABLES = [
  { name: 'AGENTRACK_PG_POOL_MAX', option: 'max', defaultValue: 10 },
  { name: 'AGENTRACK_PG_IDLE_TIMEOUT_MS', option: 'idleTimeoutMs', defaultValue: 10_000 },
  { name: 'AGENTRACK_PG_CONNECT_TIMEOUT_MS', option: 'connectionTimeoutMs', defaultValue: 10_000 },
  { name: 'AGENTRACK_PG_STATEMENT_TIMEOUT_MS', option: 'statementTimeoutMs', defaultValue: 60_000 },
] as const;

/** The pool options the environment sets. */
export type PostgresPoolSettings = Pick<
  PostgresDriverOptions,
  (typeof POSTGRES_POOL_VARIABLES)[number]['option']
>;

/**
 * The PostgreSQL pool settings of `env`: `AGENTRACK_PG_POOL_MAX` (connections per process,
 * default 10), `AGENTRACK_PG_IDLE_TIMEOUT_MS` (10000), `AGENTRACK_PG_CONNECT_TIMEOUT_MS` (10000:
 * how long a request waits for a connection) and `AGENTRACK_PG_STATEMENT_TIMEOUT_MS` (60000).
 * Unset or blank variables leave the default; anything but a positive integer is
 * INVALID_PARAMETER_VALUE naming the variable and its value.
 *
 * @example postgresPoolSettings({ AGENTRACK_PG_POOL_MAX: '20' }) // { max: 20 }
 */
export function postgresPoolSettings(env: NodeJS.ProcessEnv): PostgresPoolSettings {
  const settings: PostgresPoolSettings = {};
  for (const { name, option } of POSTGRES_POOL_VARIABLES) {
    const text = env[name]?.trim();
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
      throw invalidParameter(`${name} must be a positive integer, got '${env[name]}'.`);
    }
    settings[option] = value;
  }
  return settings;
}
