import { evaluateAndForecastAntigen } from '../../../../src/engine/evaluate-and-forecast';
import { organizeHistory } from '../../../../src/engine/organize-history';
import type { AntigenRules, SeriesDose } from '../../../../src/engine/rule-set';
import type { DoseSpec } from '../support/rule-set-builder';
import {
  age,
  antigen,
  condition,
  conflict,
  context,
  day,
  dur,
  intervalFromPrevious,
  patient,
  ruleSet,
  series,
  seriesDose,
  skip,
} from '../support/rule-set-builder';

function forecastOf(
  rules: AntigenRules,
  given: readonly DoseSpec[],
  assessment: string,
  options: {
    birthDate?: string;
    observations?: readonly string[];
    others?: readonly AntigenRules[];
  } = {},
) {
  const rs = ruleSet({
    antigens: [rules, ...(options.others ?? [])],
    cvx: { '1': ['A'], '2': ['A'], '3': ['M'] },
    conflicts: [conflict('3', '1', '1 day', '24 days', '28 days')],
  });
  const pc = context(
    patient(options.birthDate ?? '2020-01-01', given, {
      observations: (options.observations ?? []).map((code) => ({ code })),
    }),
    rs,
    assessment,
  );
  const outcome = evaluateAndForecastAntigen(
    pc,
    rules,
    organizeHistory(pc).byAntigen.get('A') ?? [],
  );
  const ps = outcome.best[0] ?? outcome.relevant[0];
  if (ps === undefined) {
    throw new Error('no series');
  }
  return ps;
}

const dates = (ps: ReturnType<typeof forecastOf>) => ({
  status: ps.status,
  doseNumber: ps.forecast?.doseNumber,
  earliest: ps.forecast?.earliestDate.toString(),
  recommended: ps.forecast?.recommendedDate.toString(),
  pastDue: ps.forecast?.pastDueDate?.toString(),
  latest: ps.forecast?.latestDate?.toString(),
});

const anyAge = seriesDose(1, { ages: [age({ minAge: '0 days' })] });

const childSeries = (doses: readonly SeriesDose[]) => antigen('A', { series: [series({ doses })] });

