import { describe, expect, it } from 'vitest';
import { formatRetryNotice, type RetryNotice } from './retry-notice.js';

const base = {
  baseUrl: 'http://127.0.0.1:5098',
  request: 'POST runs/search',
  retry: 2,
  maxRetries: 4,
  delayMs: 1_000,
} as const;

describe('formatRetryNotice', () => {
  it.each<[RetryNotice, string]>([
    [
      { ...base, kind: 'unreachable', reason: 'connection refused', code: 'ECONNREFUSED' },
      'connection refused by http://127.0.0.1:5098, retry 2/4 in 1.0 s',
    ],
    [
      { ...base, kind: 'unreachable', reason: 'host unreachable', code: 'EHOSTUNREACH' },
      'cannot connect to http://127.0.0.1:5098 (host unreachable), retry 2/4 in 1.0 s',
    ],
    [
      { ...base, kind: 'status', reason: 'HTTP 503', status: 503, delayMs: 4_321 },
      'HTTP 503 from http://127.0.0.1:5098, retry 2/4 in 4.3 s',
    ],
    [
      { ...base, kind: 'timeout', reason: 'no answer within 120 s', retry: 1, maxRetries: 7, delayMs: 2_500 },
      'no answer within 120 s from http://127.0.0.1:5098, retry 1/7 in 2.5 s',
    ],
    [
      { ...base, kind: 'transport', reason: 'other side closed' },
      'connection to http://127.0.0.1:5098 lost (other side closed), retry 2/4 in 1.0 s',
    ],
  ])('%o', (notice, line) => {
    expect(formatRetryNotice(notice)).toBe(line);
  });
});
