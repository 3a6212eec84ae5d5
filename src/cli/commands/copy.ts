import type { Command } from 'commander';
import { copyStores, verifyStores, type CopyResult } from '../../copy/copy-stores.js';
import { formatProgress, type ProgressSnapshot } from '../../copy/copy-progress.js';
import type { VerifyRow } from '../../copy/verify.js';
import { displayTrackingUri, parseTrackingUri } from '../../store/tracking-uri.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { formatJson } from '../output/json.js';
import { verificationTable } from '../output/verification-table.js';

/** Exit code of a copy (or `--verify-only`) whose verification found the stores different. */
export const COPY_MISMATCH_EXIT_CODE = 3;

/** How often a progress line is printed: redrawn on a terminal, a new line (or JSON line) otherwise. */
const TERMINAL_INTERVAL_MS = 100;
const LINE_INTERVAL_MS = 1000;

/** Options of `agentrack copy`, as commander parses them. */
export interface CopyCommandOptions {
  state?: string;
  fromArtifactsDestination?: string;
  toArtifactsDestination?: string;
  verifyOnly?: boolean;
  /** False with `--no-verify`. */
  verify: boolean;
  quiet?: boolean;
  json?: boolean;
}

function verificationJson(rows: readonly VerifyRow[]): unknown {
  return rows.map((row) => ({
    kind: row.kind,
    from: row.from,
    to: row.to,
    equal: row.equal,
  }));
}

/** Prints progress on stderr as the CLI does for long work: a redrawn line on a terminal, lines (or JSON lines) otherwise, at most once a second. */
function progressPrinter(
  ctx: CliContext,
  options: CopyCommandOptions,
): {
  print: (snapshot: ProgressSnapshot) => void;
  end: () => void;
} {
  const tty = ctx.io.stderrIsTTY === true && !options.json;
  let last = 0;
  let pending: ProgressSnapshot | undefined;
  let drawn = false;
  const write = (snapshot: ProgressSnapshot): void => {
    if (options.json) {
      ctx.io.stderr(`${JSON.stringify({ event: 'progress', ...snapshot })}\n`);
    } else if (tty) {
      ctx.io.stderr(`\r\u001b[2K${formatProgress(snapshot)}`);
      drawn = true;
    } else {
      ctx.io.stderr(`${formatProgress(snapshot)}\n`);
    }
    pending = undefined;
  };
  return {
    print(snapshot) {
      if (options.quiet) return;
      const now = Date.now();
      const first = last === 0;
      if (first || now - last >= (tty ? TERMINAL_INTERVAL_MS : LINE_INTERVAL_MS)) {
        last = now;
        write(snapshot);
      } else {
        pending = snapshot;
      }
    },
    end() {
      if (pending) write(pending);
      if (drawn) ctx.io.stderr('\n');
      drawn = false;
    },
  };
}

/**
 * `agentrack copy FROM TO`: copies everything one store holds into another (see
 * {@link copyStores}), printing progress on stderr, then the verification on stdout; exits
 * {@link COPY_MISMATCH_EXIT_CODE} when the stores differ. `--verify-only` compares them
 * without copying.
 */
