import { describe, expect, it } from 'vitest';
import { splitAtDays } from './count-interceptions.js';

const t = (text: string) => new Date(text);

describe('splitAtDays', () => {
  it('uses the rollup alone without time bounds', () => {
    expect(splitAtDays(undefined, undefined)).toEqual({
      wholeDays: { from: undefined, to: undefined },
      edges: [],
    });
  });

  it('splits partial days at both ends from the whole days between them', () => {
    expect(splitAtDays(t('2025-03-10T10:00:00Z'), t('2025-03-13T06:00:00Z'))).toEqual({
      wholeDays: { from: t('2025-03-11T00:00:00Z'), to: t('2025-03-13T00:00:00Z') },
      edges: [
        { from: t('2025-03-10T10:00:00Z'), to: t('2025-03-11T00:00:00Z') },
        { from: t('2025-03-13T00:00:00Z'), to: t('2025-03-13T06:00:00Z') },
      ],
    });
  });

  it('needs no edges when both bounds are midnights', () => {
    expect(splitAtDays(t('2025-03-10T00:00:00Z'), t('2025-03-12T00:00:00Z'))).toEqual({
      wholeDays: { from: t('2025-03-10T00:00:00Z'), to: t('2025-03-12T00:00:00Z') },
      edges: [],
    });
  });

  it('counts a range without a whole day from the table alone', () => {
    const inside = splitAtDays(t('2025-03-10T01:00:00Z'), t('2025-03-10T05:00:00Z'));
    expect(inside).toEqual({
      wholeDays: null,
      edges: [{ from: t('2025-03-10T01:00:00Z'), to: t('2025-03-10T05:00:00Z') }],
    });
    const straddling = splitAtDays(t('2025-03-10T20:00:00Z'), t('2025-03-11T05:00:00Z'));
    expect(straddling.wholeDays).toBeNull();
    const lastDay = splitAtDays(t('9999-12-31T10:00:00Z'), undefined);
    expect(lastDay).toEqual({ wholeDays: null, edges: [{ from: t('9999-12-31T10:00:00Z'), to: undefined }] });
  });

  it('leaves the open side to the rollup', () => {
    expect(splitAtDays(t('2025-03-10T10:00:00Z'), undefined)).toEqual({
      wholeDays: { from: t('2025-03-11T00:00:00Z'), to: undefined },
      edges: [{ from: t('2025-03-10T10:00:00Z'), to: t('2025-03-11T00:00:00Z') }],
    });
  });
});
