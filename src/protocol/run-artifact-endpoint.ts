import type { RunArtifactService } from '../client/run-artifact-service.js';
import type { Endpoint, OperationName } from './endpoint.js';

/** The artifact operations of the tracking API: every method of {@link RunArtifactService}. */
export type RunArtifactOperation = OperationName<RunArtifactService>;

/** An endpoint of the tracking API on a run's artifacts: one {@link RunArtifactService} operation over HTTP. */
export type RunArtifactEndpoint<N extends RunArtifactOperation = RunArtifactOperation> = Endpoint<
  RunArtifactService,
  N
>;

/**
 * Declares the endpoint of run artifact operation `name`: the name gives the types of its
 * arguments and result to every other member.
 */
export function runArtifactEndpoint<N extends RunArtifactOperation>(
  name: N,
  endpoint: NoInfer<Omit<RunArtifactEndpoint<N>, 'name'>>,
): RunArtifactEndpoint<N> {
  return Object.freeze({ name, ...endpoint });
}
