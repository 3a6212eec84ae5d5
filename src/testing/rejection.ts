import { isAgentrackError, type ErrorCode } from '../errors.js';

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

/** The code and message of the agentrack error `promise` rejects with; fails the test otherwise. */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isAgentrackError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the call to fail with an agentrack error');
}
