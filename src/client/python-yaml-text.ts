import { invalidParameter } from '../errors.js';
import { pythonFloatRepr } from '../utils/python-json-text.js';

/** PyYAML's defaults: lines fold after 80 columns, 2 spaces per level. */
const BEST_WIDTH = 80;
const BEST_INDENT = 2;

/** Characters PyYAML counts as a space around an indicator. */
const SPACE_LIKE: ReadonlySet<string> = new Set(['\0', ' ', '\t', '\r', '\n', '\x85', '\u2028', '\u2029']);
const LINE_BREAKS: ReadonlySet<string> = new Set(['\n', '\x85', '\u2028', '\u2029']);

/** Plain strings PyYAML would read back as something else (its implicit resolvers), so it quotes them. */
const IMPLICIT_TYPES: readonly RegExp[] = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:<<)$/,
  /^(?:=)$/,
];

/** PyYAML's short escapes in double-quoted scalars. */
const ESCAPES: Readonly<Record<string, string>> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xa0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

/**
 * Serializes `value` as PyYAML's `yaml.dump(value, indent=2, default_flow_style=False)` does,
 * which is how MLflow's `log_dict` writes a `.yaml` / `.yml` file: block style, keys sorted,
 * lists under a key not indented, empty collections as `{}` and `[]`, strings plain where
 * PyYAML leaves them plain and quoted where it quotes them (single quotes for strings that
 * would read back as another type, `''`; double quotes with escapes for non-ASCII and control
 * characters, since `allow_unicode` is off), long lines folded after 80 columns, numbers as
 * Python writes them (`.nan`, `.inf`, `1.0e+16`). A value reached twice is written twice
 * (PyYAML would write an anchor and an alias); a value containing itself is refused.
 *
 * @example pythonYamlText({ tools: ['search'], agent: 'x' }) // 'agent: x\ntools:\n- search\n'
 */
export function pythonYamlText(value: unknown): string {
  const emitter = new Emitter();
  emitter.node(value, null, { root: true });
  return emitter.finish();
}

/** Where a node stands, as PyYAML's emitter tracks it. */
interface NodeContext {
  root?: boolean;
  mapping?: boolean;
  simpleKey?: boolean;
}

interface ScalarAnalysis {
  empty: boolean;
  multiline: boolean;
  allowPlain: boolean;
  allowSingleQuoted: boolean;
}

class Emitter {
  #text = '';
  #column = 0;
  /** The last character written is a space (or nothing yet). */
  #whitespace = true;
  /** Only indentation has been written on this line so far. */
  #indention = true;
  /** The document ended in a plain scalar at the root: PyYAML then closes it with `...`. */
  #openEnded = false;
  readonly #open = new Set<object>();

  node(value: unknown, indent: number | null, context: NodeContext): void {
    const item = yamlValue(value);
    if (item === null || typeof item !== 'object') {
      this.#scalar(item, indent, context);
      return;
    }
    if (this.#open.has(item)) throw invalidParameter('Cannot write a value that contains itself as YAML.');
    this.#open.add(item);
    if (Array.isArray(item)) this.#sequence(item, indent, context);
    else this.#mapping(item as Record<string, unknown>, indent);
    this.#open.delete(item);
  }

  finish(): string {
    this.#writeIndent(0);
    if (this.#openEnded) {
      this.#indicator('...', true);
      this.#writeIndent(0);
    }
    return this.#text;
  }

  #sequence(items: readonly unknown[], indent: number | null, context: NodeContext): void {
    if (items.length === 0) {
      this.#indicator('[', true, { whitespace: true });
      this.#indicator(']', false);
      return;
    }
    // Under a mapping key, PyYAML writes the dashes at the key's own indentation.
    const indentless = context.mapping === true && !this.#indention;
    const itemIndent = indent === null ? 0 : indentless ? indent : indent + BEST_INDENT;
    for (const item of items) {
      this.#writeIndent(itemIndent);
      this.#indicator('-', true, { indention: true });
      this.node(item === undefined ? null : item, itemIndent, {});
    }
  }

