import type { Command } from 'commander';

/**
 * What a command's user can do when there is no configuration file: a command with an
 * `--agent` option runs with the agent it names, every other one needs a file, from
 * `agentrack init` or `--config`.
 *
 * @example missingConfigHint(runsCommand) // 'run `agentrack init` to create one, or give --config <file>'
 */
export function missingConfigHint(command: Command | undefined): string {
  const hasAgentOption = command?.options.some((option) => option.long === '--agent') === true;
  return hasAgentOption
    ? 'run `agentrack init` to create one, or give --agent <name>'
    : 'run `agentrack init` to create one, or give --config <file>';
}