export async function copyCommand(
  from: string,
  to: string,
  options: CopyCommandOptions,
  ctx: CliContext,
): Promise<number> {
  if (options.verifyOnly && !options.verify)
    throw usageError('--verify-only and --no-verify do not go together');
  if (options.quiet && options.json) throw usageError('--quiet and --json do not go together');
  const progress = progressPrinter(ctx, options);
  const common = {
    from,
    to,
    ...(options.state !== undefined ? { statePath: options.state } : {}),
    ...(options.fromArtifactsDestination !== undefined
      ? { fromArtifacts: options.fromArtifactsDestination }
      : {}),
    ...(options.toArtifactsDestination !== undefined ? { toArtifacts: options.toArtifactsDestination } : {}),
    storeOptions: ctx.storeOptions,
    onProgress: (snapshot: ProgressSnapshot) => progress.print(snapshot),
  };
  let result: CopyResult | undefined;
  let rows: VerifyRow[] | undefined;
  try {
    if (options.verifyOnly) {
      rows = await verifyStores(common);
    } else {
      result = await copyStores({ ...common, noVerify: !options.verify });
      rows = result.verification;
    }
  } finally {
    progress.end();
  }
  const equal = rows === undefined || rows.every((row) => row.equal);
  const [fromShown, toShown] = [shownUri(from), shownUri(to)];
  if (options.json) {
    ctx.io.stdout(
      formatJson({
        from: fromShown,
        to: toShown,
        ...(result
          ? {
              written: result.written,
              keeps_ids: result.keepsIds,
              ...(result.statePath !== undefined ? { state_file: result.statePath } : {}),
            }
          : {}),
        ...(rows ? { verification: verificationJson(rows), equal } : {}),
      }),
    );
  } else {
    if (result && !options.quiet) {
      const { written } = result;
      ctx.io.stderr(
        `copied ${written.runs.toLocaleString('en-US')} runs, ${written['logged models']} logged models, ` +
          `${written.traces} traces, ${written['registered models']} registered models and ` +
          `${written['artifact files']} artifact files (what was there already was left as it was)` +
          `${result.statePath !== undefined ? `; ids mapped in ${result.statePath}` : '; ids kept'}\n`,
      );
    }
    if (rows) {
      ctx.io.stdout(verificationTable(rows));
      ctx.io.stdout(
        equal
          ? `verified: ${fromShown} and ${toShown} hold the same objects\n`
          : `verification failed: ${rows
              .filter((r) => !r.equal)
              .map((r) => r.kind)
              .join(', ')} differ between ${fromShown} and ${toShown}\n`,
      );
    }
  }
  return equal ? 0 : COPY_MISMATCH_EXIT_CODE;
}

const COPY_HELP = `
FROM and TO are tracking URIs: a SQLite file (sqlite:///path.db, or path.db), an agentrack or
MLflow server (http://host:port). Everything is copied: experiments with their tags, runs with
their full metric histories, params, tags, datasets and artifacts, logged models with theirs,
traces with their spans and assessments, the model registry; deleted experiments and runs stay
deleted. An agentrack database as TO keeps every id; a server gives new ones, and the copy
maps them (in --state) and rewrites what refers to them.

Interrupted, run the same command again: it continues where it stopped and duplicates nothing.
At the end both stores are counted and hashed per kind of object and compared side by side;
the exit code is 3 when they differ.

Examples:
  agentrack copy sqlite:///old.db sqlite:///new.db
  agentrack copy ./agentrack.db http://tracking.internal:5000 --state move.state
  agentrack copy --verify-only ./agentrack.db sqlite:///new.db
`;

/** A store's URI as printed: a SQLite path as given, any other with its password masked. */
function shownUri(uri: string): string {
  const target = parseTrackingUri(uri);
  return target.kind === 'sqlite' ? uri : displayTrackingUri(target);
}

/** Adds `copy` to the program. */
export function registerCopyCommand(program: Command, ctx: CliContext): void {
  program
    .command('copy')
    .description(
      'copy everything from one store to another (SQLite, agentrack or MLflow server), resumable, verified',
    )
    .argument('<from>', 'the tracking URI copied from')
    .argument('<to>', 'the tracking URI copied to')
    .option(
      '--state <file>',
      'for a server as TO: the file mapping ids and recording progress (default: agentrack-copy-<hash>.state here)',
    )
    .option(
      '--from-artifacts-destination <uri>',
      "where FROM's server keeps proxied artifacts (mlflow-artifacts:/...) (default: <database>-artifacts beside a SQLite file, a server's own)",
    )
    .option('--to-artifacts-destination <uri>', 'the same for TO')
    .option('--verify-only', 'copy nothing: compare the two stores')
    .option('--no-verify', 'skip the verification at the end')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'progress as JSON lines on stderr, the result as JSON on stdout')
    .addHelpText('after', COPY_HELP)
    .action(
      ctx.action((from: string, to: string, options: CopyCommandOptions) =>
        copyCommand(from, to, options, ctx),
      ),
    );
}
