import { forecast } from '../../../../src/engine';
import { evaluateSeries } from '../../../../src/engine/evaluate/evaluate-series';
import { reasonsWithDetails } from '../../../../src/engine/evaluate/reason-details';
import { organizeHistory } from '../../../../src/engine/organize-history';
import type { RuleSet, SeriesDose } from '../../../../src/engine/rule-set';
import type { DoseSpec } from '../support/rule-set-builder';
import {
  age,
  antigen,
  conflict,
  context,
  day,
  interval,
  intervalFromPrevious,
  patient,
  ruleSet,
  series,
  seriesDose,
} from '../support/rule-set-builder';

const never = { isSeriesGroupComplete: () => false };

function evaluate(
  doses: readonly SeriesDose[],
  given: readonly DoseSpec[],
  options: { rules?: RuleSet; birthDate?: string; name?: string } = {},
) {
  const s = series({ doses, name: options.name ?? 'test series' });
  const rules =
    options.rules ??
    ruleSet({
      antigens: [antigen('A', { series: [s] })],
      cvx: { '1': ['A'], '2': ['A'] },
    });
  const pc = context(patient(options.birthDate ?? '2020-01-01', given), rules, '2026-01-01');
  const records = organizeHistory(pc).byAntigen.get('A') ?? [];
  const ps = evaluateSeries(pc, rules.antigens.get('A')?.series[0] ?? s, records, never);
  return {
    statuses: ps.evaluations.map((e) => e.status),
    /** The reasons of each evaluation as the result shows them, with their details. */
    reasons: ps.evaluations.map((e) => reasonsWithDetails(pc, ps, e)),
  };
}

/** The codes and details of the reasons of the n-th evaluation. */
const reasonsOf = (r: ReturnType<typeof evaluate>, n: number) =>
  (r.reasons[n] ?? []).map((x) => ({ code: x.code, details: x.details }));

