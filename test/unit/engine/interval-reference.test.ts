import { intervalReferenceDose, type SeriesPosition } from '../../../src/engine/interval-reference';
import { organizeHistory } from '../../../src/engine/organize-history';
import type { DoseEvaluationState } from '../../../src/engine/patient-series';
import { antigen, context, patient, ruleSet, series } from './support/rule-set-builder';

describe('interval reference dose from the most recent of some vaccine types (CALCDTINT-8)', () => {
  // Antigen A counts vaccines 1 and 9; the interval is measured from the most recent 9 or 113.
  const rules = ruleSet({
    antigens: [antigen('A', { series: [series({ doses: [] })] })],
    cvx: { '1': ['A'], '9': ['A'], '113': ['B'] },
  });
  const from = { kind: 'mostRecent', cvx: new Set(['9', '113']) } as const;
  const pc = context(
    patient('2010-01-01', [
      { date: '2020-01-01', cvx: '09' },
      { date: '2020-03-01', cvx: '113' },
      { date: '2020-05-01', cvx: '9' },
      { date: '2020-07-01', cvx: '1' },
      { date: '2020-09-01', cvx: '9' },
    ]),
    rules,
    '2021-01-01',
  );
  const records = organizeHistory(pc).byAntigen.get('A') ?? [];
  /** The position before history index `limit`, A's doses evaluated as given. */
  const before = (limit: number, inadvertent: readonly number[] = []): SeriesPosition => {
    const evaluations: DoseEvaluationState[] = records.map((antigenDose) => ({
      antigenDose,
      status: 'Not Valid',
      reasons: [],
      inadvertent: inadvertent.includes(antigenDose.patientDose.index),
      targetDose: undefined,
    }));
    return {
      evaluations,
      evaluatedCount: evaluations.filter((e) => e.antigenDose.patientDose.index < limit).length,
      targetDoses: [],
      historyLimit: limit,
    };
  };
  const reference = (position: SeriesPosition) =>
    intervalReferenceDose(pc, from, position)?.date.toString();

  it('is the latest dose of those types before the position, in the whole history', () => {
    expect(reference(before(5))).toBe('2020-09-01');
    // Not at or after the position (index 4 is the dose being evaluated or a later one).
    expect(reference(before(4))).toBe('2020-05-01');
    // The dose of type 113 counts for another antigen: it is found all the same.
    expect(reference(before(2))).toBe('2020-03-01');
    expect(reference(before(1))).toBe('2020-01-01');
    expect(reference(before(0))).toBeUndefined();
  });

  it('passes over the doses the series evaluated as inadvertent administrations', () => {
    expect(reference(before(4, [2]))).toBe('2020-03-01');
    expect(reference(before(5, [4, 2]))).toBe('2020-03-01');
    expect(reference(before(1, [0]))).toBeUndefined();
  });
});
