/**
 * The numbers behind an evaluation reason (`Reason.details`), for a plain-words explanation of a
 * dose that did not count (see `explain-reason.ts`). The keys are listed in `reasons.ts`.
 *
 * Evaluation (§6.4–§6.9) only records which check failed; the details are worked out here
 * afterwards, and only for the evaluations that are shown in the result (chapter 9), so valid
 * doses and the many failed evaluations of series that are not selected cost nothing. Each
 * function repeats its check's own selection of supporting data (RELEVANT-1) on the final state
 * of the patient series, which for a dose is the state it was evaluated in: the earlier doses'
 * evaluations and the target doses they satisfied do not change once a later dose is evaluated.
 */
import { addDuration, type CalendarDate } from '../../calendar';
import type { Reason, ReasonDetails } from '../model';
import type { PatientContext, PatientDose } from '../patient-context';
import type { DoseEvaluationState, PatientSeries } from '../patient-series';
import { intervalReferenceDose, type SeriesPosition } from '../interval-reference';
import type { IntervalFrom, SeriesDose } from '../rule-set';
import { firstInEffect, inEffect } from '../select-supporting-data';
import { findImpactingConflict, type ConflictHit } from './live-virus-conflict';

/**
 * "Age: Too Young" (table 6-15, CALCDTAGE-5): the absolute minimum age as the table writes it,
 * the date it falls on, and how many days before it the dose was given.
 *
 * @param pc - The call context.
 * @param seriesDose - The series dose tracked by the target dose.
 * @param date - Date administered.
 */
export function tooYoungDetails(
  pc: PatientContext,
  seriesDose: SeriesDose,
  date: CalendarDate,
): ReasonDetails | undefined {
  const absMinAge = firstInEffect(seriesDose.ages, date)?.absMinAge;
  if (absMinAge === undefined) {
    return undefined;
  }
  const limit = pc.ageDate(absMinAge);
  return {
    minimumAge: absMinAge.text,
    minimumAgeDate: limit.toString(),
    daysEarly: String(date.daysUntil(limit)),
  };
}

/**
 * "Age: Too Old" (table 6-15, CALCDTAGE-1): the maximum age as the table writes it, the date it
 * falls on, and how many days after it the dose was given (0: on that very day).
 *
 * @param pc - The call context.
 * @param seriesDose - The series dose tracked by the target dose.
 * @param date - Date administered.
 */
export function tooOldDetails(
  pc: PatientContext,
  seriesDose: SeriesDose,
  date: CalendarDate,
): ReasonDetails | undefined {
  const maxAge = firstInEffect(seriesDose.ages, date)?.maxAge;
  if (maxAge === undefined) {
    return undefined;
  }
  const limit = pc.ageDate(maxAge);
  return {
    maximumAge: maxAge.text,
    maximumAgeDate: limit.toString(),
    daysLate: String(limit.daysUntil(date)),
  };
}

/** What an interval is measured from, in words (CALCDTINT-1, -2, -8, -9). */
function fromWords(pc: PatientContext, from: IntervalFrom, dose: PatientDose | undefined): string {
  switch (from.kind) {
    case 'previous':
      return 'the previous dose';
    case 'targetDose':
      return `dose ${String(from.doseNumber)} of the series`;
    case 'mostRecent':
      return `the most recent dose of CVX ${dose?.cvx ?? [...from.cvx].join(', ')}`;
    case 'observation': {
      const title = pc.ruleSet.observations.get(from.observationCode)?.title;
      // "Onset of pregnancy" → "the onset of pregnancy".
      return title === undefined
        ? `observation ${from.observationCode}`
        : `the ${title.charAt(0).toLowerCase()}${title.slice(1)}`;
    }
  }
}

/**
 * "Interval: too Soon" (table 6-18, CALCDTINT-3): the first preferable interval in effect whose
 * absolute minimum interval the dose did not reach — the interval as the table writes it, what
 * and which date it is measured from, the first date it allows, and how many days early the dose
 * was.
 *
 * @param pc - The call context.
 * @param seriesDose - The series dose tracked by the target dose.
 * @param date - Date administered.
 * @param position - The dose's position in its series.
 */
export function tooSoonDetails(
  pc: PatientContext,
  seriesDose: SeriesDose,
  date: CalendarDate,
  position: SeriesPosition,
): ReasonDetails | undefined {
  for (const interval of inEffect(seriesDose.intervals, date)) {
    if (interval.absMinInt === undefined) {
      continue;
    }
    const dose = intervalReferenceDose(pc, interval.from, position);
    const fromDate =
      interval.from.kind === 'observation'
        ? pc.observations.get(interval.from.observationCode)?.latestDate
        : dose?.date;
    if (fromDate === undefined) {
      continue;
    }
    const allowed = addDuration(fromDate, interval.absMinInt);
    if (!date.isBefore(allowed)) {
      continue;
    }
    const details: Record<string, string> = {
      interval: interval.absMinInt.text,
      from: fromWords(pc, interval.from, dose),
      fromDate: fromDate.toString(),
      allowedDate: allowed.toString(),
      daysEarly: String(date.daysUntil(allowed)),
    };
    if (dose !== undefined) {
      details.fromDoseId = dose.id;
    }
    return details;
  }
  return undefined;
}

