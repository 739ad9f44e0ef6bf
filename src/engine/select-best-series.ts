/**
 * Chapter 8 Select best patient series: per series group, pre-filter (§8.1), look for a single
 * prioritized series (§8.2), otherwise classify and score (§8.3–§8.6) and pick the highest score
 * (§8.7); then keep the prioritized series that are best (§8.8, table 8-14).
 */
import { addDuration, type CalendarDate } from '../calendar';
import { maximumAgeDate } from './forecast/forecast-dates';
import type { PatientContext } from './patient-context';
import { validDoseCount, type PatientSeries } from './patient-series';

function hasValidDose(ps: PatientSeries): boolean {
  for (const e of ps.evaluations) {
    if (e.status === 'Valid') {
      return true;
    }
  }
  return false;
}

function firstValidDate(ps: PatientSeries): CalendarDate | undefined {
  for (const e of ps.evaluations) {
    if (e.status === 'Valid') {
      return e.antigenDose.patientDose.date;
    }
  }
  return undefined;
}

const NO_SERIES: readonly PatientSeries[] = Object.freeze([]);

/**
 * The relevant series a risk series' priority is compared with (SELECTSCORE-2). Our reading, for
 * the case where the highest-priority series cannot serve the patient: series that are
 * 'Aged Out' (no date to forecast from, table 7-10) are left out, and when some series of the
 * group already has a valid dose, only those compete — a started series of lower priority is
 * not dropped for a higher-priority one the patient has no valid dose in.
 */
function riskCompetitors(group: readonly PatientSeries[]): readonly PatientSeries[] {
  const viable = group.filter((g) => g.status !== 'Aged Out');
  const candidates = viable.length === 0 ? group : viable;
  const started = candidates.filter(hasValidDose);
  return started.length === 0 ? candidates : started;
}

/**
 * SELECTSCORE-2: the scorable patient series of a series group, in group order.
 * - Risk: its series priority is the same as or higher than that of every relevant series of
 *   the group ('A' is highest), and it is a candidate;
 * - Standard: its first valid dose was given before the maximum age to start, and it is a
 *   candidate;
 * - Standard: no series of the group has a valid dose, the group has no default series, and it
 *   is a candidate;
 * - Evaluation Only: it is complete.
 * A candidate (SELECTB-24) is not 'Contraindicated', unless every relevant series of its series
 * group is. The facts about the whole group are gathered once, in one pass.
 *
 * @param pc - The call context.
 * @param group - The relevant patient series of one series group.
 */
function scorableSeries(pc: PatientContext, group: readonly PatientSeries[]): PatientSeries[] {
  let allContraindicated = true;
  let noValidDose = true;
  let hasDefault = false;
  let hasRisk = false;
  for (const g of group) {
    allContraindicated &&= g.status === 'Contraindicated';
    noValidDose &&= validDoseCount(g) === 0 && !hasValidDose(g);
    hasDefault ||= g.series.defaultSeries;
    hasRisk ||= g.series.seriesType === 'Risk';
  }
  const competitors = hasRisk ? riskCompetitors(group) : NO_SERIES;
  const scorable: PatientSeries[] = [];
  for (const ps of group) {
    const series = ps.series;
    const candidate = ps.status !== 'Contraindicated' || allContraindicated;
    let isScorable: boolean;
    switch (series.seriesType) {
      case 'Risk':
        isScorable =
          competitors.includes(ps) &&
          competitors.every((g) => series.seriesPriority <= g.series.seriesPriority) &&
          candidate;
        break;
      case 'Standard': {
        const first = candidate ? firstValidDate(ps) : undefined;
        isScorable =
          candidate &&
          (first !== undefined
            ? series.maxAgeToStart === undefined || first.isBefore(pc.ageDate(series.maxAgeToStart))
            : noValidDose && !hasDefault);
        break;
      }
      case 'Evaluation Only':
        isScorable = ps.status === 'Complete';
        break;
    }
    if (isScorable) {
      scorable.push(ps);
    }
  }
  return scorable;
}

