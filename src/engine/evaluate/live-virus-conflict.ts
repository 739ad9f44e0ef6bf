/**
 * §6.7 Evaluate vaccine conflict (table 6-24: CALCDTCONFLICT-1, CALCDTCONFLICT-2, CONFLICT-3).
 */
import {
  addDuration,
  addDurationDayNumber,
  type CalendarDate,
  type Duration,
} from '../../calendar';
import type { EvaluationStatus } from '../model';
import type { PatientContext, PatientDose } from '../patient-context';
import type { LiveVirusConflict } from '../rule-set';

/** The previous dose that makes the current one an impacted dose, and when its conflict ends. */
export interface ConflictHit {
  readonly previous: PatientDose;
  /** CALCDTCONFLICT-2: the conflict end interval date (the first day without the conflict). */
  readonly endDate: CalendarDate;
}

/**
 * The conflicts of one impacted ("current") vaccine type, indexed for the search below: by
 * conflicting ("previous") vaccine type in supporting-data order, and the most days any of them
 * can reach past the previous dose.
 */
interface ConflictIndex {
  readonly byPrevious: ReadonlyMap<string, readonly LiveVirusConflict[]>;
  /**
   * An upper bound of the days from a previous dose to its conflict end date (both end
   * intervals), when every end interval is in weeks and days only (the CDC tables: 24 to 30
   * days); `Infinity` when some interval has months or years (no simple bound, no cut-off).
   */
  readonly reachDays: number;
}

/**
 * {@link ConflictIndex} per conflict list. Keyed by the list object, which belongs to one
 * compiled rule set (`liveVirusConflictsByCurrent`), so two rule sets never share an entry.
 */
const conflictIndexes = new WeakMap<readonly LiveVirusConflict[], ConflictIndex>();

function daysOnly(d: Duration): number {
  return d.years === 0 && d.months === 0 ? d.weeks * 7 + d.days : Infinity;
}

function conflictIndex(conflicts: readonly LiveVirusConflict[]): ConflictIndex {
  let index = conflictIndexes.get(conflicts);
  if (index === undefined) {
    const byPrevious = new Map<string, LiveVirusConflict[]>();
    let reachDays = 0;
    for (const conflict of conflicts) {
      const list = byPrevious.get(conflict.previousCvx);
      if (list === undefined) {
        byPrevious.set(conflict.previousCvx, [conflict]);
      } else {
        list.push(conflict);
      }
      reachDays = Math.max(
        reachDays,
        daysOnly(conflict.minConflictEndInterval),
        daysOnly(conflict.conflictEndInterval),
      );
    }
    index = { byPrevious, reachDays };
    conflictIndexes.set(conflicts, index);
  }
  return index;
}

/**
 * CONFLICT-3: is the current dose an impacted vaccine dose administered? It is when, for some
 * previous dose of a conflicting vaccine type (the supporting data's "previous"), its date is on
 * or after the conflict begin interval date (CALCDTCONFLICT-1) and before the conflict end
 * interval date (CALCDTCONFLICT-2). The end uses the minimum conflict end interval when the
 * previous dose is 'Valid' or has no evaluation status, and the conflict end interval otherwise.
 *
 * Previous doses are searched in the whole history (an MMR affects a later Varicella dose),
 * latest first. Only doses administered on an earlier day are "previous": every conflict begins
 * at least one day after the conflicting dose. The search stops at the first previous dose too
 * old for any conflict end date to reach the current dose (doses are in date order).
 *
 * @param pc - The call context.
 * @param current - The dose being evaluated.
 * @param statusOf - The evaluation status of a previous dose in the series being evaluated
 *   (by history index), or `undefined` when it has none there.
 * @returns The conflicting previous dose and the conflict end date, or `undefined` when the dose
 *   is not impacted.
 */
export function findImpactingConflict(
  pc: PatientContext,
  current: PatientDose,
  statusOf: (historyIndex: number) => EvaluationStatus | undefined,
): ConflictHit | undefined {
  // Only a previous dose of a conflicting type can impact this one (those are
  // `pc.conflictingDoses`, in date order): most doses have none before them, no lookup needed.
  const firstConflicting = pc.conflictingDoses[0];
  if (firstConflicting === undefined || firstConflicting.index >= current.index) {
    return undefined;
  }
  // `liveVirusConflictsByCurrent` of its type, looked up when the context was built.
  const conflicts = current.conflictsAsCurrent;
  if (conflicts === undefined) {
    return undefined;
  }
  const { byPrevious, reachDays } = conflictIndex(conflicts);
  const currentDay = current.date.dayNumber;
  for (let i = current.index - 1; i >= 0; i--) {
    const previous = pc.doses[i];
    if (previous === undefined || previous.date.dayNumber >= currentDay) {
      continue;
    }
    if (currentDay - previous.date.dayNumber >= reachDays) {
      // Every conflict end date of this dose, and of every earlier one, is on or before the
      // current date: none can contain it.
      return undefined;
    }
    const candidates = byPrevious.get(previous.cvx);
    if (candidates === undefined) {
      continue;
    }
    for (const conflict of candidates) {
      // CALCDTCONFLICT-1 as a day number (no date is kept unless the dose is impacted).
      if (currentDay < addDurationDayNumber(previous.date, conflict.conflictBeginInterval)) {
        continue;
      }
      const status = statusOf(i);
      const endInterval =
        status === undefined || status === 'Valid'
          ? conflict.minConflictEndInterval
          : conflict.conflictEndInterval;
      if (currentDay < addDurationDayNumber(previous.date, endInterval)) {
        return { previous, endDate: addDuration(previous.date, endInterval) };
      }
    }
  }
  return undefined;
}
