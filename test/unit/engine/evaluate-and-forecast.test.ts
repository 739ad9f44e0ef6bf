import { join } from 'node:path';
import { evaluateAndForecastAntigen } from '../../../src/engine/evaluate-and-forecast';
import { evaluateSeries } from '../../../src/engine/evaluate/evaluate-series';
import { forecastSeries } from '../../../src/engine/forecast/forecast-series';
import { organizeHistory } from '../../../src/engine/organize-history';
import { createPatientContext } from '../../../src/engine/patient-context';
import { selectRelevantSeries } from '../../../src/engine/relevant-series';
import type { AntigenRules } from '../../../src/engine/rule-set';
import { selectBestPatientSeries } from '../../../src/engine/select-best-series';
import { compileRuleSet } from '../../../src/rules/compile-rule-set';
import { loadRawRuleSet } from '../../../src/rules/load-rule-set';
import { findRepoRoot } from '../../../src/rules/repo-root';
import type { DoseSpec } from './support/rule-set-builder';
import {
  age,
  antigen,
  condition,
  context,
  day,
  intervalFromPrevious,
  patient,
  ruleSet,
  series,
  seriesDose,
  skip,
} from './support/rule-set-builder';

describe('evaluate and forecast all relevant series of an antigen (§4.4)', () => {
  const standard = series({
    name: 'standard',
    doses: [
      seriesDose(1, { ages: [age({ minAge: '0 days' })] }),
      seriesDose(2, {
        intervals: [intervalFromPrevious({ absMinInt: '4 weeks', minInt: '4 weeks' })],
      }),
      seriesDose(3, {
        intervals: [intervalFromPrevious({ absMinInt: '8 weeks', minInt: '8 weeks' })],
      }),
    ],
  });
  // A risk series whose doses are not needed once the standard series (group 1) is complete.
  const notAfterStandard = [
    skip('Both', [condition({ type: 'Completed Series', seriesGroups: ['1'] })]),
  ];
  const risk = series({
    name: 'risk',
    seriesType: 'Risk',
    seriesGroup: '2',
    defaultSeries: false,
    indications: [{ observationCode: '032', observationText: '', description: '', guidance: '' }],
    doses: [
      seriesDose(1, { ages: [age({ minAge: '0 days' })], conditionalSkips: notAfterStandard }),
      seriesDose(2, {
        intervals: [intervalFromPrevious({ minInt: '4 weeks' })],
        conditionalSkips: notAfterStandard,
      }),
      seriesDose(3, { recurring: true, intervals: [intervalFromPrevious({ minInt: '1 year' })] }),
    ],
  });
  const rules = antigen('A', { series: [standard, risk] });

  function run(given: readonly DoseSpec[], assessment: string) {
    const pc = context(
      patient('1990-01-01', given, { observations: [{ code: '032' }] }),
      ruleSet({ antigens: [rules] }),
      assessment,
    );
    return evaluateAndForecastAntigen(pc, rules, organizeHistory(pc).byAntigen.get('A') ?? []);
  }

  it('judges a "completed series" skip on the doses given before the dose being evaluated', () => {
    const outcome = run(
      [{ date: '2020-01-01' }, { date: '2020-02-01' }, { date: '2020-04-01' }],
      '2020-04-01',
    );
    const riskSeries = outcome.relevant.find((ps) => ps.series.name === 'risk');
    // The standard series is complete only with the third dose, so the risk series used doses 1 and 2.
    expect(riskSeries?.targetDoses.map((t) => t.status)).toEqual([
      'Satisfied',
      'Satisfied',
      'Satisfied',
      'Not Satisfied',
    ]);
    expect(riskSeries?.forecast?.earliestDate.toString()).toBe('2021-04-01');
  });

  it('skips the risk doses at forecast time when the standard series is complete', () => {
    const onlyRiskVaccine = series({
      ...risk,
      doses: risk.doses.map((d) => ({
        ...d,
        preferableVaccines: [{ vaccineType: 'r', cvx: '2', forecastVaccineType: true }],
      })),
    });
    const both = antigen('A', { series: [standard, onlyRiskVaccine] });
    const pc = context(
      patient(
        '1990-01-01',
        [{ date: '2020-01-01' }, { date: '2020-02-01' }, { date: '2020-04-01' }],
        {
          observations: [{ code: '032' }],
        },
      ),
      ruleSet({ antigens: [both], cvx: { '1': ['A'], '2': ['A'] } }),
      '2021-06-01',
    );
    const outcome = evaluateAndForecastAntigen(
      pc,
      both,
      organizeHistory(pc).byAntigen.get('A') ?? [],
    );
    const riskSeries = outcome.relevant.find((ps) => ps.series.name === 'risk');
    expect(riskSeries?.targetDoses.map((t) => t.status)).toEqual([
      'Skipped',
      'Skipped',
      'Not Satisfied',
    ]);
    expect(riskSeries?.forecast?.doseNumber).toBe(1);
  });
});

