import { describe, expect, test } from 'vitest';
import { isAgentrackError } from '../errors.js';
import { withoutLocation, type OrderByClause } from './ast.js';
import {
  parseExperimentOrderBy,
  parseModelVersionOrderBy,
  parseRegisteredModelOrderBy,
  parseRunOrderBy,
} from './order-by-parser.js';

type Expected = Omit<OrderByClause, 'location'>;
const clause = (entity: Expected['entity'], key: string, ascending = true): Expected => ({
  type: 'order_by',
  entity,
  key,
  ascending,
});

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isAgentrackError(error, 'INVALID_PARAMETER_VALUE')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('parseRunOrderBy: valid', () => {
  const cases: Record<string, Expected> = {
    'metrics.rmse': clause('metric', 'rmse'),
    'metrics.rmse ASC': clause('metric', 'rmse'),
    'metric.rmse desc': clause('metric', 'rmse', false),
    'params.lr DESC': clause('param', 'lr', false),
    'parameters.lr': clause('param', 'lr'),
    'tags.`my key` DESC': clause('tag', 'my key', false),
    'tags."mlflow.runName"': clause('tag', 'mlflow.runName'),
    'start_time DESC': clause('attribute', 'start_time', false),
    created: clause('attribute', 'start_time'),
    'attributes.run_name DeSc': clause('attribute', 'run_name', false),
    'attr.end_time': clause('attribute', 'end_time'),
    'run.run_id ASC': clause('attribute', 'run_id'),
    'attributes.duration DESC': clause('attribute', 'duration', false),
    duration: clause('attribute', 'duration'),
    'attr.duration asc': clause('attribute', 'duration'),
    '  status   asc  ': clause('attribute', 'status'),
  };
  for (const [input, expected] of Object.entries(cases)) {
    test(JSON.stringify(input), () => {
      expect(parseRunOrderBy([input]).map(withoutLocation)).toEqual([expected]);
    });
  }

  test('absent and empty lists mean the default order', () => {
    expect(parseRunOrderBy()).toEqual([]);
    expect(parseRunOrderBy([])).toEqual([]);
  });

  test('locations cover identifier and direction within the entry', () => {
    const [c] = parseRunOrderBy(['  metrics.`a b` DESC ']);
    expect(c?.location).toEqual({ start: 2, end: 20 });
  });
});

describe('parseRunOrderBy: invalid', () => {
  const cases: Record<string, string[]> = {
    'foo.bar DESC': [
      "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
      'position 0 of order_by[0]',
    ],
    '': ["Invalid order_by clause ''. Could not be parsed."],
    '   ': ['Could not be parsed'],
    'metrics.a DOWN': ["Invalid ordering key in order_by clause 'metrics.a DOWN'.", 'position 10'],
    'metrics.a DESC extra': [
      "Invalid order_by clause 'metrics.a DESC extra'. Could not be parsed.",
      'position 15',
    ],
    'attributes.foo': ["Invalid attribute key 'foo' specified"],
    '`Run name`': ["Invalid attribute key 'Run name'"],
    'datasets.name': ["Invalid identifier type 'dataset'"],
    "'x' ASC": ['expected an identifier', 'position 0'],
    'tags.`x': ['Unterminated string', 'position 5'],
  };
  for (const [input, fragments] of Object.entries(cases)) {
    test(JSON.stringify(input), () => {
      const message = errorOf(() => parseRunOrderBy([input]));
      for (const fragment of fragments) expect(message).toContain(fragment);
    });
  }

  test('the position names the offending entry', () => {
    expect(errorOf(() => parseRunOrderBy(['metrics.a', 'x.y']))).toContain('of order_by[1]');
  });

  test('a field ordered twice is rejected, aliases included', () => {
    expect(errorOf(() => parseRunOrderBy(['metrics.a', 'metric.a DESC']))).toContain(
      "`order_by` contains duplicate fields: ['metrics.a', 'metric.a DESC']",
    );
    expect(errorOf(() => parseRunOrderBy(['created', 'start_time DESC']))).toContain('duplicate fields');
  });

  test('the same key under different entities is not a duplicate', () => {
    expect(parseRunOrderBy(['metrics.a', 'params.a', 'tags.a'])).toHaveLength(3);
    expect(parseRunOrderBy(['metrics.duration', 'duration'])).toHaveLength(2);
  });

  test('an unknown attribute is refused with the valid keys, duration among them', () => {
    expect(errorOf(() => parseRunOrderBy(['attributes.durations DESC']))).toBe(
      "Invalid attribute key 'durations' specified. Valid keys are " +
        "'['Created', 'artifact_uri', 'created', 'duration', 'end_time', 'run_id', 'run_name', " +
        "'start_time', 'status', 'user_id']' (at position 0 of order_by[0])",
    );
    expect(errorOf(() => parseRunOrderBy(['duration', 'attributes.duration DESC']))).toContain(
      'duplicate fields',
    );
  });
});

