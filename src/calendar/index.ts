/**
 * Public API of the calendar module: time-zone-free calendar dates and CDSi duration
 * arithmetic (CDSi Logic Specification v4.6, section 3.4, CALCDT-1 to CALCDT-6).
 *
 * This module is pure. It imports nothing from outside `src/calendar/` and never uses JS
 * `Date` or `Intl` (design guide §0.5 and §5).
 *
 * @packageDocumentation
 */

export { CalendarDate, MAX_DATE, MIN_DATE, daysInMonth, isLeapYear } from './calendar-date';
export {
  DURATION_PATTERN,
  DurationSyntaxError,
  addDuration,
  addDurationDayNumber,
  isDurationText,
  parseDuration,
  parseOptionalDuration,
  subtractDuration,
} from './duration';
export type { Duration } from './duration';
