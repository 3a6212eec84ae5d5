import { describe, expect, it } from 'vitest';
import { AgentrackError, httpStatusFor, invalidParameter, isAgentrackError, notFound } from './errors.js';

describe('AgentrackError', () => {
  it.each([
    ['INVALID_PARAMETER_VALUE', 400],
    ['RESOURCE_ALREADY_EXISTS', 400],
    ['BAD_REQUEST', 400],
    ['UNAUTHENTICATED', 401],
    ['PERMISSION_DENIED', 403],
    ['RESOURCE_DOES_NOT_EXIST', 404],
    ['ENDPOINT_NOT_FOUND', 404],
    ['RESOURCE_CONFLICT', 409],
    ['REQUEST_LIMIT_EXCEEDED', 429],
    ['INTERNAL_ERROR', 500],
    ['INVALID_STATE', 500],
    ['NOT_IMPLEMENTED', 501],
    ['TEMPORARILY_UNAVAILABLE', 503],
    ['SOMETHING_ELSE', 500],
  ])("%s maps to MLflow's HTTP status %i", (code, status) => {
    expect(httpStatusFor(code)).toBe(status);
  });

  it("renders MLflow's error body and keeps its code", () => {
    const error = notFound('Run with id=abc not found');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(error.httpStatus).toBe(404);
    expect(JSON.stringify(error)).toBe(
      '{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Run with id=abc not found"}',
    );
  });

  it('is recognised by code, also across a serialization boundary', () => {
    expect(isAgentrackError(invalidParameter('x'), 'INVALID_PARAMETER_VALUE')).toBe(true);
    expect(isAgentrackError(invalidParameter('x'), 'RESOURCE_DOES_NOT_EXIST')).toBe(false);
    expect(isAgentrackError({ name: 'AgentrackError', code: 'INVALID_STATE', message: 'm' })).toBe(true);
    expect(isAgentrackError(new Error('plain'))).toBe(false);
    expect(isAgentrackError(null)).toBe(false);
    expect(new AgentrackError('INTERNAL_ERROR', 'boom', { cause: 1 }).cause).toBe(1);
  });
});
