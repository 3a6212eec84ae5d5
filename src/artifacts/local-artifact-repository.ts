import { randomUUID } from 'node:crypto';
import {
  closeSync,
  constants,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  writeSync,
  type Dirent,
} from 'node:fs';
import { mkdir, open, readdir, realpath, rename, rm, rmdir, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidParameter, notFound, type AgentrackError } from '../errors.js';
import { artifactBaseName, invalidPath, joinArtifactPath, validateArtifactPath } from './artifact-path.js';
import {
  sortArtifactInfos,
  type ArtifactDownload,
  type ArtifactInfo,
  type ArtifactRepository,
  type PutArtifactOptions,
} from './artifact-repository.js';
import { fsError } from '../utils/fs-error.js';
import { expectLength, lengthMismatch } from './artifact-streams.js';

/** Uploads are written under this name in their target folder, then renamed; listings (and backups) skip them. */
export const UPLOAD_PREFIX = '.agentrack-upload-';

/**
 * How many bytes of an upload may wait for the file while a write runs. A socket hands a body
 * over 64 KiB at a time: with the stream's default (16 KiB), every chunk waited for the write
 * before it and paused the body; queued up to here, they go to the file in one writev.
 */
const WRITE_QUEUE_BYTES = 1024 * 1024;

/**
 * How many bytes a download reads from its file at a time: one trip to the thread pool and one
 * socket write per MiB instead of per 64 KiB (the stream's default).
 */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * A listing stats its entries synchronously (a file's size is only in its inode), this many
 * between turns of the event loop. A stat of a cached inode takes microseconds, while a
 * promise per entry cost a trip to the thread pool, a promise and garbage, which made a
 * folder of 10,000 files take about 300 ms of CPU; this way the loop waits about a
 * millisecond at a time.
 */
const STAT_SLICE = 256;

/**
 * A body held in memory up to this size is written with synchronous calls: on a local disk
 * each takes microseconds, as SQLite's own writes on the same thread do, where each
 * asynchronous call (folder, open, write, close, rename) cost a trip to the thread pool and
 * about 0.1 ms of CPU, measured on the trace ingest path.
 */
const SYNC_WRITE_BYTES = 256 * 1024;

/**
 * Artifacts as files in a local folder (MLflow's `LocalArtifactRepository`): a path or a
 * `file://` URI. An upload streams into a temporary file beside its target and is renamed
 * into place once complete, so a failed upload leaves nothing half-written and readers never
 * see a partial file. Symbolic links are followed only while they stay inside the root.
 * Folders that an upload created, or that a deletion left empty, are removed, as on S3, where
 * folders exist only through the files in them. No multipart uploads (MLflow has none here).
 *
 * @example const repo = new LocalArtifactRepository('./mlartifacts');
 */
export class LocalArtifactRepository implements ArtifactRepository {
  readonly uri: string;
  readonly multipart = undefined;
  /** The root folder, absolute. */
  readonly root: string;
  #realRoot: string | undefined;

  /** A repository rooted at folder `root` (made absolute from the working folder), created on the first upload. */
  constructor(root: string, uri: string = root) {
    this.root = resolve(root);
    this.uri = uri;
  }

  async put(path: string, body: Readable, options: PutArtifactOptions = {}): Promise<ArtifactInfo> {
    let rel: string;
    let target: string;
    let lengthCheck: Transform | undefined;
    let temp: string;
    const bytes = options.bytes;
    const small = bytes !== undefined && bytes.length <= SYNC_WRITE_BYTES;
    let handle: FileHandle | undefined;
    let fd: number | undefined;
    try {
      rel = validateArtifactPath(path);
      lengthCheck = options.size === undefined ? undefined : expectLength(options.size, rel);
      if (bytes !== undefined && options.size !== undefined && options.size !== bytes.length) {
        throw lengthMismatch(rel, options.size, `${bytes.length}`);
      }
      target = (await this.#locate(rel, { followLast: false, create: true })) as string;
      temp = join(dirname(target), `${UPLOAD_PREFIX}${randomUUID()}`);
      if (small) fd = createInFolderSync(temp, rel);
      else handle = await this.#createInFolder(temp, rel);
    } catch (error) {
      body.destroy();
      throw error;
    }
    let written: number;
    try {
      if (bytes === undefined) {
        const file = (handle as FileHandle).createWriteStream({ highWaterMark: WRITE_QUEUE_BYTES });
        await (lengthCheck ? pipeline(body, lengthCheck, file) : pipeline(body, file));
        written = file.bytesWritten;
        await rename(temp, target);
      } else {
        // A body already in memory is written at once: a stream and its pipeline cost more CPU
        // than the write itself for the small files of the trace ingest path.
        body.destroy();
        if (small) {
          writeAndClose(fd as number, bytes);
          renameSync(temp, target);
        } else {
          try {
            await (handle as FileHandle).writeFile(bytes);
          } finally {
            await (handle as FileHandle).close();
          }
          await rename(temp, target);
        }
        written = bytes.length;
      }
    } catch (error) {
      await rm(temp, { force: true });
      await this.#pruneEmptyFolders(dirname(temp));
      if (hasCode(error, 'EISDIR', 'ENOTEMPTY', 'EEXIST')) {
        throw invalidParameter(`Cannot store artifact '${rel}': a folder has that name.`);
      }
      throw artifactFsError(error, 'store', rel);
    }
    return { path: rel, name: artifactBaseName(rel), isDir: false, size: written };
  }

  async get(path: string): Promise<ArtifactDownload> {
    const rel = validateArtifactPath(path);
    const file = await this.#locate(rel, { followLast: true, create: false });
    if (file === undefined) throw missing(rel);
    let handle;
    try {
      // #locate resolved every link, so one here is a dangling link: not a file.
      handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      if (hasCode(error, 'ENOENT', 'ENOTDIR', 'ELOOP')) throw missing(rel);
      throw artifactFsError(error, 'read', rel);
    }
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw missing(rel);
    }
    return { body: handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES }), size: info.size };
  }

  async list(dir: string = ''): Promise<ArtifactInfo[]> {
    const rel = validateArtifactPath(dir, 'folder');
    const folder = await this.#locate(rel, { followLast: true, create: false });
    if (folder === undefined) return [];
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (hasCode(error, 'ENOENT', 'ENOTDIR')) return [];
      throw artifactFsError(error, 'list', rel);
    }
    const base = folder.endsWith(sep) ? folder : folder + sep;
    const infos: ArtifactInfo[] = [];
    for (let i = 0; i < entries.length; i++) {
      if (i > 0 && i % STAT_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      const entry = entries[i] as Dirent;
      if (entry.name.startsWith(UPLOAD_PREFIX)) continue;
      const info = this.#describe(base + entry.name, joinArtifactPath(rel, entry.name), entry);
      if (info !== undefined) infos.push(info);
    }
    return sortArtifactInfos(infos);
  }

  async stat(path: string): Promise<ArtifactInfo | undefined> {
    const rel = validateArtifactPath(path, 'folder');
    const target = await this.#locate(rel, { followLast: true, create: false });
    return target === undefined ? undefined : this.#describe(target, rel);
  }

  async delete(path: string): Promise<void> {
    const rel = validateArtifactPath(path, 'folder');
    if (rel === '') throw invalidPath('the root of the repository cannot be deleted', path);
    const target = await this.#locate(rel, { followLast: false, create: false });
    if (target === undefined) return;
    try {
      // A symbolic link is removed itself, never what it leads to.
      await rm(target, { recursive: true, force: true });
    } catch (error) {
      if (hasCode(error, 'ENOTDIR')) return;
      throw artifactFsError(error, 'delete', rel);
    }
    await this.#pruneEmptyFolders(dirname(target));
  }

  async close(): Promise<void> {}

  /**
   * The file or folder at `absolute` (reached by `rel`), or `undefined` when none (or a link out
   * of the root). Synchronous: see {@link STAT_SLICE}.
   */
  #describe(absolute: string, rel: string, entry?: Dirent): ArtifactInfo | undefined {
    const name = artifactBaseName(rel);
    if (entry?.isDirectory()) return { path: rel, name, isDir: true };
    if (entry && !entry.isFile() && !entry.isSymbolicLink()) return undefined;
    try {
      if (entry?.isSymbolicLink() && !isInside(realpathSync(absolute), this.#realRoot as string)) {
        return undefined;
      }
      const info = statSync(absolute);
      if (info.isDirectory()) return { path: rel, name, isDir: true };
      if (info.isFile()) return { path: rel, name, isDir: false, size: info.size };
      return undefined;
    } catch (error) {
      if (hasCode(error, 'ENOENT', 'ENOTDIR', 'ELOOP')) return undefined;
      throw artifactFsError(error, 'list', rel);
    }
  }

  /**
   * The real location of `rel`: every symbolic link on the way resolved (the last one too when
   * `followLast`), refused when that leaves the root; `undefined` when the root does not exist.
   */
  async #locate(rel: string, options: { followLast: boolean; create: boolean }): Promise<string | undefined> {
    const root = await this.#resolveRoot(options.create);
    if (root === undefined || rel === '') return root;
    const segments = rel.split('/');
    let depth = options.followLast ? segments.length : segments.length - 1;
    let real: string;
    // Synchronous: a few microseconds each on a local disk, where an asynchronous realpath (a
    // trip to the thread pool, and an error object for each missing folder) cost over ten times
    // as much CPU on the upload of a new trace's file.
    for (;;) {
      try {
        real = depth === 0 ? root : realpathSync.native(join(root, ...segments.slice(0, depth)));
        break;
      } catch (error) {
        if (!hasCode(error, 'ENOENT', 'ENOTDIR')) throw artifactFsError(error, 'reach', rel);
        depth--;
      }
    }
    if (!isInside(real, root)) {
      throw invalidPath('it leads outside the artifact root through a symbolic link', rel);
    }
    return join(real, ...segments.slice(depth));
  }

  async #resolveRoot(create: boolean): Promise<string | undefined> {
    if (this.#realRoot !== undefined) return this.#realRoot;
    try {
      if (create) await mkdir(this.root, { recursive: true });
      this.#realRoot = await realpath(this.root);
      return this.#realRoot;
    } catch (error) {
      if (!create && hasCode(error, 'ENOENT')) return undefined;
      throw artifactFsError(error, 'open the root for', '');
    }
  }

  /**
   * Creates file `path` (new) and the folders above it. The file is opened before a byte of the
   * body is read, and again after a concurrent deletion pruned a folder just made.
   */
  async #createInFolder(path: string, rel: string): Promise<FileHandle> {
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dirname(path), { recursive: true });
        return await open(path, 'wx');
      } catch (error) {
        if (hasCode(error, 'EEXIST', 'ENOTDIR')) {
          throw invalidParameter(`Cannot store artifact '${rel}': a file is in the way of its folder.`);
        }
        if (hasCode(error, 'ENOENT') && attempt < 3) continue;
        throw artifactFsError(error, 'store', rel);
      }
    }
  }

  /** Removes `folder` and the folders above it while they are empty, up to the root (kept). */
  async #pruneEmptyFolders(folder: string): Promise<void> {
    const root = this.#realRoot;
    for (let current = folder; root !== undefined && isInside(current, root) && current !== root;) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
      current = dirname(current);
    }
  }
}

