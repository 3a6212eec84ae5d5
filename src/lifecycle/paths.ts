import { invalidParameter } from '../errors.js';
import { MAX_EXPERIMENT_NAME_LENGTH } from '../validation/index.js';

const WORKSPACE_PREFIX = '/Workspace';

// Control characters cannot be typed into a workspace path and only ever arrive by accident.
const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * Normalizes an experiment path: trims whitespace, collapses duplicate slashes, drops trailing
 * slashes and folds a leading `/Workspace` away (the workspace file browser shows paths under it,
 * the tracking API does not). Anything that is then not an absolute path other than `/`, or that
 * holds `.` or `..` segments, is refused with an INVALID_PARAMETER_VALUE error naming `field`.
 *
 * @example normalizeExperimentPath('/Workspace//Shared/bot/') // '/Shared/bot'
 */
export function normalizeExperimentPath(path: string, field = 'experiment path'): string {
  const refuse = (problem: string): never => {
    throw invalidParameter(`${field}: ${problem}`);
  };
  if (typeof path !== 'string') refuse(`must be a string, got ${describe(path)}`);
  const trimmed = path.trim();
  if (trimmed === '') refuse('must not be empty; give an absolute path like /Shared/<agent>');
  if (CONTROL_CHARACTER.test(trimmed)) refuse(`${JSON.stringify(trimmed)} contains a control character`);
  if (!trimmed.startsWith('/')) refuse(`'${trimmed}' is not an absolute path; start it with / (/Shared/...)`);

  let normalized = trimmed.replace(/\/{2,}/g, '/');
  if (normalized.length > 1) normalized = normalized.replace(/\/+$/, '');
  if (normalized === WORKSPACE_PREFIX) refuse(`'${trimmed}' is the workspace root, not an experiment path`);
  if (normalized.startsWith(`${WORKSPACE_PREFIX}/`)) normalized = normalized.slice(WORKSPACE_PREFIX.length);
  // A second prefix cannot be told apart from a folder named Workspace; refusing keeps the result stable.
  if (normalized === WORKSPACE_PREFIX || normalized.startsWith(`${WORKSPACE_PREFIX}/`)) {
    refuse(`'${trimmed}' repeats the /Workspace prefix`);
  }
  if (normalized === '/') refuse(`'${trimmed}' is the root folder, not an experiment path`);
  const dotted = normalized.split('/').find((segment) => segment === '.' || segment === '..');
  if (dotted !== undefined) refuse(`'${trimmed}' contains a '${dotted}' segment; write the path out in full`);
  // Such a name is nearly always a stray space, and it would not survive trimming once on the end.
  const padded = normalized.split('/').find((segment) => segment !== segment.trim());
  if (padded !== undefined) refuse(`'${trimmed}' has a name with spaces around it: '${padded}'`);
  if ([...normalized].length > MAX_EXPERIMENT_NAME_LENGTH) {
    refuse(`'${normalized}' is longer than ${MAX_EXPERIMENT_NAME_LENGTH} characters`);
  }
  return normalized;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'number' ? `the number ${value}` : `a value of type ${typeof value}`;
}
