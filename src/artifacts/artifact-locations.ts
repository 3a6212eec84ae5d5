import { basename, dirname, extname, join } from 'node:path';
import { invalidParameter } from '../errors.js';

/**
 * The scheme of artifacts kept by a tracking server for its clients (MLflow's artifact
 * proxy): `mlflow-artifacts:/<experiment_id>/<run_id>/artifacts`. The server stores them
 * below its artifacts destination; clients reach them through its `mlflow-artifacts` API.
 */
export const PROXIED_ARTIFACT_SCHEME = 'mlflow-artifacts';

/** The artifact root of a store whose artifacts a server keeps: experiments get `mlflow-artifacts:/<id>`. */
export const PROXIED_ARTIFACT_ROOT = `${PROXIED_ARTIFACT_SCHEME}:`;

/**
 * The artifact root of a tracking server that serves no artifacts and was given no root
 * (MLflow's `./mlruns`, made absolute from the server's working folder).
 */
export const LOCAL_ARTIFACT_ROOT = './mlruns';

/** Options of {@link serverArtifactRoot}. */
export interface ServerArtifactRootOptions {
  /** Whether the server serves artifacts (`--serve-artifacts`, MLflow's default). */
  serveArtifacts: boolean;
  /** `--default-artifact-root`; empty counts as not given. */
  defaultArtifactRoot?: string | undefined;
}

/**
 * The artifact root a tracking server gives new experiments, as `mlflow server` picks it
 * for a database backend: `--default-artifact-root` when given, else `mlflow-artifacts:/` when
 * it serves artifacts (its clients upload through it), else `./mlruns`. The store makes a
 * local one absolute ({@link resolveArtifactUri}).
 *
 * @example serverArtifactRoot({ serveArtifacts: false }) // './mlruns'
 */
export function serverArtifactRoot(options: ServerArtifactRootOptions): string {
  if (options.defaultArtifactRoot) return options.defaultArtifactRoot;
  return options.serveArtifacts ? `${PROXIED_ARTIFACT_ROOT}/` : LOCAL_ARTIFACT_ROOT;
}

/**
 * The artifact root in effect for a store given `root` (its `defaultArtifactRoot` option):
 * `mlflow-artifacts:/` when none is given (or it is empty), else `root`, made absolute from
 * `cwd` where it is a relative local one ({@link resolveArtifactUri}).
 *
 * @example resolveArtifactRoot(undefined) // 'mlflow-artifacts:/'
 * @example resolveArtifactRoot('./mlruns', '/srv') // '/srv/mlruns'
 */
export function resolveArtifactRoot(root: string | undefined, cwd: string = process.cwd()): string {
  return resolveArtifactUri(root || `${PROXIED_ARTIFACT_ROOT}/`, cwd);
}

/**
 * An artifact location made absolute where it is a relative local one, as MLflow's
 * `resolve_uri_if_local` does for artifact roots and the locations given to new experiments:
 * a relative path (`./mlruns`, percent escapes decoded) becomes an absolute path from `cwd`,
 * a relative `file:` URI (`file:mlruns`) a `file:///` URI; anything else (absolute paths and
 * `file:` URIs, `s3:`, `mlflow-artifacts:`, ...) is returned unchanged. The joined path keeps
 * `..` segments (MLflow does not resolve them) and drops `.` and empty ones. A `file:` URI
 * naming another host is INVALID_PARAMETER_VALUE.
 *
 * @example resolveArtifactUri('./mlruns', '/srv') // '/srv/mlruns'
 * @example resolveArtifactUri('file:art', '/srv') // 'file:///srv/art'
 */
