import { isAbsolute, join, resolve } from 'node:path';
import { invalidParameter } from '../errors.js';

/**
 * A tracking URI, parsed into the backend it names. `path` says where the store is, and is
 * safe to show (it never holds a password): the SQLite file (or `:memory:`), the tracking
 * server's base URL (`http://host:5000`, no credentials, no trailing slash), the Databricks
 * configuration profile (`''` for the environment's `DATABRICKS_HOST` / `DATABRICKS_TOKEN` or
 * the default profile), or the PostgreSQL URI with its password masked. `uri` is the URI as
 * given, except for PostgreSQL, where it is masked too: the driver takes `connectionString`.
 * {@link canonicalTrackingUri} gives the URI to hand to another process,
 * {@link displayTrackingUri} the one to print.
 */
export type TrackingTarget =
  | { kind: 'sqlite'; path: string; uri: string }
  | { kind: 'rest'; path: string; uri: string }
  | { kind: 'databricks'; path: string; uri: string }
  | { kind: 'postgres'; path: string; uri: string; connectionString: string };

/** The file used when no tracking URI is configured anywhere. */
export const DEFAULT_DATABASE = './agentrack.db';

/** Where {@link resolveTrackingTarget} looks for the tracking URI. */
export interface TrackingUriSources {
  /** The URI given: an argument, `--tracking-uri`, `--backend-store-uri`. Relative paths are from `cwd`. */
  uri?: string | undefined;
  /** A configuration file's `trackingUri`, when a configuration file is in use. */
  configUri?: string | undefined;
  /**
   * The folder of that configuration file: its relative SQLite paths are taken from there, and
   * so is the default database, so that running from a subfolder never starts a second one.
   */
  configFolder?: string | undefined;
  /** Default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Default `process.cwd()`. */
  cwd?: string | undefined;
}

/**
 * The tracking store in effect, parsed. The one precedence, first found wins:
 *
 * 1. `uri` (a function's argument, `--tracking-uri`, `--backend-store-uri`);
 * 2. `AGENTRACK_TRACKING_URI` (so that a command `agentrack run` starts logs where its parent does);
 * 3. the configuration file's `trackingUri`, relative SQLite paths from the file's folder;
 * 4. `MLFLOW_TRACKING_URI`;
 * 5. `agentrack.db` in the configuration file's folder, else in the working folder.
 *
 * Empty and blank environment variables count as unset. See {@link parseTrackingUri} for the forms.
 *
 * @example resolveTrackingTarget({ configUri: 'sqlite:///runs.db', configFolder: '/project', env: {} }) // { kind: 'sqlite', path: '/project/runs.db', ... }
 */
export function resolveTrackingTarget(sources: TrackingUriSources = {}): TrackingTarget {
  const { uri, base } = chooseTrackingUri(sources);
  return parseTrackingUri(uri, base);
}

/**
 * The tracking URI in effect, as a string: the argument, else `AGENTRACK_TRACKING_URI`, else
 * `MLFLOW_TRACKING_URI`, else the embedded database `./agentrack.db` ({@link resolveTrackingTarget}'s
 * precedence without a configuration file).
 */
export function resolveTrackingUri(uri?: string, env: NodeJS.ProcessEnv = process.env): string {
  return chooseTrackingUri({ uri, env }).uri;
}

