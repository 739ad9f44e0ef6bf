/**
 * Chapter 9 Identify and evaluate vaccine group: merge the best patient series of the antigens of
 * a vaccine group into one vaccine group result (general rules §9.1, single antigen §9.2,
 * multiple antigen §9.3), and combine each dose's per-antigen evaluations.
 *
 * Loops over lists here are indexed rather than `for…of`: several of these lists are sometimes
 * the shared frozen empty or one-reason lists and sometimes plain ones, and a `for…of` over both
 * kinds went through the generic iterator, an object per step (about 3.6 kB per patient).
 */
import type { CalendarDate } from '../calendar';
import type { AntigenOutcome } from './evaluate-and-forecast';
import type {
  AntigenResult,
  DoseEvaluation,
  EvaluationStatus,
  Forecast,
  GroupDoseEvaluation,
  Reason,
  SeriesStatus,
  VaccineGroupResult,
} from './model';
import type { PatientContext } from './patient-context';
import type { DoseEvaluationState, PatientSeries, SeriesForecast } from './patient-series';
import { reasonsWithDetails } from './evaluate/reason-details';
import type { VaccineGroupRules } from './rule-set';
import { NO_REASONS } from './reasons';
import type { Writable } from './writable';

// ---------------------------------------------------------------------------------------------
// Choosing one best series per antigen
// ---------------------------------------------------------------------------------------------

/**
 * Whether the patient has reached the series' minimum age to start (Appendix A: "the earliest
 * age an antigen series may be started").
 */
function hasStarted(pc: PatientContext, ps: PatientSeries): boolean {
  const min = ps.series.minAgeToStart;
  return min === undefined || pc.assessmentDate.isOnOrAfter(pc.ageDate(min));
}

/** Rank of a best series' status when choosing the one shown (lower is shown first). */
const STATUS_RANK: Readonly<Record<SeriesStatus, number>> = {
  'Not Complete': 0,
  Complete: 1,
  Immune: 3,
  Contraindicated: 4,
  'Not Recommended': 5,
  'Aged Out': 6,
};

/** A 'Not Complete' series the patient is not yet old enough to start ranks after 'Complete'. */
const NOT_STARTED_RANK = 2;

/**
 * Chapter 9 allows several vaccine group forecasts for one group when an antigen has best
 * series in non-equivalent series groups (e.g. an age-based and a travel-based MMR forecast).
 * Our result has one forecast per vaccine group, so one best series is shown (the others stay
 * available in `AntigenResult.alternatives`). Deliberate ordering, ours:
 * 1. a 'Not Complete' series the patient is old enough to start (minimum age to start);
 * 2. then by status: Complete, Not Complete (not yet startable), Immune, Contraindicated,
 *    Not Recommended, Aged Out;
 * 3. then the earliest forecast date, then supporting-data order.
 */
function rankKey(pc: PatientContext, ps: PatientSeries): number {
  if (ps.status === 'Not Complete') {
    return hasStarted(pc, ps) ? STATUS_RANK['Not Complete'] : NOT_STARTED_RANK;
  }
  return STATUS_RANK[ps.status];
}

/**
 * The best series shown for an antigen (see {@link rankKey}).
 *
 * @param pc - The call context.
 * @param best - The antigen's best patient series.
 */
export function primarySeries(
  pc: PatientContext,
  best: readonly PatientSeries[],
): PatientSeries | undefined {
  let chosen: PatientSeries | undefined;
  for (let i = 0; i < best.length; i++) {
    const ps = best[i] as PatientSeries;
    if (chosen === undefined) {
      chosen = ps;
      continue;
    }
    const a = rankKey(pc, ps);
    const b = rankKey(pc, chosen);
    if (
      a < b ||
      (a === b &&
        ps.forecast !== undefined &&
        chosen.forecast !== undefined &&
        ps.forecast.earliestDate.isBefore(chosen.forecast.earliestDate))
    ) {
      chosen = ps;
    }
  }
  return chosen;
}

