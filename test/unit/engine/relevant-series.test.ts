import { selectRelevantSeries } from '../../../src/engine/relevant-series';
import type { AntigenSeries } from '../../../src/engine/rule-set';
import {
  antigen,
  context,
  day,
  dur,
  patient,
  ruleSet,
  series,
  seriesDose,
} from './support/rule-set-builder';

const standard = series({ name: 'standard', doses: [seriesDose(1)] });
const female = series({ name: 'female only', requiredGenders: ['Female'], doses: [seriesDose(1)] });
const risk = series({
  name: 'risk',
  seriesType: 'Risk',
  seriesGroup: '2',
  defaultSeries: false,
  indications: [
    {
      observationCode: '160',
      observationText: 'Asplenia',
      description: '',
      guidance: '',
      beginAge: dur('12 months'),
      endAge: dur('5 years'),
    },
  ],
  doses: [seriesDose(1)],
});
const all: readonly AntigenSeries[] = [standard, female, risk];
const rules = ruleSet({ antigens: [antigen('A', { series: all })] });

function names(gender: 'female' | 'male', assessment: string, codes: readonly string[] = []) {
  const pc = context(
    patient('2020-01-01', [], { gender, observations: codes.map((code) => ({ code })) }),
    rules,
    assessment,
  );
  return selectRelevantSeries(pc, all).map((s) => s.name);
}

describe('select relevant patient series (§5.1, tables 5-4 and 5-5)', () => {
  it('keeps standard series of the patient gender', () => {
    expect(names('female', '2021-06-01')).toEqual(['standard', 'female only']);
    expect(names('male', '2021-06-01')).toEqual(['standard']);
  });

  it('keeps a risk series only when one of its indications applies at the assessment date', () => {
    expect(names('male', '2021-06-01', ['160'])).toEqual(['standard', 'risk']);
    expect(names('male', '2021-06-01', ['999'])).toEqual(['standard']);
    expect(names('male', '2025-01-01', ['160'])).toEqual(['standard']);
  });

  it('keeps a risk series whose indication starts later, so its first dose can be forecast', () => {
    expect(names('male', '2020-06-01', ['160'])).toEqual(['standard', 'risk']);
  });

  it('treats observations that are no indication of a risk series like no observation', () => {
    // The shortcut for observations unrelated to the antigen must give the same list as the
    // patient without observations (and the same shared array, so later per-list caches hit).
    const pc = (codes: readonly string[]) =>
      context(
        patient('2020-01-01', [], {
          gender: 'male',
          observations: codes.map((code) => ({ code })),
        }),
        rules,
        '2021-06-01',
      );
    const without = selectRelevantSeries(pc([]), all);
    expect(selectRelevantSeries(pc(['999', '001']), all)).toBe(without);
    expect(selectRelevantSeries(pc(['999', '160']), all).map((s) => s.name)).toEqual([
      'standard',
      'risk',
    ]);
  });

  it('ignores an observation dated after the assessment date', () => {
    const pc = context(
      patient('2020-01-01', [], { observations: [{ code: '160', date: day('2022-01-01') }] }),
      rules,
      '2021-06-01',
    );
    expect(selectRelevantSeries(pc, all).map((s) => s.name)).toEqual(['standard', 'female only']);
  });
});
