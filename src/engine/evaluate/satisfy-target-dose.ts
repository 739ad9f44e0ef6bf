/**
 * §6.10 Satisfy target dose (table 6-31): combine the outcomes of §6.4 to §6.9.
 */
import type { EvaluationStatus, Reason } from '../model';
import { NO_REASONS, reason, reasonList, type ReasonCode } from '../reasons';
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
  /** The evaluation's reasons (kept by the caller; never modified, may be shared). */
  readonly reasons: readonly Reason[];
}

/**
 * The outcome of a dose that passes every check without a grace period or allowable step, by
 * far the most common one: shared, so that a valid dose costs no allocation here.
 */
const PLAIN_VALID: TargetDoseOutcome = Object.freeze({
  satisfied: true,
  status: 'Valid',
  reasons: NO_REASONS,
});

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
  if (
    checks.age === 'valid' &&
    checks.interval === 'valid' &&
    !checks.conflict &&
    checks.vaccine === 'preferable'
  ) {
    return PLAIN_VALID;
  }
  let reasons = NO_REASONS;
  if (checks.age === 'too-old') {
    reasons = withReason(reasons, 'age-too-old');
  } else if (checks.age === 'too-young') {
    reasons = withReason(reasons, 'age-too-young');
  }
  if (checks.interval === 'too-soon') {
    reasons = withReason(reasons, 'interval-too-soon');
  }
  if (checks.conflict) {
    reasons = withReason(reasons, 'live-virus-conflict');
  }
  if (checks.vaccine === 'neither') {
    reasons = withReason(reasons, 'not-preferable-or-allowable');
  }
  if (checks.age === 'too-old') {
    return { satisfied: false, status: 'Extraneous', reasons };
  }
  if (reasons.length > 0) {
    return { satisfied: false, status: 'Not Valid', reasons };
  }
  if (checks.age === 'grace-period') {
    reasons = withReason(reasons, 'age-grace-period');
  }
  if (checks.interval === 'grace-period') {
    reasons = withReason(reasons, 'interval-grace-period');
  }
  if (checks.interval === 'allowable') {
    reasons = withReason(reasons, 'allowable-interval');
  }
  if (checks.vaccine === 'allowable') {
    reasons = withReason(reasons, 'allowable-vaccine');
  }
  return { satisfied: true, status: 'Valid', reasons };
}

/**
 * `reasons` followed by the reason of `code`. Most outcomes have one reason: that is the shared
 * one-reason list (no allocation); a second reason makes a new list of the exact size.
 */
function withReason(reasons: readonly Reason[], code: ReasonCode): readonly Reason[] {
  return reasons.length === 0 ? reasonList(code) : [...reasons, reason(code)];
}
