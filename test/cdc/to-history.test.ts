import { assessmentDateOf, toGender, toPatientHistory } from '../../src/conformance/to-history';
import { cdcCase, cdcDose } from './case-builders';

describe('toPatientHistory', () => {
  it('numbers the doses "1".."n" in order and keeps their CVX and date', () => {
    const h = toPatientHistory(cdcCase());
    expect(h.birthDate.toString()).toBe('2020-01-01');
    expect(h.doses.map((d) => [d.id, d.dateAdministered.toString(), d.cvx])).toEqual([
      ['1', '2020-03-01', '107'],
      ['2', '2020-05-01', '107'],
    ]);
  });

  it('leaves out an unspecified MVX and keeps a given one', () => {
    const h = toPatientHistory(
      cdcCase({ doses: [cdcDose({ mvx: null }), cdcDose({ doseNumber: 2, mvx: 'SKB' })] }),
    );
    expect(h.doses[0]).not.toHaveProperty('mvx');
    expect(h.doses[1]?.mvx).toBe('SKB');
  });

  it('keeps observation codes, with a date only when the CDC gives one', () => {
    const h = toPatientHistory(
      cdcCase({
        observations: [
          { code: '042', text: 'Smoke cigarettes', date: null },
          { code: '055', text: null, date: '2019-12-31' },
        ],
      }),
    );
    expect(h.observations[0]).toEqual({ code: '042' });
    expect(h.observations[1]?.code).toBe('055');
    expect(h.observations[1]?.date?.toString()).toBe('2019-12-31');
  });

  it.each([
    ['F', 'female'],
    ['M', 'male'],
    ['U', 'unknown'],
    ['', 'unknown'],
  ] as const)('maps gender %j to %j', (cdc, engine) => {
    expect(toGender(cdc)).toBe(engine);
    expect(toPatientHistory(cdcCase({ gender: cdc })).gender).toBe(engine);
  });

  it("uses the case's assessment date", () => {
    expect(assessmentDateOf(cdcCase()).toString()).toBe('2020-06-01');
  });
});
