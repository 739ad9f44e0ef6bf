import { forecast } from '../../../src/engine';
import type { VaccineGroupResult } from '../../../src/engine/model';
import type { AntigenRules } from '../../../src/engine/rule-set';
import type { DoseSpec } from './support/rule-set-builder';
import {
  age,
  antigen,
  day,
  interval,
  intervalFromPrevious,
  patient,
  ruleSet,
  series,
  seriesDose,
} from './support/rule-set-builder';

function groupResult(
  antigens: readonly AntigenRules[],
  given: readonly DoseSpec[],
  assessment: string,
  administerFullVaccineGroup = false,
): VaccineGroupResult {
  const rules = ruleSet({
    antigens,
    cvx: { '1': antigens.map((a) => a.antigen), '2': ['D', 'T'] },
    groups: [{ name: 'DTP', administerFullVaccineGroup, antigens: antigens.map((a) => a.antigen) }],
  });
  const result = forecast(patient('2020-01-01', given), rules, day(assessment));
  const group = result.vaccineGroups[0];
  if (group === undefined) {
    throw new Error('no group');
  }
  return group;
}

const twoDoseAntigen = (name: string, second: string) =>
  antigen(name, {
    series: [
      series({
        antigen: name,
        doses: [
          seriesDose(1, { ages: [age({ minAge: '6 weeks' })] }),
          seriesDose(2, {
            intervals: [
              intervalFromPrevious({ absMinInt: second, minInt: second, earliestRecInt: second }),
            ],
          }),
        ],
      }),
    ],
  });

