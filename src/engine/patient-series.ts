/**
 * Runtime state of the logic (Appendix A, evaluation and forecast neighbourhoods): a patient
 * series made of target doses, the evaluation of each antigen administered record against it,
 * and the patient series forecast. Built and updated by the evaluation (§4.4, chapter 6) and
 * forecast (chapter 7) steps; read by best-series selection (chapter 8) and the vaccine-group
 * step (chapter 9).
 *
 * Fields that may be empty are `T | undefined` rather than optional, so every object of a kind
 * has the same shape (faster property access on the hot path).
 */
import type { CalendarDate } from '../calendar';
import type { EvaluationStatus, Reason, SeriesStatus, TargetDoseStatus } from './model';
import type { AntigenDose } from './organize-history';
import type { AntigenSeries, SeriesDose } from './rule-set';

/** The evaluation of one antigen administered record in one patient series. */
export interface DoseEvaluationState {
  readonly antigenDose: AntigenDose;
  status: EvaluationStatus;
  /** Never modified in place (lists may be shared between evaluations). */
  reasons: readonly Reason[];
  /** Table 6-13: the dose was an inadvertent administration for its target dose. */
  inadvertent: boolean;
  /** The target dose it was evaluated against, if any (none once the series was complete). */
  targetDose: TargetDose | undefined;
}

/** A target dose of a patient series (§3.1). */
export interface TargetDose {
  /** 1-based position in the patient series (recurring copies get the next numbers). */
  readonly number: number;
  readonly seriesDose: SeriesDose;
  status: TargetDoseStatus;
  /** The evaluation that satisfied it. */
  satisfiedBy: DoseEvaluationState | undefined;
}

/** A patient series forecast (§7.5). */
export interface SeriesForecast {
  /** The target dose forecast (DEFFORECAST-005). */
  readonly targetDose: TargetDose;
  /** FORECASTDN-1. */
  readonly doseNumber: number;
  /** FORECASTDT-1. */
  readonly earliestDate: CalendarDate;
  /** FORECASTDT-2. */
  readonly unadjustedRecommendedDate: CalendarDate;
  /** FORECASTDT-5. */
  readonly recommendedDate: CalendarDate;
  /** FORECASTDT-3. */
  readonly unadjustedPastDueDate: CalendarDate | undefined;
  /** FORECASTDT-6. */
  readonly pastDueDate: CalendarDate | undefined;
  /** FORECASTDT-4. */
  readonly latestDate: CalendarDate | undefined;
  /** FORECASTRECVAC-1, canonical CVX in supporting-data order. */
  readonly recommendedVaccines: readonly string[];
  /** FORECASTPRIORITY-1. */
  readonly priority: boolean;
}

/** A relevant patient series with its evaluated history and its forecast. */
export interface PatientSeries {
  readonly series: AntigenSeries;
  readonly targetDoses: TargetDose[];
  /** One per antigen administered record, in date order. */
  readonly evaluations: DoseEvaluationState[];
  status: SeriesStatus;
  forecast: SeriesForecast | undefined;
  /** Why the series has its status (forecast reasons; shared lists, never modified). */
  reasons: readonly Reason[];
}

/**
 * SELECTB-21: the number of valid doses of a patient series (target doses satisfied).
 *
 * @param ps - A patient series.
 */
export function validDoseCount(ps: PatientSeries): number {
  let n = 0;
  for (const t of ps.targetDoses) {
    if (t.status === 'Satisfied') {
      n += 1;
    }
  }
  return n;
}
