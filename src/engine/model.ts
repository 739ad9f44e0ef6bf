/**
 * The engine's own input and output types. No FHIR, no HTTP: adapters translate to and from
 * these. Field names follow the CDSi Logic Specification v4.6 (Appendix A domain model and
 * chapter 3 statuses) so a reader can find each one in the spec.
 */
import type { CalendarDate } from '../calendar';

// ---------------------------------------------------------------------------------------------
// Input (§4.1 Gather necessary data)
// ---------------------------------------------------------------------------------------------

/** Administrative gender as CDSi uses it for `requiredGender` (§5.1). */
export type Gender = 'female' | 'male' | 'unknown';

/** One vaccine dose administered (DEFPATIENT-011). */
export interface AdministeredDose {
  /** Caller's identifier for the dose, echoed in every result that concerns it. */
  readonly id: string;
  readonly dateAdministered: CalendarDate;
  /** CVX code as in the CDC tables (leading zeros kept, e.g. "03"). */
  readonly cvx: string;
  /** MVX manufacturer code, when known. */
  readonly mvx?: string;
  /**
   * Dose condition flag (DEFPATIENT-015, §6.1): true when the dose is known to be
   * sub-potent, expired or recalled. Such a dose is evaluated "Sub-standard".
   */
  readonly doseCondition?: boolean;
}

/** A patient observation: a CDSi coded observation (ScheduleSupportingData `observations`). */
export interface PatientObservation {
  /** CDSi observation code, e.g. "055" (three digits, as in the supporting data). */
  readonly code: string;
  /** Observation date (DEFPATIENT-012); when unknown the engine treats it as always in effect. */
  readonly date?: CalendarDate;
}

/** Everything the engine needs to know about a patient. */
export interface PatientHistory {
  readonly birthDate: CalendarDate;
  readonly gender: Gender;
  /** Country of birth (ISO 3166 alpha-2 or as the supporting data writes it), for immunity by birth date. */
  readonly birthCountry?: string;
  readonly doses: readonly AdministeredDose[];
  readonly observations: readonly PatientObservation[];
}

// ---------------------------------------------------------------------------------------------
// Statuses (§3.2, tables 3-1 .. 3-3)
// ---------------------------------------------------------------------------------------------

/** Table 3-1. */
export type EvaluationStatus = 'Valid' | 'Not Valid' | 'Extraneous' | 'Sub-standard';

/** Table 3-2. */
export type TargetDoseStatus = 'Not Satisfied' | 'Satisfied' | 'Skipped';

/** Table 3-3. */
export type SeriesStatus =
  'Not Complete' | 'Complete' | 'Immune' | 'Contraindicated' | 'Aged Out' | 'Not Recommended';

// ---------------------------------------------------------------------------------------------
// Reasons
// ---------------------------------------------------------------------------------------------

/**
 * The numbers behind a reason, as strings keyed by name (dates `YYYY-MM-DD`, ages and intervals
 * as the supporting data writes them, counts of days as decimal integers). The keys of each
 * reason code are listed in `reasons.ts`; `explainReason` turns them into a sentence.
 */
export type ReasonDetails = Readonly<Record<string, string>>;

/**
 * Why the engine decided something, in a form that can be shown to a clinic.
 * `code` is stable (safe to key on), `text` is the CDSi wording, `rule` the business-rule id
 * of the Logic Specification (e.g. "EVALAGE-2" or a decision-table id such as "Table 6-7").
 */
