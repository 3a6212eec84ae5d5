import { parseTrackingUri, resolveTrackingUri } from '../store/tracking-uri.js';

const REMOTE_URI = /^(?:https?:\/\/|databricks(?::|$))/i;

/** True for a tracking URI MLflow itself can use: an `http(s)://` server or `databricks`. */
export function isRemoteTrackingUri(uri: string): boolean {
  return REMOTE_URI.test(uri.trim());
}

/**
 * The tracking URI in effect for a configured one (else the environment's, else
 * `./agentrack.db`), with a SQLite file made absolute so that it names the same database
 * from any working folder.
 *
 * @example effectiveTrackingUri('sqlite:///agentrack.db', {}, '/work') // 'sqlite:////work/agentrack.db'
 */
export function effectiveTrackingUri(
  configured: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): string {
  const uri = resolveTrackingUri(configured, env).trim();
  if (isRemoteTrackingUri(uri)) return uri;
  const target = parseTrackingUri(uri, cwd);
  if (target.path === ':memory:') return target.uri;
  // The URI is read back with decodeURIComponent, and a '?' starts its query.
  return `sqlite:///${target.path.replace(/%/g, '%25').replace(/\?/g, '%3F')}`;
}
