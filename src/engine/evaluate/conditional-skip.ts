/**
 * §6.2 Evaluate conditional skip (tables 6-6 to 6-11). The same logic serves evaluation (§6.2),
 * forecasting (§7.1) and validating a recommendation (§7.6); only the context and the
 * conditional skip reference date (CONDSKIP-2) differ.
 */
import { addDurationDayNumber, type CalendarDate } from '../../calendar';
import { previousReferenceDose, type SeriesPosition } from '../interval-reference';
import type { PatientContext } from '../patient-context';
import type { SeriesEnvironment } from './evaluate-series';
import type { ConditionalSkip, SeriesDose, SkipCondition, SkipSet } from '../rule-set';
import { windowContains } from '../select-supporting-data';

/** Why conditional skip is evaluated: only instances with this context or 'Both' are used. */
export type SkipPurpose = 'Evaluation' | 'Forecast';

/** What a conditional skip needs to know besides the series dose. */
export interface SkipQuery {
  readonly purpose: SkipPurpose;
  /**
   * CONDSKIP-2: the date administered when evaluating a dose, the assessment date when
   * forecasting, the earliest date when validating a forecast.
   */
  readonly referenceDate: CalendarDate;
  /**
   * The anchor for the sets' effective and cessation dates: the date administered in
   * evaluation (RELEVANT-1), the assessment date in forecasting (RELEVANT-2).
   */
  readonly selectionDate: CalendarDate;
  /** The position in the series: which doses are "previous" and already evaluated. */
  readonly position: SeriesPosition;
  /**
   * The other series of the antigen, for table 6-7 (whether a series group has a relevant
   * patient series that is 'Complete' with the doses administered before a date).
   */
  readonly env: SeriesEnvironment;
}

/**
 * Table 6-11: can the target dose be skipped? Every conditional skip of the series dose whose
 * context matches is examined; the target dose is skipped when one of them is met.
 *
 * @param pc - The call context.
 * @param seriesDose - The series dose tracked by the target dose.
 * @param query - Context, reference date and series position.
 * @returns The set that was met (for the reason), or `undefined` when the dose cannot be skipped.
 */
export function findConditionalSkip(
  pc: PatientContext,
  seriesDose: SeriesDose,
  query: SkipQuery,
): SkipSet | undefined {
  // Indexed loops here and below: about 60 calls per patient, each a few property reads.
  const skips = seriesDose.conditionalSkips;
  for (let i = 0; i < skips.length; i++) {
    const skip = skips[i] as ConditionalSkip;
    if (skip.context !== 'Both' && skip.context !== query.purpose) {
      continue;
    }
    const met = metSet(pc, skip, query);
    if (met !== undefined) {
      return met;
    }
  }
  return undefined;
}

/** Table 6-11 for one conditional skip: set logic AND needs every set met, OR needs one. */
function metSet(pc: PatientContext, skip: ConditionalSkip, query: SkipQuery): SkipSet | undefined {
  let first: SkipSet | undefined;
  const sets = skip.sets;
  for (let i = 0; i < sets.length; i++) {
    const set = sets[i] as SkipSet;
    // RELEVANT-1/2, the dates read here where they are always a skip set's (see windowContains).
    if (!windowContains(set.effectiveDate, set.cessationDate, query.selectionDate)) {
      continue;
    }
    if (isSetMet(pc, set, query)) {
      first ??= set;
      if (skip.setLogic === 'OR') {
        return set;
      }
    } else if (skip.setLogic === 'AND') {
      return undefined;
    }
  }
  return first;
}

/** Table 6-10: condition logic AND needs every condition met, OR needs one. */
function isSetMet(pc: PatientContext, set: SkipSet, query: SkipQuery): boolean {
  if (set.conditions.length === 0) {
    return false;
  }
  // Plain loops (no closure per call): conditions are checked for many doses of many series.
  const any = set.conditionLogic === 'OR';
  const conditions = set.conditions;
  for (let i = 0; i < conditions.length; i++) {
    if (isConditionMet(pc, conditions[i] as SkipCondition, query) === any) {
      return any;
    }
  }
  return !any;
}

/**
 * Tables 6-6 to 6-9: is one condition met?
 *
 * @param pc - The call context.
 * @param condition - The condition.
 * @param query - Context, reference date and series position.
 */
