import type { LoggedModelOutput, LoggedModelStatus } from '../entities/index.js';
import { exceedsMaximumLength, fail, invalidValue, missingValue, pyRepr } from './_format.js';
import { limitedString } from './_value.js';
import { MAX_LOGGED_MODEL_NAME_LENGTH } from './limits.js';
import { isInt64 } from './metric.js';

// The characters MLflow refuses in a logged model's name: they would break its `models:/` URI and paths.
const BAD_NAME_CHARACTERS = ['/', ':', '.', '%', '"', "'"] as const;

/** The statuses a logged model can be finalized with. */
const FINAL_STATUSES: readonly LoggedModelStatus[] = ['LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'];

/**
 * Checks the id of a logged model a request names: a non-empty string. Whether a model has it
 * is the store's check (RESOURCE_DOES_NOT_EXIST).
 */
export function validateLoggedModelId(modelId: unknown, path = 'model_id'): string {
  if (modelId === undefined || modelId === null || modelId === '') fail(missingValue(path));
  if (typeof modelId !== 'string') fail(invalidValue(path, modelId, 'Expected a string.'));
  return modelId;
}

/**
 * Checks the name a logged model is created with, as MLflow does: absent or empty means a
 * generated name (`undefined` here); otherwise a string of at most 500 characters without
 * `/ : . % " '`, which would break the model's URI and paths.
 *
 * @example validateLoggedModelName('health_monitor_agent') // 'health_monitor_agent'
 */
export function validateLoggedModelName(name: unknown): string | undefined {
  if (name === undefined || name === null || name === '') return undefined;
  if (typeof name !== 'string') fail(invalidValue('name', name, 'Expected a string.'));
  if (BAD_NAME_CHARACTERS.some((c) => name.includes(c))) {
    fail(
      `Invalid model name (${pyRepr(name)}) provided. Model name must be a non-empty string and cannot ` +
        `contain the following characters: ${pyRepr([...BAD_NAME_CHARACTERS])}`,
    );
  }
  if (name.length > MAX_LOGGED_MODEL_NAME_LENGTH)
    fail(exceedsMaximumLength('name', MAX_LOGGED_MODEL_NAME_LENGTH));
  return name;
}

/** Checks a logged model's type: a string of at most 500 characters; absent is the empty string. */
export function validateLoggedModelType(modelType: unknown): string {
  return limitedString({
    value: modelType,
    path: 'model_type',
    label: 'model_type',
    limit: MAX_LOGGED_MODEL_NAME_LENGTH,
    truncate: false,
  });
}

/**
 * Checks the status a logged model is finalized with: `LOGGED_MODEL_READY` or
 * `LOGGED_MODEL_UPLOAD_FAILED` (MLflow's `READY` and `FAILED`).
 */
export function validateFinalStatus(status: unknown): LoggedModelStatus {
  if (status === undefined || status === null || status === '') fail(missingValue('status'));
  if (!(FINAL_STATUSES as readonly unknown[]).includes(status)) {
    fail(
      invalidValue(
        'status',
        status,
        `Invalid model status: a model is finalized with one of ${pyRepr([...FINAL_STATUSES])}`,
      ),
    );
  }
  return status as LoggedModelStatus;
}

/**
 * Checks the models of a `runs/outputs` request: each names a model and the step of the run
 * it was produced at (an integer, 0 when absent).
 */
export function validateLoggedModelOutputs(models: unknown): LoggedModelOutput[] {
  if (models === undefined || models === null) return [];
  if (!Array.isArray(models)) fail(invalidValue('models', models));
  return models.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) fail(invalidValue(`models[${i}]`, item));
    const { model_id: modelId, step = 0 } = item as { model_id?: unknown; step?: unknown };
    const id = validateLoggedModelId(modelId, `models[${i}].model_id`);
    if (!isInt64(step))
      fail(invalidValue(`models[${i}].step`, step, 'Step must be a valid long (64-bit integer).'));
    return { model_id: id, step };
  });
}
