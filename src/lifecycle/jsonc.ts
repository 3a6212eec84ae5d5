import { invalidParameter } from '../errors.js';

/**
 * Parses JSON with comments (`//`, `/* *\/`) and trailing commas, as configuration files are
 * written. Duplicate keys are refused. Errors are INVALID_PARAMETER_VALUE and read
 * `<fileName>:<line>:<column>: <problem>`.
 */
export function parseJsonc(text: string, fileName: string): unknown {
  return new JsoncParser(text, fileName).document();
}

const MAX_DEPTH = 512;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD_CHARACTER = /[\w.+-]/;

class JsoncParser {
  readonly #text: string;
  readonly #fileName: string;
  #at: number;
  #depth = 0;

  constructor(text: string, fileName: string) {
    this.#text = text;
    this.#fileName = fileName;
    this.#at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  document(): unknown {
    const value = this.#value();
    this.#skip();
    if (this.#at < this.#text.length) this.#fail(`unexpected ${this.#shown()} after the end of the value`);
    return value;
  }

  #fail(problem: string, at = this.#at): never {
    const before = this.#text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw invalidParameter(`${this.#fileName}:${line}:${column}: ${problem}`);
  }

  #shown(): string {
    const c = this.#text[this.#at];
    return c === undefined ? 'end of file' : JSON.stringify(c);
  }

  #skip(): void {
    const text = this.#text;
    for (;;) {
      const c = text[this.#at];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.#at++;
      else if (text.startsWith('//', this.#at)) {
        const end = text.indexOf('\n', this.#at);
        this.#at = end === -1 ? text.length : end + 1;
      } else if (text.startsWith('/*', this.#at)) {
        const end = text.indexOf('*/', this.#at + 2);
        if (end === -1) this.#fail('unterminated /* comment');
        this.#at = end + 2;
      } else return;
    }
  }

  #value(): unknown {
    this.#skip();
    const c = this.#text[this.#at];
    if (c === '{' || c === '[') {
      if (++this.#depth > MAX_DEPTH) this.#fail(`nested deeper than ${MAX_DEPTH} levels`);
      const value = c === '{' ? this.#object() : this.#array();
      this.#depth--;
      return value;
    }
    if (c === '"') return this.#string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.#number();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.#text.startsWith(word, this.#at) && !this.#wordContinues(this.#at + word.length)) {
        this.#at += word.length;
        return value;
      }
    }
    if (c === undefined) this.#fail('unexpected end of file; expected a value');
    this.#fail(`unexpected ${this.#shown()}; expected a value`);
  }

  #wordContinues(at: number): boolean {
    const c = this.#text[at];
    return c !== undefined && WORD_CHARACTER.test(c);
  }

  #object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.#at++;
    this.#skip();
    if (this.#text[this.#at] === '}') {
      this.#at++;
      return result;
    }
    for (;;) {
      this.#skip();
      if (this.#text[this.#at] !== '"')
        this.#fail(`unexpected ${this.#shown()}; expected a key in double quotes`);
      const keyAt = this.#at;
      const key = this.#string();
      if (seen.has(key)) this.#fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
      seen.add(key);
      this.#skip();
      if (this.#text[this.#at] !== ':') this.#fail(`unexpected ${this.#shown()}; expected ':' after the key`);
      this.#at++;
      // A plain assignment of "__proto__" would set the prototype instead of a key.
      Object.defineProperty(result, key, {
        value: this.#value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (this.#separator('}')) return result;
    }
  }

  #array(): unknown[] {
    const result: unknown[] = [];
    this.#at++;
    this.#skip();
    if (this.#text[this.#at] === ']') {
      this.#at++;
      return result;
    }
    for (;;) {
      result.push(this.#value());
      if (this.#separator(']')) return result;
    }
  }

  /** Reads `,` or the closing bracket after an item; true when the container is closed. */
  #separator(close: '}' | ']'): boolean {
    this.#skip();
    const c = this.#text[this.#at];
    if (c === ',') {
      this.#at++;
      this.#skip();
      if (this.#text[this.#at] !== close) return false;
    } else if (c !== close) {
      this.#fail(`unexpected ${this.#shown()}; expected ',' or '${close}'`);
    }
    this.#at++;
    return true;
  }

  #string(): string {
    const text = this.#text;
    const start = this.#at;
    let out = '';
    let chunk = ++this.#at;
    for (;;) {
      const c = text[this.#at];
      if (c === undefined) this.#fail('unterminated string', start);
      if (c === '"') break;
      if (c === '\\') {
        out += text.slice(chunk, this.#at);
        const escape = text[this.#at + 1];
        if (escape === 'u') {
          const hex = text.slice(this.#at + 2, this.#at + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.#fail('invalid \\u escape; expected four hex digits');
          out += String.fromCharCode(parseInt(hex, 16));
          this.#at += 6;
        } else {
          const replacement = escape === undefined ? undefined : ESCAPES[escape];
          if (replacement === undefined) this.#fail(`invalid escape \\${escape ?? ''} in a string`);
          out += replacement;
          this.#at += 2;
        }
        chunk = this.#at;
      } else if (c < ' ') {
        this.#fail(
          c === '\n' || c === '\r' ? 'unterminated string' : 'control character in a string; escape it',
        );
      } else this.#at++;
    }
    out += text.slice(chunk, this.#at);
    this.#at++;
    return out;
  }

  #number(): number {
    JSON_NUMBER.lastIndex = this.#at;
    const match = JSON_NUMBER.exec(this.#text);
    if (match === null || this.#wordContinues(this.#at + match[0].length)) this.#fail('invalid number');
    this.#at += match[0].length;
    return Number(match[0]);
  }
}
