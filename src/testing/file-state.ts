import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';

/** What a file is, byte for byte: its SHA-256, size and modification time. */
export interface FileState {
  sha256: string;
  size: number;
  mtimeMs: number;
}

/** The {@link FileState} of `path`, to compare before and after an operation that must not touch it. */
export function fileState(path: string): FileState {
  const stats = statSync(path);
  return {
    sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
    size: stats.size,
    mtimeMs: stats.mtimeMs,
  };
}

/** The names in a folder, sorted; `null` for a folder that does not exist. */
export function folderListing(dir: string): string[] | null {
  try {
    return readdirSync(dir).sort();
  } catch {
    return null;
  }
}
