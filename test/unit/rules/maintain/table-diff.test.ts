import { loadRawRuleSet, type RawRuleSet } from '../../../../src/rules/load-rule-set';
import {
  affectedVaccineGroups,
  describeTableChange,
  diffRuleTables,
  formatTableChanges,
  jsonEqual,
} from '../../../../src/rules/maintain/table-diff';
import type { RawAntigenFile, RawCvxMap } from '../../../../src/rules/raw-types';
import { getAt, RULES_ROOT, setAt, VERSION } from '../rules-fixture';
import { MEASLES_DOSE_2_INTERVAL } from './variant';

let base: RawRuleSet;
beforeAll(() => {
  base = loadRawRuleSet(RULES_ROOT, VERSION);
});

/** A copy of the 4.64 tables with edits: `antigen name or "schedule"` → pointer → value. */
function edited(edits: Record<string, Record<string, unknown>>): RawRuleSet {
  const antigens = base.antigens.map((a) => {
    let doc: unknown = a;
    for (const [p, v] of Object.entries(edits[a.antigen] ?? {})) {
      doc = setAt(doc, p, v);
    }
    return doc as RawAntigenFile;
  });
  let schedule: unknown = base.schedule;
  for (const [p, v] of Object.entries(edits['schedule'] ?? {})) {
    schedule = setAt(schedule, p, v);
  }
  return { manifest: base.manifest, antigens, schedule: schedule as RawRuleSet['schedule'] };
}

function lines(after: RawRuleSet): string[] {
  return diffRuleTables(base, after).map((c) => describeTableChange(c));
}

const MEASLES_DOSE_2 = '/antigenSupportingData/series/0/seriesDose/1';
const CVX_MAP = '/scheduleSupportingData/cvxToAntigenMap/cvxMap';