/** SELECTB-6. */
function isComplete(ps: PatientSeries): boolean {
  return ps.status === 'Complete';
}

/** SELECTB-16. */
function isInProcess(ps: PatientSeries): boolean {
  return ps.status === 'Not Complete' && ps.targetDoses.some((t) => t.status === 'Satisfied');
}

/**
 * SELECTB-12: the forecast finish date — the forecast's earliest date plus the minimum interval
 * of each remaining target dose after the forecast one (the largest when a dose has several).
 */
function forecastFinishDate(ps: PatientSeries): CalendarDate | undefined {
  const forecast = ps.forecast;
  if (forecast === undefined) {
    return undefined;
  }
  let date = forecast.earliestDate;
  const start = ps.targetDoses.indexOf(forecast.targetDose);
  for (let i = start + 1; i < ps.targetDoses.length; i++) {
    const t = ps.targetDoses[i];
    if (t === undefined || t.status !== 'Not Satisfied') {
      continue;
    }
    let next = date;
    for (const interval of t.seriesDose.intervals) {
      if (interval.minInt !== undefined) {
        const candidate = addDuration(date, interval.minInt);
        if (candidate.isAfter(next)) {
          next = candidate;
        }
      }
    }
    date = next;
  }
  return date;
}

/**
 * SELECTB-3: the forecast finish date is before the maximum age date of the last target dose.
 *
 * @param finish - The series' forecast finish date (SELECTB-12), when the caller has it already.
 */
function isCompletable(
  pc: PatientContext,
  ps: PatientSeries,
  finish: CalendarDate | undefined = forecastFinishDate(ps),
): boolean {
  if (finish === undefined) {
    return false;
  }
  const last = ps.targetDoses[ps.targetDoses.length - 1];
  const max = last === undefined ? undefined : maximumAgeDate(pc, last.seriesDose);
  return max === undefined || finish.isBefore(max);
}

/**
 * Adds the points of a "best value" condition (tables 8-7, 8-9, 8-11) to `score` (same index as
 * `values`): `win` when the series alone has the best value, 0 when two or more share it, `-win`
 * otherwise. `undefined` values never win. `better(a, b) > 0` when `a` is better than `b`.
 */
function addBestValuePoints<T>(
  score: number[],
  values: readonly (T | undefined)[],
  better: (a: T, b: T) => number,
  win: number,
): void {
  let best: T | undefined;
  for (const v of values) {
    if (v !== undefined && (best === undefined || better(v, best) > 0)) {
      best = v;
    }
  }
  let winners = 0;
  if (best !== undefined) {
    for (const v of values) {
      if (v !== undefined && better(v, best) === 0) {
        winners += 1;
      }
    }
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const wins = best !== undefined && v !== undefined && better(v, best) === 0;
    score[i] = (score[i] ?? 0) + (wins ? (winners > 1 ? 0 : win) : -win);
  }
}

/** Comparisons for {@link addBestValuePoints} (module functions: no closure per scoring). */
const more = (a: number, b: number): number => a - b;
const fewer = (a: number, b: number): number => b - a;
const earlier = (a: CalendarDate, b: CalendarDate): number => b.compare(a);

/** The number of target doses still 'Not Satisfied'. */
function notSatisfiedCount(ps: PatientSeries): number {
  let n = 0;
  for (const t of ps.targetDoses) {
    if (t.status === 'Not Satisfied') {
      n += 1;
    }
  }
  return n;
}

/** Table 8-9, product patient series: every evaluated dose that tracks a target dose is valid. */
function allTrackedDosesValid(ps: PatientSeries): boolean {
  for (const e of ps.evaluations) {
    if (e.targetDose !== undefined && e.status !== 'Valid') {
      return false;
    }
  }
  return true;
}

/** Table 8-7: complete patient series. */
function scoreComplete(series: readonly PatientSeries[]): number[] {
  const score = series.map(() => 0);
  addBestValuePoints(score, series.map(validDoseCount), more, 1);
  return score;
}

/**
 * Table 8-9: in-process patient series. The two flag conditions (no "two or more" column,
 * "n/a") start the score; the best-value ones are added.
 */
