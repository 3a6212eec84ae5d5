/**
 * The tokenizer shared by the filter and order_by parsers.
 *
 * Words may contain inner dots (`metrics.rmse`, `tags.mlflow.runName`), so an identifier
 * with an unquoted key is one token; a quoted key (`tags.\`my key\``) arrives as a word,
 * a dot and a quoted string. Inside quotes, a doubled quote character stands for itself.
 */

/** Kinds of tokens. */
export const TOKEN_KINDS = [
  'word',
  'number',
  'quoted',
  'operator',
  'lparen',
  'rparen',
  'comma',
  'dot',
  'unknown',
  'eof',
] as const;
/** One of {@link TOKEN_KINDS}. */
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** The quote characters a quoted token may use. */
export type QuoteChar = "'" | '"' | '`';

/** One token. `text` is the raw source slice; `value` is the decoded content. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Words and operators: the text; quoted: the unescaped content; numbers: the number. */
  readonly value: string | number;
  /** For quoted tokens, the quote character. */
  readonly quote?: QuoteChar;
  /** Set on a quoted token whose closing quote is missing (it then runs to the end). */
  readonly unterminated?: boolean;
  readonly start: number;
  readonly end: number;
}

/** A scanner over one source string: `scan()` returns the next token, then `eof` forever. */
export interface Scanner {
  scan(): Token;
  /** The next token, without consuming it. */
  peek(): Token;
}

const WORD_START = /[\p{L}_]/u;
const WORD_PART = /[\p{L}\p{N}_]/u;
const DIGIT = /[0-9]/;
const NUMBER = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/;
const OPERATOR_CHARS = '<>=!';
const WHITESPACE = /\s/u;

/** The number `text` spells when the whole of it is one number literal, else `undefined`. */
export function numberLiteral(text: string): number | undefined {
  const match = NUMBER.exec(text);
  return match !== null && match[0] === text ? Number(text) : undefined;
}

/** True when `text` would scan back as exactly one word token with that text. */
export function isPlainWord(text: string): boolean {
  return /^[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}\p{N}_]+)*$/u.test(text);
}

/** True when `key` can follow `prefix.` unquoted and scan back as part of one word. */
export function isPlainKey(key: string): boolean {
  return /^[\p{L}\p{N}_]+(?:\.[\p{L}\p{N}_]+)*$/u.test(key);
}

function codePointAt(text: string, index: number): string {
  const cp = text.codePointAt(index);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** Creates a scanner over `text`. */
export function createScanner(text: string): Scanner {
  let pos = 0;
  let lookahead: Token | undefined;

  function make(kind: TokenKind, start: number, end: number, extra?: Partial<Token>): Token {
    const raw = text.slice(start, end);
    return { kind, text: raw, value: raw, start, end, ...extra };
  }

  function scanWord(start: number): Token {
    let i = start;
    for (;;) {
      const char = codePointAt(text, i);
      if (char !== '' && WORD_PART.test(char)) {
        i += char.length;
        continue;
      }
      const next = codePointAt(text, i + 1);
      if (char === '.' && next !== '' && WORD_PART.test(next)) {
        i += 1;
        continue;
      }
      break;
    }
    return make('word', start, i);
  }

  function scanQuoted(start: number, quote: QuoteChar): Token {
    let i = start + 1;
    let value = '';
    for (;;) {
      if (i >= text.length) {
        return make('quoted', start, text.length, { value, quote, unterminated: true });
      }
      const char = text[i];
      if (char === quote) {
        if (text[i + 1] === quote) {
          value += quote;
          i += 2;
          continue;
        }
        return make('quoted', start, i + 1, { value, quote });
      }
      value += char;
      i += 1;
    }
  }

  function next(): Token {
    while (pos < text.length && WHITESPACE.test(text[pos] ?? '')) pos += 1;
    const start = pos;
    if (start >= text.length) return make('eof', start, start);
    const char = codePointAt(text, start);
    const after = text[start + 1] ?? '';
    let token: Token;
    if (
      DIGIT.test(char) ||
      (char === '.' && DIGIT.test(after)) ||
      (char === '-' && (DIGIT.test(after) || (after === '.' && DIGIT.test(text[start + 2] ?? ''))))
    ) {
      const match = NUMBER.exec(text.slice(start));
      const raw = match?.[0] ?? char;
      token = make('number', start, start + raw.length, { value: Number(raw) });
    } else if (WORD_START.test(char)) {
      token = scanWord(start);
    } else if (char === "'" || char === '"' || char === '`') {
      token = scanQuoted(start, char);
    } else if (OPERATOR_CHARS.includes(char)) {
      let end = start;
      while (end < text.length && OPERATOR_CHARS.includes(text[end] ?? '')) end += 1;
      token = make('operator', start, end);
    } else if (char === '(') {
      token = make('lparen', start, start + 1);
    } else if (char === ')') {
      token = make('rparen', start, start + 1);
    } else if (char === ',') {
      token = make('comma', start, start + 1);
    } else if (char === '.') {
      token = make('dot', start, start + 1);
    } else {
      token = make('unknown', start, start + char.length);
    }
    pos = token.end;
    return token;
  }

  return {
    scan() {
      if (lookahead !== undefined) {
        const token = lookahead;
        lookahead = undefined;
        return token;
      }
      return next();
    },
    peek() {
      lookahead ??= next();
      return lookahead;
    },
  };
}
