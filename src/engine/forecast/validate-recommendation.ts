/**
 * §7.6 Validate recommendation: would the forecast target dose be skipped when the patient comes
 * back on the earliest date? Then the forecast is illogical and the next target dose must be
 * forecast instead.
 */
import type { CalendarDate } from '../../calendar';
import { findConditionalSkip } from '../evaluate/conditional-skip';
import type { SeriesEnvironment } from '../evaluate/evaluate-series';
import type { SeriesPosition } from '../interval-reference';
import type { PatientContext } from '../patient-context';
import type { PatientSeries, TargetDose } from '../patient-series';
import type { SkipSet } from '../rule-set';
import { forecastPosition } from './forecast-dates';

/**
 * §7.6.1: conditional skip of the forecast target dose (context Forecast or Both) with the
 * earliest date as the conditional skip reference date (CONDSKIP-2).
 *
 * @param pc - The call context.
 * @param ps - The patient series.
 * @param target - The target dose that was forecast.
 * @param earliestDate - Its earliest date.
 * @param env - Access to the other series of the antigen.
 * @param position - The forecast position in the series (computed when not given).
 * @returns The skip set met at the earliest date, or `undefined` when the forecast stands.
 */
export function skipAtEarliestDate(
  pc: PatientContext,
  ps: PatientSeries,
  target: TargetDose,
  earliestDate: CalendarDate,
  env: SeriesEnvironment,
  position: SeriesPosition = forecastPosition(pc, ps),
): SkipSet | undefined {
  return findConditionalSkip(pc, target.seriesDose, {
    purpose: 'Forecast',
    referenceDate: earliestDate,
    selectionDate: pc.assessmentDate,
    position,
    env,
  });
}
