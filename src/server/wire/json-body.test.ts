import { describe, expect, it } from 'vitest';
import { isAgentrackError } from '../../errors.js';
import { parseJsonBody } from './json-body.js';

function refusal(raw: unknown, contentType: string | undefined): string {
  try {
    parseJsonBody(raw, contentType);
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) return error.message;
    throw error;
  }
  throw new Error('expected an INVALID_PARAMETER_VALUE error');
}

describe('parseJsonBody', () => {
  it.each([
    ['{"name":"x"}', { name: 'x' }],
    ['', {}],
    ['  \n', {}],
    [undefined, {}],
    ['"{\\"name\\":\\"x\\"}"', { name: 'x' }],
  ])('%j reads as %j', (raw, expected) => {
    expect(parseJsonBody(raw, 'application/json')).toEqual(expected);
  });

  it('reads a body of any type with checkType false, as MLflow reads PATCH and DELETE bodies', () => {
    expect(parseJsonBody('{"name":"m"}', undefined, { checkType: false })).toEqual({ name: 'm' });
    expect(parseJsonBody('{"name":"m"}', 'text/plain', { checkType: false })).toEqual({ name: 'm' });
    expect(parseJsonBody(undefined, undefined, { checkType: false })).toEqual({});
    expect(() => parseJsonBody('{"name":', undefined, { checkType: false })).toThrow(/^Malformed JSON/);
    expect(refusal('{"name":"m"}', undefined)).toMatch(/^Bad Request. Content-Type must be one of/);
  });

  it('reads the bare NaN, Infinity and -Infinity of Python JSON as numbers, leaving strings as they are', () => {
    expect(
      parseJsonBody(
        '{"value": NaN, "metrics": [{"value": Infinity}, {"value": -Infinity}], "tag": "NaN, Infinity"}',
        'application/json',
      ),
    ).toEqual({
      value: Number.NaN,
      metrics: [{ value: Infinity }, { value: -Infinity }],
      tag: 'NaN, Infinity',
    });
    expect(parseJsonBody(JSON.stringify('{"value": NaN}'), 'application/json')).toEqual({
      value: Number.NaN,
    });
  });

  it('refuses a body that is not Python JSON either with the standard parser message', () => {
    const message = refusal('{"value": nan}', 'application/json');
    let standard = '';
    try {
      JSON.parse('{"value": nan}');
    } catch (error) {
      standard = (error as Error).message;
    }
    expect(message).toBe(`Malformed JSON in request body: ${standard}.`);
    expect(refusal('{"value": NaN,}', 'application/json')).toMatch(/^Malformed JSON in request body: /);
  });

  it('accepts parameters and any case in the content type', () => {
    expect(parseJsonBody('{}', 'Application/JSON; charset=utf-8')).toEqual({});
  });

  it.each([
    ['text/plain', "Bad Request. Content-Type must be one of [application/json]. Got 'text/plain'."],
    [undefined, 'Bad Request. Content-Type must be one of [application/json].'],
    ['text/<b>', 'Bad Request. Content-Type must be one of [application/json].'],
  ])('refuses content type %j as MLflow does', (contentType, expected) => {
    expect(refusal('{}', contentType)).toBe(expected);
  });

  it.each([['not json'], ['{"a":'], ['"not json either"']])('refuses malformed JSON %j', (raw) => {
    expect(refusal(raw, 'application/json')).toMatch(/^Malformed JSON in request body: /);
  });

  it.each([
    ['[1]', 'an array'],
    ['null', 'null'],
    ['3', 'a number'],
    ['true', 'a boolean'],
  ])('refuses %s, which is not an object', (raw, kind) => {
    expect(refusal(raw, 'application/json')).toBe(
      `Malformed request body: expected a JSON object, got ${kind}.`,
    );
  });
});
