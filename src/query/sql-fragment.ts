/**
 * SQL as data: a fragment is a list of text pieces and parameter slots, in textual order.
 * Values can only enter a fragment through {@link param}, so they only ever leave as
 * parameters; text comes from template literals written in this module's source.
 */

/** A parameter slot. */
export interface SqlParam {
  readonly param: unknown;
}

/** A piece of a fragment: SQL text or a parameter slot. */
export type SqlPart = string | SqlParam;

/** A piece of SQL with its parameters in textual order. */
export type SqlFragment = readonly SqlPart[];

/** A fragment holding one parameter. */
export function param(value: unknown): SqlFragment {
  return [{ param: value }];
}

/**
 * Builds a fragment from a template whose interpolations are fragments.
 *
 * @example
 * sql`r.status = ${param('FAILED')}`
 */
export function sql(strings: TemplateStringsArray, ...parts: SqlFragment[]): SqlFragment {
  const out: SqlPart[] = [];
  strings.forEach((text, i) => {
    if (text !== '') out.push(text);
    const part = parts[i];
    if (part !== undefined) out.push(...part);
  });
  return out;
}

/** SQL text that is not a value: a column or table name from a fixed table in this module. */
export function raw(text: string): SqlFragment {
  return [text];
}

/** `fragments` separated by `separator`. */
export function join(fragments: readonly SqlFragment[], separator: string): SqlFragment {
  return fragments.flatMap((fragment, i) => (i === 0 ? [...fragment] : [separator, ...fragment]));
}

/** The final SQL text, with placeholders from `placeholder(n)` (1-based), and its parameters. */
export function renderSql(
  fragment: SqlFragment,
  placeholder: (index: number) => string,
): { sql: string; params: unknown[] } {
  let text = '';
  const params: unknown[] = [];
  for (const part of fragment) {
    if (typeof part === 'string') {
      text += part;
    } else {
      params.push(part.param);
      text += placeholder(params.length);
    }
  }
  return { sql: text, params };
}
