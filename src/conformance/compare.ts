/**
 * Runs one CDC test case and compares the engine's answer with the CDC's expectation, following
 * "What a passing case means" in `test/cdc/README.md`. Pure: the engine is passed in.
 *
 * CDC spellings are not uniform ("Not complete" / "Not Complete", "Interval: too Soon" /
 * "Interval too soon"), so statuses are compared case- and space-insensitively and reasons also
 * ignore punctuation.
 *
 * @packageDocumentation
 */
import type { CalendarDate } from '../calendar';
import type {
  ForecastResult,
  GroupDoseEvaluation,
  PatientHistory,
  VaccineGroupResult,
} from '../engine/model';
import type { CaseSet, CdcTestCase } from './test-case';
import { assessmentDateOf, doseIdOf, toPatientHistory } from './to-history';

/** One way in which the engine's answer differs from the CDC's. `null` means "none". */
export interface Difference {
  /** What was compared, e.g. "series status" or "dose 2 (2025-11-10, CVX 107) evaluation". */
  readonly what: string;
  readonly expected: string | null;
  readonly actual: string | null;
}

/** The outcome of one case. */
export interface CaseResult {
  readonly id: string;
  readonly set: CaseSet;
  /** The case's vaccine group (`groupNormalized`, the supporting-data name). */
  readonly group: string;
  readonly passed: boolean;
  /** Empty when the case passed or could not be run. */
  readonly differences: readonly Difference[];
  /** Set when the case could not be run (the engine threw, or the case's input is unusable). */
  readonly error?: string;
}

/** The engine as the conformance run sees it: `forecast()` with the rule set already bound. */
export type CaseEngine = (history: PatientHistory, assessmentDate: CalendarDate) => ForecastResult;

/**
 * A whole path from a CDC case to the engine's kind of result, e.g. through the FHIR operation
 * (`fhir-binding.ts`): the case in, a `ForecastResult` read back out.
 */
export type CaseSolver = (testCase: CdcTestCase) => ForecastResult;

/**
 * Normalises a status for comparison: lower case, white space removed.
 * "Not complete" and "Not  Complete" compare equal; "Sub-standard" keeps its hyphen.
 *
 * @param label - A status as the CDC or the engine spells it.
 */
export function normalizeStatus(label: string): string {
  return label.toLowerCase().replace(/\s+/g, '');
}

/**
 * Normalises a reason for comparison: lower case, letters and digits only.
 * "Interval: too Soon" and "Interval too soon" compare equal.
 *
 * @param text - A reason as the CDC or the engine words it.
 */