export interface Reason {
  readonly code: string;
  readonly text: string;
  readonly rule: string;
  /**
   * The numbers behind the reason for a plain-words explanation (e.g. the minimum age that was
   * not reached and the date it falls on). Set for the evaluation reasons listed in `reasons.ts`
   * when the engine knows them; absent otherwise.
   */
  readonly details?: ReasonDetails;
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/** Evaluation of one dose for one antigen (one antigen administered record, §4.2). */
export interface DoseEvaluation {
  /** `AdministeredDose.id` of the dose evaluated. */
  readonly doseId: string;
  readonly dateAdministered: CalendarDate;
  readonly cvx: string;
  readonly antigen: string;
  readonly status: EvaluationStatus;
  /** Target dose number (1-based) this dose satisfied, when Valid. */
  readonly targetDoseNumber?: number;
  /** Why the dose got its status (empty for a plain Valid dose). */
  readonly reasons: readonly Reason[];
}

/** Forecast for the next target dose (§7.5). Dates are absent when none applies. */
export interface Forecast {
  /** Dose number of the next target dose in the selected series (1-based). */
  readonly doseNumber: number;
  readonly earliestDate: CalendarDate;
  readonly recommendedDate: CalendarDate;
  readonly pastDueDate?: CalendarDate;
  readonly latestDate?: CalendarDate;
  /** Recommended vaccine types (CVX), in the order of the supporting data. */
  readonly recommendedVaccines: readonly string[];
  /** Set when the minimum interval is from an unsatisfied prior dose etc.: the CDSi "interval" date. */
  readonly unadjustedRecommendedDate?: CalendarDate;
}

/** Result for one antigen: its best patient series (§8) with evaluation and forecast. */
export interface AntigenResult {
  readonly antigen: string;
  /** Name of the selected (best) patient series, as in the supporting data. */
  readonly seriesName?: string;
  readonly seriesType?: string;
  readonly status: SeriesStatus;
  readonly doseEvaluations: readonly DoseEvaluation[];
  readonly forecast?: Forecast;
  /** Why the series has its status and why the forecast is what it is. */
  readonly reasons: readonly Reason[];
  /**
   * Other best patient series of the antigen (§8.8 can keep one per non-equivalent series group,
   * e.g. a risk series besides the standard one). The series above is the one the vaccine group
   * result is built from; see `vaccine-group.ts` for how it is chosen.
   */
  readonly alternatives?: readonly AntigenResult[];
}

/**
 * Evaluation of one dose for a whole vaccine group: the dose's per-antigen evaluations
 * (e.g. Diphtheria, Tetanus and Pertussis for a DTaP dose) combined into one status, which is
 * what a clinic (and the CDC test cases) see. Combination rule (ours, documented in
 * `vaccine-group.ts`): all antigens agree → that status; otherwise Not Valid, then Sub-standard,
 * then Valid, then Extraneous (a Tdap given as a decennial Td booster is Valid even though the
 * Pertussis series was already complete), with the reasons of the antigens that have that status.
 */
export interface GroupDoseEvaluation {
  readonly doseId: string;
  readonly dateAdministered: CalendarDate;
  readonly cvx: string;
  readonly status: EvaluationStatus;
  readonly reasons: readonly Reason[];
  /** The per-antigen evaluations this was combined from. */
  readonly byAntigen: readonly DoseEvaluation[];
}

/** Result for one vaccine group (§9). */
export interface VaccineGroupResult {
  /** Vaccine group name as in the supporting data, e.g. "DTaP/Tdap/Td". */
  readonly vaccineGroup: string;
  readonly status: SeriesStatus;
  /** One entry per administered dose that contains an antigen of this group, in date order. */
  readonly doseEvaluations: readonly GroupDoseEvaluation[];
  readonly forecast?: Forecast;
  readonly antigens: readonly AntigenResult[];
  readonly reasons: readonly Reason[];
}

/** A dose the engine could not use at all (e.g. a CVX that maps to no antigen). Never dropped silently. */
export interface UnusedDose {
  readonly doseId: string;
  readonly reason: Reason;
}

/** The whole answer of `forecast(history, ruleSet, assessmentDate)`. */
export interface ForecastResult {
  readonly assessmentDate: CalendarDate;
  /** `ruleSetId@version` of the rule set used, e.g. "cdc-cdsi@4.64". */
  readonly ruleSet: string;
  readonly vaccineGroups: readonly VaccineGroupResult[];
  readonly unusedDoses: readonly UnusedDose[];
}
