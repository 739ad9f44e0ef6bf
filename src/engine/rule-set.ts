/**
 * The parsed, indexed rule set the engine consumes: the CDC CDSi supporting data (antigen
 * series, schedule tables) with every text already turned into what the logic needs —
 * durations into {@link Duration}, dates into {@link CalendarDate}, Y/N and Yes/No into
 * booleans, CVX lists into sets, and the CVX→antigen and live-virus tables indexed by CVX.
 *
 * `src/rules/compile-rule-set.ts` builds it once from the raw tables (`src/rules/raw-types.ts`),
 * so a forecast never parses text. Names follow the supporting data (and the Logic
 * Specification v4.6 Appendix A glossary) so a reader can put the two side by side.
 *
 * Conventions:
 * - an optional field that is absent means the supporting data left it empty or "n/a"; the
 *   engine applies the "assumed value if empty" of the relevant attribute table;
 * - every CVX code is kept in canonical form (see {@link canonicalCvx}), so "03" and "3" match;
 * - lists keep the order of the supporting data.
 */
import type { CalendarDate, Duration } from '../calendar';

/**
 * Canonical form of a CVX code: trimmed, without leading zeros ("03" → "3", "0" stays "0").
 * CDC tables write two-digit codes with a leading zero; callers may not.
 *
 * @param cvx - A CVX code as written anywhere.
 * @returns The key used in every CVX index of the rule set.
 */
export function canonicalCvx(cvx: string): string {
  const trimmed = cvx.trim();
  if (trimmed.charCodeAt(0) !== 48 /* '0' */) {
    // No leading zero (most codes, and ''): nothing to strip.
    return trimmed;
  }
  // Leading zeros off, the last character kept ("00" → "0"); a loop, not a regular expression:
  // this runs for every dose of every call.
  let start = 0;
  while (start < trimmed.length - 1 && trimmed.charCodeAt(start) === 48) {
    start += 1;
  }
  return trimmed.slice(start);
}

/** A window of validity of a logical component instance (§3.3, RELEVANT-1/RELEVANT-2). */
export interface EffectiveWindow {
  /** Effective date; absent when "n/a" (assumed 1900-01-01). */
  readonly effectiveDate?: CalendarDate | undefined;
  /** Cessation date; absent when "n/a" (assumed 2999-12-31). */
  readonly cessationDate?: CalendarDate | undefined;
}

// ---------------------------------------------------------------------------------------------
// Series dose components (Appendix A, Antigen Series neighbourhood)
// ---------------------------------------------------------------------------------------------

/** Age logical component of a series dose (§6.4, §7.5). */
export interface AgeRule extends EffectiveWindow {
  readonly absMinAge?: Duration | undefined;
  readonly minAge?: Duration | undefined;
  readonly earliestRecAge?: Duration | undefined;
  readonly latestRecAge?: Duration | undefined;
  readonly maxAge?: Duration | undefined;
}

/** Where a preferable interval is measured from (§6.5, CALCDTINT-1/2/8/9). */
export type IntervalFrom =
  /** CALCDTINT-1: from the immediate previous dose administered. */
  | { readonly kind: 'previous' }
  /** CALCDTINT-2: from the dose that satisfied target dose number `doseNumber` (1-based). */
  | { readonly kind: 'targetDose'; readonly doseNumber: number }
  /** CALCDTINT-8: from the most recent dose of one of these vaccine types (canonical CVX). */
  | { readonly kind: 'mostRecent'; readonly cvx: ReadonlySet<string> }
  /** CALCDTINT-9: from the date of the most recent active observation with this code. */
  | { readonly kind: 'observation'; readonly observationCode: string };

/** Preferable interval logical component (§6.5, §7.5). */
export interface IntervalRule extends EffectiveWindow {
  readonly from: IntervalFrom;
  readonly absMinInt?: Duration | undefined;
  readonly minInt?: Duration | undefined;
  readonly earliestRecInt?: Duration | undefined;
  readonly latestRecInt?: Duration | undefined;
  /**
   * Interval priority flag (FORECASTPRIORITY-1). The supporting data writes "override" where the
   * logic specification says 'Y'.
   */
  readonly priority: boolean;
}

