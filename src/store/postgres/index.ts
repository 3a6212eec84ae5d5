export { PostgresDriver, type PostgresDriverOptions } from './postgres-driver.js';
export { postgresDialect } from './postgres-dialect.js';
export {
  describePostgresError,
  postgresErrorKind,
  wrapPostgresError,
  type PostgresErrorKind,
} from './postgres-errors.js';
export {
  openPostgresStore,
  redactConnectionString,
  type PostgresStoreMode,
  type PostgresStoreOptions,
} from './postgres-store.js';
