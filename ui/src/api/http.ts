/**
 * The UI's one way to the server: `fetch` on the page's own origin (the browser sends the
 * credentials it was asked for, Basic auth with `--auth`), JSON in and out, and every failure
 * as an {@link ApiError} carrying MLflow's `error_code`, the message and the HTTP status.
 */

/** A request the server refused, or could not be reached for (status 0, code `UNREACHABLE`). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** True when the server said the thing asked for does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.code === 'RESOURCE_DOES_NOT_EXIST');
}

type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

/** `path?query`, with list values repeated (`run_ids=a&run_ids=b`) as MLflow's GET endpoints take them. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

async function failure(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (typeof body.error_code === 'string') {
      return new ApiError(body.error_code, String(body.message ?? body.error_code), response.status);
    }
  } catch {
    // Not MLflow's error shape: say what the server answered.
  }
  return new ApiError(`HTTP_${response.status}`, text.slice(0, 300) || response.statusText, response.status);
}

async function send(path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin', ...init });
  } catch (error) {
    throw new ApiError('UNREACHABLE', `The server could not be reached: ${(error as Error).message}`, 0);
  }
  if (!response.ok) throw await failure(response);
  return response;
}

/** GET a JSON answer. */
export async function getJson<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  const response = await send(withQuery(path, query), {
    headers: { accept: 'application/json' },
    ...(signal ? { signal } : {}),
  });
  return (await response.json()) as T;
}

/** POST a JSON body, answer the JSON. */
export async function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await send(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  return (await response.json()) as T;
}

/** GET a file's bytes as text (artifact previews). */
export async function getText(path: string, query?: Query, signal?: AbortSignal): Promise<string> {
  const response = await send(withQuery(path, query), signal ? { signal } : {});
  return response.text();
}