describe('which relevant series are forecast (SELECTSCORE-2, table 8-3, SELECTB-24)', () => {
  // Group 1 has only standard series. The default series takes vaccine 1; the other one takes
  // vaccine 2 only, so a patient with a dose of vaccine 1 has no valid dose in it: it can never
  // be the prioritized series and its forecast is not needed — unless a contraindication could
  // make the statuses of the group matter (SELECTB-24).
  const main = series({ name: 'default', doses: [seriesDose(1), seriesDose(2)] });
  const other = series({
    name: 'other',
    defaultSeries: false,
    doses: [seriesDose(1, { preferable: ['2'] }), seriesDose(2, { preferable: ['2'] })],
  });
  const contraindicatedVaccine = {
    observationCode: '080',
    observationTitle: '',
    text: '',
    guidance: '',
    vaccines: [{ vaccineType: 'vaccine 2', cvx: '2' }],
  };
  const rules = antigen('A', {
    series: [main, other],
    vaccineContraindications: [contraindicatedVaccine],
  });

  function forecastNames(codes: readonly string[]): string[] {
    const pc = context(
      patient('2020-01-01', [{ date: '2020-03-01' }], {
        observations: codes.map((code) => ({ code })),
      }),
      ruleSet({ antigens: [rules], cvx: { '1': ['A'], '2': ['A'] } }),
      '2020-06-01',
    );
    const outcome = evaluateAndForecastAntigen(
      pc,
      rules,
      organizeHistory(pc).byAntigen.get('A') ?? [],
    );
    expect(outcome.best.map((ps) => ps.series.name)).toEqual(['default']);
    return outcome.relevant.map((ps) => ps.series.name);
  }

  it('leaves out a standard series without valid dose when another one has a valid dose', () => {
    expect(forecastNames([])).toEqual(['default']);
  });

  it('does the same for a patient whose observations concern no contraindication', () => {
    expect(forecastNames(['999'])).toEqual(['default']);
  });

  it('forecasts every series when a contraindication applies to the antigen', () => {
    expect(forecastNames(['080'])).toEqual(['default', 'other']);
  });

  describe('a series proved to have no valid dose without evaluating it (§4.4, table 6-31)', () => {
    // 'other' takes vaccine 2 for dose 1 and vaccine 1 for dose 2. A dose of vaccine 1 can count
    // for it only if dose 1 is skipped first; from the age of 1 year it is (when `context` says so).
    function relevantNames(skipContext: 'Evaluation' | 'Forecast' | 'Both') {
      const other2 = series({
        name: 'other',
        defaultSeries: false,
        doses: [
          seriesDose(1, {
            preferable: ['2'],
            conditionalSkips: [skip(skipContext, [condition({ type: 'Age', beginAge: '1 year' })])],
          }),
          seriesDose(2),
        ],
      });
      const plain = antigen('A', { series: [main, other2] });
      const pc = context(
        patient('2020-01-01', [{ date: '2021-03-01' }]),
        ruleSet({ antigens: [plain], cvx: { '1': ['A'], '2': ['A'] } }),
        '2021-06-01',
      );
      const outcome = evaluateAndForecastAntigen(
        pc,
        plain,
        organizeHistory(pc).byAntigen.get('A') ?? [],
      );
      return outcome.relevant.map((ps) => [
        ps.series.name,
        ps.targetDoses.map((t) => t.status).join(','),
      ]);
    }

    it('still forecasts a series whose first dose is skipped in evaluation and a later one counts', () => {
      expect(relevantNames('Evaluation')).toEqual([
        ['default', 'Satisfied,Not Satisfied'],
        ['other', 'Skipped,Satisfied'],
      ]);
      expect(relevantNames('Both')).toEqual([
        ['default', 'Satisfied,Not Satisfied'],
        ['other', 'Skipped,Satisfied'],
      ]);
    });

    it('leaves it out when the first dose can be skipped only when forecasting', () => {
      expect(relevantNames('Forecast')).toEqual([['default', 'Satisfied,Not Satisfied']]);
    });
  });
});

