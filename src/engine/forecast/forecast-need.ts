/**
 * §7.4 Determine forecast need (table 7-10).
 */
import { MAX_DATE, type CalendarDate } from '../../calendar';
import type { SeriesStatus } from '../model';
import type { ReasonCode } from '../reasons';

/** The facts table 7-10 decides on. */
export interface ForecastNeedFacts {
  /** At least one target dose is 'Not Satisfied'. */
  readonly hasNotSatisfiedTargetDose: boolean;
  /** At least one target dose is 'Satisfied'. */
  readonly hasSatisfiedTargetDose: boolean;
  /** §7.2 outcome. */
  readonly immune: boolean;
  /** §7.3 outcome. */
  readonly contraindicated: boolean;
  readonly assessmentDate: CalendarDate;
  /** Seasonal recommendation end date of the target dose to forecast (none: 2999-12-31). */
  readonly seasonalEndDate: CalendarDate | undefined;
  /** Maximum age date of the target dose to forecast (none: 2999-12-31). */
  readonly maximumAgeDate: CalendarDate | undefined;
  /** FORECASTDTCAN-1 (none: 2999-12-31). */
  readonly candidateEarliestDate: CalendarDate | undefined;
}

/** The outcome of table 7-10. */
export type ForecastNeed =
  | { readonly need: true }
  | { readonly need: false; readonly status: SeriesStatus; readonly reason: ReasonCode };

/**
 * Table 7-10: should the patient receive another target dose? The rules are read left to right;
 * the first that matches decides:
 * 1. a 'Not Satisfied' target dose, no immunity, no contraindication, within the season, before
 *    the maximum age and able to start before it → yes, 'Not Complete';
 * 2. no 'Not Satisfied' target dose but a 'Satisfied' one → 'Complete';
 * 3. no 'Not Satisfied' and no 'Satisfied' target dose (all skipped) → 'Not Recommended';
 * 4. evidence of immunity → 'Immune';
 * 5. a contraindicated patient series → 'Contraindicated';
 * 6. assessment date after the seasonal recommendation end date → 'Not Recommended';
 * 7. assessment date on or after the maximum age date → 'Aged Out';
 * 8. candidate earliest date on or after the maximum age date → 'Aged Out' (both assume
 *    2999-12-31 when empty, so no candidate earliest date at all also means 'Aged Out').
 *
 * @param facts - The facts of the patient series.
 */
export function determineForecastNeed(facts: ForecastNeedFacts): ForecastNeed {
  return (
    forecastNeedBeforeCandidate(facts) ??
    forecastNeedFromCandidate(facts.candidateEarliestDate, facts.maximumAgeDate)
  );
}

/**
 * Rules 1 to 7 of {@link determineForecastNeed}: the outcome when the candidate earliest date
 * does not matter, or `undefined` when rule 8 decides. Lets the caller compute the candidate
 * earliest date (FORECASTDTCAN-1, the costliest fact) only when it is needed: a series that is
 * complete, aged out or past its season needs none.
 *
 * @param facts - The facts of the patient series, without the candidate earliest date.
 */
export function forecastNeedBeforeCandidate(
  facts: Omit<ForecastNeedFacts, 'candidateEarliestDate'>,
): ForecastNeed | undefined {
  if (!facts.hasNotSatisfiedTargetDose) {
    return facts.hasSatisfiedTargetDose ? COMPLETE : ALL_SKIPPED;
  }
  if (facts.immune) {
    return IMMUNE;
  }
  if (facts.contraindicated) {
    return CONTRAINDICATED;
  }
  if (facts.seasonalEndDate !== undefined && facts.assessmentDate.isAfter(facts.seasonalEndDate)) {
    return PAST_SEASON;
  }
  const maximumAgeDate = facts.maximumAgeDate ?? MAX_DATE;
  if (facts.assessmentDate.isOnOrAfter(maximumAgeDate)) {
    return AGED_OUT;
  }
  return undefined;
}

/**
 * Rule 8 of {@link determineForecastNeed}, once rules 1 to 7 did not decide.
 *
 * @param candidateEarliestDate - FORECASTDTCAN-1 (none: 2999-12-31).
 * @param maximumAgeDate - Maximum age date of the target dose (none: 2999-12-31).
 */
export function forecastNeedFromCandidate(
  candidateEarliestDate: CalendarDate | undefined,
  maximumAgeDate: CalendarDate | undefined,
): ForecastNeed {
  // Table 7-9 assumes 2999-12-31 for both an empty candidate earliest date and an empty maximum
  // age date: a target dose with no date to start from cannot be forecast.
  if ((candidateEarliestDate ?? MAX_DATE).isOnOrAfter(maximumAgeDate ?? MAX_DATE)) {
    return CANNOT_FINISH;
  }
  return NEED;
}

// The outcomes of table 7-10, shared (they are never modified).
const NEED: ForecastNeed = { need: true };
const COMPLETE: ForecastNeed = { need: false, status: 'Complete', reason: 'series-complete' };
const ALL_SKIPPED: ForecastNeed = {
  need: false,
  status: 'Not Recommended',
  reason: 'not-recommended-history',
};
const IMMUNE: ForecastNeed = { need: false, status: 'Immune', reason: 'immune' };
const CONTRAINDICATED: ForecastNeed = {
  need: false,
  status: 'Contraindicated',
  reason: 'contraindicated',
};
const PAST_SEASON: ForecastNeed = {
  need: false,
  status: 'Not Recommended',
  reason: 'past-seasonal-end',
};
const AGED_OUT: ForecastNeed = { need: false, status: 'Aged Out', reason: 'aged-out' };
const CANNOT_FINISH: ForecastNeed = { need: false, status: 'Aged Out', reason: 'cannot-finish' };
