/**
 * Summaries of a conformance run: a pass-rate table per vaccine group and per set, the failing
 * cases with their differences, and a JSON form of the whole run. Pure: returns text and data,
 * prints nothing.
 *
 * @packageDocumentation
 */
import { describeDifference, type CaseResult } from './compare';
import type { CaseSet } from './test-case';

/** Pass count of one set, or of one vaccine group within a set. */
export interface PassCount {
  readonly set: CaseSet;
  /** The vaccine group; absent on a per-set total. */
  readonly group?: string;
  readonly cases: number;
  readonly passed: number;
}

/** Counts of a whole run. */
export interface RunSummary {
  readonly cases: number;
  readonly passed: number;
  readonly failed: number;
  /** One entry per set, in order of first appearance. */
  readonly bySet: readonly PassCount[];
  /** One entry per (set, group), sets in order of first appearance, groups alphabetical. */
  readonly byGroup: readonly PassCount[];
}

/** The `--json` report: the run's counts plus every case's result. */
export interface JsonReport extends ReportMeta {
  readonly summary: RunSummary;
  readonly cases: readonly CaseResult[];
}

/** What a JSON report says about the run's inputs. */
export interface ReportMeta {
  /** The case files, as given. */
  readonly caseFiles: readonly string[];
  /** Supporting-data version of the rule set used, e.g. "4.64". */
  readonly rulesVersion?: string;
}

/** What {@link formatReport} prints. */
export interface ReportOptions {
  /** List each failing case with its differences (default true). */
  readonly showFailures?: boolean;
  /**
   * The ratchet list (`test/cdc/known-failures.txt`), id → reason. When given, failing cases
   * are marked as known or new, and listed cases that now pass are named.
   */
  readonly knownFailures?: ReadonlyMap<string, string>;
}

/**
 * Counts passes per set and per vaccine group.
 *
 * @param results - The case results, in run order.
 */
export function summarize(results: readonly CaseResult[]): RunSummary {
  const sets = new Map<CaseSet, { cases: number; passed: number }>();
  const groups = new Map<string, { set: CaseSet; group: string; cases: number; passed: number }>();
  for (const r of results) {
    const s = sets.get(r.set) ?? { cases: 0, passed: 0 };
    sets.set(r.set, s);
    const key = `${r.set}\u0000${r.group}`;
    const g = groups.get(key) ?? { set: r.set, group: r.group, cases: 0, passed: 0 };
    groups.set(key, g);
    s.cases += 1;
    g.cases += 1;
    if (r.passed) {
      s.passed += 1;
      g.passed += 1;
    }
  }
  const setOrder = [...sets.keys()];
  const byGroup = [...groups.values()].sort(
    (a, b) =>
      setOrder.indexOf(a.set) - setOrder.indexOf(b.set) ||
      a.group.localeCompare(b.group, 'en', { sensitivity: 'base' }),
  );
  const passed = results.filter((r) => r.passed).length;
  return {
    cases: results.length,
    passed,
    failed: results.length - passed,
    bySet: [...sets.entries()].map(([set, c]) => ({ set, ...c })),
    byGroup,
  };
}

function percent(passed: number, cases: number): string {
  return cases === 0 ? '-' : `${((100 * passed) / cases).toFixed(1)}%`;
}

/**
 * The pass-rate table: one row per (set, vaccine group), a total row per set, and a grand total.
 *
 * @param summary - From {@link summarize}.
 */
export function formatTable(summary: RunSummary): string {
  const rows: string[][] = [['set', 'group', 'cases', 'passed', '%']];
  const row = (set: string, group: string, cases: number, passed: number): string[] => [
    set,
    group,
    String(cases),
    String(passed),
    percent(passed, cases),
  ];
  for (const s of summary.bySet) {
    for (const g of summary.byGroup.filter((x) => x.set === s.set)) {
      rows.push(row(g.set, g.group ?? '', g.cases, g.passed));
    }
    rows.push(row(s.set, '(all groups)', s.cases, s.passed));
  }
  if (summary.bySet.length > 1) {
    rows.push(row('(all sets)', '(all groups)', summary.cases, summary.passed));
  }
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The failing cases, each followed by its differences (or its error), indented.
 *
 * @param results - The case results; passing ones are skipped.
 * @param knownFailures - When given, each failing case is marked "known" or "NEW".
 */
export function formatFailures(
  results: readonly CaseResult[],
  knownFailures?: ReadonlyMap<string, string>,
): string {
  const lines: string[] = [];
  for (const r of results.filter((x) => !x.passed)) {
    let mark = '';
    if (knownFailures !== undefined) {
      const reason = knownFailures.get(r.id);
      mark = reason === undefined ? '  [NEW]' : `  [known: ${reason}]`;
    }
    lines.push(`FAIL ${r.id}  ${r.set}  ${r.group}${mark}`);
    if (r.error !== undefined) {
      lines.push(`    error: ${r.error}`);
    }
    for (const d of r.differences) {
      lines.push(`    ${describeDifference(d)}`);
    }
  }
  return lines.join('\n');
}

/**
 * The ratchet check of a run against the known-failures list: failing cases not listed, and
 * listed cases that passed. Ids listed but not run are ignored.
 *
 * @param results - The case results.
 * @param knownFailures - id → reason.
 */
export function ratchetStatus(
  results: readonly CaseResult[],
  knownFailures: ReadonlyMap<string, string>,
): { readonly newFailures: readonly string[]; readonly nowPassing: readonly string[] } {
  return {
    newFailures: results.filter((r) => !r.passed && !knownFailures.has(r.id)).map((r) => r.id),
    nowPassing: results.filter((r) => r.passed && knownFailures.has(r.id)).map((r) => r.id),
  };
}

/**
 * The run's last line, exactly `N passed, M failed`.
 *
 * @param summary - From {@link summarize}.
 */
export function formatFinalLine(summary: RunSummary): string {
  return `${summary.passed} passed, ${summary.failed} failed`;
}

/**
 * The whole text report: the table, the failing cases (unless `showFailures` is false), the
 * ratchet status (when `knownFailures` is given), and as its last line `N passed, M failed`.
 *
 * @param results - The case results, in run order.
 * @param options - What to include.
 */
export function formatReport(results: readonly CaseResult[], options: ReportOptions = {}): string {
  const summary = summarize(results);
  const sections = [formatTable(summary)];
  if ((options.showFailures ?? true) && summary.failed > 0) {
    sections.push(formatFailures(results, options.knownFailures));
  }
  if (options.knownFailures !== undefined) {
    const { newFailures, nowPassing } = ratchetStatus(results, options.knownFailures);
    const list = (ids: readonly string[]): string => (ids.length === 0 ? '' : `: ${ids.join(' ')}`);
    sections.push(
      [
        `failing, not in known-failures.txt: ${newFailures.length}${list(newFailures)}`,
        `in known-failures.txt, now passing: ${nowPassing.length}${list(nowPassing)}`,
      ].join('\n'),
    );
  }
  sections.push(formatFinalLine(summary));
  return sections.join('\n\n');
}

/**
 * The JSON report of a run (for `--json FILE`).
 *
 * @param results - The case results, in run order.
 * @param meta - The run's inputs.
 */
export function toJsonReport(results: readonly CaseResult[], meta: ReportMeta): JsonReport {
  return { ...meta, summary: summarize(results), cases: results };
}
