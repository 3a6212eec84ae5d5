import type { Command } from 'commander';
import { formatAuditReport, type AuditProgress } from '../../lifecycle/audit.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { formatJson } from '../output/json.js';

/** Options of `agentrack audit`. */
export interface AuditCommandOptions {
  fix?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** A single progress line on a terminal, rewritten in place and wiped at the end. */
class ProgressLine {
  readonly #write: (text: string) => void;
  #width = 0;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  show(text: string): void {
    this.#write(`\r${text.padEnd(this.#width)}`);
    this.#width = Math.max(this.#width, text.length);
  }

  clear(): void {
    if (this.#width > 0) this.#write(`\r${' '.repeat(this.#width)}\r`);
    this.#width = 0;
  }
}

/** `agentrack audit`: checks the conventions; exit 1 when a check fails (after `--fix`, on the fixed state). */
export async function auditCommand(options: AuditCommandOptions, ctx: CliContext): Promise<number> {
  if (options.dryRun && !options.fix) throw usageError('--dry-run goes with --fix');
  return ctx.withAgent(
    async ({ agent }) => {
      const progress = ctx.io.stderrIsTTY ? new ProgressLine(ctx.io.stderr) : undefined;
      const onProgress = progress
        ? (p: AuditProgress) => progress.show(`auditing ${p.experimentPath}: ${p.totalSoFar} runs`)
        : undefined;
      let report;
      try {
        report = await agent.audit({
          fix: options.fix === true,
          dryRun: options.dryRun === true,
          ...(onProgress ? { onProgress } : {}),
        });
      } finally {
        progress?.clear();
      }
      ctx.io.stdout(
        options.json ? formatJson(report) : formatAuditReport(report, { color: ctx.out.enabled }),
      );
      return report.ok ? 0 : 1;
    },
    { mode: options.fix && !options.dryRun ? 'write' : 'read' },
  );
}

/** Adds `audit` to the program. */
export function registerAuditCommand(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description("check the agent's experiments and runs against the conventions (exit 1 when a check fails)")
    .option('--fix', 'add the missing tags that follow from the experiment a run is in')
    .option('--dry-run', 'with --fix: show the changes without writing them')
    .option('--json', 'print the report as JSON')
    .action(ctx.action((options: AuditCommandOptions) => auditCommand(options, ctx)));
}
