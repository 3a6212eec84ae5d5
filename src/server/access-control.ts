import type { FastifyRequest } from 'fastify';
import { authenticate as authenticateHeader, canWrite, type Users } from '../auth/index.js';
import { AgentrackError, isAgentrackError } from '../errors.js';
import type { TrackingStore } from '../store/tracking-store.js';
import type { AccessRequest, Authenticate, Authorize } from './access.js';

/** The hooks of a server with access control: who is calling, and may they write there. */
export interface AccessControl {
  authenticate: Authenticate;
  authorize: Authorize;
}

/**
 * Access control as in a workspace, for {@link createApp}: every request but the probes needs
 * a Bearer token or Basic credentials of a user in `users`; reads are open to every
 * authenticated user; experiments under `/Users/<user>/` (and their runs and logged models) are
 * written only by that user, everything else (`/Shared/...` included) by every authenticated
 * user. A metric logged with a `model_id` writes to that model's experiment too. A trace (its
 * tags, assessments, links to runs) is written as its experiment is. Proxied
 * artifacts belong to the experiment their path starts with (`<experiment_id>/...`) and are
 * written as that experiment is; a write to an artifact path that names no existing
 * experiment (the root, `models/...`, an unknown id) is refused with PERMISSION_DENIED.
 * Registered models (their versions, tags and aliases) have no owner: every authenticated user
 * reads and writes them, also versions made from runs of another user's experiments (reading a
 * run is open to all).
 */
export function workspaceAccessControl(store: TrackingStore, users: Users): AccessControl {
  return {
    authenticate: (request: FastifyRequest) => authenticateHeader(request.headers.authorization, users),
    authorize: async (access: AccessRequest) => {
      if (!access.write) return;
      const user = access.principal?.user;
      if (user === undefined) throw new AgentrackError('UNAUTHENTICATED', 'Authentication required.');
      for (const name of await experimentNames(store, access, user)) {
        if (!canWrite(user, name)) {
          const owner = /^\/Users\/([^/]+)/.exec(name)?.[1] ?? '';
          throw new AgentrackError(
            'PERMISSION_DENIED',
            `User '${user}' cannot write to the experiment '${name}': experiments under /Users/${owner}/ are written only by ${owner}.`,
          );
        }
      }
    },
  };
}

/**
 * The names of the experiments a write request touches; a missing one is left to the endpoint
 * to report, but for artifacts, whose endpoints know no experiments: their write is refused.
 */
async function experimentNames(store: TrackingStore, access: AccessRequest, user: string): Promise<string[]> {
  const names: string[] = [];
  if (access.experimentName !== undefined) names.push(access.experimentName);
  if (access.newExperimentName !== undefined) names.push(access.newExperimentName);
  const before = names.length;
  try {
    const experimentIds = new Set<string>();
    if (access.experimentId !== undefined) experimentIds.add(access.experimentId);
    if (access.runId !== undefined) {
      experimentIds.clear();
      experimentIds.add((await store.getRun(access.runId)).info.experiment_id);
    }
    for (const modelId of [
      ...(access.modelId === undefined ? [] : [access.modelId]),
      ...(access.modelIds ?? []),
    ]) {
      experimentIds.add((await store.getLoggedModel(modelId)).info.experiment_id);
    }
    for (const traceId of [
      ...(access.traceId === undefined ? [] : [access.traceId]),
      ...(access.traceIds ?? []),
    ]) {
      const experimentId = await traceExperiment(store, traceId);
      if (experimentId !== undefined) experimentIds.add(experimentId);
    }
    for (const experimentId of experimentIds) names.push((await store.getExperiment(experimentId)).name);
  } catch (error) {
    // The endpoint itself answers for a missing or malformed run or experiment.
    if (
      !isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST') &&
      !isAgentrackError(error, 'INVALID_PARAMETER_VALUE')
    ) {
      throw error;
    }
  }
  if (access.artifactPath !== undefined && names.length === before) {
    const first = access.artifactPath.split('/')[0] ?? '';
    const where = first === '' ? 'not at the root' : `and no experiment has the id '${first}'`;
    throw new AgentrackError(
      'PERMISSION_DENIED',
      `User '${user}' cannot write the artifacts at '${access.artifactPath}': artifacts are written below ` +
        `the id of an existing experiment (<experiment_id>/...), ${where}.`,
    );
  }
  return names;
}

/**
 * The experiment of a trace; `undefined` for a trace not (yet) stored: a trace being written
 * for the first time is written as the experiment its request names is.
 */
async function traceExperiment(store: TrackingStore, traceId: string): Promise<string | undefined> {
  try {
    return (await store.traces.getTraceInfo(traceId)).trace_location.mlflow_experiment?.experiment_id;
  } catch (error) {
    if (
      isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST') ||
      isAgentrackError(error, 'INVALID_PARAMETER_VALUE')
    ) {
      return undefined;
    }
    throw error;
  }
}
