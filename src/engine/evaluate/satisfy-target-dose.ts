/**
 * §6.10 Satisfy target dose (table 6-31): combine the outcomes of §6.4 to §6.9.
 */
import type { EvaluationStatus, Reason } from '../model';
import { reason } from '../reasons';
import type { AgeOutcome } from './age';
import type { IntervalOutcome } from './preferable-interval';

/** The outcomes of the evaluation steps for one dose against one target dose. */
export interface TargetDoseChecks {
  /** §6.4. */
  readonly age: AgeOutcome;
  /** §6.5, and §6.6 when the preferable intervals failed ('allowable' = saved by §6.6). */
  readonly interval: IntervalOutcome | 'allowable';
  /** §6.7: the dose is an impacted vaccine dose administered. */
  readonly conflict: boolean;
  /** §6.8 and §6.9. */
  readonly vaccine: 'preferable' | 'allowable' | 'neither';
}

/** The result of table 6-31. */
export interface TargetDoseOutcome {
  readonly satisfied: boolean;
  readonly status: EvaluationStatus;
  /** A new array for each call: the caller may keep it as the evaluation's reasons. */
  readonly reasons: Reason[];
}

/**
 * Table 6-31: the target dose is satisfied (evaluation status 'Valid') only when the age is
 * valid, all preferable or all allowable intervals are satisfied, the dose is not impacted by a
 * vaccine conflict, and it is a preferable or allowable vaccine. A dose over the maximum age is
 * 'Extraneous'; any other failure makes it 'Not Valid'. Reasons list every failed (or
 * grace-period) check, most significant first.
 *
 * @param checks - The outcomes of the evaluation steps.
 */
export function satisfyTargetDose(checks: TargetDoseChecks): TargetDoseOutcome {
  const reasons: Reason[] = [];
  if (checks.age === 'too-old') {
    reasons.push(reason('age-too-old'));
  } else if (checks.age === 'too-young') {
    reasons.push(reason('age-too-young'));
  }
  if (checks.interval === 'too-soon') {
    reasons.push(reason('interval-too-soon'));
  }
  if (checks.conflict) {
    reasons.push(reason('live-virus-conflict'));
  }
  if (checks.vaccine === 'neither') {
    reasons.push(reason('not-preferable-or-allowable'));
  }
  if (checks.age === 'too-old') {
    return { satisfied: false, status: 'Extraneous', reasons };
  }
  if (reasons.length > 0) {
    return { satisfied: false, status: 'Not Valid', reasons };
  }
  if (checks.age === 'grace-period') {
    reasons.push(reason('age-grace-period'));
  }
  if (checks.interval === 'grace-period') {
    reasons.push(reason('interval-grace-period'));
  }
  if (checks.interval === 'allowable') {
    reasons.push(reason('allowable-interval'));
  }
  if (checks.vaccine === 'allowable') {
    reasons.push(reason('allowable-vaccine'));
  }
  return { satisfied: true, status: 'Valid', reasons };
}
