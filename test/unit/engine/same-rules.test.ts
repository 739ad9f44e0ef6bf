import { sameRules } from '../../../src/engine/same-rules';
import { age, day, dur, seriesDose } from './support/rule-set-builder';

describe('sameRules (structural equality of rule-set values)', () => {
  it('compares objects, dates and durations by value', () => {
    expect(
      sameRules(
        seriesDose(1, { ages: [age({ minAge: '6 weeks' })] }),
        seriesDose(1, { ages: [age({ minAge: '6 weeks' })] }),
      ),
    ).toBe(true);
    expect(
      sameRules(
        seriesDose(1, { ages: [age({ minAge: '6 weeks' })] }),
        seriesDose(1, { ages: [age({ minAge: '8 weeks' })] }),
      ),
    ).toBe(false);
    expect(sameRules({ d: day('2020-01-01') }, { d: day('2020-01-01') })).toBe(true);
    expect(sameRules({ d: day('2020-01-01') }, { d: day('2020-01-02') })).toBe(false);
    expect(sameRules({ d: dur('1 year') }, { d: undefined })).toBe(false);
  });

  it('compares sets by content, ignoring the given vaccine types', () => {
    expect(sameRules(new Set(['1', '2']), new Set(['2', '1']))).toBe(true);
    expect(sameRules(new Set(['1', '2']), new Set(['1']))).toBe(false);
    expect(sameRules(new Set(['1', '2']), new Set(['1']), new Set(['2']))).toBe(true);
  });

  it('ignores the given vaccine types among allowable vaccines only', () => {
    const a = seriesDose(1, { preferable: ['1'], allowable: ['1', '2'] });
    const b = seriesDose(1, { preferable: ['1'], allowable: ['1'] });
    expect(sameRules(a, b)).toBe(false);
    expect(sameRules(a, b, new Set(['2']))).toBe(true);
    // A preferable vaccine makes the forecast's recommended vaccines: never ignored.
    const c = seriesDose(1, { preferable: ['1', '2'], allowable: ['1', '2'] });
    expect(sameRules(c, b, new Set(['2']))).toBe(false);
  });

  it('never takes two maps for the same', () => {
    expect(sameRules(new Map([['a', 1]]), new Map([['b', 2]]))).toBe(false);
  });
});
