import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_HEAD_BYTES, parserErrorResponse } from './client-error.js';

describe('parserErrorResponse', () => {
  it.each([
    [
      { code: 'HPE_HEADER_OVERFLOW', reason: 'Header overflow' },
      431,
      `The request line and headers are larger than the server's limit of ${MAX_REQUEST_HEAD_BYTES} bytes.`,
    ],
    [{ code: 'ERR_HTTP_REQUEST_TIMEOUT' }, 408, 'The request was not received in time.'],
    [
      { code: 'HPE_INVALID_METHOD', reason: 'Invalid method encountered' },
      400,
      'Malformed HTTP request: invalid method encountered.',
    ],
    [
      { code: 'HPE_INVALID_CHUNK_SIZE', reason: 'Invalid character in chunk size' },
      400,
      'Malformed HTTP request: invalid character in chunk size.',
    ],
    [{ code: 'HPE_SOMETHING_NEW' }, 400, 'Malformed HTTP request: not valid HTTP/1.1.'],
  ])('answers %j with %d BAD_REQUEST', (error, status, message) => {
    expect(parserErrorResponse(error)).toEqual({
      status,
      body: { error_code: 'BAD_REQUEST', message },
      expected: true,
    });
  });

  it("admits the request line of a 20,000-character run id sent twice, as MLflow's client sends it", () => {
    const line = `GET /api/2.0/mlflow/runs/get?run_uuid=${'a'.repeat(20_000)}&run_id=${'a'.repeat(20_000)} HTTP/1.1\r\n`;
    expect(MAX_REQUEST_HEAD_BYTES).toBeGreaterThan(line.length + 8 * 1024);
  });
});
