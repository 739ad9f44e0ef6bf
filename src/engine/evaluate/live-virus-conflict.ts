/**
 * §6.7 Evaluate vaccine conflict (table 6-24: CALCDTCONFLICT-1, CALCDTCONFLICT-2, CONFLICT-3).
 */
import { addDuration, type CalendarDate } from '../../calendar';
import type { EvaluationStatus } from '../model';
import type { PatientContext, PatientDose } from '../patient-context';

/** The previous dose that makes the current one an impacted dose, and when its conflict ends. */
export interface ConflictHit {
  readonly previous: PatientDose;
  /** CALCDTCONFLICT-2: the conflict end interval date (the first day without the conflict). */
  readonly endDate: CalendarDate;
}

/**
 * CONFLICT-3: is the current dose an impacted vaccine dose administered? It is when, for some
 * previous dose of a conflicting vaccine type (the supporting data's "previous"), its date is on
 * or after the conflict begin interval date (CALCDTCONFLICT-1) and before the conflict end
 * interval date (CALCDTCONFLICT-2). The end uses the minimum conflict end interval when the
 * previous dose is 'Valid' or has no evaluation status, and the conflict end interval otherwise.
 *
 * Previous doses are searched in the whole history (an MMR affects a later Varicella dose).
 * Only doses administered on an earlier day are "previous": every conflict begins at least one
 * day after the conflicting dose.
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
  const conflicts = pc.ruleSet.liveVirusConflictsByCurrent.get(current.cvx);
  if (conflicts === undefined) {
    return undefined;
  }
  for (let i = current.index - 1; i >= 0; i--) {
    const previous = pc.doses[i];
    if (previous === undefined || !previous.date.isBefore(current.date)) {
      continue;
    }
    for (const conflict of conflicts) {
      if (conflict.previousCvx !== previous.cvx) {
        continue;
      }
      const begin = addDuration(previous.date, conflict.conflictBeginInterval);
      const status = statusOf(i);
      const end = addDuration(
        previous.date,
        status === undefined || status === 'Valid'
          ? conflict.minConflictEndInterval
          : conflict.conflictEndInterval,
      );
      if (current.date.isOnOrAfter(begin) && current.date.isBefore(end)) {
        return { previous, endDate: end };
      }
    }
  }
  return undefined;
}
