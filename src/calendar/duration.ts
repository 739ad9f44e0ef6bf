/**
 * CDSi durations: the age and interval texts of the supporting data ("6 weeks - 4 days",
 * "8 months + 1 day", "18 years") and how they are added to a date (CALCDT-6).
 *
 * Grammar (case-insensitive; whitespace is anything JS `\s` matches):
 *
 * ```
 * duration = ws* term (separator term)* ws*
 * term     = number ws* unit
 * number   = 1 to 5 ASCII digits   (99999 days is 273 years: more than any CDSi value)
 * unit     = "year" | "years" | "month" | "months" | "week" | "weeks" | "day" | "days"
 * separator = ws* sign ws*  |  ws+          (no sign means "+")
 * sign     = "+" | "-" | U+2013 en dash | U+2212 minus sign
 * ```
 *
 * - Singular and plural are both accepted whatever the number ("1 years - 4 days" occurs in
 *   the XML, "3 months - 4 day" in CDC's workbooks).
 * - A unit may repeat; the amounts add up ("28 days - 4 days" is 24 days).
 * - A sign applies to the single term after it ("10 years + 8 weeks - 4 days").
 * - The first term carries no sign: a duration in the rule tables is never negative. To go
 *   backwards, use {@link subtractDuration}.
 * - Abbreviations ("6 wks", "4d"), decimals, words such as "and", brackets and trailing signs
 *   are rejected. These forms occur only in the free-text change notes of CDC's workbooks,
 *   never in a duration field.
 *
 * Empty values and "n/a" mean that no duration applies. {@link parseOptionalDuration} returns
 * `undefined` for them; {@link parseDuration} rejects them.
 *
 * @packageDocumentation
 */

import type { CalendarDate } from './calendar-date';

/**
 * A parsed CDSi duration. The parts keep their signs: "6 weeks - 4 days" is
 * `{ years: 0, months: 0, weeks: 6, days: -4 }`. A unit that appears more than once is summed.
 */
export interface Duration {
  /** Whole years; added before months (CALCDT-1, CALCDT-6). */
  readonly years: number;
  /** Whole months; added together with the years (CALCDT-2, CALCDT-6). */
  readonly months: number;
  /** Whole weeks; added as 7 days each after the years and months (CALCDT-3, CALCDT-6). */
  readonly weeks: number;
  /** Whole days; added after the years and months (CALCDT-3, CALCDT-4, CALCDT-6). */
  readonly days: number;
  /** The source text with leading and trailing whitespace removed, for messages. */
  readonly text: string;
}

/** Thrown by {@link parseDuration} and {@link parseOptionalDuration} for malformed text. */
export class DurationSyntaxError extends Error {
  /** The text that could not be parsed, exactly as given. */
  readonly text: string;

  /**
   * @param text - The offending text, as given.
   */
  constructor(text: string) {
    super(
      `Invalid CDSi duration ${JSON.stringify(text)}: expected terms such as "6 weeks - 4 days", "8 months + 1 day" or "18 years"`,
    );
    this.name = 'DurationSyntaxError';
    this.text = text;
  }
}

/** A regex source matching `word` in any letter case without the `i` flag (JSON Schema has no flags). */
function anyCase(word: string): string {
  let out = '';
  for (const ch of word) {
    const upper = ch.toUpperCase();
    const lower = ch.toLowerCase();
    out += upper === lower ? ch : `[${upper}${lower}]`;
  }
  return out;
}

const NUMBER = '[0-9]{1,5}';
const UNIT = `(?:${anyCase('year')}|${anyCase('month')}|${anyCase('week')}|${anyCase('day')})[Ss]?`;
const SIGN = '[+\\-\\u2013\\u2212]';
const TERM = `${NUMBER}\\s*${UNIT}`;
const DURATION_BODY = `${TERM}(?:\\s*${SIGN}\\s*${TERM}|\\s+${TERM})*`;
const NOT_APPLICABLE_BODY = `(?:${anyCase('n')}/${anyCase('a')}|${anyCase('na')}|${anyCase('not')}\\s+${anyCase('applicable')})`;

/**
 * An anchored ECMAScript regular-expression source (valid with and without the `u` flag, as
 * used by ajv for JSON Schema `pattern`) accepting exactly the texts that
 * {@link parseOptionalDuration} accepts: a duration, an empty or blank string, or a
 * not-applicable value ("n/a", "NA", "not applicable", any case), each with optional
 * surrounding whitespace. Written so that no input makes it backtrack more than linearly (a
 * trailing `\s*` sits inside the optional group, not after it).
 */
export const DURATION_PATTERN = `^\\s*(?:(?:${DURATION_BODY}|${NOT_APPLICABLE_BODY})\\s*)?$`;

const DURATION_RE = new RegExp(`^\\s*${DURATION_BODY}\\s*$`);
const NOT_APPLICABLE_RE = new RegExp(`^\\s*(?:${NOT_APPLICABLE_BODY}\\s*)?$`);
const TERM_RE = new RegExp(`(${SIGN})?\\s*(${NUMBER})\\s*(${UNIT})`, 'g');