export function resolveArtifactUri(uri: string, cwd: string = process.cwd()): string {
  const scheme = schemeOf(uri);
  if (scheme !== '' && scheme !== 'file') return uri;
  let path = uri;
  let after = '';
  if (scheme === 'file') {
    const parts = splitUri(uri);
    const host = hostOf(parts.authority);
    if (host !== '' && host !== '.' && !host.startsWith('localhost') && !host.startsWith('127.0.0.1')) {
      throw invalidParameter(
        `'${uri}' names a file on another host (${host}): give a local path, file:///path, or a remote store's URI such as s3://bucket/path.`,
      );
    }
    path = parts.path;
    after = `${parts.query ? `?${parts.query}` : ''}${parts.fragment ? `#${parts.fragment}` : ''}`;
  }
  const local = unquote(path);
  if (local.startsWith('/')) return uri;
  const absolute = `/${`${cwd}/${local}`
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/')}`;
  return scheme === '' ? absolute : `file://${absolute}${after}`;
}

/**
 * `uri` with POSIX path segments appended to its path, as MLflow's `append_to_uri_path`
 * builds an experiment's location from the root (`<root>/<experiment_id>`) and a run's
 * artifact URI from it (`<location>/<run_id>/artifacts`): one slash between parts, a query
 * string kept after the path.
 *
 * @example appendToArtifactUri('mlflow-artifacts:/', '1') // 'mlflow-artifacts:/1'
 * @example appendToArtifactUri('s3://bucket/root?region=x', '1', 'run', 'artifacts') // 's3://bucket/root/1/run/artifacts?region=x'
 */
export function appendToArtifactUri(uri: string, ...segments: readonly string[]): string {
  const suffix = segments.reduce(joinPosix, '');
  const scheme = schemeOf(uri);
  if (scheme === '') return joinPosix(uri, suffix);
  const { authority, path, query, fragment } = splitUri(uri);
  const joined = joinPosix(path, suffix);
  let rebuilt: string;
  if (authority !== undefined || (path.startsWith('/') && NETLOC_SCHEMES.has(scheme))) {
    rebuilt = `${scheme}://${authority ?? ''}${joined.startsWith('/') || joined === '' ? joined : `/${joined}`}`;
  } else {
    rebuilt = `${scheme}:${joined}`;
  }
  return `${rebuilt}${query ? `?${query}` : ''}${fragment ? `#${fragment}` : ''}`;
}

/** Schemes Python's `urlunparse` writes with `//` even without a host (`file:/x` becomes `file:///x`). */
const NETLOC_SCHEMES = new Set([
  'file',
  'ftp',
  'http',
  'https',
  'gopher',
  'nntp',
  'telnet',
  'imap',
  'wais',
  'mms',
  'shttp',
  'snews',
  'prospero',
  'rtsp',
  'rtspu',
  'rsync',
  'svn',
  'svn+ssh',
  'sftp',
  'nfs',
  'git',
  'git+ssh',
  'ws',
  'wss',
]);

/** The scheme of a URI as Python's `urlparse` reads it (lower-cased), `''` for a plain path. */
function schemeOf(uri: string): string {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(uri);
  return match ? (match[1] as string).toLowerCase() : '';
}

/** The parts of a URI after its scheme; `authority` is undefined when there is no `//`. */
function splitUri(uri: string): {
  authority: string | undefined;
  path: string;
  query: string;
  fragment: string;
} {
  let rest = uri.slice(schemeOf(uri).length + 1);
  let fragment = '';
  let query = '';
  const hash = rest.indexOf('#');
  if (hash !== -1) [rest, fragment] = [rest.slice(0, hash), rest.slice(hash + 1)];
  const question = rest.indexOf('?');
  if (question !== -1) [rest, query] = [rest.slice(0, question), rest.slice(question + 1)];
  if (!rest.startsWith('//')) return { authority: undefined, path: rest, query, fragment };
  const slash = rest.indexOf('/', 2);
  return slash === -1
    ? { authority: rest.slice(2), path: '', query, fragment }
    : { authority: rest.slice(2, slash), path: rest.slice(slash), query, fragment };
}

