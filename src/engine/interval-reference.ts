/**
 * Reference dates of intervals (CALCDTINT-1, -2, -8, -9), shared by evaluation (§6.5, §6.6),
 * conditional skip (CALCDTSKIP-5) and forecasting (§7.5).
 */
import type { CalendarDate } from '../calendar';
import type { PatientContext, PatientDose } from './patient-context';
import type { DoseEvaluationState, TargetDose } from './patient-series';
import type { IntervalFrom } from './rule-set';

/** Where in a patient series an interval is measured: before a dose, or at the forecast. */
export interface SeriesPosition {
  /** The series' evaluations; only the first `evaluatedCount` are "previous". */
  readonly evaluations: readonly DoseEvaluationState[];
  readonly evaluatedCount: number;
  readonly targetDoses: readonly TargetDose[];
  /** Doses of the whole history with an index below this are "previous" (CALCDTINT-8). */
  readonly historyLimit: number;
}

/**
 * CALCDTINT-1: the immediate previous vaccine dose administered that counts as a reference —
 * evaluation status 'Valid' or 'Not Valid' and not an inadvertent administration (sub-standard
 * and extraneous doses are not interval references).
 *
 * @param position - The position in the series.
 */
export function previousReferenceDose(position: SeriesPosition): DoseEvaluationState | undefined {
  for (let i = position.evaluatedCount - 1; i >= 0; i--) {
    const e = position.evaluations[i];
    if (e !== undefined && (e.status === 'Valid' || e.status === 'Not Valid') && !e.inadvertent) {
      return e;
    }
  }
  return undefined;
}

/**
 * The reference date of an interval, or `undefined` when there is none (e.g. no previous dose,
 * or the "from" target dose was skipped): an interval without a reference date does not apply.
 *
 * @param pc - The call context.
 * @param from - What the interval is measured from.
 * @param position - The position in the series.
 */
export function intervalReferenceDate(
  pc: PatientContext,
  from: IntervalFrom,
  position: SeriesPosition,
): CalendarDate | undefined {
  if (from.kind === 'observation') {
    // CALCDTINT-9: the most recent active observation with the code.
    return pc.observations.get(from.observationCode)?.latestDate;
  }
  return intervalReferenceDose(pc, from, position)?.date;
}

/**
 * The dose an interval is measured from (CALCDTINT-1, -2, -8), or `undefined` when the interval
 * is measured from an observation (CALCDTINT-9) or has no reference dose.
 *
 * @param pc - The call context.
 * @param from - What the interval is measured from.
 * @param position - The position in the series.
 */
export function intervalReferenceDose(
  pc: PatientContext,
  from: IntervalFrom,
  position: SeriesPosition,
): PatientDose | undefined {
  switch (from.kind) {
    case 'previous':
      return previousReferenceDose(position)?.antigenDose.patientDose;
    case 'targetDose': {
      // CALCDTINT-2: the dose that satisfied target dose number `doseNumber`.
      const target = position.targetDoses[from.doseNumber - 1];
      return target?.status === 'Satisfied'
        ? target.satisfiedBy?.antigenDose.patientDose
        : undefined;
    }
    case 'mostRecent':
      return mostRecentOfTypes(pc, from.cvx, position);
    case 'observation':
      return undefined;
  }
}

/** Whether the series evaluated the dose at history index `index` as inadvertent (a plain loop: hot path). */
function isInadvertentIn(evaluations: readonly DoseEvaluationState[], index: number): boolean {
  for (const e of evaluations) {
    if (e.antigenDose.patientDose.index === index) {
      return e.inadvertent;
    }
  }
  return false;
}

/**
 * CALCDTINT-8: the most recent previous dose of one of the vaccine types, searched in the whole
 * history (Zoster measures from Varicella vaccines, Pertussis from Td), skipping doses this
 * series evaluated as inadvertent administrations.
 */
function mostRecentOfTypes(
  pc: PatientContext,
  cvx: ReadonlySet<string>,
  position: SeriesPosition,
): PatientDose | undefined {
  // The patient's doses of these types (date order), latest first; "previous" = history index
  // below the limit.
  const ofTypes = pc.dosesOfTypes(cvx);
  for (let k = ofTypes.length - 1; k >= 0; k--) {
    const dose = ofTypes[k];
    if (
      dose === undefined ||
      dose.index >= position.historyLimit ||
      isInadvertentIn(position.evaluations, dose.index)
    ) {
      continue;
    }
    return dose;
  }
  return undefined;
}