// ---------------------------------------------------------------------------------------------
// One antigen seen through its best series
// ---------------------------------------------------------------------------------------------

/**
 * An evaluation as shown in the result. A dose that did not count gets the numbers behind its
 * reasons here (`reason-details.ts`), only for the evaluations shown.
 *
 * @param pc - The call context.
 * @param antigen - The antigen shown (a twin antigen's series share the evaluations of the
 *   antigen they copy, see `twin-antigens.ts`: the evaluation's own record may name that one).
 * @param e - The evaluation, from `primary` or one of `others`.
 * @param primary - The series shown.
 * @param others - The series merged into it (see {@link mergedEvaluations}).
 */
function toDoseEvaluation(
  pc: PatientContext,
  antigen: string,
  e: DoseEvaluationState,
  primary: PatientSeries,
  others: readonly PatientSeries[],
): DoseEvaluation {
  const dose = e.antigenDose.patientDose;
  let reasons: readonly Reason[] = e.reasons;
  if (e.status !== 'Valid' && reasons.length > 0) {
    const owner =
      others.length === 0 || primary.evaluations.includes(e)
        ? primary
        : (others.find((ps) => ps.evaluations.includes(e)) ?? primary);
    reasons = reasonsWithDetails(pc, owner, e);
  }
  const evaluation: Writable<DoseEvaluation> = {
    doseId: dose.id,
    dateAdministered: dose.date,
    cvx: dose.dose.cvx,
    antigen,
    status: e.status,
    reasons,
  };
  if (e.status === 'Valid' && e.targetDose !== undefined) {
    evaluation.targetDoseNumber = e.targetDose.number;
  }
  return evaluation;
}

/**
 * {@link toDoseEvaluation} of each evaluation. A plain loop into an exactly sized list (cheaper
 * than `map` with a callback, for every antigen of every patient); most antigens of a patient
 * have no dose: the shared empty list then.
 */
function doseEvaluationsOf(
  pc: PatientContext,
  antigen: string,
  evaluations: readonly DoseEvaluationState[],
  primary: PatientSeries,
  others: readonly PatientSeries[],
): readonly DoseEvaluation[] {
  if (evaluations.length === 0) {
    return NO_EVALUATIONS;
  }
  const shown = new Array<DoseEvaluation>(evaluations.length);
  for (let i = 0; i < evaluations.length; i++) {
    shown[i] = toDoseEvaluation(
      pc,
      antigen,
      evaluations[i] as DoseEvaluationState,
      primary,
      others,
    );
  }
  return shown;
}

/** Which evaluation of a dose is shown when several best series evaluated it. */
const MERGE_RANK: Readonly<Record<EvaluationStatus, number>> = {
  Valid: 0,
  Extraneous: 1,
  'Not Valid': 2,
  'Sub-standard': 3,
};

/**
 * The evaluation of each dose of the antigen. With one prioritized series, its evaluations.
 * With several (one per series group, e.g. a standard series and a risk series that adds doses
 * to it), a dose is shown with its most favourable evaluation: a dose that counts in one of the
 * patient's prioritized series is a valid dose for the patient, even when the forecast comes
 * from another series (Valid, then Extraneous, then Not Valid, then Sub-standard; the shown
 * series wins ties).
 */
function mergedEvaluations(
  primary: PatientSeries,
  others: readonly PatientSeries[],
): DoseEvaluationState[] {
  if (others.length === 0) {
    return primary.evaluations;
  }
  return primary.evaluations.map((own) => {
    let chosen = own;
    for (let i = 0; i < others.length; i++) {
      const other = (others[i] as PatientSeries).evaluations.find(
        (e) => e.antigenDose === own.antigenDose,
      );
      if (other !== undefined && MERGE_RANK[other.status] < MERGE_RANK[chosen.status]) {
        chosen = other;
      }
    }
    return chosen;
  });
}

