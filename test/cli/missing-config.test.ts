import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { findConfigFile } from '../../src/lifecycle/config.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, captureIo } from './helpers.js';

/**
 * How to run each command of the program far enough to read the configuration, or why it
 * never reads one. A new command fails the first test until it is listed here.
 */
const INVOCATIONS: Readonly<Record<string, readonly string[] | { never: string }>> = {
  init: { never: 'it writes the configuration' },
  run: ['dev', '--', process.execPath, '-e', ''],
  runs: [],
  traces: [],
  'traces show': { never: 'a trace id names what it reads; a configuration only lends its tracking URI' },
  latest: ['eval'],
  deployments: [],
  'deployments set-status': ['0123456789abcdef0123456789abcdef', 'rolled_back'],
  models: [],
  audit: [],
  artifacts: { never: 'it only groups the artifact commands' },
  'artifacts list': { never: 'a run id names what it acts on; a configuration only lends its tracking URI' },
  'artifacts get': { never: 'a run id names what it acts on; a configuration only lends its tracking URI' },
  'artifacts put': { never: 'a run id names what it acts on; a configuration only lends its tracking URI' },
  quickstart: { never: 'it needs no configuration' },
  server: { never: 'it serves a store, not an agent' },
  ui: { never: 'it serves a store, not an agent' },
  gc: { never: 'it cleans up a store, not an agent' },
  copy: { never: 'it names both stores it copies between' },
  backup: { never: 'it copies a store, not an agent' },
  restore: { never: 'it names the backup and the file it restores into' },
  auth: { never: 'it only groups the hash commands' },
  'auth hash-password': { never: 'it hashes standard input' },
  'auth hash-token': { never: 'it hashes standard input' },
};

/** Every command under `command`, by its path (`auth hash-token`). */
function commandsOf(command: Command, prefix: readonly string[] = []): Array<[string, Command]> {
  return command.commands.flatMap((sub): Array<[string, Command]> => {
    const path = [...prefix, sub.name()];
    return [[path.join(' '), sub], ...commandsOf(sub, path)];
  });
}

const hasAgentOption = (command: Command) => command.options.some((o) => o.long === '--agent');

const commands = commandsOf(buildProgram(captureIo()).program);
const reading = commands.flatMap(([path, command]) => {
  const args = INVOCATIONS[path];
  return Array.isArray(args) ? [{ path, args, agentOption: hasAgentOption(command) }] : [];
});

describe('the hint when there is no configuration file', () => {
  let dir: ReturnType<typeof tempDir>;
  let empty: string;
  beforeAll(() => {
    dir = tempDir('agentrack-cli-missing-config-');
    empty = join(dir.path, 'empty');
    mkdirSync(empty);
    // A file above the temporary folder would be found instead; the tests need none there.
    expect(findConfigFile(empty)).toBeUndefined();
  });
  afterAll(() => dir.remove());

  it('knows how every command of the program runs', () => {
    expect(commands.map(([path]) => path).sort()).toEqual(Object.keys(INVOCATIONS).sort());
    expect(reading.length).toBeGreaterThan(0);
  });

  it.each(reading)('agentrack $path names what that command can do', ({ path, args, agentOption }) => {
    const result = agentrack([...path.split(' '), ...args], { cwd: empty });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: no agentrack\.config\.json found in .* or any folder above it; /);
    expect(result.stderr).toContain('run `agentrack init` to create one');
    if (agentOption) {
      expect(result.stderr).toContain('or give --agent <name>');
    } else {
      expect(result.stderr).not.toMatch(/agent name|--agent/);
      expect(result.stderr).toContain('or give --config <file>');
    }
  });

  it('for a command with --agent, names --agent, and the agent it names needs no file', async () => {
    const io = captureIo();
    const { program, ctx } = buildProgram(io);
    program
      .command('whoami')
      .option('--agent <name>', "the agent's name")
      .action(
        ctx.action(() =>
          ctx.withAgent(async ({ agent }) => {
            io.stdout(`${agent.config.agent}\n`);
            return 0;
          }),
        ),
      );
    const uri = `sqlite:///${join(dir.path, 'whoami.db')}`;
    const cwd = process.cwd();
    process.chdir(empty);
    try {
      await expect(program.parseAsync(['whoami'], { from: 'user' })).rejects.toThrow(
        /; run `agentrack init` to create one, or give --agent <name>$/,
      );
      await program.parseAsync(['--tracking-uri', uri, 'whoami', '--agent', 'named_bot'], { from: 'user' });
    } finally {
      process.chdir(cwd);
    }
    expect(io.out).toBe('named_bot\n');
    expect(ctx.exitCode).toBe(0);
  });
});
