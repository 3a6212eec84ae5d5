import { isAgentrackError } from '../errors.js';

/** The message of the INVALID_PARAMETER_VALUE error `fn` throws; fails the test otherwise. */
export function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) return error.message;
    throw error;
  }
  throw new Error('expected an INVALID_PARAMETER_VALUE error');
}
