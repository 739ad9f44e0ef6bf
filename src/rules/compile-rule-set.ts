/**
 * Compiles the raw CDSi tables (`raw-types.ts`, one-to-one with the CDC XML) into the parsed,
 * indexed {@link RuleSet} the engine consumes (`src/engine/rule-set.ts`).
 *
 * Everything that can be done once per rule set is done here, so a forecast never parses
 * text: durations ("6 months - 4 days") become `Duration`s, YYYYMMDD and MM/DD/YYYY dates become
 * `CalendarDate`s, "Yes"/"No"/"Y"/"N" become booleans, CVX lists become sets of canonical CVX
 * codes, and the CVX→antigen map and the live-virus-conflict table are indexed by CVX.
 *
 * Every malformed value is reported (all of them, not just the first) in one `RuleSetError`
 * with the file and JSON pointer of the value.
 */
import {
  CalendarDate,
  DurationSyntaxError,
  parseOptionalDuration,
  type Duration,
} from '../calendar';
import {
  canonicalCvx,
  type AgeRule,
  type AllowableIntervalRule,
  type AllowableVaccine,
  type AntigenContraindication,
  type AntigenRules,
  type AntigenSeries,
  type BirthDateImmunity,
  type ConditionalSkip,
  type CvxAntigenAssociation,
  type Indication,
  type IntervalFrom,
  type IntervalRule,
  type LiveVirusConflict,
  type ObservationRule,
  type PreferableVaccine,
  type RequiredGender,
  type RuleSet,
  type RuleSetDuration,
  type SeasonalRecommendation,
  type SeriesDose,
  type SeriesType,
  type SkipCondition,
  type SkipConditionType,
  type SkipContext,
  type SkipSet,
  type VaccineContraindication,
  type VaccineGroupRules,
  type VaccineType,
} from '../engine/rule-set';
import { pointer, RuleSetError, type RuleProblem } from './problem';
import type {
  RawAge,
  RawAllowableInterval,
  RawAntigenFile,
  RawCdsiManifest,
  RawConditionalSkip,
  RawConditionalSkipCondition,
  RawConditionalSkipSet,
  RawIndication,
  RawInterval,
  RawSeries,
  RawSeriesDose,
} from './raw-types';
import type { RawRuleSet } from './load-rule-set';

export type { RawRuleSet };

/**
 * Builds the engine's {@link RuleSet} from the raw tables.
 *
 * @param raw - Manifest, antigen files and schedule file of one rule set.
 * @returns The compiled rule set.
 * @throws RuleSetError listing every value that could not be parsed.
 */
