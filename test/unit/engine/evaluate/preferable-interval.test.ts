import type { SeriesPosition } from '../../../../src/engine/interval-reference';
import { evaluatePreferableIntervals } from '../../../../src/engine/evaluate/preferable-interval';
import type { DoseEvaluationState, TargetDose } from '../../../../src/engine/patient-series';
import { organizeHistory } from '../../../../src/engine/organize-history';
import {
  antigen,
  context,
  day,
  interval,
  intervalFromPrevious,
  patient,
  ruleSet,
  series,
  seriesDose,
} from '../support/rule-set-builder';

const rules = ruleSet({
  antigens: [antigen('A', { series: [series({ doses: [seriesDose(1)] })] })],
});

/** The position before the last dose, all previous doses Valid and satisfying target doses 1.. */
function positionBeforeLast(dates: readonly string[]) {
  const pc = context(
    patient(
      '2020-01-01',
      dates.map((date) => ({ date })),
    ),
    rules,
    '2026-01-01',
  );
  const records = organizeHistory(pc).byAntigen.get('A') ?? [];
  const targetDoses: TargetDose[] = [];
  const evaluations: DoseEvaluationState[] = records.map((antigenDose, i) => {
    const target: TargetDose = {
      number: i + 1,
      seriesDose: seriesDose(i + 1),
      status: 'Satisfied',
      satisfiedBy: undefined,
    };
    const e: DoseEvaluationState = {
      antigenDose,
      status: 'Valid',
      reasons: [],
      inadvertent: false,
      targetDose: target,
    };
    target.satisfiedBy = e;
    targetDoses.push(target);
    return e;
  });
  const last = records[records.length - 1]!;
  const position: SeriesPosition = {
    evaluations,
    evaluatedCount: records.length - 1,
    targetDoses: targetDoses.slice(0, -1),
    historyLimit: last.patientDose.index,
  };
  return { pc, position, date: last.patientDose.date };
}

describe('evaluate preferable interval (§6.5, table 6-18)', () => {
  const dose2 = seriesDose(2, {
    intervals: [intervalFromPrevious({ absMinInt: '4 weeks - 4 days', minInt: '4 weeks' })],
  });

  it.each([
    ['2020-03-24', 'too-soon'], // 23 days after the previous dose
    ['2020-03-25', 'grace-period'], // 24 days: the absolute minimum interval
    ['2020-03-29', 'valid'], // 28 days
  ])('a dose given on %s after one on 2020-03-01 is %s', (date, expected) => {
    const { pc, position } = positionBeforeLast(['2020-03-01', date]);
    expect(evaluatePreferableIntervals(pc, dose2, day(date), position)).toBe(expected);
  });

  it('does not apply an interval that has no previous dose to measure from', () => {
    const { pc, position } = positionBeforeLast(['2020-03-01']);
    expect(evaluatePreferableIntervals(pc, dose2, day('2020-03-01'), position)).toBe('valid');
  });

  it('measures a "from target dose" interval from the dose that satisfied that target dose (CALCDTINT-2)', () => {
    const dose3 = seriesDose(3, {
      intervals: [
        intervalFromPrevious({ absMinInt: '0 days' }),
        interval({ kind: 'targetDose', doseNumber: 1 }, { absMinInt: '16 weeks - 4 days' }),
      ],
    });
    const tooSoon = positionBeforeLast(['2020-03-01', '2020-04-01', '2020-06-01']);
    expect(evaluatePreferableIntervals(tooSoon.pc, dose3, tooSoon.date, tooSoon.position)).toBe(
      'too-soon',
    );
    const enough = positionBeforeLast(['2020-03-01', '2020-04-01', '2020-06-20']);
    expect(evaluatePreferableIntervals(enough.pc, dose3, enough.date, enough.position)).toBe(
      'valid',
    );
  });

  it('requires every interval in effect to be satisfied', () => {
    const strict = seriesDose(2, {
      intervals: [
        intervalFromPrevious({ absMinInt: '4 weeks' }),
        intervalFromPrevious({ absMinInt: '8 weeks' }),
      ],
    });
    const { pc, position, date } = positionBeforeLast(['2020-03-01', '2020-04-15']);
    expect(evaluatePreferableIntervals(pc, strict, date, position)).toBe('too-soon');
  });
});
