/**
 * Builders of tiny, hand-made rule sets and patients for the engine's unit tests, independent of
 * the CDC supporting data. Every builder takes overrides for what a test cares about and fills
 * the rest with neutral defaults (no ages, no intervals, no skips…).
 */
import { CalendarDate, parseDuration, type Duration } from '../../../../src/calendar';
import type {
  AdministeredDose,
  Gender,
  PatientHistory,
  PatientObservation,
} from '../../../../src/engine/model';
import { createPatientContext, type PatientContext } from '../../../../src/engine/patient-context';
import {
  canonicalCvx,
  type AgeRule,
  type AntigenRules,
  type AntigenSeries,
  type ConditionalSkip,
  type IntervalRule,
  type LiveVirusConflict,
  type RuleSet,
  type SeriesDose,
  type SkipCondition,
  type VaccineGroupRules,
  type VaccineType,
} from '../../../../src/engine/rule-set';

/** "6 weeks - 4 days" → Duration. */
export function dur(text: string): Duration {
  return parseDuration(text);
}

/** "2020-01-31" → CalendarDate. */
export function day(text: string): CalendarDate {
  return CalendarDate.parse(text);
}

/** An age component from duration texts. */
export function age(parts: {
  absMinAge?: string;
  minAge?: string;
  earliestRecAge?: string;
  latestRecAge?: string;
  maxAge?: string;
  effectiveDate?: string;
  cessationDate?: string;
}): AgeRule {
  const rule: { -readonly [K in keyof AgeRule]: AgeRule[K] } = {};
  if (parts.absMinAge !== undefined) rule.absMinAge = dur(parts.absMinAge);
  if (parts.minAge !== undefined) rule.minAge = dur(parts.minAge);
  if (parts.earliestRecAge !== undefined) rule.earliestRecAge = dur(parts.earliestRecAge);
  if (parts.latestRecAge !== undefined) rule.latestRecAge = dur(parts.latestRecAge);
  if (parts.maxAge !== undefined) rule.maxAge = dur(parts.maxAge);
  if (parts.effectiveDate !== undefined) rule.effectiveDate = day(parts.effectiveDate);
  if (parts.cessationDate !== undefined) rule.cessationDate = day(parts.cessationDate);
  return rule;
}

/** A preferable interval from the previous dose. */
export function intervalFromPrevious(parts: {
  absMinInt?: string;
  minInt?: string;
  earliestRecInt?: string;
  latestRecInt?: string;
  priority?: boolean;
}): IntervalRule {
  return interval({ kind: 'previous' }, parts);
}

/** A preferable interval measured from anywhere. */
export function interval(
  from: IntervalRule['from'],
  parts: {
    absMinInt?: string;
    minInt?: string;
    earliestRecInt?: string;
    latestRecInt?: string;
    priority?: boolean;
  },
): IntervalRule {
  const rule: { -readonly [K in keyof IntervalRule]: IntervalRule[K] } = {
    from,
    priority: parts.priority ?? false,
  };
  if (parts.absMinInt !== undefined) rule.absMinInt = dur(parts.absMinInt);
  if (parts.minInt !== undefined) rule.minInt = dur(parts.minInt);
  if (parts.earliestRecInt !== undefined) rule.earliestRecInt = dur(parts.earliestRecInt);
  if (parts.latestRecInt !== undefined) rule.latestRecInt = dur(parts.latestRecInt);
  return rule;
}

/** A skip condition with neutral defaults. */
export function condition(
  parts: Partial<Omit<SkipCondition, 'beginAge' | 'endAge' | 'interval' | 'vaccineTypes'>> & {
    type: SkipCondition['type'];
    beginAge?: string;
    endAge?: string;
    interval?: string;
    vaccineTypes?: readonly string[];
  },
): SkipCondition {
  const { beginAge, endAge, interval: gap, vaccineTypes, ...rest } = parts;
  const c: { -readonly [K in keyof SkipCondition]: SkipCondition[K] } = {
    id: '1',
    doseType: 'Total',
    doseCountLogic: 'greater than',
    seriesGroups: [],
    ...rest,
  };
  if (beginAge !== undefined) c.beginAge = dur(beginAge);
  if (endAge !== undefined) c.endAge = dur(endAge);
  if (gap !== undefined) c.interval = dur(gap);
  if (vaccineTypes !== undefined) c.vaccineTypes = new Set(vaccineTypes.map(canonicalCvx));
  return c;
}

/** A conditional skip with one set of the given conditions. */
export function skip(
  context: ConditionalSkip['context'],
  conditions: readonly SkipCondition[],
  conditionLogic: 'AND' | 'OR' = 'AND',
): ConditionalSkip {
  return {
    context,
    setLogic: 'OR',
    sets: [{ id: '1', description: 'test set', conditionLogic, conditions }],
  };
}

/** A series dose; by default any age, no interval, preferable vaccine CVX "1". */
export function seriesDose(
  doseNumber: number,
  parts: Partial<Omit<SeriesDose, 'doseNumber' | 'inadvertentVaccines'>> & {
    inadvertent?: readonly string[];
    preferable?: readonly string[];
    allowable?: readonly string[];
  } = {},
): SeriesDose {
  const { inadvertent, preferable, allowable, ...rest } = parts;
  return {
    doseNumber,
    ages: [],
    intervals: [],
    allowableIntervals: [],
    preferableVaccines: (preferable ?? ['1']).map((cvx) => ({
      vaccineType: `vaccine ${cvx}`,
      cvx: canonicalCvx(cvx),
      forecastVaccineType: true,
    })),
    allowableVaccines: (allowable ?? []).map((cvx) => ({
      vaccineType: `vaccine ${cvx}`,
      cvx: canonicalCvx(cvx),
    })),
    inadvertentVaccines: new Set((inadvertent ?? []).map(canonicalCvx)),
    conditionalSkips: [],
    recurring: false,
    ...rest,
  };
}

