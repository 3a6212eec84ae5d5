import { describe, expect, test } from 'vitest';
import { isAgentrackError } from '../errors.js';
import { withoutLocation, type Comparison } from './ast.js';
import {
  parseExperimentFilter,
  parseModelVersionFilter,
  parseRegisteredModelFilter,
  parseRunFilter,
} from './filter-parser.js';

type Expected = Omit<Comparison, 'location'>;

const num = (entity: 'metric' | 'attribute', key: string, comparator: string, value: number): Expected =>
  ({ type: 'number_comparison', entity, key, comparator, value }) as Expected;
const str = (
  entity: 'param' | 'tag' | 'attribute' | 'dataset',
  key: string,
  comparator: string,
  value: string,
): Expected => ({ type: 'string_comparison', entity, key, comparator, value }) as Expected;
const list = (entity: 'attribute' | 'dataset', key: string, comparator: string, value: string[]): Expected =>
  ({ type: 'list_comparison', entity, key, comparator, value }) as Expected;

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isAgentrackError(error, 'INVALID_PARAMETER_VALUE')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('parseRunFilter: valid', () => {
  const cases: Record<string, Expected[]> = {
    '': [],
    '   \n\t ': [],
    "metrics.rmse < 1 and params.model_class = 'LogisticRegression'": [
      num('metric', 'rmse', '<', 1),
      str('param', 'model_class', '=', 'LogisticRegression'),
    ],
    "tags.`my key` = 'x'": [str('tag', 'my key', '=', 'x')],
    'tags."mlflow.runName" = \'y\'': [str('tag', 'mlflow.runName', '=', 'y')],
    "tags.mlflow.runName = 'y'": [str('tag', 'mlflow.runName', '=', 'y')],
    "attributes.run_id IN ('a', 'b')": [list('attribute', 'run_id', 'IN', ['a', 'b'])],
    "attributes.run_id not in ('a',)": [list('attribute', 'run_id', 'NOT IN', ['a'])],
    'run_id IN ("a","b" , \'c\')': [list('attribute', 'run_id', 'IN', ['a', 'b', 'c'])],
    "attribute.status != 'FAILED'": [str('attribute', 'status', '!=', 'FAILED')],
    "run_name LIKE 'dev_%'": [str('attribute', 'run_name', 'LIKE', 'dev_%')],
    "run_name like 'dev_%'": [str('attribute', 'run_name', 'LIKE', 'dev_%')],
    "`Run name` ILIKE 'DEV%'": [str('attribute', 'run_name', 'ILIKE', 'DEV%')],
    "attributes.`run name` = 'x'": [str('attribute', 'run_name', '=', 'x')],
    'created > 1700000000000': [num('attribute', 'start_time', '>', 1700000000000)],
    'Created <= 5': [num('attribute', 'start_time', '<=', 5)],
    'attributes.end_time >= 10': [num('attribute', 'end_time', '>=', 10)],
    'metric.a != 1.5': [num('metric', 'a', '!=', 1.5)],
    'metrics.a > -2.5e3': [num('metric', 'a', '>', -2500)],
    'metrics.a > .5': [num('metric', 'a', '>', 0.5)],
    'metrics.a < 1e999': [num('metric', 'a', '<', Infinity)],
    'metrics.a>=-1': [num('metric', 'a', '>=', -1)],
    'metrics.`a b.c` = 0': [num('metric', 'a b.c', '=', 0)],
    '`metrics`.x = 3': [num('metric', 'x', '=', 3)],
    'metrics.0_loss = 3': [num('metric', '0_loss', '=', 3)],
    "param.a = 'x'": [str('param', 'a', '=', 'x')],
    "parameters.a = 'x'": [str('param', 'a', '=', 'x')],
    "parameter.a = 'x'": [str('param', 'a', '=', 'x')],
    "params.a ILIKE '%X%'": [str('param', 'a', 'ILIKE', '%X%')],
    "tag.a = 'x'": [str('tag', 'a', '=', 'x')],
    "attr.user_id = 'u'": [str('attribute', 'user_id', '=', 'u')],
    "run.artifact_uri LIKE 's3://%'": [str('attribute', 'artifact_uri', 'LIKE', 's3://%')],
    "params.a = 'it''s'": [str('param', 'a', '=', "it's")],
    'params.a = "say ""hi"""': [str('param', 'a', '=', 'say "hi"')],
    "params.a = 'back\\slash'": [str('param', 'a', '=', 'back\\slash')],
    "params.a = ''": [str('param', 'a', '=', '')],
    "params.a = 'multi\nline'": [str('param', 'a', '=', 'multi\nline')],
    "tags.`we``ird` = 'x'": [str('tag', 'we`ird', '=', 'x')],
    "params.é = 'ü'": [str('param', 'é', '=', 'ü')],
    "datasets.name = 'train'": [str('dataset', 'name', '=', 'train')],
    "dataset.digest IN ('abc', 'def')": [list('dataset', 'digest', 'IN', ['abc', 'def'])],
    "metrics.a = 1 AND metrics.b = 2 and params.c = 'x'": [
      num('metric', 'a', '=', 1),
      num('metric', 'b', '=', 2),
      str('param', 'c', '=', 'x'),
    ],
  };
  for (const [input, expected] of Object.entries(cases)) {
    test(JSON.stringify(input), () => {
      expect(parseRunFilter(input).map(withoutLocation)).toEqual(expected);
    });
  }

  test('undefined is the empty filter', () => {
    expect(parseRunFilter(undefined)).toEqual([]);
  });

  test('every clause carries its source offsets', () => {
    const text = "  metrics.rmse < 1 and params.`a b` = 'x' AND run_id IN ('r')";
    const ast = parseRunFilter(text);
    expect(ast.map((c) => text.slice(c.location.start, c.location.end))).toEqual([
      'metrics.rmse < 1',
      "params.`a b` = 'x'",
      "run_id IN ('r')",
    ]);
  });
});

