export { openSqliteStore, type SqliteStoreOptions, type StoreMode } from './sqlite-store.js';
export { SqliteDriver, type SqliteDriverOptions } from './sqlite-driver.js';
export { sqliteDialect } from './sqlite-dialect.js';
export { describeSqliteError } from './sqlite-errors.js';
