import { invalidParameter } from '../errors.js';
import { isProxiedArtifactUri, proxiedArtifactPath, proxiedHttpArtifactPath } from './artifact-locations.js';
import { openArtifactRepository, type OpenArtifactRepositoryOptions } from './artifact-registry.js';
import type { ArtifactRepository } from './artifact-repository.js';

/** Where an artifact URI points: a repository, and the folder in it (`''` for its root). */
export interface ArtifactLocation {
  repository: ArtifactRepository;
  /** The path below the repository's root, without leading or trailing slashes. */
  path: string;
}

/** Options of {@link createArtifactLocator}. */
export interface ArtifactLocatorOptions extends OpenArtifactRepositoryOptions {
  /**
   * What keeps proxied artifacts (`mlflow-artifacts:` URIs): the server's destination, or for
   * a client the tracking server's artifact API. Absent: such a URI is INVALID_PARAMETER_VALUE.
   * The locator never closes it.
   */
  proxied?: ArtifactRepository | undefined;
  /** How many repositories of other URIs stay open at once (least recently used closes first); default 32. */
  maxOpen?: number;
  /**
   * Server side: take http(s) URIs of an artifact service (`.../api/2.0/mlflow-artifacts/artifacts/<path>`)
   * as folders of `proxied` too, as MLflow's server does with a run's root of that form when it
   * serves artifacts (it takes them to name itself). Default false: a client opens them over HTTP.
   */
  proxiedHttpUris?: boolean;
}

/**
 * Finds the repository an artifact URI (a run's `artifact_uri`, a model's, a trace's) points
 * into, as MLflow's `get_artifact_repository` does: a `mlflow-artifacts:` URI is a folder of
 * the proxied repository (on a server, an artifact service's http(s) URI too, with
 * `proxiedHttpUris`); any other URI (a local folder, `file:`, `s3:`) is opened as a
 * repository of its own, rooted there, and kept open for the next call on the same URI.
 */
export interface ArtifactLocator {
  locate(uri: string): Promise<ArtifactLocation>;
  /** Closes the repositories it opened (never the proxied one). */
  close(): Promise<void>;
}

/**
 * An {@link ArtifactLocator} over `options.proxied` for `mlflow-artifacts:` URIs.
 *
 * @example
 * const locator = createArtifactLocator({ proxied: new LocalArtifactRepository('./agentrack-artifacts') });
 * const { repository, path } = await locator.locate(run.info.artifact_uri);
 * await repository.list(path);
 */
export function createArtifactLocator(options: ArtifactLocatorOptions = {}): ArtifactLocator {
  const { proxied, maxOpen = 32, proxiedHttpUris = false, ...openOptions } = options;
  const open = new Map<string, Promise<ArtifactRepository>>();
  return {
    async locate(uri: string): Promise<ArtifactLocation> {
      const trimmed = uri.trim();
      if (trimmed === '') throw invalidParameter('The artifact URI is empty.');
      if (isProxiedArtifactUri(trimmed)) {
        if (proxied === undefined) {
          throw invalidParameter(
            `Cannot reach '${trimmed}': its artifacts are kept by a tracking server's artifact service, and none is configured here.`,
          );
        }
        return { repository: proxied, path: proxiedArtifactPath(trimmed) };
      }
      const served = proxiedHttpUris && proxied ? proxiedHttpArtifactPath(trimmed) : undefined;
      if (served !== undefined && proxied) return { repository: proxied, path: served };
      let repository = open.get(trimmed);
      if (repository === undefined) {
        repository = openArtifactRepository(trimmed, openOptions);
        open.set(trimmed, repository);
        repository.catch(() => open.delete(trimmed));
        if (open.size > maxOpen) {
          const [oldest, closing] = open.entries().next().value as [string, Promise<ArtifactRepository>];
          open.delete(oldest);
          void closing.then((repo) => repo.close()).catch(() => undefined);
        }
      } else {
        // Most recently used last.
        open.delete(trimmed);
        open.set(trimmed, repository);
      }
      return { repository: await repository, path: '' };
    },
    async close(): Promise<void> {
      const repositories = [...open.values()];
      open.clear();
      await Promise.all(repositories.map((r) => r.then((repo) => repo.close()).catch(() => undefined)));
    },
  };
}
