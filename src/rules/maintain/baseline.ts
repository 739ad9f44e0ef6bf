import { readFileSync } from 'node:fs';
import type { CaseResult } from '../../conformance/compare';
import { parseKnownFailures } from '../../conformance/known-failures';

/**
 * `test`'s regression check: which CDC cases pass in a baseline and fail with the candidate
 * rule set. A baseline is one of
 *
 * - a JSON report of an earlier run (`cdsi-rules test … --report FILE` or `--json`, or
 *   `npm run conformance -- --json FILE`): the cases with `"passed": true` must still pass;
 * - the results of the same cases on another rule set (`--baseline <rules-dir>`);
 * - a known-failures list (`test/cdc/known-failures.txt` format): every case passes except
 *   those listed. This is the default baseline for the vendored CDC corpus.
 */

/** What the baseline says about each case id: passed or not. Cases it does not know are absent. */
export type Baseline = ReadonlyMap<string, boolean>;

/** A baseline file that cannot be used. */
export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

/**
 * Reads a JSON report as a baseline.
 *
 * @param path - The report file.
 * @throws BaselineError when it is not a report (no `cases: [{ id, passed }]`)
 */
export function readBaselineReport(path: string): Baseline {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BaselineError(`${path}: ${(e as Error).message}`);
  }
  const cases =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)['cases']
      : undefined;
  if (!Array.isArray(cases)) {
    throw new BaselineError(`${path}: not a conformance report (no "cases" array)`);
  }
  const out = new Map<string, boolean>();
  cases.forEach((c: unknown, i) => {
    const r = typeof c === 'object' && c !== null ? (c as Record<string, unknown>) : {};
    if (typeof r['id'] !== 'string' || typeof r['passed'] !== 'boolean') {
      throw new BaselineError(`${path}: cases[${i}] has no string "id" and boolean "passed"`);
    }
    out.set(r['id'], r['passed']);
  });
  return out;
}

/**
 * The results of a run as a baseline.
 *
 * @param results - Case results.
 */
export function baselineOfResults(results: readonly CaseResult[]): Baseline {
  return new Map(results.map((r) => [r.id, r.passed]));
}

/**
 * A known-failures list as the baseline of the given cases: each passes unless listed.
 *
 * @param caseIds - The cases run.
 * @param knownFailuresText - The list's content (`<id>  <reason>` per line, `#` comments).
 * @param fileName - For messages.
 */
export function baselineOfKnownFailures(
  caseIds: readonly string[],
  knownFailuresText: string | undefined,
  fileName = 'known-failures.txt',
): Baseline {
  const known =
    knownFailuresText === undefined ? new Map() : parseKnownFailures(knownFailuresText, fileName);
  return new Map(caseIds.map((id) => [id, !known.has(id)]));
}

/** The candidate's results measured against a baseline. */
export interface BaselineComparison {
  /** Passed in the baseline, fail now. */
  readonly regressions: readonly CaseResult[];
  /** Failed in the baseline, pass now. */
  readonly fixed: readonly string[];
  /** Cases the baseline does not mention. */
  readonly notInBaseline: readonly string[];
}

/**
 * Compares a run with a baseline.
 *
 * @param results - The candidate's case results.
 * @param baseline - See {@link Baseline}.
 */
export function compareWithBaseline(
  results: readonly CaseResult[],
  baseline: Baseline,
): BaselineComparison {
  return {
    regressions: results.filter((r) => baseline.get(r.id) === true && !r.passed),
    fixed: results.filter((r) => baseline.get(r.id) === false && r.passed).map((r) => r.id),
    notInBaseline: results.filter((r) => !baseline.has(r.id)).map((r) => r.id),
  };
}
