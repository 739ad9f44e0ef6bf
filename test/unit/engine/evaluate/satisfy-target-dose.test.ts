import { satisfyTargetDose } from '../../../../src/engine/evaluate/satisfy-target-dose';

describe('satisfy target dose (§6.10, table 6-31)', () => {
  const ok = { age: 'valid', interval: 'valid', conflict: false, vaccine: 'preferable' } as const;

  it('satisfies the target dose when every check passes', () => {
    expect(satisfyTargetDose(ok)).toEqual({ satisfied: true, status: 'Valid', reasons: [] });
  });

  it('keeps grace periods and allowable vaccines as reasons of a valid dose', () => {
    const outcome = satisfyTargetDose({ ...ok, age: 'grace-period', vaccine: 'allowable' });
    expect(outcome.status).toBe('Valid');
    expect(outcome.reasons.map((r) => r.code)).toEqual(['age-grace-period', 'allowable-vaccine']);
  });

  it('makes a dose over the maximum age extraneous even when it also fails other checks', () => {
    const outcome = satisfyTargetDose({ ...ok, age: 'too-old', interval: 'too-soon' });
    expect(outcome.satisfied).toBe(false);
    expect(outcome.status).toBe('Extraneous');
    expect(outcome.reasons.map((r) => r.text)).toEqual(['Age: Too Old', 'Interval: too Soon']);
  });

  it.each([
    [{ age: 'too-young' }, 'Age: Too Young'],
    [{ interval: 'too-soon' }, 'Interval: too Soon'],
    [{ conflict: true }, 'Live Virus Conflict'],
    [{ vaccine: 'neither' }, 'Not a preferable or allowable vaccine'],
  ] as const)('makes the dose not valid when %o', (failure, text) => {
    const outcome = satisfyTargetDose({ ...ok, ...failure });
    expect(outcome).toMatchObject({ satisfied: false, status: 'Not Valid' });
    expect(outcome.reasons.map((r) => r.text)).toEqual([text]);
  });

  it('accepts a dose saved by its allowable intervals', () => {
    const outcome = satisfyTargetDose({ ...ok, interval: 'allowable' });
    expect(outcome.status).toBe('Valid');
    expect(outcome.reasons.map((r) => r.code)).toEqual(['allowable-interval']);
  });
});
