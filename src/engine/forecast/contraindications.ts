/**
 * §7.3 Determine contraindications (tables 7-5, 7-6, 7-7).
 */
import type { CalendarDate, Duration } from '../../calendar';
import type { PatientContext } from '../patient-context';
import type { AntigenRules, SeriesDose } from '../rule-set';

/** CALCDTCI-1/2: contraindication begin age date ≤ assessment date < end age date. */
function inAgeRange(pc: PatientContext, beginAge?: Duration, endAge?: Duration): boolean {
  const date: CalendarDate = pc.assessmentDate;
  return (
    (beginAge === undefined || date.isOnOrAfter(pc.ageDate(beginAge))) &&
    (endAge === undefined || date.isBefore(pc.ageDate(endAge)))
  );
}

/**
 * Table 7-5: does an antigen contraindication apply? It does when it describes an active patient
 * observation and the assessment date is within its age range. (Adverse reactions reach the
 * engine as coded observations, so they are covered by the same test.)
 *
 * @param pc - The call context.
 * @param antigen - The antigen's rules.
 */
export function hasAntigenContraindication(pc: PatientContext, antigen: AntigenRules): boolean {
  return (
    pc.observations.size > 0 &&
    antigen.antigenContraindications.length > 0 &&
    antigen.antigenContraindications.some(
      (c) => pc.observations.has(c.observationCode) && inAgeRange(pc, c.beginAge, c.endAge),
    )
  );
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Table 7-6: the vaccine types (canonical CVX) made unusable by a vaccine contraindication that
 * applies to the patient (active observation, assessment date within the contraindicated
 * vaccine's age range).
 *
 * @param pc - The call context.
 * @param antigen - The antigen's rules.
 */
export function contraindicatedVaccines(
  pc: PatientContext,
  antigen: AntigenRules,
): ReadonlySet<string> {
  if (pc.observations.size === 0 || antigen.vaccineContraindications.length === 0) {
    return NONE;
  }
  const cvx = new Set<string>();
  for (const c of antigen.vaccineContraindications) {
    if (!pc.observations.has(c.observationCode)) {
      continue;
    }
    for (const v of c.vaccines) {
      if (inAgeRange(pc, v.beginAge, v.endAge)) {
        cvx.add(v.cvx);
      }
    }
  }
  return cvx;
}

/**
 * Table 7-7: is the relevant patient series a contraindicated patient series? Yes when an antigen
 * contraindication applies, or when every preferable vaccine of the target dose to forecast has
 * a vaccine contraindication that applies.
 *
 * @param pc - The call context.
 * @param antigen - The antigen's rules.
 * @param seriesDose - The series dose of the target dose to forecast, if any.
 * @param contraindicated - The result of {@link contraindicatedVaccines}.
 */
export function isContraindicatedSeries(
  pc: PatientContext,
  antigen: AntigenRules,
  seriesDose: SeriesDose | undefined,
  contraindicated: ReadonlySet<string>,
): boolean {
  if (hasAntigenContraindication(pc, antigen)) {
    return true;
  }
  if (seriesDose === undefined || contraindicated.size === 0) {
    return false;
  }
  const preferable = seriesDose.preferableVaccines;
  return preferable.length > 0 && preferable.every((v) => contraindicated.has(v.cvx));
}
