import { isAbsolute, resolve } from 'node:path';
import { invalidParameter } from '../errors.js';

/**
 * A tracking URI, parsed into the backend it names. `path` says where the store is: the
 * SQLite file (or `:memory:`), the tracking server's base URL (`http://host:5000`, no
 * credentials, no trailing slash), or the Databricks configuration profile (`''` for the
 * environment's `DATABRICKS_HOST` / `DATABRICKS_TOKEN` or the default profile).
 */
export type TrackingTarget =
  | { kind: 'sqlite'; path: string; uri: string }
  | { kind: 'rest'; path: string; uri: string }
  | { kind: 'databricks'; path: string; uri: string };

/** The file used when no tracking URI is configured anywhere. */
export const DEFAULT_DATABASE = './agentrack.db';

/**
 * The tracking URI in effect: the argument, else `AGENTRACK_TRACKING_URI`, else
 * `MLFLOW_TRACKING_URI`, else the embedded database `./agentrack.db`.
 */
export function resolveTrackingUri(uri?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = uri ?? nonEmpty(env.AGENTRACK_TRACKING_URI) ?? nonEmpty(env.MLFLOW_TRACKING_URI);
  return chosen ?? `sqlite:///${DEFAULT_DATABASE.replace(/^\.\//, '')}`;
}

/**
 * Parses a tracking URI.
 *
 * SQLite URIs follow MLflow (SQLAlchemy): `sqlite:///relative.db` is relative to the working
 * directory, `sqlite:////absolute/path.db` is absolute, `sqlite:///:memory:` is a private
 * in-memory database. A bare path ending in `.db`, `.sqlite` or `.sqlite3` is taken as a
 * SQLite file too. `http://` and `https://` URIs name an MLflow tracking server (agentrack's
 * or MLflow's), `databricks` and `databricks://<profile>` a Databricks workspace.
 */
export function parseTrackingUri(uri: string, cwd: string = process.cwd()): TrackingTarget {
  const trimmed = uri.trim();
  if (trimmed.startsWith('sqlite:')) {
    const match = /^sqlite:\/\/\/(.*)$/s.exec(trimmed.split('?')[0] ?? '');
    if (!match) {
      throw invalidParameter(
        `Invalid SQLite tracking URI '${uri}': use sqlite:///relative/path.db or sqlite:////absolute/path.db.`,
      );
    }
    const rest = decodeURIComponent(match[1] ?? '');
    if (rest === '' || rest === ':memory:') return { kind: 'sqlite', path: ':memory:', uri: trimmed };
    return { kind: 'sqlite', path: isAbsolute(rest) ? rest : resolve(cwd, rest), uri: trimmed };
  }
  if (/^https?:/i.test(trimmed)) return { kind: 'rest', path: serverBaseUrl(trimmed), uri: trimmed };
  if (/^databricks(:|$)/i.test(trimmed)) {
    return { kind: 'databricks', path: databricksProfile(trimmed), uri: trimmed };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !/^[a-z]:[\\/]/i.test(trimmed)) {
    const scheme = trimmed.slice(0, trimmed.indexOf(':'));
    throw invalidParameter(
      `Unsupported tracking URI scheme '${scheme}' in '${uri}'. Use sqlite:///path.db (embedded SQLite), ` +
        `http(s)://host:port (a tracking server) or databricks.`,
    );
  }
  if (/\.(db|sqlite3?)$/i.test(trimmed)) {
    return { kind: 'sqlite', path: resolve(cwd, trimmed), uri: `sqlite:///${resolve(cwd, trimmed)}` };
  }
  throw invalidParameter(
    `Unsupported tracking URI '${uri}'. Use sqlite:///relative/path.db, sqlite:////absolute/path.db, ` +
      `http(s)://host:port or databricks.`,
  );
}

/** `http(s)://[user:password@]host[:port][/prefix]` without credentials and trailing slash. */
function serverBaseUrl(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalidParameter(`Invalid tracking server URI '${redact(uri)}': expected http(s)://host[:port].`);
  }
  if (url.hostname === '') {
    throw invalidParameter(`Invalid tracking server URI '${redact(uri)}': it names no host.`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalidParameter(
      `Invalid tracking server URI '${redact(uri)}': a query string or fragment is not allowed.`,
    );
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The profile of `databricks://<profile>`; `''` for plain `databricks`. */
function databricksProfile(uri: string): string {
  const match = /^databricks(?::\/\/(.*))?$/i.exec(uri);
  if (!match) {
    throw invalidParameter(
      `Invalid Databricks tracking URI '${uri}': use databricks or databricks://<profile>.`,
    );
  }
  const profile = match[1] ?? '';
  if (profile.includes(':') || profile.includes('/')) {
    throw invalidParameter(
      `Unsupported Databricks tracking URI '${uri}': secret-scope URIs (databricks://<scope>:<prefix>) are ` +
        `not supported; use databricks (DATABRICKS_HOST and DATABRICKS_TOKEN) or databricks://<profile>.`,
    );
  }
  return profile;
}

/** The URI with its password masked, for messages. */
function redact(uri: string): string {
  return uri.replace(/^(\w+:\/\/[^/:@]*):[^/@]*@/, '$1:***@');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}
