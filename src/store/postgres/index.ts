export { PostgresDriver, type PostgresDriverOptions } from './postgres-driver.js';
export { postgresDialect } from './postgres-dialect.js';
export { postgresErrorKind, wrapPostgresError, type PostgresErrorKind } from './postgres-errors.js';
