import { endedSeasons, forecast, seasonCaveats } from '../../../src/engine';
import type { RuleSet, SeasonalRecommendation } from '../../../src/engine/rule-set';
import {
  age,
  antigen,
  day,
  patient,
  ruleSet,
  series,
  seriesDose,
} from './support/rule-set-builder';

function season(start: string | undefined, end: string | undefined): SeasonalRecommendation {
  return {
    ...(start === undefined ? {} : { startDate: day(start) }),
    ...(end === undefined ? {} : { endDate: day(end) }),
  };
}

/** An antigen with one series per season, each one recurring seasonal dose from 6 months. */
function seasonal(name: string, ...seasons: SeasonalRecommendation[]) {
  return antigen(name, {
    series: seasons.map((s, i) =>
      series({
        name: `${name} series ${i + 1}`,
        antigen: name,
        vaccineGroup: name,
        seriesGroup: String(i + 1),
        doses: [
          seriesDose(1, {
            ages: [age({ minAge: '6 months', earliestRecAge: '6 months' })],
            recurring: true,
            seasonalRecommendation: s,
          }),
        ],
      }),
    ),
  });
}

// Like 4.64: influenza 2025-07-01..2026-06-30; RSV infant 2025-10-01..2026-03-31 and pregnancy
// 2025-09-01..2026-01-31; COVID-19 from 2025-08-27 with no end. "Later" has its next season
// published already; "Plain" has no seasonal dose at all.
const rules = ruleSet({
  antigens: [
    seasonal('Influenza', season('2025-07-01', '2026-06-30')),
    seasonal('RSV', season('2025-10-01', '2026-03-31'), season('2025-09-01', '2026-01-31')),
    seasonal('COVID-19', season('2025-08-27', undefined)),
    seasonal('Later', season('2025-07-01', '2026-01-31'), season('2026-09-01', '2027-06-30')),
    antigen('Plain', { series: [series({ antigen: 'Plain', doses: [seriesDose(1)] })] }),
  ],
});

function ended(date: string): string[] {
  return endedSeasons(rules, day(date)).map(
    (s) =>
      `${s.vaccineGroup}/${s.antigen} ${s.startDate?.toString() ?? '-'}..${s.endDate.toString()}`,
  );
}

describe('endedSeasons: seasonal recommendations that no longer cover the assessment date', () => {
  it('is empty while every season covers the date', () => {
    expect(ended('2025-12-01')).toEqual([]);
    // The season end itself is still in the season (table 7-10: "after" the end date).
    expect(ended('2026-01-31')).toEqual([]);
  });

  it('is empty when another season of the same antigen still covers the date', () => {
    // RSV pregnancy season ended 2026-01-31; the infant season runs to 2026-03-31.
    expect(ended('2026-02-15')).toEqual([]);
  });

  it('does not report an antigen whose next season follows the date', () => {
    expect(ended('2026-05-01')).not.toContainEqual(expect.stringMatching(/^Later/));
    expect(ended('2026-08-15')).not.toContainEqual(expect.stringMatching(/^Later/));
  });

  it('reports each antigen whose seasons have all ended, with its latest season', () => {
    expect(ended('2026-04-01')).toEqual(['RSV/RSV 2025-10-01..2026-03-31']);
    expect(ended('2026-11-22')).toEqual([
      'Influenza/Influenza 2025-07-01..2026-06-30',
      'RSV/RSV 2025-10-01..2026-03-31',
    ]);
    expect(ended('2027-07-01')).toEqual([
      'Influenza/Influenza 2025-07-01..2026-06-30',
      'RSV/RSV 2025-10-01..2026-03-31',
      'Later/Later 2026-09-01..2027-06-30',
    ]);
  });

  it('never reports a season without an end date (COVID-19 in 4.64)', () => {
    expect(ended('2099-01-01').some((s) => s.startsWith('COVID-19'))).toBe(false);
  });

  it('reads the series of a rule set once, however many dates are checked', () => {
    let reads = 0;
    const counted: RuleSet = {
      ...rules,
      get antigens() {
        reads++;
        return rules.antigens;
      },
    };
    expect(endedSeasons(counted, day('2026-11-22'))).toHaveLength(2);
    const first = reads;
    expect(first).toBeGreaterThan(0);
    expect(endedSeasons(counted, day('2025-12-01'))).toHaveLength(0);
    expect(endedSeasons(counted, day('2027-07-01'))).toHaveLength(3);
    expect(reads).toBe(first);
  });
});

