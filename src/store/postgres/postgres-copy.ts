import { AgentrackError } from '../../errors.js';

/** Bytes of COPY data per CopyData message (the protocol has no limit; this keeps buffers small). */
const CHUNK_CHARS = 256 * 1024;

/**
 * One value as a field of PostgreSQL's COPY text format: `\N` for null, numbers as they print
 * (NaN and ±Infinity as float8 reads them, 64-bit integers whole), text with backslash,
 * tab, newline and carriage return escaped, so that no value can end its field or row early
 * (a literal `\N` becomes `\\N`, text). NUL, which PostgreSQL text cannot hold, is refused
 * naming `field`.
 */
export function copyField(value: unknown, field: string): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = String(value);
  if (!/[\\\t\n\r\0]/.test(text)) return text;
  if (text.includes('\0')) {
    throw new AgentrackError(
      'INVALID_PARAMETER_VALUE',
      `Invalid value for ${field}: it contains the NUL character (U+0000), which a PostgreSQL store cannot hold.`,
    );
  }
  return text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] as string);
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** `rows` as COPY text data (tab-separated fields, a newline after each row), in chunks. */
export function copyText(
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Buffer[] {
  const fields = columns.map((column) => `${table}.${column}`);
  const chunks: Buffer[] = [];
  let text = '';
  for (const row of rows) {
    let line = '';
    for (let j = 0; j < fields.length; j++) {
      if (j > 0) line += '\t';
      line += copyField(row[j], fields[j] as string);
    }
    text += `${line}\n`;
    if (text.length >= CHUNK_CHARS) {
      chunks.push(Buffer.from(text, 'utf8'));
      text = '';
    }
  }
  if (text.length > 0) chunks.push(Buffer.from(text, 'utf8'));
  return chunks;
}

/** The part of `pg`'s connection a {@link CopyFromStdin} writes to. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * A `COPY ... FROM STDIN` as a query `pg`'s client runs (its submittable protocol: the client
 * queues it like any query and hands it the server's messages): sends the statement, answers
 * the server's CopyInResponse with the data, and settles {@link done} with the rows copied
 * once the server is ready again, or with the server's error.
 */
export class CopyFromStdin {
  /** The rows copied, or the error of the statement. */
  readonly done: Promise<number>;
  readonly #text: string;
  readonly #chunks: readonly Buffer[];
  #rows = 0;
  #resolve!: (rows: number) => void;
  #reject!: (error: unknown) => void;

  constructor(text: string, chunks: readonly Buffer[]) {
    this.#text = text;
    this.#chunks = chunks;
    this.done = new Promise<number>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  submit(connection: CopyConnection): void {
    connection.query(this.#text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (const chunk of this.#chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text?: string }): void {
    const count = /^COPY (\d+)$/.exec(message.text ?? '');
    if (count) this.#rows = Number(count[1]);
  }

  handleReadyForQuery(): void {
    this.#resolve(this.#rows);
  }

  handleError(error: unknown): void {
    this.#reject(error);
  }

  // A COPY FROM returns no rows; these messages do not come for it.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}