/**
 * Creates file `path` (new) and the folders above it, as {@link LocalArtifactRepository.put}'s
 * private `#createInFolder` does, synchronously: the open file's descriptor.
 */
function createInFolderSync(path: string, rel: string): number {
  for (let attempt = 1; ; attempt++) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      return openSync(path, 'wx');
    } catch (error) {
      if (hasCode(error, 'EEXIST', 'ENOTDIR')) {
        throw invalidParameter(`Cannot store artifact '${rel}': a file is in the way of its folder.`);
      }
      if (hasCode(error, 'ENOENT') && attempt < 3) continue;
      throw artifactFsError(error, 'store', rel);
    }
  }
}

/** Writes all of `bytes` to the open file `fd`, then closes it. */
function writeAndClose(fd: number, bytes: Uint8Array): void {
  try {
    for (let offset = 0; offset < bytes.length;) {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    }
  } finally {
    closeSync(fd);
  }
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && codes.includes(code);
}

function missing(rel: string): AgentrackError {
  return notFound(`Artifact '${rel}' not found.`);
}

/** A file-system failure as an agentrack error naming the artifact, never the folder on disk. */
function artifactFsError(error: unknown, action: string, rel: string): AgentrackError {
  return fsError(error, action, rel === '' ? 'the artifact root' : `artifact '${rel}'`);
}
