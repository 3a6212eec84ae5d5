import { MODEL_VERSION_STAGES, type KeyValue, type ModelVersionStage } from '../entities/index.js';
import {
  codePointLength,
  exceedsMaximumLength,
  fail,
  invalidValue,
  missingValue,
  pyRepr,
  pyStr,
} from './_format.js';
import { limitedString } from './_value.js';
import { validateExperimentTagKey } from './entity-key.js';
import {
  MAX_MODEL_ALIAS_LENGTH,
  MAX_REGISTRY_TAG_VALUE_LENGTH,
  SEARCH_MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
  SEARCH_MODEL_VERSIONS_MAX_RESULTS_THRESHOLD,
  SEARCH_REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODELS_MAX_RESULTS_THRESHOLD,
} from './limits.js';
import type { KeyValueInput } from './param.js';

/**
 * Checks a registered model name: MLflow only requires one (any non-empty string; names are
 * case-sensitive). `path` names the field in messages (`new_name` for a rename).
 *
 * @example validateRegisteredModelName('health_monitor_agent')
 */
export function validateRegisteredModelName(name: unknown, path = 'name'): string {
  if (name === undefined || name === null || name === '') fail(missingValue(path));
  if (typeof name !== 'string') fail(invalidValue(path, name, 'Expected a string.'));
  return name;
}

// Python's int(): surrounding blanks, a sign, digits with single underscores between them.
const INT_LIKE = /^\s*[+-]?[0-9]+(?:_[0-9]+)*\s*$/;

/**
 * Checks a model version number as MLflow's `int(version)` reads it (`"3"`, `" 3 "`, `"003"`
 * and `3` are version 3) and returns it as a number; a number beyond what a version can be
 * gives -1, which names no version.
 *
 * @example validateModelVersion('003') // 3
 */
export function validateModelVersion(version: unknown): number {
  if (version === undefined || version === null || version === '') fail(missingValue('version'));
  if (typeof version === 'number') {
    if (!Number.isInteger(version)) fail(`Parameter 'version' must be an integer, got '${pyStr(version)}'.`);
    return Number.isSafeInteger(version) ? version : -1;
  }
  if (typeof version !== 'string' || !INT_LIKE.test(version)) {
    fail(`Parameter 'version' must be an integer, got '${pyStr(version)}'.`);
  }
  const n = Number(version.replaceAll('_', '').trim());
  return Number.isSafeInteger(n) ? n : -1;
}

/**
 * Checks a registered model tag as MLflow does: a tag key (at most 250 characters) and a
 * value of at most 5000 characters, never truncated; an absent value is the empty string.
 */
export function validateRegisteredModelTag(tag: KeyValueInput): KeyValue {
  const key = validateRegistryTagKey(tag.key);
  const value = limitedString({
    value: tag.value,
    path: 'value',
    label: 'value',
    limit: MAX_REGISTRY_TAG_VALUE_LENGTH,
    truncate: false,
  });
  return { key, value };
}

/** Checks a model version tag: as a registered model's, but a value must be given. */
export function validateModelVersionTag(tag: KeyValueInput): KeyValue {
  if (tag.value === undefined || tag.value === null) {
    validateRegistryTagKey(tag.key);
    fail('Tag value cannot be None');
  }
  return validateRegisteredModelTag(tag);
}

/** Checks the key of a registered model or model version tag (MLflow's tag key rule, at most 250 characters). */
export function validateRegistryTagKey(key: unknown): string {
  return validateExperimentTagKey(key);
}

// Python's `\w` and `\d` are Unicode-aware.
const ALIAS_CHARACTERS = /^[\p{L}\p{N}_-]*$/u;
const VERSION_ALIAS = /^[vV]\p{Nd}+$/u;

/**
 * Checks an alias name with MLflow's rules: letters, digits, `_` and `-`, at most 255
 * characters, and neither `latest` (in any case) nor `v<digits>`, which name versions.
 *
 * @example validateModelAliasName('champion')
 */
export function validateModelAliasName(alias: unknown): string {
  if (alias === undefined || alias === null || alias === '')
    fail('Registered model alias name cannot be empty.');
  if (typeof alias !== 'string') fail(invalidValue('alias', alias, 'Expected a string.'));
  if (!ALIAS_CHARACTERS.test(alias)) {
    fail(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  if (codePointLength(alias) > MAX_MODEL_ALIAS_LENGTH) {
    fail(exceedsMaximumLength('Registered model alias name', MAX_MODEL_ALIAS_LENGTH));
  }
  if (alias.toLowerCase() === 'latest') fail("'latest' alias name (case insensitive) is reserved.");
  if (VERSION_ALIAS.test(alias)) fail(`Version alias name '${alias}' is reserved.`);
  return alias;
}

/** The stages `archive_existing_versions` applies to (MLflow's active stages). */
export const ACTIVE_MODEL_VERSION_STAGES: readonly ModelVersionStage[] = ['Staging', 'Production'];

/**
 * A stage name in any case as MLflow's canonical stage (`'production'` is `Production`).
 *
 * @example validateModelVersionStage('STAGING') // 'Staging'
 */
export function validateModelVersionStage(stage: unknown): ModelVersionStage {
  const found =
    typeof stage === 'string'
      ? MODEL_VERSION_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase())
      : undefined;
  if (found === undefined) {
    fail(
      `Invalid Model Version stage: ${pyStr(stage)}. Value must be one of ${MODEL_VERSION_STAGES.join(', ')}.`,
    );
  }
  return found;
}

/**
 * Checks a stage transition's stage and `archive_existing_versions`: archiving other
 * versions is only for the active stages (Staging, Production).
 */
export function validateStageTransition(stage: unknown, archiveExistingVersions: unknown): ModelVersionStage {
  const canonical = validateModelVersionStage(stage);
  if (typeof archiveExistingVersions !== 'boolean') {
    fail(invalidValue('archive_existing_versions', archiveExistingVersions, 'Expected a boolean.'));
  }
  if (archiveExistingVersions && !ACTIVE_MODEL_VERSION_STAGES.includes(canonical)) {
    fail(
      `Model version transition cannot archive existing model versions because '${pyStr(stage)}' is not ` +
        `an Active stage. Valid stages are ${pyRepr([...ACTIVE_MODEL_VERSION_STAGES])}`,
    );
  }
  return canonical;
}

function searchMaxResults(value: unknown, fallback: number, threshold: number): number {
  if (value === undefined || value === null) return fallback;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && INT_LIKE.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    fail(`Invalid value for max_results. It must be a positive integer, but got ${pyStr(value)}`);
  }
  if (n > threshold) {
    fail(
      `Invalid value for request parameter max_results. It must be at most ${threshold}, but got value ${pyStr(value)}`,
    );
  }
  return n;
}

/** `max_results` of a registered model search: 1 to 1000, 100 when absent. */
export function validateSearchRegisteredModelsMaxResults(value: unknown): number {
  return searchMaxResults(
    value,
    SEARCH_REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
    SEARCH_REGISTERED_MODELS_MAX_RESULTS_THRESHOLD,
  );
}

/** `max_results` of a model version search: 1 to 200,000, 1000 when absent. */
export function validateSearchModelVersionsMaxResults(value: unknown): number {
  return searchMaxResults(
    value,
    SEARCH_MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
    SEARCH_MODEL_VERSIONS_MAX_RESULTS_THRESHOLD,
  );
}

/** Checks an optional text field (`description`, `run_id`, `run_link`, `model_id`): a string, or absent. */
export function validateOptionalText(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(invalidValue(path, value, 'Expected a string.'));
  return value;
}
