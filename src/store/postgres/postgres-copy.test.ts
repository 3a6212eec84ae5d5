import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAgentrackError } from '../../errors.js';
import { freshDatabase, type FreshDatabase } from '../../testing/postgres.js';
import { DatabaseError } from '../sql/database-error.js';
import type { SqlExecutor, SqlRunResult } from '../sql/sql-driver.js';
import { withDatabaseErrors } from '../sql/with-database-errors.js';
import { copyField } from './postgres-copy.js';
import { PostgresDriver } from './postgres-driver.js';

let db: FreshDatabase;
let driver: PostgresDriver;

beforeAll(async () => {
  db = await freshDatabase();
  driver = PostgresDriver.open({ connectionString: db.url });
});

afterAll(() => driver.close());

/** `tx.copyRows`, which a PostgreSQL executor has. */
function copy(
  tx: SqlExecutor,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<SqlRunResult> {
  if (tx.copyRows === undefined) throw new Error('the executor has no copyRows');
  return tx.copyRows(table, columns, rows);
}

/** Values that end a COPY text field or row early, or read as something else, when not escaped. */
const HOSTILE_TEXTS = [
  '',
  'plain',
  'tab\there',
  'new\nline',
  'carriage\rreturn\r\n',
  'back\\slash',
  '\\N',
  '\\',
  'ends with backslash\\',
  '\\t literal, not a tab',
  '\\\\N',
  'NULL',
  '"quoted", with, commas',
  'Ünïcödé — 日本語 — 🚀 — \u00a0\u2028\u2029',
  '\t\n\\\r',
];

describe('copyRows', () => {
  test('hostile text, NaN, ±Infinity, nulls and 64-bit integers round-trip through COPY', async () => {
    await driver.run(`CREATE TABLE hostile (i INTEGER, t TEXT, v DOUBLE PRECISION, n BIGINT, maybe TEXT)`);
    const numbers = [0, -0.5, 1e-300, Number.MAX_VALUE, Number.NaN, Infinity, -Infinity];
    const big = [0n, 9007199254740993n, -9223372036854775808n, 9223372036854775807n];
    const rows = HOSTILE_TEXTS.map((text, i) => [
      i,
      text,
      numbers[i % numbers.length],
      big[i % big.length],
      i % 2 === 0 ? null : text,
    ]);
    const result = await driver.transaction((tx) => copy(tx, 'hostile', ['i', 't', 'v', 'n', 'maybe'], rows));
    expect(result).toEqual({ changes: rows.length });
    const back = await driver.all<{
      i: number;
      t: string;
      v: number;
      n: number | bigint;
      maybe: string | null;
    }>(`SELECT i, t, v, n, maybe FROM hostile ORDER BY i`);
    expect(back.map((row) => [row.i, row.t, row.v, BigInt(row.n), row.maybe])).toEqual(rows);
  });

  test('many rows go in several chunks, in the transaction: rolled back with it', async () => {
    await driver.run(`CREATE TABLE bulk (i BIGINT PRIMARY KEY, t TEXT NOT NULL)`);
    const rows = Array.from({ length: 50_000 }, (_, i) => [i, `row ${i}\twith a tab and a long enough text`]);
    await expect(
      driver.transaction(async (tx) => {
        await copy(tx, 'bulk', ['i', 't'], rows);
        expect((await tx.get<{ n: number }>(`SELECT COUNT(*)::int AS n FROM bulk`))?.n).toBe(rows.length);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect((await driver.get<{ n: number }>(`SELECT COUNT(*)::int AS n FROM bulk`))?.n).toBe(0);
    await driver.transaction((tx) => copy(tx, 'bulk', ['i', 't'], rows));
    const last = await driver.get<{ t: string }>(`SELECT t FROM bulk WHERE i = ?`, [49_999]);
    expect(last?.t).toBe('row 49999\twith a tab and a long enough text');
  });

  test("the server's refusal fails the call, wrapped with the COPY statement, and the connection stays usable", async () => {
    await driver.run(`CREATE TABLE strict (i INTEGER PRIMARY KEY)`);
    const wrapped = withDatabaseErrors(driver);
    const error = await wrapped
      .transaction((tx) => copy(tx, 'strict', ['i'], [[1], [1]]))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).message).toContain('COPY strict (i) FROM STDIN');
    await wrapped.transaction((tx) => copy(tx, 'strict', ['i'], [[1], [2]]));
    expect(await driver.all(`SELECT i FROM strict ORDER BY i`)).toEqual([{ i: 1 }, { i: 2 }]);
  });

  test('NUL is refused before anything is sent, naming the column', async () => {
    await driver.run(`CREATE TABLE nul (t TEXT)`);
    const error = await driver
      .transaction((tx) => copy(tx, 'nul', ['t'], [['fine'], ['a\u0000b']]))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isAgentrackError(error, 'INVALID_PARAMETER_VALUE')).toBe(true);
    expect(String((error as Error).message)).toContain('nul.t');
    expect(await driver.all(`SELECT t FROM nul`)).toEqual([]);
  });
});

describe('copyField', () => {
  test('escapes exactly what COPY text format reads specially', () => {
    expect(copyField(null, 'x')).toBe('\\N');
    expect(copyField('\\N', 'x')).toBe('\\\\N');
    expect(copyField('a\tb\nc\rd\\e', 'x')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyField(Number.NaN, 'x')).toBe('NaN');
    expect(copyField(-Infinity, 'x')).toBe('-Infinity');
    expect(copyField(2n ** 63n - 1n, 'x')).toBe('9223372036854775807');
  });
});