describe('the numbers behind evaluation reasons (Reason.details)', () => {
  it('"Age: Too Young" names the absolute minimum age as written, its date and the days early', () => {
    const ps = evaluate(
      [seriesDose(1, { ages: [age({ absMinAge: '6 weeks - 4 days', minAge: '6 weeks' })] })],
      [{ date: '2020-02-01' }],
    );
    // 2020-01-01 + 6 weeks - 4 days = 2020-02-08: the dose was 7 days early.
    expect(reasonsOf(ps, 0)).toEqual([
      {
        code: 'age-too-young',
        details: { minimumAge: '6 weeks - 4 days', minimumAgeDate: '2020-02-08', daysEarly: '7' },
      },
    ]);
  });

  it('"Age: Too Old" names the maximum age, its date and how many days after it the dose was', () => {
    const ps = evaluate(
      [seriesDose(1, { ages: [age({ maxAge: '15 weeks' })] })],
      [{ date: '2020-04-17' }],
    );
    // 2020-01-01 + 15 weeks = 2020-04-15.
    expect(reasonsOf(ps, 0)).toEqual([
      {
        code: 'age-too-old',
        details: { maximumAge: '15 weeks', maximumAgeDate: '2020-04-15', daysLate: '2' },
      },
    ]);
    const onTheDay = evaluate(
      [seriesDose(1, { ages: [age({ maxAge: '15 weeks' })] })],
      [{ date: '2020-04-15' }],
    );
    expect(onTheDay.reasons[0]?.[0]?.details?.daysLate).toBe('0');
  });

  it('uses the age component in effect on the date administered (RELEVANT-1)', () => {
    const ps = evaluate(
      [
        seriesDose(1, {
          ages: [
            age({ absMinAge: '10 weeks', cessationDate: '2019-12-31' }),
            age({ absMinAge: '8 weeks', effectiveDate: '2020-01-01' }),
          ],
        }),
      ],
      [{ date: '2020-02-20' }],
    );
    expect(ps.reasons[0]?.[0]?.details).toMatchObject({
      minimumAge: '8 weeks',
      minimumAgeDate: '2020-02-26',
      daysEarly: '6',
    });
  });

  it('"Interval: too Soon" names the interval, the dose it is measured from, the date it allows and the days early', () => {
    const ps = evaluate(
      [
        seriesDose(1),
        seriesDose(2, {
          intervals: [intervalFromPrevious({ absMinInt: '4 weeks - 4 days', minInt: '4 weeks' })],
        }),
      ],
      [{ date: '2020-03-01' }, { date: '2020-03-11' }],
    );
    expect(ps.statuses).toEqual(['Valid', 'Not Valid']);
    // 2020-03-01 + 4 weeks - 4 days = 2020-03-25.
    expect(reasonsOf(ps, 1)).toEqual([
      {
        code: 'interval-too-soon',
        details: {
          interval: '4 weeks - 4 days',
          from: 'the previous dose',
          fromDate: '2020-03-01',
          fromDoseId: '1',
          allowedDate: '2020-03-25',
          daysEarly: '14',
        },
      },
    ]);
  });

  it('"Interval: too Soon" names the failing interval when a target dose has several', () => {
    const ps = evaluate(
      [
        seriesDose(1),
        seriesDose(2),
        seriesDose(3, {
          intervals: [
            intervalFromPrevious({ absMinInt: '4 weeks' }),
            interval({ kind: 'targetDose', doseNumber: 1 }, { absMinInt: '16 weeks' }),
          ],
        }),
      ],
      [{ date: '2020-03-01' }, { date: '2020-04-01' }, { date: '2020-05-01' }],
    );
    expect(ps.reasons[2]?.[0]?.details).toEqual({
      interval: '16 weeks',
      from: 'dose 1 of the series',
      fromDate: '2020-03-01',
      fromDoseId: '1',
      allowedDate: '2020-06-21',
      daysEarly: '51',
    });
  });

  it('"Interval: too Soon" from an observation names it by its title (CALCDTINT-9)', () => {
    const s = series({
      doses: [
        seriesDose(1, {
          intervals: [
            interval({ kind: 'observation', observationCode: '170' }, { absMinInt: '32 weeks' }),
          ],
        }),
      ],
    });
    const base = ruleSet({ antigens: [antigen('A', { series: [s] })] });
    const rules: RuleSet = {
      ...base,
      observations: new Map([
        [
          '170',
          {
            code: '170',
            title: 'Onset of pregnancy',
            group: '',
            indicationText: '',
            contraindicationText: '',
            clarifyingText: '',
            codedValues: [],
          },
        ],
      ]),
    };
    const pc = context(
      patient('1990-01-01', [{ date: '2023-09-01' }], {
        observations: [{ code: '170', date: day('2023-03-01') }],
      }),
      rules,
      '2024-01-01',
    );
    const ps = evaluateSeries(pc, s, organizeHistory(pc).byAntigen.get('A') ?? [], never);
    // 2023-03-01 + 32 weeks = 2023-10-11.
    expect(ps.evaluations[0] && reasonsWithDetails(pc, ps, ps.evaluations[0])).toEqual([
      expect.objectContaining({
        code: 'interval-too-soon',
        details: {
          interval: '32 weeks',
          from: 'the onset of pregnancy',
          fromDate: '2023-03-01',
          allowedDate: '2023-10-11',
          daysEarly: '40',
        },
      }),
    ]);
  });

  it('"Live Virus Conflict" names the conflicting dose and the date the conflict ends', () => {
    const s = series({ doses: [seriesDose(1, { preferable: ['21'] })] });
    const rules = ruleSet({
      antigens: [
        antigen('A', { series: [s] }),
        antigen('M', {
          series: [series({ antigen: 'M', doses: [seriesDose(1, { preferable: ['3'] })] })],
        }),
      ],
      cvx: { '3': ['M'], '21': ['A'] },
      conflicts: [conflict('03', '21', '1 day', '28 days - 4 days', '28 days')],
    });
    const ps = evaluate(
      s.doses,
      [
        { date: '2021-06-01', cvx: '03' },
        { date: '2021-06-20', cvx: '21' },
      ],
      { rules },
    );
    // The MMR dose has no evaluation in this series: the minimum conflict end interval applies.
    expect(reasonsOf(ps, 0)).toEqual([
      {
        code: 'live-virus-conflict',
        details: {
          conflictingDoseId: '1',
          conflictingCvx: '03',
          conflictingDoseDate: '2021-06-01',
          conflictEndDate: '2021-06-25',
        },
      },
    ]);
  });

  it('"Inadvertent Vaccine" and "Not a preferable or allowable vaccine" name the vaccine given', () => {
    const inadvertent = evaluate(
      [seriesDose(1, { inadvertent: ['2'] })],
      [{ date: '2020-06-01', cvx: '2' }],
    );
    expect(reasonsOf(inadvertent, 0)).toEqual([
      { code: 'inadvertent-vaccine', details: { cvx: '2', vaccine: 'vaccine 2' } },
    ]);
    const neither = evaluate([seriesDose(1)], [{ date: '2020-06-01', cvx: '2' }]);
    expect(reasonsOf(neither, 0)).toEqual([
      { code: 'not-preferable-or-allowable', details: { cvx: '2', vaccine: 'vaccine 2' } },
    ]);
  });

  it('"Series Already Complete" names the series and the date of the dose that completed it', () => {
    const ps = evaluate(
      [seriesDose(1), seriesDose(2)],
      [{ date: '2020-03-01' }, { date: '2020-05-01' }, { date: '2020-07-01' }],
      { name: 'A 2-dose series' },
    );
    expect(reasonsOf(ps, 2)).toEqual([
      {
        code: 'series-already-complete',
        details: { series: 'A 2-dose series', completedDate: '2020-05-01' },
      },
    ]);
  });

  it('leaves valid doses without details, grace periods included', () => {
    const ps = evaluate(
      [seriesDose(1, { ages: [age({ absMinAge: '6 weeks - 4 days', minAge: '6 weeks' })] })],
      [{ date: '2020-02-10' }],
    );
    expect(ps.statuses).toEqual(['Valid']);
    expect(reasonsOf(ps, 0)).toEqual([{ code: 'age-grace-period', details: undefined }]);
  });

  it('are in the forecast() result, for the antigen and for the vaccine group', () => {
    const s = series({
      doses: [
        seriesDose(1, { ages: [age({ absMinAge: '6 weeks - 4 days', minAge: '6 weeks' })] }),
        seriesDose(2),
      ],
    });
    const rules = ruleSet({ antigens: [antigen('A', { series: [s] })] });
    const result = forecast(
      patient('2020-01-01', [{ date: '2020-02-01' }, { date: '2020-03-01' }]),
      rules,
      day('2026-01-01'),
    );
    const group = result.vaccineGroups[0];
    const tooYoung = {
      code: 'age-too-young',
      text: 'Age: Too Young',
      rule: 'Table 6-15',
      details: { minimumAge: '6 weeks - 4 days', minimumAgeDate: '2020-02-08', daysEarly: '7' },
    };
    expect(group?.antigens[0]?.doseEvaluations.map((e) => e.reasons)).toEqual([[tooYoung], []]);
    expect(group?.doseEvaluations.map((e) => e.reasons)).toEqual([[tooYoung], []]);
  });
});
