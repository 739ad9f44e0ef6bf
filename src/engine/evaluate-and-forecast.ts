/**
 * §4.3–§4.5 for one antigen: create the relevant patient series (chapter 5), evaluate and
 * forecast each of them (§4.4, chapters 6 and 7), and select the best patient series
 * (chapter 8).
 */
import type { CalendarDate } from '../calendar';
import type { SeriesEnvironment } from './evaluate/evaluate-series';
import { evaluateSeries } from './evaluate/evaluate-series';
import { contraindicatedVaccines, hasAntigenContraindication } from './forecast/contraindications';
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
  /** The prioritized patient series, one per series group that has one (§8.7). */
  readonly prioritized: readonly PatientSeries[];
  /** The best patient series (one per non-redundant series group, §8.8). */
  readonly best: readonly PatientSeries[];
}

/** {@link AntigenRun} states of a series' forecast. */
const DONE = 1;
const RUNNING = 2;

/**
 * Evaluates and forecasts relevant series on demand, so that a conditional skip of type
 * 'Completed Series' (table 6-7) can ask for the status of another series group.
 */
class AntigenRun {
  /**
   * Per relevant series (same index as `relevantSeries`): the evaluated patient series, and
   * whether its forecast is done (1) or being computed (2). Arrays rather than maps: an antigen
   * has a handful of relevant series, often one.
   */
  private readonly evaluated: (PatientSeries | undefined)[];
  private readonly state: number[];
  private completeBefore: Map<string, boolean> | undefined;
  readonly facts: AntigenFacts;
  readonly env: SeriesEnvironment;

  constructor(
    private readonly pc: PatientContext,
    private readonly rules: AntigenRules,
    private readonly doses: readonly AntigenDose[],
    readonly relevantSeries: readonly AntigenSeries[],
  ) {
    // Exactly sized (pushing would allocate room for 16 entries, for every antigen).
    this.evaluated = new Array<PatientSeries | undefined>(relevantSeries.length).fill(undefined);
    this.state = new Array<number>(relevantSeries.length).fill(0);
    this.completeBefore = undefined;
    this.facts = {
      rules,
      immune: hasEvidenceOfImmunity(pc, rules),
      contraindicatedVaccines: contraindicatedVaccines(pc, rules),
    };
    this.env = {
      isSeriesGroupComplete: (group, asOf) => this.isSeriesGroupComplete(group, asOf),
    };
  }

  /** Evaluates a series once (chapter 6); its forecast is still to be made. */
  evaluate(series: AntigenSeries): PatientSeries {
    const i = this.relevantSeries.indexOf(series);
    let ps = this.evaluated[i];
    if (ps === undefined) {
      ps = evaluateSeries(this.pc, series, this.doses, this.env);
      this.evaluated[i] = ps;
    }
    return ps;
  }