export function compileRuleSet(raw: RawRuleSet): RuleSet {
  const ctx = new Context(raw.manifest);
  const antigens = new Map<string, AntigenRules>();
  for (const file of raw.antigens) {
    ctx.file = ctx.antigenFile(file.antigen);
    antigens.set(file.antigen, compileAntigen(ctx, file));
  }
  ctx.file = `cdsi/${raw.manifest.version}/${raw.manifest.schedule}`;
  const schedule = raw.schedule.scheduleSupportingData;
  const base = pointer('scheduleSupportingData');

  const vaccineGroupMaps = schedule.vaccineGroupToAntigenMap.vaccineGroupMap ?? [];
  const vaccineGroups: VaccineGroupRules[] = (schedule.vaccineGroups.vaccineGroup ?? []).map(
    (g, i) => ({
      name: g.name,
      administerFullVaccineGroup: ctx.flag(
        g.administerFullVaccineGroup,
        `${base}/vaccineGroups/vaccineGroup/${i}/administerFullVaccineGroup`,
      ),
      antigens: vaccineGroupMaps.find((m) => m.name === g.name)?.antigen ?? [],
    }),
  );
  const vaccineGroupOfAntigen = new Map<string, string>();
  for (const group of vaccineGroups) {
    for (const antigen of group.antigens) {
      vaccineGroupOfAntigen.set(antigen, group.name);
    }
  }

  const vaccineTypes = new Map<string, VaccineType>();
  (schedule.cvxToAntigenMap.cvxMap ?? []).forEach((m, i) => {
    const at = `${base}/cvxToAntigenMap/cvxMap/${i}`;
    const associations: CvxAntigenAssociation[] = m.association.map((a, j) => ({
      antigen: a.antigen,
      associationBeginAge: ctx.duration(
        a.associationBeginAge,
        `${at}/association/${j}/associationBeginAge`,
      ),
      associationEndAge: ctx.duration(
        a.associationEndAge,
        `${at}/association/${j}/associationEndAge`,
      ),
    }));
    const cvx = canonicalCvx(m.cvx);
    vaccineTypes.set(cvx, { cvx, shortDescription: m.shortDescription, associations });
  });

  const byCurrent = new Map<string, LiveVirusConflict[]>();
  const byPrevious = new Map<string, LiveVirusConflict[]>();
  (schedule.liveVirusConflicts.liveVirusConflict ?? []).forEach((c, i) => {
    const at = `${base}/liveVirusConflicts/liveVirusConflict/${i}`;
    const conflict: LiveVirusConflict = {
      previousCvx: canonicalCvx(c.previous.cvx),
      currentCvx: canonicalCvx(c.current.cvx),
      conflictBeginInterval: ctx.requiredDuration(
        c.conflictBeginInterval,
        `${at}/conflictBeginInterval`,
      ),
      minConflictEndInterval: ctx.requiredDuration(
        c.minConflictEndInterval,
        `${at}/minConflictEndInterval`,
      ),
      conflictEndInterval: ctx.requiredDuration(c.conflictEndInterval, `${at}/conflictEndInterval`),
    };
    push(byCurrent, conflict.currentCvx, conflict);
    push(byPrevious, conflict.previousCvx, conflict);
  });

  const observations = new Map<string, ObservationRule>();
  for (const o of schedule.observations.observation ?? []) {
    observations.set(o.observationCode.trim(), {
      code: o.observationCode.trim(),
      title: o.observationTitle,
      group: o.group,
      indicationText: o.indicationText,
      contraindicationText: o.contraindicationText,
      clarifyingText: o.clarifyingText,
      codedValues: o.codedValues.flatMap((set) =>
        (set.codedValue ?? []).map((v) => ({
          code: v.code.trim(),
          codeSystem: v.codeSystem.trim(),
          text: v.text,
        })),
      ),
    });
  }

  if (ctx.problems.length > 0) {
    throw new RuleSetError(ctx.problems);
  }
  return {
    id: `${raw.manifest.ruleSetId}@${raw.manifest.version}`,
    ruleSetId: raw.manifest.ruleSetId,
    version: raw.manifest.version,
    antigens,
    vaccineGroups,
    vaccineGroupOfAntigen,
    vaccineTypes,
    liveVirusConflictsByCurrent: byCurrent,
    liveVirusConflictsByPrevious: byPrevious,
    observations,
    durations: ctx.durationList,
  };
}

// ---------------------------------------------------------------------------------------------
// Antigen files
// ---------------------------------------------------------------------------------------------