/** An antigen series; by default a standard default series of antigen "A" in group "1". */
export function series(
  parts: Partial<AntigenSeries> & { doses: readonly SeriesDose[] },
): AntigenSeries {
  return {
    name: 'test series',
    antigen: 'A',
    vaccineGroup: 'G',
    adminGuidance: [],
    seriesType: 'Standard',
    equivalentSeriesGroups: [],
    requiredGenders: [],
    defaultSeries: true,
    productPath: false,
    seriesGroupName: 'Standard',
    seriesGroup: '1',
    seriesPriority: 0,
    seriesPreference: 1,
    indications: [],
    ...parts,
  };
}

/** The rules of an antigen. */
export function antigen(
  name: string,
  parts: Partial<Omit<AntigenRules, 'antigen'>> & { series: readonly AntigenSeries[] },
): AntigenRules {
  return {
    antigen: name,
    immunityGuidelineCodes: new Set(),
    birthDateImmunity: [],
    antigenContraindications: [],
    vaccineContraindications: [],
    ...parts,
  };
}

/** A live virus conflict: `previous` impacts `current` from begin to end. */
export function conflict(
  previous: string,
  current: string,
  begin: string,
  minEnd: string,
  end: string,
): LiveVirusConflict {
  return {
    previousCvx: canonicalCvx(previous),
    currentCvx: canonicalCvx(current),
    conflictBeginInterval: dur(begin),
    minConflictEndInterval: dur(minEnd),
    conflictEndInterval: dur(end),
  };
}

/**
 * A rule set. `cvx` maps each CVX to the antigens it counts for (no association ages); groups
 * default to one group per antigen named after it.
 */
export function ruleSet(parts: {
  antigens: readonly AntigenRules[];
  cvx?: Readonly<Record<string, readonly string[]>>;
  vaccineTypes?: readonly VaccineType[];
  groups?: readonly VaccineGroupRules[];
  conflicts?: readonly LiveVirusConflict[];
}): RuleSet {
  const vaccineTypes = new Map<string, VaccineType>();
  for (const [cvx, antigens] of Object.entries(parts.cvx ?? { '1': ['A'] })) {
    vaccineTypes.set(canonicalCvx(cvx), {
      cvx: canonicalCvx(cvx),
      shortDescription: `vaccine ${cvx}`,
      associations: antigens.map((a) => ({ antigen: a })),
    });
  }
  for (const v of parts.vaccineTypes ?? []) {
    vaccineTypes.set(v.cvx, v);
  }
  const groups =
    parts.groups ??
    parts.antigens.map((a) => ({
      name: a.antigen,
      administerFullVaccineGroup: false,
      antigens: [a.antigen],
    }));
  const byCurrent = new Map<string, LiveVirusConflict[]>();
  const byPrevious = new Map<string, LiveVirusConflict[]>();
  for (const c of parts.conflicts ?? []) {
    byCurrent.set(c.currentCvx, [...(byCurrent.get(c.currentCvx) ?? []), c]);
    byPrevious.set(c.previousCvx, [...(byPrevious.get(c.previousCvx) ?? []), c]);
  }
  return {
    id: 'test@1',
    ruleSetId: 'test',
    version: '1',
    antigens: new Map(parts.antigens.map((a) => [a.antigen, a])),
    vaccineGroups: groups,
    vaccineGroupOfAntigen: new Map(groups.flatMap((g) => g.antigens.map((a) => [a, g.name]))),
    vaccineTypes,
    liveVirusConflictsByCurrent: byCurrent,
    liveVirusConflictsByPrevious: byPrevious,
    observations: new Map(),
    durations: [],
  };
}

/** A dose given on `date` (YYYY-MM-DD) of `cvx`; ids are "1", "2", … in call order per patient. */
export interface DoseSpec {
  readonly date: string;
  readonly cvx?: string;
  readonly mvx?: string;
  readonly doseCondition?: boolean;
}

/** A patient born on `birthDate` with the given doses and observations. */
export function patient(
  birthDate: string,
  doses: readonly DoseSpec[] = [],
  options: {
    gender?: Gender;
    observations?: readonly PatientObservation[];
    birthCountry?: string;
  } = {},
): PatientHistory {
  const history: { -readonly [K in keyof PatientHistory]: PatientHistory[K] } = {
    birthDate: day(birthDate),
    gender: options.gender ?? 'female',
    doses: doses.map((d, i): AdministeredDose => {
      const dose: { -readonly [K in keyof AdministeredDose]: AdministeredDose[K] } = {
        id: String(i + 1),
        dateAdministered: day(d.date),
        cvx: d.cvx ?? '1',
      };
      if (d.mvx !== undefined) dose.mvx = d.mvx;
      if (d.doseCondition !== undefined) dose.doseCondition = d.doseCondition;
      return dose;
    }),
    observations: options.observations ?? [],
  };
  if (options.birthCountry !== undefined) {
    history.birthCountry = options.birthCountry;
  }
  return history;
}

/** The call context for a patient, rule set and assessment date. */
export function context(
  history: PatientHistory,
  rules: RuleSet,
  assessmentDate: string,
): PatientContext {
  return createPatientContext(history, rules, day(assessmentDate));
}
