import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The files below a folder (none when it does not exist), with their sizes, hidden ones included. */
export function filesBelow(root: string): Record<string, number> {
  const found: Record<string, number> = {};
  const walk = (folder: string, prefix: string) => {
    if (!existsSync(folder)) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else found[`${prefix}${entry.name}`] = statSync(path).size;
    }
  };
  walk(root, '');
  return found;
}
