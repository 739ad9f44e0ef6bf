/**
 * Time-zone-free calendar dates and the CDSi date arithmetic rules.
 *
 * CDSi reasons about whole calendar days only (dates of birth, dates administered, the assessment
 * date). A JS `Date` is an instant, so using one for this work makes results depend on the time
 * zone of the process (see design guide §0.5). {@link CalendarDate} is a plain proleptic Gregorian
 * year-month-day value computed with integer arithmetic only. It never touches `Date` or `Intl`,
 * so every result is the same in every time zone.
 *
 * Arithmetic follows CDSi Logic Specification v4.6, section 3.4, table 3-6 "General date rules":
 * - CALCDT-1: adding years changes the year and keeps the month and day.
 * - CALCDT-2: adding months changes the month (and the year if needed) and keeps the day.
 * - CALCDT-3: adding weeks or days adds the total number of days.
 * - CALCDT-4: subtracting days subtracts the total number of days.
 * - CALCDT-5: a computed date that is not a real date moves forward to the first day of the next
 *   month. This is NOT Temporal's clamp: Jan 31 + 1 month is Mar 1, not Feb 28/29.
 * - CALCDT-6 (years first, then months, then weeks/days) is implemented by `addDuration` in
 *   `duration.ts`.
 *
 * Decision for negative offsets: CALCDT-5 is applied as written, whatever the sign. So
 * 2001-03-31 minus 1 month is "2001-02-31", which is not a real date and moves forward to
 * 2001-03-01 (only 30 days earlier). Likewise 2000-02-29 minus 1 year is 1999-03-01.
 *
 * @packageDocumentation
 */

/** Smallest representable year. `YYYY` has four digits, so the range is 0000-9999. */
const MIN_YEAR = 0;
/** Largest representable year. */
const MAX_YEAR = 9999;

/** Days in each month of a common year, January first. */
const COMMON_YEAR_MONTH_LENGTHS: readonly number[] = [
  31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
];

/** Strict `YYYY-MM-DD` with ASCII digits only (no sign, no time, no surrounding whitespace). */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Longest input text quoted in an error message. */
const MAX_QUOTED_LENGTH = 40;

/**
 * Whether `year` is a leap year in the proleptic Gregorian calendar: divisible by 4, except
 * centuries, except centuries divisible by 400. So 2000 is a leap year; 1900 and 2100 are not.
 *
 * @param year - An integer year.
 * @returns `true` when February of `year` has 29 days.
 */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Month length without argument checks, for the hot paths. `month` must be 1-12. */
function monthLength(year: number, month: number): number {
  if (month === 2) {
    return isLeapYear(year) ? 29 : 28;
  }
  return COMMON_YEAR_MONTH_LENGTHS[month - 1] ?? 0;
}

/**
 * The number of days in a month.
 *
 * @param year - An integer year.
 * @param month - The month, 1 (January) to 12 (December).
 * @returns 28, 29, 30 or 31.
 * @throws RangeError if `year` is not an integer or `month` is not an integer from 1 to 12.
 */
export function daysInMonth(year: number, month: number): number {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`Invalid year/month: ${year}-${month}`);
  }
  return monthLength(year, month);
}

/**
 * Days since 1970-01-01 for a valid proleptic Gregorian date (Howard Hinnant's
 * `days_from_civil`, integer arithmetic only). Years are shifted so that they start in March,
 * which puts the leap day last. Years are also shifted by one 400-year era so that every
 * intermediate value is non-negative and `(x / k) | 0` is an exact floor division (twice as
 * fast as `Math.floor` in V8). All values stay far inside the int32 range.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = (month <= 2 ? year - 1 : year) + 400;
  const era = (y / 400) | 0;
  const yearOfEra = y - era * 400;
  const monthFromMarch = month > 2 ? month - 3 : month + 9;
  const dayOfYear = (((153 * monthFromMarch + 2) / 5) | 0) + day - 1;
  const dayOfEra = yearOfEra * 365 + ((yearOfEra / 4) | 0) - ((yearOfEra / 100) | 0) + dayOfYear;
  return (era - 1) * 146097 + dayOfEra - 719468;
}

/** Day number of 0000-01-01, the first representable date. */
const MIN_DAY_NUMBER = daysFromCivil(MIN_YEAR, 1, 1);
/** Day number of 9999-12-31, the last representable date. */
const MAX_DAY_NUMBER = daysFromCivil(MAX_YEAR, 12, 31);

