/**
 * §4.4 Evaluate immunization history (figure 4-6) for one relevant patient series: walk the
 * antigen administered records and the target doses together, evaluating each record against
 * the current target dose with the chapter 6 steps (figure 6-1), inserting recurring doses.
 */
import type { CalendarDate } from '../../calendar';
import type { EvaluationStatus } from '../model';
import type { PatientContext } from '../patient-context';
import type { SeriesPosition } from '../interval-reference';
import type { AntigenDose } from '../organize-history';
import type { DoseEvaluationState, PatientSeries, TargetDose } from '../patient-series';
import { NO_REASONS, reasonList } from '../reasons';
import type { AntigenSeries, SeriesDose } from '../rule-set';
import type { Writable } from '../writable';
import { evaluateAge } from './age';
import { satisfiesAllowableIntervals } from './allowable-interval';
import { isAllowableVaccine } from './allowable-vaccine';
import { findConditionalSkip, type SkipQuery } from './conditional-skip';
import { canBeEvaluated } from './dose-condition';
import { isInadvertentAdministration } from './inadvertent-vaccine';
import { findImpactingConflict } from './live-virus-conflict';
import { evaluatePreferableIntervals } from './preferable-interval';
import { findPreferableVaccine } from './preferable-vaccine';
import { satisfyTargetDose, type TargetDoseChecks } from './satisfy-target-dose';

/** What evaluation needs from the other series of the antigen (table 6-7). */
export interface SeriesEnvironment {
  /**
   * Whether a series group has a relevant patient series with status 'Complete', judged on the
   * doses administered before `asOf` (the conditional skip reference date).
   */
  readonly isSeriesGroupComplete: (seriesGroup: string, asOf: CalendarDate) => boolean;
}

/**
 * Creates the target doses of a patient series: one per series dose, all 'Not Satisfied'.
 *
 * @param series - The antigen series.
 */
export function createTargetDoses(series: AntigenSeries): TargetDose[] {
  // Exactly sized (a list grown by `push` gets room for 17 entries at once), and filled by a
  // plain loop: every series of every antigen starts here, and the `map` with a callback it
  // replaces cost about 2.5 % of the engine's CPU time (profile of the synthetic population).
  const doses = series.doses;
  const targets = new Array<TargetDose>(doses.length);
  for (let i = 0; i < doses.length; i++) {
    targets[i] = {
      number: i + 1,
      seriesDose: doses[i] as SeriesDose,
      status: 'Not Satisfied',
      satisfiedBy: undefined,
    };
  }
  return targets;
}

/**
 * Evaluates the antigen administered records of one antigen against one relevant series.
 *
 * Per record (figure 4-6, figure 6-1):
 * 1. when every target dose is done, the record is 'Extraneous' ("Series Already Complete",
 *    step 6a);
 * 2. §6.1: a dose with a dose condition is 'Sub-standard';
 * 3. §6.2: target doses that can be skipped (context Evaluation/Both, reference date = date
 *    administered) are 'Skipped', moving on to the next target dose;
 * 4. §6.3: an inadvertent administration is 'Not Valid';
 * 5. §6.4–§6.9, combined by §6.10 (table 6-31);
 * 6. a satisfied recurring target dose is followed by a new identical target dose (step 5a).
 *
 * @param pc - The call context.
 * @param series - The relevant antigen series.
 * @param doses - The antigen's administered records, in date order.
 * @param env - Access to the other series of the antigen.
 * @returns The patient series with its target doses and evaluations (status still to forecast).
 */