describe('parseRunFilter: invalid', () => {
  const cases: Record<string, string[]> = {
    'tags.run_type = development': [
      'Parameter value is either not quoted or unidentified quote types used for string value development',
      'position 16',
    ],
    "foo.bar = 'x'": [
      "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
      'position 0',
    ],
    "Metrics.a = 'x'": ["Invalid entity type 'Metrics'"],
    "metrics.a LIKE '1'": ["Invalid comparator 'LIKE' not one of", 'position 10'],
    "params.a > 'x'": ["Invalid comparator '>' not one of ['=', '!=', 'LIKE', 'ILIKE']", 'position 9'],
    "tags.a IN ('x')": ["Invalid comparator 'IN'", 'position 7'],
    "start_time LIKE '1%'": ["Invalid comparator 'LIKE'", 'numeric attribute'],
    "attributes.foo = 'x'": ["Invalid attribute key 'foo' specified. Valid keys are", 'position 0'],
    "rmse = 'x'": ["Invalid attribute key 'rmse'"],
    // duration orders runs (agentrack's extension) but filters none.
    'attributes.duration > 1000': ["Invalid attribute key 'duration' specified", 'position 0'],
    "datasets.foo = 'x'": ["Invalid dataset key 'foo' specified"],
    'metrics.a = 1 OR metrics.b = 2': ["Invalid clause(s) in filter string: 'OR'", 'position 14'],
    'metrics.a = 1 metrics.b = 2': ["Invalid clause(s) in filter string: 'metrics.b'", 'position 14'],
    "params.a = 'x' )": ["Invalid clause(s) in filter string: ')'", 'position 15'],
    'metrics.a = 1 AND': ["Expected a comparison after 'AND'", 'position 17'],
    'AND metrics.a = 1': ["Invalid clause(s) in filter string: 'AND'", 'position 0'],
    'metrics.a = 1 AND or': ["Invalid clause(s) in filter string: 'or'", 'position 18'],
    "'x' = 'x'": ["Invalid comparison clause. Expected 'Identifier' found ''x''", 'position 0'],
    "(params.a = 'x')": ["Expected 'Identifier' found '('", 'position 0'],
    "params.a = 'abc": ['Unterminated string', "'abc", 'position 11'],
    "tags.`abc = 'x'": ['Unterminated string', 'position 5'],
    'params.a = "abc': ['Unterminated string', 'position 11'],
    'attributes.run_id IN ()': [
      'expected a non-empty list of string values, but got empty list',
      'position 21',
    ],
    "attributes.run_id IN ('a' 'b')": ["expected ',' or ')'", 'position 26'],
    "attributes.run_id IN ('a', 1)": ['but got different type in list: 1', 'position 27'],
    "attributes.run_id IN ('a'": ["expected ',' or ')' but found the end", 'position 25'],
    "attributes.run_id IN 'a'": ['Expected a parenthesized list', 'position 21'],
    "status IN ('a')": ["Only the 'run_id' attribute supports comparison with a list", 'position 7'],
    "metrics.a = 'x'": ["Expected numeric value type for metric. Found 'x'", 'position 12'],
    'metrics.a = abc': ['Expected numeric value type for metric. Found abc'],
    "created > '2024'": ["Expected numeric value type for numeric attribute: start_time. Found '2024'"],
    'params.a = 1': [
      "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 1",
      'position 11',
    ],
    'tags.a = 1': ["Expected a quoted string value for tag (e.g. 'my-value'). Got value 1"],
    'status = 1': ['Expected a quoted string value for attributes. Got value 1'],
    'params.a = `x`': [
      'Parameter value is either not quoted or unidentified quote types used for string value `x`',
    ],
    "params.a == 'x'": ["Invalid comparator '==' not one of", 'position 9'],
    "params.a <> 'x'": ["Invalid comparator '<>'"],
    "params.a NOT LIKE 'x'": ["Invalid comparator 'NOT LIKE'"],
    "params.a 'x'": ["Invalid comparison clause. Expected comparison found ''x''", 'position 9'],
    'params.a =': ['Got value (none)', 'position 10'],
    'metrics. = 1': ["Expected a key after '.'", 'position 9'],
    'metrics.a > 1abc': ["Invalid clause(s) in filter string: 'abc'", 'position 13'],
    'metrics.a > - 1': ['Expected numeric value type for metric. Found -', 'position 12'],
    "params.a = 'x';": ["Invalid clause(s) in filter string: ';'", 'position 14'],
  };
  for (const [input, fragments] of Object.entries(cases)) {
    test(JSON.stringify(input), () => {
      const message = errorOf(() => parseRunFilter(input));
      for (const fragment of fragments) expect(message).toContain(fragment);
    });
  }
});

