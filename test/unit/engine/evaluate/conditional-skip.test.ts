import { evaluateSeries } from '../../../../src/engine/evaluate/evaluate-series';
import {
  findConditionalSkip,
  type SkipQuery,
} from '../../../../src/engine/evaluate/conditional-skip';
import { forecastPosition } from '../../../../src/engine/forecast/forecast-dates';
import { organizeHistory } from '../../../../src/engine/organize-history';
import type { ConditionalSkip, SkipCondition } from '../../../../src/engine/rule-set';
import type { DoseSpec } from '../support/rule-set-builder';
import {
  antigen,
  condition,
  context,
  day,
  patient,
  ruleSet,
  series,
  seriesDose,
  skip,
} from '../support/rule-set-builder';

/**
 * Is target dose 2 skipped at the forecast, with the doses given evaluated against a series of
 * one dose and then target dose 2 carrying `skips`?
 */
function skippedAtForecast(
  skips: readonly ConditionalSkip[],
  given: readonly DoseSpec[],
  assessment = '2025-01-01',
  groupComplete = false,
): boolean {
  const target = seriesDose(2, { conditionalSkips: skips });
  const s = series({ doses: [seriesDose(1, { recurring: true }), target] });
  const rules = ruleSet({
    antigens: [antigen('A', { series: [s] })],
    cvx: { '1': ['A'], '2': ['A'] },
  });
  const pc = context(patient('2020-01-01', given), rules, assessment);
  const env = { isSeriesGroupComplete: () => groupComplete };
  const ps = evaluateSeries(pc, s, organizeHistory(pc).byAntigen.get('A') ?? [], env);
  const query: SkipQuery = {
    purpose: 'Forecast',
    referenceDate: pc.assessmentDate,
    selectionDate: pc.assessmentDate,
    position: forecastPosition(pc, ps),
    env,
  };
  return findConditionalSkip(pc, target, query) !== undefined;
}

const one = (c: SkipCondition, context: ConditionalSkip['context'] = 'Both') => [
  skip(context, [c]),
];