describe('seasonCaveats: the forecast groups the ended seasons decide', () => {
  const child = patient('2020-01-01');

  it('none while the season covers the assessment date', () => {
    const result = forecast(child, rules, day('2025-11-01'));
    expect(result.vaccineGroups.find((g) => g.vaccineGroup === 'Influenza')?.status).toBe(
      'Not Complete',
    );
    expect(seasonCaveats(result, rules, child.birthDate)).toEqual([]);
  });

  it('one per group whose forecast says the season has ended, naming rule set and dates', () => {
    const result = forecast(child, rules, day('2026-11-22'));
    const caveats = seasonCaveats(result, rules, child.birthDate);
    expect(caveats.map((c) => [c.vaccineGroup, c.groupIndex])).toEqual([
      ['Influenza', 0],
      ['RSV', 1],
    ]);
    expect(caveats[0]!.text).toBe(
      'Rule set test@1 has no Influenza season covering 2026-11-22 (its last season ran ' +
        '2025-07-01 to 2026-06-30): the Influenza forecast says the season has ended. ' +
        'Load newer CDC supporting data.',
    );
    // The engine's answer is left as the specification gives it.
    expect(result.vaccineGroups[0]!.status).toBe('Not Recommended');
  });

  it('none for a group whose season ended while a later season is published', () => {
    const result = forecast(child, rules, day('2026-05-01'));
    const later = result.vaccineGroups.find((g) => g.vaccineGroup === 'Later');
    // FORECASTDTCAN-1: the next season's start is the earliest date.
    expect(later?.forecast?.earliestDate.toString()).toBe('2026-09-01');
    expect(seasonCaveats(result, rules, child.birthDate).map((c) => c.vaccineGroup)).toEqual([
      'RSV',
    ]);
  });

  // Like RSV in 4.64: an infant series (seasonal, maximum age 8 months) and a series for the old
  // (no season) in another series group, which becomes the answer once the infant series stops.
  const rsv = ruleSet({
    antigens: [
      antigen('RSV', {
        series: [
          series({
            name: 'infant',
            antigen: 'RSV',
            vaccineGroup: 'RSV',
            doses: [
              seriesDose(1, {
                ages: [age({ minAge: '0 days', maxAge: '8 months' })],
                seasonalRecommendation: season('2025-10-01', '2026-03-31'),
              }),
            ],
          }),
          series({
            name: '75 years+',
            antigen: 'RSV',
            vaccineGroup: 'RSV',
            seriesGroup: '3',
            doses: [
              seriesDose(1, { ages: [age({ minAge: '75 years', earliestRecAge: '75 years' })] }),
            ],
          }),
        ],
      }),
    ],
  });

  it('one for an infant whose seasonal series is an alternative to the answer shown', () => {
    const infant = patient('2026-09-01');
    const result = forecast(infant, rsv, day('2026-11-22'));
    expect(result.vaccineGroups[0]!.forecast?.earliestDate.toString()).toBe('2101-09-01');
    expect(seasonCaveats(result, rsv, infant.birthDate).map((c) => c.text)).toEqual([
      'Rule set test@1 has no RSV season covering 2026-11-22 (its last season ran 2025-10-01 ' +
        'to 2026-03-31): the RSV forecast says the season has ended. Load newer CDC supporting data.',
    ]);
  });

  it('none for a child past the maximum age of every seasonal dose (newer seasons would not help)', () => {
    const toddler = patient('2024-03-15');
    const result = forecast(toddler, rsv, day('2026-11-22'));
    expect(seasonCaveats(result, rsv, toddler.birthDate)).toEqual([]);
  });
});
