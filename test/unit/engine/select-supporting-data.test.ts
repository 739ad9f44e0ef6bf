import {
  firstInEffect,
  inEffect,
  isInEffect,
  windowContains,
} from '../../../src/engine/select-supporting-data';
import { age, day } from './support/rule-set-builder';

describe('selecting supporting data (§3.3, RELEVANT-1/RELEVANT-2)', () => {
  it('includes the effective date and the cessation date themselves', () => {
    const from = day('2020-01-01');
    const to = day('2020-12-31');
    expect(windowContains(from, to, day('2019-12-31'))).toBe(false);
    expect(windowContains(from, to, day('2020-01-01'))).toBe(true);
    expect(windowContains(from, to, day('2020-12-31'))).toBe(true);
    expect(windowContains(from, to, day('2021-01-01'))).toBe(false);
  });

  it('treats a missing date as no bound ("n/a", table 3-4)', () => {
    expect(windowContains(undefined, undefined, day('1900-01-01'))).toBe(true);
    expect(windowContains(undefined, day('2020-12-31'), day('1950-06-01'))).toBe(true);
    expect(windowContains(day('2020-01-01'), undefined, day('2999-12-31'))).toBe(true);
  });

  it('picks the first age component in effect, or none', () => {
    const old = age({ minAge: '9 years', cessationDate: '2016-12-15' });
    const current = age({ minAge: '15 years', effectiveDate: '2016-12-16' });
    expect(firstInEffect([old, current], day('2016-12-15'))).toBe(old);
    expect(firstInEffect([old, current], day('2016-12-16'))).toBe(current);
    expect(firstInEffect([current], day('2016-12-15'))).toBeUndefined();
  });

  it('agrees between the instance and the list forms', () => {
    const old = age({ minAge: '9 years', cessationDate: '2016-12-15' });
    const current = age({ minAge: '15 years', effectiveDate: '2016-12-16' });
    expect(isInEffect(old, day('2016-12-15'))).toBe(true);
    expect(isInEffect(old, day('2016-12-16'))).toBe(false);
    expect(inEffect([old, current], day('2016-12-16'))).toEqual([current]);
  });
});