export function normalizeReason(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * One line describing a difference, e.g. `series status: expected Complete, got Not Complete`.
 *
 * @param d - The difference.
 */
export function describeDifference(d: Difference): string {
  return `${d.what}: expected ${d.expected ?? 'none'}, got ${d.actual ?? 'none'}`;
}

function findGroup(result: ForecastResult, name: string): VaccineGroupResult | undefined {
  const wanted = name.trim().toLowerCase();
  return result.vaccineGroups.find((g) => g.vaccineGroup.trim().toLowerCase() === wanted);
}

/** One evaluation of a dose, with the vaccine group it was found in when that is another group. */
interface FoundEvaluation {
  readonly evaluation: GroupDoseEvaluation;
  readonly otherGroup?: string;
}

/**
 * The evaluations of dose `id`: the case group's own; or, when the case group does not list the
 * dose, those of the other vaccine groups that do. The CDC gives an expected evaluation for
 * every dose of a case, also for a dose of another vaccine (e.g. a varicella dose in an MMR
 * case, there for the live-virus-conflict rule), and that expectation is the dose's evaluation
 * in its own vaccine group.
 */
function evaluationsOf(
  result: ForecastResult,
  group: VaccineGroupResult,
  id: string,
): FoundEvaluation[] {
  const own = group.doseEvaluations.find((e) => e.doseId === id);
  if (own !== undefined) {
    return [{ evaluation: own }];
  }
  return result.vaccineGroups.flatMap((g) =>
    g.doseEvaluations
      .filter((e) => e.doseId === id)
      .map((evaluation) => ({ evaluation, otherGroup: g.vaccineGroup })),
  );
}

function shown(text: string, f: FoundEvaluation): string {
  return f.otherGroup === undefined ? text : `${text} (in ${f.otherGroup})`;
}

function compareDoses(
  testCase: CdcTestCase,
  result: ForecastResult,
  group: VaccineGroupResult,
): Difference[] {
  const differences: Difference[] = [];
  testCase.doses.forEach((dose, index) => {
    const expected = dose.expectedEvaluation;
    if (expected === null) {
      return;
    }
    const id = doseIdOf(index);
    const label = `dose ${id} (${dose.date}, CVX ${dose.cvx})`;
    const found = evaluationsOf(result, group, id);
    if (found.length === 0) {
      const unused = result.unusedDoses.find((u) => u.doseId === id);
      differences.push({
        what: `${label} evaluation`,
        expected,
        actual: unused === undefined ? null : `not used (${unused.reason.text})`,
      });
      return;
    }
    if (found.some((f) => normalizeStatus(f.evaluation.status) !== normalizeStatus(expected))) {
      differences.push({
        what: `${label} evaluation`,
        expected,
        actual: found.map((f) => shown(f.evaluation.status, f)).join('; '),
      });
    }
    const expectedReason = dose.expectedReason;
    if (expectedReason !== null && expectedReason.trim() !== '') {
      const wanted = normalizeReason(expectedReason);
      const reasons = found.flatMap((f) => f.evaluation.reasons.map((r) => ({ r, f })));
      if (!reasons.some(({ r }) => normalizeReason(r.text) === wanted)) {
        differences.push({
          what: `${label} reason`,
          expected: expectedReason,
          actual:
            reasons.length === 0 ? null : reasons.map(({ r, f }) => shown(r.text, f)).join('; '),
        });
      }
    }
  });
  return differences;
}

function compareForecast(testCase: CdcTestCase, group: VaccineGroupResult): Difference[] {
  const expected = testCase.expectedForecast;
  const differences: Difference[] = [];
  if (normalizeStatus(group.status) !== normalizeStatus(expected.seriesStatus)) {
    differences.push({
      what: 'series status',
      expected: expected.seriesStatus,
      actual: group.status,
    });
  }
  if (testCase.forecastKind !== 'dates') {
    return differences;
  }
  const forecast = group.forecast;
  const pairs: [string, string | null, string | null][] = [
    [
      'forecast dose number',
      expected.forecastNumber === null ? null : String(expected.forecastNumber),
      forecast === undefined ? null : String(forecast.doseNumber),
    ],
    ['earliest date', expected.earliest, forecast?.earliestDate.toString() ?? null],
    ['recommended date', expected.recommended, forecast?.recommendedDate.toString() ?? null],
    ['past-due date', expected.pastDue, forecast?.pastDueDate?.toString() ?? null],
  ];
  for (const [what, e, a] of pairs) {
    if (e !== a) {
      differences.push({ what, expected: e, actual: a });
    }
  }
  return differences;
}

/**
 * Compares the engine's result for a case with the CDC's expectation.
 *
 * Passing means:
 * - the case's vaccine group (`groupNormalized`, matched case-insensitively) is in the result;
 * - every dose with an expected evaluation has that status and, where the CDC gives a reason, a
 *   reason of the same wording. Doses are matched by dose id in the case's group. A dose that
 *   group does not list (a dose of another vaccine, e.g. varicella in an MMR case) is looked up
 *   in the other groups and must have the expected status in every group that lists it; a dose
 *   that no group lists is a mismatch;
 * - the group's series status matches;
 * - for `forecastKind` "dates", the forecast dose number and the earliest, recommended and
 *   past-due dates are equal (a `null` expected value means the engine must give none).
 *   Status-only cases compare no dates.
 *
 * @param testCase - The case.
 * @param result - What `forecast()` returned for it.
 */
export function compareCase(testCase: CdcTestCase, result: ForecastResult): CaseResult {
  const base = { id: testCase.id, set: testCase.set, group: testCase.groupNormalized };
  const group = findGroup(result, testCase.groupNormalized);
  if (group === undefined) {
    const present = result.vaccineGroups.map((g) => g.vaccineGroup).join(', ');
    return {
      ...base,
      passed: false,
      differences: [
        {
          what: 'vaccine group in result',
          expected: testCase.groupNormalized,
          actual: present === '' ? null : `only ${present}`,
        },
      ],
    };
  }
  const differences = [
    ...compareDoses(testCase, result, group),
    ...compareForecast(testCase, group),
  ];
  return { ...base, passed: differences.length === 0, differences };
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) {
    return String(e);
  }
  const frame = e.stack
    ?.split('\n')
    .find((l) => l.trimStart().startsWith('at '))
    ?.trim();
  return `${e.name}: ${e.message}${frame === undefined ? '' : ` (${frame})`}`;
}

/**
 * Runs a case through the engine and compares the answer. Never throws: a case whose input
 * cannot be converted, or for which the engine throws, is a failed case whose `error` says why.
 *
 * @param testCase - The case.
 * @param engine - `forecast()` with the rule set bound.
 */
export function runCase(testCase: CdcTestCase, engine: CaseEngine): CaseResult {
  const failed = (error: string): CaseResult => ({
    id: testCase.id,
    set: testCase.set,
    group: testCase.groupNormalized,
    passed: false,
    differences: [],
    error,
  });
  let history: PatientHistory;
  let assessmentDate: CalendarDate;
  try {
    history = toPatientHistory(testCase);
    assessmentDate = assessmentDateOf(testCase);
  } catch (e) {
    return failed(`case input unusable: ${errorText(e)}`);
  }
  let result: ForecastResult;
  try {
    result = engine(history, assessmentDate);
  } catch (e) {
    return failed(`engine threw ${errorText(e)}`);
  }
  return compareCase(testCase, result);
}

/**
 * Runs a case through a whole path (see {@link CaseSolver}) and compares the answer. Never
 * throws: a case for which the path throws is a failed case whose `error` says why.
 *
 * @param testCase - The case.
 * @param solve - The path, e.g. `bindFhirPath(...)`.
 */
export function runCaseWith(testCase: CdcTestCase, solve: CaseSolver): CaseResult {
  let result: ForecastResult;
  try {
    result = solve(testCase);
  } catch (e) {
    return {
      id: testCase.id,
      set: testCase.set,
      group: testCase.groupNormalized,
      passed: false,
      differences: [],
      error: errorText(e),
    };
  }
  return compareCase(testCase, result);
}