export function evaluateSeries(
  pc: PatientContext,
  series: AntigenSeries,
  doses: readonly AntigenDose[],
  env: SeriesEnvironment,
): PatientSeries {
  const targetDoses = createTargetDoses(series);
  // One evaluation per record, made up front with the initial state (exactly sized). The walk
  // below fills them in date order; every step reads only those of earlier records (the first
  // `evaluatedCount`, or those of history indexes below the current dose's).
  const evaluations = new Array<DoseEvaluationState>(doses.length);
  for (let i = 0; i < doses.length; i++) {
    evaluations[i] = newEvaluation(doses[i] as AntigenDose);
  }
  const ps: PatientSeries = {
    series,
    targetDoses,
    evaluations,
    status: 'Not Complete',
    forecast: undefined,
    reasons: NO_REASONS,
  };
  if (doses.length === 0) {
    return ps;
  }
  // §6.7 reads the statuses of earlier doses (made on first use, once per series).
  let statusOf: ((historyIndex: number) => EvaluationStatus | undefined) | undefined;

  // One position for the whole walk, moved forward before each dose: the steps below read it
  // and none keeps it (saves an object per dose; a series evaluates every dose of the antigen).
  const position: Writable<SeriesPosition> = {
    evaluations,
    evaluatedCount: 0,
    targetDoses,
    historyLimit: 0,
  };
  // §6.2 with the date administered as reference date (CONDSKIP-2) and as selection date
  // (RELEVANT-1); like the position, one object moved forward, made on first use.
  let skipQuery: Writable<SkipQuery> | undefined;
  let t = 0;
  for (let i = 0; i < evaluations.length; i++) {
    const evaluation = evaluations[i] as DoseEvaluationState;
    const patientDose = evaluation.antigenDose.patientDose;

    if (t >= targetDoses.length) {
      evaluation.reasons = reasonList('series-already-complete');
      continue;
    }
    if (!canBeEvaluated(patientDose.dose)) {
      evaluation.status = 'Sub-standard';
      evaluation.reasons = reasonList('sub-standard');
      evaluation.targetDose = targetDoses[t];
      continue;
    }

    position.evaluatedCount = i;
    position.historyLimit = patientDose.index;
    let target = targetDoses[t];
    if (skipQuery !== undefined) {
      skipQuery.referenceDate = patientDose.date;
      skipQuery.selectionDate = patientDose.date;
    }
    while (
      target !== undefined &&
      target.seriesDose.conditionalSkips.length > 0 &&
      findConditionalSkip(
        pc,
        target.seriesDose,
        (skipQuery ??= {
          purpose: 'Evaluation',
          referenceDate: patientDose.date,
          selectionDate: patientDose.date,
          position,
          env,
        }),
      ) !== undefined
    ) {
      target.status = 'Skipped';
      t += 1;
      target = targetDoses[t];
    }
    if (target === undefined) {
      evaluation.reasons = reasonList('series-already-complete');
      continue;
    }
    evaluation.targetDose = target;
    const seriesDose = target.seriesDose;

    if (isInadvertentAdministration(seriesDose, patientDose.cvx)) {
      evaluation.status = 'Not Valid';
      evaluation.inadvertent = true;
      evaluation.reasons = reasonList('inadvertent-vaccine');
      continue;
    }

    const preferableInterval = evaluatePreferableIntervals(
      pc,
      seriesDose,
      patientDose.date,
      position,
    );
    const checks: TargetDoseChecks = {
      age: evaluateAge(pc, seriesDose, patientDose.date),
      interval:
        preferableInterval !== 'too-soon'
          ? preferableInterval
          : satisfiesAllowableIntervals(pc, seriesDose, patientDose.date, position)
            ? 'allowable'
            : 'too-soon',
      conflict:
        findImpactingConflict(pc, patientDose, (statusOf ??= statusLookup(evaluations))) !==
        undefined,
      vaccine:
        findPreferableVaccine(pc, seriesDose, patientDose) !== undefined
          ? 'preferable'
          : isAllowableVaccine(pc, seriesDose, patientDose)
            ? 'allowable'
            : 'neither',
    };
    const outcome = satisfyTargetDose(checks);
    evaluation.status = outcome.status;
    evaluation.reasons = outcome.reasons;
    if (outcome.satisfied) {
      target.status = 'Satisfied';
      target.satisfiedBy = evaluation;
      if (seriesDose.recurring) {
        insertRecurringDose(targetDoses, t);
      }
      t += 1;
    }
  }
  return ps;
}

/** The evaluation status of the dose at a history index, as the series has it so far. */
function statusLookup(
  evaluations: readonly DoseEvaluationState[],
): (historyIndex: number) => EvaluationStatus | undefined {
  return (historyIndex) => {
    for (const e of evaluations) {
      if (e.antigenDose.patientDose.index === historyIndex) {
        return e.status;
      }
    }
    return undefined;
  };
}

/** The state of a record before it is evaluated. */
function newEvaluation(antigenDose: AntigenDose): DoseEvaluationState {
  return {
    antigenDose,
    status: 'Extraneous',
    reasons: NO_REASONS,
    inadvertent: false,
    targetDose: undefined,
  };
}

/**
 * §4.4 step 5a: a new target dose identical to the recurring one, placed right after it; the
 * following target doses move down by one.
 */
function insertRecurringDose(targetDoses: TargetDose[], index: number): void {
  const current = targetDoses[index];
  if (current === undefined) {
    return;
  }
  targetDoses.splice(index + 1, 0, {
    number: current.number + 1,
    seriesDose: current.seriesDose,
    status: 'Not Satisfied',
    satisfiedBy: undefined,
  });
  for (let i = index + 2; i < targetDoses.length; i++) {
    const t = targetDoses[i];
    if (t !== undefined) {
      targetDoses[i] = { ...t, number: i + 1 };
    }
  }
}