/** Allowable interval logical component (§6.6): only an absolute minimum interval. */
export interface AllowableIntervalRule extends EffectiveWindow {
  readonly from: IntervalFrom;
  readonly absMinInt?: Duration | undefined;
}

/** A preferable vaccine of a series dose (§6.8, FORECASTRECVAC-1). */
export interface PreferableVaccine {
  readonly vaccineType: string;
  /** Canonical CVX. */
  readonly cvx: string;
  readonly beginAge?: Duration | undefined;
  readonly endAge?: Duration | undefined;
  readonly tradeName?: string | undefined;
  readonly mvx?: string | undefined;
  readonly volume?: string | undefined;
  /** Forecast vaccine type flag. */
  readonly forecastVaccineType: boolean;
}

/** An allowable vaccine of a series dose (§6.9). */
export interface AllowableVaccine {
  readonly vaccineType: string;
  /** Canonical CVX. */
  readonly cvx: string;
  readonly beginAge?: Duration | undefined;
  readonly endAge?: Duration | undefined;
}

/** Where a conditional skip instance applies (§3.3 figure 3-3). */
export type SkipContext = 'Evaluation' | 'Forecast' | 'Both';

/** Conditional skip condition types (Appendix A glossary). */
export type SkipConditionType =
  'Age' | 'Completed Series' | 'Interval' | 'Vaccine Count by Age' | 'Vaccine Count by Date';

/** One condition of a conditional skip set (tables 6-6 .. 6-9). */
export interface SkipCondition {
  readonly id: string;
  readonly type: SkipConditionType;
  /** Start date (CONDSKIP-1); absent: 1900-01-01. */
  readonly startDate?: CalendarDate | undefined;
  /** End date (CONDSKIP-1); absent: 2999-12-31. */
  readonly endDate?: CalendarDate | undefined;
  readonly beginAge?: Duration | undefined;
  readonly endAge?: Duration | undefined;
  readonly interval?: Duration | undefined;
  readonly doseCount?: number | undefined;
  /** 'Valid' counts only valid doses; 'Total' counts every dose (CONDSKIP-1). */
  readonly doseType: 'Valid' | 'Total';
  readonly doseCountLogic: 'greater than' | 'equal to' | 'less than';
  /** Vaccine types counted (canonical CVX); absent: every vaccine of the antigen counts. */
  readonly vaccineTypes?: ReadonlySet<string> | undefined;
  /** Series groups of the 'Completed Series' condition. */
  readonly seriesGroups: readonly string[];
}

/** A conditional skip set (table 6-10). */
export interface SkipSet extends EffectiveWindow {
  readonly id: string;
  readonly description: string;
  readonly conditionLogic: 'AND' | 'OR';
  readonly conditions: readonly SkipCondition[];
}

/** A conditional skip of a series dose (§6.2, §7.1, §7.6; table 6-11). */
export interface ConditionalSkip {
  readonly context: SkipContext;
  readonly setLogic: 'AND' | 'OR';
  readonly sets: readonly SkipSet[];
}

/** Seasonal recommendation of a series dose (§7.4, §7.5). */
export interface SeasonalRecommendation {
  readonly startDate?: CalendarDate | undefined;
  readonly endDate?: CalendarDate | undefined;
}

