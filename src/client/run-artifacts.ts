import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type Dirent, type Stats } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { artifactMediaType } from '../artifacts/artifact-media-type.js';
import { createArtifactLocator, type ArtifactLocator } from '../artifacts/artifact-locator.js';
import { isProxiedArtifactUri } from '../artifacts/artifact-locations.js';
import { invalidPath, joinArtifactPath, validateArtifactPath } from '../artifacts/artifact-path.js';
import type { ArtifactDownload, ArtifactInfo, ArtifactRepository } from '../artifacts/artifact-repository.js';
import type { ArtifactUploadBody } from '../artifacts/artifact-service.js';
import type { FileInfo } from '../entities/index.js';
import { AgentrackError, invalidParameter, isAgentrackError, notFound } from '../errors.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { fsError } from '../utils/fs-error.js';
import { pythonJsonText } from '../utils/python-json-text.js';
import type { RunArtifactListing, RunArtifactService } from './run-artifact-service.js';
import { pythonYamlText } from './python-yaml-text.js';

/** How many files go up or down at once in {@link RunArtifacts.logArtifacts} and folder downloads. */
export const ARTIFACT_TRANSFER_CONCURRENCY = 4;

/** Options of {@link RunArtifacts}. */
export interface RunArtifactsOptions {
  /**
   * The repository `mlflow-artifacts:` URIs point into: the embedded store's artifacts folder,
   * or a tracking server's artifact service. Absent: such runs' artifacts cannot be reached,
   * and `unreachableProxied` says why.
   */
  proxied?: ArtifactRepository | undefined;
  /** Why proxied artifacts cannot be reached when `proxied` is absent, for the error message. */
  unreachableProxied?: string;
  /** Releases what was opened for `proxied` (when the client owns it); called once by {@link RunArtifacts.close}. */
  release?: () => Promise<void>;
  /** The store was opened for reading only: artifact writes are refused with INVALID_STATE too. */
  readOnly?: boolean;
  /**
   * Server side: runs whose root is an http(s) URI of an artifact service have their files in
   * `proxied` too, as on MLflow's server (see `ArtifactLocatorOptions.proxiedHttpUris`).
   */
  proxiedHttpUris?: boolean;
}

/** A run's or a logged model's artifact root: the repository it is in and the folder in it. */
interface RunRoot {
  /** Whose root it is, for messages: `run '<id>'`, `logged model '<id>'`. */
  owner: string;
  /** The run's or the model's `artifact_uri`. */
  uri: string;
  repository: ArtifactRepository;
  /** The artifact root below the repository root (`''` when the repository is rooted there). */
  root: string;
}

/**
 * The artifact calls of {@link TrackingClient}, as MLflow's client makes them: each resolves the
 * run's `artifact_uri` (an unknown run is RESOURCE_DOES_NOT_EXIST) to a repository through an
 * {@link ArtifactLocator} — `mlflow-artifacts:` URIs to the proxied repository, `file:` and
 * `s3:` URIs opened directly — and reads or writes below it, streaming. Paths are run-relative
 * POSIX paths, checked by {@link validateArtifactPath}. A logged model's files (MLflow 3),
 * below its own `artifact_uri`, are read and written the same way.
 */
export class RunArtifacts implements RunArtifactService {
  readonly #store: TrackingStore;
  readonly #options: RunArtifactsOptions;
  #locator: ArtifactLocator | undefined;

  constructor(store: TrackingStore, options: RunArtifactsOptions = {}) {
    this.#store = store;
    this.#options = options;
  }

  /**
   * Uploads the local file `localPath` into the run, as `<artifactPath>/<file name>` (at the
   * root without `artifactPath`), replacing a file of that name. A missing file, or a folder
   * (see {@link logArtifacts}), is INVALID_PARAMETER_VALUE.
   */
  async logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<FileInfo> {
    const folder = validateArtifactPath(artifactPath ?? '', 'folder');
    const info = await localEntry(localPath);
    if (info.isDirectory()) {
      throw invalidParameter(
        `'${localPath}' is a folder; logArtifact uploads one file (logArtifacts uploads a folder's files).`,
      );
    }
    if (!info.isFile()) throw invalidParameter(`'${localPath}' is not a regular file.`);
    const path = validateArtifactPath(joinArtifactPath(folder, basename(localPath)));
    const run = await this.#runRoot(runId, 'write');
    return this.#upload(run, path, resolve(localPath), info.size);
  }