function compileAntigen(ctx: Context, file: RawAntigenFile): AntigenRules {
  const data = file.antigenSupportingData;
  const base = pointer('antigenSupportingData');

  const immunityGuidelineCodes = new Set(
    (data.immunity?.clinicalHistory ?? [])
      .map((c) => c.guidelineCode.trim())
      .filter((c) => c !== ''),
  );
  const birthDateImmunity: BirthDateImmunity[] = [];
  (data.immunity?.dateOfBirth ?? []).forEach((d, i) => {
    const at = `${base}/immunity/dateOfBirth/${i}`;
    const date = ctx.date(d.immunityBirthDate, `${at}/immunityBirthDate`);
    if (date === undefined) {
      return;
    }
    birthDateImmunity.push({
      immunityBirthDate: date,
      birthCountry: nonEmpty(d.birthCountry),
      exclusionCodes: new Set(
        (d.exclusion ?? []).map((e) => e.exclusionCode.trim()).filter((c) => c !== ''),
      ),
    });
  });

  const antigenContraindications: AntigenContraindication[] = [];
  (data.contraindications.vaccineGroup?.contraindication ?? []).forEach((c, i) => {
    const at = `${base}/contraindications/vaccineGroup/contraindication/${i}`;
    if (c.observationCode.trim() === '') {
      return;
    }
    antigenContraindications.push({
      observationCode: c.observationCode.trim(),
      observationTitle: c.observationTitle,
      text: c.contraindicationText,
      guidance: c.contraindicationGuidance,
      beginAge: ctx.duration(c.beginAge, `${at}/beginAge`),
      endAge: ctx.duration(c.endAge, `${at}/endAge`),
    });
  });

  const vaccineContraindications: VaccineContraindication[] = [];
  (data.contraindications.vaccine?.contraindication ?? []).forEach((c, i) => {
    const at = `${base}/contraindications/vaccine/contraindication/${i}`;
    if (c.observationCode.trim() === '') {
      return;
    }
    vaccineContraindications.push({
      observationCode: c.observationCode.trim(),
      observationTitle: c.observationTitle,
      text: c.contraindicationText,
      guidance: c.contraindicationGuidance,
      vaccines: (c.contraindicatedVaccine ?? [])
        .filter((v) => v.cvx.trim() !== '')
        .map((v, j) => ({
          vaccineType: v.vaccineType,
          cvx: canonicalCvx(v.cvx),
          beginAge: ctx.duration(v.beginAge, `${at}/contraindicatedVaccine/${j}/beginAge`),
          endAge: ctx.duration(v.endAge, `${at}/contraindicatedVaccine/${j}/endAge`),
        })),
    });
  });

  const series = data.series.map((s, i) => compileSeries(ctx, s, `${base}/series/${i}`));
  return {
    antigen: file.antigen,
    immunityGuidelineCodes,
    birthDateImmunity,
    antigenContraindications,
    vaccineContraindications,
    series,
  };
}

const SERIES_TYPES: Readonly<Record<string, SeriesType>> = {
  standard: 'Standard',
  risk: 'Risk',
  'evaluation only': 'Evaluation Only',
};

const GENDERS: Readonly<Record<string, RequiredGender>> = {
  female: 'Female',
  male: 'Male',
  unknown: 'Unknown',
};

function compileSeries(ctx: Context, s: RawSeries, at: string): AntigenSeries {
  const seriesType = SERIES_TYPES[s.seriesType.trim().toLowerCase()];
  if (seriesType === undefined) {
    ctx.problem(`${at}/seriesType`, `unknown series type "${s.seriesType}"`);
  }
  const requiredGenders: RequiredGender[] = [];
  s.requiredGender.forEach((g, i) => {
    if (g.trim() === '') {
      return;
    }
    const gender = GENDERS[g.trim().toLowerCase()];
    if (gender === undefined) {
      ctx.problem(`${at}/requiredGender/${i}`, `unknown gender "${g}"`);
    } else {
      requiredGenders.push(gender);
    }
  });
  const sel = s.selectSeries;
  const priorityText = sel.seriesPriority.trim().toUpperCase();
  if (!/^[A-Z]$/.test(priorityText)) {
    ctx.problem(
      `${at}/selectSeries/seriesPriority`,
      `series priority must be a letter, got "${sel.seriesPriority}"`,
    );
  }
  const preferenceText = sel.seriesPreference.trim();
  let seriesPreference: number | undefined;
  if (preferenceText !== '') {
    seriesPreference = Number(preferenceText);
    if (!Number.isInteger(seriesPreference)) {
      ctx.problem(`${at}/selectSeries/seriesPreference`, `not a number: "${sel.seriesPreference}"`);
      seriesPreference = undefined;
    }
  }
  const indications: Indication[] = [];
  s.indication.forEach((ind, i) => {
    const compiled = compileIndication(ctx, ind, `${at}/indication/${i}`);
    if (compiled !== undefined) {
      indications.push(compiled);
    }
  });
  return {
    name: s.seriesName,
    antigen: s.targetDisease,
    vaccineGroup: s.vaccineGroup,
    adminGuidance: s.seriesAdminGuidance.filter((g) => g.trim() !== ''),
    seriesType: seriesType ?? 'Standard',
    equivalentSeriesGroups: splitList(s.equivalentSeriesGroups),
    requiredGenders,
    defaultSeries: ctx.flag(sel.defaultSeries, `${at}/selectSeries/defaultSeries`),
    productPath: ctx.flag(sel.productPath, `${at}/selectSeries/productPath`),
    seriesGroupName: sel.seriesGroupName,
    seriesGroup: sel.seriesGroup.trim(),
    seriesPriority: priorityText === '' ? 0 : priorityText.charCodeAt(0) - 'A'.charCodeAt(0),
    seriesPreference: seriesPreference,
    minAgeToStart: ctx.duration(sel.minAgeToStart, `${at}/selectSeries/minAgeToStart`),
    maxAgeToStart: ctx.duration(sel.maxAgeToStart, `${at}/selectSeries/maxAgeToStart`),
    indications,
    doses: s.seriesDose.map((d, i) => compileSeriesDose(ctx, d, i, `${at}/seriesDose/${i}`)),
  };
}