/** The URI {@link resolveTrackingTarget} parses, and the folder its relative paths are from. */
function chooseTrackingUri(sources: TrackingUriSources): { uri: string; base: string } {
  const env = sources.env ?? process.env;
  const cwd = resolve(sources.cwd ?? process.cwd());
  const folder = sources.configFolder === undefined ? undefined : resolve(cwd, sources.configFolder);
  if (sources.uri !== undefined) return { uri: sources.uri, base: cwd };
  const agentrack = nonEmpty(env.AGENTRACK_TRACKING_URI);
  if (agentrack !== undefined) return { uri: agentrack, base: cwd };
  if (sources.configUri !== undefined) return { uri: sources.configUri, base: folder ?? cwd };
  const mlflow = nonEmpty(env.MLFLOW_TRACKING_URI);
  if (mlflow !== undefined) return { uri: mlflow, base: cwd };
  const name = DEFAULT_DATABASE.replace(/^\.\//, '');
  return folder === undefined
    ? { uri: `sqlite:///${name}`, base: cwd }
    : { uri: `sqlite:///${escapePath(join(folder, name))}`, base: folder };
}

/**
 * The URI that names `target` from any working folder, for another process (a child's
 * `AGENTRACK_TRACKING_URI`, MLflow's `MLFLOW_TRACKING_URI`, a configuration): a SQLite file as
 * `sqlite:////absolute/path.db`, anything else as given, credentials included. Never print it:
 * {@link displayTrackingUri} is for people.
 *
 * @example canonicalTrackingUri(parseTrackingUri('sqlite:///agentrack.db', '/work')) // 'sqlite:////work/agentrack.db'
 */
export function canonicalTrackingUri(target: TrackingTarget): string {
  switch (target.kind) {
    case 'sqlite':
      return target.path === ':memory:' ? 'sqlite:///:memory:' : `sqlite:///${escapePath(target.path)}`;
    case 'postgres':
      return target.connectionString;
    case 'rest':
    case 'databricks':
      return target.uri.trim();
  }
}

/**
 * `target` as a URI to show in messages and output: {@link canonicalTrackingUri} with any
 * password masked (`postgresql://me:***@db/agentrack`, `http://me:***@host:5000`).
 */
export function displayTrackingUri(target: TrackingTarget): string {
  return target.kind === 'postgres' ? target.path : redact(canonicalTrackingUri(target));
}

/** True when MLflow's own client can use `target` directly: an `http(s)://` server or Databricks. */
export function isRemoteTrackingTarget(target: TrackingTarget): boolean {
  return target.kind === 'rest' || target.kind === 'databricks';
}

/** A path in a `sqlite:///` URI: read back with decodeURIComponent, and a '?' starts its query. */
function escapePath(path: string): string {
  return path.replace(/%/g, '%25').replace(/\?/g, '%3F');
}

/**
 * Parses a tracking URI.
 *
 * SQLite URIs follow MLflow (SQLAlchemy): `sqlite:///relative.db` is relative to the working
 * directory, `sqlite:////absolute/path.db` is absolute, `sqlite:///:memory:` is a private
 * in-memory database. A bare path ending in `.db`, `.sqlite` or `.sqlite3` is taken as a
 * SQLite file too. `http://` and `https://` URIs name an MLflow tracking server (agentrack's
 * or MLflow's), `databricks` and `databricks://<profile>` a Databricks workspace, and
 * `postgresql://[user[:password]@][host][:port][/database][?sslmode=...]` (or `postgres://`) a
 * PostgreSQL database: what it leaves out comes from the usual `PG*` environment variables
 * (`PGHOST`, `PGUSER`, `PGPASSWORD`, ...), read by the driver. Relative paths are from `cwd`.
 * Every error is INVALID_PARAMETER_VALUE, and never shows a password.
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
  if (/^postgres(ql)?:/i.test(trimmed)) return parsePostgresUri(trimmed);
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !/^[a-z]:[\\/]/i.test(trimmed)) {
    const scheme = trimmed.slice(0, trimmed.indexOf(':'));
    throw invalidParameter(
      `Unsupported tracking URI scheme '${scheme}' in '${redact(uri)}'. Use sqlite:///path.db (embedded SQLite), ` +
        `postgresql://user@host:port/database (PostgreSQL), http(s)://host:port (a tracking server) or databricks.`,
    );
  }
  if (/\.(db|sqlite3?)$/i.test(trimmed)) {
    return { kind: 'sqlite', path: resolve(cwd, trimmed), uri: `sqlite:///${resolve(cwd, trimmed)}` };
  }
  throw invalidParameter(
    `Unsupported tracking URI '${redact(uri)}'. Use sqlite:///relative/path.db, sqlite:////absolute/path.db, ` +
      `postgresql://user@host:port/database, http(s)://host:port or databricks.`,
  );
}

/** libpq's `sslmode` values, and `no-verify` (TLS without checking the certificate), which pg adds. */
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;

/**
 * `postgresql://[user[:password]@][host][:port][/database][?param=value&...]`, checked but not
 * completed: a part left out stays out, for `pg` to take from `PG*` variables or its defaults.
 */
function parsePostgresUri(uri: string): TrackingTarget {
  const shown = redact(uri);
  const invalid = (why: string) => invalidParameter(`Invalid PostgreSQL tracking URI '${shown}': ${why}.`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid('expected postgresql://[user[:password]@][host][:port][/database][?sslmode=...]');
  }
  if (url.hash !== '') throw invalid('a fragment (#...) is not allowed');
  const database = url.pathname.replace(/^\//, '');
  if (database.includes('/')) throw invalid('the database name must be one path segment');
  for (const [part, text] of [
    ['user name', url.username],
    ['password', url.password],
    ['database name', database],
  ] as const) {
    try {
      decodeURIComponent(text);
    } catch {
      throw invalid(`its ${part} is not properly percent-encoded`);
    }
  }
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode !== null && !(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw invalid(`sslmode '${sslmode}' is not one of ${SSL_MODES.join(', ')}`);
  }
  const masked = maskedPostgresUri(url);
  return { kind: 'postgres', path: masked, uri: masked, connectionString: uri };
}

/** The URI with its password, and any `password` parameter, masked. */
function maskedPostgresUri(url: URL): string {
  const user =
    url.username !== '' || url.password !== '' ? `${url.username}${url.password !== '' ? ':***' : ''}@` : '';
  const params = [...url.searchParams]
    .map(([key, value]) => `${key}=${/password/i.test(key) ? '***' : encodeURIComponent(value)}`)
    .join('&');
  return `${url.protocol}//${user}${url.host}${url.pathname}${params === '' ? '' : `?${params}`}`;
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

/**
 * The URI with its password masked, for messages: everything between the user name and the
 * last `@` (a password may hold a `/` or an `@` a parser would stop at), and any `password=`
 * parameter.
 */
function redact(uri: string): string {
  return uri
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@?#]*):[^]*@/i, '$1:***@')
    .replace(/([?&][^=&]*password[^=&]*=)[^&#]*/gi, '$1***');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}
