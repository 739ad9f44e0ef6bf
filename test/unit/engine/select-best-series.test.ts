import { evaluateAndForecastAntigen } from '../../../src/engine/evaluate-and-forecast';
import { organizeHistory } from '../../../src/engine/organize-history';
import type { AntigenSeries, Indication } from '../../../src/engine/rule-set';
import type { DoseSpec } from './support/rule-set-builder';
import {
  age,
  antigen,
  context,
  dur,
  intervalFromPrevious,
  patient,
  ruleSet,
  series,
  seriesDose,
} from './support/rule-set-builder';

function best(
  all: readonly AntigenSeries[],
  given: readonly DoseSpec[],
  assessment: string,
  codes: readonly string[] = [],
) {
  const rules = antigen('A', { series: all });
  const pc = context(
    patient('2020-01-01', given, { observations: codes.map((code) => ({ code })) }),
    ruleSet({ antigens: [rules], cvx: { '1': ['A'], '2': ['A'] } }),
    assessment,
  );
  const outcome = evaluateAndForecastAntigen(
    pc,
    rules,
    organizeHistory(pc).byAntigen.get('A') ?? [],
  );
  return outcome.best.map((ps) => ps.series.name);
}

const at = (minAge: string) => [age({ absMinAge: minAge, minAge })];
const indication = (code: string): Indication => ({
  observationCode: code,
  observationText: code,
  description: '',
  guidance: '',
});

describe('select best patient series (chapter 8)', () => {
  const infant = series({
    name: 'infant 3-dose',
    maxAgeToStart: dur('12 months'),
    doses: [
      seriesDose(1, { ages: at('6 weeks') }),
      seriesDose(2, { intervals: [intervalFromPrevious({ minInt: '4 weeks' })] }),
      seriesDose(3, { intervals: [intervalFromPrevious({ minInt: '4 weeks' })] }),
    ],
  });
  const late = series({
    name: 'late 2-dose',
    defaultSeries: false,
    seriesPreference: 2,
    doses: [
      seriesDose(1, { ages: at('12 months') }),
      seriesDose(2, { intervals: [intervalFromPrevious({ minInt: '8 weeks' })] }),
    ],
  });

  it('keeps a lone evaluation-only series as best only once it is complete (table 8-14)', () => {
    const evaluationOnly = series({
      name: 'evaluation only',
      seriesType: 'Evaluation Only',
      doses: [
        seriesDose(1),
        seriesDose(2, { intervals: [intervalFromPrevious({ minInt: '4 weeks' })] }),
      ],
    });
    expect(best([evaluationOnly], [{ date: '2020-03-01' }], '2020-04-01')).toEqual([]);
    expect(
      best([evaluationOnly], [{ date: '2020-03-01' }, { date: '2020-04-01' }], '2020-05-01'),
    ).toEqual(['evaluation only']);
  });

  it('prioritizes the default series when no series has a valid dose (table 8-3)', () => {
    expect(best([infant, late], [], '2020-03-01')).toEqual(['infant 3-dose']);
  });

  it('drops a standard series whose first valid dose came after its maximum age to start (SELECTSCORE-2)', () => {
    expect(best([infant, late], [{ date: '2021-03-01' }], '2021-03-01')).toEqual(['late 2-dose']);
  });

  it('keeps the series the patient started in time', () => {
    expect(best([infant, late], [{ date: '2020-03-01' }], '2020-03-01')).toEqual(['infant 3-dose']);
  });

  it('prefers the complete series among scorable ones (table 8-3)', () => {
    const given = [{ date: '2020-11-01' }, { date: '2021-01-01' }, { date: '2021-03-01' }];
    // Dose 1 at 10 months starts the infant series; the late series counts doses 2 and 3.
    expect(best([infant, late], given, '2021-03-01')).toEqual(['infant 3-dose']);
  });

  it('scores in-process series: a product series with a wrong product loses (table 8-9)', () => {
    const generic = series({
      name: 'generic',
      defaultSeries: false,
      doses: [
        seriesDose(1, { ages: at('0 days'), allowable: ['2'] }),
        seriesDose(2),
        seriesDose(3),
      ],
    });
    const product = series({
      name: 'product',
      defaultSeries: false,
      productPath: true,
      seriesPreference: 2,
      doses: [seriesDose(1, { ages: at('0 days') }), seriesDose(2)],
    });
    expect(
      best(
        [generic, product],
        [{ date: '2020-02-01', cvx: '2' }, { date: '2020-04-01' }],
        '2020-04-01',
      ),
    ).toEqual(['generic']);
  });

  it('scores in-process series: fewest remaining doses wins alone, ties score 0 (table 8-9)', () => {
    const doses = (n: number) =>
      Array.from({ length: n }, (_, i) => seriesDose(i + 1, i === 0 ? { ages: at('0 days') } : {}));
    const three = series({ name: 'three', defaultSeries: false, doses: doses(3) });
    const two = series({
      name: 'two',
      defaultSeries: false,
      seriesPreference: 2,
      doses: doses(2),
    });
    const given = [{ date: '2020-02-01' }];
    // Same valid doses, completable, same finish date: 'two' alone has the fewest target doses
    // left (+2, 'three' -2), whatever the series preference.
    expect(best([three, two], given, '2020-04-01')).toEqual(['two']);
    // Every condition shared: equal scores, the best series preference (SELECTBEST-2) decides.
    const threeAgain = series({ ...three, name: 'three again', seriesPreference: 2 });
    expect(best([threeAgain, three], given, '2020-04-01')).toEqual(['three']);
    expect(best([three, threeAgain], given, '2020-04-01')).toEqual(['three']);
  });

  describe('best series across series groups (table 8-14)', () => {
    const standard = series({
      name: 'standard',
      equivalentSeriesGroups: ['2'],
      doses: [
        seriesDose(1, { ages: at('0 days') }),
        seriesDose(2, { intervals: [intervalFromPrevious({ minInt: '4 weeks' })] }),
      ],
    });
    const risk = series({
      name: 'risk',
      seriesType: 'Risk',
      seriesGroup: '2',
      defaultSeries: false,
      indications: [indication('160')],
      doses: [seriesDose(1, { ages: at('0 days') }), seriesDose(2), seriesDose(3)],
    });

    it('replaces an incomplete standard series by a risk series of an equivalent group', () => {
      expect(best([standard, risk], [], '2020-03-01', ['160'])).toEqual(['risk']);
    });

    it('keeps a complete standard series besides the risk series', () => {
      const given = [{ date: '2020-02-01' }, { date: '2020-04-01' }];
      expect(best([standard, risk], given, '2020-05-01', ['160'])).toEqual(['standard', 'risk']);
    });

    it('lets the highest series priority (A before B) decide between risk series', () => {
      const a = series({ ...risk, name: 'priority A', seriesPriority: 0 });
      const b = series({ ...risk, name: 'priority B', seriesPriority: 1 });
      expect(best([b, a], [], '2020-03-01', ['160'])).toEqual(['priority A']);
    });
  });
});