function compileIndication(ctx: Context, ind: RawIndication, at: string): Indication | undefined {
  const code = ind.observationCode?.code?.trim() ?? '';
  if (code === '') {
    // `<indication/>`: the series has no indication.
    return undefined;
  }
  return {
    observationCode: code,
    observationText: ind.observationCode?.text ?? '',
    description: ind.description ?? '',
    beginAge: ctx.duration(ind.beginAge, `${at}/beginAge`),
    endAge: ctx.duration(ind.endAge, `${at}/endAge`),
    guidance: ind.guidance ?? '',
  };
}

function compileSeriesDose(ctx: Context, d: RawSeriesDose, index: number, at: string): SeriesDose {
  const match = /(\d+)/.exec(d.doseNumber);
  const doseNumber = match?.[1] === undefined ? index + 1 : Number(match[1]);
  if (doseNumber !== index + 1) {
    ctx.problem(`${at}/doseNumber`, `expected dose ${index + 1}, got "${d.doseNumber}"`);
  }
  const ages: AgeRule[] = [];
  (d.age ?? []).forEach((a, i) => {
    if (isEmptyObject(a)) {
      return;
    }
    ages.push(compileAge(ctx, a, `${at}/age/${i}`));
  });
  const intervals: IntervalRule[] = [];
  (d.interval ?? []).forEach((v, i) => {
    const rule = compileInterval(ctx, v, `${at}/interval/${i}`);
    if (rule !== undefined) {
      intervals.push(rule);
    }
  });
  const allowableIntervals: AllowableIntervalRule[] = [];
  (d.allowableInterval ?? []).forEach((v, i) => {
    const rule = compileAllowableInterval(ctx, v, `${at}/allowableInterval/${i}`);
    if (rule !== undefined) {
      allowableIntervals.push(rule);
    }
  });
  const preferableVaccines: PreferableVaccine[] = [];
  (d.preferableVaccine ?? []).forEach((v, i) => {
    const cvx = v.cvx?.trim() ?? '';
    if (cvx === '') {
      return;
    }
    const vat = `${at}/preferableVaccine/${i}`;
    preferableVaccines.push({
      vaccineType: v.vaccineType ?? '',
      cvx: canonicalCvx(cvx),
      beginAge: ctx.duration(v.beginAge, `${vat}/beginAge`),
      endAge: ctx.duration(v.endAge, `${vat}/endAge`),
      tradeName: nonEmpty(v.tradeName),
      mvx: nonEmpty(v.mvx),
      volume: nonEmpty(v.volume),
      forecastVaccineType: ctx.flag(v.forecastVaccineType ?? '', `${vat}/forecastVaccineType`),
    });
  });
  const allowableVaccines: AllowableVaccine[] = [];
  (d.allowableVaccine ?? []).forEach((v, i) => {
    const cvx = v.cvx?.trim() ?? '';
    if (cvx === '') {
      return;
    }
    const vat = `${at}/allowableVaccine/${i}`;
    allowableVaccines.push({
      vaccineType: v.vaccineType ?? '',
      cvx: canonicalCvx(cvx),
      beginAge: ctx.duration(v.beginAge, `${vat}/beginAge`),
      endAge: ctx.duration(v.endAge, `${vat}/endAge`),
    });
  });
  const inadvertentVaccines = new Set(
    (d.inadvertentVaccine ?? [])
      .map((v) => v.cvx?.trim() ?? '')
      .filter((c) => c !== '')
      .map(canonicalCvx),
  );
  const conditionalSkips: ConditionalSkip[] = [];
  (d.conditionalSkip ?? []).forEach((c, i) => {
    const skip = compileConditionalSkip(ctx, c, `${at}/conditionalSkip/${i}`);
    if (skip !== undefined) {
      conditionalSkips.push(skip);
    }
  });
  const seasonal = compileSeasonal(ctx, d, at);
  return {
    doseNumber,
    ages,
    intervals,
    allowableIntervals,
    preferableVaccines,
    allowableVaccines,
    inadvertentVaccines,
    conditionalSkips,
    recurring: ctx.flag(d.recurringDose, `${at}/recurringDose`),
    seasonalRecommendation: seasonal,
  };
}

