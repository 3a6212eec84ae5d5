import { isAbsolute, resolve } from 'node:path';
import { invalidParameter } from '../errors.js';

/** A tracking URI, parsed into the backend it names. */
export type TrackingTarget = { kind: 'sqlite'; path: string; uri: string };

/** The file used when no tracking URI is configured anywhere. */
export const DEFAULT_DATABASE = './agentrack.db';

/**
 * The tracking URI in effect: the argument, else `AGENTRACK_TRACKING_URI`, else
 * `MLFLOW_TRACKING_URI`, else the embedded database `./agentrack.db`.
 */
export function resolveTrackingUri(uri?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = uri ?? nonEmpty(env.AGENTRACK_TRACKING_URI) ?? nonEmpty(env.MLFLOW_TRACKING_URI);
  return chosen ?? `sqlite:///${DEFAULT_DATABASE.replace(/^\.\//, '')}`;
}

/**
 * Parses a tracking URI.
 *
 * SQLite URIs follow MLflow (SQLAlchemy): `sqlite:///relative.db` is relative to the working
 * directory, `sqlite:////absolute/path.db` is absolute, `sqlite:///:memory:` is a private
 * in-memory database. A bare path ending in `.db`, `.sqlite` or `.sqlite3` is taken as a
 * SQLite file too.
 */
export function parseTrackingUri(uri: string, cwd: string = process.cwd()): TrackingTarget {
  const trimmed = uri.trim();
  if (trimmed.startsWith('sqlite:')) {
    const match = /^sqlite:\/\/\/(.*)$/s.exec(trimmed.split('?')[0] ?? '');
    if (!match) {
      throw invalidParameter(
        `Invalid SQLite tracking URI '${uri}': use sqlite:///relative/path.db or sqlite:////absolute/path.db.`,
      );
    }
    const rest = decodeURIComponent(match[1] ?? '');
    if (rest === '' || rest === ':memory:') return { kind: 'sqlite', path: ':memory:', uri: trimmed };
    return { kind: 'sqlite', path: isAbsolute(rest) ? rest : resolve(cwd, rest), uri: trimmed };
  }
  if (/^(https?:\/\/|databricks(:|$))/i.test(trimmed)) {
    throw invalidParameter(
      `The tracking URI '${uri}' names an MLflow server or Databricks workspace; this version of agentrack ` +
        `records runs in an embedded SQLite file only. Set AGENTRACK_TRACKING_URI (or --tracking-uri) to ` +
        `sqlite:///agentrack.db, or unset MLFLOW_TRACKING_URI.`,
    );
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !/^[a-z]:[\\/]/i.test(trimmed)) {
    const scheme = trimmed.slice(0, trimmed.indexOf(':'));
    throw invalidParameter(
      `Unsupported tracking URI scheme '${scheme}' in '${uri}'. This version supports sqlite:///path.db (embedded SQLite).`,
    );
  }
  if (/\.(db|sqlite3?)$/i.test(trimmed)) {
    return { kind: 'sqlite', path: resolve(cwd, trimmed), uri: `sqlite:///${resolve(cwd, trimmed)}` };
  }
  throw invalidParameter(
    `Unsupported tracking URI '${uri}'. Use sqlite:///relative/path.db or sqlite:////absolute/path.db.`,
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}
