import { compareCase } from '../../conformance/compare';
import { forecast } from '../../engine';
import type { ForecastResult, GroupDoseEvaluation, VaccineGroupResult } from '../../engine/model';
import type { RuleSet } from '../../engine/rule-set';
import type { ImpactInput } from './histories';

/**
 * The forecast impact of a rule change: every patient (CDC case or history) is evaluated and
 * forecast with the old and the new rule set, and the results are compared per vaccine group —
 * series status, the selected series of each antigen, every dose's evaluation (status and
 * reasons), the forecast dose number, earliest / recommended / past-due / latest dates and the
 * recommended vaccines — plus the doses the engine could not use.
 */

/** One difference in one patient's results. */
export interface OutcomeChange {
  /** The vaccine group, absent for a difference in the doses not used at all. */
  readonly vaccineGroup?: string;
  /** What differs, e.g. "status", "dose 2 (2021-02-01, CVX 03)", "earliest date". */
  readonly what: string;
  /** `null` means "none". */
  readonly before: string | null;
  readonly after: string | null;
}

/** A patient whose results differ. */
export interface CaseImpact {
  readonly id: string;
  readonly file: string;
  /** For a CDC case: its vaccine group. */
  readonly caseGroup?: string;
  /** For a CDC case: whether it passes (matches CDC's expectation) with the old / new rules. */
  readonly conformance?: { readonly before: boolean; readonly after: boolean };
  readonly changes: readonly OutcomeChange[];
}

/** The forecast impact of a rule change. */
export interface ImpactReport {
  /** Number of patients run. */
  readonly inputs: number;
  /** The vaccine groups compared: every group ("all") or those the table changes can affect. */
  readonly vaccineGroups: 'all' | readonly string[];
  /** Patients whose results differ, in input order. */
  readonly changed: readonly CaseImpact[];
}

