/**
 * §5 Create relevant patient series: which antigen series of the supporting data apply to the
 * patient (gender, series type, indications).
 */
import type { CalendarDate } from '../calendar';
import type { Gender } from './model';
import type { PatientContext } from './patient-context';
import type { AntigenSeries, Indication, RequiredGender } from './rule-set';

const REQUIRED_GENDER_OF: Readonly<Record<Gender, RequiredGender>> = {
  female: 'Female',
  male: 'Male',
  unknown: 'Unknown',
};

/**
 * Table 5-4: an indication applies when it describes an active patient observation and the
 * indication begin age date ≤ assessment date < indication end age date (CALCDTIND-1/2; empty
 * ages assume 1900-01-01 and 2999-12-31).
 *
 * @param pc - The call context.
 * @param indication - An indication of a risk series.
 */
export function indicationApplies(pc: PatientContext, indication: Indication): boolean {
  if (!pc.observations.has(indication.observationCode)) {
    return false;
  }
  const { beginAge, endAge } = indication;
  if (beginAge !== undefined && pc.assessmentDate.isBefore(pc.ageDate(beginAge))) {
    return false;
  }
  return endAge === undefined || pc.assessmentDate.isBefore(pc.ageDate(endAge));
}

/**
 * The date an indication of an active observation will start to apply, when the patient is still
 * younger than its begin age (and so younger than its end age): the indication begin age date.
 */
function upcomingIndicationDate(
  pc: PatientContext,
  indication: Indication,
): CalendarDate | undefined {
  const { beginAge } = indication;
  if (beginAge === undefined || !pc.observations.has(indication.observationCode)) {
    return undefined;
  }
  const begin = pc.ageDate(beginAge);
  return pc.assessmentDate.isBefore(begin) ? begin : undefined;
}

function hasRequiredGender(pc: PatientContext, series: AntigenSeries): boolean {
  return (
    series.requiredGenders.length === 0 ||
    series.requiredGenders.includes(REQUIRED_GENDER_OF[pc.gender])
  );
}

/**
 * Table 5-5: is an antigen series a relevant patient series for the patient?
 * - the patient's gender must be one of the required genders (none listed: any gender,
 *   table 5-2 "assumed value if empty");
 * - 'Standard' and 'Evaluation Only' series are then relevant;
 * - a 'Risk' series is relevant only if at least one of its indications applies (table 5-4).
 *
 * @param pc - The call context.
 * @param series - The antigen series.
 */
export function isRelevantSeries(pc: PatientContext, series: AntigenSeries): boolean {
  if (!hasRequiredGender(pc, series)) {
    return false;
  }
  if (series.seriesType !== 'Risk') {
    return true;
  }
  return series.indications.some((i) => indicationApplies(pc, i));
}

/** Relevant series of a patient without observations, by antigen series list and gender. */
const withoutObservations = new WeakMap<
  readonly AntigenSeries[],
  Record<Gender, readonly AntigenSeries[] | undefined>
>();

/** The observation codes that are an indication of some risk series, by antigen series list. */
const indicationCodes = new WeakMap<readonly AntigenSeries[], ReadonlySet<string>>();

/** Whether the patient has an active observation that is an indication of one of the series. */
function hasIndicationObservation(pc: PatientContext, series: readonly AntigenSeries[]): boolean {
  let codes = indicationCodes.get(series);
  if (codes === undefined) {
    const set = new Set<string>();
    for (const s of series) {
      if (s.seriesType === 'Risk') {
        for (const i of s.indications) {
          set.add(i.observationCode);
        }
      }
    }
    codes = set;
    indicationCodes.set(series, codes);
  }
  if (codes.size === 0) {
    return false;
  }
  for (const code of pc.observations.keys()) {
    if (codes.has(code)) {
      return true;
    }
  }
  return false;
}

/**
 * §5.1 Select relevant patient series for one antigen.
 *
 * One deliberate addition to table 5-5, so that a known risk is forecast ahead of time: when no
 * risk series of a series group is relevant but the patient has an observation that is an
 * indication of one of them from a later age (the patient is younger than the indication begin
 * age), the series whose indication starts soonest is relevant too, and its own minimum ages
 * forecast the first dose when the indication starts (e.g. a child of almost 9 years with
 * evidence of a past dengue infection is forecast the dengue dose at 9 years). The CDC test
 * cases expect this, also when the future risk series then replaces a standard series of an
 * equivalent group (table 8-14): a 5-month-old with complement deficiency is forecast the risk
 * Hib dose due at 12 months. A risk series of a group that already has a relevant risk series is
 * not added (a 15-year-old's 1-15 years series is not joined by the 16 years+ one).
 *
 * @param pc - The call context.
 * @param series - The antigen series of the antigen, in supporting-data order.
 * @returns The relevant ones, in the same order.
 */
export function selectRelevantSeries(
  pc: PatientContext,
  series: readonly AntigenSeries[],
): readonly AntigenSeries[] {
  if (pc.observations.size === 0 || !hasIndicationObservation(pc, series)) {
    // No observation that is an indication of a risk series of the antigen (the common case):
    // no risk series is relevant or upcoming, only the standard and evaluation-only series of
    // the patient's gender, computed once per antigen and gender.
    let byGender = withoutObservations.get(series);
    if (byGender === undefined) {
      byGender = { female: undefined, male: undefined, unknown: undefined };
      withoutObservations.set(series, byGender);
    }
    let relevant = byGender[pc.gender];
    if (relevant === undefined) {
      relevant = series.filter((s) => s.seriesType !== 'Risk' && hasRequiredGender(pc, s));
      byGender[pc.gender] = relevant;
    }
    return relevant;
  }
  const relevant = new Set(series.filter((s) => isRelevantSeries(pc, s)));
  // Groups that already have a relevant risk series: no upcoming risk series is added to them.
  const closedGroups = new Set<string>();
  for (const r of relevant) {
    if (r.seriesType === 'Risk') {
      closedGroups.add(r.seriesGroup);
    }
  }
  const upcoming = new Map<string, { series: AntigenSeries[]; date: CalendarDate }>();
  for (const s of series) {
    if (
      s.seriesType !== 'Risk' ||
      relevant.has(s) ||
      closedGroups.has(s.seriesGroup) ||
      !hasRequiredGender(pc, s)
    ) {
      continue;
    }
    let soonest: CalendarDate | undefined;
    for (const indication of s.indications) {
      const date = upcomingIndicationDate(pc, indication);
      if (date !== undefined && (soonest === undefined || date.isBefore(soonest))) {
        soonest = date;
      }
    }
    if (soonest === undefined) {
      continue;
    }
    const known = upcoming.get(s.seriesGroup);
    if (known === undefined || soonest.isBefore(known.date)) {
      upcoming.set(s.seriesGroup, { series: [s], date: soonest });
    } else if (soonest.equals(known.date)) {
      known.series.push(s);
    }
  }
  for (const { series: list } of upcoming.values()) {
    for (const s of list) {
      relevant.add(s);
    }
  }
  return series.filter((s) => relevant.has(s));
}
