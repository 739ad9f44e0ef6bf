import { ndcCandidates, normalizeNdc, NDC11_PATTERN } from '../../../../src/rules/codes/ndc';

describe('normalizeNdc', () => {
  it.each([
    // 10-digit hyphenated configurations
    ['4-4-2', '0006-4109-02', '00006-4109-02'],
    ['5-3-2', '49281-416-88', '49281-0416-88'],
    ['5-4-1', '50090-1502-0', '50090-1502-00'],
    // 11-digit 5-4-2, with and without hyphens
    ['5-4-2 hyphenated', '49281-0416-88', '49281-0416-88'],
    ['5-4-2 padded labeler', '00006-4109-02', '00006-4109-02'],
    ['11 digits', '00006410902', '00006-4109-02'],
    ['11 digits', '49281041688', '49281-0416-88'],
    // surrounding white space
    ['leading/trailing space', '  0006-4109-02 ', '00006-4109-02'],
    ['trailing CR', '00006410902\r', '00006-4109-02'],
  ])('%s: %s → %s', (_shape, input, expected) => {
    expect(normalizeNdc(input)).toBe(expected);
    expect(expected).toMatch(NDC11_PATTERN);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['letters', 'abcde-fghi-jk'],
    ['10 digits without hyphens (ambiguous)', '0006410902'],
    ['9 digits', '000641090'],
    ['12 digits', '000064109021'],
    ['GTIN-14', '00300064119039'],
    ['4-3-2', '0006-410-02'],
    ['5-3-1', '49281-416-8'],
    ['6-4-2', '000006-4109-02'],
    ['5-5-2', '49281-04160-88'],
    ['5-4-3', '49281-0416-088'],
    ['two segments', '49281-041688'],
    ['four segments', '49281-0416-88-1'],
    ['double hyphen', '49281--0416-88'],
    ['spaces as separators', '49281 0416 88'],
    ['inner space', '49281-04 16-88'],
    ['non-ASCII digits', '４９２８１-0416-88'],
    ['en dash', '49281–0416–88'],
  ])('%s: %j → undefined', (_what, input) => {
    expect(normalizeNdc(input)).toBeUndefined();
  });
});

describe('ndcCandidates', () => {
  it('gives the normalised form for an unambiguous NDC', () => {
    expect(ndcCandidates('0006-4109-02')).toEqual(['00006-4109-02']);
  });

  it('gives the three readings of a 10-digit NDC without hyphens', () => {
    expect(ndcCandidates('0006410902')).toEqual([
      '00006-4109-02',
      '00064-0109-02',
      '00064-1090-02',
    ]);
  });

  it('gives nothing for garbage', () => {
    expect(ndcCandidates('not an ndc')).toEqual([]);
    expect(ndcCandidates('123')).toEqual([]);
  });
});
