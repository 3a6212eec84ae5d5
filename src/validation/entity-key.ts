import {
  codePointLength,
  exceedsMaximumLength,
  fail,
  invalidValue,
  jsonPath,
  missingValue,
  pyRepr,
} from './_format.js';
import { isPathUnique, normalizePosixPath } from './_posix-path.js';
import { MAX_ENTITY_KEY_LENGTH, MAX_EXPERIMENT_TAG_KEY_LENGTH } from './limits.js';

/** MLflow's explanation of the characters a key may hold. */
export const BAD_KEY_CHARACTERS_MESSAGE =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';

// Python's `\w` is Unicode-aware, hence letters and numbers of any script.
const KEY_CHARACTERS = /^[/\p{L}\p{N}_.\- :]*$/u;

/** MLflow's explanation for a key that is not its own normalized path. */
export function badPathMessage(name: string): string {
  return (
    'Names may be treated as files in certain cases, and must not resolve to other names when treated as ' +
    `such. This name would resolve to ${pyRepr(normalizePosixPath(name))}`
  );
}

/**
 * The checks every metric, param and tag key passes: present, a string, only
 * {@link BAD_KEY_CHARACTERS_MESSAGE}'s characters, and a path that normalizes to itself.
 * `path` names the key in messages; an absent key is reported under `missingPath`.
 */
function checkKey(key: unknown, path: string, missingPath: string): string {
  if (key === undefined || key === null || key === '') fail(missingValue(missingPath));
  if (typeof key !== 'string') fail(invalidValue(path, key, 'A key name must be a string.'));
  if (!KEY_CHARACTERS.test(key)) fail(invalidValue(path, key, BAD_KEY_CHARACTERS_MESSAGE));
  if (!isPathUnique(key)) fail(invalidValue(path, key, badPathMessage(key)));
  return key;
}

function checkLength(key: string, label: string, limit: number): void {
  if (codePointLength(key) > limit) fail(exceedsMaximumLength(label, limit));
}

/**
 * Keys already found valid. A batch repeats a handful of keys thousands of times and the
 * path check dominates validation, so each distinct key is checked once. Every key kind
 * has the same limit, so a key valid for one kind is valid for all; bounded by clearing.
 */
const validKeys = new Set<string>();
const VALID_KEYS_CAPACITY = 10_000;

function remember(key: string): string {
  if (validKeys.size >= VALID_KEYS_CAPACITY) validKeys.clear();
  validKeys.add(key);
  return key;
}

function known(key: unknown): key is string {
  return typeof key === 'string' && validKeys.has(key);
}

/**
 * Checks a metric key. As MLflow does, the key is called `name` in messages about its
 * characters (`metrics[3].name` inside a batch), `key` when it is missing.
 *
 * @example validateMetricKey('eval/accuracy') // 'eval/accuracy'
 */
export function validateMetricKey(key: unknown, prefix = ''): string {
  if (known(key)) return key;
  const name = checkKey(key, jsonPath(prefix, 'name'), jsonPath(prefix, 'key'));
  checkLength(name, 'Metric name', MAX_ENTITY_KEY_LENGTH);
  return remember(name);
}

/** Checks a param key (`key`, or `params[3].key` inside a batch). */
export function validateParamKey(key: unknown, prefix = ''): string {
  if (known(key)) return key;
  const name = checkKey(key, jsonPath(prefix, 'key'), jsonPath(prefix, 'key'));
  checkLength(name, 'Param key', MAX_ENTITY_KEY_LENGTH);
  return remember(name);
}

/** Checks a run tag key (`key`, or `tags[3].key` inside a batch). */
export function validateTagKey(key: unknown, prefix = ''): string {
  if (known(key)) return key;
  const path = jsonPath(prefix, 'key');
  const name = checkKey(key, path, path);
  checkLength(name, path, MAX_ENTITY_KEY_LENGTH);
  return remember(name);
}

/** Checks an experiment tag key. */
export function validateExperimentTagKey(key: unknown): string {
  if (known(key)) return key;
  const name = checkKey(key, 'key', 'key');
  checkLength(name, 'key', MAX_EXPERIMENT_TAG_KEY_LENGTH);
  return remember(name);
}