function checkInteger(n: number, what: string): void {
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`${what} must be a safe integer, got ${String(n)}`);
  }
}

function quote(text: string): string {
  const shown = text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}...` : text;
  return JSON.stringify(shown);
}

/**
 * An immutable calendar date (proleptic Gregorian year, month 1-12, day) with no time and no
 * time zone. Supported range: 0000-01-01 to 9999-12-31. An operation whose result falls outside
 * this range throws a RangeError.
 *
 * Instances are plain objects with exactly four readonly number fields (so jest's `toEqual` and
 * structural comparison work). The {@link CalendarDate.dayNumber} is computed once, at
 * construction, so comparisons are a single subtraction. Compare with `equals`/`compare`, not
 * `===`: two instances may denote the same day. Create instances with
 * {@link CalendarDate.of}, {@link CalendarDate.parse}, {@link CalendarDate.tryParse} or
 * {@link CalendarDate.fromDayNumber}.
 *
 * The `add*` methods implement CDSi CALCDT-1 to CALCDT-5 (Logic Specification v4.6, table 3-6).
 * A year or month step that produces a day that does not exist rolls forward to the 1st of the
 * next month (CALCDT-5). Chaining `addYears` then `addMonths` rolls forward after each step. For
 * a whole CDSi duration use `addDuration`, which rolls forward once after the combined
 * year-and-month step (see `duration.ts`).
 */
export class CalendarDate {
  /** The year, 0 to 9999. */
  readonly year: number;
  /** The month, 1 (January) to 12 (December). */
  readonly month: number;
  /** The day of the month, 1 to 31. */
  readonly day: number;
  /**
   * Days since 1970-01-01 (negative before then): 1970-01-01 is 0, 2000-01-01 is 10957. Use it
   * for fast ordering and day differences. It is not an instant and has no time zone.
   */
  readonly dayNumber: number;

  private constructor(year: number, month: number, day: number, dayNumber: number) {
    this.year = year;
    this.month = month;
    this.day = day;
    this.dayNumber = dayNumber;
  }

  /**
   * Creates a date from its parts.
   *
   * @param year - The year, 0 to 9999.
   * @param month - The month, 1 to 12.
   * @param day - The day of the month, 1 to the length of the month.
   * @returns The date.
   * @throws RangeError if a part is not an integer or the date does not exist (for example
   *   2001-02-29 or 2000-04-31). No roll-forward happens here; CALCDT-5 applies only to
   *   computed dates.
   */
  static of(year: number, month: number, day: number): CalendarDate {
    if (
      !Number.isInteger(year) ||
      !Number.isInteger(month) ||
      !Number.isInteger(day) ||
      year < MIN_YEAR ||
      year > MAX_YEAR ||
      month < 1 ||
      month > 12 ||
      day < 1 ||
      day > monthLength(year, month)
    ) {
      throw new RangeError(
        `Not a valid calendar date: year ${String(year)}, month ${String(month)}, day ${String(day)}`,
      );
    }
    return new CalendarDate(year, month, day, daysFromCivil(year, month, day));
  }

  /**
   * Parses a strict ISO 8601 calendar date `YYYY-MM-DD`: exactly four, two and two ASCII
   * digits, no whitespace, no time part, no offset.
   *
   * @param text - The text to parse, for example `"2000-02-29"`.
   * @returns The date.
   * @throws RangeError if `text` is not in `YYYY-MM-DD` form or names a date that does not
   *   exist. The message quotes the text.
   */
  static parse(text: string): CalendarDate {
    const match = ISO_DATE.exec(text);
    if (match === null) {
      throw new RangeError(`Invalid calendar date ${quote(text)}: expected YYYY-MM-DD`);
    }
    const date = CalendarDate.fromMatch(match);
    if (date === undefined) {
      throw new RangeError(`Invalid calendar date ${quote(text)}: no such day in the calendar`);
    }
    return date;
  }

  /**
   * Like {@link CalendarDate.parse} but returns `undefined` instead of throwing.
   *
   * @param text - The text to parse.
   * @returns The date, or `undefined` if `text` is not a valid `YYYY-MM-DD` date.
   */
  static tryParse(text: string): CalendarDate | undefined {
    const match = ISO_DATE.exec(text);
    return match === null ? undefined : CalendarDate.fromMatch(match);
  }

  /** The date of an {@link ISO_DATE} match, or `undefined` if no such day exists. */
  private static fromMatch(match: RegExpExecArray): CalendarDate | undefined {
    const year = Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    if (month < 1 || month > 12 || day < 1 || day > monthLength(year, month)) {
      return undefined;
    }
    return new CalendarDate(year, month, day, daysFromCivil(year, month, day));
  }

  /**
   * Creates the date that has the given {@link CalendarDate.dayNumber} (Howard Hinnant's
   * `civil_from_days`, integer arithmetic only).
   *
   * @param dayNumber - Days since 1970-01-01.
   * @returns The date.
   * @throws RangeError if `dayNumber` is not an integer or is outside 0000-01-01..9999-12-31.
   */
  static fromDayNumber(dayNumber: number): CalendarDate {
    checkInteger(dayNumber, 'Day number');
    if (dayNumber < MIN_DAY_NUMBER || dayNumber > MAX_DAY_NUMBER) {
      throw new RangeError(`Date out of range 0000-01-01..9999-12-31 (day number ${dayNumber})`);
    }
    // Shifted by one 400-year era (146097 days) so that every value is non-negative; see
    // daysFromCivil.
    const z = dayNumber + 719468 + 146097;
    const era = (z / 146097) | 0;
    const dayOfEra = z - era * 146097;
    const yearOfEra =
      ((dayOfEra - ((dayOfEra / 1460) | 0) + ((dayOfEra / 36524) | 0) - ((dayOfEra / 146096) | 0)) /
        365) |
      0;
    const dayOfYear =
      dayOfEra - (365 * yearOfEra + ((yearOfEra / 4) | 0) - ((yearOfEra / 100) | 0));
    const monthFromMarch = ((5 * dayOfYear + 2) / 153) | 0;
    const day = dayOfYear - (((153 * monthFromMarch + 2) / 5) | 0) + 1;
    const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
    const year = yearOfEra + (era - 1) * 400 + (month <= 2 ? 1 : 0);
    return new CalendarDate(year, month, day, dayNumber);
  }

  /**
   * The earlier of two dates.
   *
   * @param a - A date.
   * @param b - Another date.
   * @returns `a` if it is on or before `b`, else `b`.
   */
  static min(a: CalendarDate, b: CalendarDate): CalendarDate {
    return a.dayNumber <= b.dayNumber ? a : b;
  }

  /**
   * The later of two dates.
   *
   * @param a - A date.
   * @param b - Another date.
   * @returns `a` if it is on or after `b`, else `b`.
   */
  static max(a: CalendarDate, b: CalendarDate): CalendarDate {
    return a.dayNumber >= b.dayNumber ? a : b;
  }

  /**
   * Builds a date from a year and month that may need normalising and a day that may not exist
   * in that month. CALCDT-5: a day that does not exist moves forward to the 1st of the next
   * month.
   */
  private static rollForward(year: number, month: number, day: number): CalendarDate {
    let y = year;
    let m = month;
    let d = day;
    if (d > monthLength(y, m)) {
      d = 1;
      m += 1;
      if (m > 12) {
        m = 1;
        y += 1;
      }
    }
    if (y < MIN_YEAR || y > MAX_YEAR) {
      throw new RangeError(`Date out of range 0000-01-01..9999-12-31 (year ${y})`);
    }
    return new CalendarDate(y, m, d, daysFromCivil(y, m, d));
  }

  /**
   * Adds whole years (CALCDT-1: change the year, keep the month and day). If the result does
   * not exist (Feb 29 in a common year), it moves forward to Mar 1 (CALCDT-5).
   *
   * @param n - Years to add; may be negative.
   * @returns The new date. 2000-02-29 + 1 year = 2001-03-01; 2000-02-29 - 1 year = 1999-03-01.
   * @throws RangeError if `n` is not a safe integer or the result is out of range.
   */
  addYears(n: number): CalendarDate {
    checkInteger(n, 'Years');
    if (n === 0) {
      return this;
    }
    return CalendarDate.rollForward(this.year + n, this.month, this.day);
  }

  /**
   * Adds whole months (CALCDT-2: change the month, and the year if needed, keep the day). If
   * the result does not exist, it moves forward to the 1st of the next month (CALCDT-5).
   *
   * @param n - Months to add; may be negative.
   * @returns The new date. 2000-03-31 + 6 months = 2000-10-01; 2001-01-31 + 1 month =
   *   2001-03-01; 2001-03-31 - 1 month = 2001-03-01 (Feb 31 does not exist).
   * @throws RangeError if `n` is not a safe integer or the result is out of range.
   */
  addMonths(n: number): CalendarDate {
    checkInteger(n, 'Months');
    if (n === 0) {
      return this;
    }
    const monthIndex = this.year * 12 + (this.month - 1) + n;
    const year = Math.floor(monthIndex / 12); // may be negative before the range check
    return CalendarDate.rollForward(year, monthIndex - year * 12 + 1, this.day);
  }

  /**
   * The {@link CalendarDate.dayNumber} of `this.addMonths(months).addDays(days)` (CALCDT-2,
   * CALCDT-5 roll-forward, then CALCDT-3/4), without creating either date. The engine compares
   * many computed dates (minimum interval dates, conflict dates) with a date administered and
   * keeps none of them; this saves two allocations per comparison. Same checks and errors as the
   * two calls.
   *
   * @param months - Months to add; may be negative.
   * @param days - Days to add after the months; may be negative.
   * @returns The day number of the computed date.
   * @throws RangeError if a part is not a safe integer or a step is out of range.
   */
  shiftedDayNumber(months: number, days: number): number {
    checkInteger(months, 'Months');
    checkInteger(days, 'Days');
    let base = this.dayNumber;
    if (months !== 0) {
      const monthIndex = this.year * 12 + (this.month - 1) + months;
      let y = Math.floor(monthIndex / 12);
      let m = monthIndex - y * 12 + 1;
      let d = this.day;
      // CALCDT-5, as in rollForward.
      if (d > monthLength(y, m)) {
        d = 1;
        m += 1;
        if (m > 12) {
          m = 1;
          y += 1;
        }
      }
      if (y < MIN_YEAR || y > MAX_YEAR) {
        throw new RangeError(`Date out of range 0000-01-01..9999-12-31 (year ${y})`);
      }
      base = daysFromCivil(y, m, d);
    }
    if (days === 0) {
      return base;
    }
    const result = base + days;
    if (result < MIN_DAY_NUMBER || result > MAX_DAY_NUMBER) {
      throw new RangeError(`Date out of range 0000-01-01..9999-12-31 (day number ${result})`);
    }
    return result;
  }

  /**
   * Adds whole weeks as 7 days each (CALCDT-3).
   *
   * @param n - Weeks to add; may be negative.
   * @returns The new date. 2000-02-01 + 5 weeks = 2000-03-07.
   * @throws RangeError if `n` is not a safe integer or the result is out of range.
   */
  addWeeks(n: number): CalendarDate {
    checkInteger(n, 'Weeks');
    return this.addDays(n * 7);
  }

  /**
   * Adds days (CALCDT-3); a negative `n` subtracts days (CALCDT-4).
   *
   * @param n - Days to add; may be negative.
   * @returns The new date. 2000-01-15 - 4 days = 2000-01-11.
   * @throws RangeError if `n` is not a safe integer or the result is out of range.
   */
  addDays(n: number): CalendarDate {
    checkInteger(n, 'Days');
    if (n === 0) {
      return this;
    }
    const day = this.day + n;
    if (day >= 1 && (day <= 28 || day <= monthLength(this.year, this.month))) {
      // Fast path: still inside the same month.
      return new CalendarDate(this.year, this.month, day, this.dayNumber + n);
    }
    return CalendarDate.fromDayNumber(this.dayNumber + n);
  }

  /**
   * The number of days from this date to `other` (`other` minus `this`).
   *
   * @param other - The other date.
   * @returns Positive if `other` is later, negative if earlier, 0 if the same day.
   */
  daysUntil(other: CalendarDate): number {
    return other.dayNumber - this.dayNumber;
  }

  /**
   * Orders two dates.
   *
   * @param other - The date to compare with.
   * @returns A negative number if this date is earlier, 0 if equal, positive if later. Usable
   *   directly as an `Array.prototype.sort` comparator: `dates.sort((a, b) => a.compare(b))`.
   */
  compare(other: CalendarDate): number {
    return this.dayNumber - other.dayNumber;
  }

  /**
   * @param other - The date to compare with.
   * @returns `true` if both denote the same calendar day.
   */
  equals(other: CalendarDate): boolean {
    return this.dayNumber === other.dayNumber;
  }

  /**
   * @param other - The date to compare with.
   * @returns `true` if this date is strictly earlier than `other`.
   */
  isBefore(other: CalendarDate): boolean {
    return this.dayNumber < other.dayNumber;
  }

  /**
   * @param other - The date to compare with.
   * @returns `true` if this date is strictly later than `other`.
   */
  isAfter(other: CalendarDate): boolean {
    return this.dayNumber > other.dayNumber;
  }

  /**
   * @param other - The date to compare with.
   * @returns `true` if this date is earlier than or the same as `other`.
   */
  isOnOrBefore(other: CalendarDate): boolean {
    return this.dayNumber <= other.dayNumber;
  }

  /**
   * @param other - The date to compare with.
   * @returns `true` if this date is later than or the same as `other`.
   */
  isOnOrAfter(other: CalendarDate): boolean {
    return this.dayNumber >= other.dayNumber;
  }

  /**
   * @returns The date as ISO 8601 `YYYY-MM-DD`, for example `"2000-02-29"`.
   *   `CalendarDate.parse(d.toString())` always equals `d`.
   */
  toString(): string {
    const { year, month, day } = this;
    const yyyy = year >= 1000 ? String(year) : String(year).padStart(4, '0');
    return `${yyyy}${month < 10 ? '-0' : '-'}${month}${day < 10 ? '-0' : '-'}${day}`;
  }

  /**
   * @returns The same as {@link CalendarDate.toString}, so `JSON.stringify` writes
   *   `"YYYY-MM-DD"`.
   */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * 1900-01-01: the date CDSi assumes when a calculated "begin" or "minimum" date is empty, for
 * example the minimum age date, the absolute minimum interval date or the conditional skip begin
 * age date (Logic Specification v4.6, "Assumed Value if Empty" columns of tables 5-2, 6-4, 6-14,
 * 6-17, 6-20, 6-25, 6-28, 7-4 and 7-12). It is not the smallest representable date.
 */
export const MIN_DATE: CalendarDate = CalendarDate.of(1900, 1, 1);

/**
 * 2999-12-31: the date CDSi assumes when a calculated "end" or "maximum" date is empty, for
 * example the maximum age date, the lot expiration date or the indication end age date (Logic
 * Specification v4.6, "Assumed Value if Empty" columns of tables 5-2, 6-2, 6-4, 6-14, 6-25, 6-28,
 * 7-4 and 7-9). It is not the largest representable
 * date.
 */
export const MAX_DATE: CalendarDate = CalendarDate.of(2999, 12, 31);