describe('parseExperimentFilter', () => {
  const valid: Record<string, Expected[]> = {
    "name LIKE '/Shared/%'": [str('attribute', 'name', 'LIKE', '/Shared/%')],
    "attribute.name = 'x'": [str('attribute', 'name', '=', 'x')],
    'creation_time > 5 and last_update_time <= 7': [
      num('attribute', 'creation_time', '>', 5),
      num('attribute', 'last_update_time', '<=', 7),
    ],
    "tags.team = 'core'": [str('tag', 'team', '=', 'core')],
    "tag.`a b` ILIKE 'x%'": [str('tag', 'a b', 'ILIKE', 'x%')],
  };
  for (const [input, expected] of Object.entries(valid)) {
    test(JSON.stringify(input), () => {
      expect(parseExperimentFilter(input).map(withoutLocation)).toEqual(expected);
    });
  }

  const invalid: Record<string, string[]> = {
    "attributes.name = 'x'": [
      "Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', 'tags')",
      'position 0',
    ],
    'metrics.a = 1': ["Invalid entity type 'metrics'"],
    "experiment_id = '1'": ["Invalid attribute key 'experiment_id'"],
    "name IN ('a')": ["Invalid comparator 'IN'"],
    "creation_time = 'x'": ['Expected numeric value type for numeric attribute: creation_time'],
    "name > 'a'": ["Invalid comparator '>'"],
  };
  for (const [input, fragments] of Object.entries(invalid)) {
    test(JSON.stringify(input), () => {
      const message = errorOf(() => parseExperimentFilter(input));
      for (const fragment of fragments) expect(message).toContain(fragment);
    });
  }
});

describe('entity prefixes are looked up as own names only', () => {
  test.each(["constructor.x = 'a'", "toString.x = 'a'", "__proto__.x = 'a'"])('%s', (input) => {
    expect(errorOf(() => parseRunFilter(input))).toContain('Invalid entity type');
    expect(errorOf(() => parseRegisteredModelFilter(input))).toContain('Invalid entity type');
  });
});

