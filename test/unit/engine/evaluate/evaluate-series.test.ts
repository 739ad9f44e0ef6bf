import { evaluateSeries } from '../../../../src/engine/evaluate/evaluate-series';
import { organizeHistory } from '../../../../src/engine/organize-history';
import type { RuleSet, SeriesDose } from '../../../../src/engine/rule-set';
import type { DoseSpec } from '../support/rule-set-builder';
import {
  age,
  antigen,
  condition,
  conflict,
  context,
  intervalFromPrevious,
  patient,
  ruleSet,
  series,
  seriesDose,
  skip,
} from '../support/rule-set-builder';

const never = { isSeriesGroupComplete: () => false };

function evaluate(
  doses: readonly SeriesDose[],
  given: readonly DoseSpec[],
  options: { rules?: RuleSet; birthDate?: string } = {},
) {
  const s = series({ doses });
  const rules =
    options.rules ??
    ruleSet({
      antigens: [antigen('A', { series: [s] })],
      cvx: { '1': ['A'], '2': ['A'], '3': ['A'] },
    });
  const pc = context(patient(options.birthDate ?? '2020-01-01', given), rules, '2026-01-01');
  const records = organizeHistory(pc).byAntigen.get('A') ?? [];
  return evaluateSeries(pc, s, records, never);
}

const statuses = (ps: ReturnType<typeof evaluate>) => ps.evaluations.map((e) => e.status);
const reasons = (ps: ReturnType<typeof evaluate>) =>
  ps.evaluations.map((e) => e.reasons.map((r) => r.text));

