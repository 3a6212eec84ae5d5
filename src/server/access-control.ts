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
 * authenticated user; experiments under `/Users/<user>/` (and their runs) are written only by
 * that user, everything else (`/Shared/...` included) by every authenticated user.
 */
export function workspaceAccessControl(store: TrackingStore, users: Users): AccessControl {
  return {
    authenticate: (request: FastifyRequest) => authenticateHeader(request.headers.authorization, users),
    authorize: async (access: AccessRequest) => {
      if (!access.write) return;
      const user = access.principal?.user;
      if (user === undefined) throw new AgentrackError('UNAUTHENTICATED', 'Authentication required.');
      for (const name of await experimentNames(store, access)) {
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

/** The names of the experiments a write request touches; a missing one is left to the endpoint to report. */
async function experimentNames(store: TrackingStore, access: AccessRequest): Promise<string[]> {
  const names: string[] = [];
  if (access.experimentName !== undefined) names.push(access.experimentName);
  if (access.newExperimentName !== undefined) names.push(access.newExperimentName);
  try {
    let experimentId = access.experimentId;
    if (access.runId !== undefined) experimentId = (await store.getRun(access.runId)).info.experiment_id;
    if (experimentId !== undefined) names.push((await store.getExperiment(experimentId)).name);
  } catch (error) {
    // The endpoint itself answers for a missing or malformed run or experiment.
    if (
      !isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST') &&
      !isAgentrackError(error, 'INVALID_PARAMETER_VALUE')
    ) {
      throw error;
    }
  }
  return names;
}
