import { explainReason } from '../../../src/engine';
import type { Reason } from '../../../src/engine/model';
import { reason } from '../../../src/engine/reasons';

describe('a reason in plain words (explainReason)', () => {
  it('says how many days too young, and which minimum age on which date', () => {
    const r = reason('age-too-young', {
      minimumAge: '6 weeks - 4 days',
      minimumAgeDate: '2024-02-06',
      daysEarly: '5',
    });
    expect(explainReason(r)).toBe(
      'Age: Too Young — given 5 days before the minimum age of 6 weeks - 4 days (2024-02-06)',
    );
    expect(explainReason({ ...r, details: { ...r.details, daysEarly: '1' } })).toBe(
      'Age: Too Young — given 1 day before the minimum age of 6 weeks - 4 days (2024-02-06)',
    );
  });

  it('says how late a dose over the maximum age was, or that it was the very day', () => {
    const details = { maximumAge: '5 years', maximumAgeDate: '2023-11-06', daysLate: '3' };
    expect(explainReason(reason('age-too-old', details))).toBe(
      'Age: Too Old — given 3 days after the maximum age of 5 years (2023-11-06)',
    );
    expect(explainReason(reason('age-too-old', { ...details, daysLate: '0' }))).toBe(
      'Age: Too Old — given on the day the patient reached the maximum age of 5 years (2023-11-06)',
    );
  });

  it('says which interval from which dose was not reached, and the first date it allowed', () => {
    const r = reason('interval-too-soon', {
      interval: '4 weeks - 4 days',
      from: 'the previous dose',
      fromDate: '2024-06-01',
      fromDoseId: '1',
      allowedDate: '2024-06-25',
      daysEarly: '14',
    });
    expect(explainReason(r)).toBe(
      'Interval: too Soon — given 14 days too soon: at least 4 weeks - 4 days after the previous ' +
        'dose (2024-06-01) was needed, so not before 2024-06-25',
    );
  });

  it('names the conflicting live vaccine dose and the end of the conflict', () => {
    const r = reason('live-virus-conflict', {
      conflictingDoseId: '1',
      conflictingCvx: '03',
      conflictingDoseDate: '2021-06-01',
      conflictEndDate: '2021-06-25',
    });
    expect(explainReason(r)).toBe(
      'Live Virus Conflict — given before 2021-06-25, the end of the live virus conflict with ' +
        'the CVX 03 dose of 2021-06-01',
    );
  });

  it('names the vaccine of an inadvertent or not allowed dose, with its description when known', () => {
    expect(explainReason(reason('inadvertent-vaccine', { cvx: '115', vaccine: 'Tdap' }))).toBe(
      'Inadvertent Vaccine — CVX 115 (Tdap) was given by mistake: it is not meant for this dose',
    );
    expect(explainReason(reason('not-preferable-or-allowable', { cvx: '999' }))).toBe(
      'Not a preferable or allowable vaccine — CVX 999 does not count for this dose at the age ' +
        'it was given',
    );
  });

  it('says when the series was already complete', () => {
    expect(
      explainReason(
        reason('series-already-complete', {
          series: 'HepB 3-dose series',
          completedDate: '2023-02-23',
        }),
      ),
    ).toBe(
      'Series Already Complete — the HepB 3-dose series was already complete on 2023-02-23; this ' +
        'dose was not needed',
    );
  });

  it('has nothing to add to a reason without details, or with details it cannot read', () => {
    expect(explainReason(reason('age-too-young'))).toBeUndefined();
    expect(explainReason(reason('series-complete'))).toBeUndefined();
    const odd: Reason = { code: 'age-too-young', text: 'Age: Too Young', rule: '', details: {} };
    expect(explainReason(odd)).toBeUndefined();
  });
});
