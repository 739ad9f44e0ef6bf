/**
 * §4.3–§4.5 for one antigen: create the relevant patient series (chapter 5), evaluate and
 * forecast each of them (§4.4, chapters 6 and 7), and select the best patient series
 * (chapter 8).
 */
import type { CalendarDate } from '../calendar';
import type { SeriesEnvironment } from './evaluate/evaluate-series';
import { evaluateSeries } from './evaluate/evaluate-series';
import { contraindicatedVaccines } from './forecast/contraindications';
import { hasEvidenceOfImmunity } from './forecast/evidence-of-immunity';
import { forecastSeries, type AntigenFacts } from './forecast/forecast-series';
import { organizeHistory, type AntigenDose } from './organize-history';
import { createPatientContext, type PatientContext } from './patient-context';
import type { PatientSeries } from './patient-series';
import { selectRelevantSeries } from './relevant-series';
import type { AntigenRules, AntigenSeries } from './rule-set';
import { selectBestPatientSeries } from './select-best-series';

/** The outcome of the logic for one antigen. */
export interface AntigenOutcome {
  readonly rules: AntigenRules;
  /** Every relevant patient series, evaluated and forecast, in supporting-data order. */
  readonly relevant: readonly PatientSeries[];
  /** The best patient series (one per non-redundant series group). */
  readonly best: readonly PatientSeries[];
}

/**
 * Evaluates and forecasts relevant series on demand, so that a conditional skip of type
 * 'Completed Series' (table 6-7) can ask for the status of another series group.
 */
class AntigenRun {
  private readonly done = new Map<AntigenSeries, PatientSeries>();
  private readonly running = new Set<AntigenSeries>();
  private readonly completeBefore = new Map<string, boolean>();
  readonly facts: AntigenFacts;
  readonly env: SeriesEnvironment;

  constructor(
    private readonly pc: PatientContext,
    private readonly rules: AntigenRules,
    private readonly doses: readonly AntigenDose[],
    readonly relevantSeries: readonly AntigenSeries[],
  ) {
    this.facts = {
      rules,
      immune: hasEvidenceOfImmunity(pc, rules),
      contraindicatedVaccines: contraindicatedVaccines(pc, rules),
    };
    this.env = {
      isSeriesGroupComplete: (group, asOf) => this.isSeriesGroupComplete(group, asOf),
    };
  }

  /** Evaluates and forecasts a series once; `undefined` while it is itself being computed. */
  run(series: AntigenSeries): PatientSeries | undefined {
    const known = this.done.get(series);
    if (known !== undefined || this.running.has(series)) {
      return known;
    }
    this.running.add(series);
    const ps = evaluateSeries(this.pc, series, this.doses, this.env);
    forecastSeries(this.pc, ps, this.facts, this.env);
    this.running.delete(series);
    this.done.set(series, ps);
    return ps;
  }

  /**
   * Table 6-7. On or after the assessment date the series' own forecast status decides. Before
   * it (evaluating a dose), the group is evaluated and forecast again with only the doses
   * administered before that date, as of that date: a standard series completed by later doses
   * must not make earlier risk-series doses skippable.
   */
  private isSeriesGroupComplete(group: string, asOf: CalendarDate): boolean {
    const inGroup = this.relevantSeries.filter((s) => s.seriesGroup === group);
    if (asOf.isOnOrAfter(this.pc.assessmentDate)) {
      return inGroup.some((s) => this.run(s)?.status === 'Complete');
    }
    const key = `${group}@${asOf.toString()}`;
    let complete = this.completeBefore.get(key);
    if (complete === undefined) {
      const history = this.pc.history;
      const earlier = createPatientContext(
        { ...history, doses: history.doses.filter((d) => d.dateAdministered.isBefore(asOf)) },
        this.pc.ruleSet,
        asOf,
      );
      const doses = organizeHistory(earlier).byAntigen.get(this.rules.antigen) ?? [];
      const sub = new AntigenRun(earlier, this.rules, doses, inGroup);
      complete = inGroup.some((s) => sub.run(s)?.status === 'Complete');
      this.completeBefore.set(key, complete);
    }
    return complete;
  }
}

/**
 * Runs chapters 5 to 8 for one antigen.
 *
 * @param pc - The call context.
 * @param rules - The antigen's supporting data.
 * @param doses - The antigen's administered records, in date order.
 */
export function evaluateAndForecastAntigen(
  pc: PatientContext,
  rules: AntigenRules,
  doses: readonly AntigenDose[],
): AntigenOutcome {
  const antigenRun = new AntigenRun(pc, rules, doses, selectRelevantSeries(pc, rules.series));
  const relevant: PatientSeries[] = [];
  for (const series of antigenRun.relevantSeries) {
    const ps = antigenRun.run(series);
    if (ps !== undefined) {
      relevant.push(ps);
    }
  }
  return { rules, relevant, best: selectBestPatientSeries(pc, relevant) };
}
