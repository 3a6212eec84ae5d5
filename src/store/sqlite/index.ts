export { openSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { SqliteDriver, type SqliteDriverOptions } from './sqlite-driver.js';