describe('diffRuleTables', () => {
  it('finds nothing between a rule set and itself', () => {
    expect(diffRuleTables(base, base)).toEqual([]);
    expect(affectedVaccineGroups(base, base)).toEqual([]);
    expect(formatTableChanges([])).toBe('Rule tables: no changes');
  });

  it('names a changed interval by antigen, series, dose, interval and field', () => {
    const after = edited({ Measles: { [`${MEASLES_DOSE_2_INTERVAL}/minInt`]: '28 days' } });
    const changes = diffRuleTables(base, after);
    expect(changes).toEqual([
      {
        kind: 'changed',
        area: 'Measles',
        series: 'Measles 2-dose series',
        dose: 'Dose 2',
        path: ['interval from previous dose'],
        field: 'minimum interval',
        before: '4 weeks',
        after: '28 days',
      },
    ]);
    expect(lines(after)).toEqual([
      'Measles / Measles 2-dose series / Dose 2 / interval from previous dose: minimum interval 4 weeks → 28 days',
    ]);
    expect(affectedVaccineGroups(base, after)).toEqual(['MMR']);
  });

  it('reports changed ages, emptied values and conditional-skip conditions', () => {
    const skip = `${MEASLES_DOSE_2}/conditionalSkip/0/set/0/condition/0`;
    const after = edited({
      Measles: {
        [`${MEASLES_DOSE_2}/age/0/minAge`]: '15 months',
        [`${MEASLES_DOSE_2}/age/0/latestRecAge`]: '',
        [`${skip}/beginAge`]: '18 years',
      },
    });
    expect(lines(after)).toEqual([
      'Measles / Measles 2-dose series / Dose 2 / age: minimum age 13 months → 15 months',
      'Measles / Measles 2-dose series / Dose 2 / age: latest recommended age 7 years + 4 weeks → (empty)',
      'Measles / Measles 2-dose series / Dose 2 / conditional skip (Both) / set 1 / condition 1: begin age 19 years - 4 days → 18 years',
    ]);
  });

  it('matches vaccines by CVX, so an inserted vaccine is one addition and nothing shifts', () => {
    const preferable = `${MEASLES_DOSE_2}/preferableVaccine`;
    const list = getAt(
      base.antigens.find((a) => a.antigen === 'Measles'),
      preferable,
    ) as object[];
    const added = {
      vaccineType: 'Measles',
      cvx: '05',
      beginAge: '12 months',
      endAge: '',
      tradeName: '',
      mvx: '',
      volume: '0.5',
      forecastVaccineType: 'N',
    };
    const after = edited({ Measles: { [preferable]: [added, ...list] } });
    expect(lines(after)).toEqual([
      'Measles / Measles 2-dose series / Dose 2 / preferable vaccine CVX 05: added — Measles, from 12 months, 0.5 mL',
    ]);
  });

  it('reports added and removed CVX codes and antigen mappings in the schedule', () => {
    const map = getAt(base.schedule, CVX_MAP) as RawCvxMap[];
    const newCvx = {
      cvx: '999',
      shortDescription: 'Test measles vaccine',
      association: [{ antigen: 'Measles', associationBeginAge: '12 months' }],
    };
    const schedule = setAt(base.schedule, CVX_MAP, [
      ...map.map((m) =>
        m.cvx === '94'
          ? { ...m, association: m.association.filter((a) => a.antigen !== 'Varicella') }
          : m,
      ),
      newCvx,
    ]) as RawRuleSet['schedule'];
    const after = { ...base, schedule };
    expect(lines(after)).toEqual([
      'Schedule / CVX 94 / association with Varicella: removed — any age',
      'Schedule / CVX 999: added — Test measles vaccine (antigens: Measles)',
    ]);
    expect(affectedVaccineGroups(base, after)).toBe('all');
  });

  it('reports added and removed doses and series, and set-like lists value by value', () => {
    const measles = base.antigens.find((a) => a.antigen === 'Measles')!;
    const series = measles.antigenSupportingData.series;
    const after = edited({
      Measles: {
        '/antigenSupportingData/series': series.slice(0, 3),
        '/antigenSupportingData/series/0/seriesDose': [
          ...series[0]!.seriesDose,
          { ...series[0]!.seriesDose[1], doseNumber: 'Dose 3' },
        ],
        '/antigenSupportingData/series/0/seriesAdminGuidance': ['Give dose 3 before travel.'],
      },
      Mumps: { '/antigenSupportingData/series/0/selectSeries/seriesPriority': 'B' },
    });
    const text = lines(after);
    expect(text).toContain(
      'Measles / Measles 2-dose series: administration guidance added: Give dose 3 before travel.',
    );
    expect(
      text.find((l) => l.startsWith('Measles / Measles 2-dose series / Dose 3: added — ')),
    ).toMatch(
      /age absolute minimum 13 months - 4 days.*interval from previous dose absolute minimum 4 weeks - 4 days.*vaccines 03, 94/,
    );
    expect(text).toContain(
      'Measles / Measles risk 2-dose ART series: removed — Risk, 2 doses, vaccine group MMR',
    );
    expect(text).toContain('Mumps / Mumps 2-dose series / series selection: series priority A → B');
    expect(affectedVaccineGroups(base, after)).toEqual(['MMR']);
  });

  it('groups the text report by area', () => {
    const after = edited({
      Measles: { [`${MEASLES_DOSE_2_INTERVAL}/minInt`]: '28 days' },
      Varicella: { '/antigenSupportingData/series/0/seriesDose/0/recurringDose': 'Yes' },
    });
    expect(formatTableChanges(diffRuleTables(base, after))).toBe(
      [
        'Rule tables: 2 changes',
        '  Measles',
        '    Measles 2-dose series / Dose 2 / interval from previous dose: minimum interval 4 weeks → 28 days',
        '  Varicella',
        '    Varicella childhood 2-dose series / Dose 1: recurring dose No → Yes',
      ].join('\n'),
    );
  });

  it('still reports a field it does not know, under its JSON name', () => {
    const after = edited({ Measles: { [`${MEASLES_DOSE_2}/futureFlag`]: 'Y' } });
    expect(lines(after)).toEqual([
      'Measles / Measles 2-dose series / Dose 2: futureFlag (absent) → Y',
    ]);
  });
});

describe('jsonEqual', () => {
  it('ignores key order but not array order', () => {
    expect(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(jsonEqual({ a: '' }, {})).toBe(false);
  });
});
