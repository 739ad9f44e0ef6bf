/**
 * §6.5 Evaluate preferable interval (table 6-18).
 */
import { addDurationDayNumber, type CalendarDate } from '../../calendar';
import { intervalReferenceDate, type SeriesPosition } from '../interval-reference';
import type { PatientContext } from '../patient-context';
import type { SeriesDose } from '../rule-set';
import { isInEffect } from '../select-supporting-data';

/** The outcome of table 6-18 over all preferable intervals of a target dose. */
export type IntervalOutcome = 'valid' | 'grace-period' | 'too-soon';

/**
 * Table 6-18, applied to every preferable interval in effect on the date administered
 * (RELEVANT-1); all must be satisfied. An interval without a reference date (no previous dose,
 * skipped "from" target dose, no such vaccine or observation) does not apply, and a target dose
 * without intervals accepts any date.
 * - date < absolute minimum interval date (CALCDTINT-3): too soon;
 * - absolute minimum ≤ date < minimum interval date (CALCDTINT-4): valid, grace period;
 * - otherwise valid.
 * An empty absolute minimum or minimum interval assumes 1900-01-01 (table 6-17).
 *
 * @param pc - The call context.
 * @param seriesDose - The series dose tracked by the target dose.
 * @param date - Date administered.
 * @param position - The dose's position in its series (for reference dates).
 */
export function evaluatePreferableIntervals(
  pc: PatientContext,
  seriesDose: SeriesDose,
  date: CalendarDate,
  position: SeriesPosition,
): IntervalOutcome {
  let outcome: IntervalOutcome = 'valid';
  // Instances not in effect are skipped in place (no filtered copy per dose).
  for (const interval of seriesDose.intervals) {
    if (!isInEffect(interval, date)) {
      continue;
    }
    const reference = intervalReferenceDate(pc, interval.from, position);
    if (reference === undefined) {
      continue;
    }
    // Day numbers: the interval dates are only compared, never kept.
    if (
      interval.absMinInt !== undefined &&
      date.dayNumber < addDurationDayNumber(reference, interval.absMinInt)
    ) {
      return 'too-soon';
    }
    if (
      interval.minInt !== undefined &&
      date.dayNumber < addDurationDayNumber(reference, interval.minInt)
    ) {
      outcome = 'grace-period';
    }
  }
  return outcome;
}
