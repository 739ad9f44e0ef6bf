/**
 * Whether a rule set's seasonal recommendations still cover an assessment date.
 *
 * The CDC supporting data gives a seasonal series dose absolute season dates (`seasonalRecommendation`
 * start and end) and rolls them forward in each release. The Logic Specification v4.6 takes them
 * as given: FORECASTDTCAN-1 starts the earliest date at the season start, and table 7-10 answers
 * "Past seasonal recommendation end date" (Not Recommended) once the assessment date is after the
 * end. With a rule set older than the current season every such forecast says the season has
 * ended — right for that data, clinically misleading. The engine keeps following the
 * specification; this module finds the seasons that have run out so the adapters (FHIR, CDS
 * Hooks, start-up log) can warn next to the result.
 *
 * Pure: no I/O, no clock; the assessment date is an argument.
 *
 * @packageDocumentation
 */
import { addDuration, type CalendarDate, type Duration } from '../calendar';
import type { AntigenResult, ForecastResult } from './model';
import type { RuleSet, SeasonalRecommendation } from './rule-set';

/** The last season of an antigen whose seasons have all ended by an assessment date. */
export interface EndedSeason {
  readonly antigen: string;
  /** The vaccine group that classifies the antigen (DEFFORECAST-011). */
  readonly vaccineGroup: string;
  /** Start of the latest season; absent when the supporting data leaves it empty. */
  readonly startDate?: CalendarDate | undefined;
  /** End of the latest season (the latest end date of the antigen). */
  readonly endDate: CalendarDate;
}

/** What this module needs of a rule set, derived once per rule set (it is immutable). */
interface SeasonFacts {
  /**
   * The antigens whose every seasonal recommendation has an end date, each with its latest
   * season, in vaccine-group order. An antigen with a season that never ends (COVID-19 in 4.64:
   * start date, no end) is always covered and left out.
   */
  readonly lastSeasons: readonly EndedSeason[];
  /**
   * Per antigen and series name (`antigen\u0000series`), the maximum ages of its seasonal doses
   * (undefined: no maximum age), to tell a series past its season from one the patient has
   * outgrown anyway.
   */
  readonly seasonalMaxAges: ReadonlyMap<string, readonly (Duration | undefined)[]>;
  /** Caveat texts by antigen and assessment date (no patient data). */
  readonly caveatTexts: Map<string, string>;
}

const factsByRuleSet = new WeakMap<RuleSet, SeasonFacts>();

function factsOf(ruleSet: RuleSet): SeasonFacts {
  let facts = factsByRuleSet.get(ruleSet);
  if (facts === undefined) {
    facts = {
      lastSeasons: computeLastSeasons(ruleSet),
      seasonalMaxAges: computeMaxAges(ruleSet),
      caveatTexts: new Map(),
    };
    factsByRuleSet.set(ruleSet, facts);
  }
  return facts;
}

function isSeasonal(season: SeasonalRecommendation | undefined): season is SeasonalRecommendation {
  // "seasonalRecommendation": {} in the tables: not a seasonal dose.
  return season !== undefined && (season.startDate ?? season.endDate) !== undefined;
}

function seriesKey(antigen: string, seriesName: string): string {
  return `${antigen}\u0000${seriesName}`;
}

function computeMaxAges(ruleSet: RuleSet): Map<string, (Duration | undefined)[]> {
  const maxAges = new Map<string, (Duration | undefined)[]>();
  for (const rules of ruleSet.antigens.values()) {
    for (const series of rules.series) {
      const ages = series.doses
        .filter((d) => isSeasonal(d.seasonalRecommendation))
        .flatMap((d) => (d.ages.length === 0 ? [undefined] : d.ages.map((a) => a.maxAge)));
      if (ages.length > 0) {
        maxAges.set(seriesKey(rules.antigen, series.name), ages);
      }
    }
  }
  return maxAges;
}