/**
 * Parses a CDSi duration text (see the grammar at the top of this module).
 *
 * @param text - For example `"6 weeks - 4 days"`, `"8 months + 1 day"`, `" 13 years"`,
 *   `"4 Weeks"`, `"6 months- 4 days"`, `"1 year 6 months"`.
 * @returns The parts, each signed, with `text` set to the trimmed input.
 * @throws DurationSyntaxError if `text` is not a duration, including when it is empty or "n/a"
 *   (use {@link parseOptionalDuration} for fields that may be empty).
 */
export function parseDuration(text: string): Duration {
  if (!DURATION_RE.test(text)) {
    throw new DurationSyntaxError(text);
  }
  let years = 0;
  let months = 0;
  let weeks = 0;
  let days = 0;
  for (const match of text.matchAll(TERM_RE)) {
    const sign = match[1];
    const amount = Number(match[2]);
    // Subtract from 0 rather than multiply by -1 so that "- 0 days" gives 0, not -0.
    const signed = sign === undefined || sign === '+' ? amount : 0 - amount;
    switch ((match[3] ?? '').charAt(0).toLowerCase()) {
      case 'y':
        years += signed;
        break;
      case 'm':
        months += signed;
        break;
      case 'w':
        weeks += signed;
        break;
      default:
        days += signed;
        break;
    }
  }
  return { years, months, weeks, days, text: text.trim() };
}

/**
 * Parses an optional duration field of the supporting data.
 *
 * @param text - The field value, possibly missing.
 * @returns `undefined` if `text` is `undefined`, empty, blank, or a not-applicable value ("n/a",
 *   "NA", "not applicable"; any case, surrounding whitespace allowed); otherwise the parsed
 *   duration.
 * @throws DurationSyntaxError if `text` is neither absent nor a duration.
 */
export function parseOptionalDuration(text: string | undefined): Duration | undefined {
  if (text === undefined || NOT_APPLICABLE_RE.test(text)) {
    return undefined;
  }
  return parseDuration(text);
}

/**
 * @param text - Any text.
 * @returns `true` if {@link parseDuration} accepts `text`. Empty and "n/a" values give `false`.
 */
export function isDurationText(text: string): boolean {
  return DURATION_RE.test(text);
}

/**
 * Moves a date by signed month and day totals: one month step with a single CALCDT-5
 * roll-forward, then one day step.
 */
function shift(date: CalendarDate, months: number, days: number): CalendarDate {
  const afterMonths = months === 0 ? date : date.addMonths(months);
  return days === 0 ? afterMonths : afterMonths.addDays(days);
}

/**
 * Adds a CDSi duration to a date (CALCDT-6: first the years, then the months, finally the weeks
 * and days).
 *
 * Ambiguity resolved here: CALCDT-5 (a date that is not real moves forward to the 1st of the
 * next month) is applied ONCE, after the combined years-and-months step (years * 12 + months
 * added as months), not after the year step and again after the month step. The intermediate
 * "date + years" is not a computed date in the sense of CALCDT-5. The two readings differ only
 * when the start is Feb 29, the year step lands in a common year, and months are also added:
 * 2000-02-29 + "1 year 1 month" is 2001-03-29 here (stepwise would give 2001-04-01). Weeks and
 * days are then added as one total of days (CALCDT-3/4), after the roll-forward:
 * 2000-06-30 + "8 months + 1 day" = (2001-02-30 -> 2001-03-01) + 1 day = 2001-03-02.
 *
 * @param date - The start date, for example a date of birth or the reference dose date.
 * @param d - The duration.
 * @returns The computed date. 2000-01-31 + "6 months - 4 days" = 2000-07-27.
 * @throws RangeError if a part is not a safe integer or the result is out of range.
 */
export function addDuration(date: CalendarDate, d: Duration): CalendarDate {
  return shift(date, d.years * 12 + d.months, d.weeks * 7 + d.days);
}

/**
 * The {@link CalendarDate.dayNumber} of {@link addDuration}`(date, d)`, without creating the
 * date: for the many computed dates the engine only compares (e.g. "date administered before
 * reference date + minimum interval", CALCDTINT-4).
 *
 * @param date - The start date.
 * @param d - The duration.
 * @returns The day number of the computed date (same CALCDT-6 order and CALCDT-5 roll-forward).
 * @throws RangeError if a part is not a safe integer or the result is out of range.
 */
export function addDurationDayNumber(date: CalendarDate, d: Duration): number {
  return date.shiftedDayNumber(d.years * 12 + d.months, d.weeks * 7 + d.days);
}

/**
 * Subtracts a CDSi duration from a date: every part is negated and the CALCDT-6 order is kept
 * (years and months together with one CALCDT-5 roll-forward, then weeks and days). So
 * date - "6 months - 4 days" = (date - 6 months) + 4 days.
 *
 * This is not always the inverse of {@link addDuration}, because CALCDT-5 rolls forward in both
 * directions: 2001-03-31 - "1 month" = 2001-03-01 (Feb 31 does not exist), and adding the month
 * back gives 2001-04-01.
 *
 * @param date - The date to subtract from, for example an assessment date.
 * @param d - The duration, for example an age.
 * @returns The computed date. 2000-07-27 - "6 months - 4 days" = 2000-01-31.
 * @throws RangeError if a part is not a safe integer or the result is out of range.
 */
export function subtractDuration(date: CalendarDate, d: Duration): CalendarDate {
  return shift(date, 0 - (d.years * 12 + d.months), 0 - (d.weeks * 7 + d.days));
}
