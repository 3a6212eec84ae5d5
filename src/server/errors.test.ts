import { describe, expect, it } from 'vitest';
import { AgentrackError } from '../errors.js';
import { INTERNAL_ERROR_MESSAGE, toErrorResponse } from './errors.js';
import { MAX_REQUEST_BODY_BYTES } from './wire/json-body.js';

describe('toErrorResponse', () => {
  it.each([
    ['INVALID_PARAMETER_VALUE', 400],
    ['RESOURCE_ALREADY_EXISTS', 400],
    ['RESOURCE_DOES_NOT_EXIST', 404],
    ['PERMISSION_DENIED', 403],
    ['UNAUTHENTICATED', 401],
    ['NOT_IMPLEMENTED', 501],
    ['TEMPORARILY_UNAVAILABLE', 503],
    ['INVALID_STATE', 500],
  ] as const)('answers %s with MLflow status %d and keeps the message', (code, status) => {
    const response = toErrorResponse(new AgentrackError(code, 'the message'));
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error_code: code, message: 'the message' });
    expect(response.expected).toBe(status < 500);
  });

  it('answers a too-large body with a 400 naming the limit', () => {
    const error = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(toErrorResponse(error)).toEqual({
      status: 400,
      body: {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: `The request body is larger than the server's limit of ${MAX_REQUEST_BODY_BYTES} bytes.`,
      },
      expected: true,
    });
  });

  it.each([
    [400, "'/%zz' is not a valid url component"],
    [414, 'URI Too Long'],
    [415, 'Unsupported Media Type'],
  ])(
    'answers another client error %d of the HTTP layer with its status and BAD_REQUEST',
    (status, message) => {
      const error = Object.assign(new Error(message), { statusCode: status });
      expect(toErrorResponse(error)).toEqual({
        status,
        body: { error_code: 'BAD_REQUEST', message },
        expected: true,
      });
    },
  );

  it.each([
    [new Error('SQLITE_CORRUPT: database disk image is malformed at /secret/path')],
    [Object.assign(new Error('socket hang up'), { statusCode: 502 })],
    ['a string'],
    [null],
  ])('hides the cause of an unexpected error %#', (error) => {
    expect(toErrorResponse(error)).toEqual({
      status: 500,
      body: { error_code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE },
      expected: false,
    });
  });
});
