import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pythonJsonText } from '../utils/python-json-text.js';
import { pythonYamlText } from './python-yaml-text.js';

const hasPyYaml = spawnSync('python3', ['-c', 'import yaml']).status === 0;

/** Dumps each value (JSON lines in, one JSON list of texts out) with Python's yaml and json modules. */
const PYTHON_DUMPS = `
import json, sys, yaml
out = []
for line in sys.stdin:
    value = json.loads(line)
    out.append([yaml.dump(value, indent=2, default_flow_style=False), json.dumps(value, indent=2, default=str)])
print(json.dumps(out))
`;

function pythonDumps(values: readonly unknown[]): Array<[string, string]> {
  const input = values.map((v) => pythonJsonText(v)).join('\n');
  const result = spawnSync('python3', ['-c', PYTHON_DUMPS], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as Array<[string, string]>;
}

/** Characters that steer PyYAML's choice of style, folding and escapes. */
const CHARS = [
  ...'abcXYZ019',
  ' ',
  ' ',
  ' ',
  ':',
  '#',
  '-',
  '?',
  "'",
  '"',
  '\\',
  ',',
  '[',
  '{',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  '.',
  '~',
  '\n',
  '\t',
  '\r',
  '\0',
  '\x85',
  '\xa0',
  'é',
  'ß',
  '\u2028',
  '€',
  '😀',
];
const WORDS = [
  'yes',
  'No',
  'null',
  '~',
  '1.5',
  '0x1f',
  '0o17',
  '017',
  '1e3',
  '1_000',
  '2026-11-26',
  '.inf',
  '---',
  '...',
  '<<',
  '=',
];

const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 12 }),
  fc.constantFrom(...WORDS),
  fc
    .array(fc.constantFrom('word', 'lengthier', 'é', 'a:b', "it's", '#x'), { maxLength: 40 })
    .map((w) => w.join(' ')),
  fc.string({ unit: fc.constantFrom('long', ' ', 'x'), minLength: 60, maxLength: 140 }),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.double({ noDefaultInfinity: false }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(text, tie('node'), { maxKeys: 4 }),
  ),
})).node;

describe('pythonYamlText', () => {
  it('writes what MLflow logged for log_dict as YAML (recorded)', () => {
    const dict = {
      agent: 'health_monitor_agent',
      thresholds: { cpu: 90, memory: 85 },
      tools: ['search_metrics', 'page'],
    };
    expect(pythonYamlText(dict)).toBe(
      'agent: health_monitor_agent\nthresholds:\n  cpu: 90\n  memory: 85\ntools:\n- search_metrics\n- page\n',
    );
  });

  it.each<[unknown, string]>([
    [{ b: 1, a: [], c: {} }, 'a: []\nb: 1\nc: {}\n'],
    [[{ a: 1, b: [1, [2, 3]] }], '- a: 1\n  b:\n  - 1\n  - - 2\n    - 3\n'],
    [
      { n: Number.NaN, i: -Infinity, f: 1e21, s: '1e3', t: 'true', e: '' },
      "e: ''\nf: 1.0e+21\ni: -.inf\nn: .nan\ns: 1e3\nt: 'true'\n",
    ],
    [{ u: 'CPU ≥ 90%' }, 'u: "CPU \\u2265 90%"\n'],
    ['plain at the root', 'plain at the root\n...\n'],
  ])('writes %j as PyYAML does', (input, expected) => {
    expect(pythonYamlText(input)).toBe(expected);
  });

  it('refuses a value that contains itself', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => pythonYamlText(loop)).toThrow(/contains itself/);
  });

  it.skipIf(!hasPyYaml)(
    'writes byte for byte what PyYAML writes, and JSON as Python json.dumps(indent=2)',
    () => {
      const samples = fc.sample(value, { numRuns: 600, seed: 20261126 });
      const expected = pythonDumps(samples);
      samples.forEach((sample, i) => {
        const [yamlText, jsonText] = expected[i] as [string, string];
        expect(pythonYamlText(sample), JSON.stringify(sample)).toBe(yamlText);
        expect(pythonJsonText(sample, { indent: 2 }), JSON.stringify(sample)).toBe(jsonText);
      });
    },
  );
});
