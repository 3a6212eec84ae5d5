import type { ExperimentTag, RunTag } from '../entities/index.js';
import { jsonPath } from './_format.js';
import { limitedString } from './_value.js';
import { validateExperimentTagKey, validateTagKey } from './entity-key.js';
import { MAX_EXPERIMENT_TAG_VALUE_LENGTH, MAX_TAG_VALUE_LENGTH } from './limits.js';
import type { KeyValueInput, LongValueOptions } from './param.js';

/**
 * Checks a run tag and returns it, refusing a value over {@link MAX_TAG_VALUE_LENGTH}
 * characters (or truncating it when `truncateLongValues` is `true`). An absent value is the empty string.
 *
 * @example validateTag({ key: 'run_type', value: 'development' })
 */
export function validateTag(tag: KeyValueInput, options: LongValueOptions = {}): RunTag {
  const prefix = options.path ?? '';
  const key = validateTagKey(tag.key, prefix);
  const valuePath = jsonPath(prefix, 'value');
  const value = limitedString({
    value: tag.value,
    path: valuePath,
    label: valuePath,
    limit: MAX_TAG_VALUE_LENGTH,
    truncate: options.truncateLongValues ?? false,
  });
  return { key, value };
}

/**
 * Checks an experiment tag and returns it. Its value is limited to
 * {@link MAX_EXPERIMENT_TAG_VALUE_LENGTH} characters and, as in MLflow, never truncated.
 */
export function validateExperimentTag(tag: KeyValueInput): ExperimentTag {
  const key = validateExperimentTagKey(tag.key);
  const value = limitedString({
    value: tag.value,
    path: 'value',
    label: 'value',
    limit: MAX_EXPERIMENT_TAG_VALUE_LENGTH,
    truncate: false,
  });
  return { key, value };
}
