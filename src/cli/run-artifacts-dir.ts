import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isAgentrackError } from '../errors.js';
import type { RunHandle } from '../lifecycle/run-handle.js';
import { formatSize } from './output/size.js';

/**
 * What `agentrack run --artifacts DIR` does when the command has ended, before the run ends:
 * logs every file the command left below `dir` (as given, relative to `cwd`) as the run's
 * artifacts, keeping the tree, and says so through `note`. A missing folder, or one that
 * cannot be uploaded, is a warning: the run still ends by how the command ended.
 */
export async function logArtifactsDir(
  handle: RunHandle,
  dir: string,
  cwd: string,
  note: (line: string) => void,
): Promise<void> {
  const local = resolve(cwd, dir);
  const info = await stat(local).catch(() => undefined);
  if (info === undefined) {
    note(`warning: --artifacts ${dir}: no such folder; no artifacts logged`);
    return;
  }
  if (!info.isDirectory()) {
    note(`warning: --artifacts ${dir}: not a folder; no artifacts logged`);
    return;
  }
  try {
    const files = await handle.logArtifacts(local);
    if (files.length === 0) {
      note(`--artifacts ${dir}: no files in it; no artifacts logged`);
      return;
    }
    const bytes = files.reduce((sum, file) => sum + (file.file_size ?? 0), 0);
    const count = `${files.length} file${files.length === 1 ? '' : 's'}`;
    note(`logged ${count} (${formatSize(bytes)}) from ${dir} as the run's artifacts`);
  } catch (error) {
    const message = isAgentrackError(error) ? error.message : String((error as Error)?.message ?? error);
    note(`warning: --artifacts ${dir}: could not log the artifacts: ${message}`);
  }
}