function scoreInProcess(pc: PatientContext, series: readonly PatientSeries[]): number[] {
  // Each finish date once: it serves SELECTB-3 and the finish date condition.
  const finish = series.map(forecastFinishDate);
  const completable = series.map((ps, i) => isCompletable(pc, ps, finish[i]));
  const score = series.map(
    (ps, i) =>
      (ps.series.productPath && allTrackedDosesValid(ps) ? 2 : -2) + (completable[i] ? 3 : -3),
  );
  addBestValuePoints(score, series.map(validDoseCount), more, 2);
  addBestValuePoints(score, series.map(notSatisfiedCount), fewer, 2);
  addBestValuePoints(
    score,
    series.map((_, i) => (completable[i] === true ? finish[i] : undefined)),
    earlier,
    1,
  );
  return score;
}

/**
 * Table 8-11: scorable patient series without valid doses. The flag conditions (completable;
 * product patient series, which loses a point) start the score; the earliest date is added.
 */
function scoreNoValidDoses(pc: PatientContext, series: readonly PatientSeries[]): number[] {
  const score = series.map(
    (ps) => (isCompletable(pc, ps) ? 1 : -1) + (ps.series.productPath ? -1 : 1),
  );
  addBestValuePoints(
    score,
    series.map((ps) => ps.forecast?.earliestDate),
    earlier,
    1,
  );
  return score;
}

/** SELECTBEST-2: the highest score; ties go to the best (lowest) series preference. */
function highestScore(
  series: readonly PatientSeries[],
  scores: readonly number[],
): PatientSeries | undefined {
  let best: PatientSeries | undefined;
  let bestScore = -Infinity;
  series.forEach((ps, i) => {
    const score = scores[i] ?? -Infinity;
    if (
      best === undefined ||
      score > bestScore ||
      (score === bestScore &&
        (ps.series.seriesPreference ?? Infinity) < (best.series.seriesPreference ?? Infinity))
    ) {
      best = ps;
      bestScore = score;
    }
  });
  return best;
}

/**
 * §8.1–§8.7: the prioritized patient series of one series group, or `undefined` when the group
 * has none.
 *
 * @param pc - The call context.
 * @param group - The relevant patient series of one series group, in supporting-data order.
 */
export function selectPrioritizedSeries(
  pc: PatientContext,
  group: readonly PatientSeries[],
): PatientSeries | undefined {
  const only = group[0];
  if (group.length === 1 && only?.series.defaultSeries === true) {
    // A group of one default series: it is the prioritized series whether or not it is
    // scorable (table 8-3, first two columns).
    return only;
  }
  const scorable = scorableSeries(pc, group);
  let defaults = 0;
  let theDefault: PatientSeries | undefined;
  for (const ps of group) {
    if (ps.series.defaultSeries) {
      defaults += 1;
      theDefault = ps;
    }
  }
  if (defaults !== 1) {
    theDefault = undefined;
  }
  // Table 8-3.
  if (scorable.length === 0) {
    return theDefault;
  }
  if (scorable.length === 1) {
    return scorable[0];
  }
  // Counted first: the lists are built only when two or more must be scored.
  let completeCount = 0;
  let firstComplete: PatientSeries | undefined;
  let inProcessCount = 0;
  let firstInProcess: PatientSeries | undefined;
  for (const ps of scorable) {
    if (isComplete(ps)) {
      completeCount += 1;
      firstComplete ??= ps;
    }
    if (isInProcess(ps)) {
      inProcessCount += 1;
      firstInProcess ??= ps;
    }
  }
  if (completeCount === 1) {
    return firstComplete;
  }
  if (completeCount === 0 && inProcessCount === 1) {
    return firstInProcess;
  }
  if (completeCount === 0 && inProcessCount === 0 && theDefault !== undefined) {
    return theDefault;
  }
  // Table 8-5, then tables 8-7, 8-9, 8-11 and SELECTBEST-1/2.
  if (completeCount >= 2) {
    const complete = scorable.filter(isComplete);
    return highestScore(complete, scoreComplete(complete));
  }
  if (inProcessCount >= 2) {
    const inProcess = scorable.filter(isInProcess);
    return highestScore(inProcess, scoreInProcess(pc, inProcess));
  }
  if (scorable.every((ps) => validDoseCount(ps) === 0)) {
    return highestScore(scorable, scoreNoValidDoses(pc, scorable));
  }
  // Not covered by table 8-5 (e.g. series with valid doses that are neither complete nor in
  // process, such as aged-out ones): score them as in-process series.
  return highestScore(scorable, scoreInProcess(pc, scorable));
}

