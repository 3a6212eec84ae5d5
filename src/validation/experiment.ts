import { codePointLength, exceedsMaximumLength, fail, invalidValue, pyStr } from './_format.js';
import { MAX_ARTIFACT_LOCATION_LENGTH, MAX_EXPERIMENT_NAME_LENGTH } from './limits.js';

/**
 * Checks an experiment name, for creation and for renaming: a non-empty string of at most
 * {@link MAX_EXPERIMENT_NAME_LENGTH} characters. MLflow checks renames only for presence; the
 * same rule for both keeps every stored name creatable.
 *
 * @example validateExperimentName('/Shared/agent/development')
 */
export function validateExperimentName(name: unknown): string {
  if (name === undefined || name === null || name === '') {
    fail(`Invalid experiment name: '${pyStr(name)}'`);
  }
  if (typeof name !== 'string') fail(`Invalid experiment name: ${pyStr(name)}. Expects a string.`);
  if (codePointLength(name) > MAX_EXPERIMENT_NAME_LENGTH) {
    fail(exceedsMaximumLength('name', MAX_EXPERIMENT_NAME_LENGTH));
  }
  return name;
}

const MAX_EXPERIMENT_ID = 2n ** 63n - 1n;

/**
 * Checks an experiment id of the SQL stores (a string of ASCII digits within the signed
 * 64-bit range; a non-negative integer number is accepted too) and returns its canonical
 * form, without leading zeros, as MLflow's `int(experiment_id)` reads it.
 *
 * @example validateExperimentId('007') // '7'
 */
export function validateExperimentId(id: unknown): string {
  const text = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? String(id) : id;
  if (typeof text !== 'string' || !/^[0-9]+$/.test(text) || BigInt(text) > MAX_EXPERIMENT_ID) {
    fail(`Invalid experiment ID: '${pyStr(id)}'`);
  }
  return BigInt(text).toString();
}

/** Checks the `experiment_ids` of a run search: a list (possibly empty) of experiment ids. */
export function validateExperimentIds(ids: unknown): string[] {
  if (!Array.isArray(ids)) fail(invalidValue('experiment_ids', ids, 'Expected a list of experiment IDs.'));
  return ids.map((id: unknown) => validateExperimentId(id));
}

/**
 * Checks an experiment's artifact location and returns it, or `undefined` when none is
 * given (the store then derives one from the experiment id). Rejects `runs:/` URIs, URL
 * fragments and params, and locations longer than {@link MAX_ARTIFACT_LOCATION_LENGTH}.
 */
export function validateArtifactLocation(location: unknown): string | undefined {
  if (location === undefined || location === null || location === '') return undefined;
  if (typeof location !== 'string') fail(invalidValue('artifact_location', location, 'Expected a string.'));
  if (location.startsWith('runs:')) {
    fail(`Artifact location cannot be a runs:/ URI. Given: '${location}'`);
  }
  if (location.includes('#') || location.includes(';')) {
    fail("'artifact_location' URL can't include fragments or params.");
  }
  if (codePointLength(location) > MAX_ARTIFACT_LOCATION_LENGTH) {
    fail(
      'Invalid artifact path length. The length of the artifact path cannot be greater than ' +
        `${MAX_ARTIFACT_LOCATION_LENGTH} characters.`,
    );
  }
  return location;
}