  /** Evaluates and forecasts a series once; `undefined` while it is itself being computed. */
  run(series: AntigenSeries): PatientSeries | undefined {
    const i = this.relevantSeries.indexOf(series);
    const state = this.state[i];
    if (state === DONE) {
      return this.evaluated[i];
    }
    if (state === RUNNING) {
      return undefined;
    }
    this.state[i] = RUNNING;
    const ps = this.evaluate(series);
    forecastSeries(this.pc, ps, this.facts, this.env);
    this.state[i] = DONE;
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
    this.completeBefore ??= new Map();
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
 * The relevant series that need evaluating and forecasting. All of them, except when the patient
 * has no dose of the antigen:
 * - an 'Evaluation Only' series is scorable only when complete (SELECTSCORE-2), and a series
 *   without a satisfied target dose is never complete (table 7-10): it is left out;
 * - a series group made only of standard series and with one default series needs only that
 *   one: no standard series has a valid dose, so none is scorable while a default exists
 *   (SELECTSCORE-2), and table 8-3 then makes the default series the prioritized patient series
 *   whatever the others' forecasts are.
 * This keeps a forecast fast for the many antigens a patient has no dose of.
 */
function seriesToRun(
  relevant: readonly AntigenSeries[],
  doses: readonly AntigenDose[],
): readonly AntigenSeries[] {
  if (doses.length > 0) {
    return relevant;
  }
  const known = withoutDoses.get(relevant);
  if (known !== undefined) {
    return known;
  }
  const decided = new Map<string, AntigenSeries>();
  const groups = new Map<string, AntigenSeries[]>();
  for (const s of relevant) {
    if (s.seriesType === 'Evaluation Only') {
      continue;
    }
    const list = groups.get(s.seriesGroup);
    if (list === undefined) {
      groups.set(s.seriesGroup, [s]);
    } else {
      list.push(s);
    }
  }
  for (const [group, list] of groups) {
    const defaults = list.filter((s) => s.defaultSeries);
    const onlyDefault = defaults[0];
    if (
      defaults.length === 1 &&
      onlyDefault !== undefined &&
      list.every((s) => s.seriesType === 'Standard')
    ) {
      decided.set(group, onlyDefault);
    }
  }
  const toRun = relevant.filter((s) => {
    if (s.seriesType === 'Evaluation Only') {
      return false;
    }
    const d = decided.get(s.seriesGroup);
    return d === undefined || d === s;
  });
  withoutDoses.set(relevant, toRun);
  return toRun;
}

/**
 * {@link seriesToRun} for a patient without doses depends only on the relevant series list,
 * which is shared between calls for patients without observations: remember it.
 */
const withoutDoses = new WeakMap<readonly AntigenSeries[], readonly AntigenSeries[]>();

/**
 * Among series that have been evaluated, those whose forecast can matter. In a series group made
 * only of standard series where some series has a valid dose, a non-default series without a
 * valid dose can never be prioritized: it is not scorable (SELECTSCORE-2 needs a valid dose, or
 * no valid dose in the whole group), and only a default series is chosen without being scorable
 * (table 8-3). Its forecast is skipped. Applied only when no contraindication applies to the
 * antigen (no antigen contraindication, no contraindicated vaccine type: tables 7-5 to 7-7), so
 * that no series can be 'Contraindicated' and make the group's statuses matter (SELECTB-24).
 */
function seriesWorthForecasting(
  pc: PatientContext,
  antigenRun: AntigenRun,
  candidates: readonly AntigenSeries[],
): readonly AntigenSeries[] {
  if (
    candidates.length < 2 ||
    antigenRun.facts.contraindicatedVaccines.size > 0 ||
    hasAntigenContraindication(pc, antigenRun.facts.rules)
  ) {
    return candidates;
  }
  // An antigen has a handful of candidates: flags by index and linear scans of the groups cost
  // less than sets and maps built for every antigen with doses.
  const valid: boolean[] = [];
  for (const series of candidates) {
    valid.push(hasValidDose(antigenRun.evaluate(series)));
  }
  let kept: AntigenSeries[] | undefined;
  for (let i = 0; i < candidates.length; i++) {
    const series = candidates[i] as AntigenSeries;
    let keep = series.defaultSeries || valid[i] === true;
    if (!keep) {
      let mixed = false;
      let groupHasValid = false;
      for (let j = 0; j < candidates.length; j++) {
        const other = candidates[j] as AntigenSeries;
        if (other.seriesGroup === series.seriesGroup) {
          mixed ||= other.seriesType !== 'Standard';
          groupHasValid ||= valid[j] === true;
        }
      }
      keep = mixed || !groupHasValid;
    }
    if (keep) {
      kept?.push(series);
    } else {
      kept ??= candidates.slice(0, i);
    }
  }
  return kept ?? candidates;
}

function hasValidDose(ps: PatientSeries): boolean {
  for (const e of ps.evaluations) {
    if (e.status === 'Valid') {
      return true;
    }
  }
  return false;
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
  const relevantSeries = selectRelevantSeries(pc, rules.series);
  if (relevantSeries.length === 0) {
    return { rules, relevant: [], prioritized: [], best: [] };
  }
  const antigenRun = new AntigenRun(pc, rules, doses, relevantSeries);
  const relevant: PatientSeries[] = [];
  for (const series of seriesWorthForecasting(pc, antigenRun, seriesToRun(relevantSeries, doses))) {
    const ps = antigenRun.run(series);
    if (ps !== undefined) {
      relevant.push(ps);
    }
  }
  const selection = selectBestPatientSeries(pc, relevant);
  return { rules, relevant, prioritized: selection.prioritized, best: selection.best };
}
