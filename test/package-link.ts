import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder: the `agentrack` package. */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Lays out `project/node_modules` as `npm install` would for a project that depends on this
 * repository (`"agentrack": "file:..."`): `agentrack` linked to it, and the Node types.
 */
export function linkAgentrack(project: string): void {
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  symlinkSync(packageRoot, join(project, 'node_modules', 'agentrack'), 'dir');
  symlinkSync(
    join(packageRoot, 'node_modules', '@types', 'node'),
    join(project, 'node_modules', '@types', 'node'),
    'dir',
  );
}
