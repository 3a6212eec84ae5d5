import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultArtifactsDestination } from '../artifacts/artifact-locations.js';
import {
  HttpArtifactRepository,
  type HttpArtifactRepositoryOptions,
} from '../artifacts/http-artifact-repository.js';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import type { TrackingTarget } from '../store/tracking-uri.js';
import type { RunArtifactsOptions } from './run-artifacts.js';

/**
 * Where a client opened on `target` finds the artifacts of runs whose `artifact_uri` is
 * `mlflow-artifacts:` (the store's default): on the embedded store, the folder beside the
 * database that `agentrack server` serves them from (`<folder>/<name>-artifacts`; a temporary
 * folder, removed on close, for `:memory:`), so a client and a server on one database share
 * the same files; over REST, the tracking server's artifact service ({@link HttpArtifactRepository},
 * with the store's credentials and retry settings). A PostgreSQL store has no such default.
 */
export function defaultProxiedArtifacts(
  target: TrackingTarget,
  options: HttpArtifactRepositoryOptions = {},
): RunArtifactsOptions {
  if (target.kind === 'sqlite') {
    const destination = defaultArtifactsDestination(target.path);
    if (destination !== undefined) return { proxied: new LocalArtifactRepository(destination) };
    const temporary = join(tmpdir(), `agentrack-memory-artifacts-${randomUUID()}`);
    return {
      proxied: new LocalArtifactRepository(temporary),
      release: () => rm(temporary, { recursive: true, force: true }),
    };
  }
  if (target.kind === 'rest') {
    const repository = HttpArtifactRepository.forServer(target, options);
    return { proxied: repository, release: () => repository.close() };
  }
  if (target.kind === 'postgres') {
    return {
      unreachableProxied:
        'a client on a PostgreSQL store cannot reach by itself (there is no folder beside a database): open it with ' +
        "artifactsDestination, the servers' --artifacts-destination (or proxiedArtifacts)",
    };
  }
  // Databricks keeps run artifacts at dbfs: URIs, never mlflow-artifacts: ones.
  return {
    unreachableProxied: 'a Databricks workspace has no MLflow artifact service (its runs keep dbfs: URIs)',
  };
}
