import { createArtifactLocator, type ArtifactLocator } from '../artifacts/artifact-locator.js';
import { isProxiedArtifactUri } from '../artifacts/artifact-locations.js';
import { joinArtifactPath } from '../artifacts/artifact-path.js';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { defaultProxiedArtifacts } from '../client/proxied-artifacts.js';
import { isAgentrackError } from '../errors.js';
import type { OpenStoreOptions } from '../store/open-store.js';
import type { TrackingTarget } from '../store/tracking-uri.js';

/** A file below an artifact root: its path from the root and its size in bytes. */
export interface ArtifactFile {
  path: string;
  size: number;
}

/** Files and bytes an artifact copy moved (or a walk found). */
export interface ArtifactTotals {
  files: number;
  bytes: number;
}

/** How many files move at once in {@link ArtifactAccess.copyTree}. */
const COPY_CONCURRENCY = 8;

/**
 * The artifacts of one store, as its clients reach them: artifact URIs resolved through the
 * store's artifact repositories ({@link createArtifactLocator}), `mlflow-artifacts:` ones to
 * the folder beside an embedded database or to a server's artifact service, others (`s3:`,
 * `file:`) opened directly.
 */
export class ArtifactAccess {
  readonly #locator: ArtifactLocator;
  readonly #release: (() => Promise<void>) | undefined;
  /** The names in folders listed to find out which run folders exist, by the folder's URI. */
  readonly #listed = new Map<string, Promise<Set<string>>>();

  constructor(locator: ArtifactLocator, release?: () => Promise<void>) {
    this.#locator = locator;
    this.#release = release;
  }

  /** The artifacts of the store a tracking target names, as a client opened on it reaches them. */
  static forTarget(target: TrackingTarget, options: OpenStoreOptions = {}): ArtifactAccess {
    const proxied = defaultProxiedArtifacts(target, options);
    const locator = createArtifactLocator({
      proxied: proxied.proxied,
      ...(options.env ? { env: options.env } : {}),
    });
    return new ArtifactAccess(locator, proxied.release);
  }

  /**
   * Every file below the artifact root `uri`, by path; none when it is empty or missing. A run's
   * or model's root (`<parent>/<id>/artifacts`) is looked up in one listing of `<parent>` first,
   * kept for the next: most runs of a large store have no artifacts, and one listing of their
   * experiment's folder answers for all of them.
   */
  async files(uri: string): Promise<ArtifactFile[]> {
    if (uri === '') return [];
    const owned = /^(.*[^/])\/([^/]+)\/artifacts$/.exec(uri);
    if (owned && !(await this.#names(owned[1] as string)).has(owned[2] as string)) return [];
    const { repository, path } = await this.#locator.locate(uri);
    const out: ArtifactFile[] = [];
    const walk = async (folder: string, relative: string): Promise<void> => {
      let entries;
      try {
        entries = await repository.list(folder);
      } catch (error) {
        if (isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) return;
        throw error;
      }
      for (const entry of entries) {
        const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDir) await walk(entry.path, rel);
        else out.push({ path: rel, size: entry.size ?? 0 });
      }
    };
    await walk(path, '');
    return out;
  }

  #names(folder: string): Promise<Set<string>> {
    let names = this.#listed.get(folder);
    if (names === undefined) {
      names = this.#locator
        .locate(folder)
        .then(({ repository, path }) => repository.list(path))
        .then((entries) => new Set(entries.map((entry) => entry.name)));
      this.#listed.set(folder, names);
    }
    return names;
  }

  /**
   * Copies every file below the artifact root `from` (in this store) to the same paths below
   * `to` in `target`'s store, streamed. A file the target already has with the same size is
   * left alone, so a copy run again only moves what is missing; the same non-proxied location
   * on both sides (an `s3:` root both stores point at) is not copied onto itself.
   */
  async copyTree(from: string, target: ArtifactAccess, to: string): Promise<ArtifactTotals> {
    if (from === '' || to === '' || (from === to && !isProxiedArtifactUri(from))) {
      return { files: 0, bytes: 0 };
    }
    const files = await this.files(from);
    if (files.length === 0) return { files: 0, bytes: 0 };
    const source = await this.#locator.locate(from);
    const destination = await target.#locator.locate(to);
    const totals: ArtifactTotals = { files: 0, bytes: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < files.length; i = next++) {
        const file = files[i] as ArtifactFile;
        await copyFile(
          source.repository,
          joinArtifactPath(source.path, file.path),
          destination.repository,
          joinArtifactPath(destination.path, file.path),
          file.size,
        );
        totals.files += 1;
        totals.bytes += file.size;
      }
    };
    await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, files.length) }, worker));
    return totals;
  }

  /** Closes the repositories opened. */
  async close(): Promise<void> {
    try {
      await this.#locator.close();
    } finally {
      await this.#release?.();
    }
  }
}

async function copyFile(
  from: ArtifactRepository,
  fromPath: string,
  to: ArtifactRepository,
  toPath: string,
  size: number,
): Promise<void> {
  const there = await to.stat(toPath);
  if (there !== undefined && !there.isDir && there.size === size) return;
  const download = await from.get(fromPath);
  await to.put(toPath, download.body, {
    size,
    ...(download.contentType !== undefined ? { contentType: download.contentType } : {}),
  });
}
