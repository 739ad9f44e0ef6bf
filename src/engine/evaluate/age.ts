/**
 * §6.4 Evaluate age (table 6-15).
 */
import type { CalendarDate } from '../../calendar';
import type { PatientContext } from '../patient-context';
import type { SeriesDose } from '../rule-set';
import { firstInEffect } from '../select-supporting-data';

/** The outcome of table 6-15. */
export type AgeOutcome = 'valid' | 'grace-period' | 'too-young' | 'too-old';

/**
 * Table 6-15: was the dose administered at a valid age for the target dose? The age component
 * in effect on the date administered is used (RELEVANT-1); a target dose without one accepts
 * any age. Empty ages assume 1900-01-01 (absolute minimum and minimum) and 2999-12-31
 * (maximum), table 6-14.
 * - date < absolute minimum age date (CALCDTAGE-5): too young (not valid);
 * - absolute minimum ≤ date < minimum age date (CALCDTAGE-4): valid, grace period;
 * - minimum ≤ date < maximum age date (CALCDTAGE-1): valid;
 * - date ≥ maximum age date: too old (extraneous).
 *
 * @param pc - The call context.
 * @param seriesDose - The series dose tracked by the target dose.
 * @param date - Date administered.
 */
export function evaluateAge(
  pc: PatientContext,
  seriesDose: SeriesDose,
  date: CalendarDate,
): AgeOutcome {
  const age = firstInEffect(seriesDose.ages, date);
  if (age === undefined) {
    return 'valid';
  }
  if (age.maxAge !== undefined && date.isOnOrAfter(pc.ageDate(age.maxAge))) {
    return 'too-old';
  }
  if (age.absMinAge !== undefined && date.isBefore(pc.ageDate(age.absMinAge))) {
    return 'too-young';
  }
  if (age.minAge !== undefined && date.isBefore(pc.ageDate(age.minAge))) {
    return 'grace-period';
  }
  return 'valid';
}