  /**
   * Uploads every file below the local folder `localDir` into the run, keeping the tree, below
   * `artifactPath` (the root without it), as MLflow's `log_artifacts`: symbolic links to files
   * are uploaded as files, links to folders are not followed. Every name is checked before the
   * first upload; then up to {@link ARTIFACT_TRANSFER_CONCURRENCY} files go up at once. Resolves
   * to the files uploaded, in path order.
   */
  async logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<FileInfo[]> {
    return this.#uploadFolder(() => this.#runRoot(runId, 'write'), localDir, artifactPath);
  }

  /**
   * Uploads the local file `localPath` into the logged model's artifacts, as
   * `<artifactPath>/<file name>`, as MLflow's `log_model_artifact`.
   */
  async logModelArtifact(modelId: string, localPath: string, artifactPath?: string): Promise<FileInfo> {
    const folder = validateArtifactPath(artifactPath ?? '', 'folder');
    const info = await localEntry(localPath);
    if (!info.isFile()) throw invalidParameter(`'${localPath}' is not a regular file.`);
    const path = validateArtifactPath(joinArtifactPath(folder, basename(localPath)));
    const model = await this.#modelRoot(modelId, 'write');
    return this.#upload(model, path, resolve(localPath), info.size);
  }

  /**
   * Uploads every file below the local folder `localDir` into the logged model's artifacts,
   * keeping the tree, as MLflow's `log_model_artifacts` (see {@link logArtifacts}).
   */
  async logModelArtifacts(modelId: string, localDir: string, artifactPath?: string): Promise<FileInfo[]> {
    return this.#uploadFolder(() => this.#modelRoot(modelId, 'write'), localDir, artifactPath);
  }

