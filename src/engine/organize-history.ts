/**
 * §4.2 Organize immunization history: break every vaccine dose administered into its antigen
 * parts ("antigen administered records"), using the CVX→antigen map with its association ages,
 * and sort them by antigen, then date.
 */
import type { UnusedDose } from './model';
import { antigenSlotsOf, type PatientContext, type PatientDose } from './patient-context';
import type { CvxAntigenAssociation } from './rule-set';
import { reason } from './reasons';

/** An antigen administered record: one administered dose seen as a dose of one antigen. */
export interface AntigenDose {
  readonly patientDose: PatientDose;
  readonly antigen: string;
}

/** The organised history. */
export interface OrganizedHistory {
  /**
   * The records of the antigen of a slot (`antigenSlotsOf` of the rule set), in date order
   * (§4.2 step 3); `undefined` when the patient has none.
   */
  readonly bySlot: readonly (readonly AntigenDose[] | undefined)[];
  /** Antigen → its records in date order (the same lists as `bySlot`, keyed by name). */
  readonly byAntigen: ReadonlyMap<string, readonly AntigenDose[]>;
  /** Doses that count for no antigen, each with the reason. */
  readonly unused: readonly UnusedDose[];
}

/**
 * {@link OrganizedHistory}: the engine reads the records by slot; the map by name is built only
 * when asked for.
 */
class Organized implements OrganizedHistory {
  private named: ReadonlyMap<string, readonly AntigenDose[]> | undefined = undefined;

  constructor(
    private readonly slots: ReadonlyMap<string, number>,
    readonly bySlot: readonly (AntigenDose[] | undefined)[],
    readonly unused: readonly UnusedDose[],
  ) {}

  get byAntigen(): ReadonlyMap<string, readonly AntigenDose[]> {
    if (this.named === undefined) {
      const named = new Map<string, readonly AntigenDose[]>();
      for (const [antigen, slot] of this.slots) {
        const records = this.bySlot[slot];
        if (records !== undefined) {
          named.set(antigen, records);
        }
      }
      this.named = named;
    }
    return this.named;
  }
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
  const slots = antigenSlotsOf(pc.ruleSet);
  // One entry per antigen slot, made for the antigens the patient has records of.
  const bySlot = new Array<AntigenDose[] | undefined>(slots.size);
  const unused: UnusedDose[] = [];
  for (const patientDose of pc.doses) {
    // The rule set's vaccine type, looked up when the context was built.
    const vaccineType = patientDose.vaccineType;
    if (vaccineType === undefined) {
      unused.push({
        doseId: patientDose.id,
        reason: reason('unknown-vaccine', { cvx: patientDose.dose.cvx }),
      });
      continue;
    }
    let used = false;
    const associations = vaccineType.associations;
    for (let i = 0; i < associations.length; i++) {
      const association = associations[i] as CvxAntigenAssociation;
      const begin = association.associationBeginAge;
      const end = association.associationEndAge;
      if (begin !== undefined && patientDose.date.isBefore(pc.ageDate(begin))) {
        continue;
      }
      if (end !== undefined && patientDose.date.isOnOrAfter(pc.ageDate(end))) {
        continue;
      }
      used = true;
      const slot = patientDose.antigenSlots[i] as number;
      const record: AntigenDose = { patientDose, antigen: association.antigen };
      const records = bySlot[slot];
      if (records === undefined) {
        bySlot[slot] = [record];
      } else {
        records.push(record);
      }
    }
    if (!used) {
      unused.push({
        doseId: patientDose.id,
        reason: reason('no-antigen-at-age', { cvx: patientDose.dose.cvx }),
      });
    }
  }
  return new Organized(slots, bySlot, unused);
}