/**
 * "Live Virus Conflict" (CONFLICT-3): the earlier live vaccine dose and the date its conflict
 * ends (CALCDTCONFLICT-2).
 *
 * @param hit - The conflict found by `findImpactingConflict`.
 */
export function conflictDetails(hit: ConflictHit): ReasonDetails {
  return {
    conflictingDoseId: hit.previous.id,
    conflictingCvx: hit.previous.dose.cvx,
    conflictingDoseDate: hit.previous.date.toString(),
    conflictEndDate: hit.endDate.toString(),
  };
}

/**
 * "Inadvertent Vaccine" (table 6-13) and "Not a preferable or allowable vaccine" (table 6-29):
 * the vaccine given (CVX as sent, and its short description when the rule set knows it).
 *
 * @param pc - The call context.
 * @param dose - The dose administered.
 */
export function vaccineDetails(pc: PatientContext, dose: PatientDose): ReasonDetails {
  const vaccine = pc.ruleSet.vaccineTypes.get(dose.cvx)?.shortDescription;
  return vaccine === undefined ? { cvx: dose.dose.cvx } : { cvx: dose.dose.cvx, vaccine };
}

/**
 * "Series Already Complete" (§4.4 step 6a): the series, and the date of the dose that completed
 * it (the latest dose that satisfied a target dose; absent when every target dose was skipped).
 *
 * @param ps - The patient series, with every target dose satisfied or skipped.
 */
export function seriesCompleteDetails(ps: PatientSeries): ReasonDetails {
  let completed: CalendarDate | undefined;
  for (const t of ps.targetDoses) {
    const date = t.satisfiedBy?.antigenDose.patientDose.date;
    if (date !== undefined && (completed === undefined || date.isAfter(completed))) {
      completed = date;
    }
  }
  return completed === undefined
    ? { series: ps.series.name }
    : { series: ps.series.name, completedDate: completed.toString() };
}

/** The position of an evaluation in its series, as `evaluateSeries` saw it (CALCDTINT-1, -8). */
function positionOf(ps: PatientSeries, e: DoseEvaluationState): SeriesPosition {
  return {
    evaluations: ps.evaluations,
    evaluatedCount: ps.evaluations.indexOf(e),
    targetDoses: ps.targetDoses,
    historyLimit: e.antigenDose.patientDose.index,
  };
}

/** CONFLICT-3 again for a dose, with the statuses of the series' earlier doses. */
function conflictOf(
  pc: PatientContext,
  ps: PatientSeries,
  e: DoseEvaluationState,
): ConflictHit | undefined {
  return findImpactingConflict(pc, e.antigenDose.patientDose, (historyIndex) => {
    for (const other of ps.evaluations) {
      if (other.antigenDose.patientDose.index === historyIndex) {
        return other.status;
      }
    }
    return undefined;
  });
}

function detailsFor(
  pc: PatientContext,
  ps: PatientSeries,
  e: DoseEvaluationState,
  code: string,
): ReasonDetails | undefined {
  const dose = e.antigenDose.patientDose;
  const seriesDose = e.targetDose?.seriesDose;
  switch (code) {
    case 'age-too-young':
      return seriesDose === undefined ? undefined : tooYoungDetails(pc, seriesDose, dose.date);
    case 'age-too-old':
      return seriesDose === undefined ? undefined : tooOldDetails(pc, seriesDose, dose.date);
    case 'interval-too-soon':
      return seriesDose === undefined
        ? undefined
        : tooSoonDetails(pc, seriesDose, dose.date, positionOf(ps, e));
    case 'live-virus-conflict': {
      const hit = conflictOf(pc, ps, e);
      return hit === undefined ? undefined : conflictDetails(hit);
    }
    case 'inadvertent-vaccine':
    case 'not-preferable-or-allowable':
      return vaccineDetails(pc, dose);
    case 'series-already-complete':
      return seriesCompleteDetails(ps);
    default:
      return undefined;
  }
}

/**
 * The reasons of an evaluation with the numbers behind them. A valid dose's reasons (grace
 * periods, allowable vaccine or interval) are returned as they are.
 *
 * @param pc - The call context.
 * @param ps - The patient series the evaluation belongs to.
 * @param e - One of `ps.evaluations`.
 * @returns The same array when nothing is added, otherwise a new one.
 */
export function reasonsWithDetails(
  pc: PatientContext,
  ps: PatientSeries,
  e: DoseEvaluationState,
): readonly Reason[] {
  const reasons = e.reasons;
  if (e.status === 'Valid' || reasons.length === 0) {
    return reasons;
  }
  let out: Reason[] | undefined;
  for (let i = 0; i < reasons.length; i++) {
    const r = reasons[i];
    const details = r === undefined ? undefined : detailsFor(pc, ps, e, r.code);
    if (r !== undefined && details !== undefined) {
      // Spread, not `slice`: reason lists are frozen, and V8 slices a frozen array ten times
      // slower than it copies it by iteration.
      out ??= [...reasons];
      out[i] = { code: r.code, text: r.text, rule: r.rule, details };
    }
  }
  return out ?? reasons;
}