function computeLastSeasons(ruleSet: RuleSet): readonly EndedSeason[] {
  const byAntigen = new Map<string, EndedSeason | 'open'>();
  for (const rules of ruleSet.antigens.values()) {
    for (const series of rules.series) {
      for (const dose of series.doses) {
        const season = dose.seasonalRecommendation;
        if (!isSeasonal(season)) {
          continue;
        }
        const known = byAntigen.get(rules.antigen);
        if (known === 'open') {
          continue;
        }
        if (season.endDate === undefined) {
          byAntigen.set(rules.antigen, 'open');
          continue;
        }
        if (known === undefined || isLater(season.endDate, season.startDate, known)) {
          byAntigen.set(rules.antigen, {
            antigen: rules.antigen,
            vaccineGroup: ruleSet.vaccineGroupOfAntigen.get(rules.antigen) ?? series.vaccineGroup,
            startDate: season.startDate,
            endDate: season.endDate,
          });
        }
      }
    }
  }
  const groupOrder = new Map(ruleSet.vaccineGroups.map((g, i) => [g.name, i]));
  const rank = (s: EndedSeason): number => groupOrder.get(s.vaccineGroup) ?? groupOrder.size;
  return [...byAntigen.values()]
    .filter((s): s is EndedSeason => s !== 'open')
    .sort((a, b) => rank(a) - rank(b));
}

/** Whether a season (end, start) is later than `known`: later end, or same end and later start. */
function isLater(end: CalendarDate, start: CalendarDate | undefined, known: EndedSeason): boolean {
  if (!end.equals(known.endDate)) {
    return end.isAfter(known.endDate);
  }
  return start !== undefined && (known.startDate === undefined || start.isAfter(known.startDate));
}

/**
 * The seasonal recommendations of a rule set that have ended by an assessment date: per antigen
 * whose every season ends before that date (none covers it, none follows it), its latest season.
 * Computed per rule set once; the call itself only compares dates.
 *
 * @param ruleSet - The compiled rule set.
 * @param assessmentDate - The date to check.
 * @returns One entry per such antigen, in vaccine-group order; empty when every season covers
 *   or follows the date.
 */
export function endedSeasons(
  ruleSet: RuleSet,
  assessmentDate: CalendarDate,
): readonly EndedSeason[] {
  return factsOf(ruleSet).lastSeasons.filter((s) => s.endDate.isBefore(assessmentDate));
}

/** A vaccine group of a forecast whose answer comes from a season that has run out. */
export interface SeasonCaveat {
  readonly vaccineGroup: string;
  /** Index of the group in `ForecastResult.vaccineGroups`. */
  readonly groupIndex: number;
  /** The latest season of the group's antigen. */
  readonly season: EndedSeason;
  /** The caveat in plain words (no patient data): rule set, group, season dates, what to do. */
  readonly text: string;
}

/** Engine reason code of table 7-10 "Past seasonal recommendation end date" (`reasons.ts`). */
const PAST_SEASONAL_END = 'past-seasonal-end';

/**
 * Whether a patient series stopped at the season end while the patient is still young enough
 * for one of its seasonal doses. Table 7-10 checks the season end before the maximum age, so a
 * two-year-old's infant RSV series also says "Past seasonal recommendation end date"; newer
 * season dates would not change that answer, so it gets no caveat.
 */
function stoppedBySeason(
  series: AntigenResult,
  facts: SeasonFacts,
  birthDate: CalendarDate,
  assessmentDate: CalendarDate,
): boolean {
  if (!series.reasons.some((r) => r.code === PAST_SEASONAL_END)) {
    return false;
  }
  const maxAges = facts.seasonalMaxAges.get(seriesKey(series.antigen, series.seriesName ?? ''));
  return (maxAges ?? [undefined]).some(
    (maxAge) => maxAge === undefined || assessmentDate.isBefore(addDuration(birthDate, maxAge)),
  );
}

