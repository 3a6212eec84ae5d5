import { describe, expect, it } from 'vitest';
import { driverSql } from './driver-sql.js';

describe('driverSql', () => {
  it('leaves SQLite statements as written', () => {
    expect(driverSql('sqlite')('SELECT * FROM runs WHERE run_uuid = ? AND name = ?')).toBe(
      'SELECT * FROM runs WHERE run_uuid = ? AND name = ?',
    );
  });

  it('numbers the placeholders of PostgreSQL statements, the same on every call', () => {
    const sql = driverSql('postgres');
    const text = 'UPDATE runs SET name = ? WHERE run_uuid = ? AND experiment_id IN (?, ?)';
    const expected = 'UPDATE runs SET name = $1 WHERE run_uuid = $2 AND experiment_id IN ($3, $4)';
    expect(sql(text)).toBe(expected);
    expect(sql(text)).toBe(expected);
    expect(sql('SELECT ?')).toBe('SELECT $1');
  });
});
