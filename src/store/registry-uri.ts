import { invalidParameter, isAgentrackError } from '../errors.js';
import { parseTrackingUri, type TrackingTarget } from './tracking-uri.js';

/**
 * A registry URI, parsed into the registry it names: any tracking URI's store (its own
 * registry), or Databricks' Unity Catalog (`databricks-uc`, `databricks-uc://<profile>`; `path`
 * is the profile, `''` for the default).
 */
export type RegistryTarget = TrackingTarget | { kind: 'databricks-uc'; path: string; uri: string };

/**
 * The registry URI in effect, as MLflow's client chooses it: the argument, else
 * `MLFLOW_REGISTRY_URI`; `undefined` when neither is set, which means the tracking store's own
 * registry.
 */
export function resolveRegistryUri(uri?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const candidate of [uri, env.MLFLOW_REGISTRY_URI]) {
    if (candidate !== undefined && candidate.trim() !== '') return candidate.trim();
  }
  return undefined;
}

/**
 * Parses a registry URI: `databricks-uc` and `databricks-uc://<profile>` name Unity Catalog's
 * registry; anything else is read as a tracking URI (SQLite, http(s), databricks), whose store's
 * registry it names.
 *
 * @example parseRegistryUri('databricks-uc') // { kind: 'databricks-uc', path: '', uri: 'databricks-uc' }
 */
export function parseRegistryUri(uri: string, cwd: string = process.cwd()): RegistryTarget {
  const trimmed = uri.trim();
  if (/^databricks-uc(:|$)/i.test(trimmed)) {
    const match = /^databricks-uc(?::\/\/([^:/]*))?$/i.exec(trimmed);
    if (!match) {
      throw invalidParameter(
        `Invalid Unity Catalog registry URI '${uri}': use databricks-uc or databricks-uc://<profile>.`,
      );
    }
    return { kind: 'databricks-uc', path: match[1] ?? '', uri: trimmed };
  }
  try {
    return parseTrackingUri(trimmed, cwd);
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) {
      throw invalidParameter(`Invalid registry URI (MLFLOW_REGISTRY_URI or registryUri): ${error.message}`);
    }
    throw error;
  }
}
