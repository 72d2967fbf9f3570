/**
 * A time range as the fewest whole periods of the coarser rollups: whole UTC months inside it, then whole
 * weeks (from Monday) inside what is left at either edge, then days, then hours. Summing the rows of these
 * periods gives exactly the sums over the range, reading a few rows per key instead of one per day.
 */

export type Period = 'month' | 'week' | 'day' | 'hour';

/** One period size over a half-open range of whole periods. */
export interface PeriodSpan {
  granularity: Period;
  from: Date;
  to: Date;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** The start of the period holding `time`. */
function startOf(period: Period, time: number): number {
  switch (period) {
    case 'hour':
      return Math.floor(time / hourMs) * hourMs;
    case 'day':
      return Math.floor(time / dayMs) * dayMs;
    case 'week': {
      const day = Math.floor(time / dayMs) * dayMs;
      return day - ((new Date(day).getUTCDay() + 6) % 7) * dayMs;
    }
    case 'month': {
      const date = new Date(time);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    }
  }
}

/** The first period start at or after `time`. */
function ceilOf(period: Period, time: number): number {
  const start = startOf(period, time);
  if (start === time) return time;
  if (period === 'month') {
    const date = new Date(start);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  return start + { hour: hourMs, day: dayMs, week: 7 * dayMs }[period];
}

const coarsestFirst: readonly Period[] = ['month', 'week', 'day', 'hour'];

/** Splits an hour-aligned half-open range into whole periods, coarsest first (see the module). */
export function periodSpans(from: Date, to: Date, periods: readonly Period[] = coarsestFirst): PeriodSpan[] {
  const [period, ...finer] = periods;
  if (period === undefined || from >= to) return [];
  const start = ceilOf(period, from.getTime());
  const end = startOf(period, to.getTime());
  if (start >= end) return periodSpans(from, to, finer);
  return [
    ...periodSpans(from, new Date(start), finer),
    { granularity: period, from: new Date(start), to: new Date(end) },
    ...periodSpans(new Date(end), to, finer),
  ];
}
