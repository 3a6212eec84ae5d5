import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sqliteDialect } from '../../query/index.js';
import { migrate } from '../sql/migrator.js';
import { SqlTrackingStore, type SqlStoreOptions } from '../sql/sql-store.js';
import { SqliteDriver, type SqliteDriverOptions } from './sqlite-driver.js';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions extends SqlStoreOptions, SqliteDriverOptions {}

/**
 * Opens the embedded store in the SQLite file at `path` (created with its folder when
 * missing, `:memory:` for a private in-memory database) and brings its schema up to date.
 *
 * @example
 * const store = await openSqliteStore('./agentrack.db');
 */
export async function openSqliteStore(
  path: string,
  options: SqliteStoreOptions = {},
): Promise<SqlTrackingStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const driver = SqliteDriver.open(path, options);
  try {
    await migrate(driver);
  } catch (error) {
    await driver.close();
    throw error;
  }
  return new SqlTrackingStore(driver, sqliteDialect, options);
}
