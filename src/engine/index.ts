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
import { organizeHistory } from './organize-history';
import { createPatientContext } from './patient-context';
import type { RuleSet } from './rule-set';
import { evaluateVaccineGroup } from './vaccine-group';

export type * from './model';
export type { RuleSet } from './rule-set';

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
  for (const group of ruleSet.vaccineGroups) {
    if (wanted !== undefined && !wanted.includes(group.name)) {
      continue;
    }
    const outcomes: AntigenOutcome[] = [];
    for (const antigen of group.antigens) {
      const rules = ruleSet.antigens.get(antigen);
      if (rules === undefined) {
        continue;
      }
      outcomes.push(evaluateAndForecastAntigen(pc, rules, organized.byAntigen.get(antigen) ?? []));
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