/** Options of {@link forecastImpact}. */
export interface ImpactOptions {
  /** Compare only these vaccine groups (see `affectedVaccineGroups`); default all. */
  readonly vaccineGroups?: 'all' | readonly string[];
  /** Called after each patient with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The comparable facts of one vaccine-group result, as text. */
interface GroupFacts {
  readonly status: string;
  readonly series: ReadonlyMap<string, string>;
  readonly doses: ReadonlyMap<string, { readonly label: string; readonly outcome: string }>;
  readonly forecast: ReadonlyMap<string, string | null>;
}

function doseOutcome(e: GroupDoseEvaluation): string {
  const reasons = e.reasons.map((r) => r.text).filter((t) => t.trim() !== '');
  return reasons.length === 0 ? e.status : `${e.status} (${reasons.join('; ')})`;
}

function factsOf(g: VaccineGroupResult): GroupFacts {
  const f = g.forecast;
  return {
    status: g.status,
    series: new Map(g.antigens.map((a) => [a.antigen, a.seriesName ?? 'none'])),
    doses: new Map(
      g.doseEvaluations.map((e) => [
        e.doseId,
        {
          label: `dose ${e.doseId} (${e.dateAdministered.toString()}, CVX ${e.cvx})`,
          outcome: doseOutcome(e),
        },
      ]),
    ),
    forecast: new Map<string, string | null>([
      ['forecast dose number', f === undefined ? null : String(f.doseNumber)],
      ['earliest date', f?.earliestDate.toString() ?? null],
      ['recommended date', f?.recommendedDate.toString() ?? null],
      ['past-due date', f?.pastDueDate?.toString() ?? null],
      ['latest date', f?.latestDate?.toString() ?? null],
      [
        'recommended vaccines',
        f === undefined || f.recommendedVaccines.length === 0
          ? null
          : f.recommendedVaccines.join(', '),
      ],
    ]),
  };
}

function compareGroups(
  name: string,
  before: VaccineGroupResult | undefined,
  after: VaccineGroupResult | undefined,
): OutcomeChange[] {
  if (before === undefined || after === undefined) {
    return before === after
      ? []
      : [
          {
            vaccineGroup: name,
            what: 'vaccine group',
            before: before === undefined ? null : before.status,
            after: after === undefined ? null : after.status,
          },
        ];
  }
  const b = factsOf(before);
  const a = factsOf(after);
  const out: OutcomeChange[] = [];
  const add = (what: string, x: string | null | undefined, y: string | null | undefined): void => {
    if ((x ?? null) !== (y ?? null)) {
      out.push({ vaccineGroup: name, what, before: x ?? null, after: y ?? null });
    }
  };
  add('status', b.status, a.status);
  for (const antigen of new Set([...b.series.keys(), ...a.series.keys()])) {
    add(`selected series (${antigen})`, b.series.get(antigen), a.series.get(antigen));
  }
  for (const id of new Set([...b.doses.keys(), ...a.doses.keys()])) {
    const x = b.doses.get(id);
    const y = a.doses.get(id);
    add((x ?? y)?.label ?? `dose ${id}`, x?.outcome, y?.outcome);
  }
  for (const [what, x] of b.forecast) {
    add(what, x, a.forecast.get(what));
  }
  return out;
}

function unusedOf(r: ForecastResult): Map<string, string> {
  return new Map(r.unusedDoses.map((u) => [u.doseId, u.reason.text]));
}

/**
 * Compares two results of the same patient.
 *
 * @param before - With the old rules.
 * @param after - With the new rules.
 * @returns Every difference; empty when the results agree.
 */
export function compareResults(before: ForecastResult, after: ForecastResult): OutcomeChange[] {
  const b = new Map(before.vaccineGroups.map((g) => [g.vaccineGroup, g]));
  const a = new Map(after.vaccineGroups.map((g) => [g.vaccineGroup, g]));
  const out: OutcomeChange[] = [];
  for (const name of new Set([...b.keys(), ...a.keys()])) {
    out.push(...compareGroups(name, b.get(name), a.get(name)));
  }
  const ub = unusedOf(before);
  const ua = unusedOf(after);
  for (const id of new Set([...ub.keys(), ...ua.keys()])) {
    const x = ub.get(id);
    const y = ua.get(id);
    if (x !== y) {
      out.push({
        what: `dose ${id} not used`,
        before: x ?? null,
        after: y ?? null,
      });
    }
  }
  return out;
}

type Run = { readonly result: ForecastResult } | { readonly error: string };

function run(input: ImpactInput, rules: RuleSet, groups: readonly string[] | undefined): Run {
  try {
    return {
      result: forecast(
        input.history,
        rules,
        input.assessmentDate,
        groups === undefined ? {} : { vaccineGroups: groups },
      ),
    };
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

function passes(input: ImpactInput, rules: RuleSet): boolean {
  if (input.testCase === undefined) {
    return false;
  }
  const r = run(input, rules, undefined);
  return 'result' in r && compareCase(input.testCase, r.result).passed;
}

/**
 * Runs every input with both rule sets and reports those whose results differ. Deterministic.
 *
 * When `vaccineGroups` names some groups, only those are computed (the engine computes a group
 * from its own antigens only, so the others cannot change); a CDC case that changes is then run
 * once more on all groups to tell whether it passes before and after.
 *
 * @param inputs - The patients.
 * @param before - The old rule set.
 * @param after - The new rule set.
 * @param opts - See {@link ImpactOptions}.
 */
export function forecastImpact(
  inputs: readonly ImpactInput[],
  before: RuleSet,
  after: RuleSet,
  opts: ImpactOptions = {},
): ImpactReport {
  const groups = opts.vaccineGroups ?? 'all';
  const restrict = groups === 'all' ? undefined : groups;
  const changed: CaseImpact[] = [];
  inputs.forEach((input, index) => {
    if (restrict === undefined || restrict.length > 0) {
      const b = run(input, before, restrict);
      const a = run(input, after, restrict);
      let changes: OutcomeChange[];
      if ('result' in b && 'result' in a) {
        changes = compareResults(b.result, a.result);
      } else {
        const text = (r: Run): string => ('error' in r ? `engine error: ${r.error}` : 'ran');
        changes = text(b) === text(a) ? [] : [{ what: 'run', before: text(b), after: text(a) }];
      }
      if (changes.length > 0) {
        const tc = input.testCase;
        changed.push({
          id: input.id,
          file: input.file,
          ...(tc === undefined
            ? {}
            : {
                caseGroup: tc.groupNormalized,
                conformance: { before: passes(input, before), after: passes(input, after) },
              }),
          changes,
        });
      }
    }
    opts.onProgress?.(index + 1, inputs.length);
  });
  return { inputs: inputs.length, vaccineGroups: groups, changed };
}

/**
 * One change as a line: `MMR: dose 2 (2021-02-01, CVX 03): Valid → Not Valid (Interval: too soon)`.
 *
 * @param c - The change.
 */
export function describeOutcomeChange(c: OutcomeChange): string {
  const head = c.vaccineGroup === undefined ? '' : `${c.vaccineGroup}: `;
  return `${head}${c.what}: ${c.before ?? 'none'} → ${c.after ?? 'none'}`;
}

/**
 * The impact as text: a summary line, then each changed patient with its changes.
 *
 * @param report - From {@link forecastImpact}.
 */
export function formatImpact(report: ImpactReport): string {
  const scope =
    report.vaccineGroups === 'all'
      ? 'all vaccine groups'
      : report.vaccineGroups.length === 0
        ? 'no vaccine group can change'
        : `vaccine groups ${report.vaccineGroups.join(', ')}`;
  const lines = [
    `Forecast impact: ${report.changed.length} of ${report.inputs} patient${report.inputs === 1 ? '' : 's'} change (${scope})`,
  ];
  for (const c of report.changed) {
    const tags = [
      c.file,
      c.caseGroup,
      c.conformance === undefined
        ? undefined
        : `CDC expectation: ${c.conformance.before ? 'pass' : 'fail'} → ${c.conformance.after ? 'pass' : 'FAIL'}`,
    ].filter((t) => t !== undefined);
    lines.push(`  ${c.id}  [${tags.join('; ')}]`);
    for (const change of c.changes) {
      lines.push(`    ${describeOutcomeChange(change)}`);
    }
  }
  return lines.join('\n');
}
