/**
 * §6.1 Evaluate dose administered condition (table 6-3): can the dose be evaluated at all?
 */
import type { AdministeredDose } from '../model';

/**
 * Table 6-3: a dose with a dose condition (sub-potent, expired, recalled, …) cannot be
 * evaluated; its evaluation status is 'Sub-standard' and the target dose stays 'Not Satisfied'.
 * The lot expiration date of table 6-2 is not part of our input; a caller that knows a dose was
 * given after its lot expired sets `doseCondition`.
 *
 * @param dose - The administered dose.
 * @returns `true` when the dose can be evaluated.
 */
export function canBeEvaluated(dose: AdministeredDose): boolean {
  return dose.doseCondition !== true;
}