/** An antigen as the vaccine group sees it. */
interface AntigenView {
  readonly result: AntigenResult;
  /** The shown best series, if the antigen has one. */
  readonly primary: PatientSeries | undefined;
  /** Its forecast, with the dose number of the shown evaluations. */
  readonly forecast: SeriesForecast | undefined;
}

function toForecast(f: SeriesForecast, doseNumber: number = f.doseNumber): Forecast {
  const forecast: Writable<Forecast> = {
    doseNumber,
    earliestDate: f.earliestDate,
    recommendedDate: f.recommendedDate,
    recommendedVaccines: f.recommendedVaccines,
    unadjustedRecommendedDate: f.unadjustedRecommendedDate,
  };
  if (f.pastDueDate !== undefined) {
    forecast.pastDueDate = f.pastDueDate;
  }
  if (f.latestDate !== undefined) {
    forecast.latestDate = f.latestDate;
  }
  return forecast;
}

function seriesResult(
  antigen: string,
  ps: PatientSeries,
  doseEvaluations: readonly DoseEvaluation[],
  forecast: Forecast | undefined,
): Writable<AntigenResult> {
  const result: Writable<AntigenResult> = {
    antigen,
    seriesName: ps.series.name,
    seriesType: ps.series.seriesType,
    status: ps.status,
    doseEvaluations,
    reasons: ps.reasons,
  };
  if (forecast !== undefined) {
    result.forecast = forecast;
  }
  return result;
}

const NO_SERIES: readonly PatientSeries[] = [];
const NO_EVALUATIONS: readonly DoseEvaluation[] = Object.freeze([]);
const NO_GROUP_EVALUATIONS: readonly GroupDoseEvaluation[] = Object.freeze([]);

/** The series of `list` other than `ps` (no allocation in the common one-series case). */
function others(list: readonly PatientSeries[], ps: PatientSeries): readonly PatientSeries[] {
  if (list.length === 0 || (list.length === 1 && list[0] === ps)) {
    return NO_SERIES;
  }
  return list.filter((p) => p !== ps);
}

/**
 * The view of one antigen: the shown best series (see {@link primarySeries}), the merged dose
 * evaluations and the forecast. When several series are merged, the forecast dose number
 * (FORECASTDN-1 counts the satisfied target doses of one series) counts the doses shown as
 * valid, so that the next dose is the patient's next valid dose of the antigen.
 */
function antigenView(pc: PatientContext, outcome: AntigenOutcome): AntigenView {
  const antigen = outcome.rules.antigen;
  const primary = primarySeries(pc, outcome.best);
  if (primary === undefined) {
    return {
      result: {
        antigen,
        status: 'Not Recommended',
        doseEvaluations: NO_EVALUATIONS,
        reasons: NO_REASONS,
      },
      primary: undefined,
      forecast: undefined,
    };
  }
  const merged = others(outcome.prioritized, primary);
  const evaluations = mergedEvaluations(primary, merged);
  const forecast = primary.forecast;
  const doseNumber =
    forecast === undefined || merged.length === 0
      ? forecast?.doseNumber
      : evaluations.filter((e) => e.status === 'Valid').length + 1;
  const shown = forecast === undefined ? undefined : toForecast(forecast, doseNumber);
  const result = seriesResult(
    antigen,
    primary,
    doseEvaluationsOf(pc, antigen, evaluations, primary, merged),
    shown,
  );
  const alternatives = others(outcome.best, primary);
  if (alternatives.length > 0) {
    result.alternatives = alternatives.map((o) =>
      seriesResult(
        antigen,
        o,
        doseEvaluationsOf(pc, antigen, o.evaluations, o, NO_SERIES),
        o.forecast === undefined ? undefined : toForecast(o.forecast),
      ),
    );
  }
  return {
    result,
    primary,
    forecast:
      forecast === undefined || doseNumber === forecast.doseNumber
        ? forecast
        : { ...forecast, doseNumber: doseNumber ?? 1 },
  };
}

// ---------------------------------------------------------------------------------------------
// Dose evaluations of the group
// ---------------------------------------------------------------------------------------------