function compileAge(ctx: Context, a: RawAge, at: string): AgeRule {
  return {
    absMinAge: ctx.duration(a.absMinAge, `${at}/absMinAge`),
    minAge: ctx.duration(a.minAge, `${at}/minAge`),
    earliestRecAge: ctx.duration(a.earliestRecAge, `${at}/earliestRecAge`),
    latestRecAge: ctx.duration(a.latestRecAge, `${at}/latestRecAge`),
    maxAge: ctx.duration(a.maxAge, `${at}/maxAge`),
    ...ctx.window(a, at),
  };
}

/**
 * Where an interval is measured from. `fromPrevious` 'Y' wins (CALCDTINT-1); otherwise the first
 * of from-target-dose (CALCDTINT-2), from-most-recent (CALCDTINT-8) and from-relevant-observation
 * (CALCDTINT-9) that is given.
 */
function intervalFrom(
  ctx: Context,
  v: RawInterval | RawAllowableInterval,
  at: string,
): IntervalFrom | undefined {
  if (ctx.flag(v.fromPrevious ?? '', `${at}/fromPrevious`)) {
    return { kind: 'previous' };
  }
  const target = v.fromTargetDose?.trim() ?? '';
  if (target !== '' && target.toLowerCase() !== 'n/a') {
    const n = Number(target);
    if (!Number.isInteger(n) || n < 1) {
      ctx.problem(`${at}/fromTargetDose`, `not a dose number: "${target}"`);
      return undefined;
    }
    return { kind: 'targetDose', doseNumber: n };
  }
  if ('fromMostRecent' in v) {
    const recent = splitList(v.fromMostRecent ?? '');
    if (recent.length > 0) {
      return { kind: 'mostRecent', cvx: ctx.vaccineTypeSet(recent.map(canonicalCvx)) };
    }
  }
  if ('fromRelevantObs' in v) {
    const code = v.fromRelevantObs.code?.trim() ?? '';
    if (code !== '') {
      return { kind: 'observation', observationCode: code };
    }
  }
  return undefined;
}

function compileInterval(ctx: Context, v: RawInterval, at: string): IntervalRule | undefined {
  if (isEmptyObject(v)) {
    return undefined;
  }
  const from = intervalFrom(ctx, v, at);
  if (from === undefined) {
    ctx.problem(
      at,
      'interval has no reference (from previous, target dose, most recent or observation)',
    );
    return undefined;
  }
  const priority = (v.intervalPriority ?? '').trim().toLowerCase();
  return {
    from,
    absMinInt: ctx.duration(v.absMinInt, `${at}/absMinInt`),
    minInt: ctx.duration(v.minInt, `${at}/minInt`),
    earliestRecInt: ctx.duration(v.earliestRecInt, `${at}/earliestRecInt`),
    latestRecInt: ctx.duration(v.latestRecInt, `${at}/latestRecInt`),
    priority: priority === 'override' || priority === 'y' || priority === 'yes',
    ...ctx.window(v, at),
  };
}

