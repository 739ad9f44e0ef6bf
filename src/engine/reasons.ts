/**
 * Stable reason codes. Each has a `code` (safe to key on), the CDSi wording (`text`, as the
 * Logic Specification v4.6 and the CDC test cases write it) and the business rule or decision
 * table it comes from (`rule`).
 *
 * The texts of the evaluation reasons match the CDC test cases' expected reasons exactly:
 * "Age: Too Young", "Interval: too Soon", "Inadvertent Vaccine", "Series Already Complete",
 * "Live Virus Conflict", "Age: Too Old", "Not a preferable or allowable vaccine".
 *
 * Details (`Reason.details`, built by `evaluate/reason-details.ts` only for a dose that failed a
 * check; every value a string):
 * - `age-too-young`: `minimumAge` (the absolute minimum age as the table writes it, e.g.
 *   "6 weeks - 4 days"), `minimumAgeDate` (the date the patient reaches it), `daysEarly`;
 * - `age-too-old`: `maximumAge`, `maximumAgeDate`, `daysLate` (days on or after that date, 0 for
 *   the very day);
 * - `interval-too-soon`: `interval` (the absolute minimum interval as written), `from` (what it is
 *   measured from, in words: "the previous dose", "dose 1 of the series", …), `fromDate`,
 *   `fromDoseId` (when measured from a dose), `allowedDate` (the first date the interval allows),
 *   `daysEarly`;
 * - `live-virus-conflict`: `conflictingDoseId`, `conflictingCvx`, `conflictingDoseDate`,
 *   `conflictEndDate` (the first day the conflict no longer applies);
 * - `inadvertent-vaccine`, `not-preferable-or-allowable`: `cvx` (as given), `vaccine` (its short
 *   description, when the rule set knows the CVX);
 * - `series-already-complete`: `series` (series name), `completedDate` (the date of the dose that
 *   completed it, when one did).
 */
import type { Reason, ReasonDetails } from './model';

/** The catalogue entry of a reason (a `Reason` without details). */
interface ReasonDefinition {
  readonly text: string;
  readonly rule: string;
}

const DEFINITIONS = {
  // Organize immunization history (§4.2).
  'unknown-vaccine': {
    text: 'Vaccine (CVX) is not in the CVX to antigen map',
    rule: '§4.2',
  },
  'no-antigen-at-age': {
    text: 'Vaccine (CVX) counts for no antigen at the patient age on the date administered',
    rule: '§4.2 step 2a',
  },

  // Evaluation (chapter 6).
  'sub-standard': { text: 'Sub-standard dose condition', rule: 'Table 6-3' },
  'inadvertent-vaccine': { text: 'Inadvertent Vaccine', rule: 'Table 6-13' },
  'age-too-young': { text: 'Age: Too Young', rule: 'Table 6-15' },
  'age-grace-period': { text: 'Age: Grace Period', rule: 'Table 6-15' },
  'age-too-old': { text: 'Age: Too Old', rule: 'Table 6-15' },
  'interval-too-soon': { text: 'Interval: too Soon', rule: 'Table 6-18' },
  'interval-grace-period': { text: 'Interval: Grace Period', rule: 'Table 6-18' },
  'allowable-interval': { text: 'Allowable Interval', rule: 'Table 6-21' },
  'live-virus-conflict': { text: 'Live Virus Conflict', rule: 'CONFLICT-3' },
  'not-preferable-or-allowable': {
    text: 'Not a preferable or allowable vaccine',
    rule: 'Table 6-29',
  },
  'allowable-vaccine': { text: 'Allowable Vaccine', rule: 'Table 6-29' },
  'series-already-complete': { text: 'Series Already Complete', rule: '§4.4 step 6a' },
  'target-dose-skipped': { text: 'Target Dose Skipped', rule: 'Table 6-11' },

  // Forecast (chapter 7).
  'series-complete': { text: 'Patient series is complete', rule: 'Table 7-10' },
  'not-recommended-history': {
    text: 'Not recommended at this time due to past immunization history',
    rule: 'Table 7-10',
  },
  immune: { text: 'Patient has evidence of immunity', rule: 'Table 7-3' },
  contraindicated: { text: 'Patient has a contraindication', rule: 'Table 7-7' },
  'past-seasonal-end': {
    text: 'Past seasonal recommendation end date',
    rule: 'Table 7-10',
  },
  'aged-out': { text: 'Patient has exceeded the maximum age', rule: 'Table 7-10' },
  'cannot-finish': {
    text: 'Patient is unable to finish the series prior to the maximum age',
    rule: 'Table 7-10',
  },
  'indication-undetermined': {
    text: 'Indication could not be determined; review manually',
    rule: 'Table 5-4',
  },
} as const satisfies Readonly<Record<string, ReasonDefinition>>;

/** Every reason code the engine emits. */
export type ReasonCode = keyof typeof DEFINITIONS;

/**
 * Builds a reason from the catalogue.
 *
 * @param code - The reason code.
 * @param details - Optional details (the keys of each code are listed above).
 * @returns The reason with its CDSi wording and rule id.
 */
export function reason(code: ReasonCode, details?: ReasonDetails): Reason {
  if (details === undefined) {
    return PLAIN[code];
  }
  const def: ReasonDefinition = DEFINITIONS[code];
  return { code, text: def.text, rule: def.rule, details };
}

/** One shared, frozen `Reason` per code for the common case without details. */
const PLAIN = Object.fromEntries(
  Object.entries(DEFINITIONS).map(([code, def]: [string, ReasonDefinition]) => [
    code,
    Object.freeze({ code, text: def.text, rule: def.rule }),
  ]),
) as Readonly<Record<ReasonCode, Reason>>;

/** No reason (shared, frozen). */
export const NO_REASONS: readonly Reason[] = Object.freeze([]);

/** One frozen one-reason list per code, shared: a series status has one reason. */
const SINGLE = Object.fromEntries(
  Object.entries(PLAIN).map(([code, r]: [string, Reason]) => [code, Object.freeze([r])]),
) as Readonly<Record<ReasonCode, readonly Reason[]>>;

/**
 * The list holding just the reason of a code, without details (shared, never modified).
 *
 * @param code - The reason code.
 */
export function reasonList(code: ReasonCode): readonly Reason[] {
  return SINGLE[code];
}

/** The catalogue, for documentation and tests. */
export const REASONS: Readonly<Record<ReasonCode, ReasonDefinition>> = DEFINITIONS;
