/**
 * The real engine and rule set, bound for a conformance run. This is the only module of
 * `conformance/` that loads the engine and the rule tables, so the comparator and the reports
 * can be used (and tested) without them.
 *
 * @packageDocumentation
 */
import { forecast } from '../engine';
import type { RuleSet } from '../engine/rule-set';
import { compileRuleSet } from '../rules/compile-rule-set';
import { loadRawRuleSet } from '../rules/load-rule-set';
import { runCase, type CaseEngine, type CaseResult } from './compare';
import type { CdcTestCase } from './test-case';

/**
 * Loads, validates and compiles a committed rule set.
 *
 * @param rulesRoot - The folder holding `cdsi/<version>/` (the repository's `rules/`).
 * @param version - Supporting-data version, e.g. "4.64".
 * @throws RuleSetError if the tables are invalid.
 */
export function loadConformanceRuleSet(rulesRoot: string, version: string): RuleSet {
  return compileRuleSet(loadRawRuleSet(rulesRoot, version));
}

/**
 * `forecast()` with the rule set bound, as the comparator expects it.
 *
 * @param ruleSet - A compiled rule set.
 */
export function bindEngine(ruleSet: RuleSet): CaseEngine {
  return (history, assessmentDate) => forecast(history, ruleSet, assessmentDate);
}

/**
 * Runs every case through the engine (see `runCase`); never throws for a failing case.
 *
 * @param cases - The cases, in run order.
 * @param ruleSet - A compiled rule set.
 */
export function runCases(cases: readonly CdcTestCase[], ruleSet: RuleSet): CaseResult[] {
  const engine = bindEngine(ruleSet);
  return cases.map((c) => runCase(c, engine));
}
