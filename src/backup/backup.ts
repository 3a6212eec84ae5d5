import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { artifactUriScheme, localPath } from '../artifacts/artifact-registry.js';
import { defaultArtifactsDestination } from '../artifacts/artifact-locations.js';
import { UPLOAD_PREFIX } from '../artifacts/local-artifact-repository.js';
import { ArtifactAccess } from '../copy/artifact-access.js';
import { verifyStores } from '../copy/copy-stores.js';
import { StoreReader } from '../copy/store-reader.js';
import { compareTallies, tallyStore, type Tallies, type VerifyRow } from '../copy/verify.js';
import { AgentrackError, invalidParameter } from '../errors.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { onlineBackup } from '../store/sqlite/online-backup.js';

/** The name of the file that describes a backup folder. */
export const MANIFEST_FILE = 'agentrack-backup.json';
const FORMAT = 'agentrack-backup/1';

/** What a backup folder's {@link MANIFEST_FILE} holds. */
export interface BackupManifest {
  format: typeof FORMAT;
  /** When the snapshot was taken (ms since the epoch). */
  createdAt: number;
  /** The database backed up, absolute. */
  source: string;
  /** The database file in the folder, by name. */
  database: string;
  /** The artifacts folder in the folder, by name; absent when the artifacts were not local (S3: the bucket's own tools). */
  artifacts?: string;
  /** Where the artifacts were, when they were not copied. */
  artifactsNotCopied?: string;
  pages: number;
  /** Counts and checksums of the backup, per kind of object, as `agentrack copy` verifies. */
  tallies: Tallies;
}

/** Options of {@link backupDatabase}. */
export interface BackupOptions {
  /** The SQLite database to back up (a running server may be writing it). */
  database: string;
  /** A folder that does not exist yet, or is empty: the backup goes there. */
  destination: string;
  /**
   * Where the database's proxied artifacts are (its server's `--artifacts-destination`): a local
   * folder or `file:` URI is copied; anything else (S3) is named in the manifest, not copied.
   * Default: the folder beside the database.
   */
  artifacts?: string;
  now?: () => number;
}

/** What {@link backupDatabase} made. */
export interface BackupResult {
  manifest: BackupManifest;
  /** The manifest's path. */
  path: string;
  /** Artifact files copied. */
  files: number;
  /** How often the snapshot started over because the database changed under it (see {@link onlineBackup}). */
  restarts: number;
}

/** The local folder an artifacts destination names, or undefined for one that is not local. */
function localFolder(uri: string): string | undefined {
  return artifactUriScheme(uri) === 'file' ? localPath(uri) : undefined;
}

async function emptyFolder(folder: string): Promise<void> {
  if (existsSync(folder)) {
    const entries = await readdir(folder);
    if (entries.length > 0) {
      throw new AgentrackError(
        'INVALID_STATE',
        `${folder} is not empty: a backup goes into a new or empty folder.`,
      );
    }
  }
  await mkdir(folder, { recursive: true });
}

/** Copies the folder `from` into `to`, leaving out uploads in progress; the number of files. */
async function copyArtifacts(from: string, to: string): Promise<number> {
  if (!existsSync(from)) return 0;
  await cp(from, to, {
    recursive: true,
    errorOnExist: true,
    force: false,
    filter: (source) => !basename(source).startsWith(UPLOAD_PREFIX),
  });
  return countFiles(to);
}

async function countFiles(folder: string): Promise<number> {
  if (!existsSync(folder)) return 0;
  let count = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) count++;
  }
  return count;
}

/** Counts and checksums of the SQLite database at `path`, with its artifacts in the folder beside it. */
async function talliesOf(path: string): Promise<Tallies> {
  const store = await openSqliteStore(path, { mode: 'read' });
  const access = ArtifactAccess.forTarget({ kind: 'sqlite', path, uri: `sqlite:///${path}` });
  try {
    return await tallyStore(new StoreReader(store), { artifacts: access, serverTimes: true });
  } finally {
    await access.close();
    await store.close();
  }
}

/**
 * `agentrack backup`: an online, consistent copy of the SQLite database at `options.database`
 * and of its local artifacts, while a server runs and writes. The database is copied first,
 * as one snapshot through SQLite's online backup API ({@link onlineBackup}), then the
 * artifacts folder (files being uploaded left out): every artifact a run of the snapshot had
 * is there. The folder gets a manifest ({@link MANIFEST_FILE}) with the backup's counts and
 * checksums per kind of object, which {@link restoreDatabase} checks.
 *
 * @example await backupDatabase({ database: '/data/agentrack.db', destination: '/backups/2026-12-04' });
 */