/**
 * Whether `other` belongs to one of the equivalent series groups of `ps` (its own
 * `equivalentSeriesGroups`; the relation is not symmetric in the supporting data — the HepB
 * dialysis risk series names none, so a complete standard series does not replace it).
 */
function isInEquivalentGroup(ps: PatientSeries, other: PatientSeries): boolean {
  return ps.series.equivalentSeriesGroups.includes(other.series.seriesGroup);
}

/**
 * §8.8 Table 8-14: which prioritized patient series are best patient series.
 * - a complete prioritized series is best;
 * - otherwise it is not best when a prioritized series of an equivalent series group is complete,
 *   or when it is 'Evaluation Only';
 * - a risk series is then best;
 * - a standard series is best unless a prioritized series of an equivalent group is a risk series.
 *
 * @param prioritized - One prioritized patient series per series group.
 */
export function selectBestSeries(prioritized: readonly PatientSeries[]): PatientSeries[] {
  return prioritized.filter((ps) => {
    if (isComplete(ps)) {
      return true;
    }
    const equivalent = prioritized.filter((o) => o !== ps && isInEquivalentGroup(ps, o));
    if (equivalent.some(isComplete) || ps.series.seriesType === 'Evaluation Only') {
      return false;
    }
    if (ps.series.seriesType === 'Risk') {
      return true;
    }
    return !equivalent.some((o) => o.series.seriesType === 'Risk');
  });
}

/** A selection without any series (shared; never modified). */
const NO_SELECTION: SeriesSelection = { prioritized: [], best: [] };

/** The outcome of chapter 8 for one antigen. */
export interface SeriesSelection {
  /** One prioritized patient series per series group that has one (§8.1–§8.7). */
  readonly prioritized: readonly PatientSeries[];
  /** The best patient series among them (§8.8). */
  readonly best: readonly PatientSeries[];
}

/**
 * Chapter 8 for one antigen: the prioritized and best patient series among its relevant
 * patient series.
 *
 * @param pc - The call context.
 * @param relevant - The antigen's evaluated and forecast relevant patient series.
 */
export function selectBestPatientSeries(
  pc: PatientContext,
  relevant: readonly PatientSeries[],
): SeriesSelection {
  const firstGroup = relevant[0]?.series.seriesGroup;
  if (relevant.every((ps) => ps.series.seriesGroup === firstGroup)) {
    // One series group (most antigens, and every antigen with one relevant series): the list is
    // the group, no map to build. Table 8-14 with no other prioritized series keeps it unless
    // it is an incomplete 'Evaluation Only' series.
    const p = selectPrioritizedSeries(pc, relevant);
    if (p === undefined) {
      return NO_SELECTION;
    }
    const prioritized = [p];
    return {
      prioritized,
      best: isComplete(p) || p.series.seriesType !== 'Evaluation Only' ? prioritized : [],
    };
  }
  const groups = new Map<string, PatientSeries[]>();
  for (const ps of relevant) {
    const list = groups.get(ps.series.seriesGroup);
    if (list === undefined) {
      groups.set(ps.series.seriesGroup, [ps]);
    } else {
      list.push(ps);
    }
  }
  const prioritized: PatientSeries[] = [];
  for (const group of groups.values()) {
    const p = selectPrioritizedSeries(pc, group);
    if (p !== undefined) {
      prioritized.push(p);
    }
  }
  return { prioritized, best: selectBestSeries(prioritized) };
}
