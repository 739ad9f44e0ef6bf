/**
 * §7.5 Generate forecast dates and recommended vaccines (table 7-13), with the candidate
 * earliest date of §7.4 (FORECASTDTCAN-1).
 */
import {
  addDuration,
  addDurationDayNumber,
  type CalendarDate,
  type Duration,
} from '../../calendar';
import { intervalReferenceDate, type SeriesPosition } from '../interval-reference';
import type { PatientContext } from '../patient-context';
import type { PatientSeries, SeriesForecast, TargetDose } from '../patient-series';
import type { AgeRule, SeriesDose } from '../rule-set';
import { firstInEffect, inEffect, isInEffect } from '../select-supporting-data';

/** The patient series position at forecast time: every evaluation and dose so far is previous. */
export function forecastPosition(pc: PatientContext, ps: PatientSeries): SeriesPosition {
  let historyLimit = pc.doses.length;
  while (historyLimit > 0 && pc.doses[historyLimit - 1]?.date.isAfter(pc.assessmentDate) === true) {
    historyLimit -= 1;
  }
  return {
    evaluations: ps.evaluations,
    evaluatedCount: ps.evaluations.length,
    targetDoses: ps.targetDoses,
    historyLimit,
  };
}

/**
 * The age component used to forecast a target dose: the one in effect on the assessment date
 * (RELEVANT-2).
 *
 * @param pc - The call context.
 * @param seriesDose - The series dose to forecast.
 */
export function forecastAge(pc: PatientContext, seriesDose: SeriesDose): AgeRule | undefined {
  return firstInEffect(seriesDose.ages, pc.assessmentDate);
}

/**
 * CALCDTAGE-1: the maximum age date of the target dose to forecast, if it has a maximum age.
 *
 * @param pc - The call context.
 * @param seriesDose - The series dose to forecast.
 */
export function maximumAgeDate(
  pc: PatientContext,
  seriesDose: SeriesDose,
): CalendarDate | undefined {
  const maxAge = forecastAge(pc, seriesDose)?.maxAge;
  return maxAge === undefined ? undefined : pc.ageDate(maxAge);
}

function latest(
  a: CalendarDate | undefined,
  b: CalendarDate | undefined,
): CalendarDate | undefined {
  if (a === undefined) {
    return b;
  }
  return b === undefined || a.isOnOrAfter(b) ? a : b;
}

/**
 * For each series dose, the conflict end intervals of its preferable vaccine types, by
 * conflicting ("previous") vaccine type. Derived from the rule set once per series dose.
 */
const conflictEndsByDose = new WeakMap<SeriesDose, ReadonlyMap<string, readonly Duration[]>>();

function conflictEndIntervals(
  pc: PatientContext,
  seriesDose: SeriesDose,
): ReadonlyMap<string, readonly Duration[]> {
  let byPrevious = conflictEndsByDose.get(seriesDose);
  if (byPrevious === undefined) {
    const map = new Map<string, Duration[]>();
    const seen = new Set<string>();
    for (const vaccine of seriesDose.preferableVaccines) {
      if (seen.has(vaccine.cvx)) {
        continue;
      }
      seen.add(vaccine.cvx);
      for (const conflict of pc.ruleSet.liveVirusConflictsByCurrent.get(vaccine.cvx) ?? []) {
        const list = map.get(conflict.previousCvx);
        if (list === undefined) {
          map.set(conflict.previousCvx, [conflict.conflictEndInterval]);
        } else {
          list.push(conflict.conflictEndInterval);
        }
      }
    }
    byPrevious = map;
    conflictEndsByDose.set(seriesDose, byPrevious);
  }
  return byPrevious;
}

/**
 * CALCDTCONFLICT-3: the latest forecast conflict end date — for each vaccine type a preferable
 * vaccine of the target dose is classified by, every earlier dose of a conflicting type ends
 * its conflict at its date plus the conflict end interval.
 */
