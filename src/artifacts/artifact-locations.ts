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
