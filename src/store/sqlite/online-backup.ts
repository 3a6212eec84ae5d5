import { existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AgentrackError } from '../../errors.js';

/** What {@link onlineBackup} copied. */
export interface OnlineBackupResult {
  /** The database's pages, as copied. */
  pages: number;
  /** How many times SQLite started over because another connection wrote meanwhile. */
  restarts: number;
}

/** After SQLite's first step (100 pages), every later step copies all that is left at once, under one read transaction: one snapshot. */
const ALL_PAGES = 2 ** 30;

/**
 * Copies the SQLite database at `source` into a new file at `destination` with SQLite's online
 * backup API, while other connections (a running server) keep reading and writing it. The copy
 * is one snapshot: after a first small step, the rest is copied in one step, which holds a
 * read transaction (in WAL mode writers go on meanwhile); when a writer slips in between the
 * two, SQLite starts over, again in one step. The copy goes to `<destination>.partial` and is
 * renamed only once complete and checked (`PRAGMA integrity_check`), so no half-written file
 * is ever at `destination`. A missing source, or an existing destination, is INVALID_STATE.
 *
 * @example await onlineBackup('/data/agentrack.db', '/backups/2026-12-04/agentrack.db');
 */
export async function onlineBackup(source: string, destination: string): Promise<OnlineBackupResult> {
  if (!existsSync(source)) {
    throw new AgentrackError('INVALID_STATE', `No database at ${source} to back up.`);
  }
  if (existsSync(destination)) {
    throw new AgentrackError(
      'INVALID_STATE',
      `${destination} already exists: a backup never overwrites a file.`,
    );
  }
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  let restarts = 0;
  let pages = 0;
  let lastRemaining = Number.POSITIVE_INFINITY;
  try {
    await db.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        pages = totalPages;
        if (remainingPages > lastRemaining) restarts++;
        lastRemaining = remainingPages;
        return ALL_PAGES;
      },
    });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  const copy = new Database(partial);
  try {
    const problems = copy.pragma('integrity_check', { simple: false }) as { integrity_check: string }[];
    const report = problems.map((row) => row.integrity_check);
    if (report.length !== 1 || report[0] !== 'ok') {
      throw new AgentrackError(
        'INTERNAL_ERROR',
        `The backup of ${source} failed SQLite's integrity check: ${report.slice(0, 5).join('; ')}`,
      );
    }
    pages = (copy.pragma('page_count', { simple: true }) as number) || pages;
  } catch (error) {
    copy.close();
    rmSync(partial, { force: true });
    throw error;
  }
  copy.close();
  renameSync(partial, destination);
  return { pages, restarts };
}