const STATUS_PRECEDENCE: Readonly<Record<EvaluationStatus, number>> = {
  'Not Valid': 3,
  'Sub-standard': 2,
  Valid: 1,
  Extraneous: 0,
};

/**
 * One status per dose for the group (our rule, see `GroupDoseEvaluation`): when the antigens
 * agree, that status; otherwise Not Valid, then Sub-standard, then Valid, then Extraneous — a
 * dose some antigen must repeat is shown as needing repetition, and a dose that counts for one
 * antigen is not shown as extra because another antigen's series was already complete (a Tdap
 * given as a decennial Td booster is a valid dose). The reasons are those of the antigens that
 * have the combined status.
 */
function combineDoseEvaluations(
  antigenResults: readonly AntigenResult[],
): readonly GroupDoseEvaluation[] {
  let withDoses: AntigenResult | undefined;
  let antigensWithDoses = 0;
  for (let i = 0; i < antigenResults.length; i++) {
    const r = antigenResults[i] as AntigenResult;
    if (r.doseEvaluations.length > 0) {
      withDoses = r;
      antigensWithDoses += 1;
    }
  }
  if (withDoses === undefined) {
    return NO_GROUP_EVALUATIONS;
  }
  if (antigensWithDoses === 1 && hasDistinctDoseIds(withDoses.doseEvaluations)) {
    // One antigen with doses (any single-antigen group, and most multiple antigen ones) and no
    // dose id twice: nothing to merge, and its evaluations are already in date order.
    const evaluations = withDoses.doseEvaluations;
    const combined = new Array<GroupDoseEvaluation>(evaluations.length);
    for (let i = 0; i < evaluations.length; i++) {
      const e = evaluations[i] as DoseEvaluation;
      const all = [e];
      combined[i] = {
        doseId: e.doseId,
        dateAdministered: e.dateAdministered,
        cvx: e.cvx,
        status: e.status,
        reasons: reasonsWithStatus(all, e.status),
        byAntigen: all,
      };
    }
    return combined;
  }
  if (
    hasDistinctDoseIds(withDoses.doseEvaluations) &&
    inDateOrder(withDoses.doseEvaluations) &&
    antigenResults.every(
      (r) => r.doseEvaluations.length === 0 || sameDoses(r.doseEvaluations, withDoses),
    )
  ) {
    // Every antigen with doses has the same doses in the same order, dates ascending (e.g. MMR
    // doses, or DTaP doses only): the evaluations of a dose are at the same position in each,
    // and the merge below would list them in that order.
    const aligned = antigenResults.filter((r) => r.doseEvaluations.length > 0);
    return withDoses.doseEvaluations.map((_, i) =>
      combinedEvaluation(aligned.map((r) => r.doseEvaluations[i] as DoseEvaluation)),
    );
  }
  const byDose = new Map<string, DoseEvaluation[]>();
  const order: DoseEvaluation[] = [];
  // Each antigen's evaluations are in date order; when the antigens' doses do not interleave,
  // `order` is already sorted and the (stable) sort would change nothing.
  let sorted = true;
  let lastDay = -Infinity;
  for (let i = 0; i < antigenResults.length; i++) {
    const evaluations = (antigenResults[i] as AntigenResult).doseEvaluations;
    for (let j = 0; j < evaluations.length; j++) {
      const e = evaluations[j] as DoseEvaluation;
      const list = byDose.get(e.doseId);
      if (list === undefined) {
        byDose.set(e.doseId, [e]);
        const day = e.dateAdministered.dayNumber;
        if (day < lastDay) {
          sorted = false;
        }
        lastDay = day;
        order.push(e);
      } else {
        list.push(e);
      }
    }
  }
  if (!sorted) {
    order.sort((a, b) => a.dateAdministered.compare(b.dateAdministered));
  }
  return order.map((first) => combinedEvaluation(byDose.get(first.doseId) ?? [first]));
}

