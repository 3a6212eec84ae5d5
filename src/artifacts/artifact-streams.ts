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

function lengthMismatch(path: string, size: number, received: string): AgentrackError {
  return invalidParameter(
    `The body of artifact '${path}' was announced as ${size} bytes but held ${received}.`,
  );
}

/**
 * Reads `body` in parts of exactly `partSize` bytes (the last one shorter, never empty unless
 * the body is), reading ahead no further than the part being filled: the consumer's pace is
 * the body's pace.
 */
export async function* readParts(body: Readable, partSize: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let yielded = false;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    while (pendingBytes + data.length >= partSize) {
      const take = partSize - pendingBytes;
      pending.push(data.subarray(0, take));
      data = data.subarray(take);
      yielded = true;
      yield Buffer.concat(pending, partSize);
      pending = [];
      pendingBytes = 0;
    }
    if (data.length > 0) {
      pending.push(data);
      pendingBytes += data.length;
    }
  }
  if (pendingBytes > 0 || !yielded) yield Buffer.concat(pending, pendingBytes);
}