describe('evaluate immunization history (§4.4, chapter 6)', () => {
  const twoDoses = [
    seriesDose(1, { ages: [age({ absMinAge: '6 weeks - 4 days', minAge: '6 weeks' })] }),
    seriesDose(2, {
      intervals: [intervalFromPrevious({ absMinInt: '4 weeks - 4 days', minInt: '4 weeks' })],
    }),
  ];

  it('satisfies the target doses in turn with valid doses', () => {
    const ps = evaluate(twoDoses, [{ date: '2020-02-15' }, { date: '2020-03-20' }]);
    expect(statuses(ps)).toEqual(['Valid', 'Valid']);
    expect(ps.targetDoses.map((t) => t.status)).toEqual(['Satisfied', 'Satisfied']);
    expect(ps.evaluations.map((e) => e.targetDose?.number)).toEqual([1, 2]);
  });

  it('keeps the target dose when a dose is too young, and evaluates the next dose against it', () => {
    const ps = evaluate(twoDoses, [{ date: '2020-01-20' }, { date: '2020-02-15' }]);
    expect(statuses(ps)).toEqual(['Not Valid', 'Valid']);
    expect(reasons(ps)[0]).toEqual(['Age: Too Young']);
    expect(ps.targetDoses.map((t) => t.status)).toEqual(['Satisfied', 'Not Satisfied']);
  });

  it('marks a dose given too soon after the previous one "Interval: too Soon"', () => {
    const ps = evaluate(twoDoses, [{ date: '2020-02-15' }, { date: '2020-03-01' }]);
    expect(statuses(ps)).toEqual(['Valid', 'Not Valid']);
    expect(reasons(ps)[1]).toEqual(['Interval: too Soon']);
  });

  it('measures intervals from a not valid previous dose too (CALCDTINT-1)', () => {
    const ps = evaluate(twoDoses, [
      { date: '2020-02-15' },
      { date: '2020-03-01' },
      { date: '2020-03-20' },
    ]);
    // The third dose is 19 days after the not valid second dose.
    expect(statuses(ps)).toEqual(['Valid', 'Not Valid', 'Not Valid']);
  });

  it('marks doses after the last target dose "Series Already Complete"', () => {
    const ps = evaluate(twoDoses, [
      { date: '2020-02-15' },
      { date: '2020-03-20' },
      { date: '2020-06-01' },
    ]);
    expect(statuses(ps)).toEqual(['Valid', 'Valid', 'Extraneous']);
    expect(reasons(ps)[2]).toEqual(['Series Already Complete']);
  });

  it('evaluates a dose with a dose condition as sub-standard and does not measure intervals from it', () => {
    const ps = evaluate(twoDoses, [
      { date: '2020-02-15' },
      { date: '2020-03-20', doseCondition: true },
      { date: '2020-03-25' },
    ]);
    expect(statuses(ps)).toEqual(['Valid', 'Sub-standard', 'Valid']);
  });

  it('marks a dose over the maximum age extraneous ("Age: Too Old")', () => {
    const ps = evaluate(
      [seriesDose(1, { ages: [age({ maxAge: '15 weeks' })] })],
      [{ date: '2020-06-01' }],
    );
    expect(statuses(ps)).toEqual(['Extraneous']);
    expect(reasons(ps)[0]).toEqual(['Age: Too Old']);
  });

  it('marks an inadvertent vaccine not valid without satisfying the target dose (table 6-13)', () => {
    const ps = evaluate(
      [seriesDose(1, { inadvertent: ['2'] })],
      [{ date: '2020-06-01', cvx: '2' }],
    );
    expect(statuses(ps)).toEqual(['Not Valid']);
    expect(reasons(ps)[0]).toEqual(['Inadvertent Vaccine']);
    expect(ps.evaluations[0]?.inadvertent).toBe(true);
  });

  it('accepts an allowable vaccine and refuses one that is neither preferable nor allowable', () => {
    const allowed = evaluate(
      [seriesDose(1, { allowable: ['2'] })],
      [{ date: '2020-06-01', cvx: '2' }],
    );
    expect(statuses(allowed)).toEqual(['Valid']);
    const refused = evaluate([seriesDose(1)], [{ date: '2020-06-01', cvx: '3' }]);
    expect(statuses(refused)).toEqual(['Not Valid']);
    expect(reasons(refused)[0]).toEqual(['Not a preferable or allowable vaccine']);
  });

  it('inserts a new identical target dose after a satisfied recurring dose (§4.4 step 5a)', () => {
    const booster = seriesDose(2, {
      recurring: true,
      intervals: [intervalFromPrevious({ absMinInt: '5 years' })],
    });
    const ps = evaluate(
      [seriesDose(1), booster],
      [{ date: '2021-01-01' }, { date: '2026-01-01' }, { date: '2031-01-01' }],
    );
    expect(statuses(ps)).toEqual(['Valid', 'Valid', 'Valid']);
    expect(ps.targetDoses.map((t) => [t.number, t.status])).toEqual([
      [1, 'Satisfied'],
      [2, 'Satisfied'],
      [3, 'Satisfied'],
      [4, 'Not Satisfied'],
    ]);
  });

  it('skips a target dose whose conditional skip is met at the date administered (§6.2)', () => {
    const doses = [
      seriesDose(1),
      seriesDose(2, {
        conditionalSkips: [skip('Evaluation', [condition({ type: 'Age', beginAge: '15 months' })])],
      }),
      seriesDose(3),
    ];
    const ps = evaluate(doses, [{ date: '2020-06-01' }, { date: '2021-06-01' }]);
    expect(ps.targetDoses.map((t) => t.status)).toEqual(['Satisfied', 'Skipped', 'Satisfied']);
    expect(ps.evaluations[1]?.targetDose?.number).toBe(3);
  });

  it('ignores conditional skips of the forecast context during evaluation', () => {
    const doses = [
      seriesDose(1),
      seriesDose(2, {
        conditionalSkips: [skip('Forecast', [condition({ type: 'Age', beginAge: '15 months' })])],
      }),
    ];
    const ps = evaluate(doses, [{ date: '2020-06-01' }, { date: '2021-06-01' }]);
    expect(ps.targetDoses.map((t) => t.status)).toEqual(['Satisfied', 'Satisfied']);
  });

  it('marks a live virus dose given during a conflict with an earlier one "Live Virus Conflict"', () => {
    const s = series({ doses: [seriesDose(1, { preferable: ['21'] })] });
    const rules = ruleSet({
      antigens: [
        antigen('A', { series: [s] }),
        antigen('M', {
          series: [series({ antigen: 'M', doses: [seriesDose(1, { preferable: ['3'] })] })],
        }),
      ],
      cvx: { '3': ['M'], '21': ['A'] },
      conflicts: [conflict('03', '21', '1 day', '28 days', '28 days')],
    });
    const conflicted = evaluate(
      s.doses,
      [
        { date: '2021-06-01', cvx: '03' },
        { date: '2021-06-20', cvx: '21' },
      ],
      { rules },
    );
    expect(statuses(conflicted)).toEqual(['Not Valid']);
    expect(reasons(conflicted)[0]).toEqual(['Live Virus Conflict']);
    const sameDay = evaluate(
      s.doses,
      [
        { date: '2021-06-01', cvx: '03' },
        { date: '2021-06-01', cvx: '21' },
      ],
      { rules },
    );
    expect(statuses(sameDay)).toEqual(['Valid']);
  });
});
