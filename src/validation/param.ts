import type { Param } from '../entities/index.js';
import { jsonPath } from './_format.js';
import { limitedString } from './_value.js';
import { validateParamKey } from './entity-key.js';
import { MAX_PARAM_VALUE_LENGTH } from './limits.js';
import type { EntityPathOptions } from './metric.js';

/** A param or tag as received, before validation. */
export interface KeyValueInput {
  key?: unknown;
  value?: unknown;
}

/** Options of the param and run tag validators. */
export interface LongValueOptions extends EntityPathOptions {
  /**
   * Truncate values over the limit instead of rejecting them. MLflow's server truncates by
   * default (`MLFLOW_TRUNCATE_LONG_VALUES=true`); agentrack refuses them unless this is `true`,
   * so a too-long value is a clear INVALID_PARAMETER_VALUE instead of silent data loss.
   */
  truncateLongValues?: boolean;
}

/**
 * Checks a param and returns it, refusing a value over {@link MAX_PARAM_VALUE_LENGTH}
 * characters (or truncating it when `truncateLongValues` is `true`). An absent value is the empty string.
 *
 * @example validateParam({ key: 'lr', value: '0.01' }) // { key: 'lr', value: '0.01' }
 */
export function validateParam(param: KeyValueInput, options: LongValueOptions = {}): Param {
  const prefix = options.path ?? '';
  const key = validateParamKey(param.key, prefix);
  const value = limitedString({
    value: param.value,
    path: jsonPath(prefix, 'value'),
    label: 'Param value',
    limit: MAX_PARAM_VALUE_LENGTH,
    truncate: options.truncateLongValues ?? false,
  });
  return { key, value };
}
