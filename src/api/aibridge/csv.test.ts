import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from './csv.js';

describe('CSV cells', () => {
  it('quotes cells with commas, quotes or line breaks, doubling inner quotes', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', 'cr\rhere'])).toBe(
      'a,"b,c","say ""hi""","two\nlines","cr\rhere"\r\n',
    );
  });

  it('writes numbers and booleans as they are and missing values as empty cells', () => {
    expect(csvLine([0, 12.5, true, null, undefined, ''])).toBe('0,12.5,true,,,\r\n');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(['+1', '-1', '@SUM(A1)', '\tx'].map(csvCell)).toEqual(["'+1", "'-1", "'@SUM(A1)", "'\tx"]);
    expect(csvCell(-1)).toBe('-1');
  });

  it('keeps wide characters untouched', () => {
    expect(csvCell('修复这个错误 🚀')).toBe('修复这个错误 🚀');
  });
});
