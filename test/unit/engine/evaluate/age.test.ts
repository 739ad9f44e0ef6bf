import { evaluateAge } from '../../../../src/engine/evaluate/age';
import {
  age,
  antigen,
  context,
  day,
  patient,
  ruleSet,
  series,
  seriesDose,
} from '../support/rule-set-builder';

describe('evaluate age (§6.4, table 6-15)', () => {
  const dose = seriesDose(1, {
    ages: [age({ absMinAge: '6 weeks - 4 days', minAge: '6 weeks', maxAge: '5 years' })],
  });
  const rules = ruleSet({ antigens: [antigen('A', { series: [series({ doses: [dose] })] })] });
  const pc = context(patient('2020-01-01'), rules, '2026-01-01');

  it.each([
    ['2020-02-07', 'too-young'], // 5 weeks + 2 days: before 6 weeks - 4 days (2020-02-08)
    ['2020-02-08', 'grace-period'], // exactly the absolute minimum age
    ['2020-02-11', 'grace-period'], // the day before the minimum age
    ['2020-02-12', 'valid'], // exactly 6 weeks
    ['2024-12-31', 'valid'], // the day before the maximum age
    ['2025-01-01', 'too-old'], // exactly 5 years
  ])('a dose given on %s is %s', (date, expected) => {
    expect(evaluateAge(pc, dose, day(date))).toBe(expected);
  });

  it('accepts any age when the target dose has no age component', () => {
    expect(evaluateAge(pc, seriesDose(1), day('2020-01-01'))).toBe('valid');
  });

  it('uses the age component in effect on the date administered (RELEVANT-1)', () => {
    const historical = seriesDose(1, {
      ages: [
        age({ minAge: '9 years', cessationDate: '2016-12-15' }),
        age({ absMinAge: '15 years', minAge: '15 years', effectiveDate: '2016-12-16' }),
      ],
    });
    const child = context(patient('2005-01-01'), rules, '2026-01-01');
    expect(evaluateAge(child, historical, day('2015-06-01'))).toBe('valid');
    expect(evaluateAge(child, historical, day('2017-06-01'))).toBe('too-young');
  });
});
