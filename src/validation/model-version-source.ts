import { resolve as resolvePath, sep } from 'node:path';
import { fail, invalidValue, missingValue } from './_format.js';

/**
 * What a model version's `source` names, as the registry resolves it:
 * - `logged-model`: `models:/<model_id>`, a logged model (MLflow 3);
 * - `model-version`: `models:/<name>/<version>`, another registered version;
 * - `run`: `runs:/<run_id>/<path>`, a path in a run's artifacts;
 * - `local`: a path or `file:` URI on the server's disk;
 * - `uri`: any other artifact URI (`mlflow-artifacts:`, `s3:`, `http(s):`, ...), taken as given.
 */
export type ModelVersionSource =
  | { kind: 'logged-model'; modelId: string }
  | { kind: 'model-version'; name: string; version: number }
  | { kind: 'run'; runId: string; artifactPath: string }
  | { kind: 'local'; path: string }
  | { kind: 'uri' };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** A URI's scheme in lower case, `''` for a bare path (Python's `urlparse` rule). */
function schemeOf(uri: string): string {
  return SCHEME.exec(uri)?.[1]?.toLowerCase() ?? '';
}

/** The path part of a URI as Python's `urlparse` splits it: no authority, query or fragment. */
function pathOf(uri: string): { authority: string | undefined; path: string } {
  let rest = uri.slice(schemeOf(uri).length === 0 ? 0 : schemeOf(uri).length + 1);
  const end = rest.search(/[?#]/);
  if (end !== -1) rest = rest.slice(0, end);
  if (!rest.startsWith('//')) return { authority: undefined, path: rest };
  const slash = rest.indexOf('/', 2);
  return slash === -1
    ? { authority: rest.slice(2), path: '' }
    : { authority: rest.slice(2, slash), path: rest.slice(slash) };
}

/** Python's `unquote`: percent escapes decoded as UTF-8, malformed ones kept. */
function unquote(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) =>
    Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'),
  );
}

/** Python's `unquote_plus`: as {@link unquote}, and `+` is a space. */
function unquotePlus(text: string): string {
  return unquote(text.replaceAll('+', ' '));
}

function refuseRelative(source: string): never {
  fail(
    `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ` +
      'ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path ' +
      'references present. Please provide an absolute path.',
  );
}

/**
 * MLflow's guard against sources that reach outside their store: once fully percent-decoded,
 * no `..` segment, no NUL, and a path that is absolute and already normal (no `.` segments).
 * Unlike MLflow, which also resolves symbolic links on the server, the path is only
 * compared with its normal form.
 */
function checkNoRelativeReferences(source: string): void {
  let decoded = source;
  for (let next = unquotePlus(decoded); next !== decoded; next = unquotePlus(decoded)) decoded = next;
  const path = pathOf(decoded).path.replace(/\/+$/, '').replace(/\/+/g, '/');
  if (path.includes('\0') || decoded.split('/').includes('..')) refuseRelative(source);
  if (!path.startsWith('/') || path.split('/').includes('.')) refuseRelative(source);
}

function unableToFetch(source: string, detail: string): never {
  fail(`Unable to fetch model from model URI source artifact location '${source}'. Error: ${detail}`);
}

function parseModelsUri(source: string): ModelVersionSource {
  const { authority, path } = pathOf(source);
  const improper = `Not a proper models:/ URI: ${source}. Give models:/<model_id> or models:/<name>/<version>.`;
  if (authority !== undefined || !path.startsWith('/') || path.length <= 1) unableToFetch(source, improper);
  const parts = path.slice(1).split('/');
  if (parts.length > 2 || (parts[0] as string).trim() === '') unableToFetch(source, improper);
  if (parts.length === 2) {
    const [name, suffix] = parts as [string, string];
    if (!/^[0-9]+$/.test(suffix)) {
      unableToFetch(source, `a registered version is named by its number here (models:/${name}/<version>).`);
    }
    return { kind: 'model-version', name, version: Number(suffix) };
  }
  const id = parts[0] as string;
  if (id.includes('@')) {
    unableToFetch(source, `a registered version is named by its number here (models:/<name>/<version>).`);
  }
  return { kind: 'logged-model', modelId: id };
}

function parseRunsUri(source: string): ModelVersionSource {
  const { path } = pathOf(source);
  if (!path.startsWith('/') || path.length <= 1) {
    fail(
      `Not a proper runs:/ URI: ${source}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`,
    );
  }
  const [runId = '', ...rest] = path.slice(1).split('/');
  if (runId === '') {
    fail(
      `Not a proper runs:/ URI: ${source}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`,
    );
  }
  return { kind: 'run', runId, artifactPath: rest.join('/') };
}

/**
 * Checks a model version's `source` as MLflow's server does before it registers one, and
 * says what it names (see {@link ModelVersionSource}). Every source but a local one is held
 * to MLflow's no-relative-references rule; a local one must lie inside the artifact folder
 * of the run or logged model given with it, which the store checks
 * (see {@link refuseLocalSource}). With `checkPaths: false` (prompts, which MLflow does not
 * check) neither rule applies and a local source is taken as given.
 *
 * @example validateModelVersionSource('runs:/c427acb381d04e4481370eddac7ae28c/model')
 */
export function validateModelVersionSource(
  source: unknown,
  options: { checkPaths?: boolean } = {},
): ModelVersionSource {
  if (source === undefined || source === null || source === '') fail(missingValue('source'));
  if (typeof source !== 'string') fail(invalidValue('source', source, 'Expected a string.'));
  const checkPaths = options.checkPaths ?? true;
  const scheme = schemeOf(source);
  if (scheme === '' || scheme === 'file')
    return checkPaths ? { kind: 'local', path: localPath(source) } : { kind: 'uri' };
  if (checkPaths) checkNoRelativeReferences(source);
  if (scheme === 'models') return parseModelsUri(source);
  if (scheme === 'runs') return parseRunsUri(source);
  return { kind: 'uri' };
}

/**
 * The local path of a local artifact location (a path, or a `file:` URI on this host),
 * absolute from the working folder; undefined for any other URI.
 */
export function localArtifactPath(location: string): string | undefined {
  const scheme = schemeOf(location);
  if (scheme === '') return resolvePath(location);
  if (scheme !== 'file') return undefined;
  return localPath(location);
}

function localPath(source: string): string {
  if (schemeOf(source) === '') return resolvePath(source);
  const host = pathOf(source).authority ?? '';
  if (host !== '' && host !== '.' && !host.startsWith('localhost') && !host.startsWith('127.0.0.1')) {
    fail(
      `${source} is not a valid remote uri. For remote access on windows, please consider using a different ` +
        'scheme such as SMB (e.g. smb://<hostname>/<path>).',
    );
  }
  return resolvePath(unquote(pathOf(source).path));
}

/** True when `path` is `folder` or lies below it (both absolute). */
export function isInsideFolder(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);
}

/**
 * MLflow's refusal of a local source that is not inside the artifact folder of the run
 * (`by: 'run_id'`) or logged model (`by: 'model_id'`) given with it.
 */
export function refuseLocalSource(path: string, by: 'run_id' | 'model_id'): never {
  fail(
    `Invalid model version source: '${path}'. To use a local path as a model version source, the ${by} ` +
      'request parameter has to be specified and the local path has to be contained within the artifact ' +
      `directory of the run specified by the ${by}.`,
  );
}