describe('identify and evaluate vaccine group (chapter 9)', () => {
  it('gives a single antigen group the status and forecast of its series (§9.2)', () => {
    const g = groupResult([twoDoseAntigen('D', '4 weeks')], [{ date: '2020-03-01' }], '2020-03-01');
    expect(g.status).toBe('Not Complete');
    expect(g.forecast?.doseNumber).toBe(2);
    expect(g.forecast?.earliestDate.toString()).toBe('2020-03-29');
    expect(g.doseEvaluations.map((e) => e.status)).toEqual(['Valid']);
  });

  it('takes the latest earliest date of the antigens of a multiple antigen group (MULTIANTVG-1)', () => {
    const g = groupResult(
      [twoDoseAntigen('D', '4 weeks'), twoDoseAntigen('T', '8 weeks')],
      [{ date: '2020-03-01' }],
      '2020-03-01',
    );
    expect(g.status).toBe('Not Complete');
    expect(g.forecast?.earliestDate.toString()).toBe('2020-04-26');
    // FORECASTVG-2: the earliest recommended date, not before the group's earliest date.
    expect(g.forecast?.recommendedDate.toString()).toBe('2020-04-26');
  });

  it('with a priority forecast, takes the earliest earliest date but not before the last dose (MULTIANTVG-1)', () => {
    const priority = antigen('T', {
      series: [
        series({
          antigen: 'T',
          doses: [
            seriesDose(1, { ages: [age({ minAge: '6 weeks' })] }),
            seriesDose(2, {
              intervals: [interval({ kind: 'previous' }, { minInt: '8 weeks', priority: true })],
            }),
          ],
        }),
      ],
    });
    const g = groupResult(
      [twoDoseAntigen('D', '4 weeks'), priority],
      [{ date: '2020-03-01' }],
      '2020-03-01',
    );
    expect(g.forecast?.earliestDate.toString()).toBe('2020-03-29');
  });

  it('is complete only when every antigen is complete (table 9-4)', () => {
    const one = antigen('P', {
      series: [
        series({ antigen: 'P', doses: [seriesDose(1, { ages: [age({ minAge: '6 weeks' })] })] }),
      ],
    });
    const g = groupResult(
      [twoDoseAntigen('D', '4 weeks'), one],
      [{ date: '2020-03-01' }],
      '2020-03-01',
    );
    expect(g.antigens.map((a) => a.status)).toEqual(['Not Complete', 'Complete']);
    expect(g.status).toBe('Not Complete');
    // FORECASTDN-2 without "administer full vaccine group": the maximum dose number.
    expect(g.forecast?.doseNumber).toBe(2);
  });

  it('shows a dose valid for one antigen and extra for another as valid', () => {
    const one = antigen('P', {
      series: [
        series({ antigen: 'P', doses: [seriesDose(1, { ages: [age({ minAge: '6 weeks' })] })] }),
      ],
    });
    const g = groupResult(
      [twoDoseAntigen('D', '4 weeks'), one],
      [{ date: '2020-03-01' }, { date: '2020-04-01' }],
      '2020-04-01',
    );
    expect(g.doseEvaluations[1]?.byAntigen.map((e) => e.status)).toEqual(['Valid', 'Extraneous']);
    expect(g.doseEvaluations.map((e) => e.status)).toEqual(['Valid', 'Valid']);
  });

  it("shows a dose not valid for one antigen as not valid, with that antigen's reason", () => {
    const g = groupResult(
      [twoDoseAntigen('D', '4 weeks'), twoDoseAntigen('T', '8 weeks')],
      [{ date: '2020-03-01' }, { date: '2020-04-05' }],
      '2020-04-05',
    );
    expect(g.doseEvaluations[1]?.status).toBe('Not Valid');
    expect(g.doseEvaluations[1]?.reasons.map((r) => r.text)).toEqual(['Interval: too Soon']);
  });

  it('merges the evaluations of doses every antigen has, by position, in group order', () => {
    const g = groupResult(
      [
        twoDoseAntigen('D', '4 weeks'),
        twoDoseAntigen('T', '4 weeks'),
        twoDoseAntigen('P', '8 weeks'),
      ],
      [{ date: '2020-03-01' }, { date: '2020-04-05' }],
      '2020-04-05',
    );
    expect(
      g.doseEvaluations.map((e) => [
        e.doseId,
        e.status,
        e.byAntigen.map((a) => `${a.antigen}:${a.status}`).join(' '),
        e.reasons.map((r) => r.code).join(' '),
      ]),
    ).toEqual([
      ['1', 'Valid', 'D:Valid T:Valid P:Valid', ''],
      ['2', 'Not Valid', 'D:Valid T:Valid P:Not Valid', 'interval-too-soon'],
    ]);
  });

  it('lists each reason code once for a dose and for the group, in group order (first kept)', () => {
    // T's second dose needs an age of 1 year: given at 3 months it is too young; D and P need
    // 8 weeks between doses: the second dose, 5 weeks after the first, is too soon for both.
    const youngT = antigen('T', {
      series: [
        series({
          antigen: 'T',
          doses: [
            seriesDose(1, { ages: [age({ minAge: '6 weeks' })] }),
            seriesDose(2, { ages: [age({ absMinAge: '1 year', minAge: '1 year' })] }),
          ],
        }),
      ],
    });
    const g = groupResult(
      [twoDoseAntigen('D', '8 weeks'), youngT, twoDoseAntigen('P', '8 weeks')],
      [{ date: '2020-03-01' }, { date: '2020-04-05' }],
      '2020-04-05',
    );
    const second = g.doseEvaluations[1];
    expect(second?.byAntigen.map((a) => a.reasons.map((r) => r.code).join(' '))).toEqual([
      'interval-too-soon',
      'age-too-young',
      'interval-too-soon',
    ]);
    expect(second?.reasons.map((r) => r.code)).toEqual(['interval-too-soon', 'age-too-young']);
    // The first of a code is the one kept: D's, with its details.
    expect(second?.reasons[0]).toBe(second?.byAntigen[0]?.reasons[0]);

    // Group reasons: both antigens complete, one 'series-complete' reason.
    const complete = groupResult(
      [twoDoseAntigen('D', '4 weeks'), twoDoseAntigen('T', '4 weeks')],
      [{ date: '2020-03-01' }, { date: '2020-04-05' }],
      '2020-04-05',
    );
    expect(complete.antigens.map((a) => a.reasons.map((r) => r.code))).toEqual([
      ['series-complete'],
      ['series-complete'],
    ]);
    expect(complete.reasons.map((r) => r.code)).toEqual(['series-complete']);
  });

  it('lists the doses of the group in date order when the antigens have different doses', () => {
    const one = (name: string) =>
      antigen(name, { series: [series({ antigen: name, doses: [seriesDose(1)] })] });
    const rules = ruleSet({
      antigens: [twoDoseAntigen('D', '4 weeks'), one('P')],
      cvx: { '1': ['D'], '3': ['P'] },
      groups: [{ name: 'DP', administerFullVaccineGroup: false, antigens: ['D', 'P'] }],
    });
    const given = [
      { date: '2020-03-01', cvx: '1' },
      { date: '2020-03-15', cvx: '3' },
      { date: '2020-04-01', cvx: '1' },
    ];
    const g = forecast(patient('2020-01-01', given), rules, day('2020-06-01')).vaccineGroups[0];
    expect(g?.doseEvaluations.map((e) => [e.doseId, e.dateAdministered.toString()])).toEqual([
      ['1', '2020-03-01'],
      ['2', '2020-03-15'],
      ['3', '2020-04-01'],
    ]);
  });
});
