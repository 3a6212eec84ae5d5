import { AgentrackError, type ErrorCode } from '../../errors.js';

/**
 * What a database's error means to the shared SQL core, whatever the database: each driver
 * classifies its own errors into these (see `SqlDriver.describeError`).
 *
 * - `unique-violation`, `foreign-key-violation`, `constraint-violation` (NOT NULL, CHECK, ...);
 * - `busy`: another connection holds a lock the statement needs;
 * - `serialization`: the transaction lost a race (a serialization failure, a deadlock) and may
 *   simply run again;
 * - `timeout`: a statement or lock timeout ended the statement;
 * - `unavailable`: the server cannot be reached or is going away;
 * - `readonly`: the database, its file or the transaction may not be written;
 * - `corrupt`: the database's files are damaged;
 * - `full`: the disk (or a quota) is full;
 * - `other`: any other error of the database (a syntax error, an I/O error, ...).
 */
export const DATABASE_ERROR_KINDS = [
  'unique-violation',
  'foreign-key-violation',
  'constraint-violation',
  'busy',
  'serialization',
  'timeout',
  'unavailable',
  'readonly',
  'corrupt',
  'full',
  'other',
] as const;

/** A kind from {@link DATABASE_ERROR_KINDS}. */
export type DatabaseErrorKind = (typeof DATABASE_ERROR_KINDS)[number];

/**
 * The error code each kind is reported with. A unique violation the store did not expect is a
 * bug (or a race the store does not handle), so INTERNAL_ERROR: a store that expects one maps it
 * to RESOURCE_ALREADY_EXISTS itself, with MLflow's message (see {@link isDatabaseError}).
 */
const ERROR_CODE_OF: Readonly<Record<DatabaseErrorKind, ErrorCode>> = {
  'unique-violation': 'INTERNAL_ERROR',
  'foreign-key-violation': 'INTERNAL_ERROR',
  'constraint-violation': 'INTERNAL_ERROR',
  busy: 'TEMPORARILY_UNAVAILABLE',
  serialization: 'TEMPORARILY_UNAVAILABLE',
  timeout: 'TEMPORARILY_UNAVAILABLE',
  unavailable: 'TEMPORARILY_UNAVAILABLE',
  readonly: 'INTERNAL_ERROR',
  corrupt: 'INTERNAL_ERROR',
  full: 'INTERNAL_ERROR',
  other: 'INTERNAL_ERROR',
};

/** The most parameters a {@link DatabaseError} keeps, and the most characters of each. */
export const MAX_REPORTED_PARAMS = 20;
const MAX_PARAM_CHARS = 200;
/** The most characters of the statement the message shows (the `statement` field keeps it all). */
const MAX_MESSAGE_SQL_CHARS = 500;

/** Options of the {@link DatabaseError} constructor. */
export interface DatabaseErrorOptions {
  /** The database, for the message: `SQLite`, `PostgreSQL`. */
  database: string;
  kind: DatabaseErrorKind;
  /** The driver's error. */
  cause: unknown;
  /** The statement that failed, when the error came from one (not from BEGIN, COMMIT or a connection). */
  statement?: string;
  /** The statement's parameters; for a bulk statement, its first row's. */
  params?: readonly unknown[];
  /** How many parameter lists a bulk statement (`runMany`) had; the message then says so. */
  rows?: number;
}

/**
 * A database's error, wrapped once by the shared SQL core ({@link withDatabaseErrors}): the
 * driver's error as `cause`, its {@link DatabaseErrorKind}, and the statement and its
 * parameters, so that a failure says what was being done. The parameters are kept as short
 * text (at most {@link MAX_REPORTED_PARAMS}, 200 characters each; bytes by their length only),
 * so a large value is never copied into messages. Its name stays `AgentrackError`, so
 * {@link isAgentrackError} and every error handler treat it as any agentrack error.
 *
 * @example
 * // SQLite error (SQLITE_CONSTRAINT_FOREIGNKEY): FOREIGN KEY constraint failed; statement: INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?); parameters: ['r1', 'k', 'v']
 */
export class DatabaseError extends AgentrackError {
  /** The database whose error this is: `SQLite`, `PostgreSQL`. */
  readonly database: string;
  /** What the error means, whatever the database. */
  readonly kind: DatabaseErrorKind;
  /** The statement that failed, in full; undefined when no statement did (BEGIN, COMMIT, connecting). */
  readonly statement: string | undefined;
  /** The statement's parameters as short text (see {@link DatabaseError}). */
  readonly params: readonly string[] | undefined;

  constructor(options: DatabaseErrorOptions) {
    const params = options.params === undefined ? undefined : reportedParams(options.params);
    super(ERROR_CODE_OF[options.kind], messageOf(options, params), { cause: options.cause });
    this.database = options.database;
    this.kind = options.kind;
    this.statement = options.statement;
    this.params = params;
  }
}

/**
 * True when `error` is a {@link DatabaseError} (of one of `kinds`, when given): how a store
 * recognises the failure it expects, e.g. a unique violation it reports as RESOURCE_ALREADY_EXISTS.
 *
 * @example if (isDatabaseError(error, 'unique-violation')) throw experimentExists(name);
 */
export function isDatabaseError(error: unknown, ...kinds: DatabaseErrorKind[]): error is DatabaseError {
  return error instanceof DatabaseError && (kinds.length === 0 || kinds.includes(error.kind));
}

/** `SQLite error (SQLITE_BUSY): database is locked; statement: ...; parameters: [...]`. */
function messageOf(options: DatabaseErrorOptions, params: readonly string[] | undefined): string {
  const { cause } = options;
  const code = (cause as { code?: unknown } | null)?.code;
  const label =
    typeof code === 'string' ? `${options.database} error (${code})` : `${options.database} error`;
  let message = `${label}: ${cause instanceof Error ? cause.message : String(cause)}`;
  if (options.statement !== undefined) message += `; statement: ${oneLine(options.statement)}`;
  if (params !== undefined && options.rows !== undefined) {
    message += `; parameters (first of ${options.rows} rows): [${params.join(', ')}]`;
  } else if (params !== undefined && params.length > 0) {
    message += `; parameters: [${params.join(', ')}]`;
  }
  return message;
}

function oneLine(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  return text.length > MAX_MESSAGE_SQL_CHARS ? `${text.slice(0, MAX_MESSAGE_SQL_CHARS)}…` : text;
}

/** The parameters as short text: bytes by their size, long text cut, at most {@link MAX_REPORTED_PARAMS}. */
function reportedParams(params: readonly unknown[]): string[] {
  const shown = params.slice(0, MAX_REPORTED_PARAMS).map(paramText);
  if (params.length > MAX_REPORTED_PARAMS) shown.push(`… ${params.length - MAX_REPORTED_PARAMS} more`);
  return shown;
}

function paramText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  const text = typeof value === 'string' ? value : String(value);
  const cut =
    text.length > MAX_PARAM_CHARS ? `${text.slice(0, MAX_PARAM_CHARS)}… (${text.length} chars)` : text;
  return `'${cut.replace(/'/g, "''")}'`;
}