function compileAllowableInterval(
  ctx: Context,
  v: RawAllowableInterval,
  at: string,
): AllowableIntervalRule | undefined {
  if (isEmptyObject(v)) {
    return undefined;
  }
  const from = intervalFrom(ctx, v, at);
  if (from === undefined) {
    ctx.problem(at, 'allowable interval has no reference (from previous or target dose)');
    return undefined;
  }
  return {
    from,
    absMinInt: ctx.duration(v.absMinInt, `${at}/absMinInt`),
    ...ctx.window(v, at),
  };
}

const CONTEXTS: Readonly<Record<string, SkipContext>> = {
  evaluation: 'Evaluation',
  forecast: 'Forecast',
  both: 'Both',
};

function compileConditionalSkip(
  ctx: Context,
  c: RawConditionalSkip,
  at: string,
): ConditionalSkip | undefined {
  const contextText = (c.context ?? '').trim().toLowerCase();
  if (contextText === '' || contextText === 'n/a') {
    // Context n/a: "there are no conditions that can result in a dose being skipped" (§3.3).
    return undefined;
  }
  const context = CONTEXTS[contextText];
  if (context === undefined) {
    ctx.problem(`${at}/context`, `unknown conditional skip context "${c.context ?? ''}"`);
    return undefined;
  }
  const sets: SkipSet[] = (c.set ?? []).map((s, i) => compileSkipSet(ctx, s, `${at}/set/${i}`));
  return { context, setLogic: ctx.logic(c.setLogic, `${at}/setLogic`), sets };
}

function compileSkipSet(ctx: Context, s: RawConditionalSkipSet, at: string): SkipSet {
  return {
    id: s.setID ?? '',
    description: s.setDescription ?? '',
    conditionLogic: ctx.logic(s.conditionLogic, `${at}/conditionLogic`),
    conditions: (s.condition ?? []).map((c, i) =>
      compileSkipCondition(ctx, c, `${at}/condition/${i}`),
    ),
    ...ctx.window(s, at),
  };
}

const CONDITION_TYPES: Readonly<Record<string, SkipConditionType>> = {
  age: 'Age',
  'completed series': 'Completed Series',
  interval: 'Interval',
  'vaccine count by age': 'Vaccine Count by Age',
  'vaccine count by date': 'Vaccine Count by Date',
  // Both ranges of CONDSKIP-1 always apply, so "by date and age" counts like "by date".
  'vaccine count by date and age': 'Vaccine Count by Date',
};