/** A series dose: one dose of an antigen series (DEFEVALUATION-008). */
export interface SeriesDose {
  /** 1-based dose number in the series. */
  readonly doseNumber: number;
  readonly ages: readonly AgeRule[];
  readonly intervals: readonly IntervalRule[];
  readonly allowableIntervals: readonly AllowableIntervalRule[];
  readonly preferableVaccines: readonly PreferableVaccine[];
  readonly allowableVaccines: readonly AllowableVaccine[];
  /** Inadvertent vaccine types (canonical CVX), §6.3. */
  readonly inadvertentVaccines: ReadonlySet<string>;
  readonly conditionalSkips: readonly ConditionalSkip[];
  /** Recurring dose flag (§4.4 step 5). */
  readonly recurring: boolean;
  readonly seasonalRecommendation?: SeasonalRecommendation | undefined;
}

/** An indication that drives the need for a risk series (§5.1, table 5-4). */
export interface Indication {
  readonly observationCode: string;
  readonly observationText: string;
  readonly description: string;
  readonly beginAge?: Duration | undefined;
  readonly endAge?: Duration | undefined;
  readonly guidance: string;
}

export type SeriesType = 'Standard' | 'Risk' | 'Evaluation Only';

/** Gender values of `requiredGender`. */
export type RequiredGender = 'Female' | 'Male' | 'Unknown';

/** An antigen series: one path to immunity (§4.3). */
export interface AntigenSeries {
  readonly name: string;
  readonly antigen: string;
  readonly vaccineGroup: string;
  readonly adminGuidance: readonly string[];
  readonly seriesType: SeriesType;
  /** Series groups whose best series is equivalent to this one's (table 8-14). */
  readonly equivalentSeriesGroups: readonly string[];
  /** Required genders; empty means any gender (table 5-2). */
  readonly requiredGenders: readonly RequiredGender[];
  readonly defaultSeries: boolean;
  readonly productPath: boolean;
  readonly seriesGroupName: string;
  readonly seriesGroup: string;
  /** Series priority as a rank: 0 for 'A' (highest), 1 for 'B', … (SELECTSCORE-2). */
  readonly seriesPriority: number;
  /** Series preference (1 is best); absent sorts last (SELECTBEST-2). */
  readonly seriesPreference?: number | undefined;
  readonly minAgeToStart?: Duration | undefined;
  readonly maxAgeToStart?: Duration | undefined;
  readonly indications: readonly Indication[];
  readonly doses: readonly SeriesDose[];
}

/** An antigen contraindication (table 7-5). */
export interface AntigenContraindication {
  readonly observationCode: string;
  readonly observationTitle: string;
  readonly text: string;
  readonly guidance: string;
  readonly beginAge?: Duration | undefined;
  readonly endAge?: Duration | undefined;
}

/** A vaccine contraindication (table 7-6). */
export interface VaccineContraindication {
  readonly observationCode: string;
  readonly observationTitle: string;
  readonly text: string;
  readonly guidance: string;
  readonly vaccines: readonly {
    readonly vaccineType: string;
    /** Canonical CVX. */
    readonly cvx: string;
    readonly beginAge?: Duration | undefined;
    readonly endAge?: Duration | undefined;
  }[];
}

/** Birth-date evidence of immunity (table 7-3). */
export interface BirthDateImmunity {
  readonly immunityBirthDate: CalendarDate;
  /** Required country of birth; absent when the supporting data leaves it empty (any country). */
  readonly birthCountry?: string | undefined;
  readonly exclusionCodes: ReadonlySet<string>;
}

/** Everything the supporting data says about one antigen. */
export interface AntigenRules {
  readonly antigen: string;
  /** Observation codes that are clinical-history evidence of immunity (table 7-3). */
  readonly immunityGuidelineCodes: ReadonlySet<string>;
  readonly birthDateImmunity: readonly BirthDateImmunity[];
  readonly antigenContraindications: readonly AntigenContraindication[];
  readonly vaccineContraindications: readonly VaccineContraindication[];
  readonly series: readonly AntigenSeries[];
}

// ---------------------------------------------------------------------------------------------
// Schedule tables
// ---------------------------------------------------------------------------------------------

