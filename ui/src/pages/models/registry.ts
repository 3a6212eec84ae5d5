/**
 * The model registry as the Models and Model pages read it: MLflow's JSON shapes of registered
 * models and versions, and which version is in production (what the lifecycle keeps).
 */

/** A tag of a registered model or a version. */
export interface RegistryTag {
  key: string;
  value: string;
}

/** A version of a registered model, as MLflow answers it. */
export interface ModelVersionJson {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  status: string;
  status_message?: string;
  source: string;
  run_id?: string;
  description?: string;
  tags?: RegistryTag[];
  aliases?: string[];
}

/** A registered model, as MLflow answers it. */
export interface RegisteredModelJson {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  latest_versions?: ModelVersionJson[];
  tags?: RegistryTag[];
  aliases?: { alias: string; version: string }[];
}

/** Where the UI reads MLflow's REST API. */
export const MLFLOW_API = '/ajax-api/2.0/mlflow';

/** The alias the lifecycle moves by default (`productionAlias`). */
export const DEFAULT_PRODUCTION_ALIAS = 'production';

/** The registry tags agentrack writes (src/lifecycle/conventions.ts `REGISTRY_TAGS`). */
export const REGISTRY_TAGS = {
  evaluationRunId: 'agentrack.evaluation_run_id',
  deploymentRunId: 'agentrack.deployment_run_id',
  productionHistory: 'agentrack.production_history',
} as const;

/** A tag's value, if the entity has it. */
export function tagValue(tags: readonly RegistryTag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.key === key)?.value;
}

/** The version in production and the alias naming it, when the model has one. */
export interface Production {
  version: string;
  /** The alias that points at it, when one does. */
  alias?: string;
}

/**
 * The version in production: the one the lifecycle's production history ends on (it records
 * each move of the production alias, whatever the alias is called), else the version the
 * `production` alias names; `undefined` when neither says.
 */
export function productionOf(model: RegisteredModelJson): Production | undefined {
  const aliases = model.aliases ?? [];
  const history = parseHistory(tagValue(model.tags, REGISTRY_TAGS.productionHistory));
  if (history.length > 0) {
    const last = history[history.length - 1];
    if (last === undefined || last.version === null) return undefined;
    const version = last.version;
    const named =
      aliases.find((a) => a.alias === DEFAULT_PRODUCTION_ALIAS && a.version === version) ??
      aliases.find((a) => a.version === version);
    return named ? { version, alias: named.alias } : { version };
  }
  const alias = aliases.find((a) => a.alias === DEFAULT_PRODUCTION_ALIAS);
  return alias ? { version: alias.version, alias: alias.alias } : undefined;
}

function parseHistory(raw: string | undefined): { version: string | null }[] {
  if (raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed)
      ? parsed.filter(
          (e): e is { version: string | null } => typeof e === 'object' && e !== null && 'version' in e,
        )
      : [];
  } catch {
    return [];
  }
}

/** A filter's string literal, in whichever quotes the value does not contain. */
export function quoted(value: string): string {
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}