function compileSkipCondition(
  ctx: Context,
  c: RawConditionalSkipCondition,
  at: string,
): SkipCondition {
  const typeText = (c.conditionType ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
  const type = CONDITION_TYPES[typeText];
  if (type === undefined) {
    ctx.problem(`${at}/conditionType`, `unknown condition type "${c.conditionType ?? ''}"`);
  }
  const countText = (c.doseCount ?? '').trim();
  let doseCount: number | undefined;
  if (countText !== '') {
    doseCount = Number(countText);
    if (!Number.isInteger(doseCount)) {
      ctx.problem(`${at}/doseCount`, `not a number: "${countText}"`);
      doseCount = undefined;
    }
  }
  const logicText = (c.doseCountLogic ?? '').trim().toLowerCase();
  let doseCountLogic: SkipCondition['doseCountLogic'] = 'greater than';
  if (logicText === 'equal to' || logicText === 'equal' || logicText === 'equals') {
    doseCountLogic = 'equal to';
  } else if (logicText === 'less than') {
    doseCountLogic = 'less than';
  } else if (logicText !== '' && logicText !== 'greater than') {
    ctx.problem(`${at}/doseCountLogic`, `unknown dose count logic "${c.doseCountLogic ?? ''}"`);
  }
  const vaccineTypes = splitList(c.vaccineTypes ?? '').map(canonicalCvx);
  return {
    id: c.conditionID ?? '',
    type: type ?? 'Age',
    startDate: ctx.date(c.startDate, `${at}/startDate`),
    endDate: ctx.date(c.endDate, `${at}/endDate`),
    beginAge: ctx.duration(c.beginAge, `${at}/beginAge`),
    endAge: ctx.duration(c.endAge, `${at}/endAge`),
    interval: ctx.duration(c.interval, `${at}/interval`),
    doseCount: doseCount,
    doseType: (c.doseType ?? '').trim().toLowerCase() === 'valid' ? 'Valid' : 'Total',
    doseCountLogic,
    vaccineTypes: vaccineTypes.length > 0 ? new Set(vaccineTypes) : undefined,
    seriesGroups: splitList(c.seriesGroups ?? ''),
  };
}

function compileSeasonal(
  ctx: Context,
  d: RawSeriesDose,
  at: string,
): SeasonalRecommendation | undefined {
  const s = d.seasonalRecommendation;
  if (s === undefined) {
    return undefined;
  }
  const startDate = ctx.date(s.startDate, `${at}/seasonalRecommendation/startDate`);
  const endDate = ctx.date(s.endDate, `${at}/seasonalRecommendation/endDate`);
  if (startDate === undefined && endDate === undefined) {
    return undefined;
  }
  return { startDate, endDate };
}

// ---------------------------------------------------------------------------------------------
// Value parsing with problem collection
// ---------------------------------------------------------------------------------------------

class Context {
  readonly problems: RuleProblem[] = [];
  private readonly durations = new Map<string, RuleSetDuration>();
  /** The shared durations in slot order (`RuleSet.durations`). */
  readonly durationList: RuleSetDuration[] = [];
  /** Durations by source text (parse errors are not kept: each occurrence is reported). */
  private readonly durationTexts = new Map<string, Duration | undefined>();
  /** The sets of {@link vaccineTypeSet}, by their codes in order. */
  private readonly vaccineTypeSets = new Map<string, ReadonlySet<string>>();
  file = '';

  constructor(private readonly manifest: RawCdsiManifest) {}

  antigenFile(antigen: string): string {
    const rel = this.manifest.antigens[antigen] ?? `antigens/${antigen}.json`;
    return `cdsi/${this.manifest.version}/${rel}`;
  }

  problem(at: string, message: string): void {
    this.problems.push({ file: this.file, pointer: at, message });
  }

  /**
   * A set of vaccine types (canonical CVX) from-most-recent intervals measure from
   * (CALCDTINT-8). Equal lists are one shared set: the engine memoises, per patient, the doses
   * of each set, and the same few lists recur on most series doses of an antigen.
   */
  vaccineTypeSet(cvx: readonly string[]): ReadonlySet<string> {
    const key = cvx.join(' ');
    let set = this.vaccineTypeSets.get(key);
    if (set === undefined) {
      set = new Set(cvx);
      this.vaccineTypeSets.set(key, set);
    }
    return set;
  }

  /**
   * Parses an optional duration. Equal durations are one shared object ("6 weeks - 4 days"
   * occurs over a thousand times), so the engine's per-patient age-date memo hits often.
   */
  duration(text: string | undefined, at: string): Duration | undefined {
    // The same few dozen texts recur thousands of times: parse each once (start-up time).
    if (text !== undefined && this.durationTexts.has(text)) {
      return this.durationTexts.get(text);
    }
    try {
      const d = parseOptionalDuration(text);
      let result: Duration | undefined;
      if (d !== undefined) {
        const key = `${d.years}y${d.months}m${d.weeks}w${d.days}d`;
        result = this.durations.get(key);
        if (result === undefined) {
          // Numbered in order of first use: the engine keeps a patient's age dates by slot.
          // (A plain literal, not a spread: one compact object shape for every rule duration.)
          const shared: RuleSetDuration = {
            years: d.years,
            months: d.months,
            weeks: d.weeks,
            days: d.days,
            text: d.text,
            slot: this.durationList.length,
          };
          this.durations.set(key, shared);
          this.durationList.push(shared);
          result = shared;
        }
      }
      if (text !== undefined) {
        this.durationTexts.set(text, result);
      }
      return result;
    } catch (e) {
      this.problem(
        at,
        e instanceof DurationSyntaxError ? e.message : `not a duration: "${text ?? ''}"`,
      );
      return undefined;
    }
  }

  requiredDuration(text: string, at: string): Duration {
    const d = this.duration(text, at);
    if (d === undefined) {
      if (text.trim() === '' || text.trim().toLowerCase() === 'n/a') {
        this.problem(at, 'a duration is required');
      }
      return { years: 0, months: 0, weeks: 0, days: 0, text: '0 days' };
    }
    return d;
  }

  /** Dates are written YYYYMMDD (effective/cessation, skip and seasonal dates) or MM/DD/YYYY (immunity). */
  date(text: string | undefined, at: string): CalendarDate | undefined {
    const t = (text ?? '').trim();
    if (t === '' || t.toLowerCase() === 'n/a') {
      return undefined;
    }
    let m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
    let iso: string | undefined;
    if (m !== null) {
      iso = `${m[1] ?? ''}-${m[2] ?? ''}-${m[3] ?? ''}`;
    } else {
      m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
      if (m !== null) {
        iso = `${m[3] ?? ''}-${(m[1] ?? '').padStart(2, '0')}-${(m[2] ?? '').padStart(2, '0')}`;
      } else if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
        iso = t;
      }
    }
    const date = iso === undefined ? undefined : CalendarDate.tryParse(iso);
    if (date === undefined) {
      this.problem(at, `not a date: "${t}"`);
    }
    return date;
  }

  /** "Yes"/"Y" → true, "No"/"N"/empty/"n/a" → false. */
  flag(text: string, at: string): boolean {
    const t = text.trim().toLowerCase();
    if (t === 'yes' || t === 'y') {
      return true;
    }
    if (t === 'no' || t === 'n' || t === '' || t === 'n/a') {
      return false;
    }
    this.problem(at, `expected Yes or No, got "${text}"`);
    return false;
  }

  /** Set and condition logic; "n/a" or empty (a single set or condition) behaves like AND. */
  logic(text: string | undefined, at: string): 'AND' | 'OR' {
    const t = (text ?? '').trim().toUpperCase();
    if (t === 'OR') {
      return 'OR';
    }
    if (t !== 'AND' && t !== '' && t !== 'N/A') {
      this.problem(at, `expected AND or OR, got "${text ?? ''}"`);
    }
    return 'AND';
  }

  window(
    v: { readonly effectiveDate?: string; readonly cessationDate?: string },
    at: string,
  ): { effectiveDate: CalendarDate | undefined; cessationDate: CalendarDate | undefined } {
    return {
      effectiveDate: this.date(v.effectiveDate, `${at}/effectiveDate`),
      cessationDate: this.date(v.cessationDate, `${at}/cessationDate`),
    };
  }
}

function nonEmpty(text: string | undefined): string | undefined {
  const t = text?.trim() ?? '';
  return t === '' || t.toLowerCase() === 'n/a' ? undefined : t;
}

/** Splits "08; 110;120" or "1, 2" into trimmed, non-empty items. */
function splitList(text: string): string[] {
  return text
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && s.toLowerCase() !== 'n/a');
}

function isEmptyObject(v: object): boolean {
  return Object.values(v).every(
    (x) =>
      x === undefined ||
      (typeof x === 'string' && x.trim() === '') ||
      (typeof x === 'object' && x !== null && isEmptyObject(x as object)),
  );
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) {
    map.set(key, [value]);
  } else {
    list.push(value);
  }
}
