#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { exampleCommand } from './example-command.js';
import { processIo, reportError, type CliIo } from './run-main.js';

/** Builds the `agentrack` command tree; `exit` receives each command's exit code. */
export function buildProgram(io: CliIo, exit: (code: number) => void): Command {
  const program = new Command('agentrack')
    .description('Experiment tracking for GenAI agents, on MLflow conventions.')
    .option(
      '--tracking-uri <uri>',
      'tracking URI (default: $AGENTRACK_TRACKING_URI, $MLFLOW_TRACKING_URI, sqlite:///agentrack.db)',
    )
    .option('--debug', 'print stack traces on errors')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError();

  program
    .command('example')
    .description(
      'run a short example workflow (development, evaluation, deployment runs) on the tracking store',
    )
    .option('--agent <name>', 'agent name', 'example_agent')
    .action(async (options: { agent: string }) => {
      const globals = program.opts<{ trackingUri?: string }>();
      exit(
        await exampleCommand(
          { agent: options.agent, ...(globals.trackingUri ? { trackingUri: globals.trackingUri } : {}) },
          io,
        ),
      );
    });

  return program;
}

/** Runs the CLI with `argv` (without the node and script entries); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    return reportError(error, io, argv.includes('--debug'));
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
  process.exitCode = await runCli(process.argv.slice(2));
}
