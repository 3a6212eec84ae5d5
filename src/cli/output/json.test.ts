import { describe, expect, it } from 'vitest';
import { formatJson } from './json.js';

describe('formatJson', () => {
  it('indents, ends with a newline and keeps NaN and infinities as MLflow writes them', () => {
    expect(
      formatJson([
        { key: 'loss', value: NaN },
        { key: 'x', value: -Infinity },
      ]),
    ).toBe(
      '[\n  {\n    "key": "loss",\n    "value": "NaN"\n  },\n  {\n    "key": "x",\n    "value": "-Infinity"\n  }\n]\n',
    );
    expect(formatJson([])).toBe('[]\n');
  });
});