describe('forecast dates and reasons (chapter 7)', () => {
  const dose1 = seriesDose(1, {
    ages: [
      age({
        absMinAge: '6 weeks - 4 days',
        minAge: '6 weeks',
        earliestRecAge: '2 months',
        latestRecAge: '3 months + 4 weeks',
        maxAge: '7 years',
      }),
    ],
  });
  const dose2 = seriesDose(2, {
    ages: [
      age({ minAge: '10 weeks', earliestRecAge: '4 months', latestRecAge: '5 months + 4 weeks' }),
    ],
    intervals: [
      intervalFromPrevious({
        absMinInt: '4 weeks - 4 days',
        minInt: '4 weeks',
        earliestRecInt: '8 weeks',
      }),
    ],
  });
  const rules = childSeries([dose1, dose2]);

  it('forecasts the first dose of a newborn from the age component (FORECASTDT-1..4)', () => {
    expect(dates(forecastOf(rules, [], '2020-01-01'))).toEqual({
      status: 'Not Complete',
      doseNumber: 1,
      earliest: '2020-02-12',
      recommended: '2020-03-01',
      pastDue: '2020-04-28',
      latest: '2026-12-31',
    });
  });

  it('forecasts the next dose from the latest of the minimum age and minimum interval dates', () => {
    expect(dates(forecastOf(rules, [{ date: '2020-04-01' }], '2020-04-01'))).toMatchObject({
      doseNumber: 2,
      earliest: '2020-04-29',
      recommended: '2020-05-01',
      pastDue: '2020-06-28',
    });
  });

  it('never recommends or marks past due before the earliest date (FORECASTDT-5/6)', () => {
    // The earliest recommended age (4 months) wins over the earliest recommended interval
    // (FORECASTDT-2) and is long past, so both dates move to the earliest date.
    const late = forecastOf(rules, [{ date: '2021-01-01' }], '2021-01-01');
    expect(dates(late)).toMatchObject({
      earliest: '2021-01-29',
      recommended: '2021-01-29',
      pastDue: '2021-01-29',
    });
  });

  it('has no forecast date at all for a target dose with no age and nothing to measure from', () => {
    // Table 7-9 assumes 2999-12-31 for the missing candidate earliest date: 'Aged Out'.
    expect(forecastOf(childSeries([seriesDose(1)]), [], '2021-01-01').status).toBe('Aged Out');
  });

  it('reports a complete series with no forecast', () => {
    const ps = forecastOf(rules, [{ date: '2020-03-01' }, { date: '2020-05-01' }], '2020-06-01');
    expect(dates(ps)).toMatchObject({ status: 'Complete', doseNumber: undefined });
    expect(ps.reasons.map((r) => r.code)).toEqual(['series-complete']);
  });

  it('reports "Aged Out" at and after the maximum age of the next target dose', () => {
    expect(forecastOf(rules, [], '2026-12-31').status).toBe('Not Complete');
    expect(forecastOf(rules, [], '2027-01-01').status).toBe('Aged Out');
  });

  it('reports "Aged Out" when the earliest date would be after the maximum age', () => {
    const rushed = childSeries([
      seriesDose(1, { ages: [age({ minAge: '6 weeks', maxAge: '8 weeks' })] }),
      seriesDose(2, {
        ages: [age({ maxAge: '15 weeks' })],
        intervals: [intervalFromPrevious({ minInt: '8 weeks' })],
      }),
    ]);
    expect(forecastOf(rushed, [{ date: '2020-02-20' }], '2020-03-01').status).toBe('Aged Out');
  });

  it('reports "Not Recommended" when every remaining target dose is skipped and none was satisfied', () => {
    const skipped = childSeries([
      seriesDose(1, {
        conditionalSkips: [skip('Forecast', [condition({ type: 'Age', beginAge: '5 years' })])],
      }),
    ]);
    expect(forecastOf(skipped, [], '2026-01-01').status).toBe('Not Recommended');
  });

  it('skips a target dose at forecast time and forecasts the next one (§7.1)', () => {
    const catchUp = childSeries([
      seriesDose(1),
      seriesDose(2, {
        conditionalSkips: [skip('Forecast', [condition({ type: 'Age', beginAge: '15 months' })])],
      }),
      seriesDose(3, { intervals: [intervalFromPrevious({ minInt: '8 weeks' })] }),
    ]);
    const ps = forecastOf(catchUp, [{ date: '2021-03-01' }], '2021-06-01');
    expect(ps.targetDoses.map((t) => t.status)).toEqual(['Satisfied', 'Skipped', 'Not Satisfied']);
    expect(dates(ps)).toMatchObject({ doseNumber: 2, earliest: '2021-04-26' });
  });

  it('re-forecasts when the target dose would be skipped on its earliest date (§7.6)', () => {
    const catchUp = childSeries([
      seriesDose(1),
      seriesDose(2, {
        intervals: [intervalFromPrevious({ minInt: '4 weeks' })],
        conditionalSkips: [skip('Forecast', [condition({ type: 'Age', beginAge: '12 months' })])],
      }),
      seriesDose(3, { intervals: [intervalFromPrevious({ minInt: '8 weeks' })] }),
    ]);
    // Dose 1 at 11 months and 2 weeks: dose 2 would be due after the first birthday, when it is skipped.
    const ps = forecastOf(catchUp, [{ date: '2020-12-15' }], '2020-12-15');
    expect(ps.targetDoses.map((t) => t.status)).toEqual(['Satisfied', 'Skipped', 'Not Satisfied']);
    expect(dates(ps)).toMatchObject({ earliest: '2021-02-09' });
  });

  it('delays a live virus dose until the conflict with an earlier dose ends (CALCDTCONFLICT-3)', () => {
    const ps = forecastOf(childSeries([anyAge]), [{ date: '2021-06-01', cvx: '3' }], '2021-06-01', {
      others: [
        antigen('M', {
          series: [series({ antigen: 'M', doses: [seriesDose(1, { preferable: ['3'] })] })],
        }),
      ],
    });
    expect(dates(ps)).toMatchObject({ earliest: '2021-06-29' });
  });

  it('reports "Immune" with clinical evidence of immunity (table 7-3)', () => {
    const immune = antigen('A', {
      series: [series({ doses: [dose1] })],
      immunityGuidelineCodes: new Set(['020']),
    });
    expect(forecastOf(immune, [], '2020-06-01', { observations: ['020'] }).status).toBe('Immune');
  });

  it('reports "Immune" for a birth before the immunity birth date unless an exclusion applies', () => {
    const measles = antigen('A', {
      series: [series({ doses: [anyAge] })],
      birthDateImmunity: [
        { immunityBirthDate: day('1957-01-01'), exclusionCodes: new Set(['055']) },
      ],
    });
    expect(forecastOf(measles, [], '2020-06-01', { birthDate: '1950-01-01' }).status).toBe(
      'Immune',
    );
    expect(
      forecastOf(measles, [], '2020-06-01', { birthDate: '1950-01-01', observations: ['055'] })
        .status,
    ).toBe('Not Complete');
  });

  it('reports "Contraindicated" for an antigen contraindication in its age range (table 7-5)', () => {
    const contraindicated = antigen('A', {
      series: [series({ doses: [anyAge] })],
      antigenContraindications: [
        {
          observationCode: '007',
          observationTitle: 'Pregnant',
          text: '',
          guidance: '',
          beginAge: dur('10 years'),
        },
      ],
    });
    expect(forecastOf(contraindicated, [], '2040-01-01', { observations: ['007'] }).status).toBe(
      'Contraindicated',
    );
    expect(forecastOf(contraindicated, [], '2021-01-01', { observations: ['007'] }).status).toBe(
      'Not Complete',
    );
  });

  it('reports "Contraindicated" when every preferable vaccine has a vaccine contraindication (table 7-7)', () => {
    const contraindicated = antigen('A', {
      series: [series({ doses: [anyAge] })],
      vaccineContraindications: [
        {
          observationCode: '080',
          observationTitle: 'Allergy',
          text: '',
          guidance: '',
          vaccines: [{ vaccineType: 'v', cvx: '1' }],
        },
      ],
    });
    expect(forecastOf(contraindicated, [], '2021-01-01', { observations: ['080'] }).status).toBe(
      'Contraindicated',
    );
  });
});
