/**
 * §4.3–§4.5 for one antigen: create the relevant patient series (chapter 5), evaluate and
 * forecast each of them (§4.4, chapters 6 and 7), and select the best patient series
 * (chapter 8).
 */
import type { CalendarDate } from '../calendar';
import { evaluateAge } from './evaluate/age';
import { isAllowableVaccine } from './evaluate/allowable-vaccine';
import { canBeEvaluated } from './evaluate/dose-condition';
import type { SeriesEnvironment } from './evaluate/evaluate-series';
import { evaluateSeries } from './evaluate/evaluate-series';
import { isInadvertentAdministration } from './evaluate/inadvertent-vaccine';
import { findPreferableVaccine } from './evaluate/preferable-vaccine';
import { contraindicatedVaccines, hasAntigenContraindication } from './forecast/contraindications';
import { hasEvidenceOfImmunity } from './forecast/evidence-of-immunity';
import { forecastSeries, type AntigenFacts } from './forecast/forecast-series';
import { organizeHistory, type AntigenDose } from './organize-history';
import { createPatientContext, type PatientContext } from './patient-context';
import type { PatientSeries } from './patient-series';
import { selectRelevantSeries } from './relevant-series';
import type { AntigenRules, AntigenSeries, RuleSet, SeriesDose } from './rule-set';
import { sameRules } from './same-rules';
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

const NO_SERIES: readonly PatientSeries[] = Object.freeze([]);

/** {@link AntigenRun} states of a series' forecast. */
const DONE = 1;
const RUNNING = 2;

/**
 * Evaluates and forecasts relevant series on demand, so that a conditional skip of type
 * 'Completed Series' (table 6-7) can ask for the status of another series group.
 */
class AntigenRun implements AntigenFacts, SeriesEnvironment {
  /**
   * Per relevant series (same index as `relevantSeries`): the evaluated patient series, and
   * whether its forecast is done (1) or being computed (2); an empty slot reads `undefined` (not
   * evaluated, not started). Arrays rather than maps: an antigen has a handful of relevant
   * series, often one.
   */
  private readonly evaluated: (PatientSeries | undefined)[];
  private readonly state: (number | undefined)[];
  private completeBefore: Map<string, boolean> | undefined;
  // The run is itself the antigen facts of its series' forecasts (§7.2, §7.3) and their access
  // to the other series (table 6-7): no separate objects or bound closure per antigen.
  readonly immune: boolean;
  readonly contraindicatedVaccines: ReadonlySet<string>;

  constructor(
    private readonly pc: PatientContext,
    readonly rules: AntigenRules,
    readonly doses: readonly AntigenDose[],
    readonly relevantSeries: readonly AntigenSeries[],
  ) {
    // Exactly sized (pushing would allocate room for 16 entries, for every antigen) and left
    // empty: `fill` is a builtin call that costs more than the rest of this constructor.
    this.evaluated = new Array<PatientSeries | undefined>(relevantSeries.length);
    this.state = new Array<number | undefined>(relevantSeries.length);
    this.completeBefore = undefined;
    this.immune = hasEvidenceOfImmunity(pc, rules);
    this.contraindicatedVaccines = contraindicatedVaccines(pc, rules);
  }

