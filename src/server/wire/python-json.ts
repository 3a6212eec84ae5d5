// Python's json module reads three words JSON lacks, where a value may stand.
const NON_FINITE: ReadonlyMap<string, number> = new Map([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
]);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERALS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['true', true],
  ['false', false],
  ['null', null],
  ...NON_FINITE,
]);

/**
 * Parses JSON as Python's `json.loads` reads it, which is how MLflow's server reads a request
 * body: standard JSON, plus the bare tokens `NaN`, `Infinity` and `-Infinity` as values,
 * read as the numbers they name. Text inside strings is never touched. Anything else that is
 * not JSON throws a `SyntaxError`. Slower than `JSON.parse`: meant for the bodies it refuses.
 *
 * @example parsePythonJson('{"value": NaN}') // { value: NaN }
 */
export function parsePythonJson(text: string): unknown {
  const reader = new Reader(text);
  const value = reader.value();
  reader.skipSpace();
  if (reader.pos < text.length) throw reader.error();
  return value;
}

class Reader {
  readonly #text: string;
  pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  value(): unknown {
    this.skipSpace();
    const c = this.#text[this.pos];
    if (c === '{') return this.#object();
    if (c === '[') return this.#array();
    if (c === '"') return this.#string();
    for (const [word, value] of LITERALS) {
      if (this.#text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = this.pos;
    const number = NUMBER.exec(this.#text);
    if (!number) throw this.error();
    this.pos += number[0].length;
    return Number(number[0]);
  }

  skipSpace(): void {
    const text = this.#text;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return;
      this.pos++;
    }
  }

  error(): SyntaxError {
    return this.pos < this.#text.length
      ? new SyntaxError(`Unexpected token at position ${this.pos}`)
      : new SyntaxError('Unexpected end of JSON input');
  }

  #object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.skipSpace();
    if (this.#take('}')) return out;
    do {
      this.skipSpace();
      if (this.#text[this.pos] !== '"') throw this.error();
      const key = this.#string();
      this.skipSpace();
      if (!this.#take(':')) throw this.error();
      // A defined property, so that a key `__proto__` is data, as JSON.parse makes it.
      Object.defineProperty(out, key, {
        value: this.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipSpace();
    } while (this.#take(','));
    if (!this.#take('}')) throw this.error();
    return out;
  }

  #array(): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.#take(']')) return out;
    do {
      out.push(this.value());
      this.skipSpace();
    } while (this.#take(','));
    if (!this.#take(']')) throw this.error();
    return out;
  }

  // Finds the closing quote and lets JSON.parse decode the literal, escapes and all.
  #string(): string {
    const text = this.#text;
    let end = this.pos + 1;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    if (end >= text.length) {
      this.pos = text.length;
      throw this.error();
    }
    const literal = text.slice(this.pos, end + 1);
    this.pos = end + 1;
    return JSON.parse(literal) as string;
  }

  #take(c: string): boolean {
    if (this.#text[this.pos] !== c) return false;
    this.pos++;
    return true;
  }
}
