import { invalidParameter } from '../../errors.js';
import { parsePythonJson } from './python-json.js';

/**
 * Largest request body the server reads, in bytes.
 *
 * MLflow documents 1 MB per log-batch request, but its server does not enforce it and its
 * Python client splits batches by count (1000 metrics, 100 params, 100 tags), not by size:
 * a batch within MLflow's count and length limits (100 params of 6000 characters, 100 tags of
 * 8000, keys of 250) can exceed 1 MB, and up to about 20 MB when every character is sent as a
 * JSON escape. The limit admits every such batch and refuses anything larger.
 */
export const MAX_REQUEST_BODY_BYTES = 20 * 1024 * 1024;

const JSON_CONTENT_TYPE = 'application/json';
// As MLflow, echo the received type only when it cannot carry markup.
const SAFE_CONTENT_TYPE = /^[a-zA-Z0-9\-/;,+_ ]*$/;

/**
 * The JSON object of a request body, read as MLflow's server reads it: the content type of a
 * POST or PUT must be `application/json` (MLflow reads the bodies of PATCH and DELETE
 * whatever their type: pass `checkType: false`); an empty body is `{}`; a body that is a JSON string holding
 * JSON (old clients double-encode) is decoded twice; the bare tokens `NaN`, `Infinity` and
 * `-Infinity`, which Python's JSON reads, are those numbers. Unlike MLflow, which treats a
 * body it cannot parse as empty, malformed JSON and a body that is not an object are refused
 * with INVALID_PARAMETER_VALUE.
 */
export function parseJsonBody(
  raw: unknown,
  contentType: string | undefined,
  options: { checkType?: boolean } = {},
): Record<string, unknown> {
  const mediaType = contentType?.split(';')[0]?.trim();
  if ((options.checkType ?? true) && mediaType?.toLowerCase() !== JSON_CONTENT_TYPE) {
    const got = mediaType !== undefined && SAFE_CONTENT_TYPE.test(mediaType) ? ` Got '${mediaType}'.` : '';
    throw invalidParameter(`Bad Request. Content-Type must be one of [${JSON_CONTENT_TYPE}].${got}`);
  }
  const text = typeof raw === 'string' ? raw : '';
  if (text.trim() === '') return {};
  let body = parse(text);
  if (typeof body === 'string') body = parse(body);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const kind = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
    throw invalidParameter(`Malformed request body: expected a JSON object, got ${kind}.`);
  }
  return body as Record<string, unknown>;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // Only a body the standard parser refuses is read again, the slower way.
    if (text.includes('NaN') || text.includes('Infinity')) {
      try {
        return parsePythonJson(text);
      } catch {
        // Still not JSON: the standard parser's message says where.
      }
    }
    throw invalidParameter(`Malformed JSON in request body: ${(error as Error).message}.`);
  }
}
