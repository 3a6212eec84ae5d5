import type { TrackingStore } from './tracking-store.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
import { parseTrackingUri, resolveTrackingUri } from './tracking-uri.js';

/** Options of {@link openStore}. */
export type OpenStoreOptions = SqliteStoreOptions;

/** Opens the store a tracking URI names (see {@link resolveTrackingUri} for the default). */
export async function openStore(uri?: string, options: OpenStoreOptions = {}): Promise<TrackingStore> {
  const target = parseTrackingUri(resolveTrackingUri(uri));
  return openSqliteStore(target.path, options);
}
