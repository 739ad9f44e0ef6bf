/**
 * §6.9 Evaluate for allowable vaccine (table 6-29).
 */
import type { PatientContext, PatientDose } from '../patient-context';
import type { SeriesDose } from '../rule-set';

/**
 * Table 6-29: the dose is an allowable vaccine for the target dose when its vaccine type is that
 * of an allowable vaccine and it was administered on or after the allowable vaccine type begin
 * age date (CALCDTALLOW-1) and before the end age date (CALCDTALLOW-2).
 *
 * @param pc - The call context.
 * @param seriesDose - The series dose tracked by the target dose.
 * @param dose - The dose administered.
 */
export function isAllowableVaccine(
  pc: PatientContext,
  seriesDose: SeriesDose,
  dose: PatientDose,
): boolean {
  // A loop rather than `some` with a closure: this runs for many doses of every series.
  for (const v of seriesDose.allowableVaccines) {
    if (
      v.cvx === dose.cvx &&
      (v.beginAge === undefined || dose.date.isOnOrAfter(pc.ageDate(v.beginAge))) &&
      (v.endAge === undefined || dose.date.isBefore(pc.ageDate(v.endAge)))
    ) {
      return true;
    }
  }
  return false;
}
