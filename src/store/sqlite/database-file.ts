import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  rmdirSync,
  statSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import { dirname } from 'node:path';
import { AgentrackError } from '../../errors.js';
import { cannotOpen, cannotOpenBecause } from './open-error.js';

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
/** Length of SQLite's file header. */
const HEADER_SIZE = 100;

/** What {@link probeDatabaseFile} found at a path, read without changing anything. */
export type DatabaseFile =
  | { kind: 'missing' }
  | { kind: 'empty' }
  | { kind: 'sqlite'; wal: boolean }
  | { kind: 'other'; head: Buffer };

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The stats of `path`, or undefined when it (or a folder on its way) does not exist. */
function statIfPresent(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * The nearest existing ancestor folder of `path`'s folder, and the folders missing below it
 * (outermost first). Throws `cannot open` naming an ancestor that is a file, not a folder.
 */
function missingFolders(path: string): string[] {
  const missing: string[] = [];
  let dir = dirname(path);
  for (;;) {
    let stats: Stats | undefined;
    try {
      stats = statIfPresent(dir);
    } catch (error) {
      throw cannotOpen(path, error, `cannot reach ${dir}`);
    }
    if (stats) {
      if (!stats.isDirectory())
        throw cannotOpenBecause(path, `${dir} is not a folder`, 'INVALID_PARAMETER_VALUE');
      return missing;
    }
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) return missing;
    dir = parent;
  }
}

/**
 * Looks at the file a SQLite tracking URI names, reading at most its 100-byte header and
 * changing nothing (not even its modification time): missing, empty, a SQLite database (and
 * whether in WAL mode), or something else. A path that cannot be read, a folder or a device
 * fails with `cannot open <path>: <why>`.
 */
export function probeDatabaseFile(path: string): DatabaseFile {
  let stats: Stats | undefined;
  try {
    stats = statIfPresent(path);
  } catch (error) {
    throw cannotOpen(path, error);
  }
  if (!stats) {
    missingFolders(path); // an ancestor that is a file is an error, not a missing database
    return { kind: 'missing' };
  }
  if (stats.isDirectory()) {
    throw cannotOpenBecause(path, 'it is a folder, not a database file', 'INVALID_PARAMETER_VALUE');
  }
  if (!stats.isFile()) {
    throw cannotOpenBecause(path, 'it is not a regular file', 'INVALID_PARAMETER_VALUE');
  }
  if (stats.size === 0) return { kind: 'empty' };
  const head = Buffer.alloc(HEADER_SIZE);
  let length: number;
  try {
    const fd = openSync(path, 'r');
    try {
      length = readSync(fd, head, 0, HEADER_SIZE, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw cannotOpen(path, error, 'cannot read it');
  }
  if (length < HEADER_SIZE || !head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    return { kind: 'other', head: head.subarray(0, length) };
  }
  // Bytes 18 and 19 are the write and read format versions: 2 for WAL, 1 for a rollback journal.
  return { kind: 'sqlite', wal: head[18] === 2 || head[19] === 2 };
}

/** The refusal of a file that is not a SQLite database, saying what it starts with. */
export function notSqlite(path: string, head: Buffer): AgentrackError {
  // The header may end inside a multi-byte character.
  const text = head.toString('utf8').replace(/\ufffd$/, '');
  const printable = /^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/u.test(text) && !text.includes('\ufffd');
  const firstLine = text.split(/\r?\n/)[0] ?? '';
  const found = printable
    ? `it holds text: ${JSON.stringify(firstLine.length > 40 ? `${firstLine.slice(0, 40)}...` : firstLine)}`
    : `its first bytes are ${[...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
  return new AgentrackError(
    'INVALID_PARAMETER_VALUE',
    `${path} is not a SQLite database (${found}); agentrack never writes to it. Give agentrack another file.`,
  );
}

/** Whether the process may write to `path` (for root: whether the file system is writable). */
export function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fails with `cannot open <path> for writing: <why>` unless the existing database file and
 * its folder (where SQLite keeps the -wal and -shm files) can be written.
 */
export function checkWritable(path: string): void {
  try {
    closeSync(openSync(path, 'r+'));
  } catch (error) {
    throw cannotOpen(path, error, 'cannot write to it');
  }
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (error) {
    throw cannotOpen(
      path,
      error,
      `cannot write to its folder ${dirname(path)} (SQLite keeps the -wal and -shm files there)`,
    );
  }
}

/** What {@link createDatabaseFile} made, so that a failed open can take it back. */
export interface CreatedDatabaseFile {
  /** False when another process created the file first: then it is not ours to remove. */
  created: boolean;
  /** Removes the file (while still empty) and the folders made for it (while still empty). */
  undo(): void;
}

/**
 * Creates an empty database file at `path` and the folders missing above it, one at a time
 * (a recursive `mkdir` can spin forever under `/proc`). Fails with `cannot open <path>: ...`
 * naming the step and the reason; nothing is left behind on failure.
 */
export function createDatabaseFile(path: string): CreatedDatabaseFile {
  const madeFolders: string[] = [];
  const removeFolders = () => {
    for (const dir of madeFolders.reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // Something else is in it now: it is no longer ours alone.
      }
    }
  };
  try {
    for (const dir of missingFolders(path)) {
      try {
        mkdirSync(dir);
        madeFolders.push(dir);
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw cannotOpen(path, error, `cannot create the folder ${dir}`);
      }
    }
    try {
      closeSync(openSync(path, 'wx'));
    } catch (error) {
      if (errnoOf(error) === 'EEXIST') return { created: false, undo: removeFolders };
      throw cannotOpen(path, error, 'cannot create the file');
    }
  } catch (error) {
    removeFolders();
    throw error;
  }
  return {
    created: true,
    undo: () => {
      try {
        // SQLite writes the header when it switches to WAL: an empty file holds nothing of anyone's.
        if (existsSync(path) && statSync(path).size === 0) {
          unlinkSync(path);
          for (const suffix of ['-journal', '-wal', '-shm']) {
            if (existsSync(path + suffix)) unlinkSync(path + suffix);
          }
        }
      } catch {
        // Best effort: the open error is what the caller reports.
      }
      removeFolders();
    },
  };
}
