import { AgentrackError } from '../../errors.js';

/** `INSERT INTO <table> (<columns>) VALUES`, and where its tuples start. */
const INSERT_HEAD = /^\s*INSERT\s+INTO\s+([\w."]+)\s*\(([^()]*)\)\s*VALUES\s*/i;

/**
 * What the `$index` placeholder of `text` stands for, as a message can name it: the column of
 * an INSERT's tuple (`tags.value`), the column a condition or SET compares it with (`name`), or
 * `parameter $3`.
 */
export function placeholderField(text: string, index: number): string {
  const ref = new RegExp(`\\$${index}(?!\\d)`);
  const insert = INSERT_HEAD.exec(text);
  if (insert !== null) {
    const [head, table, list] = insert as unknown as [string, string, string];
    const columns = list.split(',').map((c) => c.trim());
    for (const tuple of text.slice(head.length).matchAll(/\(([^()]*)\)/g)) {
      const at = (tuple[1] ?? '').split(',').findIndex((entry) => ref.test(entry.trim()));
      if (at >= 0 && columns[at] !== undefined) return `${table}.${columns[at]}`;
    }
  }
  const compared = new RegExp(
    `([\\w."]+)\\s*(?:=|<>|!=|<=|>=|<|>|(?:NOT\\s+)?LIKE|(?:NOT\\s+)?IN\\s*\\([^()]*?)\\s*\\$${index}(?!\\d)`,
    'i',
  ).exec(text);
  return compared?.[1] ?? `parameter $${index}`;
}

/**
 * The refusal of a statement one of whose text parameters holds the NUL character (U+0000),
 * which PostgreSQL text cannot store or compare (the server would fail the statement with an
 * encoding error): INVALID_PARAMETER_VALUE naming the field. Undefined when there is none.
 */
export function nulRefusal(text: string, params: readonly unknown[] | undefined): AgentrackError | undefined {
  if (params === undefined) return undefined;
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    if (typeof value === 'string' && value.includes('\u0000')) {
      return new AgentrackError(
        'INVALID_PARAMETER_VALUE',
        `Invalid value for ${placeholderField(text, i + 1)}: it contains the NUL character (U+0000), ` +
          'which a PostgreSQL store cannot hold.',
      );
    }
  }
  return undefined;
}
