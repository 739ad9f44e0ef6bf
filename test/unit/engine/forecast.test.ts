import { forecast } from '../../../src/engine';
import { REASONS } from '../../../src/engine/reasons';
import {
  age,
  antigen,
  day,
  intervalFromPrevious,
  patient,
  ruleSet,
  series,
  seriesDose,
} from './support/rule-set-builder';

const rules = ruleSet({
  antigens: [
    antigen('A', {
      series: [
        series({
          doses: [
            seriesDose(1, { ages: [age({ minAge: '6 weeks', earliestRecAge: '2 months' })] }),
            seriesDose(2, { intervals: [intervalFromPrevious({ minInt: '4 weeks' })] }),
          ],
        }),
      ],
    }),
  ],
});

describe('forecast() (chapter 4 processing model)', () => {
  it('returns one result per vaccine group, tagged with the rule set and assessment date', () => {
    const result = forecast(patient('2020-01-01'), rules, day('2020-01-01'));
    expect(result.ruleSet).toBe('test@1');
    expect(result.assessmentDate.toString()).toBe('2020-01-01');
    expect(
      result.vaccineGroups.map((g) => [
        g.vaccineGroup,
        g.status,
        g.forecast?.recommendedDate.toString(),
      ]),
    ).toEqual([['A', 'Not Complete', '2020-03-01']]);
  });

  it('is deterministic: the same input gives the same output', () => {
    const history = patient('2020-01-01', [
      { date: '2020-03-01' },
      { date: '2020-04-01', cvx: '77' },
    ]);
    expect(JSON.stringify(forecast(history, rules, day('2020-05-01')))).toBe(
      JSON.stringify(forecast(history, rules, day('2020-05-01'))),
    );
  });

  it('reports a dose whose CVX counts for no antigen in unusedDoses', () => {
    const result = forecast(
      patient('2020-01-01', [{ date: '2020-03-01', cvx: '77' }]),
      rules,
      day('2020-05-01'),
    );
    expect(result.unusedDoses.map((u) => [u.doseId, u.reason.code])).toEqual([
      ['1', 'unknown-vaccine'],
    ]);
    expect(result.vaccineGroups[0]?.doseEvaluations).toEqual([]);
  });

  it('computes only the vaccine groups asked for', () => {
    expect(
      forecast(patient('2020-01-01'), rules, day('2020-01-01'), { vaccineGroups: [] })
        .vaccineGroups,
    ).toEqual([]);
  });

  it('does not throw for a dose given before birth or after the assessment date', () => {
    const odd = patient('2020-01-01', [{ date: '2019-12-01' }, { date: '2030-01-01' }]);
    expect(() => forecast(odd, rules, day('2020-06-01'))).not.toThrow();
  });
});

describe('reason catalogue', () => {
  it('words the evaluation reasons exactly as the CDC test cases expect', () => {
    const texts = Object.values(REASONS).map((r) => r.text);
    for (const expected of [
      'Age: Too Young',
      'Interval: too Soon',
      'Inadvertent Vaccine',
      'Series Already Complete',
      'Live Virus Conflict',
      'Age: Too Old',
      'Not a preferable or allowable vaccine',
    ]) {
      expect(texts).toContain(expected);
    }
  });

  it('gives every reason a business-rule reference', () => {
    for (const r of Object.values(REASONS)) {
      expect(r.rule).not.toBe('');
    }
  });
});
