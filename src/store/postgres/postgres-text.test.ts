import { describe, expect, it } from 'vitest';
import { nulRefusal, placeholderField } from './postgres-text.js';

describe('placeholderField', () => {
  it.each([
    ['INSERT INTO tags (run_seq, key, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', 3, 'tags.value'],
    ['INSERT INTO tags (run_seq, key, value) VALUES ($1, $2, $3), ($4, $5, $6)', 5, 'tags.key'],
    ['UPDATE runs SET name = $1 WHERE run_seq = $2', 1, 'name'],
    ['SELECT 1 FROM experiments WHERE name = $1', 1, 'name'],
    ['SELECT 1 FROM params WHERE run_seq = $1 AND key IN ($2, $3, $4)', 3, 'key'],
    ['SELECT 1 FROM runs r WHERE r.name LIKE $12', 12, 'r.name'],
    ['SELECT $1::text', 1, 'parameter $1'],
  ])('%s, $%i → %s', (text, index, field) => {
    expect(placeholderField(text, index)).toBe(field);
  });
});

describe('nulRefusal', () => {
  it('refuses the first text parameter holding U+0000 and passes everything else', () => {
    const text = 'INSERT INTO t (a, b, c) VALUES ($1, $2, $3)';
    expect(nulRefusal(text, ['ok', 1, Buffer.from([0])])).toBeUndefined();
    expect(nulRefusal(text, undefined)).toBeUndefined();
    expect(nulRefusal(text, ['ok', 'x', 'a\u0000'])).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message:
        'Invalid value for t.c: it contains the NUL character (U+0000), which a PostgreSQL store cannot hold.',
    });
  });
});
