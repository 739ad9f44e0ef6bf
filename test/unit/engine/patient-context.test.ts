import { antigen, context, dur, patient, ruleSet, series } from './support/rule-set-builder';

describe('patient context', () => {
  const rules = ruleSet({ antigens: [antigen('A', { series: [series({ doses: [] })] })] });

  it('computes age dates (CALCDTAGE) from the birth date, once per duration object', () => {
    const pc = context(patient('2020-01-31', []), rules, '2021-01-01');
    const sixMonths = dur('6 months - 4 days');
    expect(pc.ageDate(sixMonths).toString()).toBe('2020-07-27');
    expect(pc.ageDate(sixMonths)).toBe(pc.ageDate(sixMonths));
    // Another object with the same text is another cache entry with the same date.
    expect(pc.ageDate(dur('6 months - 4 days')).toString()).toBe('2020-07-27');
    expect(pc.ageDate(dur('1 year')).toString()).toBe('2021-01-31');
  });

  it('keeps the age dates of one patient apart from another', () => {
    const twoMonths = dur('2 months');
    const a = context(patient('2020-01-01', []), rules, '2021-01-01');
    const b = context(patient('2019-05-10', []), rules, '2021-01-01');
    expect(a.ageDate(twoMonths).toString()).toBe('2020-03-01');
    expect(b.ageDate(twoMonths).toString()).toBe('2019-07-10');
    expect(a.ageDate(twoMonths).toString()).toBe('2020-03-01');
  });
});