  #mapping(object: Record<string, unknown>, indent: number | null): void {
    const entries = Object.entries(object)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    if (entries.length === 0) {
      this.#indicator('{', true, { whitespace: true });
      this.#indicator('}', false);
      return;
    }
    const keyIndent = indent === null ? 0 : indent + BEST_INDENT;
    for (const [key, item] of entries) {
      this.#writeIndent(keyIndent);
      const analysis = analyzeScalar(key);
      // PyYAML counts the key's tag too (`!!str`, 5 characters) against its limit of 128.
      if (!analysis.empty && !analysis.multiline && [...key].length + 5 < 128) {
        this.#scalar(key, keyIndent, { mapping: true, simpleKey: true });
        this.#indicator(':', false);
      } else {
        this.#indicator('?', true, { indention: true });
        this.#scalar(key, keyIndent, { mapping: true });
        this.#writeIndent(keyIndent);
        this.#indicator(':', true, { indention: true });
      }
      this.node(item, keyIndent, { mapping: true });
    }
  }

  #scalar(value: string | number | boolean | null, indent: number | null, context: NodeContext): void {
    const scalarIndent = indent === null ? BEST_INDENT : indent + BEST_INDENT;
    const split = context.simpleKey !== true;
    if (typeof value !== 'string') {
      this.#plain(representScalar(value), scalarIndent, split, context);
      return;
    }
    const analysis = analyzeScalar(value);
    const readsBackAsString = !IMPLICIT_TYPES.some((pattern) => matchesLikePython(pattern, value));
    const simpleKeyTrouble = context.simpleKey === true && (analysis.empty || analysis.multiline);
    if (readsBackAsString && !simpleKeyTrouble && analysis.allowPlain) {
      this.#plain(value, scalarIndent, split, context);
    } else if (analysis.allowSingleQuoted && !(context.simpleKey === true && analysis.multiline)) {
      this.#singleQuoted(value, scalarIndent, split);
    } else {
      this.#doubleQuoted(value, scalarIndent, split);
    }
  }

  #plain(text: string, indent: number, split: boolean, context: NodeContext): void {
    if (context.root) this.#openEnded = true;
    if (text === '') return;
    if (!this.#whitespace) this.#write(' ');
    this.#whitespace = false;
    this.#indention = false;
    const chars = [...text];
    let start = 0;
    let spaces = false;
    for (let end = 0; end <= chars.length; end++) {
      const ch = chars[end];
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.#column > BEST_WIDTH && split) this.#writeIndent(indent);
          else this.#write(chars.slice(start, end).join(''));
          start = end;
        }
      } else if (ch === undefined || ch === ' ') {
        this.#write(chars.slice(start, end).join(''));
        start = end;
      }
      spaces = ch === ' ';
    }
  }

  #singleQuoted(text: string, indent: number, split: boolean): void {
    this.#indicator("'", true);
    const chars = [...text];
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = chars[end];
      if (spaces) {
        if (ch !== ' ') {
          const fold =
            start + 1 === end && this.#column > BEST_WIDTH && split && start !== 0 && end !== chars.length;
          if (fold) this.#writeIndent(indent);
          else this.#write(chars.slice(start, end).join(''));
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !LINE_BREAKS.has(ch)) {
          // A line break inside single quotes is written as an empty line (one more break).
          if (chars[start] === '\n') this.#lineBreak();
          for (let i = start; i < end; i++) this.#lineBreak(chars[i]);
          this.#writeIndent(indent);
          start = end;
        }
      } else if (ch === undefined || ch === ' ' || ch === "'" || LINE_BREAKS.has(ch)) {
        if (start < end) {
          this.#write(chars.slice(start, end).join(''));
          start = end;
        }
      }
      if (ch === "'") {
        this.#write("''");
        start = end + 1;
      }
      if (ch !== undefined) {
        spaces = ch === ' ';
        breaks = LINE_BREAKS.has(ch);
      }
    }
    this.#indicator("'", false);
  }

  #doubleQuoted(text: string, indent: number, split: boolean): void {
    this.#indicator('"', true);
    const chars = [...text];
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = chars[end];
      if (ch === undefined || needsEscape(ch)) {
        if (start < end) {
          this.#write(chars.slice(start, end).join(''));
          start = end;
        }
        if (ch !== undefined) {
          this.#write(escapeChar(ch));
          start = end + 1;
        }
      }
      const fold =
        end > 0 &&
        end < chars.length - 1 &&
        (ch === ' ' || start >= end) &&
        this.#column + (end - start) > BEST_WIDTH &&
        split;
      if (fold) {
        const data = `${chars.slice(start, end).join('')}\\`;
        if (start < end) start = end;
        this.#write(data);
        this.#writeIndent(indent);
        this.#whitespace = false;
        this.#indention = false;
        if (chars[start] === ' ') this.#write('\\');
      }
    }
    this.#indicator('"', false);
  }

  #indicator(
    indicator: string,
    needWhitespace: boolean,
    flags: { whitespace?: boolean; indention?: boolean } = {},
  ): void {
    this.#write(this.#whitespace || !needWhitespace ? indicator : ` ${indicator}`);
    this.#whitespace = flags.whitespace === true;
    this.#indention = this.#indention && flags.indention === true;
  }

  #writeIndent(indent: number): void {
    if (!this.#indention || this.#column > indent || (this.#column === indent && !this.#whitespace)) {
      this.#lineBreak();
    }
    if (this.#column < indent) {
      this.#whitespace = true;
      this.#text += ' '.repeat(indent - this.#column);
      this.#column = indent;
    }
  }

  #lineBreak(data = '\n'): void {
    this.#text += data;
    this.#whitespace = true;
    this.#indention = true;
    this.#column = 0;
  }

  #write(data: string): void {
    this.#text += data;
    this.#column += [...data].length;
  }
}

