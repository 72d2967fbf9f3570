import { describe, expect, it } from 'vitest';
import { cell, humanDuration, humanTime, printRows } from './output.js';

const capture = () => {
  let text = '';
  return { write: (chunk: string) => (text += chunk), text: () => text };
};

describe('CLI output', () => {
  it('pads table cells by display width, so wide characters and emoji stay aligned', () => {
    const out = capture();
    printRows({
      format: 'table',
      noun: 'users',
      rows: [
        { name: '山田太郎', tokens: 5 },
        { name: 'bob 🚀', tokens: 12345 },
        { name: 'café', tokens: 0 },
      ],
      columns: [
        { heading: 'name', value: (row) => row.name },
        { heading: 'tokens', value: (row) => row.tokens },
        { heading: 'end', value: () => '|' },
      ],
      write: out.write,
    });
    // 山田太郎 is 8 columns wide, 🚀 two: every "|" lands in the same display column.
    expect(out.text()).toBe(
      ['NAME      TOKENS  END', '山田太郎       5  |', 'bob 🚀     12345  |', 'café           0  |', ''].join(
        '\n',
      ),
    );
  });

  it('says the list is empty instead of printing a lone heading', () => {
    const out = capture();
    printRows({
      format: 'table',
      noun: 'tokens',
      rows: [],
      columns: [{ heading: 'id', value: () => 'x' }],
      write: out.write,
    });
    expect(out.text()).toBe('No tokens found.\n');
  });

  it('cuts long cells by display width between graphemes', () => {
    expect(cell('日本語のテキストです', 9)).toBe('日本語の…');
    expect(cell('👩‍👩‍👧 family', 3)).toBe('👩‍👩‍👧…');
    expect(cell('short', 10)).toBe('short');
  });

  it('shows times in local time and durations in words', () => {
    const local = new Date(2025, 2, 10, 9, 5, 7);
    expect(humanTime(local.toISOString())).toBe('2025-03-10 09:05:07');
    expect(humanTime(null)).toBe('');
    const start = '2025-03-10T09:00:00.000Z';
    expect(humanDuration(start, '2025-03-10T09:00:00.850Z')).toBe('850ms');
    expect(humanDuration(start, '2025-03-10T09:00:12.340Z')).toBe('12.3s');
    expect(humanDuration(start, '2025-03-10T09:04:05.000Z')).toBe('4m 05s');
    expect(humanDuration(start, '2025-03-10T11:03:00.000Z')).toBe('2h 03m');
    expect(humanDuration(start, null)).toBe('');
  });
});
