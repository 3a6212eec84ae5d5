import { printParseErrorCode, visit, type ParseErrorCode } from 'jsonc-parser';
import { invalidParameter } from '../errors.js';

/**
 * Parses JSON with comments (`//`, `/* *\/`) and trailing commas, as configuration files are
 * written. Duplicate keys are refused. Errors are INVALID_PARAMETER_VALUE and read
 * `<fileName>:<line>:<column>: <problem>`.
 */
export function parseJsonc(text: string, fileName: string): unknown {
  return new JsoncReader(text, fileName).read();
}

const MAX_DEPTH = 512;
const ESCAPED = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const WORD_CHARACTER = /[\w.+-]/;
const KEYWORD = /^(?:true|false|null)(?![\w.+-])/;

/** What the reader expects next, which words every error about a misplaced token. */
type Expecting = 'value' | 'key' | 'colon' | 'separator' | 'end';

/**
 * jsonc-parser's errors about a malformed token, by the kind of token; every other error
 * code says that a token stands where it does not belong.
 */
const MALFORMED: Partial<Record<ReturnType<typeof printParseErrorCode>, 'string' | 'number' | 'comment'>> = {
  UnexpectedEndOfString: 'string',
  InvalidCharacter: 'string',
  InvalidEscapeCharacter: 'string',
  InvalidUnicode: 'string',
  UnexpectedEndOfNumber: 'number',
  InvalidNumberFormat: 'number',
  UnexpectedEndOfComment: 'comment',
};

interface Container {
  value: Record<string, unknown> | unknown[];
  close: '}' | ']';
  expecting: Expecting;
  keys: Set<string>;
  key: string;
}

/**
 * Builds the value from jsonc-parser's events, stopping at the first problem. The library
 * reports where a token starts and what it wanted there; this adds what it cannot tell:
 * duplicate keys, the nesting limit, where inside a string the problem is, and (from what
 * it was expecting) whether a stray token stands where a key, a value or a separator belongs.
 */
class JsoncReader {
  readonly #text: string;
  readonly #fileName: string;
  readonly #stack: Container[] = [];
  #expecting: Expecting = 'value';
  #root: unknown;

  constructor(text: string, fileName: string) {
    // A byte order mark is blank space to us, not to jsonc-parser; a space keeps every offset.
    this.#text = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
    this.#fileName = fileName;
  }

  read(): unknown {
    visit(
      this.#text,
      {
        onObjectBegin: (offset) => this.#open({}, '}', offset),
        onArrayBegin: (offset) => this.#open([], ']', offset),
        onObjectEnd: (offset) => this.#close(offset),
        onArrayEnd: (offset) => this.#close(offset),
        onObjectProperty: (key, offset) => {
          const top = this.#top();
          if (top.keys.has(key)) this.#fail(`duplicate key ${JSON.stringify(key)}`, offset);
          top.keys.add(key);
          top.key = key;
          top.expecting = 'colon';
        },
        onSeparator: (character) => {
          const top = this.#top();
          top.expecting = character === ':' || top.close === ']' ? 'value' : 'key';
        },
        onLiteralValue: (value: unknown, offset, length) => {
          const next = this.#text[offset + length];
          if (typeof value === 'number' && next !== undefined && WORD_CHARACTER.test(next)) {
            this.#fail('invalid number', offset);
          }
          this.#add(value);
        },
        onError: (code, offset, length) => this.#error(code, offset, length),
      },
      { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false },
    );
    return this.#root;
  }

  get #state(): Expecting {
    return this.#stack.at(-1)?.expecting ?? this.#expecting;
  }

  #top(): Container {
    return this.#stack.at(-1) as Container;
  }

  #open(value: Container['value'], close: Container['close'], offset: number): void {
    if (this.#stack.length >= MAX_DEPTH) this.#fail(`nested deeper than ${MAX_DEPTH} levels`, offset);
    this.#stack.push({ value, close, expecting: close === '}' ? 'key' : 'value', keys: new Set(), key: '' });
  }

  /** jsonc-parser ends a container also when its bracket is missing; that is where the error is. */
  #close(offset: number): void {
    const top = this.#top();
    if (this.#text[offset] !== top.close) this.#misplaced(offset);
    this.#stack.pop();
    this.#add(top.value);
  }

  #add(value: unknown): void {
    const top = this.#stack.at(-1);
    if (top === undefined) {
      this.#root = value;
      this.#expecting = 'end';
    } else {
      if (Array.isArray(top.value)) top.value.push(value);
      // A plain assignment of "__proto__" would set the prototype instead of a key.
      else
        Object.defineProperty(top.value, top.key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      top.expecting = 'separator';
    }
  }

  /** A malformed token is reported as such only where a token of its kind belongs (as JSON.parse does). */
  #error(code: ParseErrorCode, offset: number, length: number): never {
    const kind = MALFORMED[printParseErrorCode(code)];
    const state = this.#state;
    if (kind === 'comment') this.#fail('unterminated /* comment', offset);
    if (kind === 'string' && (state === 'value' || state === 'key')) {
      this.#fail(...this.#stringProblem(offset, offset + length));
    }
    if (state === 'value') {
      // jsonc-parser reads a '-' without digits as an unknown symbol; it was meant as a number.
      if (kind === 'number' || this.#text[offset] === '-') this.#fail('invalid number', offset);
      // It reads `null#` as one unknown word, where JSON.parse reads null, then a stray '#'.
      const keyword = KEYWORD.exec(this.#text.slice(offset, offset + length))?.[0];
      if (keyword !== undefined) {
        this.#add(null);
        this.#misplaced(offset + keyword.length);
      }
    }
    this.#misplaced(offset);
  }

  /** A token that is not what belongs where it stands: a key, a value, a separator, or nothing. */
  #misplaced(offset: number): never {
    const state = this.#state;
    const c = this.#text[offset];
    const shown = c === undefined ? 'end of file' : JSON.stringify(c);
    if (state === 'end') this.#fail(`unexpected ${shown} after the end of the value`, offset);
    const expected = {
      value: 'a value',
      key: 'a key in double quotes',
      colon: "':' after the key",
      separator: `',' or '${this.#stack.at(-1)?.close ?? ''}'`,
    }[state];
    this.#fail(`unexpected ${shown}; expected ${expected}`, offset);
  }

  /**
   * jsonc-parser marks a whole string token as bad (with the last problem in it); the
   * message points at the first one.
   */
  #stringProblem(start: number, end: number): [string, number] {
    const text = this.#text;
    for (let at = start + 1; at < end; at++) {
      const c = text[at] as string;
      if (c === '\\') {
        const escape = text[at + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
            return ['invalid \\u escape; expected four hex digits', at];
          }
          at += 5;
        } else if (escape === undefined || !ESCAPED.has(escape)) {
          return [`invalid escape \\${escape ?? ''} in a string`, at];
        } else at++;
      } else if (c < ' ' && c !== '\n' && c !== '\r') {
        return ['control character in a string; escape it', at];
      }
    }
    // Nothing wrong inside: the string stops at a line break, or at the end of the file.
    return ['unterminated string', end < text.length ? end : start];
  }

  #fail(problem: string, at: number): never {
    const before = this.#text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw invalidParameter(`${this.#fileName}:${line}:${column}: ${problem}`);
  }
}
