import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { invalidParameter } from '../../errors.js';
import type { TrackingTarget } from '../tracking-uri.js';
import type { ConnectRetrySettings, HttpClientOptions } from './http-client.js';
import type { RetryNotice } from './retry-notice.js';

/**
 * The retries of a connection refused (or otherwise never made) while no retry setting is
 * given: 0.5, 1, 2 and 4 s plus up to 0.25 s each, at most 8.5 s of waiting in all. A server
 * that is restarting is back within that; one that is not there is reported in seconds, not
 * after MLflow's four minutes, which are meant for a live server that is busy or rate limits.
 */
const CONNECT_RETRY: ConnectRetrySettings = { maxRetries: 4, backoffFactorMs: 500, backoffJitterMs: 250 };

/**
 * Options of the REST store. Each falls back to MLflow's environment variable, then to MLflow's
 * default: the client behaves as MLflow's Python client configured the same way.
 */
export interface RestStoreOptions {
  /** Bearer token; default `MLFLOW_TRACKING_TOKEN` (`DATABRICKS_TOKEN` for `databricks`). */
  token?: string;
  /** Basic authentication, used over a token when both are set; default `MLFLOW_TRACKING_USERNAME`. */
  username?: string;
  /** Default `MLFLOW_TRACKING_PASSWORD`. */
  password?: string;
  /** Time allowed for one attempt; default `MLFLOW_HTTP_REQUEST_TIMEOUT` seconds, else 120 s. */
  timeoutMs?: number;
  /**
   * Retries after the first attempt; default `MLFLOW_HTTP_REQUEST_MAX_RETRIES`, else 7. While
   * neither this nor the backoff factor is set, a refused connection gets 4 retries of 0.5 to 4 s.
   */
  maxRetries?: number;
  /** First retry wait, doubling after; default `MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR` seconds, else 2 s. */
  backoffFactorMs?: number;
  /** Random extra wait per retry, up to; default `MLFLOW_HTTP_REQUEST_BACKOFF_JITTER` seconds, else 1 s. */
  backoffJitterMs?: number;
  /** Longest wait between attempts, also for `Retry-After`; default 120 s. */
  backoffMaxMs?: number;
  /** Honour `Retry-After` on 429 and 503; default `MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER`, else true. */
  respectRetryAfter?: boolean;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** Called before each wait for a retry (`formatRetryNotice` makes it a line); nothing is printed without it. */
  onRetry?: (notice: RetryNotice) => void;
  /**
   * The fetch implementation, e.g. one bound to an undici `Agent` for client certificates or
   * a private certificate authority. Node's global `fetch` by default.
   */
  fetch?: typeof fetch;
  /**
   * Split a log-batch over MLflow's count limits into several requests, as MLflow's Python
   * client does, instead of refusing it. The batch is then not atomic. Default false.
   */
  splitOversizedBatches?: boolean;
  /** The environment to read; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
}

/** Everything a REST store needs, resolved from its target, options and environment. */
export interface RestStoreConfig extends HttpClientOptions {
  splitOversizedBatches: boolean;
}

/** A target the REST store serves: an MLflow-compatible server or a Databricks workspace. */
export type RemoteTrackingTarget = Extract<TrackingTarget, { kind: 'rest' | 'databricks' }>;

/**
 * Resolves a REST store's configuration: base URL and `Authorization` from the target, the
 * options and the environment (MLflow's variables, Databricks' for `databricks`), and the
 * retry and timeout settings.
 */
export function resolveRestConfig(
  target: RemoteTrackingTarget,
  options: RestStoreOptions = {},
): RestStoreConfig {
  const env = options.env ?? process.env;
  const { baseUrl, authorization } =
    target.kind === 'databricks'
      ? databricksEndpoint(target, options, env)
      : serverEndpoint(target, options, env);
  if (/^https:/i.test(baseUrl) && !options.fetch) checkTlsSettings(env);
  const maxRetries =
    count('maxRetries', options.maxRetries) ?? envCount(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES');
  const backoffFactorMs =
    nonNegative('backoffFactorMs', options.backoffFactorMs) ??
    envSeconds(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR');
  const backoffJitterMs =
    nonNegative('backoffJitterMs', options.backoffJitterMs) ??
    envSeconds(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_JITTER');
  const config: RestStoreConfig = {
    baseUrl,
    timeoutMs:
      positive('timeoutMs', options.timeoutMs) ??
      envSeconds(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT', true) ??
      120_000,
    maxRetries: maxRetries ?? 7,
    backoffFactorMs: backoffFactorMs ?? 2_000,
    backoffJitterMs: backoffJitterMs ?? 1_000,
    backoffMaxMs: nonNegative('backoffMaxMs', options.backoffMaxMs) ?? 120_000,
    respectRetryAfter:
      options.respectRetryAfter ?? envBoolean(env, 'MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER') ?? true,
    splitOversizedBatches: options.splitOversizedBatches ?? false,
  };
  // Retry settings given by the user govern refused connections too, as in MLflow's client.
  if (maxRetries === undefined && backoffFactorMs === undefined) {
    config.connectRetry = {
      ...CONNECT_RETRY,
      backoffJitterMs: backoffJitterMs ?? CONNECT_RETRY.backoffJitterMs,
    };
  }
  if (options.onRetry) config.onRetry = options.onRetry;
  if (authorization !== undefined) config.authorization = authorization;
  if (options.headers) config.headers = { ...options.headers };
  if (options.fetch) config.fetch = options.fetch;
  return config;
}

function serverEndpoint(
  target: RemoteTrackingTarget,
  options: RestStoreOptions,
  env: NodeJS.ProcessEnv,
): { baseUrl: string; authorization?: string } {
  const url = new URL(target.uri);
  const fromOptions = [options.token, options.username, options.password].some((v) => v !== undefined);
  const fromEnv = [
    env.MLFLOW_TRACKING_TOKEN,
    env.MLFLOW_TRACKING_USERNAME,
    env.MLFLOW_TRACKING_PASSWORD,
  ].some((v) => v !== undefined && v !== '');
  const credentials = fromOptions
    ? {
        token: options.token,
        username: options.username,
        password: options.password,
        source: 'the username and password options',
      }
    : fromEnv
      ? {
          token: env.MLFLOW_TRACKING_TOKEN,
          username: env.MLFLOW_TRACKING_USERNAME,
          password: env.MLFLOW_TRACKING_PASSWORD,
          source: 'MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD',
        }
      : {
          username: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
          source: 'the tracking URI',
        };
  const { token, username, password } = credentials;
  // As MLflow's client: Basic when both username and password are set, else the token.
  if (username && password) return { baseUrl: target.path, authorization: basic(username, password) };
  if (token) return { baseUrl: target.path, authorization: `Bearer ${token}` };
  if (username || password) {
    throw invalidParameter(
      `Basic authentication needs both a username and a password; only the ${username ? 'username' : 'password'} ` +
        `is set (${credentials.source}).`,
    );
  }
  return { baseUrl: target.path };
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function databricksEndpoint(
  target: RemoteTrackingTarget,
  options: RestStoreOptions,
  env: NodeJS.ProcessEnv,
): { baseUrl: string; authorization: string } {
  const file = env.DATABRICKS_CONFIG_FILE || join(homedir(), '.databrickscfg');
  let host: string | undefined;
  let token: string | undefined;
  let where: string;
  if (target.path === '') {
    host = env.DATABRICKS_HOST || undefined;
    token = options.token ?? (env.DATABRICKS_TOKEN || undefined);
    const profileName = env.DATABRICKS_CONFIG_PROFILE || 'DEFAULT';
    where = `DATABRICKS_HOST and DATABRICKS_TOKEN, or the [${profileName}] profile of ${file}`;
    if ((!host || !token) && existsSync(file)) {
      const profile = readDatabricksProfiles(file).get(profileName);
      host ??= profile?.get('host') || undefined;
      token ??= profile?.get('token') || undefined;
      if (!token) rejectOtherAuth(target.uri, profile?.get('auth_type'), env);
    }
  } else {
    where = `the [${target.path}] profile of ${file}`;
    if (!existsSync(file)) {
      throw invalidParameter(
        `The tracking URI '${target.uri}' names the Databricks profile '${target.path}', but ${file} does not exist.`,
      );
    }
    const profile = readDatabricksProfiles(file).get(target.path);
    if (!profile) {
      throw invalidParameter(
        `The tracking URI '${target.uri}' names the profile '${target.path}', not found in ${file}.`,
      );
    }
    host = profile.get('host') || undefined;
    token = options.token ?? (profile.get('token') || undefined);
    if (!token) rejectOtherAuth(target.uri, profile.get('auth_type'), env);
  }
  if (!host) {
    throw invalidParameter(
      `The tracking URI '${target.uri}' needs the workspace URL: set it in ${where} ` +
        `(e.g. DATABRICKS_HOST=https://adb-1234567890123456.7.azuredatabricks.net).`,
    );
  }
  if (!token) {
    rejectOtherAuth(target.uri, undefined, env);
    throw invalidParameter(
      `The tracking URI '${target.uri}' needs a Databricks personal access token: set it in ${where}.`,
    );
  }
  return { baseUrl: workspaceUrl(host, target.uri), authorization: `Bearer ${token}` };
}

function rejectOtherAuth(uri: string, authType: string | undefined, env: NodeJS.ProcessEnv): void {
  const kind = authType || (env.DATABRICKS_CLIENT_ID ? 'oauth-m2m' : env.DATABRICKS_AUTH_TYPE);
  if (kind && kind !== 'pat') {
    throw invalidParameter(
      `The tracking URI '${uri}' is configured for Databricks authentication type '${kind}', which agentrack ` +
        `does not support: use a personal access token (DATABRICKS_TOKEN, or token in the profile).`,
    );
  }
}

function workspaceUrl(host: string, uri: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`;
  try {
    const url = new URL(withScheme);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    throw invalidParameter(`Invalid Databricks workspace URL '${host}' for the tracking URI '${uri}'.`);
  }
}

/** The profiles of a Databricks configuration file (INI): section name → lowercase key → value. */
export function readDatabricksProfiles(file: string): Map<string, Map<string, string>> {
  const profiles = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      profiles.set((section[1] ?? '').trim(), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return profiles;
}

function checkTlsSettings(env: NodeJS.ProcessEnv): void {
  if (envBoolean(env, 'MLFLOW_TRACKING_INSECURE_TLS')) {
    throw invalidParameter(
      'MLFLOW_TRACKING_INSECURE_TLS=true is not supported: agentrack always verifies the server certificate. ' +
        'Trust a private certificate authority with NODE_EXTRA_CA_CERTS=<ca.pem>, or pass a fetch bound to ' +
        'your own TLS settings (the fetch option).',
    );
  }
  const serverCert = env.MLFLOW_TRACKING_SERVER_CERT_PATH;
  if (serverCert && env.NODE_EXTRA_CA_CERTS !== serverCert) {
    throw invalidParameter(
      `MLFLOW_TRACKING_SERVER_CERT_PATH is not read by agentrack: start Node with ` +
        `NODE_EXTRA_CA_CERTS=${serverCert} to trust that certificate authority.`,
    );
  }
  if (env.MLFLOW_TRACKING_CLIENT_CERT_PATH) {
    throw invalidParameter(
      'MLFLOW_TRACKING_CLIENT_CERT_PATH (client certificates) is not supported by default: pass a fetch ' +
        'bound to your TLS settings (the fetch option).',
    );
  }
}

function positive(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw invalidParameter(`Invalid ${name} ${String(value)}: expected a positive number of milliseconds.`);
  }
  return value;
}

function nonNegative(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw invalidParameter(
      `Invalid ${name} ${String(value)}: expected a non-negative number of milliseconds.`,
    );
  }
  return value;
}

function count(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw invalidParameter(`Invalid ${name} ${String(value)}: expected a non-negative integer.`);
  }
  return value;
}

/** A duration in seconds from the environment, in milliseconds. */
function envSeconds(env: NodeJS.ProcessEnv, name: string, strictlyPositive = false): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0 || (strictlyPositive && seconds === 0)) {
    throw invalidParameter(
      `Invalid value '${text}' for ${name}: expected a ${strictlyPositive ? 'positive' : 'non-negative'} number of seconds.`,
    );
  }
  return seconds * 1000;
}

function envCount(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  if (!/^\d+$/.test(text))
    throw invalidParameter(`Invalid value '${text}' for ${name}: expected a non-negative integer.`);
  return Number(text);
}

// MLflow's boolean variables accept true, false, 1 and 0, in any case.
function envBoolean(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw invalidParameter(`Invalid value '${text}' for ${name}: expected true, false, 1 or 0.`);
}
