/**
 * Chapter 7 Forecast dates and reasons (figure 7-1) for one evaluated patient series:
 * conditional skip (§7.1), evidence of immunity (§7.2), contraindications (§7.3), forecast need
 * (§7.4), forecast dates and recommended vaccines (§7.5), validation (§7.6).
 */
import type { CalendarDate } from '../../calendar';
import { findConditionalSkip, type SkipQuery } from '../evaluate/conditional-skip';
import type { SeriesEnvironment } from '../evaluate/evaluate-series';
import type { PatientContext } from '../patient-context';
import type { PatientSeries, TargetDose } from '../patient-series';
import { NO_REASONS, reasonList } from '../reasons';
import type { AntigenRules } from '../rule-set';
import { isContraindicatedSeries } from './contraindications';
import {
  candidateEarliestDate,
  forecastAge,
  forecastPosition,
  generateForecast,
} from './forecast-dates';
import { forecastNeedBeforeCandidate, forecastNeedFromCandidate } from './forecast-need';
import { skipAtEarliestDate } from './validate-recommendation';

/** What the forecast of one series needs about the antigen as a whole. */
export interface AntigenFacts {
  readonly rules: AntigenRules;
  /** §7.2 outcome for the antigen. */
  readonly immune: boolean;
  /** Table 7-6: vaccine types with a vaccine contraindication that applies. */
  readonly contraindicatedVaccines: ReadonlySet<string>;
}

/** The index of the first target dose from `from` on that is 'Not Satisfied' (or the length). */
function nextNotSatisfied(targets: readonly TargetDose[], from: number): number {
  let i = from;
  while (i < targets.length && targets[i]?.status !== 'Not Satisfied') {
    i += 1;
  }
  return i;
}

/**
 * Forecasts one evaluated patient series; sets its status, reasons and forecast.
 *
 * @param pc - The call context.
 * @param ps - The evaluated patient series (updated in place).
 * @param antigen - Facts about the antigen.
 * @param env - Access to the other series of the antigen (table 6-7).
 */
export function forecastSeries(
  pc: PatientContext,
  ps: PatientSeries,
  antigen: AntigenFacts,
  env: SeriesEnvironment,
): void {
  const targets = ps.targetDoses;
  let hasSatisfied = false;
  for (const target of targets) {
    if (target.status === 'Satisfied') {
      hasSatisfied = true;
      break;
    }
  }
  const position = forecastPosition(pc, ps);
  // Built on first use: most target doses have no conditional skip.
  let skipQuery: SkipQuery | undefined;
  let t = nextNotSatisfied(targets, 0);

  for (;;) {
    // §7.1: skip target doses with the assessment date as reference date.
    let target = targets[t];
    while (
      target !== undefined &&
      target.seriesDose.conditionalSkips.length > 0 &&
      findConditionalSkip(
        pc,
        target.seriesDose,
        (skipQuery ??= {
          purpose: 'Forecast',
          referenceDate: pc.assessmentDate,
          selectionDate: pc.assessmentDate,
          position,
          env,
        }),
      ) !== undefined
    ) {
      target.status = 'Skipped';
      t = nextNotSatisfied(targets, t + 1);
      target = targets[t];
    }

    // The age component in effect on the assessment date (RELEVANT-2), read once.
    const age = target === undefined ? undefined : forecastAge(pc, target.seriesDose);
    const maximumAgeDate = age?.maxAge === undefined ? undefined : pc.ageDate(age.maxAge);
    // Table 7-10; the candidate earliest date only when the other facts leave it to decide.
    let candidate: CalendarDate | undefined;
    let need = forecastNeedBeforeCandidate({
      hasNotSatisfiedTargetDose: target !== undefined,
      hasSatisfiedTargetDose: hasSatisfied,
      immune: antigen.immune,
      contraindicated: isContraindicatedSeries(
        pc,
        antigen.rules,
        target?.seriesDose,
        antigen.contraindicatedVaccines,
      ),
      assessmentDate: pc.assessmentDate,
      seasonalEndDate: target?.seriesDose.seasonalRecommendation?.endDate,
      maximumAgeDate,
    });
    if (need === undefined) {
      candidate =
        target === undefined ? undefined : candidateEarliestDate(pc, ps, target, position, age);
      need = forecastNeedFromCandidate(candidate, maximumAgeDate);
    }
    if (!need.need || target === undefined || candidate === undefined) {
      ps.status = need.need ? 'Complete' : need.status;
      ps.reasons = reasonList(need.need ? 'series-complete' : need.reason);
      ps.forecast = undefined;
      return;
    }

    const forecast = generateForecast(
      pc,
      ps,
      target,
      candidate,
      antigen.contraindicatedVaccines,
      position,
      age,
    );
    // §7.6: a target dose that would be skipped on the earliest date is not forecast.
    if (
      target.seriesDose.conditionalSkips.length > 0 &&
      skipAtEarliestDate(pc, ps, target, forecast.earliestDate, env, position) !== undefined
    ) {
      target.status = 'Skipped';
      t = nextNotSatisfied(targets, t + 1);
      continue;
    }
    ps.status = 'Not Complete';
    ps.reasons = NO_REASONS;
    ps.forecast = forecast;
    return;
  }
}