describe('parseExperimentOrderBy', () => {
  test.each([
    ['name', clause('attribute', 'name')],
    ['experiment_id DESC', clause('attribute', 'experiment_id', false)],
    ['attribute.creation_time desc', clause('attribute', 'creation_time', false)],
    ['last_update_time ASC', clause('attribute', 'last_update_time')],
  ])('%s', (input, expected) => {
    expect(parseExperimentOrderBy([input]).map(withoutLocation)).toEqual([expected]);
  });

  test.each([
    ['tags.team', 'Invalid order_by entity: tag'],
    ['metrics.a', "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')"],
    ['run_id', "Invalid attribute key 'run_id'"],
    ['name sideways', "Invalid ordering key in order_by clause 'name sideways'."],
  ])('%s is rejected', (input, fragment) => {
    expect(errorOf(() => parseExperimentOrderBy([input]))).toContain(fragment);
  });

  test('repeating a key is accepted, as MLflow does', () => {
    expect(parseExperimentOrderBy(['name', 'name DESC'])).toHaveLength(2);
  });
});

describe('parseRegisteredModelOrderBy', () => {
  test.each([
    ['name', clause('attribute', 'name')],
    ['name DESC', clause('attribute', 'name', false)],
    ['`name` desc', clause('attribute', 'name', false)],
    ['last_updated_timestamp ASC', clause('attribute', 'last_updated_timestamp')],
    // MLflow's SQL store orders `timestamp` by the last update time.
    ['timestamp', clause('attribute', 'last_updated_timestamp')],
    ['timestamp DESC', clause('attribute', 'last_updated_timestamp', false)],
  ])('%s', (input, expected) => {
    expect(parseRegisteredModelOrderBy([input]).map(withoutLocation)).toEqual([expected]);
  });

  test.each([
    [
      'creation_timestamp',
      "Invalid order by key 'creation_timestamp' specified. Valid keys are '['name', 'timestamp']'",
    ],
    ['attribute.name', "Invalid order by key 'attribute.name' specified"],
    ['tags.team DESC', "Invalid order by key 'tags.team' specified"],
    ['tags.`a b`', "Invalid order by key 'tags.`a b`' specified"],
    ['Name', "Invalid order by key 'Name' specified"],
    ['name sideways', "Invalid ordering key in order_by clause 'name sideways'."],
    ['name ASC DESC', "Invalid order_by clause 'name ASC DESC'. Could not be parsed."],
  ])('%s is rejected', (input, fragment) => {
    const message = errorOf(() => parseRegisteredModelOrderBy([input]));
    expect(message).toContain(fragment);
    expect(message).toContain('of order_by[0])');
  });

  test('timestamp and last_updated_timestamp are one field', () => {
    expect(
      errorOf(() => parseRegisteredModelOrderBy(['timestamp', 'last_updated_timestamp DESC'])),
    ).toContain("`order_by` contains duplicate fields: ['timestamp', 'last_updated_timestamp DESC']");
    expect(errorOf(() => parseRegisteredModelOrderBy(['name', 'name DESC']))).toContain('duplicate fields');
  });
});

describe('parseModelVersionOrderBy', () => {
  test.each([
    ['name', clause('attribute', 'name')],
    ['attribute.name DESC', clause('attribute', 'name', false)],
    ['version_number DESC', clause('attribute', 'version_number', false)],
    ['creation_timestamp', clause('attribute', 'creation_timestamp')],
    ['last_updated_timestamp desc', clause('attribute', 'last_updated_timestamp', false)],
    ['attribute.`version_number`', clause('attribute', 'version_number')],
  ])('%s', (input, expected) => {
    expect(parseModelVersionOrderBy([input]).map(withoutLocation)).toEqual([expected]);
  });

  test.each([
    [
      'timestamp',
      "Invalid attribute key 'timestamp' specified. Valid keys are " +
        "'['creation_timestamp', 'last_updated_timestamp', 'name', 'version_number']'",
    ],
    ['run_id', "Invalid attribute key 'run_id' specified"],
    ['metrics.a', "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')"],
    ['tags.name', 'Invalid order_by entity: tag'],
    ['version_number up', "Invalid ordering key in order_by clause 'version_number up'."],
  ])('%s is rejected', (input, fragment) => {
    expect(errorOf(() => parseModelVersionOrderBy(['name', input]))).toContain(fragment);
  });

  test('a field ordered twice is rejected', () => {
    expect(errorOf(() => parseModelVersionOrderBy(['attribute.name', 'name DESC']))).toContain(
      "`order_by` contains duplicate fields: ['attribute.name', 'name DESC'] (order_by[1] repeats order_by[0])",
    );
  });

  test('absent and empty lists mean the default order', () => {
    expect(parseModelVersionOrderBy()).toEqual([]);
    expect(parseRegisteredModelOrderBy([])).toEqual([]);
  });
});

test('order_by entity prefixes are looked up as own names only', () => {
  expect(errorOf(() => parseRunOrderBy(['toString.x']))).toContain("Invalid entity type 'toString'");
});