describe('parseRegisteredModelFilter', () => {
  const valid: Record<string, Expected[]> = {
    "name = 'health_monitor_agent'": [str('attribute', 'name', '=', 'health_monitor_agent')],
    "name LIKE 'health%' AND tag.`mlflow.prompt.is_prompt` != 'true'": [
      str('attribute', 'name', 'LIKE', 'health%'),
      str('tag', 'mlflow.prompt.is_prompt', '!=', 'true'),
    ],
    "attribute.name ilike 'H%'": [str('attribute', 'name', 'ILIKE', 'H%')],
    'name != "x"': [str('attribute', 'name', '!=', 'x')],
    "tags.team = 'core' and tag.`my key` like '%a'": [
      str('tag', 'team', '=', 'core'),
      str('tag', 'my key', 'LIKE', '%a'),
    ],
    "tags.mlflow.prompt.is_prompt = 'false'": [str('tag', 'mlflow.prompt.is_prompt', '=', 'false')],
    'tags."a.b" = \'é\'': [str('tag', 'a.b', '=', 'é')],
  };
  for (const [input, expected] of Object.entries(valid)) {
    test(JSON.stringify(input), () => {
      expect(parseRegisteredModelFilter(input).map(withoutLocation)).toEqual(expected);
    });
  }

  test('clauses carry their source offsets', () => {
    const text = "name LIKE 'a%' AND tag.`mlflow.prompt.is_prompt` != 'true'";
    expect(parseRegisteredModelFilter(text).map((c) => text.slice(c.location.start, c.location.end))).toEqual(
      ["name LIKE 'a%'", "tag.`mlflow.prompt.is_prompt` != 'true'"],
    );
  });

  const invalid: Record<string, string[]> = {
    "version_number = '1'": [
      "Invalid attribute key 'version_number' specified. Valid keys are '['name']'",
      'position 0',
    ],
    "metrics.a = 'x'": [
      "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')",
      'position 0',
    ],
    "attributes.name = 'x'": ["Invalid entity type 'attributes'"],
    // MLflow checks names as written, before removing quotes.
    "`name` = 'x'": ["Invalid attribute key '`name`' specified", 'position 0'],
    '"name" = \'x\'': ['Invalid attribute key \'"name"\' specified'],
    "attribute.`name` = 'x'": ["Invalid attribute key '`name`' specified", 'position 0'],
    "`tags`.x = 'y'": ["Invalid entity type '`tags`'", 'position 0'],
    "name > 'a'": ['Invalid comparator for attribute: >', 'position 5'],
    "name <> 'a'": ['Invalid comparator for attribute: <>', 'position 5'],
    "tags.a IN ('x')": ['Invalid comparator for tag: IN', 'position 7'],
    "tags.a < 'x'": ['Invalid comparator for tag: <', 'position 7'],
    "name IN ('a', 'b')": [
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
      'position 5',
    ],
    "name NOT IN ('a')": ["Only the 'run_id' attribute supports comparison", 'position 5'],
    'name = 1': [
      'Expected a quoted string value or a list of quoted string values for attributes. Got value 1',
      'position 7',
    ],
    'tags.a = 1': ["Expected a quoted string value for tag (e.g. 'my-value'). Got value 1", 'position 9'],
    'name = x': ['Parameter value is either not quoted or unidentified quote types used for string value x'],
    "name = 'a' OR name = 'b'": ["Invalid clause(s) in filter string: 'OR'", 'position 11'],
    "name = 'a": ['Unterminated string', 'position 7'],
  };
  for (const [input, fragments] of Object.entries(invalid)) {
    test(JSON.stringify(input), () => {
      const message = errorOf(() => parseRegisteredModelFilter(input));
      for (const fragment of fragments) expect(message).toContain(fragment);
    });
  }
});