export async function backupDatabase(options: BackupOptions): Promise<BackupResult> {
  const source = resolve(options.database);
  const destination = resolve(options.destination);
  if (!existsSync(source)) throw new AgentrackError('INVALID_STATE', `No database at ${source} to back up.`);
  const artifactsUri = options.artifacts ?? defaultArtifactsDestination(source);
  const artifactsFrom = artifactsUri !== undefined ? localFolder(artifactsUri) : undefined;
  await emptyFolder(destination);
  const database = basename(source);
  const databaseCopy = join(destination, database);
  const createdAt = (options.now ?? Date.now)();
  const { pages, restarts } = await onlineBackup(source, databaseCopy);
  // The artifacts folder beside the copy, as beside the original: opening the copy finds them.
  const artifactsName = basename(defaultArtifactsDestination(databaseCopy) as string);
  const files =
    artifactsFrom !== undefined ? await copyArtifacts(artifactsFrom, join(destination, artifactsName)) : 0;
  const tallies = await talliesOf(databaseCopy);
  const manifest: BackupManifest = {
    format: FORMAT,
    createdAt,
    source,
    database,
    ...(artifactsFrom !== undefined ? { artifacts: artifactsName } : {}),
    ...(artifactsFrom === undefined && artifactsUri !== undefined
      ? { artifactsNotCopied: artifactsUri }
      : {}),
    pages,
    tallies,
  };
  const path = join(destination, MANIFEST_FILE);
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, path, files, restarts };
}

/** Reads and checks the manifest of the backup folder `folder`. */
export async function readManifest(folder: string): Promise<BackupManifest> {
  const path = join(resolve(folder), MANIFEST_FILE);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as BackupManifest;
  } catch (error) {
    throw invalidParameter(
      `${folder} is not an agentrack backup: cannot read ${path} (${(error as Error).message}).`,
    );
  }
  if (
    manifest?.format !== FORMAT ||
    typeof manifest.database !== 'string' ||
    manifest.database.includes('/')
  ) {
    throw invalidParameter(
      `${path} is not a manifest this version of agentrack can restore (format ${String(manifest?.format)}).`,
    );
  }
  return manifest;
}

/** Options of {@link restoreDatabase}. */
export interface RestoreOptions {
  /** The backup folder ({@link backupDatabase}'s destination). */
  backup: string;
  /** The SQLite file to restore to; it must not exist (stop the servers and move the old one away first). */
  database: string;
}

/** What {@link restoreDatabase} did. */
export interface RestoreResult {
  manifest: BackupManifest;
  /** The backup checked against its manifest: counts and checksums side by side. */
  checked: VerifyRow[];
  /** The restored database and artifacts against the backup. */
  verification: VerifyRow[];
  files: number;
}

/**
 * `agentrack restore`: checks the backup against its manifest (counts and checksums), copies
 * its database to `options.database` (through SQLite's backup API, into a new file renamed when
 * complete) and its artifacts beside it, then verifies the restored store against the backup as
 * `agentrack copy` does. A backup that no longer matches its manifest is restored nowhere.
 */
export async function restoreDatabase(options: RestoreOptions): Promise<RestoreResult> {
  const folder = resolve(options.backup);
  const manifest = await readManifest(folder);
  const backupDb = join(folder, manifest.database);
  const target = resolve(options.database);
  if (existsSync(target)) {
    throw new AgentrackError(
      'INVALID_STATE',
      `${target} already exists: restore into a new file (stop the servers and move the old database away first).`,
    );
  }
  const backupArtifacts = manifest.artifacts !== undefined ? join(folder, manifest.artifacts) : undefined;
  const checked = compareTallies(manifest.tallies, await talliesOf(backupDb));
  if (!checked.every((row) => row.equal)) {
    const kinds = checked.filter((row) => !row.equal).map((row) => row.kind);
    throw new AgentrackError(
      'INVALID_STATE',
      `The backup in ${folder} no longer matches its manifest (${kinds.join(', ')}): nothing was restored.`,
    );
  }
  const targetArtifacts = defaultArtifactsDestination(target) as string;
  if (
    backupArtifacts !== undefined &&
    existsSync(targetArtifacts) &&
    (await readdir(targetArtifacts)).length > 0
  ) {
    throw new AgentrackError('INVALID_STATE', `${targetArtifacts} is not empty: nothing was restored.`);
  }
  await mkdir(resolve(target, '..'), { recursive: true });
  await onlineBackup(backupDb, target);
  let files = 0;
  try {
    if (backupArtifacts !== undefined) files = await copyArtifacts(backupArtifacts, targetArtifacts);
  } catch (error) {
    await rm(target, { force: true });
    throw error;
  }
  const verification = await verifyStores({
    from: `sqlite:///${backupDb}`,
    to: `sqlite:///${target}`,
    ...(backupArtifacts !== undefined
      ? { fromArtifacts: backupArtifacts, toArtifacts: targetArtifacts }
      : {}),
  });
  return { manifest, checked, verification, files };
}
