import type { SqlExecutor } from './sql-driver.js';

/**
 * Makes every auto-numbered id continue after the greatest id its table holds, for tables
 * whose rows were written with ids of their own (the experiment Default, id 0, in the first
 * migration; a copy that keeps the source's ids). On PostgreSQL a BIGSERIAL's sequence knows
 * nothing of ids inserted explicitly, and the next insert would take one already used; each
 * sequence of the current schema is set past its column's greatest value (never back). SQLite
 * numbers a new row after the greatest rowid by itself: nothing to do there.
 */
export async function syncSerialIds(tx: SqlExecutor, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect !== 'postgres') return;
  const serials = await tx.all<{ table_name: string; column_name: string; sequence: string | null }>(
    `SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) AS sequence
     FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'
     ORDER BY table_name, column_name`,
  );
  for (const { table_name: table, column_name: column, sequence } of serials) {
    if (sequence === null) continue;
    // The greater of the next value the sequence would give and one past the column's greatest.
    await tx.get(
      `SELECT setval($1::regclass, GREATEST(
         (SELECT COALESCE(MAX("${column}"), 0) + 1 FROM "${table}"),
         (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM ${sequence})
       ), false)`,
      [sequence],
    );
  }
}
