/**
 * The CDSi engine: a pure implementation of the CDC Logic Specification for ACIP
 * Recommendations v4.6 over a compiled rule set.
 *
 * `forecast(history, ruleSet, assessmentDate)` runs the processing model of chapter 4:
 * 4.1 gather data (the arguments) → 4.2 organize immunization history (`organize-history.ts`) →
 * 4.3 create relevant patient series (`relevant-series.ts`) → 4.4 evaluate (`evaluate/`) and
 * forecast (`forecast/`) every relevant patient series → 4.5 select best patient series
 * (`select-best-series.ts`) → 4.6 identify and evaluate vaccine groups (`vaccine-group.ts`).
 *
 * No I/O, no clock, no JS `Date`: the assessment date is an argument. Deterministic. It does not
 * throw for a clinical situation; a dose it cannot use is reported in `unusedDoses`.
 *
 * @packageDocumentation
 */
import type { CalendarDate } from '../calendar';
import { evaluateAndForecastAntigen, type AntigenOutcome } from './evaluate-and-forecast';
import type { ForecastResult, PatientHistory, VaccineGroupResult } from './model';
import { organizeHistory, type AntigenDose } from './organize-history';
import { antigenSlotsOf, createPatientContext } from './patient-context';
import type { AntigenRules, RuleSet, VaccineGroupRules } from './rule-set';
import { findTwins, twinOutcome, type AntigenTwin } from './twin-antigens';
import { evaluateVaccineGroup } from './vaccine-group';

export type * from './model';
export { explainReason } from './explain-reason';
export type { RuleSet } from './rule-set';
export { endedSeasons, seasonCaveats, seasonCaveatText } from './season-coverage';
export type { EndedSeason, SeasonCaveat } from './season-coverage';

const NO_DOSES: readonly AntigenDose[] = [];

/** An antigen of a {@link GroupPlan}. */
interface PlannedAntigen {
  /** Its slot in `OrganizedHistory.bySlot` (`antigenSlotsOf`). */
  readonly slot: number;
  readonly rules: AntigenRules;
  /** When it is the twin of an earlier antigen of the group (`twin-antigens.ts`). */
  readonly twin: AntigenTwin | undefined;
}

/** A vaccine group with the rules of its antigens that the rule set has, in group order. */
interface GroupPlan {
  readonly group: VaccineGroupRules;
  readonly antigens: readonly PlannedAntigen[];
}

/** {@link GroupPlan}s per rule set, derived once (the rule set is immutable). */
const plans = new WeakMap<RuleSet, readonly GroupPlan[]>();

function groupsOf(ruleSet: RuleSet): readonly GroupPlan[] {
  let plan = plans.get(ruleSet);
  if (plan === undefined) {
    const slots = antigenSlotsOf(ruleSet);
    plan = ruleSet.vaccineGroups.map((group) => {
      const names = group.antigens.filter((antigen) => ruleSet.antigens.has(antigen));
      const rules = names.map((antigen) => ruleSet.antigens.get(antigen) as AntigenRules);
      const twins = findTwins(ruleSet, rules);
      return {
        group,
        antigens: names.map((name, i) => ({
          slot: slots.get(name) as number,
          rules: rules[i] as AntigenRules,
          twin: twins[i],
        })),
      };
    });
    plans.set(ruleSet, plan);
  }
  return plan;
}

/** Options of {@link forecast}. */
export interface ForecastOptions {
  /**
   * Only these vaccine groups (supporting-data names) are computed; all when absent. The
   * result of a group does not depend on the other groups.
   */
  readonly vaccineGroups?: readonly string[];
}

/**
 * Evaluates a patient's immunization history and forecasts the next doses.
 *
 * @param history - The patient: birth date, gender, doses, observations.
 * @param ruleSet - The compiled rule set (see `src/rules/compile-rule-set.ts`).
 * @param assessmentDate - The date the evaluation and forecast are made for.
 * @param options - Optional restriction to some vaccine groups.
 * @returns One result per vaccine group (supporting-data order), and the doses not used.
 */
export function forecast(
  history: PatientHistory,
  ruleSet: RuleSet,
  assessmentDate: CalendarDate,
  options: ForecastOptions = {},
): ForecastResult {
  const pc = createPatientContext(history, ruleSet, assessmentDate);
  const organized = organizeHistory(pc);
  const wanted = options.vaccineGroups;
  const vaccineGroups: VaccineGroupResult[] = [];
  for (const { group, antigens } of groupsOf(ruleSet)) {
    if (wanted !== undefined && !wanted.includes(group.name)) {
      continue;
    }
    // Exactly sized (a list grown by `push` gets room for 17 entries at once).
    const outcomes = new Array<AntigenOutcome>(antigens.length);
    for (let i = 0; i < antigens.length; i++) {
      const { slot, rules, twin } = antigens[i] as PlannedAntigen;
      const doses = organized.bySlot[slot] ?? NO_DOSES;
      const other = twin === undefined ? undefined : outcomes[twin.of];
      outcomes[i] =
        (twin !== undefined &&
          other !== undefined &&
          twinOutcome(
            pc,
            twin,
            rules,
            doses,
            organized.bySlot[(antigens[twin.of] as PlannedAntigen).slot] ?? NO_DOSES,
            other,
          )) ||
        evaluateAndForecastAntigen(pc, rules, doses);
    }
    vaccineGroups.push(evaluateVaccineGroup(pc, group, outcomes));
  }
  return {
    assessmentDate,
    ruleSet: ruleSet.id,
    vaccineGroups,
    unusedDoses: organized.unused,
  };
}