/** The host of an authority (`user@host:port`), lower-cased; `''` for none. */
function hostOf(authority: string | undefined): string {
  if (authority === undefined) return '';
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return (
    host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:[^:]*$/, '')
  ).toLowerCase();
}

/** Two POSIX paths joined with one slash; the second is never taken as absolute (MLflow's join). */
function joinPosix(prefix: string, suffix: string): string {
  if (prefix === '') return suffix;
  const relative = suffix.replace(/^\/+/, '');
  return prefix.endsWith('/') ? `${prefix}${relative}` : `${prefix}/${relative}`;
}

/** Percent escapes decoded as UTF-8 (malformed ones kept), as Python's `unquote`. */
function unquote(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) =>
    Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'),
  );
}

/**
 * Where proxied artifacts go by default for the embedded database at `databasePath`: a folder
 * beside it named after it, `<folder>/<name>-artifacts` (`./agentrack.db` keeps its artifacts
 * in `./agentrack-artifacts`), so that two databases in one folder never share files.
 * `undefined` for an in-memory database, which has no folder: its caller picks a temporary one.
 *
 * @example defaultArtifactsDestination('/data/agentrack.db') // '/data/agentrack-artifacts'
 */
export function defaultArtifactsDestination(databasePath: string): string | undefined {
  if (databasePath === ':memory:' || databasePath === '') return undefined;
  const name = basename(databasePath);
  const stem = extname(name) === '' ? name : name.slice(0, -extname(name).length);
  return join(dirname(databasePath), `${stem || name}-artifacts`);
}

/** True when `uri` is a proxied artifact URI (`mlflow-artifacts:...`). */
export function isProxiedArtifactUri(uri: string): boolean {
  return uri.trim().toLowerCase().startsWith(`${PROXIED_ARTIFACT_SCHEME}:`);
}

/**
 * The path below the artifacts destination that a proxied artifact URI names, without
 * leading or trailing slashes: `mlflow-artifacts:/1/<run>/artifacts` and
 * `mlflow-artifacts://host:5000/1/<run>/artifacts` both give `1/<run>/artifacts`;
 * `mlflow-artifacts:/` gives `''`. INVALID_PARAMETER_VALUE for a URI of another scheme.
 */
export function proxiedArtifactPath(uri: string): string {
  const trimmed = uri.trim();
  if (!isProxiedArtifactUri(trimmed)) {
    throw invalidParameter(`'${uri}' is not a ${PROXIED_ARTIFACT_SCHEME}: URI.`);
  }
  let rest = trimmed.slice(PROXIED_ARTIFACT_SCHEME.length + 1);
  // An authority (`//host:port`) names the server that keeps them, not a path.
  if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, '');
  return rest.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** Where a tracking server's artifact service is anchored in the path of an HTTP artifact URI, as MLflow's server finds it. */
const ARTIFACT_SERVICE_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts';

/**
 * The path below the artifacts destination that an http(s) URI of a tracking server's
 * artifact service names, `http(s)://host[:port][/prefix]/api/2.0/mlflow-artifacts/artifacts/<path>`
 * (segments percent-decoded, as the service decodes the paths it is sent), as MLflow's server
 * reads a run's artifact root of that form when it serves artifacts; `undefined` for any other
 * URI.
 *
 * @example proxiedHttpArtifactPath('http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/0/abc/artifacts') // '0/abc/artifacts'
 */
export function proxiedHttpArtifactPath(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const at = url.pathname.indexOf(ARTIFACT_SERVICE_ANCHOR);
  const rest = at < 0 ? undefined : url.pathname.slice(at + ARTIFACT_SERVICE_ANCHOR.length);
  if (rest === undefined || !/^(\/|$)/.test(rest)) return undefined;
  try {
    return rest
      .split('/')
      .filter((segment) => segment !== '')
      .map(decodeURIComponent)
      .join('/');
  } catch {
    return undefined;
  }
}
