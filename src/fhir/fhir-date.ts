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
import { CalendarDate } from '../calendar';

/** The result of reading a FHIR date or dateTime. */
export type FhirDateReading =
  | { readonly kind: 'date'; readonly date: CalendarDate }
  | { readonly kind: 'partial'; readonly precision: 'year' | 'month' }
  | { readonly kind: 'invalid'; readonly problem: string };

const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const MONTH = '(0[1-9]|1[0-2])';
const DAY = '(0[1-9]|[1-2][0-9]|3[0-1])';
const TIME =
  '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';

/** FHIR R4 `date` (the regex of the R4 specification). */
const FHIR_DATE = new RegExp(`^${YEAR}(-${MONTH}(-${DAY})?)?$`);
/** FHIR R4 `dateTime` (the regex of the R4 specification). */
const FHIR_DATE_TIME = new RegExp(`^${YEAR}(-${MONTH}(-${DAY}(T${TIME})?)?)?$`);

function read(text: unknown, pattern: RegExp, what: string): FhirDateReading {
  if (typeof text !== 'string') {
    return { kind: 'invalid', problem: `not a JSON string (a FHIR ${what} is one)` };
  }
  if (!pattern.test(text)) {
    return {
      kind: 'invalid',
      problem:
        what === 'date'
          ? 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'
          : 'not a FHIR dateTime (YYYY-MM-DD, optionally with a time and a time zone)',
    };
  }
  if (text.length === 4) {
    return { kind: 'partial', precision: 'year' };
  }
  if (text.length === 7) {
    return { kind: 'partial', precision: 'month' };
  }
  const date = CalendarDate.tryParse(text.slice(0, 10));
  return date === undefined
    ? { kind: 'invalid', problem: 'no such day in the calendar' }
    : { kind: 'date', date };
}

/**
 * Reads a FHIR `date` (e.g. `Patient.birthDate`, the `assessmentDate` parameter).
 *
 * @param text - The JSON value as received (anything; non-strings are invalid).
 */
export function readFhirDate(text: unknown): FhirDateReading {
  return read(text, FHIR_DATE, 'date');
}

/**
 * Reads a FHIR `dateTime` (e.g. `Immunization.occurrenceDateTime`); the date part is used as
 * written, without any time-zone conversion.
 *
 * @param text - The JSON value as received.
 */
export function readFhirDateTime(text: unknown): FhirDateReading {
  return read(text, FHIR_DATE_TIME, 'dateTime');
}

/**
 * The FHIR `date` text of a calendar date (`YYYY-MM-DD`).
 *
 * @param date - The date.
 */
export function fhirDate(date: CalendarDate): string {
  return date.toString();
}