/** A live virus (vaccine type) conflict, indexed by the impacted ("current") CVX (§6.7). */
export interface LiveVirusConflict {
  /** Conflicting ("previous") vaccine type, canonical CVX. */
  readonly previousCvx: string;
  /** Impacted ("current") vaccine type, canonical CVX. */
  readonly currentCvx: string;
  readonly conflictBeginInterval: Duration;
  readonly minConflictEndInterval: Duration;
  readonly conflictEndInterval: Duration;
}

/** One antigen a CVX counts for, with the ages at which it does (§4.2 step 2a). */
export interface CvxAntigenAssociation {
  readonly antigen: string;
  readonly associationBeginAge?: Duration | undefined;
  readonly associationEndAge?: Duration | undefined;
}

/** A CVX code of the CVX→antigen map. */
export interface VaccineType {
  /** Canonical CVX. */
  readonly cvx: string;
  readonly shortDescription: string;
  readonly associations: readonly CvxAntigenAssociation[];
}

/** A vaccine group (§9). */
export interface VaccineGroupRules {
  readonly name: string;
  /** Administer full vaccine group flag (FORECASTDN-2). */
  readonly administerFullVaccineGroup: boolean;
  /** Antigens the group classifies, in supporting-data order. */
  readonly antigens: readonly string[];
}

/**
 * A code the supporting data lists for an observation (`codedValues/codedValue`), e.g. SNOMED
 * `"370388006"` for "003 Immunocompromised". Adapters use these to map the codes a caller sends
 * (SNOMED CT, CVX, CDC PHIN VS) to CDSi observation codes; the engine does not read them.
 */
export interface ObservationCodedValue {
  readonly code: string;
  /** The supporting data's code-system name: "SNOMED", "CVX" or "CDCPHINVS". */
  readonly codeSystem: string;
  readonly text: string;
}

/** A coded observation of the schedule supporting data. */
export interface ObservationRule {
  readonly code: string;
  readonly title: string;
  readonly group: string;
  readonly indicationText: string;
  readonly contraindicationText: string;
  readonly clarifyingText: string;
  /** The codes the supporting data gives for this observation, in its order (may be empty). */
  readonly codedValues: readonly ObservationCodedValue[];
}

/** The compiled rule set. */
export interface RuleSet {
  /** `ruleSetId@version`, e.g. "cdc-cdsi@4.64". */
  readonly id: string;
  readonly ruleSetId: string;
  readonly version: string;
  /** Antigen name → rules. */
  readonly antigens: ReadonlyMap<string, AntigenRules>;
  /** Vaccine groups in supporting-data order. */
  readonly vaccineGroups: readonly VaccineGroupRules[];
  /** Antigen → the vaccine group that classifies it (DEFFORECAST-011). */
  readonly vaccineGroupOfAntigen: ReadonlyMap<string, string>;
  /** Canonical CVX → vaccine type with its antigen associations. */
  readonly vaccineTypes: ReadonlyMap<string, VaccineType>;
  /** Canonical impacted CVX → conflicts in which it is the impacted ("current") type. */
  readonly liveVirusConflictsByCurrent: ReadonlyMap<string, readonly LiveVirusConflict[]>;
  /** Canonical conflicting CVX → conflicts in which it is the conflicting ("previous") type. */
  readonly liveVirusConflictsByPrevious: ReadonlyMap<string, readonly LiveVirusConflict[]>;
  /** Observation code → coded observation. */
  readonly observations: ReadonlyMap<string, ObservationRule>;
  /**
   * Every distinct duration of the rule set, once each, at its {@link RuleSetDuration.slot}: a
   * patient's age dates (CALCDTAGE-1..5 and the like) are kept in an array indexed by slot.
   * Empty for a rule set built by hand; its durations then take a slower, map-based memo.
   */
  readonly durations: readonly RuleSetDuration[];
}

/**
 * A duration as the rule-set compiler shares it: one object per distinct value, numbered by its
 * position in {@link RuleSet.durations}.
 */
export interface RuleSetDuration extends Duration {
  readonly slot: number;
}