/**
 * The caveats of a forecast: one per vaccine group with a patient series that table 7-10
 * stopped at "Past seasonal recommendation end date" because the rule set has no season of the
 * antigen covering the assessment date, while the patient is still young enough for it. The
 * series may be the group's best series or an alternative best series (an infant's RSV answer
 * comes from the 75-years+ series once the infant series is past its season, §8.8 and
 * `vaccine-group.ts`). A group whose season ended while a later season of the rule set covers
 * the date is right as it is and gets no caveat, nor does one the seasons do not decide (an
 * adult's RSV series has no season).
 *
 * @param result - What `forecast()` returned.
 * @param ruleSet - The rule set it was made with.
 * @param birthDate - The patient's birth date (for the maximum ages of the seasonal doses).
 */
export function seasonCaveats(
  result: ForecastResult,
  ruleSet: RuleSet,
  birthDate: CalendarDate,
): readonly SeasonCaveat[] {
  const facts = factsOf(ruleSet);
  let caveats: SeasonCaveat[] | undefined;
  // Called for every answer (a bulk run: millions): plain loops, and nothing is allocated for
  // the groups without an ended season, nearly all of them.
  for (let groupIndex = 0; groupIndex < result.vaccineGroups.length; groupIndex++) {
    const group = result.vaccineGroups[groupIndex];
    if (group === undefined) {
      continue;
    }
    for (const a of group.antigens) {
      const season = facts.lastSeasons.find((s) => s.antigen === a.antigen);
      if (
        season === undefined ||
        !season.endDate.isBefore(result.assessmentDate) ||
        !stoppedOrAlternativeStopped(a, facts, birthDate, result.assessmentDate)
      ) {
        continue;
      }
      (caveats ??= []).push({
        vaccineGroup: group.vaccineGroup,
        groupIndex,
        season,
        text: caveatTextOf(facts, ruleSet.id, season, result.assessmentDate),
      });
      break; // one caveat per group: its first antigen stopped by an ended season
    }
  }
  return caveats ?? [];
}

function stoppedOrAlternativeStopped(
  a: AntigenResult,
  facts: SeasonFacts,
  birthDate: CalendarDate,
  assessmentDate: CalendarDate,
): boolean {
  return (
    stoppedBySeason(a, facts, birthDate, assessmentDate) ||
    (a.alternatives ?? []).some((s) => stoppedBySeason(s, facts, birthDate, assessmentDate))
  );
}

/** The caveat text, written once per season and assessment date (fixed for a whole bulk run). */
function caveatTextOf(
  facts: SeasonFacts,
  ruleSetId: string,
  season: EndedSeason,
  assessmentDate: CalendarDate,
): string {
  const key = `${season.antigen}\u0000${assessmentDate.toString()}`;
  let text = facts.caveatTexts.get(key);
  if (text === undefined) {
    if (facts.caveatTexts.size >= CAVEAT_TEXTS_KEPT) {
      facts.caveatTexts.clear(); // many assessment dates (single requests): keep it small
    }
    text = seasonCaveatText(ruleSetId, season, assessmentDate);
    facts.caveatTexts.set(key, text);
  }
  return text;
}

/** Most caveat texts kept per rule set. */
const CAVEAT_TEXTS_KEPT = 64;

/**
 * The caveat of one ended season, e.g. "Rule set cdc-cdsi@4.64 has no Influenza season covering
 * 2026-11-22 (its last season ran 2025-07-01 to 2026-06-30): the Influenza forecast says the
 * season has ended. Load newer CDC supporting data."
 *
 * @param ruleSetId - `ruleSetId@version`.
 * @param season - The ended season.
 * @param assessmentDate - The assessment date.
 */
export function seasonCaveatText(
  ruleSetId: string,
  season: EndedSeason,
  assessmentDate: CalendarDate,
): string {
  const ran =
    season.startDate === undefined
      ? `ended ${season.endDate.toString()}`
      : `ran ${season.startDate.toString()} to ${season.endDate.toString()}`;
  return (
    `Rule set ${ruleSetId} has no ${season.vaccineGroup} season covering ${assessmentDate.toString()} ` +
    `(its last season ${ran}): the ${season.vaccineGroup} forecast says the season has ended. ` +
    'Load newer CDC supporting data.'
  );
}