function latestConflictEndDate(
  pc: PatientContext,
  seriesDose: SeriesDose,
  position: SeriesPosition,
): CalendarDate | undefined {
  if (position.historyLimit === 0 || pc.conflictingDoses.length === 0) {
    return undefined;
  }
  const byPrevious = conflictEndIntervals(pc, seriesDose);
  if (byPrevious.size === 0) {
    return undefined;
  }
  // Compared as day numbers; only the latest end date is built.
  let latestDay = -Infinity;
  let latestFrom: CalendarDate | undefined;
  let latestInterval: Duration | undefined;
  // Only doses of a conflicting type can end a conflict (the others have no entry in
  // `byPrevious`); they are in date order, so the previous ones come first.
  for (const dose of pc.conflictingDoses) {
    if (dose.index >= position.historyLimit) {
      break;
    }
    const intervals = byPrevious.get(dose.cvx);
    if (intervals === undefined) {
      continue;
    }
    for (const interval of intervals) {
      const end = addDurationDayNumber(dose.date, interval);
      if (end > latestDay) {
        latestDay = end;
        latestFrom = dose.date;
        latestInterval = interval;
      }
    }
  }
  return latestFrom === undefined || latestInterval === undefined
    ? undefined
    : addDuration(latestFrom, latestInterval);
}

/**
 * FORECASTDTCAN-1: the candidate earliest date — the latest of the minimum age date, every
 * minimum interval date, every forecast conflict end date, the seasonal recommendation start
 * date, the latest inadvertent administration in the series and the most recent dose evaluated
 * in the series. With none of these there is no candidate earliest date (`undefined`; table 7-9
 * then assumes 2999-12-31, so the target dose cannot be forecast).
 *
 * @param pc - The call context.
 * @param ps - The patient series.
 * @param target - The target dose to forecast.
 * @param position - The forecast position in the series (computed when not given).
 * @param age - The age component of the target dose in effect (computed when not given).
 */
export function candidateEarliestDate(
  pc: PatientContext,
  ps: PatientSeries,
  target: TargetDose,
  position: SeriesPosition = forecastPosition(pc, ps),
  age: AgeRule | undefined = forecastAge(pc, target.seriesDose),
): CalendarDate | undefined {
  const seriesDose = target.seriesDose;
  let earliest: CalendarDate | undefined;
  const minAge = age?.minAge;
  if (minAge !== undefined) {
    earliest = pc.ageDate(minAge);
  }
  for (const interval of seriesDose.intervals) {
    if (!isInEffect(interval, pc.assessmentDate)) {
      continue;
    }
    const reference = intervalReferenceDate(pc, interval.from, position);
    if (reference !== undefined && interval.minInt !== undefined) {
      earliest = latest(earliest, addDuration(reference, interval.minInt));
    }
  }
  earliest = latest(earliest, latestConflictEndDate(pc, seriesDose, position));
  earliest = latest(earliest, seriesDose.seasonalRecommendation?.startDate);
  for (const e of ps.evaluations) {
    if (e.targetDose !== undefined || e.inadvertent) {
      earliest = latest(earliest, e.antigenDose.patientDose.date);
    }
  }
  return earliest;
}

/** begin ≤ date < end, an absent bound being no bound. */
function inRange(
  date: CalendarDate,
  begin: CalendarDate | undefined,
  end: CalendarDate | undefined,
): boolean {
  return (
    (begin === undefined || date.isOnOrAfter(begin)) && (end === undefined || date.isBefore(end))
  );
}

/**
 * FORECASTDN-1: the number of satisfied target doses plus one; a satisfied target dose of a
 * seasonal series dose counts only when its dose was given on or after the season start.
 */
function forecastDoseNumber(ps: PatientSeries): number {
  let n = 0;
  for (const t of ps.targetDoses) {
    if (t.status !== 'Satisfied') {
      continue;
    }
    const start = t.seriesDose.seasonalRecommendation?.startDate;
    const date = t.satisfiedBy?.antigenDose.patientDose.date;
    if (start === undefined || (date !== undefined && date.isOnOrAfter(start))) {
      n += 1;
    }
  }
  return n + 1;
}

