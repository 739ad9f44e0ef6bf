/**
 * §6.8 Evaluate for preferable vaccine (table 6-26).
 */
import type { PatientContext, PatientDose } from '../patient-context';
import type { PreferableVaccine, SeriesDose } from '../rule-set';

/**
 * Table 6-26: the dose is a preferable vaccine for the target dose when its vaccine type is
 * that of a preferable vaccine, it was administered on or after the preferable vaccine type
 * begin age date (CALCDTPREF-1) and before the end age date (CALCDTPREF-2), and — when the
 * supporting data names a trade name — it is that product. We know products by MVX only: a
 * preferable vaccine with a trade name matches a dose from the same manufacturer (an unknown
 * manufacturer does not match). Volume is not used for validity (§6.8).
 *
 * @param pc - The call context.
 * @param seriesDose - The series dose tracked by the target dose.
 * @param dose - The dose administered.
 * @returns The matching preferable vaccine, or `undefined`.
 */
export function findPreferableVaccine(
  pc: PatientContext,
  seriesDose: SeriesDose,
  dose: PatientDose,
): PreferableVaccine | undefined {
  // A loop rather than `find` with a closure: this runs for every dose of every series.
  for (const v of seriesDose.preferableVaccines) {
    if (
      v.cvx === dose.cvx &&
      (v.beginAge === undefined || dose.date.isOnOrAfter(pc.ageDate(v.beginAge))) &&
      (v.endAge === undefined || dose.date.isBefore(pc.ageDate(v.endAge))) &&
      (v.tradeName === undefined ||
        v.mvx === undefined ||
        dose.dose.mvx?.trim().toUpperCase() === v.mvx.toUpperCase())
    ) {
      return v;
    }
  }
  return undefined;
}
