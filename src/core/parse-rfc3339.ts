/**
 * Strict RFC 3339 date-time parsing. `Date.parse` alone is too lenient: it accepts offsetless local times
 * and rolls 2025-02-30 over into March, and both would silently shift a filter.
 */

const pattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant of an RFC 3339 date-time with an offset (`Z` or `±hh:mm`) in the years 0001 to 9999 UTC, or
 * null if it is not one.
 */
export function parseRfc3339(text: string): Date | null {
  const match = pattern.exec(text);
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [fraction, zulu, sign, offsetHour, offsetMinute] = match.slice(7);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  let offsetMinutes = 0;
  if (!zulu) {
    const oh = Number(offsetHour);
    const om = Number(offsetMinute);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // Sub-millisecond digits are dropped: stored times have millisecond precision.
  const milliseconds = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi - offsetMinutes, s, milliseconds);
  // Years outside 0001..9999 (after the offset) are refused: PostgreSQL and ISO strings disagree on them.
  const utcYear = date.getUTCFullYear();
  return utcYear < 1 || utcYear > 9999 ? null : date;
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (monthDays[month - 1] ?? 31);
}
