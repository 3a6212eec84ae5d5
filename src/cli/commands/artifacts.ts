import { mkdir, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { FileInfo } from '../../entities/index.js';
import { AgentrackError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { formatJson } from '../output/json.js';
import { formatSize } from '../output/size.js';
import { formatTable } from '../output/table.js';

/** Options of `agentrack artifacts list`. */
export interface ArtifactsListOptions {
  json?: boolean;
}

/** Options of `agentrack artifacts get`. */
export interface ArtifactsGetOptions {
  dest?: string;
}

/** Options of `agentrack artifacts put`. */
export interface ArtifactsPutOptions {
  artifactPath?: string;
  json?: boolean;
}

/** Files and folders as the CLI lists them: folders end with `/`, files show their size. */
function formatFiles(files: readonly FileInfo[]): string {
  return formatTable(
    ['PATH', 'SIZE'],
    files.map((f) => (f.is_dir ? [`${f.path}/`, '-'] : [f.path, formatSize(f.file_size)])),
  );
}

/** `agentrack artifacts list RUN_ID [PATH]`: one level of a run's artifacts, in name order. */
export async function artifactsListCommand(
  runId: string,
  path: string | undefined,
  options: ArtifactsListOptions,
  ctx: CliContext,
): Promise<number> {
  return ctx.withClient(
    async (client) => {
      const files = await client.listArtifacts(runId, path);
      if (options.json) {
        ctx.io.stdout(formatJson(files));
      } else if (files.length === 0) {
        ctx.io.stderr(`no artifacts${path ? ` in ${path}` : ''} of run ${runId}\n`);
      } else {
        ctx.io.stdout(formatFiles(files));
      }
      return 0;
    },
    { mode: 'read' },
  );
}

/**
 * `agentrack artifacts get RUN_ID [PATH] [--dest DIR]`: downloads a file or folder of a run's
 * artifacts (all of them without PATH) into DIR (created if missing; a new temporary folder
 * without it) and prints its local path.
 */
export async function artifactsGetCommand(
  runId: string,
  path: string | undefined,
  options: ArtifactsGetOptions,
  ctx: CliContext,
): Promise<number> {
  return ctx.withClient(
    async (client) => {
      // The run first, so that a mistyped id creates no destination folder.
      await client.getRun(runId);
      const dest = options.dest;
      if (dest !== undefined && (await stat(dest).catch(() => undefined)) === undefined) {
        await mkdir(dest, { recursive: true }).catch((error: unknown) => {
          const code = (error as NodeJS.ErrnoException).code ?? String(error);
          throw new AgentrackError(
            'INVALID_PARAMETER_VALUE',
            `--dest: cannot create the folder ${dest} (${code})`,
          );
        });
      }
      ctx.io.stdout(`${await client.downloadArtifacts(runId, path, dest)}\n`);
      return 0;
    },
    { mode: 'read' },
  );
}

/**
 * `agentrack artifacts put RUN_ID LOCAL_PATH [--artifact-path DIR]`: uploads a file, or every
 * file below a folder (keeping the tree), into the run's artifacts below DIR (the root without
 * it), and prints what it uploaded.
 */
export async function artifactsPutCommand(
  runId: string,
  localPath: string,
  options: ArtifactsPutOptions,
  ctx: CliContext,
): Promise<number> {
  return ctx.withClient(async (client) => {
    const isFolder = (await stat(localPath).catch(() => undefined))?.isDirectory() === true;
    const files = isFolder
      ? await client.logArtifacts(runId, localPath, options.artifactPath)
      : [await client.logArtifact(runId, localPath, options.artifactPath)];
    if (options.json) {
      ctx.io.stdout(formatJson(files));
      return 0;
    }
    if (files.length > 0) ctx.io.stdout(formatFiles(files));
    const bytes = files.reduce((sum, f) => sum + (f.file_size ?? 0), 0);
    const count = `${files.length} file${files.length === 1 ? '' : 's'}`;
    ctx.io.stderr(`uploaded ${count} (${formatSize(bytes)}) to run ${runId}\n`);
    return 0;
  });
}

const ARTIFACTS_HELP = `
A run's artifacts are wherever its artifact URI points: on the embedded store, the folder beside
the database (agentrack.db keeps them in agentrack-artifacts/); a file: or s3: location of the
run's experiment; a tracking server's artifact service. Paths are relative to the run's
artifact root, with / between folders.

Examples:
  agentrack artifacts list 0f3c9a2e4b1d4c6e8a7b5d3f1e2c4a6b
  agentrack artifacts list 0f3c9a2e4b1d4c6e8a7b5d3f1e2c4a6b eval_results --json
  agentrack artifacts get 0f3c9a2e4b1d4c6e8a7b5d3f1e2c4a6b eval_results/table.json --dest ./downloads
  agentrack artifacts put 0f3c9a2e4b1d4c6e8a7b5d3f1e2c4a6b ./reports --artifact-path reports
`;

/** Adds `artifacts list`, `artifacts get` and `artifacts put` to the program. */
export function registerArtifactsCommand(program: Command, ctx: CliContext): void {
  const artifacts = program
    .command('artifacts')
    .description("list, download and upload a run's artifacts")
    .addHelpText('after', ARTIFACTS_HELP);
  artifacts
    .command('list')
    .description("list one folder of a run's artifacts (the root by default), with sizes")
    .argument('<run-id>', "the run's id")
    .argument('[path]', 'a folder of its artifacts')
    .option('--json', "print MLflow's file infos as JSON ({path, is_dir, file_size})")
    .action(
      ctx.action((runId: string, path: string | undefined, options: ArtifactsListOptions) =>
        artifactsListCommand(runId, path, options, ctx),
      ),
    );
  artifacts
    .command('get')
    .description(
      "download a file or folder of a run's artifacts (all of them by default); prints its local path",
    )
    .argument('<run-id>', "the run's id")
    .argument('[path]', 'a file or folder of its artifacts')
    .option(
      '--dest <dir>',
      'the folder to download into, created if missing (default: a new temporary folder)',
    )
    .action(
      ctx.action((runId: string, path: string | undefined, options: ArtifactsGetOptions) =>
        artifactsGetCommand(runId, path, options, ctx),
      ),
    );
  artifacts
    .command('put')
    .description("upload a file, or a folder's files, into a run's artifacts")
    .argument('<run-id>', "the run's id")
    .argument('<local-path>', 'a file or a folder')
    .option('--artifact-path <dir>', 'the folder of the run to upload into (default: the root)')
    .option('--json', "print MLflow's file infos of what was uploaded as JSON")
    .action(
      ctx.action((runId: string, localPath: string, options: ArtifactsPutOptions) =>
        artifactsPutCommand(runId, localPath, options, ctx),
      ),
    );
}