/** Whether no evaluation has an earlier date than the one before it. */
function inDateOrder(evaluations: readonly DoseEvaluation[]): boolean {
  for (let i = 1; i < evaluations.length; i++) {
    const day = (evaluations[i] as DoseEvaluation).dateAdministered.dayNumber;
    if (day < (evaluations[i - 1] as DoseEvaluation).dateAdministered.dayNumber) {
      return false;
    }
  }
  return true;
}

/** Whether two antigens' evaluations are of the same doses, in the same order. */
function sameDoses(evaluations: readonly DoseEvaluation[], other: AntigenResult): boolean {
  const others = other.doseEvaluations;
  if (evaluations.length !== others.length) {
    return false;
  }
  for (let i = 0; i < evaluations.length; i++) {
    if ((evaluations[i] as DoseEvaluation).doseId !== (others[i] as DoseEvaluation).doseId) {
      return false;
    }
  }
  return true;
}

/** The group evaluation of one dose from its evaluations by antigen (group order). */
function combinedEvaluation(all: DoseEvaluation[]): GroupDoseEvaluation {
  const first = all[0] as DoseEvaluation;
  let status: EvaluationStatus = first.status;
  if (all.length > 1) {
    for (let i = 0; i < all.length; i++) {
      const e = all[i] as DoseEvaluation;
      if (STATUS_PRECEDENCE[e.status] > STATUS_PRECEDENCE[status]) {
        status = e.status;
      }
    }
  }
  return {
    doseId: first.doseId,
    dateAdministered: first.dateAdministered,
    cvx: first.cvx,
    status,
    reasons: reasonsWithStatus(all, status),
    byAntigen: all,
  };
}

/**
 * Whether no two evaluations have the same dose id (else they are merged like the evaluations
 * of several antigens). A pairwise check: an antigen has a few doses, and a map would cost more.
 */
function hasDistinctDoseIds(evaluations: readonly DoseEvaluation[]): boolean {
  if (evaluations.length > 32) {
    return false;
  }
  for (let i = 1; i < evaluations.length; i++) {
    const id = (evaluations[i] as DoseEvaluation).doseId;
    for (let j = 0; j < i; j++) {
      if ((evaluations[j] as DoseEvaluation).doseId === id) {
        return false;
      }
    }
  }
  return true;
}

/** The reasons (distinct codes, first one kept) of the evaluations that have `status`. */
function reasonsWithStatus(
  all: readonly DoseEvaluation[],
  status: EvaluationStatus,
): readonly Reason[] {
  const only = all.length === 1 ? all[0] : undefined;
  if (only !== undefined && only.reasons.length <= 1) {
    // One antigen (`status` is its status) with at most one reason: nothing to merge, the
    // (never modified) list itself serves.
    return only.reasons;
  }
  let reasons: readonly Reason[] = NO_REASONS;
  for (let i = 0; i < all.length; i++) {
    const e = all[i] as DoseEvaluation;
    if (e.status === status) {
      reasons = withDistinctReasons(reasons, e.reasons);
    }
  }
  return reasons;
}

/**
 * `reasons` followed by those of `more` whose code it does not have yet (the first of a code
 * is kept). Lists are never modified: `reasons` itself is returned when `more` adds nothing
 * (no new list, e.g. antigens sharing one status reason), `more` when `reasons` is empty.
 * Indexed loops: reason lists are shared frozen lists or plain ones, and a `for…of` over both
 * kinds goes through the generic iterator (an object per step).
 */
function withDistinctReasons(
  reasons: readonly Reason[],
  more: readonly Reason[],
): readonly Reason[] {
  if (reasons.length === 0 && hasDistinctCodes(more)) {
    return more;
  }
  let merged: Reason[] | undefined;
  for (let i = 0; i < more.length; i++) {
    const r = more[i] as Reason;
    const list = merged ?? reasons;
    if (!hasCode(list, r.code)) {
      merged ??= reasons.slice();
      merged.push(r);
    }
  }
  return merged ?? reasons;
}

function hasCode(reasons: readonly Reason[], code: string): boolean {
  for (let i = 0; i < reasons.length; i++) {
    if ((reasons[i] as Reason).code === code) {
      return true;
    }
  }
  return false;
}

