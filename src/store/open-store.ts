import type { TrackingStore } from './tracking-store.js';
import { openRestStore } from './rest/rest-store.js';
import type { RestStoreOptions } from './rest/rest-config.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
import { parseTrackingUri, resolveTrackingUri } from './tracking-uri.js';

/** Options of {@link openStore}: each backend reads the ones that concern it. */
export interface OpenStoreOptions extends SqliteStoreOptions, RestStoreOptions {}

/**
 * Opens the store a tracking URI names (see {@link resolveTrackingUri} for the default): the
 * embedded SQLite file, or over REST an `http(s)://` tracking server or a Databricks workspace.
 */
export async function openStore(uri?: string, options: OpenStoreOptions = {}): Promise<TrackingStore> {
  const target = parseTrackingUri(resolveTrackingUri(uri, options.env ?? process.env));
  if (target.kind === 'sqlite') return openSqliteStore(target.path, options);
  return openRestStore(target, options);
}
