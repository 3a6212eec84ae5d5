import { RUN_NAME_TAG, RUN_STATUSES, type RunStatus } from '../entities/index.js';
import { fail, invalidValue, missingValue, pyRepr } from './_format.js';
import { limitedString } from './_value.js';
import { MAX_RUN_NAME_LENGTH } from './limits.js';

// MLflow's rule: an ASCII letter or digit, then up to 255 word characters or dashes.
const RUN_ID = /^[a-zA-Z0-9][\p{L}\p{N}_-]{0,255}$/u;

/**
 * Checks a run id against MLflow's rule (what MLflow generates is 32 lowercase hex digits).
 *
 * @example validateRunId('c30f96a69a074dea8448dae18c519f2a')
 */
export function validateRunId(id: unknown, path = 'run_id'): string {
  if (id === undefined || id === null || id === '') fail(missingValue(path));
  if (typeof id !== 'string' || !RUN_ID.test(id)) fail(invalidValue(path, id));
  return id;
}

/**
 * Checks the id of a run that is only read: present and a string. MLflow's SQL store looks
 * such an id up without holding it to the run id rule, so an id that breaks the rule (a
 * 20,000-character one, say) names no run and is answered "not found" rather than refused.
 *
 * @example validateRunIdToRead('a'.repeat(20_000)) // the id, which no run has
 */
export function validateRunIdToRead(id: unknown, path = 'run_id'): string {
  if (id === undefined || id === null || id === '') fail(missingValue(path));
  if (typeof id !== 'string') fail(invalidValue(path, id));
  return id;
}

/**
 * Checks a run status: one of {@link RUN_STATUSES}, or its protobuf number (1 to 5).
 *
 * @example validateRunStatus('FINISHED') // 'FINISHED'
 */
export function validateRunStatus(status: unknown, path = 'status'): RunStatus {
  if (
    typeof status === 'number' &&
    Number.isInteger(status) &&
    status >= 1 &&
    status <= RUN_STATUSES.length
  ) {
    return RUN_STATUSES[status - 1] as RunStatus;
  }
  const found = RUN_STATUSES.find((s) => s === status);
  if (found === undefined) {
    fail(invalidValue(path, status, `Valid run status strings: ${pyRepr([...RUN_STATUSES])}`));
  }
  return found;
}

/**
 * Checks a run name: a string (absent is fine) of at most {@link MAX_RUN_NAME_LENGTH}
 * characters. The name is mirrored into the `mlflow.runName` tag, so it obeys that tag's
 * value limit, with the message a too-long tag value gets.
 *
 * @example validateRunName('dev_20261126_101500') // 'dev_20261126_101500'
 */
export function validateRunName(name: unknown, path = 'run_name'): string | undefined {
  if (name === undefined || name === null) return undefined;
  return limitedString({ value: name, path, label: path, limit: MAX_RUN_NAME_LENGTH, truncate: false });
}

/**
 * MLflow's rule for a new run's name: `run_name` and a `mlflow.runName` tag may both be
 * given only when equal. Returns the name to use, or `undefined` when neither gives one
 * (the store then generates a name). An empty name counts as none.
 */
export function validateRunNameAgainstTags(
  runName: unknown,
  tags: readonly { key: string; value: string }[] = [],
): string | undefined {
  const name = validateRunName(runName);
  const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
  if (name && tagName && name !== tagName) {
    fail(
      "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values " +
        `(run_name='${name}', mlflow.runName='${tagName}').`,
    );
  }
  return name || tagName || undefined;
}