/**
 * §7.5: the forecast of a target dose.
 * - FORECASTDT-1 earliest date = candidate earliest date;
 * - FORECASTDT-2 unadjusted recommended date = earliest recommended age date, else the latest
 *   earliest recommended interval date, else the earliest date;
 * - FORECASTDT-3 unadjusted past due date = latest recommended age date − 1 day, else the latest
 *   latest recommended interval date − 1 day, else none;
 * - FORECASTDT-4 latest date = maximum age date − 1 day;
 * - FORECASTDT-5/6 adjusted dates are never before the earliest date;
 * - FORECASTRECVAC-1 recommended vaccines: preferable, forecast vaccine type 'Y', not
 *   contraindicated, in their age range on the earliest or the recommended date;
 * - FORECASTPRIORITY-1: every preferable interval (at least one) has the priority flag.
 *
 * @param pc - The call context.
 * @param ps - The patient series.
 * @param target - The target dose to forecast.
 * @param earliestDate - Its candidate earliest date.
 * @param contraindicated - Vaccine types with a vaccine contraindication (table 7-6).
 * @param position - The forecast position in the series (computed when not given).
 * @param age - The age component of the target dose in effect (computed when not given).
 */
export function generateForecast(
  pc: PatientContext,
  ps: PatientSeries,
  target: TargetDose,
  earliestDate: CalendarDate,
  contraindicated: ReadonlySet<string>,
  position: SeriesPosition = forecastPosition(pc, ps),
  age: AgeRule | undefined = forecastAge(pc, target.seriesDose),
): SeriesForecast {
  const seriesDose = target.seriesDose;
  const intervals = inEffect(seriesDose.intervals, pc.assessmentDate);

  let earliestRecInterval: CalendarDate | undefined;
  let latestRecInterval: CalendarDate | undefined;
  for (const interval of intervals) {
    const reference = intervalReferenceDate(pc, interval.from, position);
    if (reference === undefined) {
      continue;
    }
    if (interval.earliestRecInt !== undefined) {
      earliestRecInterval = latest(
        earliestRecInterval,
        addDuration(reference, interval.earliestRecInt),
      );
    }
    if (interval.latestRecInt !== undefined) {
      latestRecInterval = latest(latestRecInterval, addDuration(reference, interval.latestRecInt));
    }
  }

  const unadjustedRecommendedDate =
    age?.earliestRecAge !== undefined
      ? pc.ageDate(age.earliestRecAge)
      : (earliestRecInterval ?? earliestDate);
  const unadjustedPastDueDate =
    age?.latestRecAge !== undefined
      ? pc.ageDate(age.latestRecAge).addDays(-1)
      : latestRecInterval?.addDays(-1);
  const latestDate = age?.maxAge === undefined ? undefined : pc.ageDate(age.maxAge).addDays(-1);
  const recommendedDate = latest(earliestDate, unadjustedRecommendedDate) ?? earliestDate;
  const pastDueDate =
    unadjustedPastDueDate === undefined ? undefined : latest(earliestDate, unadjustedPastDueDate);

  const recommendedVaccines: string[] = [];
  for (const v of seriesDose.preferableVaccines) {
    if (
      !v.forecastVaccineType ||
      contraindicated.has(v.cvx) ||
      recommendedVaccines.includes(v.cvx)
    ) {
      continue;
    }
    const begin = v.beginAge === undefined ? undefined : pc.ageDate(v.beginAge);
    const end = v.endAge === undefined ? undefined : pc.ageDate(v.endAge);
    if (inRange(earliestDate, begin, end) || inRange(recommendedDate, begin, end)) {
      recommendedVaccines.push(v.cvx);
    }
  }

  return {
    targetDose: target,
    doseNumber: forecastDoseNumber(ps),
    earliestDate,
    unadjustedRecommendedDate,
    recommendedDate,
    unadjustedPastDueDate,
    pastDueDate,
    latestDate,
    recommendedVaccines,
    priority: intervals.length > 0 && intervals.every((i) => i.priority),
  };
}
