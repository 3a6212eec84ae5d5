import type { Command } from 'commander';
import { backupDatabase, restoreDatabase } from '../../backup/backup.js';
import type { VerifyRow } from '../../copy/verify.js';
import { displayTrackingUri, resolveTrackingTarget, type TrackingTarget } from '../../store/tracking-uri.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { formatJson } from '../output/json.js';
import { formatTable } from '../output/table.js';
import { verificationTable } from '../output/verification-table.js';
import { COPY_MISMATCH_EXIT_CODE } from './copy.js';

/** Options of `agentrack backup`, as commander parses them. */
export interface BackupCommandOptions {
  backendStoreUri?: string;
  artifactsDestination?: string;
  json?: boolean;
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

/** The SQLite file `target` names; a usage error saying what to do for any other store. */
function sqliteFile(target: TrackingTarget, what: string): string {
  if (target.kind === 'postgres') {
    throw usageError(
      `${what} '${displayTrackingUri(target)}' is a PostgreSQL database: back it up with PostgreSQL's own tools ` +
        "(pg_dump, or the provider's snapshots and point-in-time recovery; see docs/reliability.md)",
    );
  }
  if (target.kind !== 'sqlite' || target.path === ':memory:') {
    throw usageError(
      `${what} '${displayTrackingUri(target)}' is not a SQLite file: agentrack backup copies an embedded database (sqlite:///path.db)`,
    );
  }
  return target.path;
}

/** `, restarted N times` when writes made the snapshot start over; '' when it went through at once. */
function restarted(restarts: number): string {
  return restarts === 0 ? '' : `, restarted ${restarts === 1 ? 'once' : `${restarts} times`} by writes`;
}

/**
 * `agentrack backup DEST`: an online, consistent copy of the embedded database and its
 * artifacts into the new (or empty) folder DEST, while a server may be writing (see
 * {@link backupDatabase}).
 */
export async function backupCommand(
  destination: string,
  options: BackupCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const target = resolveTrackingTarget({
    uri: options.backendStoreUri ?? ctx.globals.trackingUri,
    env: ctx.env,
  });
  const database = sqliteFile(target, '--backend-store-uri');
  const started = Date.now();
  const { manifest, path, files, restarts } = await backupDatabase({
    database,
    destination,
    ...(options.artifactsDestination !== undefined ? { artifacts: options.artifactsDestination } : {}),
  });
  if (options.json) {
    ctx.io.stdout(formatJson({ manifest: path, files, restarts, ...manifest }));
    return 0;
  }
  ctx.io.stdout(
    formatTable(
      ['KIND', 'COUNT', 'CHECKSUM'],
      Object.entries(manifest.tallies).map(([kind, tally]) => [
        kind,
        tally.count.toLocaleString('en-US'),
        tally.checksum.slice(0, 12),
      ]),
    ),
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  ctx.io.stdout(
    `backed up ${database} (${manifest.pages.toLocaleString('en-US')} pages${restarted(restarts)}) and ${plural(files, 'artifact file')} into ${destination} in ${seconds} s; manifest ${path}\n`,
  );
  if (manifest.artifactsNotCopied !== undefined) {
    ctx.io.stderr(
      `warning: the artifacts at ${manifest.artifactsNotCopied} are not local and were not copied: back them up with the storage's own tools (bucket versioning or replication)\n`,
    );
  }
  return 0;
}

/** Options of `agentrack restore`. */
export interface RestoreCommandOptions {
  json?: boolean;
}

/**
 * `agentrack restore BACKUP TO`: checks the backup folder against its manifest, restores it
 * into the new SQLite file TO (and its artifacts beside it), and verifies the result as
 * `agentrack copy` does; exit 3 when they differ.
 */
export async function restoreCommand(
  backup: string,
  to: string,
  options: RestoreCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const target = resolveTrackingTarget({ uri: to, env: ctx.env });
  const database = sqliteFile(target, 'TO');
  const result = await restoreDatabase({ backup, database });
  const equal = result.verification.every((row: VerifyRow) => row.equal);
  if (options.json) {
    ctx.io.stdout(formatJson({ database, files: result.files, equal, verification: result.verification }));
  } else {
    ctx.io.stdout(verificationTable(result.verification));
    ctx.io.stdout(
      equal
        ? `restored ${backup} into ${database} (${plural(result.files, 'artifact file')}) and verified: the same objects\n`
        : `restored ${backup} into ${database}, but the verification failed: ${result.verification
            .filter((row) => !row.equal)
            .map((row) => row.kind)
            .join(', ')} differ\n`,
    );
  }
  return equal ? 0 : COPY_MISMATCH_EXIT_CODE;
}

const BACKUP_HELP = `
The database is copied with SQLite's online backup API as one snapshot, while servers keep
reading and writing it; then the artifacts folder beside it (or --artifacts-destination, when
local) is copied, leaving out uploads in progress, so every artifact of a run in the snapshot is
there. DEST gets the database, its artifacts folder beside it, and agentrack-backup.json: the
counts and checksums of the backup per kind of object, which agentrack restore checks. The copy
opens as it is: agentrack server --backend-store-uri sqlite:///DEST/agentrack.db.

PostgreSQL: use the database's own tools (pg_dump, or snapshots and point-in-time recovery).

Examples:
  agentrack backup /backups/2026-12-04
  agentrack backup /backups/nightly --backend-store-uri sqlite:////data/agentrack.db
  agentrack restore /backups/2026-12-04 sqlite:////data/agentrack-restored.db
`;

/** Adds `backup` and `restore` to the program. */
export function registerBackupCommands(program: Command, ctx: CliContext): void {
  program
    .command('backup')
    .description('copy the embedded database and its artifacts online, consistently, while servers write')
    .argument('<dest>', 'a new or empty folder')
    .option(
      '--backend-store-uri <uri>',
      'the SQLite database (default: --tracking-uri, the environment, sqlite:///agentrack.db)',
    )
    .option(
      '--artifacts-destination <uri>',
      'where its servers keep proxied artifacts, when not the folder beside the database',
    )
    .option('--json', 'print the manifest as JSON')
    .addHelpText('after', BACKUP_HELP)
    .action(ctx.action((dest: string, options: BackupCommandOptions) => backupCommand(dest, options, ctx)));
  program
    .command('restore')
    .description('restore a backup into a new SQLite file, checked against its manifest and verified')
    .argument('<backup>', 'the folder agentrack backup wrote')
    .argument('<to>', 'the new SQLite file (sqlite:///path.db or path.db); it must not exist')
    .option('--json', 'print the verification as JSON')
    .action(
      ctx.action((backup: string, to: string, options: RestoreCommandOptions) =>
        restoreCommand(backup, to, options, ctx),
      ),
    );
}
