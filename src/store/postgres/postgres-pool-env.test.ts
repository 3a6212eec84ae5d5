import { describe, expect, it } from 'vitest';
import { postgresPoolSettings } from './postgres-pool-env.js';

describe('postgresPoolSettings', () => {
  it('leaves every default when nothing (or blanks) is set', () => {
    expect(postgresPoolSettings({})).toEqual({});
    expect(postgresPoolSettings({ AGENTRACK_PG_POOL_MAX: ' ' })).toEqual({});
  });

  it('reads each variable into its pool option', () => {
    expect(
      postgresPoolSettings({
        AGENTRACK_PG_POOL_MAX: '20',
        AGENTRACK_PG_IDLE_TIMEOUT_MS: '5000',
        AGENTRACK_PG_CONNECT_TIMEOUT_MS: ' 2500 ',
        AGENTRACK_PG_STATEMENT_TIMEOUT_MS: '120000',
      }),
    ).toEqual({ max: 20, idleTimeoutMs: 5000, connectionTimeoutMs: 2500, statementTimeoutMs: 120_000 });
  });

  it.each(['0', '-1', '1.5', 'ten', '1e3', '99999999999999999999'])(
    'refuses %s, naming the variable and the value',
    (value) => {
      expect(() => postgresPoolSettings({ AGENTRACK_PG_CONNECT_TIMEOUT_MS: value })).toThrow(
        expect.objectContaining({
          code: 'INVALID_PARAMETER_VALUE',
          message: `AGENTRACK_PG_CONNECT_TIMEOUT_MS must be a positive integer, got '${value}'.`,
        }),
      );
    },
  );
});