  async #uploadFolder(
    rootOf: () => Promise<RunRoot>,
    localDir: string,
    artifactPath: string | undefined,
  ): Promise<FileInfo[]> {
    const folder = validateArtifactPath(artifactPath ?? '', 'folder');
    const info = await localEntry(localDir);
    if (!info.isDirectory()) throw invalidParameter(`'${localDir}' is not a folder.`);
    const files = await localFiles(resolve(localDir), folder);
    const run = await rootOf();
    const uploaded = await mapBounded(files, ARTIFACT_TRANSFER_CONCURRENCY, (file) =>
      this.#upload(run, file.path, file.local, file.size),
    );
    return uploaded.sort((a, b) => compareCodePoints(a.path, b.path));
  }

  /** Writes `text` (UTF-8) as the run's artifact file `artifactFile`, as MLflow's `log_text`. */
  async logText(runId: string, text: string, artifactFile: string): Promise<FileInfo> {
    if (typeof text !== 'string') throw invalidParameter('logText: the text must be a string.');
    return this.writeFile(runId, artifactFile, text);
  }

  /**
   * Writes `dictionary` as the run's artifact file `artifactFile`, as MLflow's `log_dict`: YAML
   * for a `.yaml` / `.yml` name (PyYAML's style: block style, keys sorted), else JSON indented by
   * two spaces (Python's `json.dumps`: non-ASCII escaped, anything else as a string).
   */
  async logDict(runId: string, dictionary: unknown, artifactFile: string): Promise<FileInfo> {
    const extension = posix.extname(artifactFile);
    const text =
      extension === '.yaml' || extension === '.yml'
        ? pythonYamlText(dictionary)
        : pythonJsonText(dictionary, { indent: 2 });
    return this.writeFile(runId, artifactFile, text);
  }

  /** Writes `content` as the run's artifact file `artifactFile` (a string as UTF-8), replacing any file there. */
  async writeFile(runId: string, artifactFile: string, content: string | Buffer): Promise<FileInfo> {
    const path = validateArtifactPath(artifactFile);
    const run = await this.#runRoot(runId, 'write');
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const stored = await run.repository.put(joinArtifactPath(run.root, path), Readable.from([data]), {
      size: data.length,
      contentType: artifactMediaType(path),
    });
    return this.#fileInfo(run, stored);
  }

  /**
   * Writes `content` as the file `artifactFile` below the artifact location `uri` of something
   * that is not a run (a trace's `mlflow.artifactLocation`), resolved as a run's root is,
   * replacing any file there. `owner` names it in messages (`trace 'tr-...'`).
   */
  async writeToLocation(
    owner: string,
    uri: string,
    artifactFile: string,
    content: string | Buffer,
  ): Promise<void> {
    const path = validateArtifactPath(artifactFile);
    this.#checkAccess('write');
    const root = await this.#locate(owner, uri);
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    await root.repository.put(joinArtifactPath(root.root, path), Readable.from([data]), {
      size: data.length,
      contentType: artifactMediaType(path),
    });
  }

  /**
   * Stores `body` (streamed, read once) as the run's artifact file `artifactFile`, replacing any
   * file there, typed from its name as MLflow types uploads; a body of another length than
   * `body.size` is refused. Resolves to the file as the run lists it. The body is destroyed
   * when the upload is refused before it is read.
   */
  async putArtifact(runId: string, artifactFile: string, body: ArtifactUploadBody): Promise<FileInfo> {
    let path: string;
    let run: RunRoot;
    try {
      path = validateArtifactPath(artifactFile);
      run = await this.#runRoot(runId, 'write');
    } catch (error) {
      body.stream.destroy();
      throw error;
    }
    const stored = await run.repository.put(joinArtifactPath(run.root, path), body.stream, {
      ...(body.size !== undefined ? { size: body.size } : {}),
      contentType: artifactMediaType(path),
    });
    return this.#fileInfo(run, stored);
  }

  /** The run's artifact file `artifactFile` as text (UTF-8), or `undefined` when there is no such file. */
  async readFile(runId: string, artifactFile: string): Promise<string | undefined> {
    const path = validateArtifactPath(artifactFile);
    const run = await this.#runRoot(runId);
    const target = joinArtifactPath(run.root, path);
    const info = await run.repository.stat(target);
    if (info === undefined || info.isDir) return undefined;
    const { body } = await run.repository.get(target);
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * The files and folders directly in the run's artifact folder `path` (the root by default), in
   * name order, each with its path from the run's artifact root, as MLflow's `list_artifacts`. A
   * file or a missing folder lists as empty.
   */
  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    return (await this.listRunArtifacts(runId, path)).files;
  }

  /**
   * {@link listArtifacts}, with the run's artifact root (its `artifact_uri`) the paths are
   * relative to: what MLflow's tracking API answers `artifacts/list` with. Everything in one
   * answer, as MLflow's repositories list a folder.
   */
  async listRunArtifacts(runId: string, path?: string): Promise<RunArtifactListing> {
    const folder = validateArtifactPath(path ?? '', 'folder');
    return this.#list(await this.#runRoot(runId), folder);
  }

  /**
   * The files and folders directly in the logged model's artifact folder `path` (the root by
   * default), with paths from the model's artifact root, and that root: what MLflow's
   * `logged-models/<model_id>/artifacts/directories` answers. RESOURCE_DOES_NOT_EXIST for an
   * unknown model.
   */
  async listLoggedModelArtifacts(modelId: string, path?: string): Promise<RunArtifactListing> {
    const folder = validateArtifactPath(path ?? '', 'folder');
    return this.#list(await this.#modelRoot(modelId), folder);
  }

  async #list(root: RunRoot, folder: string): Promise<RunArtifactListing> {
    const entries = await root.repository.list(joinArtifactPath(root.root, folder));
    return { rootUri: root.uri, files: entries.map((entry) => this.#fileInfo(root, entry, folder)) };
  }

  /**
   * Opens the run's artifact file `artifactFile` for reading, streamed: read the body to its
   * end or destroy it. RESOURCE_DOES_NOT_EXIST when the run has no file there.
   */
  async openArtifact(runId: string, artifactFile: string): Promise<ArtifactDownload> {
    const path = validateArtifactPath(artifactFile);
    return this.#open(await this.#runRoot(runId), path);
  }

  /**
   * Opens the logged model's artifact file `artifactFile` for reading, streamed.
   * RESOURCE_DOES_NOT_EXIST when the model has no file there (or there is no such model).
   */
  async openLoggedModelArtifact(modelId: string, artifactFile: string): Promise<ArtifactDownload> {
    const path = validateArtifactPath(artifactFile);
    return this.#open(await this.#modelRoot(modelId), path);
  }

  async #open(root: RunRoot, path: string): Promise<ArtifactDownload> {
    try {
      return await root.repository.get(joinArtifactPath(root.root, path));
    } catch (error) {
      if (isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) {
        throw notFound(`Artifact '${path}' not found in ${root.owner}.`);
      }
      throw error;
    }
  }

  /**
   * Downloads the run's artifact `path` — a file, or a folder with everything below it; the
   * whole root by default — into the local folder `dstDir`, keeping its path there
   * (`<dstDir>/<path>`), and resolves to that local path. Without `dstDir`, into a new temporary
   * folder. As MLflow's `download_artifacts`: `dstDir` must be an existing folder, and a path
   * the run does not have is RESOURCE_DOES_NOT_EXIST. Files stream to disk, up to
   * {@link ARTIFACT_TRANSFER_CONCURRENCY} at once, each written beside its place and renamed
   * into it once complete.
   */
  async downloadArtifacts(runId: string, path?: string, dstDir?: string): Promise<string> {
    const rel = validateArtifactPath(path ?? '', 'folder');
    return this.#download(await this.#runRoot(runId), rel, dstDir);
  }

  /**
   * Downloads the logged model's artifact `path` — a file, or a folder with everything below
   * it; the whole model by default, which is what loading `models:/<model_id>` needs — as
   * {@link downloadArtifacts} downloads a run's.
   */
  async downloadLoggedModelArtifacts(modelId: string, path?: string, dstDir?: string): Promise<string> {
    const rel = validateArtifactPath(path ?? '', 'folder');
    return this.#download(await this.#modelRoot(modelId), rel, dstDir);
  }

  async #download(run: RunRoot, rel: string, dstDir: string | undefined): Promise<string> {
    const source = joinArtifactPath(run.root, rel);
    const info: Pick<ArtifactInfo, 'isDir'> | undefined =
      rel === '' ? { isDir: true } : await run.repository.stat(source);
    if (info === undefined) throw notFound(`Artifact '${rel}' not found in ${run.owner}.`);
    const destination = dstDir === undefined ? await mkdtemp(join(tmpdir(), 'agentrack-artifacts-')) : dstDir;
    if (dstDir !== undefined) await checkDestination(dstDir);
    const local = rel === '' ? resolve(destination) : join(resolve(destination), ...rel.split('/'));
    if (!info.isDir) {
      await downloadFile(run.repository, source, local);
      return local;
    }
    await mkdir(local, { recursive: true });
    const files = await this.#remoteFiles(run, source, local);
    await mapBounded(files, ARTIFACT_TRANSFER_CONCURRENCY, (file) =>
      downloadFile(run.repository, file.source, file.local),
    );
    return local;
  }

  /** Closes the repositories opened for runs' artifact URIs, and the proxied one when the client owns it. */
  async close(): Promise<void> {
    const locator = this.#locator;
    this.#locator = undefined;
    await locator?.close();
    await this.#options.release?.();
  }

  /** The run's artifact root; RESOURCE_DOES_NOT_EXIST for an unknown run. */
  async #runRoot(runId: string, access: 'read' | 'write' = 'read'): Promise<RunRoot> {
    if (typeof runId !== 'string' || runId === '') throw invalidParameter('A run id is required.');
    this.#checkAccess(access);
    const uri = (await this.#store.getRun(runId)).info.artifact_uri;
    return this.#locate(`run '${runId}'`, uri);
  }

  /** The logged model's artifact root; RESOURCE_DOES_NOT_EXIST for an unknown or deleted model. */
  async #modelRoot(modelId: string, access: 'read' | 'write' = 'read'): Promise<RunRoot> {
    if (typeof modelId !== 'string' || modelId === '')
      throw invalidParameter('A logged model id is required.');
    this.#checkAccess(access);
    const uri = (await this.#store.getLoggedModel(modelId)).info.artifact_uri;
    return this.#locate(`logged model '${modelId}'`, uri);
  }

  #checkAccess(access: 'read' | 'write'): void {
    if (access === 'write' && this.#options.readOnly) {
      throw new AgentrackError(
        'INVALID_STATE',
        'The tracking store was opened for reading only; open it for writing to log artifacts.',
      );
    }
  }

  async #locate(owner: string, uri: string): Promise<RunRoot> {
    if (isProxiedArtifactUri(uri) && this.#options.proxied === undefined) {
      throw invalidParameter(
        `The artifacts of ${owner} are at '${uri}', kept by a tracking server's artifact service, ` +
          `which ${this.#options.unreachableProxied ?? 'this client has not been given'}.`,
      );
    }
    this.#locator ??= createArtifactLocator({
      proxied: this.#options.proxied,
      proxiedHttpUris: this.#options.proxiedHttpUris ?? false,
    });
    const { repository, path } = await this.#locator.locate(uri);
    return { owner, uri, repository, root: path };
  }

  async #upload(run: RunRoot, path: string, local: string, size: number): Promise<FileInfo> {
    const stored = await run.repository.put(joinArtifactPath(run.root, path), createReadStream(local), {
      size,
      contentType: artifactMediaType(path),
    });
    return this.#fileInfo(run, stored);
  }

  /** Every file below the remote folder `source`, with the local path it goes to below `local`. */
  async #remoteFiles(
    run: RunRoot,
    source: string,
    local: string,
  ): Promise<Array<{ source: string; local: string }>> {
    const files: Array<{ source: string; local: string }> = [];
    const folders = [{ source, local }];
    for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
      for (const entry of await run.repository.list(folder.source)) {
        // Names come from the repository (over HTTP, from a server): never let one leave the folder.
        if (entry.name.includes('/') || entry.path !== joinArtifactPath(folder.source, entry.name)) {
          throw invalidPath('a listed name leaves its folder', entry.path);
        }
        validateArtifactPath(entry.path);
        const target = join(folder.local, entry.name);
        if (entry.isDir) {
          await mkdir(target, { recursive: true });
          folders.push({ source: entry.path, local: target });
        } else {
          files.push({ source: entry.path, local: target });
        }
      }
    }
    return files;
  }

  /** `info` (its path from the repository root) as a FileInfo with its path from the run's root. */
  #fileInfo(run: RunRoot, info: ArtifactInfo, folder?: string): FileInfo {
    const path =
      folder !== undefined
        ? joinArtifactPath(folder, info.name)
        : run.root === ''
          ? info.path
          : info.path.slice(run.root.length + 1);
    return info.isDir
      ? { path, is_dir: true }
      : { path, is_dir: false, ...(info.size !== undefined ? { file_size: info.size } : {}) };
  }
}

