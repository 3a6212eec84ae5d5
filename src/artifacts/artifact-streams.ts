import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { invalidParameter, type AgentrackError } from '../errors.js';

/**
 * A pass-through that fails the stream when it carries more or fewer than `size` bytes, so
 * that a body shorter or longer than announced never becomes a stored file.
 */
export function expectLength(size: number, path: string): Transform {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw invalidParameter(
      `Invalid size for artifact '${path}': ${size} (a whole number of bytes is expected).`,
    );
  }
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > size) callback(lengthMismatch(path, size, `more than ${size}`));
      else callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      callback(seen === size ? null : lengthMismatch(path, size, `only ${seen}`));
    },
  });
}

/** The errors of {@link limitLength}. */
export interface LengthLimitErrors {
  /** The error a body over the limit fails with. */
  tooLarge: () => AgentrackError;
  /** The error a body without a byte fails with. */
  empty: () => AgentrackError;
}

/**
 * A pass-through that fails the stream once more than `maxBytes` went through it, and when it
 * ends having carried none, so that a body over a limit (or an empty one) never becomes a
 * stored file, however it was sent (with a `Content-Length` or chunked).
 */
export function limitLength(maxBytes: number, errors: LengthLimitErrors): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(errors.tooLarge());
      else callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      callback(seen === 0 ? errors.empty() : null);
    },
  });
}

/** The error of a body of `received` bytes announced as `size`. */
export function lengthMismatch(path: string, size: number, received: string): AgentrackError {
  return invalidParameter(
    `The body of artifact '${path}' was announced as ${size} bytes but held ${received}.`,
  );
}

/**
 * Reads `body` in parts of exactly `partSize` bytes (the last one shorter, never empty unless
 * the body is), copying the chunks as they arrive into buffers from `buffer()` (which may hand
 * back buffers of earlier parts once they are sent), and reading no further than the part being
 * filled: the consumer's pace is the body's pace.
 */
export async function* readParts(
  body: Readable,
  partSize: number,
  buffer: () => Buffer = () => Buffer.allocUnsafeSlow(partSize),
): AsyncGenerator<Buffer> {
  let part = buffer();
  let filled = 0;
  let yielded = false;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let offset = 0; offset < data.length;) {
      const copied = data.copy(
        part,
        filled,
        offset,
        offset + Math.min(data.length - offset, partSize - filled),
      );
      filled += copied;
      offset += copied;
      if (filled === partSize) {
        yielded = true;
        yield part;
        part = buffer();
        filled = 0;
      }
    }
  }
  if (filled > 0 || !yielded) yield part.subarray(0, filled);
}