describe('conditional skip (§6.2, tables 6-6 to 6-11)', () => {
  it('meets an age condition from the begin age up to (not including) the end age (table 6-6)', () => {
    const c = condition({ type: 'Age', beginAge: '2 years', endAge: '4 years' });
    expect(skippedAtForecast(one(c), [], '2021-12-31')).toBe(false);
    expect(skippedAtForecast(one(c), [], '2022-01-01')).toBe(true);
    expect(skippedAtForecast(one(c), [], '2024-01-01')).toBe(false);
  });

  it('meets an interval condition once the interval from the previous dose has passed (table 6-8)', () => {
    const c = condition({ type: 'Interval', interval: '5 months' });
    expect(skippedAtForecast(one(c), [{ date: '2024-08-01' }], '2024-12-31')).toBe(false);
    expect(skippedAtForecast(one(c), [{ date: '2024-08-01' }], '2025-01-01')).toBe(true);
  });

  it('never meets an interval condition without a previous dose', () => {
    const c = condition({ type: 'Interval', interval: '0 days' });
    expect(skippedAtForecast(one(c), [])).toBe(false);
  });

  it('counts only doses of the listed vaccine types in the age range (CONDSKIP-1, table 6-9)', () => {
    const c = condition({
      type: 'Vaccine Count by Age',
      beginAge: '1 year',
      doseCount: 1,
      doseCountLogic: 'greater than',
      vaccineTypes: ['1'],
    });
    expect(
      skippedAtForecast(one(c), [{ date: '2021-06-01' }, { date: '2022-06-01', cvx: '2' }]),
    ).toBe(false);
    expect(skippedAtForecast(one(c), [{ date: '2021-06-01' }, { date: '2022-06-01' }])).toBe(true);
    expect(skippedAtForecast(one(c), [{ date: '2020-06-01' }, { date: '2022-06-01' }])).toBe(false);
  });

  it('counts doses in the date range, start included and end excluded', () => {
    const c = condition({
      type: 'Vaccine Count by Date',
      startDate: day('2024-07-01'),
      endDate: day('2025-07-01'),
      doseCount: 0,
      doseCountLogic: 'greater than',
    });
    expect(skippedAtForecast(one(c), [{ date: '2024-06-30' }])).toBe(false);
    expect(skippedAtForecast(one(c), [{ date: '2024-07-01' }])).toBe(true);
  });

  it('supports the "equal to" and "less than" dose count logics', () => {
    const equal = condition({
      type: 'Vaccine Count by Age',
      doseCount: 1,
      doseCountLogic: 'equal to',
    });
    const less = condition({
      type: 'Vaccine Count by Age',
      doseCount: 1,
      doseCountLogic: 'less than',
    });
    expect(skippedAtForecast(one(equal), [{ date: '2021-01-01' }])).toBe(true);
    expect(skippedAtForecast(one(equal), [{ date: '2021-01-01' }, { date: '2022-01-01' }])).toBe(
      false,
    );
    expect(skippedAtForecast(one(less), [])).toBe(true);
  });

  it('compares the count with the dose count at the bounds, however many doses precede', () => {
    const logic = (doseCountLogic: SkipCondition['doseCountLogic']) =>
      one(
        condition({
          type: 'Vaccine Count by Age',
          doseCount: 2,
          doseCountLogic,
          beginAge: '1 year',
        }),
      );
    const doses = (n: number, from = 2021) =>
      Array.from({ length: n }, (_, i) => ({ date: `${from + i}-02-01` }));
    expect(skippedAtForecast(logic('greater than'), doses(2))).toBe(false);
    expect(skippedAtForecast(logic('greater than'), doses(3))).toBe(true);
    expect(skippedAtForecast(logic('equal to'), doses(1))).toBe(false);
    expect(skippedAtForecast(logic('equal to'), doses(2))).toBe(true);
    expect(skippedAtForecast(logic('less than'), doses(1))).toBe(true);
    expect(skippedAtForecast(logic('less than'), doses(2))).toBe(false);
    // Three previous doses, two of them before the begin age (the patient was born 2020-01-01).
    const early = [{ date: '2020-03-01' }, { date: '2020-06-01' }];
    expect(skippedAtForecast(logic('less than'), [...early, ...doses(1)])).toBe(true);
    expect(skippedAtForecast(logic('greater than'), [...early, ...doses(1)])).toBe(false);
    expect(skippedAtForecast(logic('equal to'), [...early, ...doses(2)])).toBe(true);
  });

  it('meets a completed series condition when the named group is complete (table 6-7)', () => {
    const c = condition({ type: 'Completed Series', seriesGroups: ['1'] });
    expect(skippedAtForecast(one(c), [], '2025-01-01', true)).toBe(true);
    expect(skippedAtForecast(one(c), [], '2025-01-01', false)).toBe(false);
  });

  it('needs every condition of an AND set and one condition of an OR set (table 6-10)', () => {
    const young = condition({ type: 'Age', endAge: '1 year' });
    const old = condition({ type: 'Age', beginAge: '2 years' });
    expect(skippedAtForecast([skip('Both', [young, old], 'AND')], [])).toBe(false);
    expect(skippedAtForecast([skip('Both', [young, old], 'OR')], [])).toBe(true);
  });

  it('uses only the skips of the right context (§3.3)', () => {
    const c = condition({ type: 'Age', beginAge: '1 year' });
    expect(skippedAtForecast(one(c, 'Evaluation'), [])).toBe(false);
    expect(skippedAtForecast(one(c, 'Forecast'), [])).toBe(true);
  });

  it('uses a set only from its effective date through its cessation date (RELEVANT-2)', () => {
    const always = condition({ type: 'Age', beginAge: '1 year' });
    const windowed = (dates: { effectiveDate?: string; cessationDate?: string }) => {
      const [s] = one(always);
      const set = s?.sets[0];
      if (s === undefined || set === undefined) throw new Error('no set');
      return [
        {
          ...s,
          sets: [
            {
              ...set,
              effectiveDate:
                dates.effectiveDate === undefined ? undefined : day(dates.effectiveDate),
              cessationDate:
                dates.cessationDate === undefined ? undefined : day(dates.cessationDate),
            },
          ],
        },
      ];
    };
    const fromJan = windowed({ effectiveDate: '2025-01-01' });
    expect(skippedAtForecast(fromJan, [], '2024-12-31')).toBe(false);
    expect(skippedAtForecast(fromJan, [], '2025-01-01')).toBe(true);
    const untilJan = windowed({ cessationDate: '2025-01-01' });
    expect(skippedAtForecast(untilJan, [], '2025-01-01')).toBe(true);
    expect(skippedAtForecast(untilJan, [], '2025-01-02')).toBe(false);
  });

  it('leaves a set that is not in effect out of AND set logic (table 6-11)', () => {
    const met = condition({ type: 'Age', beginAge: '1 year' });
    const never = condition({ type: 'Interval', interval: '0 days' }); // no previous dose
    const skips: ConditionalSkip[] = [
      {
        context: 'Both',
        setLogic: 'AND',
        sets: [
          { id: '1', description: 'met', conditionLogic: 'AND', conditions: [met] },
          {
            id: '2',
            description: 'never met, ceased',
            conditionLogic: 'AND',
            conditions: [never],
            cessationDate: day('2024-06-30'),
          },
        ],
      },
    ];
    expect(skippedAtForecast(skips, [], '2024-06-30')).toBe(false);
    expect(skippedAtForecast(skips, [], '2024-07-01')).toBe(true);
  });
});
