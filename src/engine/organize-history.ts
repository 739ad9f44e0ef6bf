/**
 * §4.2 Organize immunization history: break every vaccine dose administered into its antigen
 * parts ("antigen administered records"), using the CVX→antigen map with its association ages,
 * and sort them by antigen, then date.
 */
import type { UnusedDose } from './model';
import type { PatientContext, PatientDose } from './patient-context';
import { reason } from './reasons';

/** An antigen administered record: one administered dose seen as a dose of one antigen. */
export interface AntigenDose {
  readonly patientDose: PatientDose;
  readonly antigen: string;
}

/** The organised history. */
export interface OrganizedHistory {
  /** Antigen → its records in date order (§4.2 step 3). */
  readonly byAntigen: ReadonlyMap<string, readonly AntigenDose[]>;
  /** Doses that count for no antigen, each with the reason. */
  readonly unused: readonly UnusedDose[];
}

/**
 * Creates the antigen administered records of the patient.
 *
 * A CVX counts for an antigen when the patient's age on the date administered is on or after the
 * association begin age and before the association end age (§4.2 step 2a; e.g. Zoster live
 * vaccine below 50 years counts for Varicella). A dose whose CVX is not in the map, or that counts
 * for no antigen at that age, is reported in `unused` rather than dropped.
 *
 * @param pc - The call context (its doses are already in date order).
 */
export function organizeHistory(pc: PatientContext): OrganizedHistory {
  const byAntigen = new Map<string, AntigenDose[]>();
  const unused: UnusedDose[] = [];
  for (const patientDose of pc.doses) {
    const vaccineType = pc.ruleSet.vaccineTypes.get(patientDose.cvx);
    if (vaccineType === undefined) {
      unused.push({
        doseId: patientDose.id,
        reason: reason('unknown-vaccine', { cvx: patientDose.dose.cvx }),
      });
      continue;
    }
    let used = false;
    for (const association of vaccineType.associations) {
      const begin = association.associationBeginAge;
      const end = association.associationEndAge;
      if (begin !== undefined && patientDose.date.isBefore(pc.ageDate(begin))) {
        continue;
      }
      if (end !== undefined && patientDose.date.isOnOrAfter(pc.ageDate(end))) {
        continue;
      }
      used = true;
      let records = byAntigen.get(association.antigen);
      if (records === undefined) {
        records = [];
        byAntigen.set(association.antigen, records);
      }
      records.push({ patientDose, antigen: association.antigen });
    }
    if (!used) {
      unused.push({
        doseId: patientDose.id,
        reason: reason('no-antigen-at-age', { cvx: patientDose.dose.cvx }),
      });
    }
  }
  return { byAntigen, unused };
}
