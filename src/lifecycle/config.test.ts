import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection, rejectionOf } from '../testing/rejection.js';
import { tempDir } from '../testing/temp-dir.js';
import type { AgentConfig, AgentConfigInput } from './agent-config.js';
import {
  CONFIG_FILE_NAME,
  CONFIG_KEYS,
  exampleConfigText,
  findConfigFile,
  loadConfig,
  resolveConfig,
} from './config.js';
import { parseJsonc } from './jsonc.js';

describe('parseJsonc', () => {
  it.each<[string, unknown]>([
    ['{}', {}],
    ['[]', []],
    ['{"a": 1, "b": [true, false, null]}', { a: 1, b: [true, false, null] }],
    ['// comment\n{"a": 1}', { a: 1 }],
    ['{"a": 1 // to the end of the line\n}', { a: 1 }],
    ['{"a": /* inline */ 1}', { a: 1 }],
    ['/* a\n multi-line\n comment */ {"a": 1}', { a: 1 }],
    ['{"a": 1,}', { a: 1 }],
    ['{"a": [1, 2,],}', { a: [1, 2] }],
    ['{"a": [1, 2, /* last */ ] , }', { a: [1, 2] }],
    ['{"url": "http://x/y", "c": "/* not a comment */"}', { url: 'http://x/y', c: '/* not a comment */' }],
    [
      '{"s": "quote \\" backslash \\\\ slash \\/ \\b\\f\\n\\r\\t"}',
      { s: 'quote " backslash \\ slash / \b\f\n\r\t' },
    ],
    ['{"s": "\\u00e9\\uD83D\\uDE00"}', { s: 'é😀' }],
    ['{"s": "é 😀"}', { s: 'é 😀' }],
    ['\uFEFF{"a": 1}', { a: 1 }],
    ['  \r\n\t{"a": -0.5e+2}\n// end', { a: -50 }],
    ['[0, -0, 1e3, 1.5E-2, 123456789012]', [0, -0, 1000, 0.015, 123456789012]],
    ['"text"', 'text'],
    ['null', null],
    // A carriage return ends a line comment, as in JavaScript.
    ['// comment\r{"a": 1}', { a: 1 }],
  ])('%j', (text, expected) => {
    expect(parseJsonc(text, 'f.json')).toEqual(expected);
  });

  it('keeps "__proto__" as a key, as JSON.parse does', () => {
    const parsed = parseJsonc('{"__proto__": {"polluted": true}}', 'f.json') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each<[string, string]>([
    ['', 'f.json:1:1: unexpected end of file; expected a value'],
    ['// only a comment\n', 'f.json:2:1: unexpected end of file; expected a value'],
    ['{', 'f.json:1:2: unexpected end of file; expected a key in double quotes'],
    ['{"a": 1', "f.json:1:8: unexpected end of file; expected ',' or '}'"],
    ['{\n  "a": 1\n  "b": 2\n}', "f.json:3:3: unexpected \"\\\"\"; expected ',' or '}'"],
    ['{a: 1}', 'f.json:1:2: unexpected "a"; expected a key in double quotes'],
    ["{'a': 1}", 'f.json:1:2: unexpected "\'"; expected a key in double quotes'],
    ['{"a" 1}', 'f.json:1:6: unexpected "1"; expected \':\' after the key'],
    ['{,}', 'f.json:1:2: unexpected ","; expected a key in double quotes'],
    ['[,]', 'f.json:1:2: unexpected ","; expected a value'],
    ['[1,,2]', 'f.json:1:4: unexpected ","; expected a value'],
    ['{"a": 1,,}', 'f.json:1:9: unexpected ","; expected a key in double quotes'],
    ['[1 2]', "f.json:1:4: unexpected \"2\"; expected ',' or ']'"],
    ['{"a": 1}}', 'f.json:1:9: unexpected "}" after the end of the value'],
    ['{"a": 1} {"b": 2}', 'f.json:1:10: unexpected "{" after the end of the value'],
    ['{"a": 1, "a": 2}', 'f.json:1:10: duplicate key "a"'],
    ['{"a": 01}', 'f.json:1:7: invalid number'],
    ['{"a": 1.}', 'f.json:1:7: invalid number'],
    ['{"a": .5}', 'f.json:1:7: unexpected "."; expected a value'],
    ['{"a": +1}', 'f.json:1:7: unexpected "+"; expected a value'],
    ['{"a": -}', 'f.json:1:7: invalid number'],
    ['{"a": 1e}', 'f.json:1:7: invalid number'],
    ['{"a": NaN}', 'f.json:1:7: unexpected "N"; expected a value'],
    ['{"a": tru}', 'f.json:1:7: unexpected "t"; expected a value'],
    ['{"a": trueish}', 'f.json:1:7: unexpected "t"; expected a value'],
    ['{"a": "x}', 'f.json:1:7: unterminated string'],
    ['{"a": "x\ny"}', 'f.json:1:9: unterminated string'],
    ['{"a": "x\ty"}', 'f.json:1:9: control character in a string; escape it'],
    ['{"a": "\\x41"}', 'f.json:1:8: invalid escape \\x in a string'],
    ['{"a": "\\u12"}', 'f.json:1:8: invalid \\u escape; expected four hex digits'],
    ['{"a": 1 /* open', 'f.json:1:9: unterminated /* comment'],
    ['{"a": 1} # note', 'f.json:1:10: unexpected "#" after the end of the value'],
    [`${'['.repeat(513)}${']'.repeat(513)}`, 'f.json:1:513: nested deeper than 512 levels'],
    // The first problem in a string, wherever jsonc-parser's scanner stops.
    ['{"a": "\\x \t \\u1"}', 'f.json:1:8: invalid escape \\x in a string'],
    ['{"a": "ok \t \\x"}', 'f.json:1:11: control character in a string; escape it'],
    ['{"a\tb": 1}', 'f.json:1:4: control character in a string; escape it'],
    ['{"a": "\\', 'f.json:1:8: invalid escape \\ in a string'],
    // A malformed token where no token of its kind belongs is misplaced first.
    ['{"a": 1 "\\x"}', "f.json:1:9: unexpected \"\\\"\"; expected ',' or '}'"],
    ['{"a" "b\nc": 1}', 'f.json:1:6: unexpected "\\""; expected \':\' after the key'],
    ['[1 1.]', "f.json:1:4: unexpected \"1\"; expected ',' or ']'"],
    ['[1 -]', "f.json:1:4: unexpected \"-\"; expected ',' or ']'"],
    ['[-x]', 'f.json:1:2: invalid number'],
    ['{"a": 1.5.2}', 'f.json:1:7: invalid number'],
    // A keyword followed by a stray character: the character is the problem.
    ['{"a": null#}', "f.json:1:11: unexpected \"#\"; expected ',' or '}'"],
    ["[true']", "f.json:1:6: unexpected \"'\"; expected ',' or ']'"],
    ['false*', 'f.json:1:6: unexpected "*" after the end of the value'],
    ['{"a": nullx}', 'f.json:1:7: unexpected "n"; expected a value'],
    ['{"a": [1, 2}', "f.json:1:12: unexpected \"}\"; expected ',' or ']'"],
    ['{"a": [1, 2', "f.json:1:12: unexpected end of file; expected ',' or ']'"],
    ['{"a"', "f.json:1:5: unexpected end of file; expected ':' after the key"],
    ['\uFEFF{"a" 1}', 'f.json:1:7: unexpected "1"; expected \':\' after the key'],
  ])('%j is refused', (text, message) => {
    expect(rejection(() => parseJsonc(text, 'f.json'))).toBe(message);
  });

  it('counts lines and columns across comments', () => {
    const text = '{\n  // note\n  /* a\n     b */ "agent": x\n}';
    expect(rejection(() => parseJsonc(text, 'agentrack.config.json'))).toBe(
      'agentrack.config.json:4:20: unexpected "x"; expected a value',
    );
  });

  it('reads plain JSON exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(parseJsonc(text, 'f.json')).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });
});

const defaults: AgentConfig = {
  agent: 'bot',
  basePath: '/Shared/bot',
  experiments: {
    development: '/Shared/bot/development',
    evaluation: '/Shared/bot/evaluation',
    deployment: '/Shared/bot/deployment',
  },
  version: '0.0.0',
  environments: { development: 'dev', evaluation: 'staging', deployment: 'production' },
  timeZone: 'UTC',
  tags: {},
  thresholds: [],
  productionAlias: 'production',
};

describe('resolveConfig', () => {
  it('fills every default', () => {
    expect(resolveConfig({ agent: 'bot' })).toStrictEqual(defaults);
  });

  it('keeps every option given', () => {
    const config = resolveConfig({
      agent: 'support-bot.v2',
      basePath: '/Workspace/Users/me@example.com/bots/',
      experiments: { deployment: '/Shared/prod/support-bot' },
      version: '1.4.0',
      environments: { evaluation: 'qa' },
      timeZone: 'local',
      tags: { team: 'support', 'cost center': '' },
      thresholds: ['accuracy >= 0.9', { metric: 'latency_ms', comparator: '<=', value: 800 }],
      trackingUri: 'sqlite:///runs.db',
      registeredModel: 'support bot/v2',
      productionAlias: 'champion-2',
    });
    expect(config).toStrictEqual({
      agent: 'support-bot.v2',
      basePath: '/Users/me@example.com/bots',
      experiments: {
        development: '/Users/me@example.com/bots/development',
        evaluation: '/Users/me@example.com/bots/evaluation',
        deployment: '/Shared/prod/support-bot',
      },
      version: '1.4.0',
      environments: { development: 'dev', evaluation: 'qa', deployment: 'production' },
      timeZone: 'local',
      tags: { team: 'support', 'cost center': '' },
      thresholds: [
        { metric: 'accuracy', comparator: '>=', value: 0.9 },
        { metric: 'latency_ms', comparator: '<=', value: 800 },
      ],
      trackingUri: 'sqlite:///runs.db',
      registeredModel: 'support bot/v2',
      productionAlias: 'champion-2',
    });
  });

  it('treats options set to undefined as absent', () => {
    expect(
      resolveConfig({
        agent: 'bot',
        version: undefined,
        tags: undefined,
        experiments: { evaluation: undefined },
        registeredModel: undefined,
        productionAlias: undefined,
      }),
    ).toStrictEqual(defaults);
  });

  it('keeps the file it was read from', () => {
    expect(resolveConfig({ agent: 'bot' }, { configPath: '/repo/agentrack.config.json' }).configPath).toBe(
      '/repo/agentrack.config.json',
    );
  });

  it('is deeply frozen and shares nothing with its input', () => {
    const input = {
      agent: 'bot',
      tags: { team: 'a' },
      thresholds: [{ metric: 'a', comparator: '>' as const, value: 1 }],
    };
    const config = resolveConfig(input);
    for (const part of [config, config.experiments, config.environments, config.tags, config.thresholds]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(Object.isFrozen(config.thresholds[0])).toBe(true);
    expect(Object.isFrozen(input.tags)).toBe(false);
    input.tags.team = 'b';
    expect(config.tags.team).toBe('a');
  });

  const long = 'v'.repeat(8001);
  it.each<[string, unknown, string]>([
    ['not an object', ['bot'], 'the configuration must be an object, not a list'],
    [
      'a misspelt option',
      { agent: 'bot', tresholds: [] },
      "tresholds: unknown option; did you mean 'thresholds'? (allowed: agent, basePath, experiments, version, environments, timeZone, tags, thresholds, trackingUri, registeredModel, productionAlias)",
    ],
    [
      'an option in another case',
      { agent: 'bot', timezone: 'UTC' },
      "timezone: unknown option; did you mean 'timeZone'?",
    ],
    ['an unrelated option', { agent: 'bot', colour: 'red' }, 'colour: unknown option (allowed: agent, '],
    ['no agent', {}, 'agent: missing; name the agent (letters, digits, _ . -)'],
    ['an empty agent', { agent: '' }, 'agent: missing'],
    ['a number agent', { agent: 7 }, 'agent: must be a string, not number 7'],
    [
      'an agent with a slash',
      { agent: 'team/bot' },
      'agent: "team/bot" is not a valid agent name: use letters, digits, _ . - and start with a letter or digit',
    ],
    ['an agent with a space', { agent: 'my bot' }, 'agent: "my bot" is not a valid agent name'],
    ['an agent starting with a dot', { agent: '.bot' }, 'agent: ".bot" is not a valid agent name'],
    ['an agent starting with a dash', { agent: '-bot' }, 'agent: "-bot" is not a valid agent name'],
    ['a long agent', { agent: 'b'.repeat(251) }, 'agent: longer than 250 characters'],
    [
      'a relative base path',
      { agent: 'bot', basePath: 'Shared/bot' },
      "basePath: 'Shared/bot' is not an absolute path",
    ],
    [
      'a base path with ..',
      { agent: 'bot', basePath: '/Shared/../bot' },
      "basePath: '/Shared/../bot' contains a '..'",
    ],
    ['a number base path', { agent: 'bot', basePath: 1 }, 'basePath: must be a string, not number 1'],
    [
      'experiments as a list',
      { agent: 'bot', experiments: [] },
      'experiments: must be an object keyed by run type',
    ],
    [
      'an experiment under an alias',
      { agent: 'bot', experiments: { dev: '/x' } },
      "experiments.dev: unknown run type; did you mean 'development'? (allowed: development, evaluation, deployment)",
    ],
    [
      'a misspelt experiment key',
      { agent: 'bot', experiments: { evalution: '/x' } },
      "experiments.evalution: unknown run type; did you mean 'evaluation'?",
    ],
    [
      'a relative experiment path',
      { agent: 'bot', experiments: { evaluation: 'eval' } },
      "experiments.evaluation: 'eval' is not an absolute path",
    ],
    [
      'two run types in one experiment',
      { agent: 'bot', experiments: { deployment: '/Workspace/Shared/bot/evaluation/' } },
      "experiments: evaluation and deployment both use '/Shared/bot/evaluation'; each run type needs its own experiment",
    ],
    ['an empty version', { agent: 'bot', version: '' }, 'version: must not be empty'],
    ['a blank version', { agent: 'bot', version: '  ' }, 'version: must not be empty'],
    ['a number version', { agent: 'bot', version: 1.2 }, 'version: must be a string, not number 1.2'],
    ['a null version', { agent: 'bot', version: null }, 'version: must be a string, not null'],
    ['a long version', { agent: 'bot', version: long }, 'version: longer than 8000 characters'],
    [
      'an empty environment',
      { agent: 'bot', environments: { evaluation: '' } },
      'environments.evaluation: must not be empty',
    ],
    [
      'an environment as a number',
      { agent: 'bot', environments: { evaluation: 2 } },
      'environments.evaluation: must be a string',
    ],
    [
      'a misspelt environment key',
      { agent: 'bot', environments: { prod: 'p' } },
      'environments.prod: unknown run type',
    ],
    [
      'an unknown time zone',
      { agent: 'bot', timeZone: 'Europe/Paris' },
      "timeZone: 'Europe/Paris' is not a time zone run names can use (use UTC or local)",
    ],
    ['a time zone in lower case', { agent: 'bot', timeZone: 'utc' }, "timeZone: 'utc' is not a time zone"],
    [
      'tags as a list',
      { agent: 'bot', tags: ['a'] },
      'tags: must be an object of key-value strings, not a list',
    ],
    [
      'a tag with a bad key',
      { agent: 'bot', tags: { 'a!b': 'x' } },
      'tags["a!b"]: Invalid value "a!b" for parameter \'key\' supplied: Names may only contain',
    ],
    ['a tag key that is a path', { agent: 'bot', tags: { 'a/../b': 'x' } }, 'tags["a/../b"]: Invalid value'],
    [
      'a standard tag',
      { agent: 'bot', tags: { run_type: 'x' } },
      "tags.run_type: 'run_type' is a tag agentrack sets on every run; choose another key",
    ],
    [
      'the version tag',
      { agent: 'bot', tags: { version: 'x' } },
      "tags.version: 'version' is a tag agentrack sets on every run",
    ],
    [
      'an evaluation tag',
      { agent: 'bot', tags: { deployment_candidate: 'x' } },
      "tags.deployment_candidate: 'deployment_candidate' is a tag agentrack sets on evaluation runs",
    ],
    [
      'a deployment tag',
      { agent: 'bot', tags: { deployment_status: 'x' } },
      "tags.deployment_status: 'deployment_status' is a tag agentrack sets on deployment runs",
    ],
    [
      'an agentrack tag',
      { agent: 'bot', tags: { 'agentrack.note': 'x' } },
      'tags["agentrack.note"]: keys starting with \'agentrack.\' are reserved; choose another key',
    ],
    [
      'an MLflow tag',
      { agent: 'bot', tags: { 'mlflow.runName': 'x' } },
      'tags["mlflow.runName"]: keys starting with \'mlflow.\' are reserved',
    ],
    ['a number tag value', { agent: 'bot', tags: { team: 3 } }, 'tags.team: must be a string, not number 3'],
    [
      'a long tag value',
      { agent: 'bot', tags: { team: long } },
      'tags.team: value longer than 8000 characters',
    ],
    [
      'thresholds as text',
      { agent: 'bot', thresholds: 'accuracy >= 0.9' },
      'thresholds: must be a list of thresholds',
    ],
    [
      'a bad threshold',
      { agent: 'bot', thresholds: ['accuracy >= 0.9', 'accuracy => 0.9'] },
      "thresholds[1]: unknown comparator '=>' in 'accuracy => 0.9' (use >, >=, <, <=, ==)",
    ],
    ['an empty tracking URI', { agent: 'bot', trackingUri: '' }, 'trackingUri: must not be empty'],
    [
      'a registered model in another case',
      { agent: 'bot', registeredmodel: 'bot' },
      "registeredmodel: unknown option; did you mean 'registeredModel'?",
    ],
    [
      'an empty registered model',
      { agent: 'bot', registeredModel: '' },
      'registeredModel: must not be empty',
    ],
    [
      'a blank registered model',
      { agent: 'bot', registeredModel: ' ' },
      'registeredModel: must not be empty',
    ],
    [
      'a number registered model',
      { agent: 'bot', registeredModel: 3 },
      'registeredModel: must be a string, not number 3',
    ],
    [
      'a long registered model',
      { agent: 'bot', registeredModel: long },
      'registeredModel: longer than 8000 characters',
    ],
    [
      'an empty production alias',
      { agent: 'bot', productionAlias: '' },
      'productionAlias: Registered model alias name cannot be empty.',
    ],
    [
      'a production alias with a space',
      { agent: 'bot', productionAlias: 'prod env' },
      "productionAlias: Invalid alias name: 'prod env'. Names may only contain alphanumerics, underscores (_), and dashes (-).",
    ],
    [
      'a production alias with a dot',
      { agent: 'bot', productionAlias: 'prod.1' },
      "productionAlias: Invalid alias name: 'prod.1'.",
    ],
    [
      "the alias 'latest'",
      { agent: 'bot', productionAlias: 'Latest' },
      "productionAlias: 'latest' alias name (case insensitive) is reserved.",
    ],
    [
      'a version alias',
      { agent: 'bot', productionAlias: 'v3' },
      "productionAlias: Version alias name 'v3' is reserved.",
    ],
    [
      'a production alias of 256 characters',
      { agent: 'bot', productionAlias: 'p'.repeat(256) },
      "productionAlias: 'Registered model alias name' exceeds the maximum length of 255 characters",
    ],
    [
      'a number production alias',
      { agent: 'bot', productionAlias: 1 },
      'productionAlias: must be a string, not number 1',
    ],
  ])('refuses %s', (_name, input, fragment) => {
    const message = rejection(() => resolveConfig(input as AgentConfigInput));
    expect(message.slice(0, fragment.length)).toBe(fragment);
  });

  it('accepts a tag value of 8000 characters and a custom tag that merely resembles a reserved one', () => {
    const config = resolveConfig({
      agent: 'bot',
      tags: { notes: 'v'.repeat(8000), 'agentrack-team': 'x', Version: 'y' },
    });
    expect(Object.keys(config.tags)).toEqual(['notes', 'agentrack-team', 'Version']);
  });

  it('accepts the aliases MLflow accepts: letters and digits of any script, _ and -, up to 255', () => {
    for (const alias of ['production', 'Prod_2', 'blue-green', 'v', 'v1a', 'продакшн', 'p'.repeat(255)]) {
      expect(resolveConfig({ agent: 'bot', productionAlias: alias }).productionAlias).toBe(alias);
    }
  });

  it('keeps no registered model unless one is named, so deployments stay unbound', () => {
    const config = resolveConfig({ agent: 'bot', productionAlias: 'live' });
    expect(config).not.toHaveProperty('registeredModel');
    expect(config.productionAlias).toBe('live');
  });

  it.each<[string, unknown, string]>([
    ['a number base path', { agent: 'bot', basePath: 1 }, 'c.json: basePath: must be a string, not number 1'],
    [
      'a relative base path',
      { agent: 'bot', basePath: 'x' },
      "c.json: basePath: 'x' is not an absolute path",
    ],
    [
      'a null experiment',
      { agent: 'bot', experiments: { evaluation: null } },
      'c.json: experiments.evaluation: must be a string, not null',
    ],
    [
      'a relative experiment',
      { agent: 'bot', experiments: { evaluation: 'x' } },
      "c.json: experiments.evaluation: 'x' is not",
    ],
    ['a bad tag key', { agent: 'bot', tags: { 'a!': 'x' } }, 'c.json: tags["a!"]: Invalid value "a!"'],
    [
      'a reserved tag key',
      { agent: 'bot', tags: { 'mlflow.x': 'x' } },
      'c.json: tags["mlflow.x"]: keys starting',
    ],
    ['a bad threshold', { agent: 'bot', thresholds: ['x'] }, 'c.json: thresholds[0]: missing comparator'],
    ['an empty registered model', { agent: 'bot', registeredModel: '' }, 'c.json: registeredModel: must not'],
    [
      'a reserved production alias',
      { agent: 'bot', productionAlias: 'latest' },
      "c.json: productionAlias: 'latest' alias name",
    ],
    [
      'a shared experiment',
      { agent: 'bot', basePath: '/a', experiments: { development: '/a/evaluation' } },
      'c.json: experiments: development and evaluation both use',
    ],
  ])('names the file once in front of %s', (_name, input, fragment) => {
    const message = rejection(() => resolveConfig(input as AgentConfigInput, { configPath: 'c.json' }));
    expect(message.slice(0, fragment.length)).toBe(fragment);
  });

  it('names the file in front of the field', () => {
    expect(
      rejection(() =>
        resolveConfig(
          { agent: 'bot', thresholds: ['a > 1', 'accuracy => 0.9'] },
          { configPath: 'agentrack.config.json' },
        ),
      ),
    ).toBe(
      "agentrack.config.json: thresholds[1]: unknown comparator '=>' in 'accuracy => 0.9' (use >, >=, <, <=, ==)",
    );
    expect(
      rejection(() =>
        resolveConfig({ agent: 'bot', tresholds: [] } as AgentConfigInput, { configPath: 'c.json' }),
      ),
    ).toMatch(/^c\.json: tresholds: unknown option/);
  });
});

describe('exampleConfigText', () => {
  const text = exampleConfigText('support-bot');

  it('resolves to exactly the defaults', () => {
    expect(resolveConfig(parseJsonc(text, 'example') as AgentConfigInput)).toStrictEqual(
      resolveConfig({ agent: 'support-bot' }),
    );
  });

  it('shows every option, each after a comment', () => {
    const lines = text.split('\n');
    for (const key of CONFIG_KEYS) {
      const at = lines.findIndex((line) => new RegExp(`^\\s*(// )?"${key}":`).test(line));
      expect(at, key).toBeGreaterThan(0);
      const previous = lines[at - 1]?.trim() ?? '';
      expect(previous.startsWith('//') && !previous.startsWith('// "'), key).toBe(true);
    }
  });

  it('says why run names use UTC', () => {
    expect(text).toMatch(/Default: UTC, so that names sort in the order the runs started/);
    expect(text).toMatch(/agree between\s+\/\/\s+machines and CI runners in different time zones/);
    expect(text).toContain(`"local" uses this machine's zone`);
  });

  it('resolves with its commented-out options switched on, too', () => {
    const uncommented = text.replace(/^(\s*)\/\/ ("|\}|\s+")/gm, '$1$2');
    const config = resolveConfig(parseJsonc(uncommented, 'example') as AgentConfigInput);
    expect(config.experiments).toEqual(resolveConfig({ agent: 'support-bot' }).experiments);
    expect(config.trackingUri).toBe('sqlite:///agentrack.db');
  });

  it('refuses an invalid agent name', () => {
    expect(rejection(() => exampleConfigText('my bot'))).toContain(
      'agent: "my bot" is not a valid agent name',
    );
  });
});

describe('config files', () => {
  const folders: Array<{ remove: () => void }> = [];
  const folder = (): string => {
    const dir = tempDir('agentrack-config-');
    folders.push(dir);
    return dir.path;
  };
  afterEach(() => {
    for (const dir of folders.splice(0)) dir.remove();
  });
  const write = (path: string, text: string): string => {
    writeFileSync(path, text);
    return path;
  };

  describe('findConfigFile', () => {
    it('finds the file in the folder itself', () => {
      const root = folder();
      const file = write(join(root, CONFIG_FILE_NAME), '{}');
      expect(findConfigFile(root)).toBe(file);
    });

    it('walks up to the nearest file', () => {
      const root = folder();
      const outer = write(join(root, CONFIG_FILE_NAME), '{}');
      const deep = join(root, 'a', 'b', 'c');
      mkdirSync(deep, { recursive: true });
      expect(findConfigFile(deep)).toBe(outer);
      const inner = write(join(root, 'a', CONFIG_FILE_NAME), '{}');
      expect(findConfigFile(deep)).toBe(inner);
      expect(findConfigFile(join(root, 'a', 'b', '..', 'b', 'c'))).toBe(inner);
    });

    it('skips a folder of that name', () => {
      const root = folder();
      const outer = write(join(root, CONFIG_FILE_NAME), '{}');
      mkdirSync(join(root, 'a', CONFIG_FILE_NAME), { recursive: true });
      expect(findConfigFile(join(root, 'a'))).toBe(outer);
    });

    it('searches up to the root of the file system', () => {
      const deep = join(folder(), 'a', 'b');
      mkdirSync(deep, { recursive: true });
      // Whatever the machine has above the temporary folder is all there is to find.
      expect(findConfigFile(deep)).toBe(findConfigFile(tmpdir()));
    });
  });

  describe('loadConfig', () => {
    it('loads the nearest file, with comments and trailing commas, and records its path', async () => {
      const root = folder();
      const file = write(
        join(root, CONFIG_FILE_NAME),
        '// the agent\n{\n  "agent": "bot", /* name */\n  "thresholds": ["accuracy >= 0.9",],\n}\n',
      );
      const cwd = join(root, 'src');
      mkdirSync(cwd);
      expect(await loadConfig({ cwd, env: {} })).toStrictEqual({
        ...defaults,
        thresholds: [{ metric: 'accuracy', comparator: '>=', value: 0.9 }],
        trackingUri: `sqlite:///${join(root, 'agentrack.db')}`,
        configPath: file,
      });
    });

    it('takes the tracking URI from an override, then AGENTRACK_TRACKING_URI, then the file, then MLFLOW_TRACKING_URI', async () => {
      const root = folder();
      write(join(root, CONFIG_FILE_NAME), '{"agent": "bot", "trackingUri": "sqlite:///data/runs.db"}');
      const cwd = join(root, 'deep', 'er');
      mkdirSync(cwd, { recursive: true });
      const env = {
        AGENTRACK_TRACKING_URI: 'sqlite:////tmp/env.db',
        MLFLOW_TRACKING_URI: 'http://mlflow:5000',
      };
      const uri = async (options: Parameters<typeof loadConfig>[0]) =>
        (await loadConfig({ cwd, ...options })).trackingUri;
      expect(await uri({ env, overrides: { trackingUri: 'sqlite:////tmp/flag.db' } })).toBe(
        'sqlite:////tmp/flag.db',
      );
      expect(await uri({ env })).toBe('sqlite:////tmp/env.db');
      expect(await uri({ env: { MLFLOW_TRACKING_URI: 'http://mlflow:5000' } })).toBe(
        `sqlite:///${join(root, 'data/runs.db')}`,
      );
      write(join(root, CONFIG_FILE_NAME), '{"agent": "bot"}');
      expect(await uri({ env: { MLFLOW_TRACKING_URI: 'http://mlflow:5000' } })).toBe('http://mlflow:5000');
      expect(await uri({ env: {} })).toBe(`sqlite:///${join(root, 'agentrack.db')}`);
      // A relative SQLite file in the environment is made absolute, from the working folder.
      expect(await uri({ env: { AGENTRACK_TRACKING_URI: 'sqlite:///env.db' } })).toBe(
        `sqlite:///${join(cwd, 'env.db')}`,
      );
    });

    it('refuses a tracking URI in the file that no store can open, naming the file and the field', async () => {
      const root = folder();
      write(join(root, CONFIG_FILE_NAME), '{"agent": "bot", "trackingUri": "mysql://root:s3cret@db/x"}');
      const error = await loadConfig({ cwd: root, env: {} }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
        message: expect.stringMatching(
          new RegExp(
            `^${CONFIG_FILE_NAME}: trackingUri: Unsupported tracking URI scheme 'mysql' in 'mysql://root:\\*\\*\\*@db/x'`,
          ),
        ),
      });
    });

    it('reads the file at an explicit path, relative to cwd', async () => {
      const root = folder();
      write(join(root, CONFIG_FILE_NAME), '{"agent": "nearest"}');
      const file = write(join(root, 'other.json'), '{"agent": "other"}');
      const config = await loadConfig({ cwd: root, path: 'other.json' });
      expect(config.agent).toBe('other');
      expect(config.configPath).toBe(file);
    });

    it('reports a missing explicit file as RESOURCE_DOES_NOT_EXIST', async () => {
      const root = folder();
      write(join(root, CONFIG_FILE_NAME), '{"agent": "bot"}');
      expect(await rejectionOf(loadConfig({ cwd: root, path: 'missing.json' }))).toEqual({
        code: 'RESOURCE_DOES_NOT_EXIST',
        message: "configuration file 'missing.json' does not exist",
      });
    });

    it('refuses an explicit path that is a folder', async () => {
      const root = folder();
      expect(await rejectionOf(loadConfig({ cwd: root, path: '.' }))).toEqual({
        code: 'INVALID_PARAMETER_VALUE',
        message: "configuration file '.' is a folder, not a file",
      });
    });

    it('merges overrides over the file, key by key for experiments, environments and tags', async () => {
      const root = folder();
      write(
        join(root, CONFIG_FILE_NAME),
        JSON.stringify({
          agent: 'bot',
          version: '1.0.0',
          experiments: { evaluation: '/Shared/bot/eval' },
          environments: { development: 'local', evaluation: 'qa' },
          tags: { team: 'a', owner: 'x' },
          thresholds: ['accuracy >= 0.9'],
        }),
      );
      const config = await loadConfig({
        cwd: root,
        overrides: {
          version: '2.0.0',
          experiments: { deployment: '/Shared/bot/prod' },
          environments: { evaluation: 'staging-2', deployment: undefined },
          tags: { team: 'b' },
          thresholds: ['latency <= 800'],
          timeZone: undefined,
        },
      });
      expect(config.version).toBe('2.0.0');
      expect(config.experiments).toEqual({
        development: '/Shared/bot/development',
        evaluation: '/Shared/bot/eval',
        deployment: '/Shared/bot/prod',
      });
      expect(config.environments).toEqual({
        development: 'local',
        evaluation: 'staging-2',
        deployment: 'production',
      });
      expect(config.tags).toEqual({ team: 'b', owner: 'x' });
      expect(config.thresholds).toEqual([{ metric: 'latency', comparator: '<=', value: 800 }]);
      expect(config.timeZone).toBe('UTC');
    });

    it('names the file, relative to cwd, in errors about what it holds', async () => {
      const root = folder();
      write(
        join(root, CONFIG_FILE_NAME),
        '{\n  "agent": "bot",\n  "thresholds": ["a > 1", "accuracy => 0.9"],\n}',
      );
      const cwd = join(root, 'x', 'y');
      mkdirSync(cwd, { recursive: true });
      expect(await rejectionOf(loadConfig({ cwd }))).toEqual({
        code: 'INVALID_PARAMETER_VALUE',
        message: `../../${CONFIG_FILE_NAME}: thresholds[1]: unknown comparator '=>' in 'accuracy => 0.9' (use >, >=, <, <=, ==)`,
      });
    });

    it('names the file, line and column of a syntax error', async () => {
      const root = folder();
      write(join(root, CONFIG_FILE_NAME), '{\n  "agent": "bot"\n  "version": "1"\n}');
      expect((await rejectionOf(loadConfig({ cwd: root }))).message).toBe(
        `${CONFIG_FILE_NAME}:3:3: unexpected "\\""; expected ',' or '}'`,
      );
    });

    it('refuses a file that is not an object', async () => {
      const root = folder();
      write(join(root, CONFIG_FILE_NAME), '["bot"]');
      expect((await rejectionOf(loadConfig({ cwd: root }))).message).toBe(
        `${CONFIG_FILE_NAME}: the configuration must be a JSON object, not a list`,
      );
    });

    it('reads the registered model and the production alias from the file, and names the file in their errors', async () => {
      const root = folder();
      write(
        join(root, CONFIG_FILE_NAME),
        '{\n  "agent": "bot",\n  "registeredModel": "bot_model",\n  "productionAlias": "live",\n}',
      );
      const config = await loadConfig({ cwd: root, env: {} });
      expect(config).toMatchObject({ registeredModel: 'bot_model', productionAlias: 'live' });
      expect(
        (await loadConfig({ cwd: root, env: {}, overrides: { productionAlias: 'blue' } })).productionAlias,
      ).toBe('blue');
      write(
        join(root, CONFIG_FILE_NAME),
        '{"agent": "bot", "registeredModel": "m", "productionAlias": "V2"}',
      );
      expect(await rejectionOf(loadConfig({ cwd: root, env: {} }))).toEqual({
        code: 'INVALID_PARAMETER_VALUE',
        message: `${CONFIG_FILE_NAME}: productionAlias: Version alias name 'V2' is reserved.`,
      });
    });

    it('does not blame the file for a bad override', async () => {
      const root = folder();
      write(join(root, CONFIG_FILE_NAME), '{"agent": "bot", "tags": {"team": "a"}}');
      expect((await rejectionOf(loadConfig({ cwd: root, overrides: { version: '' } }))).message).toBe(
        'version: must not be empty',
      );
      expect(
        (await rejectionOf(loadConfig({ cwd: root, overrides: { tags: { run_type: 'x' } } }))).message,
      ).toBe("tags.run_type: 'run_type' is a tag agentrack sets on every run; choose another key");
    });

    it('blames the file for its own part of a merged option', async () => {
      const root = folder();
      write(join(root, CONFIG_FILE_NAME), '{"agent": "bot", "tags": {"mlflow.user": "a"}}');
      expect((await rejectionOf(loadConfig({ cwd: root, overrides: { tags: { team: 'b' } } }))).message).toBe(
        `${CONFIG_FILE_NAME}: tags["mlflow.user"]: keys starting with 'mlflow.' are reserved; choose another key`,
      );
    });

    it('without a file, needs the agent from the overrides', async () => {
      const root = folder();
      // A file above the temporary folder would be found instead; the test needs none there.
      expect(findConfigFile(root)).toBeUndefined();
      const error = await rejectionOf(loadConfig({ cwd: root, overrides: { version: '1' } }));
      expect(error.code).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toBe(
        `no ${CONFIG_FILE_NAME} found in ${root} or any folder above it; run \`agentrack init\` to create one, or name the agent in \`overrides.agent\``,
      );
      const config = await loadConfig({ cwd: root, overrides: { agent: 'bot', version: '1' } });
      expect(config).toStrictEqual({ ...defaults, version: '1' });
    });

    it("without a file, says what the caller's user can do", async () => {
      const root = folder();
      expect(findConfigFile(root)).toBeUndefined();
      const error = await rejectionOf(loadConfig({ cwd: root, missingHint: 'give --config <file>' }));
      expect(error).toEqual({
        code: 'INVALID_PARAMETER_VALUE',
        message: `no ${CONFIG_FILE_NAME} found in ${root} or any folder above it; give --config <file>`,
      });
    });

    it('loads the file init writes', async () => {
      const root = folder();
      const file = write(join(root, CONFIG_FILE_NAME), exampleConfigText('bot'));
      expect(await loadConfig({ cwd: root, env: {} })).toStrictEqual({
        ...defaults,
        trackingUri: `sqlite:///${join(root, 'agentrack.db')}`,
        configPath: file,
      });
    });
  });
});