describe('series a patient without doses cannot tell apart (table 8-11, SELECTBEST-2)', () => {
  // Group 1: two standard series, no default series (like the MenB shared clinical decision
  // making series). Without doses both are scorable and scored by table 8-11.
  const twoDoses = (
    name: string,
    parts: { minAge?: string; maxAge?: string; pref?: number; vaccine?: string },
  ) =>
    series({
      name,
      defaultSeries: false,
      productPath: true,
      ...(parts.pref === undefined
        ? { seriesPreference: undefined }
        : { seriesPreference: parts.pref }),
      doses: [
        seriesDose(1, {
          ages: [age({ minAge: parts.minAge ?? '16 years' })],
          preferable: [parts.vaccine ?? '1'],
        }),
        seriesDose(2, {
          ages: parts.maxAge === undefined ? [] : [age({ maxAge: parts.maxAge })],
          intervals: [intervalFromPrevious({ minInt: '6 months' })],
          preferable: ['2'],
        }),
      ],
    });
  const contraindicated = {
    observationCode: '080',
    observationTitle: '',
    text: '',
    guidance: '',
    vaccines: [{ vaccineType: 'vaccine 1', cvx: '1' }],
  };

  function outcomeFor(list: ReturnType<typeof series>[], codes: readonly string[] = []) {
    const rules = antigen('A', { series: list, vaccineContraindications: [contraindicated] });
    const pc = context(
      patient('2005-01-01', [], { observations: codes.map((code) => ({ code })) }),
      ruleSet({ antigens: [rules], cvx: { '1': ['A'], '2': ['A'] } }),
      '2022-06-01',
    );
    const outcome = evaluateAndForecastAntigen(pc, rules, []);
    return {
      forecast: outcome.relevant.map((ps) => ps.series.name),
      best: outcome.best.map((ps) => [ps.series.name, ps.forecast?.earliestDate.toString()]),
    };
  }

  it('forecasts only the series SELECTBEST-2 picks when their first doses are alike', () => {
    expect(outcomeFor([twoDoses('x', {}), twoDoses('y', {})])).toEqual({
      forecast: ['x'],
      best: [['x', '2021-01-01']],
    });
    // Equal scores go to the best series preference.
    expect(outcomeFor([twoDoses('x', { pref: 2 }), twoDoses('y', { pref: 1 })])).toEqual({
      forecast: ['y'],
      best: [['y', '2021-01-01']],
    });
  });

  it('forecasts both when their first doses differ (the earlier earliest date wins)', () => {
    expect(outcomeFor([twoDoses('x', {}), twoDoses('y', { minAge: '11 years' })])).toEqual({
      forecast: ['x', 'y'],
      best: [['y', '2016-01-01']],
    });
  });

  it('forecasts both when a last dose has a maximum age (completability may differ)', () => {
    // x cannot finish before the maximum age of its second dose (SELECTB-3); y can.
    expect(
      outcomeFor([twoDoses('x', { maxAge: '16 years + 3 months' }), twoDoses('y', {})]),
    ).toEqual({
      forecast: ['x', 'y'],
      best: [['y', '2021-01-01']],
    });
  });

  it('forecasts both when a vaccine contraindication applies (SELECTB-24)', () => {
    // x's first dose takes vaccine 1, y's vaccine 2: a contraindication of vaccine 1 makes x
    // 'Contraindicated' (table 7-7), no longer a candidate, and y the prioritized series.
    const list = [twoDoses('x', {}), twoDoses('y', { vaccine: '2' })];
    expect(outcomeFor(list).forecast).toEqual(['x']);
    expect(outcomeFor(list, ['080'])).toEqual({
      forecast: ['x', 'y'],
      best: [['y', '2021-01-01']],
    });
  });
});

describe('the MenB shared clinical decision making series for a patient without MenB doses', () => {
  const cdsi = compileRuleSet(loadRawRuleSet(join(findRepoRoot(__dirname), 'rules'), '4.64'));
  const menB = cdsi.antigens.get('Meningococcal B') as AntigenRules;

  it.each([
    ['2020-03-01', 'female'],
    ['2012-05-01', 'male'],
    ['2008-02-01', 'female'],
    ['2004-11-15', 'male'],
    ['1960-01-01', 'female'],
  ] as const)(
    'selects for a patient born %s (%s) what forecasting all four gives',
    (born, gender) => {
      const pc = createPatientContext(patient(born, [], { gender }), cdsi, day('2026-11-01'));
      const outcome = evaluateAndForecastAntigen(pc, menB, []);
      // Every relevant series evaluated and forecast, then chapter 8.
      const facts = { rules: menB, immune: false, contraindicatedVaccines: new Set<string>() };
      const env = { isSeriesGroupComplete: () => false };
      const all = selectRelevantSeries(pc, menB.series).map((s) => {
        const ps = evaluateSeries(pc, s, [], env);
        forecastSeries(pc, ps, facts, env);
        return ps;
      });
      expect(all).toHaveLength(4);
      const full = selectBestPatientSeries(pc, all);
      expect(outcome.relevant).toHaveLength(1);
      expect(outcome.best.map((ps) => [ps.series.name, ps.status, ps.forecast])).toEqual(
        full.best.map((ps) => [ps.series.name, ps.status, ps.forecast]),
      );
    },
  );
});
