import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { withoutLocation } from './ast.js';
import {
  experimentFilter,
  experimentOrderBy,
  modelVersionFilter,
  modelVersionOrderBy,
  registeredModelFilter,
  registeredModelOrderBy,
  runFilter,
  runOrderBy,
} from './__tests__/arbitraries.js';
import {
  parseExperimentFilter,
  parseModelVersionFilter,
  parseRegisteredModelFilter,
  parseRunFilter,
} from './filter-parser.js';
import {
  parseExperimentOrderBy,
  parseModelVersionOrderBy,
  parseRegisteredModelOrderBy,
  parseRunOrderBy,
} from './order-by-parser.js';
import {
  serializeFilter,
  serializeModelVersionFilter,
  serializeOrderBy,
  serializeRegisteredModelFilter,
} from './serializer.js';

describe('canonical text', () => {
  test.each([
    [
      "metric.rmse<1 and params.model_class='LogisticRegression'",
      "metrics.rmse < 1 AND params.model_class = 'LogisticRegression'",
    ],
    ['tags."mlflow.runName" = "y"', "tags.mlflow.runName = 'y'"],
    ["tags.`my key` like 'x%'", "tags.`my key` LIKE 'x%'"],
    ["attributes.run_id not in ('a','b')", "run_id NOT IN ('a', 'b')"],
    ["created > 1 and `Run Name` = 'it''s'", "start_time > 1 AND run_name = 'it''s'"],
    [
      'metrics.a < 1e999 and metrics.b > -1e999 and metrics.c = -0',
      'metrics.a < 1e999 AND metrics.b > -1e999 AND metrics.c = -0',
    ],
    ["datasets.name IN ('x')", "datasets.name IN ('x')"],
    ['', ''],
  ])('%s', (input, canonical) => {
    expect(serializeFilter(parseRunFilter(input))).toBe(canonical);
    expect(serializeFilter(parseRunFilter(canonical))).toBe(canonical);
  });

  test.each([
    [
      "attribute.name like 'a%' and tag.`mlflow.prompt.is_prompt` != 'true'",
      "name LIKE 'a%' AND tags.mlflow.prompt.is_prompt != 'true'",
    ],
    ["tag.`my key` = 'x'", "tags.`my key` = 'x'"],
  ])('registered models: %s', (input, canonical) => {
    expect(serializeRegisteredModelFilter(parseRegisteredModelFilter(input))).toBe(canonical);
    expect(serializeRegisteredModelFilter(parseRegisteredModelFilter(canonical))).toBe(canonical);
  });

  test.each([
    ["version_number >= '2' and run_id in ('a','b')", "version_number >= 2 AND run_id IN ('a', 'b')"],
    [
      "source_path ilike 'models:/%' AND tags.a != 'it''s'",
      "source_path ILIKE 'models:/%' AND tags.a != 'it''s'",
    ],
  ])('model versions: %s', (input, canonical) => {
    expect(serializeModelVersionFilter(parseModelVersionFilter(input))).toBe(canonical);
    expect(serializeModelVersionFilter(parseModelVersionFilter(canonical))).toBe(canonical);
  });

  test('registry order_by entries use canonical names', () => {
    expect(serializeOrderBy(parseRegisteredModelOrderBy(['timestamp desc', 'name']))).toEqual([
      'last_updated_timestamp DESC',
      'name ASC',
    ]);
    expect(serializeOrderBy(parseModelVersionOrderBy(['attribute.version_number']))).toEqual([
      'version_number ASC',
    ]);
  });

  test('order_by entries spell out their direction', () => {
    expect(serializeOrderBy(parseRunOrderBy(['metric.rmse', 'tags.`a b` desc', 'created']))).toEqual([
      'metrics.rmse ASC',
      'tags.`a b` DESC',
      'start_time ASC',
    ]);
  });

  test('experiment filters serialize to text the experiment parser accepts', () => {
    const text = serializeFilter(parseExperimentFilter("attribute.name ILIKE 'a%' and tag.x = 'y'"));
    expect(text).toBe("name ILIKE 'a%' AND tags.x = 'y'");
    expect(parseExperimentFilter(text)).toHaveLength(2);
  });
});

describe('round trip: parse(serialize(ast)) equals ast', () => {
  test('run filters', () => {
    fc.assert(
      fc.property(runFilter, (ast) => {
        const text = serializeFilter(ast);
        const parsed = parseRunFilter(text);
        expect(parsed.map(withoutLocation)).toEqual(ast.map(withoutLocation));
        // Each clause's location spans exactly its own canonical text.
        parsed.forEach((clause, i) => {
          expect(text.slice(clause.location.start, clause.location.end)).toBe(serializeFilter([ast[i]!]));
        });
      }),
      { numRuns: 2000 },
    );
  });

  test('experiment filters', () => {
    fc.assert(
      fc.property(experimentFilter, (ast) => {
        expect(parseExperimentFilter(serializeFilter(ast)).map(withoutLocation)).toEqual(
          ast.map(withoutLocation),
        );
      }),
      { numRuns: 500 },
    );
  });

  test('registered-model filters', () => {
    fc.assert(
      fc.property(registeredModelFilter, (ast) => {
        const text = serializeRegisteredModelFilter(ast);
        expect(parseRegisteredModelFilter(text).map(withoutLocation)).toEqual(ast.map(withoutLocation));
      }),
      { numRuns: 500 },
    );
  });

  test('model-version filters', () => {
    fc.assert(
      fc.property(modelVersionFilter, (ast) => {
        const text = serializeModelVersionFilter(ast);
        expect(parseModelVersionFilter(text).map(withoutLocation)).toEqual(ast.map(withoutLocation));
      }),
      { numRuns: 500 },
    );
  });

  test('registry order_by', () => {
    fc.assert(
      fc.property(registeredModelOrderBy, modelVersionOrderBy, (models, versions) => {
        expect(parseRegisteredModelOrderBy(serializeOrderBy(models)).map(withoutLocation)).toEqual(
          models.map(withoutLocation),
        );
        expect(parseModelVersionOrderBy(serializeOrderBy(versions)).map(withoutLocation)).toEqual(
          versions.map(withoutLocation),
        );
      }),
      { numRuns: 300 },
    );
  });

  test('run order_by', () => {
    fc.assert(
      fc.property(runOrderBy(), (ast) => {
        expect(parseRunOrderBy(serializeOrderBy(ast)).map(withoutLocation)).toEqual(ast.map(withoutLocation));
      }),
      { numRuns: 1000 },
    );
  });

  test('experiment order_by', () => {
    fc.assert(
      fc.property(experimentOrderBy, (ast) => {
        expect(parseExperimentOrderBy(serializeOrderBy(ast)).map(withoutLocation)).toEqual(
          ast.map(withoutLocation),
        );
      }),
      { numRuns: 300 },
    );
  });
});