/** `value` as YAML sees it: `toJSON()` applied, bigints as integers; functions and symbols refused. */
function yamlValue(value: unknown): string | number | boolean | null | object {
  let v = value;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON: () => unknown }).toJSON();
  }
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'object') {
    return v;
  }
  throw invalidParameter(`Cannot write a ${typeof v} as YAML.`);
}

/** How PyYAML's representer writes a number, boolean or null. */
function representScalar(value: number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Number.isNaN(value)) return '.nan';
  if (value === Infinity) return '.inf';
  if (value === -Infinity) return '-.inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  const repr = pythonFloatRepr(value);
  // PyYAML keeps a '.' in every float so that it reads back as one: 1e+16 becomes 1.0e+16.
  return repr.includes('.') || !repr.includes('e') ? repr : repr.replace('e', '.0e');
}

/** Python's `re.match(pattern + '$')`: `$` also matches before a final line break. */
function matchesLikePython(pattern: RegExp, text: string): boolean {
  return pattern.test(text) || (text.endsWith('\n') && pattern.test(text.slice(0, -1)));
}

function needsEscape(ch: string): boolean {
  const code = ch.codePointAt(0) as number;
  return ch === '"' || ch === '\\' || code < 0x20 || code > 0x7e;
}

function escapeChar(ch: string): string {
  const short = ESCAPES[ch];
  if (short !== undefined) return `\\${short}`;
  const code = ch.codePointAt(0) as number;
  const hex = code.toString(16).toUpperCase();
  if (code <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/** Which styles PyYAML's emitter allows for a string (its `analyze_scalar`, with `allow_unicode` off). */
function analyzeScalar(text: string): ScalarAnalysis {
  if (text === '') return { empty: true, multiline: false, allowPlain: true, allowSingleQuoted: true };
  const chars = [...text];
  let blockIndicators = text.startsWith('---') || text.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingOrTrailing = false;
  let breaksThenSpaces = false;
  let mixed = false;
  let precededBySpace = true;
  let followedBySpace = chars.length === 1 || SPACE_LIKE.has(chars[1] as string);
  // The current run of whitespace: its spaces, its breaks, a space before a break, from the start.
  let spaces = false;
  let breaks = false;
  let spaceThenBreak = false;
  let leading = false;
  for (let index = 0; index < chars.length; index++) {
    const ch = chars[index] as string;
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ((ch === '?' || ch === ':' || ch === '-') && followedBySpace) blockIndicators = true;
    } else if ((ch === ':' && followedBySpace) || (ch === '#' && precededBySpace)) {
      blockIndicators = true;
    }
    if (LINE_BREAKS.has(ch)) lineBreaks = true;
    const code = ch.codePointAt(0) as number;
    if (!(ch === '\n' || (code >= 0x20 && code <= 0x7e))) special = true;
    if (ch === ' ' || LINE_BREAKS.has(ch)) {
      if (spaces && breaks) {
        if (ch !== ' ') spaceThenBreak = true;
      } else if (spaces) {
        if (ch !== ' ') {
          breaks = true;
          spaceThenBreak = true;
        }
      } else if (breaks) {
        if (ch === ' ') spaces = true;
      } else {
        leading = index === 0;
        if (ch === ' ') spaces = true;
        else breaks = true;
      }
    } else if (spaces || breaks) {
      if (leading) {
        if (spaces && breaks) mixed = true;
        else leadingOrTrailing = true;
      } else if (spaceThenBreak) {
        mixed = true;
      } else if (spaces && breaks) {
        breaksThenSpaces = true;
      }
      spaces = breaks = spaceThenBreak = leading = false;
    }
    if ((spaces || breaks) && index === chars.length - 1) {
      if (spaces && breaks) mixed = true;
      else leadingOrTrailing = true;
      spaces = breaks = spaceThenBreak = leading = false;
    }
    precededBySpace = SPACE_LIKE.has(ch);
    followedBySpace = index + 2 >= chars.length || SPACE_LIKE.has(chars[index + 2] as string);
  }
  const quotedOnly = breaksThenSpaces || mixed || special;
  return {
    empty: false,
    multiline: lineBreaks,
    allowPlain: !(leadingOrTrailing || quotedOnly || lineBreaks || blockIndicators),
    allowSingleQuoted: !quotedOnly,
  };
}