  /** Evaluates a series once (chapter 6); its forecast is still to be made. */
  evaluate(series: AntigenSeries): PatientSeries {
    const i = this.relevantSeries.indexOf(series);
    let ps = this.evaluated[i];
    if (ps === undefined) {
      ps = evaluateSeries(this.pc, series, this.doses, this);
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
    forecastSeries(this.pc, ps, this, this);
    this.state[i] = DONE;
    return ps;
  }

  /**
   * Table 6-7. On or after the assessment date the series' own forecast status decides. Before
   * it (evaluating a dose), the group is evaluated and forecast again with only the doses
   * administered before that date, as of that date: a standard series completed by later doses
   * must not make earlier risk-series doses skippable.
   */
  isSeriesGroupComplete(group: string, asOf: CalendarDate): boolean {
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
 *   whatever the others' forecasts are;
 * - a series group made only of standard series, without a default series, whose series a
 *   patient without doses cannot tell apart (see {@link forecastsAlikeWithoutDoses}) needs only
 *   the one SELECTBEST-2 picks among equal scores: the first with the best series preference.
 *   Only when no vaccine contraindication applies to the antigen (`vaccinesContraindicated`
 *   false): one would make the series whose preferable vaccines it covers 'Contraindicated'
 *   (table 7-7) and so not candidates (SELECTB-24).
 * This keeps a forecast fast for the many antigens a patient has no dose of.
 */
function seriesToRun(
  ruleSet: RuleSet,
  relevant: readonly AntigenSeries[],
  doses: readonly AntigenDose[],
  vaccinesContraindicated: boolean,
): readonly AntigenSeries[] {
  if (doses.length > 0) {
    return relevant;
  }
  let known = withoutDoses.get(relevant);
  if (known === undefined) {
    known = {
      toRun: withoutDosesToRun(ruleSet, relevant, false),
      alikeOnce: withoutDosesToRun(ruleSet, relevant, true),
    };
    withoutDoses.set(relevant, known);
  }
  return vaccinesContraindicated ? known.toRun : known.alikeOnce;
}

/** {@link seriesToRun} without doses, with or without the reduction of alike series. */
function withoutDosesToRun(
  ruleSet: RuleSet,
  relevant: readonly AntigenSeries[],
  alikeOnce: boolean,
): readonly AntigenSeries[] {
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
    if (!list.every((s) => s.seriesType === 'Standard')) {
      continue;
    }
    const defaults = list.filter((s) => s.defaultSeries);
    const onlyDefault = defaults[0];
    if (defaults.length === 1 && onlyDefault !== undefined) {
      decided.set(group, onlyDefault);
    } else if (
      alikeOnce &&
      defaults.length === 0 &&
      list.every((s) => forecastsAlikeWithoutDoses(ruleSet, list[0] as AntigenSeries, s))
    ) {
      // SELECTBEST-2: equal scores go to the best (lowest) series preference, the first one
      // on a tie (an absent preference ranks last).
      let chosen = list[0] as AntigenSeries;
      for (const s of list) {
        if ((s.seriesPreference ?? Infinity) < (chosen.seriesPreference ?? Infinity)) {
          chosen = s;
        }
      }
      decided.set(group, chosen);
    }
  }
  return relevant.filter((s) => {
    if (s.seriesType === 'Evaluation Only') {
      return false;
    }
    const d = decided.get(s.seriesGroup);
    return d === undefined || d === s;
  });
}

/**
 * Whether two standard series of a series group without a default series get the same score
 * from table 8-11 for every patient without doses, so that SELECTBEST-2 decides between them by
 * series preference alone. Without doses no target dose is satisfied, so neither series is
 * complete nor in process and both are scorable (SELECTSCORE-2: no valid dose in the group, no
 * default series; both candidates when no vaccine contraindication applies, see
 * {@link seriesToRun}); table 8-5 then scores them with table 8-11:
 * - earliest date: the forecast is of the first target dose (it has no conditional skip, so
 *   neither §7.1 nor §7.6 skips it), and its forecast need (table 7-10) and candidate earliest
 *   date (FORECASTDTCAN-1) come from antigen facts shared by both series and from that dose's
 *   age, interval and seasonal recommendation components, which are equal; its preferable
 *   vaccines have no live virus conflict (CALCDTCONFLICT-3 does not apply), and no dose was
 *   evaluated. So both have the same earliest date, or both no forecast;
 * - completable (SELECTB-3): the last target dose of each has no maximum age, so a series is
 *   completable exactly when it has a forecast — both or neither;
 * - product path: the same flag.
 */
function forecastsAlikeWithoutDoses(ruleSet: RuleSet, a: AntigenSeries, b: AntigenSeries): boolean {
  const first = (s: AntigenSeries) => s.doses[0];
  const fa = first(a);
  const fb = first(b);
  const lastWithoutMaxAge = (s: AntigenSeries) =>
    s.doses[s.doses.length - 1]?.ages.every((age) => age.maxAge === undefined) === true;
  const noConflict = (d: SeriesDose) =>
    d.preferableVaccines.every((v) => !ruleSet.liveVirusConflictsByCurrent.has(v.cvx));
  return (
    fa !== undefined &&
    fb !== undefined &&
    a.seriesType === 'Standard' &&
    b.seriesType === 'Standard' &&
    a.productPath === b.productPath &&
    fa.conditionalSkips.length === 0 &&
    fb.conditionalSkips.length === 0 &&
    noConflict(fa) &&
    noConflict(fb) &&
    lastWithoutMaxAge(a) &&
    lastWithoutMaxAge(b) &&
    sameRules(fa.ages, fb.ages) &&
    sameRules(fa.intervals, fb.intervals) &&
    sameRules(fa.seasonalRecommendation, fb.seasonalRecommendation)
  );
}

/**
 * {@link seriesToRun} for a patient without doses depends only on the relevant series list,
 * which is shared between calls for patients without observations: remember it, with and
 * without the reduction of alike series.
 */
const withoutDoses = new WeakMap<
  readonly AntigenSeries[],
  { readonly toRun: readonly AntigenSeries[]; readonly alikeOnce: readonly AntigenSeries[] }
>();

/**
 * Among series that have been evaluated, those whose forecast can matter. In a series group made
 * only of standard series where some series has a valid dose, a non-default series without a
 * valid dose can never be prioritized: it is not scorable (SELECTSCORE-2 needs a valid dose, or
 * no valid dose in the whole group), and only a default series is chosen without being scorable
 * (table 8-3). Its forecast is skipped, and so is its evaluation when {@link mayHaveValidDose}
 * proves that it has no valid dose (most such series: the patient's vaccines or ages do not fit
 * their first doses). Applied only when no contraindication applies to the
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
    antigenRun.contraindicatedVaccines.size > 0 ||
    hasAntigenContraindication(pc, antigenRun.rules)
  ) {
    return candidates;
  }
  // An antigen has a handful of candidates: flags by index and linear scans of the groups cost
  // less than sets and maps built for every antigen with doses.
  // A default series is always forecast, so it is evaluated anyway; another one is evaluated
  // only when it may have a valid dose (otherwise it has none, and its evaluation may be spared).
  const valid = new Array<boolean>(candidates.length);
  for (let i = 0; i < candidates.length; i++) {
    const series = candidates[i] as AntigenSeries;
    valid[i] =
      (series.defaultSeries || mayHaveValidDose(pc, series, antigenRun.doses)) &&
      hasValidDose(antigenRun.evaluate(series));
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

/**
 * What {@link mayHaveValidDose} needs of an antigen series, derived from the rule set once per
 * series: how far into the series the first valid dose can be evaluated, and whether evaluating
 * the series may ask about other series.
 */
interface ValidityReach {
  /**
   * The index of the first series dose that cannot be skipped in evaluation (no conditional
   * skip of context 'Evaluation' or 'Both', table 6-11); the last index when every one can be;
   * -1 for a series without doses.
   */
  readonly reach: number;
  /**
   * Whether some conditional skip has a 'Completed Series' condition (table 6-7): evaluating
   * such a series may evaluate and forecast other series of the antigen, so it is always
   * evaluated where it was (the order of those nested runs is left as it is).
   */
  readonly asksOtherSeries: boolean;
  /**
   * The vaccine types (canonical CVX) of the preferable and allowable vaccines of the series
   * doses up to `reach`: a dose of another type cannot be valid (a quick first test).
   */
  readonly vaccineTypes: ReadonlySet<string>;
}

const validityReaches = new WeakMap<AntigenSeries, ValidityReach>();

function validityReach(series: AntigenSeries): ValidityReach {
  let known = validityReaches.get(series);
  if (known === undefined) {
    let reach = -1;
    let asksOtherSeries = false;
    for (let i = 0; i < series.doses.length; i++) {
      let skippable = false;
      for (const skip of (series.doses[i] as SeriesDose).conditionalSkips) {
        skippable ||= skip.context !== 'Forecast';
        for (const set of skip.sets) {
          asksOtherSeries ||= set.conditions.some((c) => c.type === 'Completed Series');
        }
      }
      if (reach === -1 && !skippable) {
        reach = i;
      }
    }
    if (reach === -1) {
      reach = series.doses.length - 1;
    }
    const vaccineTypes = new Set<string>();
    for (let i = 0; i <= reach; i++) {
      const seriesDose = series.doses[i] as SeriesDose;
      for (const v of seriesDose.preferableVaccines) {
        vaccineTypes.add(v.cvx);
      }
      for (const v of seriesDose.allowableVaccines) {
        vaccineTypes.add(v.cvx);
      }
    }
    known = { reach, asksOtherSeries, vaccineTypes };
    validityReaches.set(series, known);
  }
  return known;
}

/**
 * A necessary condition for a patient series to have a valid dose, much cheaper than evaluating
 * it (§4.4, figure 6-1): `false` proves that no dose can be 'Valid'. The first valid dose of a
 * series is evaluated against a target dose all of whose predecessors were skipped (a target
 * dose is passed over only when skipped or satisfied, and skipping in evaluation needs a
 * conditional skip of context 'Evaluation' or 'Both', table 6-11), so against one of the series
 * doses up to the first one that cannot be skipped. To be 'Valid' (table 6-31) the dose must be
 * evaluable (table 6-3), not an inadvertent administration (table 6-13), neither too young nor
 * too old (table 6-15) and a preferable or allowable vaccine (tables 6-26, 6-29): the same
 * functions as the evaluation decide each of these here. A series whose evaluation may ask about
 * other series (table 6-7) is not examined: `true`, so that it is evaluated as before.
 *
 * @param pc - The call context.
 * @param series - The antigen series.
 * @param doses - The antigen's administered records.
 */
function mayHaveValidDose(
  pc: PatientContext,
  series: AntigenSeries,
  doses: readonly AntigenDose[],
): boolean {
  const { reach, asksOtherSeries, vaccineTypes } = validityReach(series);
  if (asksOtherSeries) {
    return true;
  }
  for (const antigenDose of doses) {
    const patientDose = antigenDose.patientDose;
    if (!vaccineTypes.has(patientDose.cvx) || !canBeEvaluated(patientDose.dose)) {
      continue;
    }
    for (let j = 0; j <= reach; j++) {
      const seriesDose = series.doses[j];
      if (seriesDose === undefined || isInadvertentAdministration(seriesDose, patientDose.cvx)) {
        continue;
      }
      const age = evaluateAge(pc, seriesDose, patientDose.date);
      if (age === 'too-old' || age === 'too-young') {
        continue;
      }
      if (
        findPreferableVaccine(pc, seriesDose, patientDose) !== undefined ||
        isAllowableVaccine(pc, seriesDose, patientDose)
      ) {
        return true;
      }
    }
  }
  return false;
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
    return { rules, relevant: NO_SERIES, prioritized: NO_SERIES, best: NO_SERIES };
  }
  const antigenRun = new AntigenRun(pc, rules, doses, relevantSeries);
  const toRun = seriesWorthForecasting(
    pc,
    antigenRun,
    seriesToRun(pc.ruleSet, relevantSeries, doses, antigenRun.contraindicatedVaccines.size > 0),
  );
  // Exactly sized, filled by a plain loop (cheaper than `map` with a callback, for every
  // antigen); a series is missing only while it is itself being run (table 6-7 cycles).
  const runs = new Array<PatientSeries | undefined>(toRun.length);
  let missing = false;
  for (let i = 0; i < toRun.length; i++) {
    const ps = antigenRun.run(toRun[i] as AntigenSeries);
    runs[i] = ps;
    missing ||= ps === undefined;
  }
  const relevant = missing
    ? runs.filter((ps): ps is PatientSeries => ps !== undefined)
    : (runs as PatientSeries[]);
  const selection = selectBestPatientSeries(pc, relevant);
  return { rules, relevant, prioritized: selection.prioritized, best: selection.best };
}
