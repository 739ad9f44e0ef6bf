import { evaluateSeries } from '../../../../src/engine/evaluate/evaluate-series';
import { organizeHistory } from '../../../../src/engine/organize-history';
import type { AllowableIntervalRule, SeriesDose } from '../../../../src/engine/rule-set';
import type { DoseSpec } from '../support/rule-set-builder';
import {
  antigen,
  context,
  dur,
  intervalFromPrevious,
  patient,
  ruleSet,
  series,
  seriesDose,
} from '../support/rule-set-builder';

function statuses(doses: readonly SeriesDose[], given: readonly DoseSpec[]) {
  const s = series({ doses });
  const rules = ruleSet({
    antigens: [antigen('A', { series: [s] })],
    cvx: { '1': ['A'], '43': ['A'] },
  });
  const pc = context(patient('2000-01-01', given), rules, '2026-01-01');
  const ps = evaluateSeries(pc, s, organizeHistory(pc).byAntigen.get('A') ?? [], {
    isSeriesGroupComplete: () => false,
  });
  return ps.evaluations.map((e) => [e.status, ...e.reasons.map((r) => r.code)]);
}

describe('allowable interval (§6.6, table 6-21)', () => {
  const allowable: AllowableIntervalRule = {
    from: { kind: 'previous' },
    absMinInt: dur('4 weeks'),
  };
  const dose2 = (allowableIntervals: readonly AllowableIntervalRule[]) =>
    seriesDose(2, {
      intervals: [intervalFromPrevious({ absMinInt: '6 months - 4 days', minInt: '6 months' })],
      allowableIntervals,
    });

  it('accepts a dose too soon for the preferable interval but within the allowable one', () => {
    expect(
      statuses(
        [seriesDose(1), dose2([allowable])],
        [{ date: '2020-01-01' }, { date: '2020-02-01' }],
      ),
    ).toEqual([['Valid'], ['Valid', 'allowable-interval']]);
  });

  it('refuses it when it is also too soon for the allowable interval', () => {
    expect(
      statuses(
        [seriesDose(1), dose2([allowable])],
        [{ date: '2020-01-01' }, { date: '2020-01-20' }],
      ),
    ).toEqual([['Valid'], ['Not Valid', 'interval-too-soon']]);
  });

  it('refuses it when the target dose has no allowable interval ("to avoid a false validation")', () => {
    expect(
      statuses([seriesDose(1), dose2([])], [{ date: '2020-01-01' }, { date: '2020-02-01' }]),
    ).toEqual([['Valid'], ['Not Valid', 'interval-too-soon']]);
  });
});

describe('preferable vaccine (§6.8, table 6-26)', () => {
  const brand = seriesDose(1, {
    preferableVaccines: [
      {
        vaccineType: 'HepB adult',
        cvx: '43',
        tradeName: 'RECOMBIVAX ADULT',
        mvx: 'MSD',
        forecastVaccineType: false,
        beginAge: dur('11 years'),
        endAge: dur('16 years'),
      },
    ],
  });

  it('accepts the named product from its manufacturer within the age range', () => {
    expect(statuses([brand], [{ date: '2012-01-01', cvx: '43', mvx: 'MSD' }])).toEqual([['Valid']]);
  });

  it('refuses the same vaccine type from another manufacturer, or of unknown manufacturer', () => {
    expect(statuses([brand], [{ date: '2012-01-01', cvx: '43', mvx: 'SKB' }])).toEqual([
      ['Not Valid', 'not-preferable-or-allowable'],
    ]);
    expect(statuses([brand], [{ date: '2012-01-01', cvx: '43' }])).toEqual([
      ['Not Valid', 'not-preferable-or-allowable'],
    ]);
  });

  it('refuses it outside the preferable vaccine type age range', () => {
    expect(statuses([brand], [{ date: '2017-01-01', cvx: '43', mvx: 'MSD' }])).toEqual([
      ['Not Valid', 'not-preferable-or-allowable'],
    ]);
  });
});