describe('parseModelVersionFilter', () => {
  const valid: Record<string, Expected[]> = {
    "name='health_monitor_agent'": [str('attribute', 'name', '=', 'health_monitor_agent')],
    'version_number > 2 and version_number <= 10': [
      num('attribute', 'version_number', '>', 2),
      num('attribute', 'version_number', '<=', 10),
    ],
    'attribute.version_number != -1.5': [num('attribute', 'version_number', '!=', -1.5)],
    // A quoted number is the number (SQL compares the integer column with it numerically).
    "version_number = '3'": [num('attribute', 'version_number', '=', 3)],
    "run_id = 'cf02'": [str('attribute', 'run_id', '=', 'cf02')],
    'run_id IN (\'a1\', "b2")': [list('attribute', 'run_id', 'IN', ['a1', 'b2'])],
    "run_id in ('a1',)": [list('attribute', 'run_id', 'IN', ['a1'])],
    "source_path LIKE 'models:/m-%'": [str('attribute', 'source_path', 'LIKE', 'models:/m-%')],
    "source_path ILIKE 'RUNS:/%'": [str('attribute', 'source_path', 'ILIKE', 'RUNS:/%')],
    "tags.validation_status = 'approved'": [str('tag', 'validation_status', '=', 'approved')],
    "tag.`a b` != ''": [str('tag', 'a b', '!=', '')],
  };
  for (const [input, expected] of Object.entries(valid)) {
    test(JSON.stringify(input), () => {
      expect(parseModelVersionFilter(input).map(withoutLocation)).toEqual(expected);
    });
  }

  test('clauses carry their source offsets', () => {
    const text = "name = 'a' and version_number >= '2' AND run_id IN ('x')";
    expect(parseModelVersionFilter(text).map((c) => text.slice(c.location.start, c.location.end))).toEqual([
      "name = 'a'",
      "version_number >= '2'",
      "run_id IN ('x')",
    ]);
  });

  const invalid: Record<string, string[]> = {
    'creation_timestamp > 1': [
      "Invalid attribute key 'creation_timestamp' specified. Valid keys are " +
        "'['name', 'run_id', 'source_path', 'version_number']'",
      'position 0',
    ],
    "source = 'x'": ["Invalid attribute key 'source' specified"],
    "params.a = 'x'": ["Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')"],
    '`version_number` = 1': ["Invalid attribute key '`version_number`' specified", 'position 0'],
    "run_id NOT IN ('a')": ['Invalid comparator for attribute: NOT IN', 'position 7'],
    "run_id > 'a'": ['Invalid comparator for attribute: >', 'position 7'],
    "version_number LIKE '1%'": ['Invalid comparator for attribute version_number: LIKE', 'position 15'],
    "version_number ILIKE '1'": ['Invalid comparator for attribute version_number: ILIKE'],
    "version_number IN ('1')": ["Only the 'run_id' attribute supports comparison with a list", 'position 15'],
    "name IN ('a')": ["Only the 'run_id' attribute supports comparison with a list", 'position 5'],
    "source_path NOT IN ('a')": ["Only the 'run_id' attribute supports comparison with a list"],
    "tags.a IN ('x')": ['Invalid comparator for tag: IN', 'position 7'],
    'run_id = 5': [
      "Only the '['creation_timestamp', 'last_updated_timestamp', 'version_number']' attributes " +
        'support comparison with numeric values.',
      'position 9',
    ],
    'version_number = abc': [
      'Parameter value is either not quoted or unidentified quote types used for string value abc',
      'position 17',
    ],
    "version_number = 'abc'": [
      "Expected numeric value type for numeric attribute: version_number. Found 'abc'",
      'position 17',
    ],
    "version_number = ' 3'": ['Expected numeric value type for numeric attribute: version_number'],
    'version_number =': [
      'Expected a quoted string value or a list of quoted string values for attributes. Got value (none)',
      'position 16',
    ],
    'tags.a = 2': ["Expected a quoted string value for tag (e.g. 'my-value'). Got value 2"],
    'run_id IN ()': ['expected a non-empty list of string values, but got empty list', 'position 10'],
    "run_id IN ('a', 1)": ['but got different type in list: 1', 'position 16'],
  };
  for (const [input, fragments] of Object.entries(invalid)) {
    test(JSON.stringify(input), () => {
      const message = errorOf(() => parseModelVersionFilter(input));
      for (const fragment of fragments) expect(message).toContain(fragment);
    });
  }
});
