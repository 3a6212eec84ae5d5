import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidParameter } from '../errors.js';
import type { ArtifactRepository } from './artifact-repository.js';
import type { HttpArtifactRepositoryOptions } from './http-artifact-repository.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';
import type { S3ArtifactRepositoryOptions } from './s3-artifact-repository.js';

/** Options of {@link openArtifactRepository}: each backend reads the ones that concern it. */
export interface OpenArtifactRepositoryOptions
  extends S3ArtifactRepositoryOptions, HttpArtifactRepositoryOptions {
  /** The folder a relative local path is relative to; the working folder by default. */
  cwd?: string;
}

/** The URI schemes {@link openArtifactRepository} knows, and what opens each (loaded on first use). */
const SCHEMES: Record<
  string,
  (uri: string, options: OpenArtifactRepositoryOptions) => Promise<ArtifactRepository>
> = {
  file: async (uri, options) => new LocalArtifactRepository(localPath(uri, options.cwd), uri),
  s3: async (uri, options) => {
    const { S3ArtifactRepository } = await import('./s3-artifact-repository.js');
    return S3ArtifactRepository.open(uri, options);
  },
  http: openHttp,
  https: openHttp,
};

async function openHttp(uri: string, options: OpenArtifactRepositoryOptions): Promise<ArtifactRepository> {
  const { HttpArtifactRepository } = await import('./http-artifact-repository.js');
  return HttpArtifactRepository.open(uri, options);
}

/**
 * Opens the artifact repository a URI names, chosen by its scheme (MLflow's
 * `artifact_repository_registry`): a local folder (`/abs/path`, `relative/path`,
 * `file:///abs/path`), S3-compatible storage (`s3://bucket/prefix`, whose AWS SDK is loaded
 * only then), or a tracking server's artifact service
 * (`http(s)://host:port/api/2.0/mlflow-artifacts/artifacts/<path>`, see
 * `HttpArtifactRepository`). Another scheme is INVALID_PARAMETER_VALUE naming the supported ones.
 *
 * @example const repo = await openArtifactRepository('./mlartifacts');
 * @example const repo = await openArtifactRepository('s3://bucket/mlartifacts', { env: { ...process.env, MLFLOW_S3_ENDPOINT_URL: 'http://127.0.0.1:9000' } });
 */
export async function openArtifactRepository(
  uri: string,
  options: OpenArtifactRepositoryOptions = {},
): Promise<ArtifactRepository> {
  const open = SCHEMES[artifactUriScheme(uri)];
  if (open === undefined) {
    throw invalidParameter(
      `Unsupported artifact URI '${uri}': use a local folder (a path or file:///path), s3://bucket/prefix ` +
        `(S3 and S3-compatible storage) or http(s)://host:port/api/2.0/mlflow-artifacts/artifacts/<path> ` +
        `(a tracking server's artifact service).`,
    );
  }
  return open(uri.trim(), options);
}

/** The scheme of an artifact URI, lower-cased; `file` for a plain path (a Windows drive letter too). */
export function artifactUriScheme(uri: string): string {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(uri.trim());
  if (!match || (match[1] as string).length === 1) return 'file';
  return (match[1] as string).toLowerCase();
}

/** The folder of a local artifact URI (a path or `file:` URI), absolute; relative ones from `cwd`. */
export function localPath(uri: string, cwd: string = process.cwd()): string {
  if (uri.trim() === '') throw invalidParameter('An artifact location must not be empty.');
  if (!/^file:/i.test(uri)) return isAbsolute(uri) ? uri : resolve(cwd, uri);
  if (/^file:\/\//i.test(uri)) {
    try {
      return fileURLToPath(uri);
    } catch (error) {
      throw invalidParameter(`Invalid file URI '${uri}': ${(error as Error).message}`);
    }
  }
  // file:relative/path and file:/absolute/path, as MLflow reads them.
  const path = decodeURIComponent(uri.slice('file:'.length));
  return isAbsolute(path) ? path : resolve(cwd, path);
}
