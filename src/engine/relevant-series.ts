/**
 * §5 Create relevant patient series: which antigen series of the supporting data apply to the
 * patient (gender, series type, indications).
 */
import type { Gender } from './model';
import type { PatientContext } from './patient-context';
import type { AntigenSeries, Indication, RequiredGender } from './rule-set';

const REQUIRED_GENDER_OF: Readonly<Record<Gender, RequiredGender>> = {
  female: 'Female',
  male: 'Male',
  unknown: 'Unknown',
};

/**
 * Table 5-4: an indication applies when it describes an active patient observation and the
 * indication begin age date ≤ assessment date < indication end age date (CALCDTIND-1/2; empty
 * ages assume 1900-01-01 and 2999-12-31).
 *
 * @param pc - The call context.
 * @param indication - An indication of a risk series.
 */
export function indicationApplies(pc: PatientContext, indication: Indication): boolean {
  if (!pc.observations.has(indication.observationCode)) {
    return false;
  }
  const { beginAge, endAge } = indication;
  if (beginAge !== undefined && pc.assessmentDate.isBefore(pc.ageDate(beginAge))) {
    return false;
  }
  return endAge === undefined || pc.assessmentDate.isBefore(pc.ageDate(endAge));
}

/**
 * Table 5-5: is an antigen series a relevant patient series for the patient?
 * - the patient's gender must be one of the required genders (none listed: any gender,
 *   table 5-2 "assumed value if empty");
 * - 'Standard' and 'Evaluation Only' series are then relevant;
 * - a 'Risk' series is relevant only if at least one of its indications applies (table 5-4).
 *
 * @param pc - The call context.
 * @param series - The antigen series.
 */
export function isRelevantSeries(pc: PatientContext, series: AntigenSeries): boolean {
  if (
    series.requiredGenders.length > 0 &&
    !series.requiredGenders.includes(REQUIRED_GENDER_OF[pc.gender])
  ) {
    return false;
  }
  if (series.seriesType !== 'Risk') {
    return true;
  }
  return series.indications.some((i) => indicationApplies(pc, i));
}

/**
 * §5.1 Select relevant patient series for one antigen.
 *
 * @param pc - The call context.
 * @param series - The antigen series of the antigen, in supporting-data order.
 * @returns The relevant ones, in the same order.
 */
export function selectRelevantSeries(
  pc: PatientContext,
  series: readonly AntigenSeries[],
): readonly AntigenSeries[] {
  return series.filter((s) => isRelevantSeries(pc, s));
}
