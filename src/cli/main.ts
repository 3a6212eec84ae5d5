#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { registerArtifactsCommand } from './commands/artifacts.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerAuthCommand } from './commands/auth.js';
import { registerCopyCommand } from './commands/copy.js';
import { registerDeploymentsCommand } from './commands/deployments.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerGcCommand } from './commands/gc.js';
import { registerInitCommand } from './commands/init.js';
import { registerLatestCommand } from './commands/latest.js';
import { registerModelsCommand } from './commands/models.js';
import { registerQuickstartCommand } from './commands/quickstart.js';
import { registerRunCommand } from './commands/run.js';
import { registerRunsCommand } from './commands/runs.js';
import { registerTracesCommand } from './commands/traces.js';
import { registerServerCommand, registerUiCommand } from './commands/server.js';
import { CliContext, type GlobalOptions } from './context.js';
import { processIo, reportError, type CliIo } from './run-main.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Builds the `agentrack` command tree; each command's exit code ends up in `ctx.exitCode`. */
export function buildProgram(io: CliIo): { program: Command; ctx: CliContext } {
  const program = new Command('agentrack')
    .description(
      'Experiment tracking for GenAI agents: development, evaluation and deployment runs on MLflow conventions.',
    )
    .version(version)
    .option(
      '--tracking-uri <uri>',
      'tracking URI, over the configuration and the environment (default: $AGENTRACK_TRACKING_URI, $MLFLOW_TRACKING_URI, sqlite:///agentrack.db)',
    )
    .option(
      '--config <path>',
      'the configuration file (default: agentrack.config.json here or in a parent folder)',
    )
    .option('--debug', 'print stack traces on errors')
    .option('--no-color', 'no colors, even on a terminal (NO_COLOR does the same)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  const ctx = new CliContext(io, () => program.opts<GlobalOptions>());
  program.hook('preAction', (_program, command) => {
    ctx.command = command;
  });
  registerInitCommand(program, ctx);
  registerRunCommand(program, ctx);
  registerRunsCommand(program, ctx);
  registerTracesCommand(program, ctx);
  registerLatestCommand(program, ctx);
  registerDeploymentsCommand(program, ctx);
  registerModelsCommand(program, ctx);
  registerArtifactsCommand(program, ctx);
  registerAuditCommand(program, ctx);
  registerQuickstartCommand(program, ctx);
  registerServerCommand(program, ctx);
  registerUiCommand(program, ctx);
  registerGcCommand(program, ctx);
  registerBackupCommands(program, ctx);
  registerCopyCommand(program, ctx);
  registerAuthCommand(program, ctx);
  return { program, ctx };
}

/** Runs the CLI with `argv` (without the node and script entries); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const { program, ctx } = buildProgram(io);
  const dashDash = argv.indexOf('--');
  const debug = (dashDash === -1 ? argv : argv.slice(0, dashDash)).includes('--debug');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    return reportError(error, io, debug);
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  // A reader that closes the pipe early (`agentrack runs | head -1`) is not an error, and neither is
  // a terminal that hung up (EIO): there is nobody left to read the output.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'EIO') process.exit(process.exitCode ?? 0);
    throw error;
  });
  // Notes on stderr must never cut short the work that follows them, such as ending a run KILLED
  // after the terminal hung up: a note that cannot be written is dropped.
  let hungUp = false;
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EIO') hungUp = true;
  });
  process.exitCode = await runCli(process.argv.slice(2));
  if (hungUp) {
    // Node restores the terminal's modes on exit and aborts when the terminal is gone; end as a
    // shell's job ends on a hang-up instead: by SIGHUP's default action.
    process.removeAllListeners('SIGHUP');
    process.kill(process.pid, 'SIGHUP');
  }
}