export function isConditionMet(
  pc: PatientContext,
  condition: SkipCondition,
  query: SkipQuery,
): boolean {
  const ref = query.referenceDate;
  switch (condition.type) {
    case 'Age': {
      // Table 6-6: end age date > reference date ≥ begin age date (CALCDTSKIP-3/4).
      const { beginAge, endAge } = condition;
      return (
        (beginAge === undefined || ref.isOnOrAfter(pc.ageDate(beginAge))) &&
        (endAge === undefined || ref.isBefore(pc.ageDate(endAge)))
      );
    }
    case 'Completed Series':
      // Table 6-7, judged at the reference date: when evaluating a dose, a series completed only
      // by later doses does not make it skippable.
      return condition.seriesGroups.some((g) => query.env.isSeriesGroupComplete(g, ref));
    case 'Interval': {
      // Table 6-8 with CALCDTSKIP-5: reference date ≥ previous dose date + interval.
      const previous = previousReferenceDose(query.position);
      if (previous === undefined || condition.interval === undefined) {
        return false;
      }
      return (
        ref.dayNumber >=
        addDurationDayNumber(previous.antigenDose.patientDose.date, condition.interval)
      );
    }
    case 'Vaccine Count by Age':
    case 'Vaccine Count by Date':
      return (
        decidedBeforeCounting(condition, query.position.evaluatedCount) ??
        isCountMet(condition, countConditionalDoses(pc, condition, query))
      );
  }
}

/**
 * CONDSKIP-1: the number of conditional doses administered — previous doses of the series (those
 * already evaluated at this position) that are of one of the conditional skip vaccine types (any
 * type of the antigen when none is listed), administered on or after the begin age date and
 * before the end age date, on or after the start date and before the end date, and 'Valid' when
 * the dose type is 'Valid'.
 */
function countConditionalDoses(
  pc: PatientContext,
  condition: SkipCondition,
  query: SkipQuery,
): number {
  const { position } = query;
  // The window as day numbers, an absent bound being no bound: begin ≤ date < end for both the
  // age window (CALCDTSKIP-1/2) and the date window; then the cheap checks before the set lookup.
  let from = -Infinity;
  let to = Infinity;
  if (condition.beginAge !== undefined) {
    from = pc.ageDate(condition.beginAge).dayNumber;
  }
  if (condition.endAge !== undefined) {
    to = pc.ageDate(condition.endAge).dayNumber;
  }
  if (condition.startDate !== undefined) {
    from = Math.max(from, condition.startDate.dayNumber);
  }
  if (condition.endDate !== undefined) {
    to = Math.min(to, condition.endDate.dayNumber);
  }
  const validOnly = condition.doseType !== 'Total';
  const types = condition.vaccineTypes;
  let count = 0;
  for (let i = 0; i < position.evaluatedCount; i++) {
    const e = position.evaluations[i];
    if (e === undefined || (validOnly && e.status !== 'Valid')) {
      continue;
    }
    const dose = e.antigenDose.patientDose;
    const day = dose.date.dayNumber;
    if (day >= from && day < to && (types === undefined || types.has(dose.cvx))) {
      count += 1;
    }
  }
  return count;
}

/**
 * Table 6-9 decided without counting, when the number of previous doses (`most`, a bound of the
 * CONDSKIP-1 count) already settles it: "greater than n" cannot hold with n or fewer previous
 * doses, nor "equal to n" with fewer than n; "less than n" always holds with fewer than n.
 *
 * @returns The outcome, or `undefined` when the doses must be counted.
 */
function decidedBeforeCounting(condition: SkipCondition, most: number): boolean | undefined {
  const wanted = condition.doseCount ?? 0;
  switch (condition.doseCountLogic) {
    case 'greater than':
      return most <= wanted ? false : undefined;
    case 'equal to':
      return most < wanted ? false : undefined;
    case 'less than':
      return most < wanted ? true : undefined;
  }
}

/** Table 6-9. */
function isCountMet(condition: SkipCondition, count: number): boolean {
  const wanted = condition.doseCount ?? 0;
  switch (condition.doseCountLogic) {
    case 'greater than':
      return count > wanted;
    case 'equal to':
      return count === wanted;
    case 'less than':
      return count < wanted;
  }
}
