/**
 * §6.6 Evaluate allowable interval (table 6-21).
 */
import { addDurationDayNumber, type CalendarDate } from '../../calendar';
import { intervalReferenceDate, type SeriesPosition } from '../interval-reference';
import type { PatientContext } from '../patient-context';
import type { SeriesDose } from '../rule-set';
import { isInEffect } from '../select-supporting-data';

/**
 * Table 6-21, for a dose that failed its preferable intervals: it is still acceptable when it
 * satisfies every allowable interval in effect on the date administered (RELEVANT-1), i.e. the
 * date is not before the absolute minimum interval date (CALCDTINT-3). A target dose without
 * allowable intervals cannot validate this way: "to avoid a false validation, the allowable
 * interval should be considered not valid in these cases" (§6.6).
 *
 * @param pc - The call context.
 * @param seriesDose - The series dose tracked by the target dose.
 * @param date - Date administered.
 * @param position - The dose's position in its series.
 */
export function satisfiesAllowableIntervals(
  pc: PatientContext,
  seriesDose: SeriesDose,
  date: CalendarDate,
  position: SeriesPosition,
): boolean {
  // Instances not in effect are skipped in place (no filtered copy per dose).
  let any = false;
  for (const interval of seriesDose.allowableIntervals) {
    if (!isInEffect(interval, date)) {
      continue;
    }
    any = true;
    const reference = intervalReferenceDate(pc, interval.from, position);
    if (
      reference !== undefined &&
      interval.absMinInt !== undefined &&
      date.dayNumber < addDurationDayNumber(reference, interval.absMinInt)
    ) {
      return false;
    }
  }
  return any;
}
