/**
 * FHIR `date` and `dateTime` strings → {@link CalendarDate}, by their digits only (design guide
 * §4: never `new Date()`, which would bring the server's time zone into CDSi).
 *
 * - A `date` is `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (FHIR R4 datatypes §2.24.0.1).
 * - A `dateTime` is one of those, or `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`. Its **date part is
 *   used as written**: `2020-06-02T23:30:00-05:00` is 2020-06-02, even though it is already
 *   June 3rd in UTC. The clinic wrote the date the dose was given in its own zone, and that is
 *   the date CDSi needs; converting would move doses across midnight.
 * - A partial date (year, or year and month) is reported as such: CDSi needs a day, and guessing
 *   one (the 1st? the 15th?) could turn an invalid dose into a valid one. Callers decide what a
 *   partial date means for them (for the operation: an error naming the element).
 *
 * @packageDocumentation
 */
import { CalendarDate, daysInMonth } from '../calendar';

/** The result of reading a FHIR date or dateTime. */
export type FhirDateReading =
  | { readonly kind: 'date'; readonly date: CalendarDate }
  | { readonly kind: 'partial'; readonly precision: 'year' | 'month' }
  | { readonly kind: 'invalid'; readonly problem: string };

const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const MONTH = '(0[1-9]|1[0-2])';
const TIME =
  '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';

/**
 * The partial forms of FHIR R4 `date` and `dateTime` (`YYYY`, `YYYY-MM`), by the regex of the R4
 * specification. The full forms are checked by {@link fullDate}: the specification's regex
 * for them is `YYYY-MM-DD` with the same year, month and day rules, then, for a `dateTime`,
 * optionally `T` and {@link TIME_PART}. Reading the digits by hand instead of with the whole
 * regex (then parsing the date again) matters in bulk runs, which read millions of dates.
 */
const PARTIAL_DATE = new RegExp(`^${YEAR}(-${MONTH})?$`);
/** The time part of a FHIR R4 `dateTime` (the regex of the R4 specification). */
const TIME_PART = new RegExp(`^T${TIME}$`);

/** Two ASCII digits at `i` as a number, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const NOT_A_DATE: FhirDateReading = {
  kind: 'invalid',
  problem: 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)',
};
const NOT_A_DATE_TIME: FhirDateReading = {
  kind: 'invalid',
  problem: 'not a FHIR dateTime (YYYY-MM-DD, optionally with a time and a time zone)',
};
const NO_SUCH_DAY: FhirDateReading = { kind: 'invalid', problem: 'no such day in the calendar' };

/**
 * A text of 10 characters or more: `YYYY-MM-DD` (year 0001-9999, month 01-12, day 01-31, as the
 * R4 regex has it), followed by nothing, or for a `dateTime` by a time and a zone.
 */
function fullDate(text: string, dateTime: boolean): FhirDateReading {
  const notFhir = dateTime ? NOT_A_DATE_TIME : NOT_A_DATE;
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (
    century < 0 ||
    yy < 0 ||
    (century === 0 && yy === 0) ||
    text.charCodeAt(4) !== 45 || // '-'
    text.charCodeAt(7) !== 45 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31
  ) {
    return notFhir;
  }
  if (text.length > 10 && !(dateTime && TIME_PART.test(text.slice(10)))) {
    return notFhir;
  }
  const year = century * 100 + yy;
  return day > daysInMonth(year, month)
    ? NO_SUCH_DAY
    : { kind: 'date', date: CalendarDate.of(year, month, day) };
}

function read(text: unknown, dateTime: boolean): FhirDateReading {
  if (typeof text !== 'string') {
    return {
      kind: 'invalid',
      problem: `not a JSON string (a FHIR ${dateTime ? 'dateTime' : 'date'} is one)`,
    };
  }
  if (text.length >= 10) {
    return fullDate(text, dateTime);
  }
  if (!PARTIAL_DATE.test(text)) {
    return dateTime ? NOT_A_DATE_TIME : NOT_A_DATE;
  }
  return { kind: 'partial', precision: text.length === 4 ? 'year' : 'month' };
}

/**
 * Reads a FHIR `date` (e.g. `Patient.birthDate`, the `assessmentDate` parameter).
 *
 * @param text - The JSON value as received (anything; non-strings are invalid).
 */
export function readFhirDate(text: unknown): FhirDateReading {
  return read(text, false);
}

/**
 * Reads a FHIR `dateTime` (e.g. `Immunization.occurrenceDateTime`); the date part is used as
 * written, without any time-zone conversion.
 *
 * @param text - The JSON value as received.
 */
export function readFhirDateTime(text: unknown): FhirDateReading {
  return read(text, true);
}

/**
 * The FHIR `date` text of a calendar date (`YYYY-MM-DD`).
 *
 * @param date - The date.
 */
export function fhirDate(date: CalendarDate): string {
  return date.toString();
}
