import { describe, expect, it } from 'vitest';
import { createPaint } from './color.js';
import { formatTable } from './table.js';

describe('formatTable', () => {
  it('sizes each column by its widest cell and does not pad the last one', () => {
    expect(
      formatTable(
        ['NAME', 'STATUS', 'ID'],
        [
          ['dev_1', 'FINISHED', 'abc'],
          ['a', 'KILLED', 'x'],
        ],
      ),
    ).toBe('NAME   STATUS    ID\ndev_1  FINISHED  abc\na      KILLED    x\n');
  });

  it('ignores ANSI colors when measuring', () => {
    const red = createPaint(true).red;
    const text = formatTable(undefined, [
      [red('fail'), 'x'],
      ['passed', 'y'],
    ]);
    expect(text).toBe(`${red('fail')}    x\npassed  y\n`);
  });

  it('indents, takes a gap, fills short rows and trims trailing spaces', () => {
    expect(formatTable(undefined, [['a', 'b', 'c'], ['dd']], { indent: '> ', gap: 1 })).toBe(
      '> a  b c\n> dd\n',
    );
  });

  it('is empty with nothing to show', () => {
    expect(formatTable(undefined, [])).toBe('');
  });
});