/** What is at a local path the caller named; INVALID_PARAMETER_VALUE when nothing is. */
async function localEntry(path: string): Promise<Stats> {
  if (typeof path !== 'string' || path === '') throw invalidParameter('A local path is required.');
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw invalidParameter(`No such file or folder: '${path}'.`);
    throw localFsError(error, 'read', path);
  }
}

/** Every file below `root` (links to files included, links to folders not followed), with its artifact path. */
async function localFiles(
  root: string,
  folder: string,
): Promise<Array<{ local: string; path: string; size: number }>> {
  const files: Array<{ local: string; path: string; size: number }> = [];
  const pending = [{ local: root, path: folder }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const folder = next.local;
    const entries: Dirent[] = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
      throw localFsError(error, 'read the folder', folder);
    });
    for (const entry of entries) {
      const local = join(next.local, entry.name);
      const path = validateArtifactPath(joinArtifactPath(next.path, entry.name));
      if (entry.isDirectory()) {
        pending.push({ local, path });
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const info = await stat(local).catch(() => undefined);
      if (info?.isFile()) files.push({ local, path, size: info.size });
    }
  }
  return files;
}

/** MLflow's checks of a download destination: an existing folder. */
async function checkDestination(dstDir: string): Promise<void> {
  const info = await stat(dstDir).catch(() => undefined);
  if (info === undefined) {
    throw notFound(`The destination folder for downloaded artifacts does not exist: '${dstDir}'.`);
  }
  if (!info.isDirectory()) {
    throw invalidParameter(`The destination for downloaded artifacts must be a folder: '${dstDir}'.`);
  }
}

/** Streams the artifact `source` to the local file `local`, through a temporary file renamed into place. */
async function downloadFile(repository: ArtifactRepository, source: string, local: string): Promise<void> {
  await mkdir(dirname(local), { recursive: true }).catch((error: unknown) => {
    throw localFsError(error, 'create the folder of', local);
  });
  const temp = join(dirname(local), `.${basename(local)}.agentrack-download-${randomUUID()}`);
  const { body } = await repository.get(source);
  try {
    await pipeline(body, createWriteStream(temp, { flags: 'wx' }));
    await rename(temp, local);
  } catch (error) {
    body.destroy();
    await rm(temp, { force: true });
    throw localFsError(error, 'write', local);
  }
}

/** A local file-system failure as an agentrack error naming the local path. */
function localFsError(error: unknown, action: string, path: string): AgentrackError {
  return fsError(error, action, `'${path}'`);
}

/** `fn` over `items`, at most `limit` at once; on a failure, waits for those under way, then rejects. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}

function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
