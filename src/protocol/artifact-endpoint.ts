import type { ArtifactService } from '../artifacts/artifact-service.js';
import type { AccessTarget } from './access-target.js';
import type { Endpoint, OperationName } from './endpoint.js';

/** The operations of MLflow's artifact service: every method of {@link ArtifactService}. */
export type ArtifactOperation = OperationName<ArtifactService>;

/** An endpoint of the artifact service: one {@link ArtifactService} operation over HTTP. */
export type ArtifactEndpoint<N extends ArtifactOperation = ArtifactOperation> = Endpoint<ArtifactService, N>;

/**
 * Declares the endpoint of artifact operation `name`: the name gives the types of its
 * arguments and result to every other member.
 */
export function artifactEndpoint<N extends ArtifactOperation>(
  name: N,
  endpoint: NoInfer<Omit<ArtifactEndpoint<N>, 'name'>>,
): ArtifactEndpoint<N> {
  return Object.freeze({ name, ...endpoint });
}

/**
 * What a request on artifact path `path` acts on, for access control: the path, and the
 * experiment its first segment names (`<experiment_id>/...`); no experiment for the root or a
 * first segment that cannot be an experiment id.
 *
 * @example artifactAccess('1/0f1e/artifacts/model.pkl') // { artifactPath: '1/0f1e/artifacts/model.pkl', experimentId: '1' }
 */
export function artifactAccess(path: string): AccessTarget {
  const first = path.split('/')[0] ?? '';
  return /^[0-9]+$/.test(first) ? { artifactPath: path, experimentId: first } : { artifactPath: path };
}