function hasDistinctCodes(reasons: readonly Reason[]): boolean {
  for (let i = 1; i < reasons.length; i++) {
    const code = (reasons[i] as Reason).code;
    for (let j = 0; j < i; j++) {
      if ((reasons[j] as Reason).code === code) {
        return false;
      }
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Group status and forecast
// ---------------------------------------------------------------------------------------------

/** Table 9-4: the status of a multiple antigen vaccine group. */
function multipleAntigenStatus(statuses: readonly SeriesStatus[]): SeriesStatus {
  if (statuses.includes('Contraindicated')) {
    return 'Contraindicated';
  }
  if (statuses.includes('Aged Out')) {
    return 'Aged Out';
  }
  if (statuses.includes('Not Recommended')) {
    return 'Not Recommended';
  }
  if (statuses.includes('Not Complete')) {
    return 'Not Complete';
  }
  if (statuses.length > 0 && statuses.every((s) => s === 'Immune')) {
    return 'Immune';
  }
  return 'Complete';
}

/** The earlier of two dates (the first one on a tie), an absent one being no date. */
function earlier(a: CalendarDate | undefined, b: CalendarDate): CalendarDate {
  return a !== undefined && !b.isBefore(a) ? a : b;
}

function laterOf(a: CalendarDate, b: CalendarDate | undefined): CalendarDate {
  return b !== undefined && b.isAfter(a) ? b : a;
}

/**
 * §9.1 and §9.3: the vaccine group forecast of a multiple antigen vaccine group from the patient
 * series forecasts it contains.
 * - MULTIANTVG-1 earliest date: with a priority forecast (FORECASTPRIORITY-1), the later of the
 *   earliest of the earliest dates and the latest date administered of any dose of the group;
 *   otherwise the latest of the earliest dates;
 * - FORECASTVG-2/3: recommended and past due dates are the earliest of the contained ones, but
 *   not before the group's earliest date;
 * - FORECASTVG-4/5: latest date and unadjusted recommended date are the earliest contained ones;
 * - FORECASTDN-2: the minimum dose number when the full group is administered together, else the
 *   maximum;
 * - FORECASTVG-9: the recommended vaccines of every contained forecast.
 */
function multipleAntigenForecast(
  group: VaccineGroupRules,
  forecasts: readonly SeriesForecast[],
  latestGroupDose: CalendarDate | undefined,
): Forecast | undefined {
  // One pass over the contained forecasts (no intermediate arrays: this runs for every
  // multiple antigen group of every patient).
  let first: CalendarDate | undefined;
  let last: CalendarDate | undefined;
  let firstRecommended: CalendarDate | undefined;
  let firstUnadjusted: CalendarDate | undefined;
  let pastDue: CalendarDate | undefined;
  let latestDate: CalendarDate | undefined;
  let priority = false;
  let minNumber = Infinity;
  let maxNumber = -Infinity;
  const vaccines: string[] = [];
  for (let i = 0; i < forecasts.length; i++) {
    const f = forecasts[i] as SeriesForecast;
    first = earlier(first, f.earliestDate);
    if (last === undefined || f.earliestDate.isAfter(last)) {
      last = f.earliestDate;
    }
    firstRecommended = earlier(firstRecommended, f.recommendedDate);
    firstUnadjusted = earlier(firstUnadjusted, f.unadjustedRecommendedDate);
    if (f.pastDueDate !== undefined) {
      pastDue = earlier(pastDue, f.pastDueDate);
    }
    if (f.latestDate !== undefined) {
      latestDate = earlier(latestDate, f.latestDate);
    }
    priority ||= f.priority;
    minNumber = Math.min(minNumber, f.doseNumber);
    maxNumber = Math.max(maxNumber, f.doseNumber);
    for (let j = 0; j < f.recommendedVaccines.length; j++) {
      const v = f.recommendedVaccines[j] as string;
      if (!vaccines.includes(v)) {
        vaccines.push(v);
      }
    }
  }
  if (first === undefined || last === undefined) {
    return undefined;
  }
  const earliest = priority ? laterOf(first, latestGroupDose) : last;
  const recommended = laterOf(earliest, firstRecommended);
  const forecast: Writable<Forecast> = {
    doseNumber: group.administerFullVaccineGroup ? minNumber : maxNumber,
    earliestDate: earliest,
    recommendedDate: recommended,
    recommendedVaccines: vaccines,
    unadjustedRecommendedDate: firstUnadjusted ?? recommended,
  };
  if (pastDue !== undefined) {
    forecast.pastDueDate = laterOf(earliest, pastDue);
  }
  if (latestDate !== undefined) {
    forecast.latestDate = latestDate;
  }
  return forecast;
}

/**
 * Chapter 9 for one vaccine group.
 *
 * @param pc - The call context.
 * @param group - The vaccine group.
 * @param outcomes - The outcome of each antigen of the group (antigens without one are left out).
 */
export function evaluateVaccineGroup(
  pc: PatientContext,
  group: VaccineGroupRules,
  outcomes: readonly AntigenOutcome[],
): VaccineGroupResult {
  // Exactly sized lists (a list grown by `push` gets room for 17 entries at once), filled in
  // one pass.
  const views = new Array<AntigenView>(outcomes.length);
  const antigens = new Array<AntigenResult>(outcomes.length);
  let allShown = true;
  for (let i = 0; i < outcomes.length; i++) {
    const view = antigenView(pc, outcomes[i] as AntigenOutcome);
    views[i] = view;
    antigens[i] = view.result;
    allShown &&= view.primary !== undefined;
  }
  const contained: readonly AntigenView[] = allShown
    ? views
    : views.filter((w) => w.primary !== undefined);
  const doseEvaluations = combineDoseEvaluations(antigens);
  let reasons: readonly Reason[] = antigens[0]?.reasons ?? NO_REASONS;
  if (antigens.length > 1) {
    // The antigens' reasons, distinct codes (the first one kept).
    reasons = NO_REASONS;
    for (let i = 0; i < antigens.length; i++) {
      reasons = withDistinctReasons(reasons, (antigens[i] as AntigenResult).reasons);
    }
  }
  const result: Writable<VaccineGroupResult> = {
    vaccineGroup: group.name,
    status: 'Not Recommended',
    doseEvaluations,
    antigens,
    reasons,
  };
  const only = contained[0];
  if (only?.primary === undefined) {
    return result;
  }
  if (group.antigens.length <= 1 || contained.length === 1) {
    // §9.2 SINGLEANTVG-1/2: the group is its one patient series forecast.
    result.status = only.primary.status;
    if (only.forecast !== undefined) {
      // The antigen result already holds this forecast (same dose number): share it.
      result.forecast = only.result.forecast ?? toForecast(only.forecast);
    }
    return result;
  }
  const statuses: SeriesStatus[] = [];
  for (let i = 0; i < contained.length; i++) {
    const v = contained[i] as AntigenView;
    statuses.push(v.primary?.status ?? 'Not Recommended');
  }
  result.status = multipleAntigenStatus(statuses);
  if (result.status === 'Not Complete') {
    let latestGroupDose: CalendarDate | undefined;
    for (let i = 0; i < doseEvaluations.length; i++) {
      const e = doseEvaluations[i] as GroupDoseEvaluation;
      if (latestGroupDose === undefined || e.dateAdministered.isAfter(latestGroupDose)) {
        latestGroupDose = e.dateAdministered;
      }
    }
    const forecasts: SeriesForecast[] = [];
    for (let i = 0; i < contained.length; i++) {
      const v = contained[i] as AntigenView;
      if (v.forecast !== undefined) {
        forecasts.push(v.forecast);
      }
    }
    const forecast = multipleAntigenForecast(group, forecasts, latestGroupDose);
    if (forecast !== undefined) {
      result.forecast = forecast;
    }
  }
  return result;
}
