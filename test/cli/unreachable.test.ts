import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../src/testing/closed-port.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrackInProcess, cleanEnv, lines, writeAgentConfig } from './helpers.js';

// A tracking URI where nothing listens. Small retry settings keep it fast; the default budget
// for a refused connection (at most 10 s) is checked from the settings in http-client.test.ts.
describe('a tracking server that is not there', () => {
  let dir: ReturnType<typeof tempDir>;
  let config = '';
  let port = 0;
  let url = '';
  const env = cleanEnv({
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2',
    MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.1',
    MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0',
  });
  const cli = (args: string[], options: { tty: boolean }) =>
    agentrackInProcess(['--config', config, '--tracking-uri', url, ...args], { ...options, env });
  const finalError = () =>
    new RegExp(
      `^error: Cannot reach ${url.replaceAll('.', '\\.')}: connection refused \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\); ` +
        'gave up after 2 retries in \\d+\\.\\d s\\. \\(TEMPORARILY_UNAVAILABLE\\)$',
    );

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-unreachable-');
    config = join(writeAgentConfig(dir.path, 'p', { agent: 'far_agent' }), 'agentrack.config.json');
    port = await closedPort();
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => dir.remove());

  it.each([[['runs']], [['latest', 'eval']], [['audit']], [['init']], [['run', 'dev', '--', 'true']]])(
    '%o shows each retry on a terminal, then an error naming the URI',
    async (args) => {
      const result = await cli(args, { tty: true });
      expect(result.code).toBe(1);
      const [first, second, last, ...rest] = lines(result.stderr);
      expect(first).toBe(`agentrack: connection refused by ${url}, retry 1/2 in 0.1 s`);
      expect(second).toBe(`agentrack: connection refused by ${url}, retry 2/2 in 0.2 s`);
      expect(last).toMatch(finalError());
      expect(rest).toEqual([]);
    },
  );

  it('prints only the error when stderr is not a terminal', async () => {
    const result = await cli(['runs'], { tty: false });
    expect(result.code).toBe(1);
    const printed = lines(result.stderr);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(finalError());
  });

  it('prints the retries when stderr is not a terminal under --debug', async () => {
    const result = await cli(['--debug', 'runs'], { tty: false });
    expect(result.code).toBe(1);
    const printed = lines(result.stderr);
    expect(printed.slice(0, 2)).toEqual([
      `agentrack: connection refused by ${url}, retry 1/2 in 0.1 s`,
      `agentrack: connection refused by ${url}, retry 2/2 in 0.2 s`,
    ]);
    expect(printed[2]).toMatch(finalError());
  });
});
