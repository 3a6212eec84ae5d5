import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultArtifactsDestination } from '../artifacts/artifact-locations.js';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import type { TrackingTarget } from '../store/tracking-uri.js';
import type { RunArtifactsOptions } from './run-artifacts.js';

/**
 * Where a client opened on `target` finds the artifacts of runs whose `artifact_uri` is
 * `mlflow-artifacts:` (the store's default): on the embedded store, the folder beside the
 * database that `agentrack server` serves them from (`<folder>/<name>-artifacts`; a temporary
 * folder, removed on close, for `:memory:`), so a client and a server on one database share
 * the same files; over REST, the tracking server's artifact service.
 */
export function defaultProxiedArtifacts(target: TrackingTarget): RunArtifactsOptions {
  if (target.kind === 'sqlite') {
    const destination = defaultArtifactsDestination(target.path);
    if (destination !== undefined) return { proxied: new LocalArtifactRepository(destination) };
    const temporary = join(tmpdir(), `agentrack-memory-artifacts-${randomUUID()}`);
    return {
      proxied: new LocalArtifactRepository(temporary),
      release: () => rm(temporary, { recursive: true, force: true }),
    };
  }
  // SEAM (issue 8): the server's artifact service over /api/2.0/mlflow-artifacts/ is reached by
  // HttpArtifactRepository, which is not in this build yet; until it is wired in here, runs with
  // mlflow-artifacts: URIs on a remote server are refused with this explanation.
  const server = target.kind === 'rest' ? target.path : 'Databricks';
  return {
    unreachableProxied:
      `this build of agentrack cannot reach on ${server} yet ` +
      `(give TrackingClient.open a \`proxiedArtifacts\` repository)`,
  };
}
