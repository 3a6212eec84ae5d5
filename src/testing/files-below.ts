import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The files below a folder (none when it does not exist), with their sizes, hidden ones
 * included. A file or folder that goes away while it is read (an upload's temporary file
 * renamed into place) is left out, so that tests may poll a folder that is being written.
 */
export function filesBelow(root: string): Record<string, number> {
  const found: Record<string, number> = {};
  const walk = (folder: string, prefix: string) => {
    const entries = ignoreVanished(() => readdirSync(folder, { withFileTypes: true }));
    for (const entry of entries ?? []) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else {
        const size = ignoreVanished(() => statSync(path).size);
        if (size !== undefined) found[`${prefix}${entry.name}`] = size;
      }
    }
  };
  walk(root, '');
  return found;
}

function ignoreVanished<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
