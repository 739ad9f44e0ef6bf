import { FHIR_ID, isFhirId } from '../../src/fhir/json';

describe('isFhirId', () => {
  test.each([
    ['p1', true],
    ['Patient-1.a', true],
    ['A'.repeat(64), true],
    ['A'.repeat(65), false],
    ['', false],
    ['p 1', false],
    ['p_1', false],
    ['p/1', false],
    ['é', false],
    ['p1\n', false],
  ])('%j: %s, as the FHIR id regex says', (text, expected) => {
    expect(isFhirId(text)).toBe(expected);
    expect(FHIR_ID.test(text)).toBe(expected);
  });

  test.each([[1], [null], [undefined], [['p1']], [{ id: 'p1' }]])(
    'a JSON value that is no string (%j) is no id',
    (value) => {
      expect(isFhirId(value)).toBe(false);
    },
  );

  test('agrees with the regex on every character code', () => {
    for (let c = 0; c < 0x10000; c++) {
      const text = `a${String.fromCharCode(c)}`;
      expect(isFhirId(text)).toBe(FHIR_ID.test(text));
    }
  });
});
