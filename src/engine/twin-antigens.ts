/**
 * Twin antigens: two antigens of a vaccine group whose supporting data differ only by vaccine
 * types that count for one of them and not the other. In the CDSi supporting data, Tetanus is
 * Diphtheria plus the tetanus-only vaccines (TT, CVX 35, 112 and 142): the same series, doses,
 * ages, intervals and conditional skips, with TT as one more allowable vaccine and one more
 * vaccine type counted by the "6 or more total doses" skips.
 *
 * For a patient with no dose of such a distinguishing vaccine type, the two antigens receive the
 * same antigen administered records (§4.2) and every rule that tells them apart is about a dose
 * the patient does not have, so chapters 5 to 8 give the twin the same patient series, statuses
 * and forecasts as the antigen it copies: the twin's outcome is the other one's, relabelled with
 * the twin's own series (the names shown). The patient's antigen facts (evidence of immunity
 * and contraindications, §7.2–§7.3) come from antigen-level data, which may differ: they are
 * checked per patient.
 *
 * @packageDocumentation
 */
import type { AntigenOutcome } from './evaluate-and-forecast';
import { contraindicatedVaccines, hasAntigenContraindication } from './forecast/contraindications';
import { hasEvidenceOfImmunity } from './forecast/evidence-of-immunity';
import type { AntigenDose } from './organize-history';
import type { PatientContext } from './patient-context';
import type { PatientSeries } from './patient-series';
import type { AntigenRules, AntigenSeries, RuleSet } from './rule-set';
import { sameRules } from './same-rules';

/** An antigen that is the twin of an earlier antigen of its vaccine group. */
export interface AntigenTwin {
  /** The position, in the vaccine group, of the earlier antigen whose outcome it can reuse. */
  readonly of: number;
  /** The rules of that antigen. */
  readonly ofRules: AntigenRules;
  /**
   * The vaccine types (canonical CVX) that count for exactly one of the two antigens; a patient
   * with a dose of one of them is computed in full.
   */
  readonly distinguishing: ReadonlySet<string>;
  /** The twin's series by the series of the other antigen at the same position. */
  readonly seriesOf: ReadonlyMap<AntigenSeries, AntigenSeries>;
}

/** The vaccine types (canonical CVX) that count for each antigen (any association age). */
function vaccineTypesByAntigen(ruleSet: RuleSet): Map<string, Set<string>> {
  const byAntigen = new Map<string, Set<string>>();
  for (const [cvx, vaccineType] of ruleSet.vaccineTypes) {
    for (const association of vaccineType.associations) {
      let set = byAntigen.get(association.antigen);
      if (set === undefined) {
        set = new Set();
        byAntigen.set(association.antigen, set);
      }
      set.add(cvx);
    }
  }
  return byAntigen;
}

/** Two series that are the same apart from their names and antigen (and `ignored` types). */
function sameSeries(a: AntigenSeries, b: AntigenSeries, ignored: ReadonlySet<string>): boolean {
  return sameRules({ ...a, name: '', antigen: '' }, { ...b, name: '', antigen: '' }, ignored);
}

/**
 * For each antigen of a vaccine group (in group order), the earlier antigen of the group it is
 * a twin of, if any. Derived once per rule set.
 *
 * @param ruleSet - The rule set.
 * @param antigens - The rules of the group's antigens, in group order.
 */
export function findTwins(
  ruleSet: RuleSet,
  antigens: readonly AntigenRules[],
): (AntigenTwin | undefined)[] {
  const types = vaccineTypesByAntigen(ruleSet);
  return antigens.map((rules, i) => {
    for (let j = 0; j < i; j++) {
      const other = antigens[j] as AntigenRules;
      const mine = types.get(rules.antigen) ?? new Set<string>();
      const theirs = types.get(other.antigen) ?? new Set<string>();
      const distinguishing = new Set<string>();
      for (const cvx of mine) {
        if (!theirs.has(cvx)) distinguishing.add(cvx);
      }
      for (const cvx of theirs) {
        if (!mine.has(cvx)) distinguishing.add(cvx);
      }
      if (
        rules.series.length > 0 &&
        rules.series.length === other.series.length &&
        rules.series.every((s, k) =>
          sameSeries(other.series[k] as AntigenSeries, s, distinguishing),
        )
      ) {
        const seriesOf = new Map<AntigenSeries, AntigenSeries>();
        other.series.forEach((s, k) => seriesOf.set(s, rules.series[k] as AntigenSeries));
        return { of: j, ofRules: other, distinguishing, seriesOf };
      }
    }
    return undefined;
  });
}

/** The same set of CVX codes. */
function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) {
    return false;
  }
  for (const x of a) {
    if (!b.has(x)) {
      return false;
    }
  }
  return true;
}

/**
 * The twin's outcome from the outcome of the antigen it is the twin of, when this patient lets
 * it be reused: the same antigen administered records, no dose of a distinguishing vaccine type
 * anywhere in the history (CALCDTINT-8 looks at the whole history), and the same antigen facts
 * (evidence of immunity, table 7-3; antigen and vaccine contraindications, tables 7-5 and 7-6).
 * `undefined` otherwise: the twin is then computed in full.
 *
 * The patient series are new objects pointing to the twin's series and sharing the other
 * antigen's target doses, evaluations and forecast (never modified once chapter 8 is done).
 *
 * @param pc - The call context.
 * @param twin - How the antigen is the twin of the other one.
 * @param rules - The twin antigen's rules.
 * @param doses - The twin antigen's administered records.
 * @param otherDoses - The other antigen's administered records.
 * @param other - The other antigen's outcome.
 */
export function twinOutcome(
  pc: PatientContext,
  twin: AntigenTwin,
  rules: AntigenRules,
  doses: readonly AntigenDose[],
  otherDoses: readonly AntigenDose[],
  other: AntigenOutcome,
): AntigenOutcome | undefined {
  if (doses.length !== otherDoses.length) {
    return undefined;
  }
  for (let i = 0; i < doses.length; i++) {
    if (doses[i]?.patientDose !== otherDoses[i]?.patientDose) {
      return undefined;
    }
  }
  for (const dose of pc.doses) {
    if (twin.distinguishing.has(dose.cvx)) {
      return undefined;
    }
  }
  if (
    hasEvidenceOfImmunity(pc, rules) !== hasEvidenceOfImmunity(pc, twin.ofRules) ||
    hasAntigenContraindication(pc, rules) !== hasAntigenContraindication(pc, twin.ofRules) ||
    !sameSet(contraindicatedVaccines(pc, rules), contraindicatedVaccines(pc, twin.ofRules))
  ) {
    return undefined;
  }
  // Exactly sized; every series of the other antigen has its twin (same position).
  const relevant = new Array<PatientSeries>(other.relevant.length);
  for (let i = 0; i < relevant.length; i++) {
    const ps = other.relevant[i] as PatientSeries;
    const series = twin.seriesOf.get(ps.series);
    if (series === undefined) {
      return undefined;
    }
    relevant[i] = {
      series,
      targetDoses: ps.targetDoses,
      evaluations: ps.evaluations,
      status: ps.status,
      forecast: ps.forecast,
      reasons: ps.reasons,
    };
  }
  const same = (ps: PatientSeries): PatientSeries =>
    relevant[other.relevant.indexOf(ps)] as PatientSeries;
  return {
    rules,
    relevant,
    prioritized: other.prioritized.map(same),
    best: other.best.map(same),
  };
}
