import { findImpactingConflict } from '../../../../src/engine/evaluate/live-virus-conflict';
import type { EvaluationStatus } from '../../../../src/engine/model';
import type { PatientContext, PatientDose } from '../../../../src/engine/patient-context';
import type { LiveVirusConflict, RuleSet } from '../../../../src/engine/rule-set';
import type { DoseSpec } from '../support/rule-set-builder';
import { antigen, conflict, context, patient, ruleSet, series } from '../support/rule-set-builder';

// MMR (CVX 03) impacts a later Varicella dose (CVX 21), as in the CDC live virus table.
function rules(conflicts: readonly LiveVirusConflict[]): RuleSet {
  return ruleSet({
    antigens: [antigen('A', { series: [series({ doses: [] })] })],
    cvx: { '3': ['A'], '21': ['A'], '1': ['A'] },
    conflicts,
  });
}

function lastDose(pc: PatientContext): PatientDose {
  const dose = pc.doses[pc.doses.length - 1];
  if (dose === undefined) {
    throw new Error('no dose');
  }
  return dose;
}

/** The conflict end date impacting the last dose given, or `undefined` when it is not impacted. */
function impact(
  rs: RuleSet,
  doses: readonly DoseSpec[],
  status?: EvaluationStatus,
): string | undefined {
  const pc = context(patient('2020-01-01', doses), rs, '2026-01-01');
  return findImpactingConflict(pc, lastDose(pc), () => status)?.endDate.toString();
}

describe('findImpactingConflict (CONFLICT-3)', () => {
  const days28 = rules([conflict('03', '21', '1 day', '24 days', '28 days')]);

  it('finds the conflicting dose and its end date (CALCDTCONFLICT-1/2)', () => {
    const doses = [
      { date: '2021-06-01', cvx: '03' },
      { date: '2021-06-20', cvx: '21' },
    ];
    expect(impact(days28, doses)).toBe('2021-06-25');
    // The first day without the conflict is not impacted.
    expect(impact(days28, [doses[0] as DoseSpec, { date: '2021-06-25', cvx: '21' }])).toBe(
      undefined,
    );
  });

  it('is found only from a conflicting dose before the current one in date order', () => {
    // Each impacts the other: both are conflicting ("previous") types.
    const both = rules([
      conflict('03', '21', '1 day', '24 days', '28 days'),
      conflict('21', '03', '1 day', '24 days', '28 days'),
    ]);
    const pc = context(
      patient('2020-01-01', [
        { date: '2021-06-01', cvx: '1' },
        { date: '2021-06-10', cvx: '03' },
        { date: '2021-06-05', cvx: '21' },
      ]),
      both,
      '2026-01-01',
    );
    const [other, varicella, mmr] = pc.doses as [PatientDose, PatientDose, PatientDose];
    expect([other.cvx, varicella.cvx, mmr.cvx]).toEqual(['1', '21', '3']);
    expect(findImpactingConflict(pc, mmr, () => 'Valid')?.previous).toBe(varicella);
    // The MMR dose comes later: it cannot impact the Varicella dose, nor anything the first dose.
    expect(findImpactingConflict(pc, varicella, () => 'Valid')).toBeUndefined();
    expect(findImpactingConflict(pc, other, () => 'Valid')).toBeUndefined();
  });

  it('uses the conflict end interval when the previous dose is not valid', () => {
    const doses = [
      { date: '2021-06-01', cvx: '03' },
      { date: '2021-06-26', cvx: '21' },
    ];
    expect(impact(days28, doses, 'Valid')).toBe(undefined);
    expect(impact(days28, doses, 'Not Valid')).toBe('2021-06-29');
  });

  it('looks past more recent doses of other vaccines, and ignores doses of the same day', () => {
    expect(
      impact(days28, [
        { date: '2021-06-01', cvx: '03' },
        { date: '2021-06-05', cvx: '1' },
        { date: '2021-06-10', cvx: '1' },
        { date: '2021-06-10', cvx: '03' },
        { date: '2021-06-10', cvx: '21' },
      ]),
    ).toBe('2021-06-25');
  });

  it('stops at doses too old to conflict, but not before a recent enough one', () => {
    expect(
      impact(days28, [
        { date: '2021-01-01', cvx: '03' },
        { date: '2021-06-01', cvx: '1' },
        { date: '2021-06-20', cvx: '21' },
      ]),
    ).toBe(undefined);
    expect(
      impact(days28, [
        { date: '2021-01-01', cvx: '1' },
        { date: '2021-05-30', cvx: '03' },
        { date: '2021-06-20', cvx: '21' },
      ]),
    ).toBe('2021-06-23');
  });

  it('searches the whole history when an end interval is in months (no day bound)', () => {
    const twoMonths = rules([conflict('03', '21', '1 day', '2 months', '2 months')]);
    const doses = [
      { date: '2021-01-01', cvx: '03' },
      { date: '2021-02-10', cvx: '1' },
      { date: '2021-02-20', cvx: '21' },
    ];
    expect(impact(twoMonths, doses)).toBe('2021-03-01');
  });

  it('keeps the index of each rule set apart (the cache is per conflict list of a rule set)', () => {
    // Same CVX pair, different intervals: a cache keyed by CVX, or shared between rule sets,
    // would answer for the other rule set.
    const twoMonths = rules([conflict('03', '21', '1 day', '2 months', '2 months')]);
    const tenDays = rules([conflict('03', '21', '1 day', '10 days', '10 days')]);
    const doses = [
      { date: '2021-01-01', cvx: '03' },
      { date: '2021-01-20', cvx: '21' },
    ];
    expect(impact(days28, doses)).toBe('2021-01-25');
    expect(impact(twoMonths, doses)).toBe('2021-03-01');
    expect(impact(tenDays, doses)).toBe(undefined);
    expect(impact(days28, doses)).toBe('2021-01-25');
    expect(impact(tenDays, doses)).toBe(undefined);
    expect(impact(twoMonths, doses)).toBe('2021-03-01');
  });

  it('follows the order of the supporting data when several conflicts match a dose', () => {
    const two = rules([
      conflict('03', '21', '1 day', '20 days', '20 days'),
      conflict('03', '21', '1 day', '28 days', '28 days'),
    ]);
    const doses = [
      { date: '2021-06-01', cvx: '03' },
      { date: '2021-06-10', cvx: '21' },
    ];
    expect(impact(two, doses)).toBe('2021-06-21');
    expect(impact(two, [doses[0] as DoseSpec, { date: '2021-06-25', cvx: '21' }])).toBe(
      '2021-06-29',
    );
  });
});
