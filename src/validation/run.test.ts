import { describe, expect, it } from 'vitest';
import { RUN_STATUSES } from '../entities/index.js';
import { rejection } from '../testing/rejection.js';
import { MAX_RUN_NAME_LENGTH, MAX_TAG_VALUE_LENGTH } from './limits.js';
import {
  validateRunId,
  validateRunIdToRead,
  validateRunName,
  validateRunNameAgainstTags,
  validateRunStatus,
} from './run.js';
import { validateTag } from './tag.js';

describe('validateRunId', () => {
  it.each(['c30f96a69a074dea8448dae18c519f2a', 'a', 'A-b_c', 'aé', 'a' + 'b'.repeat(255)])(
    'accepts %j',
    (id) => {
      expect(validateRunId(id)).toBe(id);
    },
  );

  it.each<[unknown, string]>([
    ['', "Missing value for required parameter 'run_id'."],
    [undefined, "Missing value for required parameter 'run_id'."],
    ['-abc', `Invalid value "-abc" for parameter 'run_id' supplied.`],
    ['abc!', `Invalid value "abc!" for parameter 'run_id' supplied.`],
    ['éa', `Invalid value "\\u00e9a" for parameter 'run_id' supplied.`],
    ['a'.repeat(257), "for parameter 'run_id' supplied."],
    [42, `Invalid value 42 for parameter 'run_id' supplied.`],
  ])('rejects %j', (id, fragment) => {
    expect(rejection(() => validateRunId(id))).toContain(fragment);
  });

  it('names the field it was given', () => {
    expect(rejection(() => validateRunId('x!', 'run_uuid'))).toContain("parameter 'run_uuid'");
  });
});

describe('validateRunIdToRead', () => {
  it.each(['c30f96a69a074dea8448dae18c519f2a', 'a'.repeat(20_000), 'abc!', '-abc'])(
    'passes %j on to be looked up',
    (id) => {
      expect(validateRunIdToRead(id)).toBe(id);
    },
  );
  it.each<[unknown, string]>([
    ['', "Missing value for required parameter 'run_id'."],
    [undefined, "Missing value for required parameter 'run_id'."],
    [42, `Invalid value 42 for parameter 'run_id' supplied.`],
  ])('rejects %j', (id, message) => {
    expect(rejection(() => validateRunIdToRead(id))).toBe(message);
  });
});

describe('validateRunStatus', () => {
  it.each(RUN_STATUSES)('accepts %s', (status) => {
    expect(validateRunStatus(status)).toBe(status);
  });
  it.each<[number, string]>([
    [1, 'RUNNING'],
    [3, 'FINISHED'],
    [5, 'KILLED'],
  ])('accepts protobuf number %d as %s', (n, status) => {
    expect(validateRunStatus(n)).toBe(status);
  });
  it.each<[unknown]>([['BOGUS'], ['finished'], [0], [6], [undefined]])('rejects %j', (status) => {
    expect(rejection(() => validateRunStatus(status))).toContain(
      "for parameter 'status' supplied: Valid run status strings: ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']",
    );
  });
});

describe('validateRunName', () => {
  it('accepts names up to the mlflow.runName tag value limit, and absence', () => {
    expect(MAX_RUN_NAME_LENGTH).toBe(MAX_TAG_VALUE_LENGTH);
    expect(validateRunName('dev_20261126_101500')).toBe('dev_20261126_101500');
    expect(validateRunName('n'.repeat(MAX_RUN_NAME_LENGTH))).toHaveLength(8000);
    expect(validateRunName('😀'.repeat(MAX_RUN_NAME_LENGTH))).toHaveLength(16_000);
    expect(validateRunName(undefined)).toBeUndefined();
  });
  it('refuses a longer name as a longer mlflow.runName tag value is refused', () => {
    expect(rejection(() => validateRunName('n'.repeat(MAX_RUN_NAME_LENGTH + 1)))).toBe(
      "'run_name' exceeds the maximum length of 8000 characters",
    );
    expect(
      rejection(() => validateTag({ key: 'mlflow.runName', value: 'n'.repeat(MAX_RUN_NAME_LENGTH + 1) })),
    ).toBe("'value' exceeds the maximum length of 8000 characters");
  });
  it('rejects a non-string', () => {
    expect(rejection(() => validateRunName(7))).toBe(
      `Invalid value 7 for parameter 'run_name' supplied: Expected a string.`,
    );
  });
});

describe('validateRunNameAgainstTags', () => {
  const tag = (value: string) => ({ key: 'mlflow.runName', value });
  it.each<[string, unknown, { key: string; value: string }[], string | undefined]>([
    ['neither', undefined, [], undefined],
    ['run_name only', 'a', [], 'a'],
    ['tag only', undefined, [tag('b')], 'b'],
    ['both equal', 'a', [tag('a')], 'a'],
    ['empty run_name and a tag', '', [tag('b')], 'b'],
    ['other tags only', 'a', [{ key: 'x', value: 'b' }], 'a'],
  ])('%s', (_name, runName, tags, expected) => {
    expect(validateRunNameAgainstTags(runName, tags)).toBe(expected);
  });

  it('rejects a run_name that differs from the tag', () => {
    expect(rejection(() => validateRunNameAgainstTags('a', [tag('b')]))).toBe(
      "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values " +
        "(run_name='a', mlflow.runName='b').",
    );
  });
});
